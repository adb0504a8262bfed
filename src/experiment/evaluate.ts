// Evaluating one point of the sweep: open the checkpoint once in ONNX
// Runtime, run each configured suite, keep each suite's result in its own
// file so a killed run redoes only what is missing.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../model/atomic-file.js";
import { openLocalModel } from "../infer/local-model.js";
import type { LanguageModel } from "../infer/language-model.js";
import { runProbe } from "../evals/probe.js";
import type { ExperimentConfig } from "./config.js";
import type { SuiteScore } from "./aggregate.js";

export interface PointEval {
  suites: Record<string, SuiteScore>;
  skipped: Record<string, string>;
}

type Suite = { name: string; run: (m: LanguageModel) => Promise<SuiteScore> };

/** The suites the config asks for; those that cannot run here are named with the reason. */
function suites(c: ExperimentConfig, seed: number, log: (s: string) => void): { run: Suite[]; skipped: Record<string, string> } {
  const run: Suite[] = [];
  const skipped: Record<string, string> = {};
  const keep = (r: SuiteScore & { perDimension?: SuiteScore["perDimension"] }): SuiteScore => ({ score: r.score, ci: r.ci, n: r.n, ...(r.perDimension ? { perDimension: r.perDimension } : {}) });
  run.push({ name: "probe", run: async (m) => keep(await runProbe(m, { split: c.evals.probe.split, items: c.evals.probe.items, seed, log })) });
  if (c.evals.anima) {
    if (!c.evals.anima.graders.length) skipped.anima = "no graders configured (evals.anima.graders): the arms ran without ANIMA";
    else {
      const anima = c.evals.anima;
      run.push({
        name: "anima",
        run: async (m) => {
          const { runAnima, parseGraderSpec } = await import("../evals/anima.js");
          return keep(await runAnima(m, { dataset: anima.dataset, graders: anima.graders.map(parseGraderSpec), epochs: anima.epochs, seed, log, cacheDir: join(c.out, "cache", "anima") }));
        },
      });
    }
  }
  if (c.evals.safety) run.push({ name: "safety", run: async (m) => keep(await (await import("../evals/safety.js")).runSafety(m, { seed, log })) });
  if (c.evals.capability) run.push({ name: "capability", run: async (m) => keep(await (await import("../evals/capability.js")).runCapability(m, { seed, log })) });
  return { run, skipped };
}

/**
 * Runs the missing suites on `checkpoint`, caching each result under `dir`. `onnxDevice` is ONNX Runtime's
 * provider for the suites ("auto": its CUDA provider where installed, else the CPU; fp32 either way, so cached
 * results compare across machines); its one-line choice is logged the first time.
 */
export async function evaluatePoint(
  c: ExperimentConfig,
  checkpoint: string,
  dir: string,
  seed: number,
  log: (s: string) => void,
  label?: string,
  onnxDevice: "cpu" | "auto" = "cpu",
): Promise<PointEval> {
  mkdirSync(dir, { recursive: true });
  const { run, skipped } = suites(c, seed, log);
  const out: Record<string, SuiteScore> = {};
  const todo = run.filter((s) => {
    const f = join(dir, `${s.name}.json`);
    if (!existsSync(f)) return true;
    out[s.name] = JSON.parse(readFileSync(f, "utf8")) as SuiteScore;
    return false;
  });
  if (todo.length) {
    if (label) log(label);
    const model = await openLocalModel(checkpoint, { device: onnxDevice, dtype: "fp32", log: providerOnce(log) });
    try {
      for (const s of todo) {
        const r = await s.run(model);
        writeFileAtomic(join(dir, `${s.name}.json`), JSON.stringify(r) + "\n");
        out[s.name] = r;
      }
    } finally {
      await model.close();
    }
  }
  return { suites: out, skipped };
}

let providerLogged = false;
/** Passes on ONNX Runtime's provider line the first time in this process; drops the export chatter. */
function providerOnce(log: (s: string) => void): (s: string) => void {
  return (line) => {
    if (!line.startsWith("onnxruntime:") || providerLogged) return;
    providerLogged = true;
    log(`experiment: evals on ${line}`);
  };
}

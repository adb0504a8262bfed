// `midtrain eval SUITE`: anima | probe | safety | capability | loss on a
// checkpoint (--model DIR, served by ONNX Runtime) or an OpenAI-compatible
// endpoint (--model-url URL --model-name NAME); `compare A B` and `seeds F..`
// work on results.json files. Writes DIR/results.json atomically, prints a
// table (or one JSON object with --json).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { runAnima } from "../evals/anima.js";
import { runCapability } from "../evals/capability.js";
import { compareResults, summarizeSeeds } from "../evals/compare.js";
import { parseGraderSpec } from "../evals/judge.js";
import { runLoss } from "../evals/loss.js";
import { runProbe } from "../evals/probe.js";
import { formatTable, summary, writeResults } from "../evals/report.js";
import { runSafety } from "../evals/safety.js";
import type { Scored } from "../evals/stats.js";
import type { LanguageModel } from "../infer/language-model.js";
import { openLocalModel } from "../infer/local-model.js";
import { openRemoteModel } from "../infer/remote-model.js";
import { chooseEngineDevice } from "../train/device-support.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

const SUITES = ["anima", "probe", "safety", "capability", "loss", "compare", "seeds"] as const;
type Suite = (typeof SUITES)[number];

interface EvalArgs extends CommonArgs {
  suite: Suite;
  files?: string[];
  model?: string;
  modelUrl?: string;
  modelName?: string;
  out?: string;
  // anima
  dataset?: string;
  dimensions?: string;
  grader?: string[];
  epochs?: number;
  temperature?: number;
  maxTokens?: number;
  cacheDir?: string;
  concurrency?: number;
  retries?: number;
  timeout?: number;
  language?: string;
  // probe
  split?: "main" | "heldout" | "all";
  items?: string;
  normalization?: "byte" | "token" | "none";
  // safety
  data?: string[];
  refusalJudge?: string;
  // capability
  mc?: string[];
  text?: string;
  // loss
  seqLen?: number;
  batchSize?: number;
  format?: "text" | "chat" | "tokens" | "auto";
  threads?: number;
}

/** Changes whenever the checkpoint's weights or config do: keys the ANIMA answer cache. */
function checkpointFingerprint(dir: string): string {
  const h = createHash("sha256").update(realpathSync(dir));
  if (existsSync(join(dir, "config.json"))) h.update(readFileSync(join(dir, "config.json")));
  for (const f of readdirSync(dir).sort())
    if (f.endsWith(".safetensors")) {
      const s = statSync(join(dir, f));
      h.update(`${f}:${s.size}:${s.mtimeMs}`);
    }
  return h.digest("hex").slice(0, 16);
}

async function openModel(a: EvalArgs): Promise<LanguageModel> {
  if (a.model && a.modelUrl) throw new Error("give either --model DIR or --model-url URL, not both");
  if (a.model) return openLocalModel(a.model, { device: a.device, log });
  if (a.modelUrl) {
    if (!a.modelName) throw new Error("--model-url needs --model-name (the model id the endpoint serves)");
    const apiKey = process.env.MIDTRAIN_MODEL_API_KEY;
    return openRemoteModel({ baseURL: a.modelUrl, model: a.modelName, ...(apiKey ? { apiKey } : {}), ...(a.concurrency ? { concurrency: a.concurrency } : {}) });
  }
  throw new Error("name the model under test: --model DIR (a checkpoint) or --model-url URL --model-name NAME");
}

const posInt = (name: string, v: number | undefined) => {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`--${name} must be a positive integer, got ${v}`);
};

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: "eval <suite> [files..]",
  describe: "evaluate a checkpoint or endpoint: anima, probe, safety, capability, loss; compare A B / seeds FILES.. on results.json files",
  builder: (y) =>
    withCommonOptions(y, { device: "eval" })
      .positional("suite", { choices: SUITES, demandOption: true })
      .positional("files", { type: "string", array: true, describe: "results.json files (compare: two; seeds: two or more)" })
      .option("model", { type: "string", describe: "checkpoint directory (run with ONNX Runtime)" })
      .option("model-url", { type: "string", describe: "OpenAI-compatible base URL of the model under test, e.g. http://127.0.0.1:8000/v1" })
      .option("model-name", { type: "string", describe: "model id at --model-url" })
      .option("out", { type: "string", describe: "directory for results.json (default eval-results/SUITE)" })
      .option("dataset", { type: "string", describe: "anima: the questions file, or a directory with both parts" })
      .option("dimensions", { type: "string", describe: "anima: the dimensions file (when --dataset is a file)" })
      .option("grader", { type: "string", array: true, describe: "anima: grader URL[,model]; repeat for several" })
      .option("epochs", { type: "number", describe: "anima: answers per question (default 1; 5-30 recommended)" })
      .option("temperature", { type: "number", describe: "anima: sampling temperature of the model under test (default 1)" })
      .option("max-tokens", { type: "number", describe: "anima/safety: answer length cap in tokens" })
      .option("cache-dir", { type: "string", describe: "anima: answer and judge caches (default OUT/cache)" })
      .option("concurrency", { type: "number", describe: "requests in flight per endpoint (default 8)" })
      .option("retries", { type: "number", describe: "anima: retries per grader call (default 4)" })
      .option("timeout", { type: "number", describe: "anima: seconds per grader try (default 120)" })
      .option("language", { type: "string", describe: "anima: only questions in this language (en for records without one)" })
      .option("split", { choices: ["main", "heldout", "all"] as const, describe: "probe: item split (default main)" })
      .option("items", { type: "string", describe: "probe: an items JSONL instead of the built-in set" })
      .option("normalization", { choices: ["byte", "token", "none"] as const, describe: "probe: length normalisation (default byte, as acc_norm)" })
      .option("data", { type: "string", array: true, describe: "safety: prompt files (JSONL, XSTest/AdvBench CSV); loss: data files" })
      .option("refusal-judge", { type: "string", describe: "safety: URL,model of a judge deciding refusals (default: the pinned phrase list)" })
      .option("mc", { type: "string", array: true, describe: "capability: multiple-choice JSONL files {question, choices, answer}" })
      .option("text", { type: "string", describe: "capability: text file for perplexity ('none' to skip)" })
      .option("seq-len", { type: "number", describe: "loss: rows of this many tokens (default 512)" })
      .option("batch-size", { type: "number", describe: "loss: rows per forward pass, at most (default 8)" })
      .option("format", { choices: ["text", "chat", "tokens", "auto"] as const, describe: "loss: data format (default auto)" })
      .option("threads", { type: "number", describe: "loss: engine threads" }) as never,
  handler: async (a) => {
    for (const k of ["epochs", "maxTokens", "concurrency", "seqLen", "batchSize", "threads"] as const) posInt(k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), a[k]);
    if (a.retries !== undefined && (!Number.isInteger(a.retries) || a.retries < 0)) throw new Error(`--retries must be a non-negative integer, got ${a.retries}`);
    if (a.timeout !== undefined && !(a.timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${a.timeout}`);
    const print = (obj: object, table: string) => process.stdout.write((a.json ? JSON.stringify(obj) : table) + "\n");

    if (a.suite === "compare" || a.suite === "seeds") {
      const files = a.files ?? [];
      if (a.suite === "compare") {
        if (files.length !== 2) throw new Error("eval compare: give exactly two results.json files (A B)");
        const c = compareResults(files[0]!, files[1]!, { seed: a.seed });
        print(c, `${c.suite}: ${c.a} minus ${c.b} on ${c.n} shared items: ${c.diff.toFixed(4)} [${c.ci[0].toFixed(4)}, ${c.ci[1].toFixed(4)}], sign-flip p = ${c.p.toPrecision(3)} (${c.pMethod})${c.onlyA || c.onlyB ? `; ${c.onlyA}/${c.onlyB} items only in A/B left out` : ""}`);
      } else {
        const s = summarizeSeeds(files);
        const rows = [`${s.suite} over ${s.runs} runs: ${s.score.mean.toFixed(4)} ± ${s.score.std.toFixed(4)} (std)`, ...Object.entries(s.perDimension).map(([d, v]) => `  ${d}: ${v.mean.toFixed(4)} ± ${v.std.toFixed(4)}`)];
        print(s, rows.join("\n"));
      }
      return;
    }
    if (a.files?.length) throw new Error(`eval ${a.suite}: unexpected arguments ${a.files.join(" ")}`);
    const out = a.out ?? join("eval-results", a.suite);

    if (a.suite === "loss") {
      if (!a.model) throw new Error("eval loss runs the native engine on a checkpoint: give --model DIR");
      if (!a.data?.length) throw new Error("eval loss: give --data FILE..");
      const device = chooseEngineDevice(a.device, log);
      const r = await runLoss({ model: a.model, data: a.data, device, ...(a.seqLen ? { seqLen: a.seqLen } : {}), ...(a.batchSize ? { batchSize: a.batchSize } : {}), ...(a.format ? { format: a.format } : {}), ...(a.threads ? { threads: a.threads } : {}), seed: a.seed, log });
      const path = writeResults(out, r);
      print({ ...r, results: path }, `${formatTable(r as unknown as Scored & { suite: string; model: string } & Record<string, unknown>)}\nperplexity ${r.perplexity.toFixed(3)} over ${r.tokens} tokens\nresults: ${path}`);
      return;
    }

    // Fail on bad suite options before the (slow) model load.
    const graders = a.suite === "anima" ? (a.grader ?? []).map(parseGraderSpec) : [];
    if (a.suite === "anima") {
      if (!a.dataset) throw new Error("eval anima: give --dataset (the questions file, or a directory holding questions and dimensions)");
      if (!graders.length) throw new Error("eval anima: give at least one --grader URL[,model] (an OpenAI-compatible endpoint that grades)");
      const key = process.env.MIDTRAIN_GRADER_API_KEY;
      if (key) for (const g of graders) g.apiKey = key;
    }
    const judgeSpec = a.suite === "safety" && a.refusalJudge ? parseGraderSpec(a.refusalJudge) : undefined;
    if (judgeSpec && !judgeSpec.model) throw new Error("--refusal-judge needs URL,model");

    const model = await openModel(a);
    let result: Scored & { suite: string; model: string } & Record<string, unknown>;
    let incomplete = "";
    try {
      if (a.suite === "probe") {
        result = (await runProbe(model, { seed: a.seed, log, ...(a.split ? { split: a.split } : {}), ...(a.items ? { items: a.items } : {}), ...(a.normalization ? { normalization: a.normalization } : {}) })) as never;
      } else if (a.suite === "safety") {
        result = (await runSafety(model, { seed: a.seed, log, ...(a.data?.length ? { data: a.data } : {}), ...(a.maxTokens ? { maxTokens: a.maxTokens } : {}), ...(judgeSpec ? { judge: judgeSpec as { url: string; model: string }, cacheDir: join(out, "cache") } : {}) })) as never;
      } else if (a.suite === "capability") {
        result = (await runCapability(model, { seed: a.seed, log, ...(a.mc?.length ? { mc: a.mc } : {}), ...(a.text ? { text: a.text === "none" ? null : a.text } : {}) })) as never;
      } else {
        const r = await runAnima(model, {
          dataset: a.dataset!,
          ...(a.dimensions ? { dimensions: a.dimensions } : {}),
          graders,
          seed: a.seed,
          log,
          cacheDir: a.cacheDir ?? join(out, "cache"),
          ...(a.model ? { modelFingerprint: checkpointFingerprint(a.model) } : {}),
          ...(a.epochs ? { epochs: a.epochs } : {}),
          ...(a.temperature !== undefined ? { temperature: a.temperature } : {}),
          ...(a.maxTokens ? { maxTokens: a.maxTokens } : {}),
          ...(a.language ? { language: a.language } : {}),
          judge: { ...(a.concurrency ? { concurrency: a.concurrency } : {}), ...(a.retries !== undefined ? { maxRetries: a.retries } : {}), ...(a.timeout ? { timeoutMs: a.timeout * 1000 } : {}) },
        });
        const c = r.counts;
        if (c.questionsSkipped || c.answerErrors || c.graderErrors)
          incomplete = `anima: incomplete: ${c.questionsSkipped} question(s) skipped, ${c.answerErrors} answer(s) and ${c.graderErrors} grader call(s) failed (rerun to resume from the cache; see results.json)`;
        result = r as never;
      }
    } finally {
      await model.close();
    }
    const path = writeResults(out, result, { argv: process.argv.slice(2) });
    let table = `${formatTable(result)}\nresults: ${path}`;
    if (result.suite === "anima") {
      const r = result as unknown as { counts: Record<string, number> };
      table += `\ncounts: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(", ")}`;
    }
    print({ ...summary(result), results: path }, table);
    if (incomplete) {
      log(incomplete);
      process.exitCode = 3;
    }
  },
};

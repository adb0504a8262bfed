// `midtrain experiment preservation`: the whole sweep, top to bottom.
//   1. the base model (given, or initialised from a preset and pretrained);
//   2. stage-1 models per seed: midtrained on value documents, the Q&A
//      baseline, the control midtrained on unrelated documents;
//   3. one follow-up SFT run per (stage-1 model, strategy, seed) on unrelated
//      instruction data, snapshotting the model at every SFT size;
//   4. merged checkpoints for interpolation arms;
//   5. evals at every point, then the report.
// Every step writes its own files and is skipped when they exist, so a killed
// sweep resumes where it stopped without redoing finished runs.
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../model/atomic-file.js";
import { join, relative } from "node:path";
import { initCheckpoint } from "../model/init.js";
import { mergeCheckpoints } from "../model/merge.js";
import type { EngineDevice } from "../engine/model.js";
import { missingControls } from "../train/device-support.js";
import type { TrainHooks } from "../train/loop.js";
import { TrainOptionsSchema } from "../train/options.js";
import type { PointResult } from "./aggregate.js";
import type { Arm, ExperimentConfig } from "./config.js";
import { analyzeDirection, probeContrastItems } from "./direction.js";
import { evaluatePoint } from "./evaluate.js";
import { planExperiment, type Plan } from "./plan.js";
import { writeReport, type ReportFiles, type ReportInput } from "./report.js";
import { stageOptions } from "./stage-options.js";
import { trainWithSnapshots } from "../train/snapshots.js";

export interface ExperimentHooks {
  log: (line: string) => void;
  /** Polled between and inside training steps: true = stop cleanly (Ctrl-C). */
  shouldStop?: () => boolean;
  title?: string;
  /** Extra notes for the report (e.g. the demo's scale caveats). */
  notes?: string[];
  /** Where the native engine trains and probes (default cpu); the ONNX evals pick their own provider. */
  device?: EngineDevice;
}

export interface ExperimentResult {
  interrupted: boolean;
  plan: Plan;
  points: PointResult[];
  report?: ReportFiles;
}

const STAGE1_DATA = { midtrained: "value_docs", qa: "value_qa", control: "control_docs" } as const;
const STAGE1_TRAINING = { midtrained: "midtrain", qa: "qa", control: "control" } as const;

/** Replaces "$value_docs" / "$midtrained" in strategy options; folds lr_factor into lr. */
function resolveSftOptions(c: ExperimentConfig, plan: Plan, seed: number, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === "$value_docs") out[k] = c.data.value_docs;
    else if (v === "$midtrained") {
      const s1 = plan.stage1.find((s) => s.kind === "midtrained" && s.seed === seed);
      if (!s1) throw new Error(`experiment: option '${k}' refers to the midtrained model, but no arm is midtrained`);
      out[k] = s1.dir;
    } else out[k] = v;
  }
  if (out.lr_factor !== undefined) {
    const base = Number(c.training.sft.lr ?? TrainOptionsSchema.shape.lr.parse(undefined));
    out.lr = base * Number(out.lr_factor);
    delete out.lr_factor;
  }
  return out;
}

export async function runExperiment(c: ExperimentConfig, arms: Arm[], hooks: ExperimentHooks): Promise<ExperimentResult> {
  const { log } = hooks;
  const plan = planExperiment(c, arms);
  const threads = c.threads !== undefined ? { threads: c.threads } : {};
  const device = hooks.device ?? "cpu";
  const trainHooks: TrainHooks = { log, shouldStop: hooks.shouldStop, device };
  const stopped = () => hooks.shouldStop?.() === true;
  const done = (points: PointResult[] = []): ExperimentResult => ({ interrupted: true, plan, points });
  const totalRuns = (!("model" in c.base) ? 1 : 0) + plan.stage1.length + plan.sft.length;
  let runNo = 0;
  const stage = async (what: string, raw: Record<string, unknown>, saveAt: number[] = []) => {
    runNo++;
    log(`experiment: [${runNo}/${totalRuns}] ${what}`);
    const r = await trainWithSnapshots(stageOptions({ ...threads, ...raw, resume: true }, `experiment ${what}`), saveAt, trainHooks);
    if (r.skipped) log(`experiment: ${what}: finished earlier; reused`);
    return r.skipped || !r.interrupted;
  };

  // 1. The base model.
  if (!("model" in c.base)) {
    const init = join(c.out, "base", "init");
    if (!existsSync(join(init, "config.json"))) initCheckpoint({ preset: c.base.preset, out: init, tokenizer: c.base.tokenizer, seed: c.seeds[0]!, log });
    const { data, ...opts } = c.base.pretrain;
    if (!(await stage("pretraining the base model", { stage: "midtrain", seed: c.seeds[0], ...opts, model: init, data: [data], out: plan.baseDir }))) return done();
  }

  // 2. Stage-1 models.
  for (const s of plan.stage1) {
    const data = c.data[STAGE1_DATA[s.kind]]!;
    const stageName = s.kind === "qa" ? "sft" : "midtrain";
    if (!(await stage(`${s.kind} (seed ${s.seed})`, { stage: stageName, seed: s.seed, ...c.training[STAGE1_TRAINING[s.kind]], model: plan.baseDir, data: [data], out: s.dir }))) return done();
  }

  // 3. Follow-up SFT runs with snapshots.
  for (const r of plan.sft) {
    const extra = resolveSftOptions(c, plan, r.seed, r.options);
    const label = `follow-up SFT of ${r.from}${Object.keys(r.options).length ? ` with ${Object.keys(r.options).join(", ")}` : ""} (seed ${r.seed}) to ${r.sizes.at(-1)} samples`;
    if (!(await stage(label, { stage: "sft", seed: r.seed, ...c.training.sft, ...extra, samples: r.sizes.at(-1), model: r.start, data: [c.data.sft], out: r.dir }, r.sizes))) return done();
  }

  // 4. Merged checkpoints, 5. evals.
  const points: PointResult[] = [];
  const seen = new Map<string, PointResult["suites"]>();
  for (const [i, p] of plan.points.entries()) {
    if (stopped()) return done(points);
    if (p.merge && !existsSync(join(p.checkpoint, "config.json"))) mergeCheckpoints(p.merge.sft, p.merge.stage1, p.merge.alpha, p.checkpoint);
    const key = relative(c.out, p.checkpoint).replace(/[\\/]/g, "__") || "base";
    let suites = seen.get(p.checkpoint);
    let skipped: Record<string, string> = {};
    if (!suites) {
      const label = `experiment: eval [${i + 1}/${plan.points.length}] ${p.arm} seed ${p.seed} at ${p.size} SFT samples`;
      // Evals run on ONNX Runtime: with --device cuda its CUDA provider where installed (docs/inference.md), else the CPU.
      const r = await evaluatePoint(c, p.checkpoint, join(c.out, "evals", key), p.seed, log, label, device === "cuda" ? "auto" : "cpu");
      suites = r.suites;
      skipped = r.skipped;
      seen.set(p.checkpoint, suites);
    }
    points.push({ ...p, suites, ...(Object.keys(skipped).length ? { skipped } : {}) });
  }

  // 6. The representation probe on one seed (cached: a rerun reads it back).
  let direction: ReportInput["direction"];
  const notes = [...(hooks.notes ?? [])];
  if (c.analysis.direction) {
    const seed = c.analysis.seed ?? c.seeds[0]!;
    const reference = plan.stage1.find((s) => s.kind === "midtrained" && s.seed === seed)?.dir;
    if (!reference) notes.push(`direction analysis skipped: no midtrained arm at seed ${seed}`);
    else {
      const file = join(c.out, `direction-seed-${seed}.json`);
      const ofSeed = points.filter((p) => p.seed === seed);
      const checkpoints = [...new Set(ofSeed.map((p) => p.checkpoint))];
      let r = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ReturnType<typeof analyzeDirection>) : undefined;
      if (!r || r.models.length !== checkpoints.length || r.models.some((m, i) => m.model !== checkpoints[i])) {
        // A probe, not training: where the device lacks hidden states it runs on the CPU rather than failing the sweep at its end.
        const probeOn = device === "cuda" && missingControls("cuda", ["hiddenStates"]).length ? "cpu" : device;
        log(`experiment: value direction of seed ${seed} (${checkpoints.length} checkpoints) on ${probeOn}${probeOn !== device ? " (the CUDA backend has no hidden states yet)" : ""}`);
        r = analyzeDirection(reference, checkpoints.map((dir) => ({ dir })), probeContrastItems(c.analysis.split, c.evals.probe.items), () => {}, probeOn);
        writeFileAtomic(file, JSON.stringify(r, null, 2) + "\n");
      }
      const retained = new Map(r.models.map((m) => [m.model, m.meanRetained]));
      direction = { seed, items: r.items, rows: ofSeed.map((p) => ({ arm: p.arm, size: p.size, retained: retained.get(p.checkpoint)! })) };
    }
  }

  for (const [suite, why] of Object.entries(points.find((p) => p.skipped)?.skipped ?? {})) notes.push(`${suite} skipped: ${why}`);
  const report = writeReport(c.out, {
    title: hooks.title ?? "Preservation of a midtrained value through follow-up SFT",
    arms: arms.map((a) => ({ name: a.name, describe: a.describe })),
    seeds: c.seeds,
    sizes: c.sft_sizes,
    points,
    notes,
    direction,
  });
  return { interrupted: false, plan, points, report };
}

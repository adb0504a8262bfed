// Training checkpoints: a full HF checkpoint directory plus the state needed
// to continue exactly (trainer_state.json, optimizer.safetensors). Each
// checkpoint is written into a hidden temporary directory and renamed into
// place, so a crash, a full disk or Ctrl-C never leaves a half-written
// checkpoint where --resume would find it. With LoRA, model.safetensors holds
// the merged weights (a plain HF checkpoint) and lora.safetensors the factors
// that resume continues from; frozen tensors have no optimizer state.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Model } from "../engine/model.js";
import { fsyncDir, writeFileAtomic } from "../model/atomic-file.js";
import { CheckpointError, loadWeightsInto, readJson, saveCheckpoint } from "../model/checkpoint.js";
import { readSafetensors, writeSafetensors } from "../model/safetensors.js";

export const TrainerStateSchema = z.object({
  version: z.literal(1),
  step: z.number().int().nonnegative(),
  samples: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  loader: z.unknown(),
  model_fingerprint: z.string(),
  finished: z.boolean(),
  /** Options the run was started with, to refuse a resume that changes them. */
  options: z.record(z.string(), z.unknown()),
  /** Strategy provenance (src/train/strategies.ts StrategyRecord): start checkpoint digest, Fisher file. */
  strategy: z.record(z.string(), z.unknown()).optional(),
});
export type TrainerState = z.infer<typeof TrainerStateSchema>;

/** Identifies a model's shape: resuming into a different model is refused. */
export function modelFingerprint(model: Model): string {
  const h = createHash("sha256");
  h.update(JSON.stringify(model.config));
  for (const n of model.paramNames()) h.update(`${n}:${model.paramShape(n).join("x")};`);
  return h.digest("hex").slice(0, 16);
}

export function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(6, "0")}`;
}

/** Complete checkpoints in `out`, oldest first. */
export function listCheckpoints(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((f) => /^checkpoint-\d{6,}$/.test(f) && existsSync(join(out, f, "trainer_state.json")))
    .sort()
    .map((f) => join(out, f));
}

export interface SaveTrainingOptions {
  config: Record<string, unknown>;
  tokenizerDir: string;
  state: TrainerState;
}

/** Checkpoint tensors and LoRA factors that train (the ones with optimizer state). */
function trainableNames(model: Model): string[] {
  return [...model.paramNames(), ...model.loraParamNames()].filter((n) => model.isTrainable(n));
}

function writeTrainingFiles(dir: string, model: Model, o: SaveTrainingOptions): void {
  const lora = model.loraParamNames();
  saveCheckpoint(dir, lora.length ? model.merged() : model, { config: o.config, tokenizerDir: o.tokenizerDir });
  if (lora.length)
    writeSafetensors(join(dir, "lora.safetensors"), new Map(lora.map((n) => [n, { shape: model.paramShape(n), data: () => model.getParam(n) }])), {
      note: "LoRA factors of this run (model.safetensors already holds the merged weights; this is for resuming)",
    });
  const opt = new Map<string, { shape: number[]; data: () => Float32Array }>();
  for (const n of trainableNames(model)) {
    const shape = model.paramShape(n);
    opt.set(`exp_avg.${n}`, { shape, data: () => model.getOptimizerState(n).m });
    opt.set(`exp_avg_sq.${n}`, { shape, data: () => model.getOptimizerState(n).v });
  }
  writeSafetensors(join(dir, "optimizer.safetensors"), opt, { step: String(model.stepCount) });
  // Written last: its presence marks the directory complete.
  writeFileAtomic(join(dir, "trainer_state.json"), JSON.stringify(o.state, null, 1) + "\n");
}

/** Writes `out/checkpoint-<step>` atomically and keeps only the newest `keepLast`. */
export function saveTrainingCheckpoint(out: string, model: Model, o: SaveTrainingOptions, keepLast: number): string {
  mkdirSync(out, { recursive: true });
  const final = join(out, checkpointName(o.state.step));
  const tmp = join(out, `.${checkpointName(o.state.step)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    writeTrainingFiles(tmp, model, o);
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    fsyncDir(out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new CheckpointError(`${final}: checkpoint not written (${(e as Error).message}); the previous checkpoint is intact`);
  }
  const all = listCheckpoints(out);
  for (const old of all.slice(0, Math.max(0, all.length - keepLast))) rmSync(old, { recursive: true, force: true });
  return final;
}

/** The final model in `out` itself (files replaced atomically one by one, trainer_state.json last). */
export function saveFinal(out: string, model: Model, o: SaveTrainingOptions): void {
  mkdirSync(out, { recursive: true });
  writeTrainingFiles(out, model, o);
}

/** Restores weights, optimizer moments and step count from a training checkpoint; returns its state. */
export function restoreTraining(dir: string, model: Model): TrainerState {
  const statePath = join(dir, "trainer_state.json");
  const parsed = TrainerStateSchema.safeParse(readJson(statePath));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new CheckpointError(`${statePath}: field '${i.path.join(".")}': ${i.message}`);
  }
  const state = parsed.data;
  const fp = modelFingerprint(model);
  if (state.model_fingerprint !== fp)
    throw new CheckpointError(`${statePath}: this checkpoint belongs to a different model (fingerprint ${state.model_fingerprint}, this model ${fp}); refusing to resume`);
  const lora = model.loraParamNames();
  if (lora.length) {
    // The base is the stage's start checkpoint (already loaded and checked by the caller); only the factors move.
    const path = join(dir, "lora.safetensors");
    const f = readSafetensors(path);
    for (const n of lora) {
      const t = f.tensors.get(n);
      if (!t) throw new CheckpointError(`${path}: tensor '${n}' is missing`);
      if (JSON.stringify(t.shape) !== JSON.stringify(model.paramShape(n)))
        throw new CheckpointError(`${path}: tensor '${n}' has shape ${JSON.stringify(t.shape)}, this run's LoRA needs ${JSON.stringify(model.paramShape(n))}`);
      model.setParam(n, t.data as Float32Array);
    }
  } else loadWeightsInto(model, dir);
  const optPath = join(dir, "optimizer.safetensors");
  const opt = readSafetensors(optPath);
  for (const n of trainableNames(model)) {
    const m = opt.tensors.get(`exp_avg.${n}`), v = opt.tensors.get(`exp_avg_sq.${n}`);
    if (!m || !v) throw new CheckpointError(`${optPath}: tensor 'exp_avg.${n}' or 'exp_avg_sq.${n}' is missing`);
    model.setOptimizerState(n, m.data as Float32Array, v.data as Float32Array);
  }
  model.stepCount = Number(opt.metadata.step ?? state.step);
  return state;
}

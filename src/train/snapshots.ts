// A training stage with snapshots of the model at given sample counts (the
// study's follow-up-SFT sweep), skipped when finished with every snapshot
// present and resumed when interrupted. `midtrain run` and the experiment
// runner both train their stages through here.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../engine/model.js";
import { loadCheckpoint, readJson, saveCheckpoint } from "../model/checkpoint.js";
import { train, type TrainHooks, type TrainResult } from "./loop.js";
import type { TrainOptions } from "./options.js";

export function snapshotName(samples: number): string {
  return `samples-${String(samples).padStart(6, "0")}`;
}

export function snapshotDir(runDir: string, samples: number): string {
  return join(runDir, snapshotName(samples));
}

/** True when `dir` holds a finished run (its final trainer_state.json says so). */
export function isFinished(dir: string): boolean {
  const f = join(dir, "trainer_state.json");
  return existsSync(f) && (readJson(f) as { finished?: boolean }).finished === true;
}

export type StageOutcome = { skipped: true; snapshots: string[] } | ({ skipped: false; snapshots: string[] } & TrainResult);

/**
 * Trains `o` unless `o.out` is finished with every snapshot present. Sample 0
 * is the stage's starting model; later snapshots are taken at the first
 * optimizer step at or past each count (packed rows do not end on exact
 * conversation counts). A budget that ends short of a count snapshots the
 * final model for it and says so.
 */
export async function trainWithSnapshots(o: TrainOptions, saveAt: number[], hooks: TrainHooks): Promise<StageOutcome> {
  const sizes = [...new Set(saveAt)].sort((a, b) => a - b);
  const snapshots = sizes.map((n) => snapshotDir(o.out, n));
  if (isFinished(o.out) && snapshots.every((d) => existsSync(join(d, "config.json")))) return { skipped: true, snapshots };
  const config = readJson(join(o.model, "config.json")) as Record<string, unknown>;
  const snap = (m: Model, n: number) => {
    const dir = snapshotDir(o.out, n);
    if (!existsSync(join(dir, "config.json"))) saveCheckpoint(dir, m, { config, tokenizerDir: o.model });
  };
  // Snapshots only copy weights to disk: the CPU model does that on any --device, without taking GPU memory.
  if (sizes[0] === 0) snap(loadCheckpoint(o.model).model, 0);
  const pending = sizes.filter((n) => n > 0);
  const r = await train(o, {
    ...hooks,
    afterStep: async (s) => {
      await hooks.afterStep?.(s);
      while (pending.length && s.samples >= pending[0]!) snap(s.model, pending.shift()!);
    },
  });
  if (!r.interrupted && pending.length) {
    const early = pending.filter((n) => n < r.samples);
    if (early.length) throw new Error(`${o.out}: the run finished earlier without snapshots at ${early.join(", ")} samples; delete ${o.out} to train it again with them`);
    const { model } = loadCheckpoint(o.out);
    for (const n of pending) snap(model, n);
    hooks.log(`train: ${o.out} ended at ${r.samples} samples; the snapshots at ${pending.join(", ")} hold the final model`);
  }
  return { skipped: false, snapshots, ...r };
}

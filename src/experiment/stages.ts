// Training stages as the experiment runs them: validated options, skipped
// when already finished, resumed when interrupted, and snapshots of the model
// at given sample counts (the follow-up SFT sweep).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../engine/model.js";
import { loadCheckpoint, readJson, saveCheckpoint } from "../model/checkpoint.js";
import { train, type TrainHooks, type TrainResult } from "../train/loop.js";
import { parseTrainOptions, TrainOptionsSchema, type TrainOptions } from "../train/options.js";
import { snapshotDir } from "./plan.js";

const camel = (k: string) => k.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Train options from snake_case/kebab-case keys, each checked against the train flags. */
export function stageOptions(raw: Record<string, unknown>, where: string): TrainOptions {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = camel(k);
    if (!(key in TrainOptionsSchema.shape)) throw new Error(`${where}: unknown train option '${k}'`);
    o[key] = v;
  }
  return parseTrainOptions(o, where);
}

export function isFinished(dir: string): boolean {
  const f = join(dir, "trainer_state.json");
  return existsSync(f) && (readJson(f) as { finished?: boolean }).finished === true;
}

/**
 * Runs one stage unless its output is finished with every snapshot present.
 * Snapshots are taken at the first optimizer step at or past each count.
 * Returns undefined when the stage was interrupted (hooks.shouldStop).
 */
export async function runStage(o: TrainOptions, saveAt: number[], hooks: TrainHooks): Promise<TrainResult | "skipped" | undefined> {
  const snaps = [...new Set(saveAt.filter((n) => n > 0))].sort((a, b) => a - b);
  if (isFinished(o.out) && snaps.every((n) => existsSync(join(snapshotDir(o.out, n), "config.json")))) return "skipped";
  const config = readJson(join(o.model, "config.json")) as Record<string, unknown>;
  const pending = [...snaps];
  const snap = (m: Model, n: number) => {
    const dir = snapshotDir(o.out, n);
    if (!existsSync(join(dir, "config.json"))) saveCheckpoint(dir, m, { config, tokenizerDir: o.model });
  };
  const r = await train(o, {
    ...hooks,
    afterStep: async (s) => {
      await hooks.afterStep?.(s);
      while (pending.length && s.samples >= pending[0]!) snap(s.model, pending.shift()!);
    },
  });
  if (r.interrupted) return undefined;
  // A budget that ended short of a count (fewer samples than asked): the final model stands in.
  if (pending.length) {
    const early = pending.filter((n) => n < r.samples);
    if (early.length)
      throw new Error(`${o.out}: the run finished earlier without snapshots at ${early.join(", ")} samples; delete ${o.out} to train it again with them`);
    const { model } = loadCheckpoint(o.out);
    for (const n of pending) snap(model, n);
    hooks.log(`experiment: ${o.out} ended at ${r.samples} samples; snapshots ${pending.join(", ")} hold the final model`);
  }
  return r;
}

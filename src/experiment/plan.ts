// The experiment as a plan: which stage-1 models, which follow-up SFT runs
// and which evaluation points, with stable directories. Arms that differ
// only after SFT (a post-hoc merge) share one SFT run; a point at SFT size 0
// is the stage-1 model itself. Pure: no training happens here.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { snapshotDir } from "../train/snapshots.js";
import type { Arm, ExperimentConfig, Stage1Kind } from "./config.js";

export interface Stage1Run {
  kind: Exclude<Stage1Kind, "base">;
  seed: number;
  dir: string;
}

export interface SftRun {
  /** Stable id from (stage-1 kind, options): arms with the same SFT share it. */
  id: string;
  from: Stage1Kind;
  seed: number;
  /** The stage-1 model it starts from. */
  start: string;
  /** Extra train options (snake_case), placeholders still unresolved. */
  options: Record<string, unknown>;
  dir: string;
  /** Sample counts to snapshot (> 0). */
  sizes: number[];
}

export interface Point {
  arm: string;
  seed: number;
  size: number;
  /** The checkpoint evaluated. */
  checkpoint: string;
  /** Set for merge arms: the checkpoint is built from `merge.sft` and `merge.stage1`. */
  merge?: { sft: string; stage1: string; alpha: number };
}

export interface Plan {
  baseDir: string;
  stage1: Stage1Run[];
  sft: SftRun[];
  points: Point[];
}

/** The stage-1 model of (kind, seed). */
export function stage1Dir(out: string, baseDir: string, kind: Stage1Kind, seed: number): string {
  return kind === "base" ? baseDir : join(out, "stage1", kind, `seed-${seed}`);
}

function sftId(from: Stage1Kind, options: Record<string, unknown>): string {
  const keys = Object.keys(options).sort();
  const canonical = JSON.stringify(keys.map((k) => [k, options[k]]));
  if (keys.length === 0) return from;
  return `${from}-${createHash("sha256").update(canonical).digest("hex").slice(0, 8)}`;
}

export function planExperiment(c: ExperimentConfig, arms: Arm[]): Plan {
  const baseDir = "model" in c.base ? c.base.model : join(c.out, "base", "model");
  const sizes = c.sft_sizes;
  const positive = sizes.filter((s) => s > 0);
  const stage1 = new Map<string, Stage1Run>();
  const sft = new Map<string, SftRun>();
  const points: Point[] = [];
  for (const seed of c.seeds) {
    for (const arm of arms) {
      if (arm.from !== "base") {
        const key = `${arm.from}/${seed}`;
        if (!stage1.has(key)) stage1.set(key, { kind: arm.from, seed, dir: stage1Dir(c.out, baseDir, arm.from, seed) });
      }
      const start = stage1Dir(c.out, baseDir, arm.from, seed);
      const armSizes = arm.sweep ? sizes : [0];
      let run: SftRun | undefined;
      if (arm.sweep && positive.length) {
        const id = sftId(arm.from, arm.sft);
        const key = `${id}/${seed}`;
        run = sft.get(key);
        if (!run) {
          run = { id, from: arm.from, seed, start, options: arm.sft, dir: join(c.out, "sft", id, `seed-${seed}`), sizes: positive };
          sft.set(key, run);
        }
      }
      for (const size of armSizes) {
        const trained = size === 0 ? start : snapshotDir(run!.dir, size);
        if (arm.mergeAlpha !== undefined && size > 0) {
          const dir = snapshotDir(join(c.out, "merged", arm.name, `seed-${seed}`), size);
          points.push({ arm: arm.name, seed, size, checkpoint: dir, merge: { sft: trained, stage1: start, alpha: arm.mergeAlpha } });
        } else points.push({ arm: arm.name, seed, size, checkpoint: trained });
      }
    }
  }
  return { baseDir, stage1: [...stage1.values()], sft: [...sft.values()], points };
}

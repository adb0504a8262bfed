// `midtrain bench load`: checkpoint loading time against the time to read the
// same bytes from disk (issue goal: at most 2x).
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { Model } from "../engine/model.js";
import { listWeights, loadCheckpoint, loadWeightsInto, readCheckpointConfig } from "./checkpoint.js";

export interface LoadBenchResult {
  dir: string;
  bytes: number;
  read_ms: number;
  /** config + tokenizer check + weights, as `loadCheckpoint` */
  load_ms: number;
  /** a fresh engine model plus its weights only */
  weights_ms: number;
  /** weights_ms / read_ms: the goal is at most 2 */
  ratio: number;
  read_gb_per_s: number;
  /** whether the page cache was dropped before each timing (needs root), so both read from disk */
  cold: boolean;
}

/** Drops the page cache (Linux, root only); false where that is not allowed. */
function dropCaches(): boolean {
  try {
    execSync("sync");
    writeFileSync("/proc/sys/vm/drop_caches", "1");
    return true;
  } catch {
    return false;
  }
}

function readAllBytes(files: string[]): number {
  const buf = Buffer.allocUnsafe(1 << 24);
  let total = 0;
  for (const f of files) {
    const fd = openSync(f, "r");
    try {
      let n: number;
      while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) total += n;
    } finally {
      closeSync(fd);
    }
  }
  return total;
}

/** Best of `reps` for each: from the page cache after a warm-up pass, or (cold) from disk with the cache dropped before each timing. */
export function benchLoad(dir: string, reps = 3, log?: (s: string) => void, cold = false): LoadBenchResult {
  const files = [...new Set([...listWeights(dir).values()].map((w) => w.file))];
  const bytes = readAllBytes(files);
  const { engine } = readCheckpointConfig(dir);
  let read = Infinity, load = Infinity, weights = Infinity;
  let dropped = cold;
  const drop = () => {
    if (dropped) dropped = dropCaches();
  };
  for (let i = 0; i < reps; i++) {
    drop();
    let t = performance.now();
    readAllBytes(files);
    read = Math.min(read, performance.now() - t);
    drop();
    t = performance.now();
    loadWeightsInto(new Model(engine), dir);
    weights = Math.min(weights, performance.now() - t);
    drop();
    t = performance.now();
    loadCheckpoint(dir);
    load = Math.min(load, performance.now() - t);
    log?.(`  pass ${i + 1}/${reps}: read ${read.toFixed(1)} ms, weights ${weights.toFixed(1)} ms, whole checkpoint ${load.toFixed(1)} ms`);
  }
  return { dir, bytes, read_ms: read, load_ms: load, weights_ms: weights, ratio: weights / read, read_gb_per_s: bytes / (read / 1000) / 1e9, cold: dropped };
}

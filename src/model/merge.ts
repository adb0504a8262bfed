// Weight interpolation of two checkpoints of one architecture (WiSE-FT, model
// soups): out = (1 - alpha) * A + alpha * B, tensor by tensor. alpha weights B:
// 0 gives A, 1 gives B (both copied bit for bit), 0.5 the midpoint; values
// outside [0, 1] extrapolate. Streamed: one tensor of each input is in memory
// at a time, never three copies of a model.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, writeFileAtomic } from "./atomic-file.js";
import { CheckpointError, listWeights, readCheckpointConfig, TOKENIZER_FILES, type WeightRef } from "./checkpoint.js";
import type { EngineConfig } from "./config.js";
import { readTensorData, writeSafetensors, type DType, type TensorInput } from "./safetensors.js";

export interface MergeResult {
  out: string;
  alpha: number;
  tensors: number;
  dtype: string;
}

const MAX_SHARD_BYTES = 4 * 2 ** 30; // as saveCheckpoint: shards of at most 4 GiB
const SIZE: Partial<Record<DType, number>> = { F32: 4, BF16: 2, F16: 2, F64: 8 };

/** Merges checkpoint directories `a` and `b` into `out`; config, tokenizer and dtype come from A. */
export function mergeCheckpoints(a: string, b: string, alpha: number, out: string, log?: (s: string) => void): MergeResult {
  if (!Number.isFinite(alpha)) throw new Error(`merge: --alpha must be a finite number, got ${alpha}`);
  const ca = readCheckpointConfig(a), cb = readCheckpointConfig(b);
  for (const k of Object.keys(ca.engine) as (keyof EngineConfig)[])
    if (JSON.stringify(ca.engine[k]) !== JSON.stringify(cb.engine[k]))
      throw new CheckpointError(`merge: ${join(a, "config.json")} and ${join(b, "config.json")} differ in '${k}' (${JSON.stringify(ca.engine[k])} vs ${JSON.stringify(cb.engine[k])}); only one architecture can be interpolated`);
  const wa = listWeights(a), wb = listWeights(b);
  for (const [name, x] of wa) {
    const y = wb.get(name);
    if (!y) throw new CheckpointError(`merge: tensor '${name}' of ${x.file} is missing from ${b}`);
    if (JSON.stringify(x.entry.shape) !== JSON.stringify(y.entry.shape))
      throw new CheckpointError(`merge: tensor '${name}' has shape ${JSON.stringify(x.entry.shape)} in ${x.file} but ${JSON.stringify(y.entry.shape)} in ${y.file}`);
    if (x.entry.dtype === "I32" || y.entry.dtype === "I32") throw new CheckpointError(`merge: tensor '${name}' is an integer tensor; only float weights can be interpolated`);
  }
  for (const [name, y] of wb) if (!wa.has(name)) throw new CheckpointError(`merge: tensor '${name}' of ${y.file} is not in ${a}`);

  // The output keeps A's dtype where both inputs share it (so alpha = 0 reproduces A exactly); else F32.
  const dtypes = new Set([...wa.values(), ...wb.values()].map((w) => w.entry.dtype));
  const dtype: Extract<DType, "F32" | "BF16" | "F16"> = dtypes.size === 1 && ["F32", "BF16", "F16"].includes([...dtypes][0]!) ? ([...dtypes][0] as "F32") : "F32";
  const which = alpha === 0 ? "a" : alpha === 1 ? "b" : "mix";

  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out))
    if (f === "model.safetensors" || f === "model.safetensors.index.json" || /^model-\d{5}-of-\d{5}\.safetensors$/.test(f))
      throw new CheckpointError(`merge: ${join(out, f)} already exists; write to an empty directory`);
  const fds = new Map<string, number>();
  const fd = (f: string) => fds.get(f) ?? (fds.set(f, openSync(f, "r")), fds.get(f)!);
  const read = (w: WeightRef) => readTensorData(fd(w.file), w.header, w.entry, w.file) as Float32Array;
  const names = [...wa.keys()];
  let done = 0;
  const tensor = (name: string): TensorInput => ({
    dtype,
    shape: wa.get(name)!.entry.shape,
    data: () => {
      const x = which === "b" ? read(wb.get(name)!) : read(wa.get(name)!);
      if (which === "mix") {
        const y = read(wb.get(name)!);
        for (let i = 0; i < x.length; i++) x[i] = (1 - alpha) * x[i]! + alpha * y[i]!; // in double, rounded once
      }
      if (log && ++done % 64 === 0) log(`merge: ${done}/${names.length} tensors`);
      return x;
    },
  });
  try {
    // Shards as saveCheckpoint lays them out.
    const shards: string[][] = [[]];
    let used = 0;
    for (const n of names) {
      const bytes = wa.get(n)!.entry.shape.reduce((p, q) => p * q, 1) * SIZE[dtype]!;
      if (used > 0 && used + bytes > MAX_SHARD_BYTES) shards.push([]), (used = 0);
      shards.at(-1)!.push(n);
      used += bytes;
    }
    const shardName = (i: number) => (shards.length === 1 ? "model.safetensors" : `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`);
    shards.forEach((group, i) => writeSafetensors(join(out, shardName(i)), new Map(group.map((n) => [n, tensor(n)])), { format: "pt", merge: JSON.stringify({ a, b, alpha }) }));
    if (shards.length > 1) {
      const weightMap = Object.fromEntries(shards.flatMap((g, i) => g.map((n) => [n, shardName(i)])));
      writeFileAtomic(join(out, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2) + "\n");
    }
  } finally {
    for (const f of fds.values()) closeSync(f);
  }
  writeFileAtomic(join(out, "config.json"), readFileSync(join(a, "config.json")));
  for (const f of TOKENIZER_FILES) if (existsSync(join(a, f))) writeFileAtomic(join(out, f), readFileSync(join(a, f)));
  fsyncDir(out);
  log?.(`merge: ${out} = ${1 - alpha} * ${a} + ${alpha} * ${b} (${names.length} tensors, ${dtype})`);
  return { out, alpha, tensors: names.length, dtype };
}

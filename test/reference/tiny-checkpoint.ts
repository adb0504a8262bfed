// A random checkpoint of the tiny preset (models/tiny.json, vocab 2048) with
// midtrain's tiny tokenizer, for inference tests. Weights are drawn with a
// wide std (0.5) so logits are spread out and greedy choices are not near ties.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model } from "../../src/engine/model.js";
import { saveCheckpoint } from "../../src/model/checkpoint.js";

const root = join(import.meta.dirname, "..", "..");
export const tinyTokenizerDir = join(root, "models", "tokenizer-tiny");

export function tinyCheckpoint(seed: number, overrides: Record<string, unknown> = {}, std = 0.5): { dir: string; model: Model; config: Record<string, unknown> } {
  const preset = JSON.parse(readFileSync(join(root, "models", "tiny.json"), "utf8")) as Record<string, unknown>;
  const config = { ...preset, bos_token_id: null, eos_token_id: 0, ...overrides };
  const model = new Model(config);
  model.initWeights(seed % 100000, std);
  const dir = mkdtempSync(join(tmpdir(), "midtrain-tiny-"));
  saveCheckpoint(dir, model, { config, tokenizerDir: tinyTokenizerDir });
  return { dir, model, config };
}

/** The engine's next-token logits after `ids` (one row, positions 0..n-1). */
export function nativeNextLogits(model: Model, ids: readonly number[]): Float32Array {
  const V = model.config.vocab_size;
  const all = model.forwardLogits({ inputIds: Int32Array.from(ids) }, 1, ids.length);
  return all.slice((ids.length - 1) * V, ids.length * V);
}

/** log-softmax of one row in float64. */
export function logSoftmax64(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! - max);
  const lse = max + Math.log(s);
  return Float64Array.from(row, (x) => x - lse);
}

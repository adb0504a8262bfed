// Reshaping a KV cache between decoding steps: dropping finished rows from the
// batch, and dropping left-padding columns no remaining row needs, so later
// steps neither compute for finished rows nor attend over dead padding.
// Positions come from the attention mask's cumulative sum, so removing
// leading all-padding columns changes nothing a row sees.
import * as ort from "onnxruntime-node";
import type { PastKV } from "./session.js";

/** The cache of rows `keep` (in that order), without leading columns that are padding in every kept row. */
export function compactCache(past: PastKV, keep: readonly number[]): PastKV {
  const mask = keep.map((b) => past.attentionMask[b]!);
  const T = mask[0]?.length ?? 0;
  let t0 = 0;
  // An in-place cache keeps its columns (positions are absolute in its buffers); it only drops rows.
  if (!past.inPlace) while (t0 < T - 1 && mask.every((r) => r[t0] === 0)) t0++;
  const sameRows = keep.length === past.attentionMask.length && keep.every((b, i) => b === i);
  if (sameRows && t0 === 0) return past;
  const cut = (x: ort.Tensor): ort.Tensor => {
    const [, H, Tt, D] = x.dims as [number, number, number, number];
    const src = x.data as Float32Array;
    const n = Tt - t0;
    const out = new Float32Array(keep.length * H * n * D);
    for (let i = 0; i < keep.length; i++)
      for (let h = 0; h < H; h++) {
        const from = ((keep[i]! * H + h) * Tt + t0) * D;
        out.set(src.subarray(from, from + n * D), (i * H + h) * n * D);
      }
    return new ort.Tensor("float32", out, [keep.length, H, n, D]);
  };
  return { keys: past.keys.map(cut), values: past.values.map(cut), attentionMask: mask.map((r) => r.slice(t0)), ...(past.inPlace ? { inPlace: true } : {}) };
}

// Typed LM head + cross-entropy: logits = x W^T a chunk of tokens at a time
// (the N x V logits never exist whole), loss = sum over counted tokens of
// -log softmax(logits)[label]; labels of -100 are ignored.
import { native } from "./native.js";

export const IGNORE_INDEX = -100;

export interface LmHeadXentArgs {
  /** Hidden states [N, C]. */
  x: Float32Array;
  /** LM head weight [V, C] (row-major, as HF `lm_head.weight`). */
  W: Float32Array;
  /** Target token ids [N]; -100 = ignore, others must be in [0, V). */
  labels: Int32Array;
  N: number;
  C: number;
  V: number;
  /** Multiplies dx and the dW contribution (e.g. 1 / total counted tokens). Default 1. */
  gradScale?: number;
  /** Counted tokens per chunk; 0 or absent = about 32 MB of logits per chunk. */
  chunk?: number;
  /** [N, C], WRITTEN with gradScale * d(lossSum)/dx (0 rows for ignored tokens). Omit both dx and dW for eval. */
  dx?: Float32Array | null;
  /** [V, C], gradScale * d(lossSum)/dW is ADDED to it. */
  dW?: Float32Array | null;
  /** [N], each token's loss (0 for ignored tokens). */
  tokenLoss?: Float32Array | null;
}

export interface XentResult {
  /** Sum of per-token losses (accumulated in double, deterministic order). */
  lossSum: number;
  /** Tokens whose label is not -100. */
  count: number;
}

export function lmheadXent(a: LmHeadXentArgs): XentResult {
  const opts: { N: number; C: number; V: number; gradScale: number; chunk?: number } = {
    N: a.N,
    C: a.C,
    V: a.V,
    gradScale: a.gradScale ?? 1,
  };
  if (a.chunk !== undefined) opts.chunk = a.chunk;
  return native().lmheadXent(a.x, a.W, a.labels, opts, a.dx ?? null, a.dW ?? null, a.tokenLoss ?? null) as XentResult;
}

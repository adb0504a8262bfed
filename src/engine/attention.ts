// Typed fused causal attention (native/cpu/attention.h): FlashAttention-style
// tiles with an online softmax, grouped-query heads, packed documents.
import { native } from "./native.js";

export interface AttentionShape {
  B: number;
  T: number;
  /** Query heads; a multiple of Hkv. Query head h reads kv head floor(h / (Hq / Hkv)). */
  Hq: number;
  Hkv: number;
  /** Head dim, 1..256 (fastest when a multiple of 16). */
  D: number;
  /** Score scale; default 1/sqrt(D). */
  scale?: number;
}

export interface AttentionForwardArgs extends AttentionShape {
  /** [B, T, Hq, D] */
  q: Float32Array;
  /** [B, T, Hkv, D] */
  k: Float32Array;
  /** [B, T, Hkv, D] */
  v: Float32Array;
  /**
   * [B, T] document ids for packed rows; null/absent: one document per row.
   * Query i sees key j iff j <= i and seg[j] == seg[i]; each document must be
   * one contiguous run of positions within its row.
   */
  seg?: Int32Array | null;
  /** [B, T, Hq, D] output. Allocated when absent. */
  out?: Float32Array;
  /** [B, Hq, T] log-sum-exp of the scaled scores, saved for backward. Allocated when absent. */
  lse?: Float32Array;
}

export interface AttentionForwardResult {
  out: Float32Array;
  lse: Float32Array;
}

// Outputs are allocated from the dims before the addon validates them; an
// impossible size allocates nothing so the addon's message (naming the bad
// dim) is the one the caller sees.
function alloc(n: number): Float32Array {
  return Number.isSafeInteger(n) && n >= 0 && n <= 2 ** 31 ? new Float32Array(n) : new Float32Array(0);
}

function scaleOf(a: AttentionShape): number {
  return a.scale ?? 1 / Math.sqrt(a.D);
}

function dims(a: AttentionShape) {
  return { B: a.B, T: a.T, Hq: a.Hq, Hkv: a.Hkv, D: a.D, scale: scaleOf(a) };
}

/** out = softmax(scale * q k^T + causal/document mask) v, per query head. */
export function attentionForward(a: AttentionForwardArgs): AttentionForwardResult {
  const out = a.out ?? alloc(a.B * a.T * a.Hq * a.D);
  const lse = a.lse ?? alloc(a.B * a.Hq * a.T);
  native().attentionForward(a.q, a.k, a.v, a.seg ?? null, out, lse, dims(a));
  return { out, lse };
}

export interface AttentionBackwardArgs extends AttentionShape {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  seg?: Int32Array | null;
  /** out and lse as returned by attentionForward on the same inputs. */
  out: Float32Array;
  lse: Float32Array;
  /** [B, T, Hq, D] gradient of the loss with respect to out. */
  dout: Float32Array;
  /** [B, T, Hq, D], overwritten. Allocated when absent. */
  dq?: Float32Array;
  /** [B, T, Hkv, D], overwritten (summed over the query heads of each group). Allocated when absent. */
  dk?: Float32Array;
  /** [B, T, Hkv, D], overwritten. Allocated when absent. */
  dv?: Float32Array;
}

export interface AttentionBackwardResult {
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

/** Gradients of the loss with respect to q, k and v (written, not accumulated). */
export function attentionBackward(a: AttentionBackwardArgs): AttentionBackwardResult {
  const dq = a.dq ?? alloc(a.B * a.T * a.Hq * a.D);
  const dk = a.dk ?? alloc(a.B * a.T * a.Hkv * a.D);
  const dv = a.dv ?? alloc(a.B * a.T * a.Hkv * a.D);
  native().attentionBackward(a.q, a.k, a.v, a.seg ?? null, a.out, a.dout, a.lse, dq, dk, dv, dims(a));
  return { dq, dk, dv };
}

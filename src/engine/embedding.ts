// Typed token embedding gather and its scatter-add gradient (native/cpu/embedding.h).
import { native } from "./native.js";

export interface EmbeddingForwardArgs {
  /** [N] token ids, each in [0, V). */
  ids: Int32Array;
  /** [V, C] */
  table: Float32Array;
  /** [N, C]; allocated when absent. */
  out?: Float32Array;
  /** Defaults to ids.length. */
  N?: number;
  V: number;
  C: number;
}

export function embeddingForward(a: EmbeddingForwardArgs): Float32Array {
  const N = a.N ?? a.ids.length;
  const out = a.out ?? new Float32Array(N * a.C);
  native().embeddingForward(a.ids, a.table, out, { N, V: a.V, C: a.C });
  return out;
}

export interface EmbeddingBackwardArgs {
  ids: Int32Array;
  /** [N, C] */
  dout: Float32Array;
  /** [V, C]; the gradient is ADDED here. Zeros when absent. */
  dtable?: Float32Array;
  N?: number;
  V: number;
  C: number;
}

/** dtable[ids[n]] += dout[n]; deterministic (token order) for any thread count. */
export function embeddingBackward(a: EmbeddingBackwardArgs): Float32Array {
  const N = a.N ?? a.ids.length;
  const dtable = a.dtable ?? new Float32Array(a.V * a.C);
  native().embeddingBackward(a.ids, a.dout, dtable, { N, V: a.V, C: a.C });
  return dtable;
}

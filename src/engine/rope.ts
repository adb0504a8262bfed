// Typed rotary position embeddings, Hugging Face "rotate half" convention (native/cpu/rope.h).
import { native } from "./native.js";

export type RopeScaling =
  | { type: "default" }
  | { type: "linear"; factor: number }
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      /** HF `original_max_position_embeddings`. */
      originalMaxPosition: number;
    };

export interface RopeInvFreqArgs {
  /** Head dim (even). */
  D: number;
  /** HF `rope_theta`. */
  theta: number;
  scaling?: RopeScaling | null;
}

/** inv_freq[D/2] exactly as transformers' rope init functions compute it (in double, stored as float). */
export function ropeInvFreq(a: RopeInvFreqArgs): Float32Array {
  return native().ropeInvFreq({ D: a.D, theta: a.theta, scaling: a.scaling ?? undefined }) as Float32Array;
}

export interface RopeApplyArgs {
  /** [N, H, D], rotated in place. */
  x: Float32Array;
  /** [N] position of each token in its document. */
  pos: Int32Array;
  /** [D/2] from ropeInvFreq. */
  invFreq: Float32Array;
  N: number;
  H: number;
  D: number;
  /** Rotate by -angle: the backward pass (and the exact inverse). */
  inverse?: boolean;
}

/** Rotates x in place and returns it. */
export function ropeApply(a: RopeApplyArgs): Float32Array {
  native().ropeApply(a.x, a.pos, a.invFreq, { N: a.N, H: a.H, D: a.D, inverse: a.inverse ?? false });
  return a.x;
}

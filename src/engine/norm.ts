// Typed RMSNorm fused with the residual add (native/cpu/norm.h).
import { native } from "./native.js";

export interface RmsNormForwardArgs {
  /** [N, C] residual stream input. */
  x: Float32Array;
  /** [N, C] added to x before the norm; null/absent: h = x. */
  delta?: Float32Array | null;
  /** [N, C] output x + delta; may be x itself (in place). Allocated when absent. */
  h?: Float32Array;
  /** [N, C] normalised output. Allocated when absent. */
  y?: Float32Array;
  /** [N] saved 1/sqrt(mean(h^2) + eps) for backward. Allocated when absent. */
  rstd?: Float32Array;
  /** [C] weight. */
  w: Float32Array;
  N: number;
  C: number;
  eps: number;
}

export interface RmsNormForwardResult {
  h: Float32Array;
  y: Float32Array;
  rstd: Float32Array;
}

/** h = x + delta; y = h * rstd * w with rstd = 1/sqrt(mean(h^2) + eps) per row. */
export function rmsnormForward(a: RmsNormForwardArgs): RmsNormForwardResult {
  const nc = a.N * a.C;
  const h = a.h ?? new Float32Array(nc);
  const y = a.y ?? new Float32Array(nc);
  const rstd = a.rstd ?? new Float32Array(a.N);
  native().rmsnormForward(a.x, a.delta ?? null, h, y, rstd, a.w, { N: a.N, C: a.C, eps: a.eps });
  return { h, y, rstd };
}

export interface RmsNormBackwardArgs {
  dy: Float32Array;
  /** h and rstd as saved by the forward. */
  h: Float32Array;
  rstd: Float32Array;
  w: Float32Array;
  /** [N, C] the gradient is ADDED here (the residual stream's gradient). Zeros when absent. */
  dh?: Float32Array;
  /** [C] the weight gradient is ADDED here. Zeros when absent. */
  dw?: Float32Array;
  N: number;
  C: number;
}

/** dh += d(loss)/dh, dw += d(loss)/dw; returns the (possibly new) arrays. */
export function rmsnormBackward(a: RmsNormBackwardArgs): { dh: Float32Array; dw: Float32Array } {
  const dh = a.dh ?? new Float32Array(a.N * a.C);
  const dw = a.dw ?? new Float32Array(a.C);
  native().rmsnormBackward(a.dy, a.h, a.rstd, a.w, dh, dw, { N: a.N, C: a.C });
  return { dh, dw };
}

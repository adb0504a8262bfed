// Typed AdamW (PyTorch torch.optim.AdamW semantics), global-norm helpers.
import { native } from "./native.js";

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled decay; pass 0 for tensors with fewer than 2 dims. */
  weightDecay: number;
  /** 1-based step number (after increment), for bias correction. */
  step: number;
  /** Multiplies g (carries the global-norm clipping factor). Default 1. */
  gradScale?: number;
  /** Weight of the anchor term lambda * w * (p - p0) added to the gradient. Default 0. */
  anchorLambda?: number;
}

export interface AdamWArgs {
  /** Parameters, updated in place. */
  p: Float32Array;
  /** Gradient (read only). */
  g: Float32Array;
  /** First and second moments, updated in place (start at 0). */
  m: Float32Array;
  v: Float32Array;
  hyper: AdamWHyper;
  /** Anchor p0 (e.g. the pre-trained weights for L2-SP / EWC); no anchor term when absent. */
  anchor?: Float32Array | null;
  /** Per-element anchor weights (e.g. Fisher diagonal for EWC); 1 when absent. Needs anchor. */
  anchorW?: Float32Array | null;
}

/** One AdamW step on one tensor: p, m, v are updated in place. */
export function adamwUpdate(a: AdamWArgs): void {
  native().adamwUpdate(a.p, a.g, a.m, a.v, a.hyper, a.anchor ?? null, a.anchorW ?? null);
}

/** Sum of squares accumulated in double, deterministic for any thread count. */
export function sumSquares(x: Float32Array): number {
  return native().sumSquares(x) as number;
}

/** True when no element is NaN or +-Inf. */
export function allFinite(x: Float32Array): boolean {
  return native().allFinite(x) as boolean;
}

// float64 reference of torch.optim.AdamW (foreach=False) for one tensor, with
// the optional anchor term g' = g * gradScale + lambda * w * (p - p0).
import type { AdamWHyper } from "../../src/engine/adamw.js";

// The reference takes exactly the kernel's hyperparameters.
export type AdamWRefHyper = AdamWHyper;

/** Updates p, m, v (float64 state) in place. */
export function refAdamW(p: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, h: AdamWRefHyper, anchor?: ArrayLike<number>, anchorW?: ArrayLike<number>): void {
  const gs = h.gradScale ?? 1, lam = h.anchorLambda ?? 0;
  const bc1 = 1 - h.beta1 ** h.step, bc2 = 1 - h.beta2 ** h.step;
  const stepSize = h.lr / bc1, bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < p.length; i++) {
    let gi = g[i]! * gs;
    if (anchor) gi += lam * (anchorW ? anchorW[i]! : 1) * (p[i]! - anchor[i]!);
    p[i] = p[i]! * (1 - h.lr * h.weightDecay);
    m[i] = h.beta1 * m[i]! + (1 - h.beta1) * gi;
    v[i] = h.beta2 * v[i]! + (1 - h.beta2) * gi * gi;
    const denom = Math.sqrt(v[i]!) / bc2Sqrt + h.eps;
    p[i] = p[i]! - stepSize * (m[i]! / denom);
  }
}

export function refSumSquares(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

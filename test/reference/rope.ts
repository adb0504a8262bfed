// float64 references for rotary position embeddings (HF rotate-half).

export type RefScaling =
  | { type: "default" }
  | { type: "linear"; factor: number }
  | { type: "llama3"; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPosition: number };

/** transformers' default rope init, then linear or _compute_llama3_parameters, all in float64. */
export function ropeInvFreqRef(D: number, theta: number, sc?: RefScaling): Float64Array {
  const out = new Float64Array(D / 2);
  for (let i = 0; i < D / 2; i++) {
    let f = 1 / theta ** ((2 * i) / D);
    if (sc?.type === "linear") f /= sc.factor;
    if (sc?.type === "llama3") {
      const lowWl = sc.originalMaxPosition / sc.lowFreqFactor, highWl = sc.originalMaxPosition / sc.highFreqFactor;
      const wl = (2 * Math.PI) / f;
      if (wl > lowWl) f = f / sc.factor;
      else if (wl >= highWl) {
        const s = (sc.originalMaxPosition / wl - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
        f = ((1 - s) * f) / sc.factor + s * f;
      }
    }
    out[i] = f;
  }
  return out;
}

/**
 * Rotates x [N, H, D] (returns a new float64 array). The angle is float32(float32(pos) * invFreq[i]),
 * as transformers computes it in float32; everything after that is float64.
 */
export function ropeApplyRef(x: ArrayLike<number>, pos: ArrayLike<number>, invFreq: ArrayLike<number>, N: number, H: number, D: number, inverse = false): Float64Array {
  const out = new Float64Array(N * H * D), half = D / 2;
  for (let n = 0; n < N; n++)
    for (let i = 0; i < half; i++) {
      const a = Math.fround(Math.fround(pos[n]!) * invFreq[i]!);
      const c = Math.cos(a), s = inverse ? -Math.sin(a) : Math.sin(a);
      for (let h = 0; h < H; h++) {
        const b = (n * H + h) * D;
        const x0 = x[b + i]!, x1 = x[b + i + half]!;
        out[b + i] = x0 * c - x1 * s;
        out[b + i + half] = x1 * c + x0 * s;
      }
    }
  return out;
}

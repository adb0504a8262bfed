// float64 reference for RMSNorm fused with the residual add.

/** h = x + delta (float32 add, as the kernel's residual stream is float32); y = h * rstd * w in float64. */
export function rmsnormForwardRef(x: Float32Array, delta: Float32Array | null, w: Float32Array, N: number, C: number, eps: number) {
  const h = new Float64Array(N * C), y = new Float64Array(N * C), rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let ss = 0;
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      // The residual stream is stored as float32, so h is rounded to float32 here too.
      h[i] = delta ? Math.fround(x[i]! + delta[i]!) : x[i]!;
      ss += h[i]! * h[i]!;
    }
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[n] = r;
    for (let c = 0; c < C; c++) y[n * C + c] = h[n * C + c]! * r * w[c]!;
  }
  return { h, y, rstd };
}

/** Gradients (not accumulated): dh = r (dy w - h r^2 mean(dy w h)), dw = sum_n dy h r. */
export function rmsnormBackwardRef(dy: ArrayLike<number>, h: ArrayLike<number>, rstd: ArrayLike<number>, w: ArrayLike<number>, N: number, C: number) {
  const dh = new Float64Array(N * C), dw = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const r = rstd[n]!;
    let s = 0;
    for (let c = 0; c < C; c++) s += dy[n * C + c]! * w[c]! * h[n * C + c]!;
    const m = s / C;
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      dh[i] = r * (dy[i]! * w[c]! - h[i]! * r * r * m);
      dw[c]! += dy[i]! * h[i]! * r;
    }
  }
  return { dh, dw };
}

/** y for float64 h (no rounding), for finite-difference checks of the reference backward. */
export function rmsnormY64(h: ArrayLike<number>, w: ArrayLike<number>, N: number, C: number, eps: number): Float64Array {
  const y = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += h[n * C + c]! ** 2;
    const r = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) y[n * C + c] = h[n * C + c]! * r * w[c]!;
  }
  return y;
}

// float64 reference for the fused LM head + cross-entropy: full N x V logits.
export interface XentRef {
  lossSum: number;
  count: number;
  tokenLoss: Float64Array;
  /** gradScale * d(lossSum)/dx, zero rows for ignored tokens. */
  dx: Float64Array;
  /** dW0 + gradScale * d(lossSum)/dW. */
  dW: Float64Array;
}

export function refLmheadXent(x: Float32Array, W: Float32Array, labels: Int32Array, N: number, C: number, V: number, gradScale: number, dW0?: Float32Array): XentRef {
  const dx = new Float64Array(N * C);
  const dW = dW0 ? Float64Array.from(dW0) : new Float64Array(V * C);
  const tokenLoss = new Float64Array(N);
  const logits = new Float64Array(V);
  let lossSum = 0, count = 0;
  for (let i = 0; i < N; i++) {
    const label = labels[i]!;
    if (label === -100) continue;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += x[i * C + c]! * W[j * C + c]!;
      logits[j] = s;
      mx = Math.max(mx, s);
    }
    let z = 0;
    for (let j = 0; j < V; j++) z += Math.exp(logits[j]! - mx);
    const lse = mx + Math.log(z);
    tokenLoss[i] = lse - logits[label]!;
    lossSum += tokenLoss[i]!;
    count++;
    for (let j = 0; j < V; j++) {
      const d = (Math.exp(logits[j]! - lse) - (j === label ? 1 : 0)) * gradScale;
      for (let c = 0; c < C; c++) {
        dx[i * C + c] += d * W[j * C + c]!;
        dW[j * C + c] += d * x[i * C + c]!;
      }
    }
  }
  return { lossSum, count, tokenLoss, dx, dW };
}

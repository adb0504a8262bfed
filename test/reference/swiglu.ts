// float64 reference for the SwiGLU gate.

function sigmoid(g: number): number {
  // exp of a non-positive number only, so large |g| cannot overflow.
  if (g >= 0) return 1 / (1 + Math.exp(-g));
  const e = Math.exp(g);
  return e / (1 + e);
}

export function swigluForwardRef(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  const out = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = gate[i]! * sigmoid(gate[i]!) * up[i]!;
  return out;
}

export function swigluBackwardRef(dout: ArrayLike<number>, gate: ArrayLike<number>, up: ArrayLike<number>) {
  const n = gate.length, dgate = new Float64Array(n), dup = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = gate[i]!, s = sigmoid(g), sc = sigmoid(-g);
    dgate[i] = dout[i]! * up[i]! * s * (1 + g * sc);
    dup[i] = dout[i]! * g * s;
  }
  return { dgate, dup };
}

// Typed SwiGLU gate: out = silu(gate) * up, elementwise (native/cpu/swiglu.h).
import { native } from "./native.js";

export interface SwigluForwardArgs {
  gate: Float32Array;
  up: Float32Array;
  /** Same length as gate; allocated when absent. */
  out?: Float32Array;
}

export function swigluForward(a: SwigluForwardArgs): Float32Array {
  const out = a.out ?? new Float32Array(a.gate.length);
  native().swigluForward(a.gate, a.up, out);
  return out;
}

export interface SwigluBackwardArgs {
  dout: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  /** Written (not accumulated); allocated when absent. */
  dgate?: Float32Array;
  /** Written (not accumulated); allocated when absent. */
  dup?: Float32Array;
}

export function swigluBackward(a: SwigluBackwardArgs): { dgate: Float32Array; dup: Float32Array } {
  const dgate = a.dgate ?? new Float32Array(a.gate.length);
  const dup = a.dup ?? new Float32Array(a.gate.length);
  native().swigluBackward(a.dout, a.gate, a.up, dgate, dup);
  return { dgate, dup };
}

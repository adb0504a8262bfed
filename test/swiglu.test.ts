import { describe, expect, it } from "vitest";
import { swigluBackward, swigluForward } from "../src/engine/swiglu.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";
import { swigluBackwardRef, swigluForwardRef } from "./reference/swiglu.js";

const seed = freshSeed();

/** Largest per-element relative error over elements whose reference is not tiny. */
function maxRel(a: ArrayLike<number>, ref: ArrayLike<number>, tiny = 1e-30): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) if (Math.abs(ref[i]!) > tiny) m = Math.max(m, Math.abs(a[i]! - ref[i]!) / Math.abs(ref[i]!));
  return m;
}

describe(`swiglu (seed ${seed})`, () => {
  // n below and above the parallel threshold (32768), and not a multiple of the vector width.
  for (const n of [1, 13, 1000, 100003])
    it(`forward+backward n=${n}`, () => {
      const r = new Rng(seed + n);
      const gate = r.f32(n, 3), up = r.f32(n), dout = r.f32(n);
      const out = swigluForward({ gate, up });
      // exp to ~1 ulp (our own vectorised exp), then ~4 float32 roundings.
      expect(relErr(out, swigluForwardRef(gate, up))).toBeLessThan(1e-6);
      expect(maxRel(out, swigluForwardRef(gate, up))).toBeLessThan(2e-6);
      const { dgate, dup } = swigluBackward({ dout, gate, up });
      const ref = swigluBackwardRef(dout, gate, up);
      // dgate has 1 + g (1 - sig), which cancels near g = -1.28: measured against
      // the array's scale it stays at a few ulp.
      expect(relErr(dgate, ref.dgate)).toBeLessThan(2e-6);
      expect(relErr(dup, ref.dup)).toBeLessThan(1e-6);
      expect(maxRel(dup, ref.dup)).toBeLessThan(2e-6);
    });

  it("is finite and accurate for large |gate| (up to 80, and beyond)", () => {
    const r = new Rng(seed + 1);
    const n = 4000, gate = new Float32Array(n), up = r.f32(n), dout = r.f32(n);
    for (let i = 0; i < n; i++) gate[i] = (r.next() * 2 - 1) * 80;
    gate.set([80, -80, 88, -88, 89, -89, 103, -103, 104, -104, 110, -110, 1e4, -1e4, 1e30, -1e30, 0, -0]);
    const out = swigluForward({ gate, up });
    const { dgate, dup } = swigluBackward({ dout, gate, up });
    for (const a of [out, dgate, dup]) expect(a.every(Number.isFinite)).toBe(true);
    const ref = swigluForwardRef(gate, up), bref = swigluBackwardRef(dout, gate, up);
    expect(relErr(out, ref)).toBeLessThan(1e-6);
    expect(relErr(dgate, bref.dgate)).toBeLessThan(2e-6);
    expect(relErr(dup, bref.dup)).toBeLessThan(1e-6);
    // Elementwise too, down into the tails (silu(-80) ~ -1.4e-33): the exponential
    // does not clamp early. Restricted to normal float32 results (> 1.2e-38).
    expect(maxRel(out, ref, 1.2e-38)).toBeLessThan(1e-5);
    expect(maxRel(dup, bref.dup, 1.2e-38)).toBeLessThan(1e-5);
    // silu(g) -> g for large g, -> 0 for very negative g.
    expect(swigluForward({ gate: Float32Array.of(100, -200), up: Float32Array.of(1, 1) })).toEqual(Float32Array.of(100, -0));
  });

  it("the reference backward matches central differences", () => {
    const r = new Rng(seed + 2);
    const n = 50, gate = Float64Array.from(r.f32(n, 4)), up = r.f32(n), dout = r.f32(n);
    const { dgate, dup } = swigluBackwardRef(dout, gate, up);
    const step = 1e-6;
    for (let i = 0; i < n; i++) {
      const f = (g: number, u: number) => swigluForwardRef([g], [u])[0]! * dout[i]!;
      const ng = (f(gate[i]! + step, up[i]!) - f(gate[i]! - step, up[i]!)) / (2 * step);
      const nu = (f(gate[i]!, up[i]! + step) - f(gate[i]!, up[i]! - step)) / (2 * step);
      expect(Math.abs(ng - dgate[i]!)).toBeLessThan(1e-7 * (1 + Math.abs(ng)));
      expect(Math.abs(nu - dup[i]!)).toBeLessThan(1e-7 * (1 + Math.abs(nu)));
    }
  });

  it("rejects bad input with messages naming the argument", () => {
    const f = (n: number) => new Float32Array(n).fill(1);
    expect(() => swigluForward({ gate: f(4), up: f(3) })).toThrow(/'up' must have 4 elements, got 3/);
    expect(() => swigluForward({ gate: f(4), up: f(4), out: f(5) })).toThrow(/'out' must have 4 elements/);
    expect(() => swigluForward({ gate: [1, 2] as unknown as Float32Array, up: f(2) })).toThrow(/'gate' must be a Float32Array/);
    expect(() => swigluBackward({ dout: f(3), gate: f(4), up: f(4) })).toThrow(/'dout' must have 4 elements/);
    expect(() => swigluBackward({ dout: f(4), gate: f(4), up: f(4), dgate: f(2) })).toThrow(/'dgate' must have 4 elements/);
    const same = f(4);
    expect(() => swigluBackward({ dout: f(4), gate: f(4), up: f(4), dgate: same, dup: same })).toThrow(/'dgate' and 'dup' must be different/);
  });
});

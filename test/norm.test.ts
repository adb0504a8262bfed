import { describe, expect, it } from "vitest";
import { rmsnormBackward, rmsnormForward } from "../src/engine/norm.js";
import { rmsnormBackwardRef, rmsnormForwardRef, rmsnormY64 } from "./reference/norm.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const seed = freshSeed();
// [N, C]: edge cases, a small odd shape, a model-like row, and a Qwen3 q/k-norm shape
// (N = tokens * heads, C = head_dim) big enough to take the parallel path.
const shapes: [number, number][] = [[1, 1], [3, 7], [37, 64], [300, 512], [1024, 128]];

describe(`rmsnorm (seed ${seed})`, () => {
  for (const [N, C] of shapes)
    for (const withDelta of [false, true])
      it(`forward+backward N=${N} C=${C} delta=${withDelta}`, () => {
        const r = new Rng(seed + N * 31 + C + (withDelta ? 7 : 0));
        const eps = 1e-5;
        const x = r.f32(N * C, 2), delta = withDelta ? r.f32(N * C, 0.5) : null, w = r.f32(C);
        const ref = rmsnormForwardRef(x, delta, w, N, C, eps);
        const { h, y, rstd } = rmsnormForward({ x, delta, w, N, C, eps });
        // h is one float32 add (exactly the reference's rounding); y and rstd a few
        // float32 roundings after a double-accumulated mean: ~1e-7 relative.
        expect(relErr(h, ref.h)).toBe(0);
        expect(relErr(rstd, ref.rstd)).toBeLessThan(1e-6);
        expect(relErr(y, ref.y)).toBeLessThan(1e-6);

        // Backward ADDS into dh and dw: pre-fill them with random values.
        const dy = r.f32(N * C), dh0 = r.f32(N * C), dw0 = r.f32(C);
        const g = rmsnormBackwardRef(dy, ref.h, ref.rstd, w, N, C);
        const dh = dh0.slice(), dw = dw0.slice();
        rmsnormBackward({ dy, h, rstd, w, dh, dw, N, C });
        const expDh = g.dh.map((v, i) => v + dh0[i]!), expDw = g.dw.map((v, i) => v + dw0[i]!);
        // dh: a double dot product then ~4 float32 ops per element, with some
        // cancellation between dy*w and h*k: a few ulp of the row's scale. The two
        // terms can cancel (completely for C = 1), so dh's error is measured against
        // the scale of the terms, max |rstd * dy * w|, or of the result if larger
        // (a small pre-fill must not make the cancellation error look relative to it).
        let termScale = 0;
        for (let i = 0; i < N * C; i++) termScale = Math.max(termScale, Math.abs(ref.rstd[Math.floor(i / C)]! * dy[i]! * w[i % C]!));
        const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
          let m = 0;
          for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
          return m;
        };
        const maxAbs = (a: ArrayLike<number>) => maxAbsDiff(a, new Float64Array(a.length));
        expect(maxAbsDiff(dh, expDh) / Math.max(maxAbs(expDh), termScale)).toBeLessThan(3e-6);
        // dw: sums over N rows in double, one final float32 add: ~1e-7.
        expect(relErr(dw, expDw)).toBeLessThan(1e-6);
        // The gradient alone (no pre-fill) must be right at the terms' scale.
        const fresh = rmsnormBackward({ dy, h, rstd, w, N, C });
        expect(maxAbsDiff(fresh.dh, g.dh) / termScale).toBeLessThan(3e-6);
        expect(relErr(fresh.dw, g.dw)).toBeLessThan(1e-6);

        // Same thread count: bit-identical on a second run (static schedules, fixed-order dw reduction).
        const dh2 = dh0.slice(), dw2 = dw0.slice();
        rmsnormBackward({ dy, h, rstd, w, dh: dh2, dw: dw2, N, C });
        expect(Buffer.from(dh2.buffer).equals(Buffer.from(dh.buffer))).toBe(true);
        expect(Buffer.from(dw2.buffer).equals(Buffer.from(dw.buffer))).toBe(true);
      });

  it("allocates zeroed gradients when dh/dw are not given", () => {
    const r = new Rng(seed + 1);
    const N = 5, C = 16, x = r.f32(N * C), w = r.f32(C), dy = r.f32(N * C);
    const { h, rstd } = rmsnormForward({ x, w, N, C, eps: 1e-6 });
    const ref = rmsnormForwardRef(x, null, w, N, C, 1e-6);
    const g = rmsnormBackwardRef(dy, ref.h, ref.rstd, w, N, C);
    const { dh, dw } = rmsnormBackward({ dy, h, rstd, w, N, C });
    expect(relErr(dh, g.dh)).toBeLessThan(3e-6);
    expect(relErr(dw, g.dw)).toBeLessThan(1e-6);
  });

  it("h may alias x (in-place residual add)", () => {
    const r = new Rng(seed + 2);
    const N = 9, C = 33, x = r.f32(N * C), delta = r.f32(N * C), w = r.f32(C);
    const ref = rmsnormForwardRef(x, delta, w, N, C, 1e-6);
    const { h, y } = rmsnormForward({ x, delta, h: x, w, N, C, eps: 1e-6 });
    expect(h).toBe(x);
    expect(relErr(x, ref.h)).toBe(0);
    expect(relErr(y, ref.y)).toBeLessThan(1e-6);
  });

  it("the reference backward matches central differences of the forward", () => {
    // Validates the formula the kernel is tested against: loss = sum(dy * y).
    const r = new Rng(seed + 3);
    const N = 2, C = 6, eps = 1e-3, h = Float64Array.from(r.f32(N * C)), w = r.f32(C), dy = r.f32(N * C);
    const rstd = new Float64Array(N).map((_, n) => 1 / Math.sqrt(h.slice(n * C, n * C + C).reduce((s, v) => s + v * v, 0) / C + eps));
    const g = rmsnormBackwardRef(dy, h, rstd, w, N, C);
    const loss = (hh: Float64Array, ww: ArrayLike<number>) => rmsnormY64(hh, ww, N, C, eps).reduce((s, v, i) => s + v * dy[i]!, 0);
    const step = 1e-6, num = new Float64Array(N * C), numW = new Float64Array(C);
    for (let i = 0; i < N * C; i++) {
      const p = h.slice(), m = h.slice();
      p[i]! += step; m[i]! -= step;
      num[i] = (loss(p, w) - loss(m, w)) / (2 * step);
    }
    for (let c = 0; c < C; c++) {
      const p = Float64Array.from(w), m = Float64Array.from(w);
      p[c]! += step; m[c]! -= step;
      numW[c] = (loss(h, p) - loss(h, m)) / (2 * step);
    }
    // central differences in float64 with step 1e-6: ~1e-9 truncation + rounding
    expect(relErr(g.dh, num)).toBeLessThan(1e-6);
    expect(relErr(g.dw, numW)).toBeLessThan(1e-6);
  });

  it("rejects bad input with messages naming the argument", () => {
    const f = (n: number) => new Float32Array(n).fill(1);
    const ok = { x: f(8), w: f(4), N: 2, C: 4, eps: 1e-5 };
    expect(() => rmsnormForward({ ...ok, x: f(7) })).toThrow(/'x' must have 8 elements, got 7/);
    expect(() => rmsnormForward({ ...ok, delta: f(9) })).toThrow(/'delta' must have 8 elements/);
    expect(() => rmsnormForward({ ...ok, w: f(3) })).toThrow(/'w' must have 4 elements/);
    expect(() => rmsnormForward({ ...ok, rstd: f(3) })).toThrow(/'rstd' must have 2 elements/);
    expect(() => rmsnormForward({ ...ok, eps: 0 })).toThrow(/'eps' must be > 0/);
    expect(() => rmsnormForward({ ...ok, eps: -1 })).toThrow(/'eps' must be > 0/);
    expect(() => rmsnormForward({ ...ok, C: 0, w: f(0), x: f(0) })).toThrow(/'C'/);
    expect(() => rmsnormForward({ ...ok, N: 1.5 })).toThrow(/'N' must be an integer/);
    expect(() => rmsnormForward({ ...ok, x: new Float64Array(8) as unknown as Float32Array })).toThrow(/'x' must be a Float32Array/);
    const bw = { dy: f(8), h: f(8), rstd: f(2), w: f(4), N: 2, C: 4 };
    expect(() => rmsnormBackward({ ...bw, dh: f(5) })).toThrow(/'dh' must have 8 elements/);
    expect(() => rmsnormBackward({ ...bw, dw: f(5) })).toThrow(/'dw' must have 4 elements/);
    expect(() => rmsnormBackward({ ...bw, rstd: f(1) })).toThrow(/'rstd' must have 2 elements/);
  });
});

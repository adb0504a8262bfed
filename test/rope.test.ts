import { describe, expect, it } from "vitest";
import { ropeApply, ropeInvFreq } from "../src/engine/rope.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";
import { ropeApplyRef, ropeInvFreqRef, type RefScaling } from "./reference/rope.js";

const seed = freshSeed();
const llama3: RefScaling = { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPosition: 8192 };

/** Largest per-element relative error. */
function maxRel(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(a[i]! - ref[i]!) / Math.abs(ref[i]!));
  return m;
}

function positions(r: Rng, N: number, max: number): Int32Array {
  return Int32Array.from({ length: N }, () => r.int(max));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe(`rope (seed ${seed})`, () => {
  // inv_freq is computed in double and rounded once to float32: within half an
  // ulp of the float64 value, i.e. per-element relative error <= 2^-24 (6e-8).
  it("default inv_freq = theta^(-2i/D)", () => {
    for (const [D, theta] of [[64, 10000], [128, 500000], [2, 1e6], [80, 1e6]] as const) {
      const f = ropeInvFreq({ D, theta });
      expect(f.length).toBe(D / 2);
      expect(maxRel(f, ropeInvFreqRef(D, theta))).toBeLessThan(1e-7);
      expect(f[0]).toBe(1);
    }
    // Hand values, D = 64, theta = 10000: i = 16 is theta^-0.5, i = 8 is theta^-0.25.
    const f = ropeInvFreq({ D: 64, theta: 10000, scaling: { type: "default" } });
    expect(f[16]).toBe(Math.fround(0.01));
    expect(f[8]).toBe(Math.fround(0.1));
  });

  it("linear scaling divides by the factor", () => {
    const f = ropeInvFreq({ D: 64, theta: 10000, scaling: { type: "linear", factor: 4 } });
    expect(maxRel(f, ropeInvFreqRef(64, 10000, { type: "linear", factor: 4 }))).toBeLessThan(1e-7);
    expect(f[0]).toBe(0.25);
    expect(f[16]).toBe(Math.fround(0.0025));
  });

  it("llama3 scaling (factor 8, low 1, high 4, original 8192, theta 500000, D 64) matches hand values", () => {
    const f = ropeInvFreq({ D: 64, theta: 500000, scaling: llama3 });
    expect(maxRel(f, ropeInvFreqRef(64, 500000, llama3))).toBeLessThan(1e-7);
    // By hand: base_i = 500000^(-i/32); wavelen_i = 2 pi / base_i. High-frequency band
    // (wavelen < 8192/4 = 2048) for i <= 14: unchanged. Low band (wavelen > 8192) for
    // i >= 18: base / 8. Between (i = 15, 16, 17): smooth = (8192/wavelen - 1)/3,
    // (1 - smooth) base / 8 + smooth base.
    const base = (i: number) => 500000 ** (-i / 32);
    const hand = (i: number) => {
      const b = base(i), wl = (2 * Math.PI) / b;
      if (wl < 2048) return b;
      if (wl > 8192) return b / 8;
      const s = (8192 / wl - 1) / 3;
      return ((1 - s) * b) / 8 + s * b;
    };
    for (let i = 0; i < 32; i++) expect(Math.abs(f[i]! - hand(i)) / hand(i)).toBeLessThan(1e-7);
    // Band edges, checked independently of the helper above.
    expect((2 * Math.PI) / base(14)).toBeLessThan(2048);
    expect((2 * Math.PI) / base(15)).toBeGreaterThan(2048);
    expect((2 * Math.PI) / base(17)).toBeLessThan(8192);
    expect((2 * Math.PI) / base(18)).toBeGreaterThan(8192);
    expect(f[0]).toBe(1);
    expect(f[14]).toBe(Math.fround(base(14)));
    // i = 16: base = 1/sqrt(500000), wavelen = 2 pi sqrt(500000) = 4442.88..., smooth = 0.28128...
    const b16 = 1 / Math.sqrt(500000), s16 = (8192 / (2 * Math.PI * Math.sqrt(500000)) - 1) / 3;
    expect(Math.abs(f[16]! - ((1 - s16) * b16 / 8 + s16 * b16)) / f[16]!).toBeLessThan(1e-7);
    // Literal values (float64 evaluation of transformers' formula, for a second witness).
    expect(Math.abs(f[15]! - 0.0013718935677611381) / f[15]!).toBeLessThan(1e-7);
    expect(Math.abs(f[16]! - 0.0005248461609929547) / f[16]!).toBeLessThan(1e-7);
    expect(Math.abs(f[17]! - 0.00017850781276799638) / f[17]!).toBeLessThan(1e-7);
    expect(Math.abs(f[18]! - 7.78465527393245e-5) / f[18]!).toBeLessThan(1e-7);
    expect(Math.abs(f[31]! - 3.7673226901739635e-7) / f[31]!).toBeLessThan(1e-7);
  });

  for (const [N, H, D, maxPos, sc] of [
    [1, 1, 2, 10, undefined],
    [7, 3, 64, 100, undefined],
    [50, 8, 128, 4096, undefined],
    [64, 4, 64, 8192, llama3],
    [256, 16, 128, 32768, llama3],
    // Positions repeat (a batch of sequences): the kernel tabulates cos/sin per position.
    [512, 4, 64, 64, llama3],
  ] as [number, number, number, number, RefScaling | undefined][])
    it(`apply N=${N} H=${H} D=${D} pos<${maxPos} ${sc?.type ?? "default"}: forward, inverse, round trip`, () => {
      const r = new Rng(seed + N * 13 + H * 7 + D);
      const invFreq = ropeInvFreq({ D, theta: 500000, scaling: sc });
      const x = r.f32(N * H * D), pos = positions(r, N, maxPos);
      const y = ropeApply({ x: x.slice(), pos, invFreq, N, H, D });
      // Same float32 angle and float32 cos/sin as the reference (which rounds the
      // angle as transformers does): a handful of float32 roundings, ~2e-7.
      expect(relErr(y, ropeApplyRef(x, pos, invFreq, N, H, D))).toBeLessThan(1e-6);
      const yi = ropeApply({ x: x.slice(), pos, invFreq, N, H, D, inverse: true });
      expect(relErr(yi, ropeApplyRef(x, pos, invFreq, N, H, D, true))).toBeLessThan(1e-6);
      // inverse(apply(x)) == x: the rotations by +a and -a use the same rounded
      // cos/sin, so only the rotation arithmetic's rounding remains.
      const back = ropeApply({ x: y.slice(), pos, invFreq, N, H, D, inverse: true });
      expect(relErr(back, x)).toBeLessThan(1e-6);
    });

  it("tabulated (repeated positions) and per-token cos/sin give the same bits", () => {
    const r = new Rng(seed + 4);
    const T = 40, B = 6, H = 3, D = 16, invFreq = ropeInvFreq({ D, theta: 10000 });
    const pos = Int32Array.from({ length: B * T }, (_, i) => i % T); // span T < N = B*T: table path
    for (const inverse of [false, true]) {
      const x = r.f32(B * T * H * D);
      const batched = ropeApply({ x: x.slice(), pos, invFreq, N: B * T, H, D, inverse });
      const single = x.slice(); // one token per call: span 1 = N, per-token path
      for (let n = 0; n < B * T; n++)
        ropeApply({ x: single.subarray(n * H * D, (n + 1) * H * D), pos: pos.subarray(n, n + 1), invFreq, N: 1, H, D, inverse });
      expect(Buffer.from(batched.buffer).equals(Buffer.from(single.buffer))).toBe(true);
    }
  });

  it("the inverse is the adjoint: dot(rope(x), g) == dot(x, rope_inv(g)) (so it is the backward)", () => {
    const r = new Rng(seed + 5);
    const N = 20, H = 2, D = 32, invFreq = ropeInvFreq({ D, theta: 10000 });
    const x = r.f32(N * H * D), g = r.f32(N * H * D), pos = positions(r, N, 1000);
    const lhs = dot(ropeApply({ x: x.slice(), pos, invFreq, N, H, D }), g);
    const rhs = dot(x, ropeApply({ x: g.slice(), pos, invFreq, N, H, D, inverse: true }));
    // float32 rounding of each element, summed over 1280 terms of unit scale.
    expect(Math.abs(lhs - rhs) / Math.sqrt(dot(x, x) * dot(g, g))).toBeLessThan(1e-6);
  });

  it("relative position: dot(rope(q, p1), rope(k, p2)) depends only on p1 - p2", () => {
    const r = new Rng(seed + 6);
    const D = 64, invFreq = ropeInvFreq({ D, theta: 10000 });
    const q = r.f32(D), k = r.f32(D), scale = Math.sqrt(dot(q, q) * dot(k, k));
    const score = (p1: number, p2: number) =>
      dot(ropeApply({ x: q.slice(), pos: Int32Array.of(p1), invFreq, N: 1, H: 1, D }),
          ropeApply({ x: k.slice(), pos: Int32Array.of(p2), invFreq, N: 1, H: 1, D }));
    for (const diff of [0, 1, 7, -13, 100]) {
      const s0 = score(Math.max(0, -diff) + diff, Math.max(0, -diff));
      for (const shift of [1, 5, 37, 250]) {
        const p2 = Math.max(0, -diff) + shift;
        // Angles are float32 products pos * inv_freq; below position ~300 their
        // rounding (< 2^-24 * 300 rad) moves the score by well under 1e-4 of |q||k|.
        expect(Math.abs(score(p2 + diff, p2) - s0) / scale).toBeLessThan(1e-4);
      }
    }
    // And the score does change with the offset (the check above is not vacuous).
    // One pair of offsets can coincide by chance for random q, k (CI saw 2.7e-4),
    // so take the largest change over 30 offsets.
    let change = 0;
    for (let d = 1; d <= 30; d++) change = Math.max(change, Math.abs(score(3 + d, 3) - score(3, 3)) / scale);
    expect(change).toBeGreaterThan(1e-2);
  });

  it("rejects bad input with messages naming the argument", () => {
    const invFreq = ropeInvFreq({ D: 8, theta: 10000 });
    const x = new Float32Array(2 * 3 * 8).fill(1), pos = Int32Array.of(0, 1);
    expect(() => ropeApply({ x, pos, invFreq, N: 2, H: 3, D: 7 })).toThrow(/'D' .*even.*got 7/);
    expect(() => ropeInvFreq({ D: 9, theta: 10000 })).toThrow(/'D' .*even.*got 9/);
    expect(() => ropeInvFreq({ D: 8, theta: 0 })).toThrow(/'theta' must be > 0/);
    expect(() => ropeApply({ x: x.subarray(1), pos, invFreq, N: 2, H: 3, D: 8 })).toThrow(/'x' must have 48 elements, got 47/);
    expect(() => ropeApply({ x, pos: Int32Array.of(0), invFreq, N: 2, H: 3, D: 8 })).toThrow(/'pos' must have 2 elements/);
    expect(() => ropeApply({ x, pos: new Float32Array(2) as unknown as Int32Array, invFreq, N: 2, H: 3, D: 8 })).toThrow(/'pos' must be an Int32Array/);
    expect(() => ropeApply({ x, pos, invFreq: invFreq.subarray(1), N: 2, H: 3, D: 8 })).toThrow(/'invFreq' must have 4 elements/);
    expect(() => ropeApply({ x, pos, invFreq, N: 2, H: 0, D: 8 })).toThrow(/'H'/);
    expect(() => ropeInvFreq({ D: 8, theta: 1e4, scaling: { type: "yarn" } as never })).toThrow(/'scaling.type' must be/);
    expect(() => ropeInvFreq({ D: 8, theta: 1e4, scaling: { type: "linear" } as never })).toThrow(/missing field 'factor'/);
    expect(() => ropeInvFreq({ D: 8, theta: 1e4, scaling: { ...llama3, highFreqFactor: 1 } as never })).toThrow(/highFreqFactor/);
  });
});

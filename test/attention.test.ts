import { describe, expect, it } from "vitest";
import { attentionBackward, attentionForward, type AttentionShape } from "../src/engine/attention.js";
import { buildInfo, setThreads } from "../src/engine/native.js";
import { attentionRef, attentionRowRef, packedSeg, visible } from "./reference/attention.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

// Tolerance: every output is a few fp32 dot products (over D, then over up to T
// keys) and one online-softmax rescale, and the kernel's exp is ~1 ulp; the
// measured error against the float64 reference is ~1e-6 of each array's scale,
// so 1e-5 leaves a 10x margin while still catching any masking or indexing
// mistake (those give errors of order 1).
const TOL = 1e-5;

const seed = freshSeed();

type SegMode = "none" | "packed";
interface Case {
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  D: number;
  seg: SegMode;
}

// T = 1, 37, 130, 200 are not multiples of the 64-row tiles; GQA with Hq/Hkv = 2
// and 8, MHA; D = 16, 32, 64, 128, 256 (fast paths) and 40, 3, 1 (padded path).
const cases: Case[] = [
  { B: 1, T: 1, Hq: 1, Hkv: 1, D: 16, seg: "none" },
  { B: 2, T: 37, Hq: 4, Hkv: 2, D: 40, seg: "packed" },
  { B: 1, T: 130, Hq: 8, Hkv: 1, D: 64, seg: "packed" },
  { B: 2, T: 130, Hq: 4, Hkv: 4, D: 32, seg: "none" },
  { B: 1, T: 70, Hq: 2, Hkv: 2, D: 128, seg: "packed" },
  { B: 1, T: 100, Hq: 2, Hkv: 1, D: 256, seg: "none" },
  { B: 2, T: 65, Hq: 4, Hkv: 2, D: 16, seg: "packed" },
  { B: 1, T: 200, Hq: 8, Hkv: 1, D: 64, seg: "none" },
  { B: 2, T: 50, Hq: 2, Hkv: 1, D: 3, seg: "packed" },
  { B: 1, T: 33, Hq: 3, Hkv: 3, D: 1, seg: "none" },
];

// Three documents of uneven random lengths per row, with arbitrary distinct ids.
function randomSeg(r: Rng, B: number, T: number): Int32Array {
  const lengths: number[][] = [], ids: number[][] = [];
  for (let b = 0; b < B; b++) {
    if (T < 3) {
      lengths.push([T]);
      ids.push([r.int(1000)]);
      continue;
    }
    const a = 1 + r.int(T - 2), c = 1 + r.int(T - a - 1);
    lengths.push([a, c, T - a - c]);
    const id0 = r.int(1000);
    ids.push([id0, id0 + 1 + r.int(1000), id0 - 1 - r.int(1000)]);
  }
  return packedSeg(B, T, lengths, ids);
}

function inputs(r: Rng, s: AttentionShape) {
  const nq = s.B * s.T * s.Hq * s.D, nkv = s.B * s.T * s.Hkv * s.D;
  // q scaled up so the softmax is peaked, not near-uniform.
  return { q: r.f32(nq, 2), k: r.f32(nkv), v: r.f32(nkv), dout: r.f32(nq) };
}

// A query that sees only itself has P = 1 and dP = D_i, so its dq and the dk of
// its key are exactly 0 and the kernel's values are the rounding of dP - D_i:
// measure them against the scale of the terms, scale * sum|dout * v| * max|x|
// with x = k for dq, q for dk (layout of B = T = Hq = Hkv = 1).
function zeroGradRounding(g: Float32Array, x: Float32Array, v: Float32Array, dout: Float32Array, scale: number): number {
  let dp = 0, xmax = 0, err = 0;
  for (let d = 0; d < g.length; d++) {
    dp += Math.abs(dout[d]! * v[d]!);
    xmax = Math.max(xmax, Math.abs(x[d]!));
    err = Math.max(err, Math.abs(g[d]!));
  }
  return err / (scale * dp * xmax);
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe(`attention (seed ${seed})`, () => {
  for (const c of cases)
    it(`B=${c.B} T=${c.T} Hq=${c.Hq} Hkv=${c.Hkv} D=${c.D} seg=${c.seg}: forward and backward match float64`, () => {
      const r = new Rng(seed + c.T * 1009 + c.D * 17 + c.Hq * 3 + c.Hkv + c.B * 7);
      const shape = { B: c.B, T: c.T, Hq: c.Hq, Hkv: c.Hkv, D: c.D };
      const scale = 1 / Math.sqrt(c.D);
      const { q, k, v, dout } = inputs(r, shape);
      const seg = c.seg === "packed" ? randomSeg(r, c.B, c.T) : null;
      const ref = attentionRef(q, k, v, seg, dout, { ...shape, scale });

      const f = attentionForward({ q, k, v, seg, ...shape });
      expect(relErr(f.out, ref.out)).toBeLessThan(TOL);
      expect(relErr(f.lse, ref.lse)).toBeLessThan(TOL);

      const g = attentionBackward({ q, k, v, seg, out: f.out, lse: f.lse, dout, ...shape });
      if (c.T > 1) {
        expect(relErr(g.dq, ref.dq)).toBeLessThan(TOL);
        expect(relErr(g.dk, ref.dk)).toBeLessThan(TOL);
      } else {
        expect(zeroGradRounding(g.dq, k, v, dout, scale)).toBeLessThan(TOL);
        expect(zeroGradRounding(g.dk, q, v, dout, scale)).toBeLessThan(TOL);
      }
      expect(relErr(g.dv, ref.dv)).toBeLessThan(TOL);

      // A second run is bit-identical (static schedules, no float atomics).
      const f2 = attentionForward({ q, k, v, seg, ...shape });
      const g2 = attentionBackward({ q, k, v, seg, out: f.out, lse: f.lse, dout, ...shape });
      expect(sameBits(f2.out, f.out) && sameBits(f2.lse, f.lse)).toBe(true);
      expect(sameBits(g2.dq, g.dq) && sameBits(g2.dk, g.dk) && sameBits(g2.dv, g.dv)).toBe(true);
    });

  it("honours a custom scale and fills caller-given outputs", () => {
    const r = new Rng(seed + 11);
    const shape = { B: 1, T: 90, Hq: 4, Hkv: 2, D: 32 };
    const { q, k, v, dout } = inputs(r, shape);
    const scale = 0.37;
    const ref = attentionRef(q, k, v, null, dout, { ...shape, scale });
    const out = new Float32Array(q.length).fill(Number.NaN), lse = new Float32Array(shape.Hq * shape.T).fill(Number.NaN);
    const f = attentionForward({ q, k, v, ...shape, scale, out, lse });
    expect(f.out).toBe(out);
    expect(f.lse).toBe(lse);
    expect(relErr(out, ref.out)).toBeLessThan(TOL);
    expect(relErr(lse, ref.lse)).toBeLessThan(TOL);
    // dq/dk/dv are overwritten, not accumulated: pre-fill them with garbage.
    const dq = r.f32(q.length), dk = r.f32(k.length), dv = r.f32(v.length);
    const g = attentionBackward({ q, k, v, out, lse, dout, ...shape, scale, dq, dk, dv });
    expect(g.dq).toBe(dq);
    expect(relErr(dq, ref.dq)).toBeLessThan(TOL);
    expect(relErr(dk, ref.dk)).toBeLessThan(TOL);
    expect(relErr(dv, ref.dv)).toBeLessThan(TOL);
  });

  it("long documents spanning several tiles, with tiles before a document skipped", () => {
    const r = new Rng(seed + 12);
    const shape = { B: 2, T: 450, Hq: 2, Hkv: 1, D: 32 };
    const { q, k, v, dout } = inputs(r, shape);
    // A document starting past whole key tiles, one inside a tile, one of length 1.
    const seg = packedSeg(2, 450, [[100, 300, 50], [1, 257, 192]], [[5, 9, 2], [40, 30, 20]]);
    const ref = attentionRef(q, k, v, seg, dout, { ...shape, scale: 1 / Math.sqrt(32) });
    const f = attentionForward({ q, k, v, seg, ...shape });
    expect(relErr(f.out, ref.out)).toBeLessThan(TOL);
    expect(relErr(f.lse, ref.lse)).toBeLessThan(TOL);
    const g = attentionBackward({ q, k, v, seg, out: f.out, lse: f.lse, dout, ...shape });
    expect(relErr(g.dq, ref.dq)).toBeLessThan(TOL);
    expect(relErr(g.dk, ref.dk)).toBeLessThan(TOL);
    expect(relErr(g.dv, ref.dv)).toBeLessThan(TOL);
  });

  it("never attends across a document boundary (outputs of other documents unchanged bit for bit)", () => {
    const r = new Rng(seed + 13);
    const B = 1, T = 160, Hq = 4, Hkv = 2, D = 64;
    const shape = { B, T, Hq, Hkv, D };
    const { q, k, v, dout } = inputs(r, shape);
    // Documents [0, 50), [50, 120), [120, 160): they share key tiles.
    const seg = packedSeg(1, T, [[50, 70, 40]], [[3, 1, 2]]);
    const base = attentionForward({ q, k, v, seg, ...shape });
    const baseG = attentionBackward({ q, k, v, seg, out: base.out, lse: base.lse, dout, ...shape });
    const rows = (a: Float32Array, t0: number, t1: number, H: number) => a.slice(t0 * H * D, t1 * H * D);

    // Perturb keys and values of the middle document, hugely.
    const k2 = k.slice(), v2 = v.slice();
    for (let t = 50; t < 120; t++)
      for (let i = 0; i < Hkv * D; i++) k2[t * Hkv * D + i] = 100 * r.normal(), v2[t * Hkv * D + i] = 100 * r.normal();
    const f = attentionForward({ q, k: k2, v: v2, seg, ...shape });
    const g = attentionBackward({ q, k: k2, v: v2, seg, out: f.out, lse: f.lse, dout, ...shape });
    // The first document (earlier) and the last one (later: causally allowed to
    // look back, but in another document) are untouched, exactly.
    for (const [t0, t1] of [[0, 50], [120, 160]] as const) {
      expect(sameBits(rows(f.out, t0, t1, Hq), rows(base.out, t0, t1, Hq))).toBe(true);
      expect(sameBits(rows(g.dq, t0, t1, Hq), rows(baseG.dq, t0, t1, Hq))).toBe(true);
      expect(sameBits(rows(g.dk, t0, t1, Hkv), rows(baseG.dk, t0, t1, Hkv))).toBe(true);
      expect(sameBits(rows(g.dv, t0, t1, Hkv), rows(baseG.dv, t0, t1, Hkv))).toBe(true);
    }
    for (let h = 0; h < Hq; h++)
      for (const t of [0, 49, 120, 159]) expect(f.lse[h * T + t]).toBe(base.lse[h * T + t]);
    // ...while the middle document's outputs do change.
    expect(sameBits(rows(f.out, 50, 120, Hq), rows(base.out, 50, 120, Hq))).toBe(false);
  });

  it("gives bit-identical results with 1 and 2 threads (and across the two backward schemes)", () => {
    // With 1 thread the backward always takes the fused one-pass scheme; with 2
    // threads the B*Hkv = 1 shape takes the two-pass scheme (one fused item
    // cannot use both threads), the B*Hkv = 4 shape stays fused.
    const threads = buildInfo().threads;
    try {
      for (const shape of [{ B: 2, T: 150, Hq: 4, Hkv: 2, D: 64 }, { B: 1, T: 300, Hq: 4, Hkv: 1, D: 64 }]) {
        const r = new Rng(seed + 14 + shape.T);
        const { q, k, v, dout } = inputs(r, shape);
        const seg = randomSeg(r, shape.B, shape.T);
        const run = (n: number) => {
          setThreads(n);
          const f = attentionForward({ q, k, v, seg, ...shape });
          return { ...f, ...attentionBackward({ q, k, v, seg, out: f.out, lse: f.lse, dout, ...shape }) };
        };
        const a = run(1), b = run(2);
        for (const key of ["out", "lse", "dq", "dk", "dv"] as const) expect(sameBits(a[key], b[key]), `${key} T=${shape.T}`).toBe(true);
      }
    } finally {
      setThreads(threads);
    }
  });

  it("a row's results do not depend on the other rows of the batch (bit-identical)", () => {
    // So gradient accumulation over micro-batches sees exactly the same attention as one big batch.
    const r = new Rng(seed + 18);
    const shape = { B: 3, T: 100, Hq: 4, Hkv: 2, D: 32 };
    const { q, k, v, dout } = inputs(r, shape);
    const seg = randomSeg(r, 3, 100);
    const f = attentionForward({ q, k, v, seg, ...shape });
    const g = attentionBackward({ q, k, v, seg, out: f.out, lse: f.lse, dout, ...shape });
    const nq = 100 * 4 * 32, nkv = 100 * 2 * 32, b = 1;
    const one = { B: 1, T: 100, Hq: 4, Hkv: 2, D: 32 };
    const row = (a: Float32Array, n: number) => a.slice(b * n, (b + 1) * n);
    const f1 = attentionForward({ q: row(q, nq), k: row(k, nkv), v: row(v, nkv), seg: seg.slice(100, 200), ...one });
    const g1 = attentionBackward({ q: row(q, nq), k: row(k, nkv), v: row(v, nkv), seg: seg.slice(100, 200), out: f1.out, lse: f1.lse, dout: row(dout, nq), ...one });
    expect(sameBits(f1.out, row(f.out, nq)) && sameBits(f1.lse, row(f.lse, 400))).toBe(true);
    expect(sameBits(g1.dq, row(g.dq, nq)) && sameBits(g1.dk, row(g.dk, nkv)) && sameBits(g1.dv, row(g.dv, nkv))).toBe(true);
  });

  it("runs T=4096 (B=1, Hq=2, D=64) forward+backward, correct on spot checks", () => {
    // Each checked row sums 4096 terms and is compared against its own small
    // scale (~1/sqrt(T)), so fp32 rounding reaches ~2e-5 here (seen in CI);
    // 1e-4 still fails on any masking or indexing error (order 1).
    const TOL_LONG = 1e-4;
    const r = new Rng(seed + 15);
    const shape = { B: 1, T: 4096, Hq: 2, Hkv: 1, D: 64 };
    const scale = 1 / 8;
    const { q, k, v, dout } = inputs(r, shape);
    const f = attentionForward({ q, k, v, ...shape });
    const g = attentionBackward({ q, k, v, out: f.out, lse: f.lse, dout, ...shape });
    // Spot checks against float64: output, lse and dq of a few query rows
    // (each a full 4096-key softmax), and dk/dv of the last keys (seen only by
    // the last queries).
    const s = { ...shape, scale };
    const { T, Hq, D } = shape;
    const lastKeysDk = new Float64Array(2 * D), lastKeysDv = new Float64Array(2 * D);
    for (let h = 0; h < Hq; h++)
      for (const i of [0, 1000, T - 2, T - 1]) {
        const row = attentionRowRef(q, k, v, null, s, 0, h, i);
        const qo = (i * Hq + h) * D;
        expect(relErr(f.out.subarray(qo, qo + D), row.out)).toBeLessThan(TOL_LONG);
        expect(Math.abs(f.lse[h * T + i]! - row.lse) / Math.abs(row.lse)).toBeLessThan(TOL_LONG);
        // dq_i = scale sum_j P_ij (dP_ij - D_i) k_j
        const dP = new Float64Array(i + 1);
        let Di = 0;
        for (let j = 0; j <= i; j++) {
          let x = 0;
          for (let d = 0; d < D; d++) x += dout[qo + d]! * v[j * D + d]!;
          dP[j] = x;
          Di += row.p[j]! * x;
        }
        const dq = new Float64Array(D);
        for (let j = 0; j <= i; j++)
          for (let d = 0; d < D; d++) dq[d] += scale * row.p[j]! * (dP[j]! - Di) * k[j * D + d]!;
        // (Row 0's dq is exactly zero: only rounding; covered by the T = 1 case.)
        if (i > 0) expect(relErr(g.dq.subarray(qo, qo + D), dq)).toBeLessThan(TOL_LONG);
        // Keys T-2 and T-1 are seen only by queries T-2 and T-1 (of both heads).
        if (i >= T - 2)
          for (let j = T - 2; j <= i; j++) {
            const dS = row.p[j]! * (dP[j]! - Di);
            for (let d = 0; d < D; d++) {
              lastKeysDk[(j - (T - 2)) * D + d] += scale * dS * q[qo + d]!;
              lastKeysDv[(j - (T - 2)) * D + d] += row.p[j]! * dout[qo + d]!;
            }
          }
      }
    expect(relErr(g.dk.subarray((T - 2) * D), lastKeysDk)).toBeLessThan(TOL_LONG);
    expect(relErr(g.dv.subarray((T - 2) * D), lastKeysDv)).toBeLessThan(TOL_LONG);
  });

  describe("rejects bad input with a message naming the argument", () => {
    const shape = { B: 1, T: 4, Hq: 2, Hkv: 1, D: 8 };
    const r = new Rng(seed + 17);
    const q = r.f32(64), k = r.f32(32), v = r.f32(32);
    const { out, lse } = attentionForward({ q, k, v, ...shape });
    const dout = r.f32(64);

    it("wrong lengths and types", () => {
      expect(() => attentionForward({ q: q.subarray(1), k, v, ...shape })).toThrow(/'q' must have 64 elements, got 63/);
      expect(() => attentionForward({ q, k: r.f32(64), v, ...shape })).toThrow(/'k' must have 32 elements/);
      expect(() => attentionForward({ q, k, v: new Float64Array(32) as unknown as Float32Array, ...shape })).toThrow(/'v' must be a Float32Array/);
      expect(() => attentionForward({ q, k, v, seg: new Int32Array(3), ...shape })).toThrow(/'seg' must have 4 elements/);
      expect(() => attentionForward({ q, k, v, seg: new Uint32Array(4) as unknown as Int32Array, ...shape })).toThrow(/'seg' must be an Int32Array/);
      expect(() => attentionForward({ q, k, v, ...shape, out: new Float32Array(63) })).toThrow(/'out' must have 64 elements/);
      expect(() => attentionForward({ q, k, v, ...shape, lse: new Float32Array(4) })).toThrow(/'lse' must have 8 elements/);
      expect(() => attentionBackward({ q, k, v, out, lse, dout: dout.subarray(8), ...shape })).toThrow(/'dout' must have 64 elements/);
      expect(() => attentionBackward({ q, k, v, out, lse, dout, ...shape, dk: new Float32Array(64) })).toThrow(/'dk' must have 32 elements/);
    });

    it("impossible dims", () => {
      expect(() => attentionForward({ q, k, v, ...shape, Hkv: 3 })).toThrow(/'Hkv' \(3\) must divide 'Hq' \(2\)/);
      expect(() => attentionForward({ q, k, v, ...shape, D: 0 })).toThrow(/'D' must be an integer in \[1, 256\]/);
      expect(() => attentionForward({ q, k, v, ...shape, D: 257 })).toThrow(/'D' must be an integer in \[1, 256\]/);
      expect(() => attentionForward({ q, k, v, ...shape, B: 0 })).toThrow(/'B' must be an integer/);
      expect(() => attentionForward({ q, k, v, ...shape, T: 2.5 })).toThrow(/'T' must be an integer/);
      expect(() => attentionForward({ q, k, v, ...shape, Hq: -2 })).toThrow(/'Hq' must be an integer/);
      expect(() => attentionForward({ q, k, v, ...shape, scale: Number.NaN })).toThrow(/'scale' must be finite/);
    });

    it("documents that are not contiguous runs", () => {
      const seg = Int32Array.from([7, 7, 8, 7]);
      expect(() => attentionForward({ q, k, v, seg, ...shape })).toThrow(/seg row 0 has document id 7 in two separate runs/);
    });

    it("outputs that share memory with inputs", () => {
      expect(() => attentionForward({ q, k, v, ...shape, out: q })).toThrow(/'out' must not share memory with 'q'/);
      expect(() => attentionBackward({ q, k, v, out, lse, dout, ...shape, dq: dout })).toThrow(/'dq' must not share memory with 'dout'/);
      expect(() => attentionBackward({ q, k, v, out, lse, dout, ...shape, dk: v })).toThrow(/'dk' must not share memory with 'v'/);
    });
  });

  it("the reference itself: uniform keys give the mean of the visible values", () => {
    // q = 0 makes every visible score equal; out_i is then the mean of v over i's document prefix.
    const shape = { B: 1, T: 6, Hq: 1, Hkv: 1, D: 2, scale: 1 };
    const q = new Float32Array(12), k = new Float32Array(12).fill(1);
    const v = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const seg = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const ref = attentionRef(q, k, v, seg, new Float32Array(12), shape);
    expect(Array.from(ref.out.subarray(4, 6))).toEqual([3, 4]); // mean of rows 0..2
    expect(Array.from(ref.out.subarray(8, 10))).toEqual([8, 9]); // mean of rows 3..4
    expect(visible(seg, 6, 0, 3, 2)).toBe(false);
  });
});

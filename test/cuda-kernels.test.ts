import { describe, expect, it } from "vitest";
import { adamwUpdate } from "../src/engine/adamw.js";
import { attentionBackward, attentionForward } from "../src/engine/attention.js";
import { Cuda, bf16ToF32, f32ToBf16, roundBf16, type CudaImpl } from "../src/engine/cuda.js";
import { buildInfo, native } from "../src/engine/native.js";
import { rmsnormBackward, rmsnormForward } from "../src/engine/norm.js";
import { ropeApply, ropeInvFreq } from "../src/engine/rope.js";
import { swigluBackward, swigluForward } from "../src/engine/swiglu.js";
import { lmheadXent } from "../src/engine/xent.js";
import { packedSeg } from "./reference/attention.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

// Every CUDA kernel family against the CPU kernels (fp32) on the same
// bf16-rounded random inputs. Runs where the addon has the CUDA backend and a
// device: a GPU build (scripts/gpu-check.sh), or the emulated build
// (MIDTRAIN_CUDA=EMU, npm run check:cuda), which runs the same kernel code on
// the CPU. Elsewhere the suite is skipped and its title says why.
//
// Tolerances. One rounding to bf16 moves a value by at most 2^-8 = 3.9e-3 of
// itself; outputs rounded once from fp32 values that match the CPU's to ~1e-6
// are checked element by element at 4e-3. Outputs built from several bf16
// roundings (attention's P and dS, the LM head's dlogits) are checked by
// max |err| / max |ref| and ||err|| / ||ref|| at 1e-2 .. 3e-2. A wrong index or
// mask gives errors of order 1.

const cuda = new Cuda();
const why = buildInfo().cuda ? cuda.unavailable() : (cuda.info().reason ?? "the addon has no CUDA backend");
const seed = freshSeed();
const BF16 = 4e-3;
const impls: CudaImpl[] = ["fast", "simple"];

/** Elements outside rel * |ref| + absRel * scale[i]; NaN counts. */
function badElements(got: Float32Array, ref: Float32Array, rel: number, scale?: Float32Array, absRel = 0): number {
  let bad = 0;
  for (let i = 0; i < ref.length; i++) {
    const tol = rel * Math.abs(ref[i]!) + (scale ? absRel * scale[i]! : 0) + 1e-30;
    if (!(Math.abs(got[i]! - ref[i]!) <= tol)) bad++;
  }
  return bad;
}

function l2Rel(got: Float32Array, ref: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (got[i]! - ref[i]!) ** 2;
    den += ref[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

function randBf16(r: Rng, n: number, scale = 1): Float32Array {
  return roundBf16(r.f32(n, scale));
}

describe("cuda bindings", () => {
  it("cudaInfo agrees with buildInfo and says why there is no device", () => {
    const info = cuda.info();
    expect(info.built).toBe(buildInfo().cuda);
    expect(["cuda", "emulated", "none"]).toContain(info.backend);
    if (!info.built) expect(info.backend).toBe("none");
    if (info.devices.length === 0) expect(info.reason).toMatch(/\w/);
  });

  it("bf16 conversion rounds to nearest even and keeps NaN", () => {
    const x = new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, NaN, Infinity, 3.3895314e38]);
    const back = bf16ToF32(f32ToBf16(x));
    expect(Array.from(back.slice(0, 4))).toEqual([1, 1, 1 + 2 ** -6, -2.5]);
    expect(back[4]).toBeNaN();
    expect(back[5]).toBe(Infinity);
    expect(back[6]).toBe(3.3895313892515355e38); // the largest finite bf16
  });
});

describe.skipIf(why !== null)(`cuda kernels vs the CPU kernels (${why ?? `${cuda.info().backend}, seed ${seed}`})`, () => {
  it("swiglu forward and backward, fast and simple", () => {
    const r = new Rng(seed);
    const n = 8 * 150 + 5; // a scalar tail after the 16-byte vectors
    const gate = randBf16(r, n, 3), up = randBf16(r, n), dout = randBf16(r, n);
    const ref = swigluForward({ gate, up });
    const refB = swigluBackward({ dout, gate, up });
    const G = cuda.bf16(gate), U = cuda.bf16(up), D = cuda.bf16(dout);
    for (const impl of impls) {
      const O = cuda.alloc(2 * n), DG = cuda.alloc(2 * n), DU = cuda.alloc(2 * n);
      O.fill(0xff), DG.fill(0xff), DU.fill(0xff); // NaN: an unwritten element fails
      cuda.swigluForward(G, U, O, n, impl);
      cuda.swigluBackward(D, G, U, DG, DU, n, impl);
      expect(badElements(cuda.readBf16(O, n), ref, BF16), impl).toBe(0);
      expect(badElements(cuda.readBf16(DG, n), refB.dgate, BF16), impl).toBe(0);
      expect(badElements(cuda.readBf16(DU, n), refB.dup, BF16), impl).toBe(0);
    }
  });

  it("rmsnorm + residual forward and backward, fast and simple", () => {
    const r = new Rng(seed + 1);
    const N = 7;
    for (const C of [64, 1024])
      for (const impl of impls) {
        const nc = N * C;
        const x = randBf16(r, nc), delta = randBf16(r, nc, 0.5), w = randBf16(r, C);
        // The GPU normalises its stored (bf16) residual sum.
        const hRef = new Float32Array(nc);
        for (let i = 0; i < nc; i++) hRef[i] = x[i]! + delta[i]!;
        const hR = roundBf16(hRef);
        const ref = rmsnormForward({ x: hR, w, N, C, eps: 1e-5 });
        const X = cuda.bf16(x), Dl = cuda.bf16(delta), W = cuda.bf16(w);
        const H = cuda.alloc(2 * nc), Y = cuda.alloc(2 * nc), R = cuda.alloc(4 * N);
        cuda.rmsnormForward(X, Dl, H, Y, R, W, { N, C, eps: 1e-5, impl });
        expect(Array.from(cuda.readBf16(H, nc))).toEqual(Array.from(hR));
        expect(badElements(cuda.readBf16(Y, nc), ref.y, BF16), `${impl} C=${C}`).toBe(0);
        expect(relErr(cuda.readF32(R, N), ref.rstd)).toBeLessThan(2e-6);

        const dy = randBf16(r, nc), dh0 = randBf16(r, nc), dw0 = r.f32(C);
        const refB = rmsnormBackward({ dy, h: hR, rstd: ref.rstd, w, dh: dh0.slice(), dw: dw0.slice(), N, C });
        const DH = cuda.bf16(dh0), DW = cuda.f32(dw0);
        cuda.rmsnormBackward(cuda.bf16(dy), cuda.bf16(hR), cuda.f32(ref.rstd), W, DH, DW, { N, C, impl });
        // dh = bf16(dh0 + g): one rounding, plus fp32 noise of g against |dy w| + |h|.
        const scale = new Float32Array(nc);
        for (let i = 0; i < nc; i++)
          scale[i] = ref.rstd[Math.floor(i / C)]! * (Math.abs(dy[i]! * w[i % C]!) + Math.abs(hR[i]!)) + 1e-3;
        expect(badElements(cuda.readBf16(DH, nc), refB.dh, BF16, scale, 1e-4), `${impl} C=${C}`).toBe(0);
        expect(relErr(cuda.readF32(DW, C), refB.dw)).toBeLessThan(1e-5);
      }
  });

  it("rope forward and inverse, fast and simple", () => {
    const r = new Rng(seed + 2);
    const N = 23, H = 3, D = 64;
    const invFreq = ropeInvFreq({ D, theta: 10000 });
    const pos = new Int32Array(N);
    for (let i = 0; i < N; i++) pos[i] = r.int(4000);
    const P = cuda.i32(pos), I = cuda.f32(invFreq);
    for (const inverse of [false, true])
      for (const impl of impls) {
        const x = randBf16(r, N * H * D);
        const ref = ropeApply({ x: x.slice(), pos, invFreq, N, H, D, inverse });
        const scale = new Float32Array(x.length);
        for (let i = 0; i < x.length; i++) {
          const pair = i % D < D / 2 ? i + D / 2 : i - D / 2;
          scale[i] = Math.abs(x[i]!) + Math.abs(x[pair]!);
        }
        const X = cuda.bf16(x);
        cuda.ropeApply(X, P, I, { N, H, D, inverse, impl });
        expect(badElements(cuda.readBf16(X, x.length), ref, BF16, scale, 1e-5), `${impl} inverse=${inverse}`).toBe(0);
      }
  });

  it("adamw: clip on the device, bf16 gradients, anchor, bf16 copy; a NaN gradient changes nothing", () => {
    const r = new Rng(seed + 3);
    const sizes = [1000, 37, 4096 + 3];
    const host = sizes.map((n, i) => ({
      p: r.f32(n), m: new Float32Array(n), v: new Float32Array(n), g: randBf16(r, n, 0.1),
      p0: i === 0 ? r.f32(n) : null, wd: i === 1 ? 0 : 0.1,
    }));
    const dev = host.map((t) => ({
      p: cuda.f32(t.p), m: cuda.f32(t.m), v: cuda.f32(t.v), g: cuda.bf16(t.g), gBf16: true,
      pBf16: cuda.alloc(2 * t.p.length), anchor: t.p0 ? cuda.f32(t.p0) : null, n: t.p.length, weightDecay: t.wd,
    }));
    let sumsq = 0;
    for (const t of host) for (const x of t.g) sumsq += x * x;
    const maxNorm = 0.5 * Math.sqrt(sumsq);
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, anchorLambda: 0.05 };
    const clip = cuda.adamwUpdate(dev, hyper, { maxNorm })!;
    expect(clip.finite).toBe(true);
    expect(Math.abs(clip.sumsq - sumsq)).toBeLessThan(1e-12 * sumsq);
    expect(clip.scale).toBeCloseTo(Math.min(1, maxNorm / (Math.sqrt(sumsq) + 1e-6)), 6);
    host.forEach((t, i) => {
      adamwUpdate({
        p: t.p, g: t.g, m: t.m, v: t.v, anchor: t.p0,
        hyper: { ...hyper, weightDecay: t.wd, gradScale: clip.scale },
      });
      const n = t.p.length;
      const p = cuda.readF32(dev[i]!.p, n);
      // The CPU's scalars and operation order: differences are FMA contraction only.
      expect(relErr(p, t.p)).toBeLessThan(2e-6);
      expect(relErr(cuda.readF32(dev[i]!.m, n), t.m)).toBeLessThan(2e-6);
      expect(relErr(cuda.readF32(dev[i]!.v, n), t.v)).toBeLessThan(2e-6);
      expect(Array.from(cuda.readBf16(dev[i]!.pBf16, n))).toEqual(Array.from(roundBf16(p)));
    });
    const before = cuda.readF32(dev[2]!.p, sizes[2]!);
    const g = host[2]!.g.slice();
    g[5] = NaN;
    dev[2]!.g.upload(f32ToBf16(g));
    const bad = cuda.adamwUpdate(dev, { ...hyper, step: 2 }, { maxNorm: 1 })!;
    expect(bad.finite).toBe(false);
    expect(Array.from(cuda.readF32(dev[2]!.p, sizes[2]!))).toEqual(Array.from(before));
  });

  it("lm head + cross-entropy in chunks, fast and simple; a bad label names its index", () => {
    const r = new Rng(seed + 4);
    const N = 37, C = 32, V = 150;
    const x = randBf16(r, N * C), W = randBf16(r, V * C, 0.3);
    const labels = new Int32Array(N);
    for (let i = 0; i < N; i++) labels[i] = i % 5 === 0 ? -100 : r.int(V);
    const dW0 = r.f32(V * C, 0.01);
    const refDx = new Float32Array(N * C), refDW = dW0.slice(), refTL = new Float32Array(N);
    const ref = lmheadXent({ x, W, labels, N, C, V, gradScale: 1 / N, dx: refDx, dW: refDW, tokenLoss: refTL });
    const X = cuda.bf16(x), Wd = cuda.bf16(W), L = cuda.i32(labels);
    for (const impl of impls)
      for (const chunk of [0, 8]) {
        const DX = cuda.alloc(2 * N * C), DW = cuda.f32(dW0), TL = cuda.alloc(4 * N);
        const res = cuda.lmheadXent(X, Wd, L, DX, DW, TL, { N, C, V, gradScale: 1 / N, chunk, impl });
        expect(res.count).toBe(ref.count);
        expect(Math.abs(res.lossSum - ref.lossSum)).toBeLessThan(1e-5 * Math.abs(ref.lossSum));
        expect(relErr(cuda.readF32(TL, N), refTL)).toBeLessThan(1e-5);
        // Gradients pass through bf16 dlogits (2^-9 each) and, for dx, a bf16 output.
        expect(relErr(cuda.readBf16(DX, N * C), refDx)).toBeLessThan(1e-2);
        const dW = cuda.readF32(DW, V * C), ddW = new Float32Array(V * C), refd = new Float32Array(V * C);
        for (let i = 0; i < V * C; i++) (ddW[i] = dW[i]! - dW0[i]!), (refd[i] = refDW[i]! - dW0[i]!);
        expect(relErr(ddW, refd)).toBeLessThan(1e-2);
        expect(l2Rel(ddW, refd)).toBeLessThan(5e-3);
      }
    const badLabels = labels.slice();
    badLabels[11] = V + 3;
    expect(() => cuda.lmheadXent(X, Wd, cuda.i32(badLabels), null, null, null, { N, C, V, gradScale: 1 })).toThrow(
      `lmhead_xent: labels[11] = ${V + 3} is outside [0, V=${V})`,
    );
  });

  it("lm head + cross-entropy, accumulating on the device (the training step's variant): equal to the checked one", () => {
    const r = new Rng(seed + 5);
    const N = 29, C = 32, V = 130;
    const x = randBf16(r, N * C), W = randBf16(r, V * C, 0.3);
    const lab = () => Int32Array.from({ length: N }, (_, i) => (i % 4 === 1 ? -100 : r.int(V)));
    const l1 = lab(), l2 = lab();
    const X = cuda.bf16(x), Wd = cuda.bf16(W);
    for (const impl of impls) {
      // The checked variant twice, dW accumulating...
      const DX = cuda.alloc(2 * N * C), DW = cuda.alloc(4 * V * C);
      DW.fill(0);
      const a = cuda.lmheadXent(X, Wd, cuda.i32(l1), null, DW, null, { N, C, V, gradScale: 0.5, impl });
      const b = cuda.lmheadXent(X, Wd, cuda.i32(l2), DX, DW, null, { N, C, V, gradScale: 0.5, impl });
      // ...and the accumulating one twice into one (loss, count).
      const DX2 = cuda.alloc(2 * N * C), DW2 = cuda.alloc(4 * V * C), ACC = cuda.alloc(16);
      DW2.fill(0), ACC.fill(0);
      const acc = native().cudaLmheadXentAccumulate;
      acc(X, Wd, cuda.i32(l1), null, DW2, ACC, { N, C, V, gradScale: 0.5, impl });
      acc(X, Wd, cuda.i32(l2), DX2, DW2, ACC, { N, C, V, gradScale: 0.5, impl });
      const host = new Uint8Array(16);
      ACC.download(host);
      const view = new DataView(host.buffer);
      // Same kernels, same row order: bitwise.
      expect(view.getFloat64(0, true), impl).toBe(a.lossSum + b.lossSum);
      expect(Number(view.getBigInt64(8, true)), impl).toBe(a.count + b.count);
      expect(cuda.readF32(DW2, V * C)).toEqual(cuda.readF32(DW, V * C));
      expect(cuda.readBf16(DX2, N * C)).toEqual(cuda.readBf16(DX, N * C));
    }
  });

  const cases = [
    { B: 1, T: 75, Hq: 4, Hkv: 2, D: 64, packed: true },
    { B: 2, T: 40, Hq: 2, Hkv: 1, D: 128, packed: false },
    { B: 1, T: 90, Hq: 2, Hkv: 2, D: 128, packed: true },
  ];
  for (const c of cases)
    it(`attention forward and backward ${JSON.stringify(c)}, fast and simple`, () => {
      const r = new Rng(seed + 5 + c.T);
      const nq = c.B * c.T * c.Hq * c.D, nkv = c.B * c.T * c.Hkv * c.D, nl = c.B * c.Hq * c.T;
      const q = randBf16(r, nq, 2), k = randBf16(r, nkv), v = randBf16(r, nkv), dout = randBf16(r, nq);
      let seg: Int32Array | null = null;
      if (c.packed) {
        const lengths: number[][] = [], ids: number[][] = [];
        for (let b = 0; b < c.B; b++) {
          const a = 1 + r.int(c.T - 2), m = 1 + r.int(c.T - a - 1);
          lengths.push([a, m, c.T - a - m]);
          ids.push([7, 3, 11]);
        }
        seg = packedSeg(c.B, c.T, lengths, ids);
      }
      const shape = { B: c.B, T: c.T, Hq: c.Hq, Hkv: c.Hkv, D: c.D };
      const ref = attentionForward({ ...shape, q, k, v, seg });
      const refB = attentionBackward({ ...shape, q, k, v, seg, out: ref.out, lse: ref.lse, dout });
      const bounds = seg ? cuda.attentionDocBounds(seg, c.B, c.T) : null;
      const Q = cuda.bf16(q), K = cuda.bf16(k), V = cuda.bf16(v), DO = cuda.bf16(dout);
      for (const impl of impls) {
        const O = cuda.alloc(2 * nq), L = cuda.alloc(4 * nl);
        O.fill(0xff), L.fill(0xff);
        cuda.attentionForward(Q, K, V, bounds, O, L, { ...shape, impl });
        const out = cuda.readBf16(O, nq), lse = cuda.readF32(L, nl);
        // The fast kernel rounds P to bf16 before P V; both round out to bf16.
        expect(relErr(out, ref.out), impl).toBeLessThan(impl === "fast" ? 2e-2 : 8e-3);
        expect(l2Rel(out, ref.out), impl).toBeLessThan(impl === "fast" ? 6e-3 : 4e-3);
        // fp32 sums over up to T keys in another order than the CPU's.
        expect(badElements(lse, ref.lse, 1e-5, new Float32Array(nl).fill(1), 2e-5 + 3e-8 * c.T), impl).toBe(0);
        const DQ = cuda.alloc(2 * nq), DK = cuda.alloc(2 * nkv), DV = cuda.alloc(2 * nkv);
        DQ.fill(0xff), DK.fill(0xff), DV.fill(0xff);
        cuda.attentionBackward(Q, K, V, bounds, O, DO, L, DQ, DK, DV, { ...shape, impl });
        const tol = impl === "fast" ? [3e-2, 1.2e-2] : [2e-2, 8e-3];
        for (const [name, got, want] of [
          ["dq", cuda.readBf16(DQ, nq), refB.dq],
          ["dk", cuda.readBf16(DK, nkv), refB.dk],
          ["dv", cuda.readBf16(DV, nkv), refB.dv],
        ] as const) {
          expect(relErr(got, want), `${impl} ${name}`).toBeLessThan(tol[0]!);
          expect(l2Rel(got, want), `${impl} ${name}`).toBeLessThan(tol[1]!);
        }
      }
    });

  it("attention: bad input is a clear error naming the kernel or argument", () => {
    const shape = { B: 1, T: 16, Hq: 2, Hkv: 2, D: 96 };
    const n = 16 * 2 * 96;
    const A = cuda.alloc(2 * n), L = cuda.alloc(4 * 32);
    expect(() => cuda.attentionForward(A, A, A, null, cuda.alloc(2 * n), L, shape)).toThrow(
      "attention_forward: unsupported head dim D=96",
    );
    expect(() => cuda.attentionForward(A, A, cuda.alloc(10), null, A, L, { ...shape, D: 64 })).toThrow(
      "cudaAttentionForward: 'v' has 10 bytes, needs 4096",
    );
    const seg = new Int32Array([1, 1, 2, 2, 1, 1]);
    expect(() => cuda.attentionDocBounds(seg, 1, 6)).toThrow("document id 1 in two separate runs");
  });
});

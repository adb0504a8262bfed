import { afterAll, describe, expect, it } from "vitest";
import { adamwUpdate, allFinite, sumSquares, type AdamWHyper } from "../src/engine/adamw.js";
import { buildInfo, setThreads } from "../src/engine/native.js";
import { refAdamW, refSumSquares } from "./reference/adamw.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const seed = freshSeed();
const n = 1013; // not a multiple of any vector width

interface Case {
  name: string;
  hyper: Omit<AdamWHyper, "step">;
  anchor?: boolean;
  weights?: boolean;
}

const base = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const cases: Case[] = [
  { name: "no weight decay", hyper: { ...base, weightDecay: 0 } },
  { name: "weight decay 0.1", hyper: { ...base, weightDecay: 0.1 } },
  { name: "gradScale 0.5", hyper: { ...base, weightDecay: 0.1, gradScale: 0.5 } },
  { name: "anchor, weights", hyper: { ...base, beta2: 0.95, weightDecay: 0.1, anchorLambda: 0.3 }, anchor: true, weights: true },
  { name: "anchor, no weights", hyper: { ...base, weightDecay: 0, anchorLambda: 2 }, anchor: true },
];

describe(`adamw (seed ${seed})`, () => {
  afterAll(() => setThreads(2));

  for (const c of cases)
    it(`5 steps match a float64 PyTorch-formula reference: ${c.name}`, () => {
      const r = new Rng(seed + c.name.length * 31);
      const p = r.f32(n), m = new Float32Array(n), v = new Float32Array(n);
      const p0 = c.anchor ? r.f32(n) : undefined;
      const w = c.weights ? Float32Array.from(r.f32(n), (x) => Math.abs(x)) : undefined;
      const rp = Float64Array.from(p), rm = new Float64Array(n), rv = new Float64Array(n);
      for (let step = 1; step <= 5; step++) {
        const g = r.f32(n);
        const hyper = { ...c.hyper, step };
        // One reference step from the kernel's own fp32 state, to check this step's update alone.
        const kp = Float64Array.from(p), km = Float64Array.from(m), kv = Float64Array.from(v), before = kp.slice();
        adamwUpdate({ p, g, m, v, hyper, anchor: p0 ?? null, anchorW: w ?? null });
        refAdamW(rp, g, rm, rv, hyper, p0, w);
        refAdamW(kp, g, km, kv, hyper, p0, w);
        // Trajectory: fp32 state vs float64 rounds p, m, v once per step
        // (~6e-8 relative each; measured <= 2.3e-7 after 5 steps).
        expect(relErr(p, rp)).toBeLessThan(2e-6);
        expect(relErr(m, rm)).toBeLessThan(2e-6);
        expect(relErr(v, rv)).toBeLessThan(2e-6);
        // This step's update (|du| up to ~lr = 1e-2) against its own scale:
        // rounding the new p (|p| < ~4.5, half an ulp <= 2.4e-7) reads as ~2e-5.
        const du = Float64Array.from(p, (x, i) => x - before[i]!), ru = kp.map((x, i) => x - before[i]!);
        expect(relErr(du, ru)).toBeLessThan(1e-4);
      }
    });

  // Generated with Debian's torch 1.13 (/usr/bin/python3):
  //   p = torch.tensor([0.5, -1.25, 2.0, 0.0, 3.0e-3, -0.75, 1.5, -0.02], requires_grad=True)
  //   g = torch.tensor([0.1, -0.2, 0.3, -0.4, 1e-4, 5.0, -3.0, 0.0])
  //   m0 = torch.tensor([0.01, -0.03, 0.02, 0.0, -1e-3, 0.4, -0.2, 0.05])
  //   v0 = torch.tensor([1e-3, 4e-3, 2e-3, 1e-2, 1e-6, 0.3, 0.1, 2e-4])
  //   opt = torch.optim.AdamW([p], lr=LR, betas=(B1, B2), eps=EPS, weight_decay=WD, foreach=False)
  //   opt.state[p] = {"step": torch.tensor(STEP - 1.0), "exp_avg": m0.clone(), "exp_avg_sq": v0.clone()}
  //   p.grad = g.clone(); opt.step()
  //   print([float(x) for x in p.detach()], [float(x) for x in opt.state[p]["exp_avg"]], [float(x) for x in opt.state[p]["exp_avg_sq"]])
  const torchCases = [
    {
      hyper: { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 3 },
      p: [0.49254658818244934, -1.240149736404419, 1.9896385669708252, 0.004213757812976837, 0.015718573704361916, -0.7589232325553894, 1.5075608491897583, -0.06547504663467407],
      m: [0.01899999938905239, -0.04699999839067459, 0.04800000041723251, -0.04000000283122063, -0.0008900000248104334, 0.8600000143051147, -0.47999998927116394, 0.044999998062849045],
      v: [0.0014500000979751348, 0.005800000391900539, 0.006400000303983688, 0.017500000074505806, 9.50499952523387e-7, 1.534999966621399, 0.5450000166893005, 0.00018999999156221747],
    },
    {
      // beta2 = 0.999: float(0.999) is 1.3e-5 off 0.999 in 1 - beta2; PyTorch forms 1 - beta2 in double.
      hyper: { lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01, step: 10 },
      p: [0.49997103214263916, -1.249962329864502, 1.9999457597732544, 1.8246333638671786e-5, 0.0030409088358283043, -0.7500671148300171, 1.500062346458435, -0.020146245136857033],
      m: [0.01899999938905239, -0.04699999839067459, 0.04800000041723251, -0.04000000283122063, -0.0008900000248104334, 0.8600000143051147, -0.47999998927116394, 0.044999998062849045],
      v: [0.0010089999996125698, 0.004035999998450279, 0.002088000066578388, 0.0101500004529953, 9.990100124923629e-7, 0.3247000277042389, 0.10890000313520432, 0.00019979999342467636],
    },
  ];
  for (const tc of torchCases)
    it(`matches torch.optim.AdamW (torch 1.13, fp32) on a hand-checked step: ${JSON.stringify(tc.hyper)}`, () => {
      const p = new Float32Array([0.5, -1.25, 2.0, 0.0, 3.0e-3, -0.75, 1.5, -0.02]);
      const g = new Float32Array([0.1, -0.2, 0.3, -0.4, 1e-4, 5.0, -3.0, 0.0]);
      const m = new Float32Array([0.01, -0.03, 0.02, 0.0, -1e-3, 0.4, -0.2, 0.05]);
      const v = new Float32Array([1e-3, 4e-3, 2e-3, 1e-2, 1e-6, 0.3, 0.1, 2e-4]);
      const p0 = p.slice();
      adamwUpdate({ p, g, m, v, hyper: tc.hyper });
      // Same fp32 formula, possibly different FMA contraction: a few ulp.
      expect(relErr(p, tc.p)).toBeLessThan(1e-6);
      expect(relErr(m, tc.m)).toBeLessThan(1e-6);
      expect(relErr(v, tc.v)).toBeLessThan(1e-6);
      // The update alone (~lr), against its own scale.
      const du = p.map((x, i) => x - p0[i]!), tu = tc.p.map((x, i) => x - p0[i]!);
      expect(relErr(du, tu)).toBeLessThan(1e-4);
    });

  it("sumSquares matches float64 on 1e6 values, identically for 1 and 2 threads", () => {
    const r = new Rng(seed + 3);
    const x = r.f32(1_000_003, 3);
    const ref = refSumSquares(x);
    // Each square is exact in double; two double sums of 1e6 positive terms
    // in different orders differ by ~1e-13 relative.
    const two = sumSquares(x);
    expect(Math.abs(two - ref) / ref).toBeLessThan(1e-11);
    if (buildInfo().openmp) {
      setThreads(1);
      const one = sumSquares(x);
      setThreads(2);
      expect(one).toBe(two);
    }
    expect(sumSquares(new Float32Array(0))).toBe(0);
    expect(sumSquares(new Float32Array([3, -4]))).toBe(25);
  });

  it("allFinite catches NaN and +-Inf, also at the last index", () => {
    const r = new Rng(seed + 5);
    const x = r.f32(1_000_003);
    expect(allFinite(x)).toBe(true);
    expect(allFinite(new Float32Array(0))).toBe(true);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 65_536, x.length - 1]) {
        const y = x.slice();
        y[at] = bad;
        expect(allFinite(y)).toBe(false);
      }
    }
    expect(allFinite(new Float32Array([3.4e38, -3.4e38, 1e-45]))).toBe(true);
  });

  it("rejects bad input with messages naming the argument", () => {
    const r = new Rng(seed + 9);
    const mk = () => ({ p: r.f32(8), g: r.f32(8), m: new Float32Array(8), v: new Float32Array(8) });
    const hyper: AdamWHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, step: 0 } })).toThrow(/'step'/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, step: 1.5 } })).toThrow(/'step' must be an integer/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, lr: -1 } })).toThrow(/'lr' must be >= 0/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, beta1: 1 } })).toThrow(/'beta1' must be in \[0, 1\)/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, beta2: -0.1 } })).toThrow(/'beta2' must be in \[0, 1\)/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, eps: 0 } })).toThrow(/'eps' must be > 0/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, weightDecay: -0.1 } })).toThrow(/'weightDecay'/);
    expect(() => adamwUpdate({ ...mk(), hyper: { ...hyper, lr: NaN } })).toThrow(/'lr' must be finite/);
    expect(() => adamwUpdate({ ...mk(), g: r.f32(7), hyper })).toThrow(/'g' must have 8 elements, got 7/);
    expect(() => adamwUpdate({ ...mk(), v: new Float32Array(9), hyper })).toThrow(/'v' must have 8 elements/);
    expect(() => adamwUpdate({ ...mk(), p: new Float64Array(8) as unknown as Float32Array, hyper })).toThrow(/'p' must be a Float32Array/);
    expect(() => adamwUpdate({ ...mk(), anchor: r.f32(7), hyper })).toThrow(/'anchor' must have 8 elements/);
    expect(() => adamwUpdate({ ...mk(), anchorW: r.f32(8), hyper })).toThrow(/'anchorW' given without 'anchor'/);
    const t = mk();
    expect(() => adamwUpdate({ ...t, v: t.m, hyper })).toThrow(/must not overlap/);
    expect(() => adamwUpdate({ ...t, g: t.p, hyper })).toThrow(/must not overlap/);
    expect(() => sumSquares(new Float64Array(3) as unknown as Float32Array)).toThrow(/'x' must be a Float32Array/);
    expect(() => allFinite([1, 2] as unknown as Float32Array)).toThrow(/'x' must be a Float32Array/);
  });
});

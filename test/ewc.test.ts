// The L2-SP / EWC anchor in the engine: the diagonal Fisher against squared
// per-example gradients, the penalty against a float64 sum, the anchor's
// gradient inside AdamW against the float64 reference optimizer, and a huge
// weight holding the weights at the anchor. (The trainer's side, Fisher file
// and resume: strategies.test.ts.)
import { describe, expect, it } from "vitest";
import { Model, type Batch } from "../src/engine/model.js";
import { refAdamW } from "./reference/adamw.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const cfg = {
  model_type: "llama", vocab_size: 40, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, rms_norm_eps: 1e-5, rope_theta: 10000,
};
const T = 10;
const seed = freshSeed();

function batch(r: Rng, B: number): Batch {
  const inputIds = Int32Array.from({ length: B * T }, () => r.int(cfg.vocab_size));
  const labels = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 || r.next() < 0.3 ? -100 : inputIds[i + 1]!));
  return { inputIds, labels };
}
const row = (b: Batch, i: number): Batch => ({ inputIds: b.inputIds.slice(i * T, (i + 1) * T), labels: b.labels!.slice(i * T, (i + 1) * T) });
const model = () => {
  const m = new Model(cfg);
  m.initWeights(seed % 10000, 0.2);
  return m;
};

describe(`diagonal Fisher (seed ${seed})`, () => {
  it("is the sum over rows of the squared gradient of each row's mean loss (rows without targets skipped), accumulated across calls", () => {
    const r = new Rng(seed);
    const m = model();
    const b1 = batch(r, 4), b2 = batch(r, 2);
    b1.labels!.fill(-100, 2 * T, 3 * T); // row 2 has no target
    expect(m.accumulateFisher(b1, 4, T)).toBe(3);
    expect(m.accumulateFisher(b2, 2, T)).toBe(2);
    // Direct computation: each row alone through lossAndGrad, squares summed in float64.
    const direct = new Map(m.paramNames().map((n) => [n, new Float64Array(m.getParam(n).length)]));
    const rows = [row(b1, 0), row(b1, 1), row(b1, 3), row(b2, 0), row(b2, 1)];
    for (const x of rows) {
      m.lossAndGrad(x, 1, T);
      for (const n of m.paramNames()) {
        const g = m.getGrad(n), d = direct.get(n)!;
        for (let i = 0; i < g.length; i++) d[i] = d[i]! + g[i]! * g[i]!;
      }
    }
    for (const n of m.paramNames()) expect(relErr(m.getFisher(n), direct.get(n)!), n).toBeLessThan(1e-5);
    // Not the square of the summed gradient: a check that could not tell them apart would be vacuous.
    m.lossAndGrad({ inputIds: Int32Array.from([...rows[0]!.inputIds, ...rows[1]!.inputIds]), labels: Int32Array.from([...rows[0]!.labels!, ...rows[1]!.labels!]) }, 2, T);
    const n0 = "model.layers.1.mlp.up_proj.weight";
    expect(relErr(m.getGrad(n0).map((g) => g * g), direct.get(n0)!)).toBeGreaterThan(0.05);
    m.clearFisher();
    expect(m.getFisher(n0).every((x) => x === 0)).toBe(true);
  });
});

describe(`anchor penalty (seed ${seed})`, () => {
  const moved = (r: Rng) => {
    const m = model();
    m.setAnchor();
    const w0 = new Map(m.paramNames().map((n) => [n, m.getParam(n)]));
    for (const n of m.paramNames()) m.setParam(n, m.getParam(n).map((x) => x + 0.05 * r.normal()));
    const F = new Map(m.paramNames().map((n) => [n, Float32Array.from(m.getParam(n), () => r.next() * 3)]));
    for (const [n, f] of F) m.setAnchorWeights(n, f);
    return { m, w0, F };
  };

  it("anchorDistance is 1/2 sum F (w - w0)^2 over trainable tensors", () => {
    const { m, w0, F } = moved(new Rng(seed + 1));
    let want = 0;
    for (const n of m.paramNames()) {
      const w = m.getParam(n), a = w0.get(n)!, f = F.get(n)!;
      for (let i = 0; i < w.length; i++) want += 0.5 * f[i]! * (w[i]! - a[i]!) ** 2;
    }
    expect(Math.abs(m.anchorDistance() - want)).toBeLessThan(1e-9 * want);
    m.setTrainable("model.embed_tokens.weight", false);
    let emb = 0;
    const w = m.getParam("model.embed_tokens.weight"), a = w0.get("model.embed_tokens.weight")!, f = F.get("model.embed_tokens.weight")!;
    for (let i = 0; i < w.length; i++) emb += 0.5 * f[i]! * (w[i]! - a[i]!) ** 2;
    expect(Math.abs(m.anchorDistance() - (want - emb))).toBeLessThan(1e-9 * want);
  });

  it("a step adds lambda * F * (w - w0) to the clipped gradient: weights match float64 AdamW, the penalty is reported", async () => {
    const r = new Rng(seed + 2);
    const { m, w0, F } = moved(r);
    const b = batch(r, 2);
    // The data gradient at the same weights, from a twin without the anchor.
    const twin = model();
    for (const n of m.paramNames()) twin.setParam(n, m.getParam(n));
    const { gradNorm } = twin.lossAndGrad(b, 2, T);
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, gradClip: 0.5, anchorWeight: 4 };
    const clip = Math.min(1, hyper.gradClip / (gradNorm + 1e-6));
    const before = m.getParam("model.norm.weight");
    const res = await m.step([b], 2, T, hyper);
    let dist = 0;
    for (const n of m.paramNames()) {
      const a = w0.get(n)!, f = F.get(n)!, w = twin.getParam(n);
      for (let i = 0; i < a.length; i++) dist += 0.5 * f[i]! * (w[i]! - a[i]!) ** 2;
    }
    expect(Math.abs(res.penalty - hyper.anchorWeight * dist)).toBeLessThan(1e-9 * res.penalty);
    expect(res.gradNorm).toBeCloseTo(gradNorm, 5); // the penalty is not part of the clipped norm
    for (const n of m.paramNames()) {
      const p = Float64Array.from(twin.getParam(n)), mm = new Float64Array(p.length), vv = new Float64Array(p.length);
      refAdamW(p, twin.getGrad(n), mm, vv, { ...hyper, weightDecay: m.paramShape(n).length >= 2 ? hyper.weightDecay : 0, step: 1, gradScale: clip, anchorLambda: hyper.anchorWeight }, w0.get(n)!, F.get(n)!);
      expect(relErr(m.getParam(n), p), n).toBeLessThan(1e-6);
    }
    expect(relErr(m.getParam("model.norm.weight"), before)).toBeGreaterThan(1e-4); // it moved
  });

  it("weight 0 trains exactly as without an anchor", async () => {
    const r = new Rng(seed + 3);
    const a = model(), b = model();
    a.setAnchor();
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
    for (let s = 0; s < 3; s++) {
      const x = batch(r, 2);
      const ra = await a.step([x], 2, T, { ...hyper, anchorWeight: 0 });
      const rb = await b.step([x], 2, T, hyper);
      expect(ra.loss).toBe(rb.loss);
      expect(ra.penalty).toBe(0);
    }
    for (const n of a.paramNames()) expect(Buffer.from(a.getParam(n).buffer).equals(Buffer.from(b.getParam(n).buffer)), n).toBe(true);
  });

  it("a huge weight holds every weight within 2 lr of the anchor, where plain training drifts over 10 lr", async () => {
    // The first step moves each weight by about lr (the pull is zero at w0); from then on lambda * (w - w0)
    // dominates the gradient and Adam's normalised steps oscillate back toward w0.
    const lr = 1e-3;
    const drift = async (anchorWeight: number) => {
      const r = new Rng(seed + 4);
      const m = model();
      m.setAnchor();
      const w0 = new Map(m.paramNames().map((n) => [n, m.getParam(n)]));
      let worst = 0;
      for (let s = 0; s < 40; s++) {
        await m.step([batch(r, 2)], 2, T, { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 1, anchorWeight });
        for (const n of m.paramNames()) {
          const w = m.getParam(n), a = w0.get(n)!;
          for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i]! - a[i]!));
        }
      }
      return worst;
    };
    expect(await drift(1e6)).toBeLessThan(2 * lr);
    expect(await drift(0)).toBeGreaterThan(10 * lr);
  });
});

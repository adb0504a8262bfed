// KL to a reference model in the engine: the objective CE + w * KL(p_ref || p)
// (means over target tokens), its gradient by finite differences with the KL
// computed in float64 from both models' logits, zero KL against a copy of the
// model, and training that stays closer to the reference.
import { describe, expect, it } from "vitest";
import { Model, type Batch } from "../src/engine/model.js";
import { logSoftmax64 } from "./reference/tiny-checkpoint.js";
import { directionalDerivative } from "./reference/directional-derivative.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const cfg = {
  model_type: "llama", vocab_size: 40, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, rms_norm_eps: 1e-5, rope_theta: 10000,
};
const B = 2, T = 10, V = cfg.vocab_size;
const seed = freshSeed();

function batch(r: Rng): Batch {
  const inputIds = Int32Array.from({ length: B * T }, () => r.int(V));
  const labels = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 || r.next() < 0.3 ? -100 : inputIds[i + 1]!));
  return { inputIds, labels };
}
const model = (s: number, std = 0.3) => {
  const m = new Model(cfg);
  m.initWeights(s, std);
  return m;
};

/** Mean over target positions of CE and of KL(q || p), in float64 from fp32 logits. */
function objective64(m: Model, ref: Model, b: Batch): { ce: number; kl: number } {
  const z = m.forwardLogits(b, B, T), zr = ref.forwardLogits(b, B, T);
  let ce = 0, kl = 0, n = 0;
  for (let i = 0; i < B * T; i++) {
    const y = b.labels![i]!;
    if (y === -100) continue;
    const lp = logSoftmax64(z.subarray(i * V, (i + 1) * V)), lq = logSoftmax64(zr.subarray(i * V, (i + 1) * V));
    ce -= lp[y]!;
    for (let j = 0; j < V; j++) kl += Math.exp(lq[j]!) * (lq[j]! - lp[j]!);
    n++;
  }
  return { ce: ce / n, kl: kl / n };
}

describe(`KL to a reference model (seed ${seed})`, () => {
  it("lossAndGrad reports CE and KL separately, and its gradient is that of CE + w * KL (finite differences)", () => {
    const r = new Rng(seed);
    const m = model(seed % 1000), ref = model((seed % 1000) + 1);
    const w = 0.7;
    m.setKlReference(ref, w);
    const b = batch(r);
    const res = m.lossAndGrad(b, B, T);
    const o = objective64(m, ref, b);
    expect(Math.abs(res.loss - o.ce)).toBeLessThan(1e-5 * o.ce);
    expect(o.kl).toBeGreaterThan(0.01);
    expect(Math.abs(res.kl - o.kl)).toBeLessThan(1e-5 * o.kl);
    const J = () => {
      const x = objective64(m, ref, b);
      return x.ce + w * x.kl;
    };
    for (const name of ["lm_head.weight", "model.layers.1.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight", "model.embed_tokens.weight", "model.norm.weight"]) {
      const { analytic: gd, fd } = directionalDerivative(m, name, r.f32(m.getParam(name).length), J);
      expect(Math.abs(fd - gd), `${name}: fd ${fd} vs analytic ${gd}`).toBeLessThan(0.01 * Math.abs(gd) + 5e-4);
    }
  });

  it("against a copy of the model itself the KL is 0 and the gradient is the plain CE gradient", () => {
    const r = new Rng(seed + 1);
    const m = model(seed % 1000), copy = model(seed % 1000), plain = model(seed % 1000);
    m.setKlReference(copy, 3);
    const b = batch(r);
    const res = m.lossAndGrad(b, B, T);
    expect(Math.abs(res.kl)).toBeLessThan(1e-7);
    plain.lossAndGrad(b, B, T);
    for (const n of m.paramNames()) expect(relErr(m.getGrad(n), plain.getGrad(n)), n).toBeLessThan(1e-5);
  });

  it("training with the KL term keeps the model's distribution on its data near the reference's; the step reports kl", async () => {
    // Two batches seen over and over: plain training fits them and moves far from the reference
    // there; a large KL weight holds the distribution on those batches close to it.
    const data = (() => {
      const r = new Rng(seed + 2);
      return [batch(r), batch(r)];
    })();
    const run = async (w: number) => {
      const m = model(seed % 1000), ref = model(seed % 1000);
      if (w > 0) m.setKlReference(ref, w);
      const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 1 };
      let kl = 0;
      for (let s = 0; s < 40; s++) kl = (await m.step([data[s % 2]!], B, T, hyper)).kl;
      const after = (objective64(m, ref, data[0]!).kl + objective64(m, ref, data[1]!).kl) / 2;
      return { kl, after };
    };
    const withKl = await run(1000), without = await run(0);
    expect(withKl.kl).toBeGreaterThan(0);
    expect(without.kl).toBe(0);
    expect(withKl.after).toBeLessThan(0.1 * without.after);
  });

  it("refuses a reference with another vocabulary, the model itself, and a step while the reference is busy", async () => {
    const m = model(1);
    expect(() => m.setKlReference(new Model({ ...cfg, vocab_size: 41 }), 1)).toThrow(/vocab_size 41, this model 40/);
    expect(() => m.setKlReference(m, 1)).toThrow(/another model/);
    const ref = model(2), other = model(3);
    m.setKlReference(ref, 1);
    other.setKlReference(ref, 1);
    const b = batch(new Rng(seed));
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 1 };
    const p = m.step([b], B, T, hyper);
    await expect(other.step([b], B, T, hyper)).rejects.toThrow(/busy/);
    await p;
    await other.step([b], B, T, hyper);
    m.setKlReference(null);
    expect((await m.step([b], B, T, hyper)).kl).toBe(0);
  });
});

// Frozen tensors and per-tensor LR scales in the engine, and the layer-spec
// grammar behind --freeze-layers / --lr-scale.
import { describe, expect, it } from "vitest";
import { Model, type Batch } from "../src/engine/model.js";
import { tensorsOfSpec } from "../src/train/layer-spec.js";
import { freshSeed, Rng } from "./reference/random.js";

const cfg = {
  model_type: "llama", vocab_size: 40, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 3,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, rms_norm_eps: 1e-5, rope_theta: 10000,
};
const B = 2, T = 12;
const seed = freshSeed();

function batch(r: Rng): Batch {
  const inputIds = Int32Array.from({ length: B * T }, () => r.int(cfg.vocab_size));
  const labels = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 ? -100 : inputIds[i + 1]!));
  return { inputIds, labels };
}
const model = () => {
  const m = new Model(cfg);
  m.initWeights(seed % 10000, 0.2);
  return m;
};
const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe(`frozen tensors (seed ${seed})`, () => {
  const frozenSpec = "embed,0,norm";

  it("stay bit for bit unchanged over steps (no update, no decay, no Adam state) while every other tensor moves", async () => {
    const r = new Rng(seed);
    const m = model();
    const frozen = tensorsOfSpec(frozenSpec, m, "freeze-layers");
    expect(frozen).toContain("model.embed_tokens.weight");
    expect(frozen).toContain("model.layers.0.mlp.down_proj.weight");
    expect(frozen).toContain("model.norm.weight");
    expect(frozen.some((n) => n.startsWith("model.layers.1."))).toBe(false);
    for (const n of frozen) m.setTrainable(n, false);
    const before = new Map(m.paramNames().map((n) => [n, m.getParam(n)]));
    for (let s = 0; s < 4; s++) await m.step([batch(r)], B, T, hyper);
    for (const n of m.paramNames()) {
      if (frozen.includes(n)) {
        expect(same(m.getParam(n), before.get(n)!), `${n} is frozen`).toBe(true);
        const st = m.getOptimizerState(n);
        expect(st.m.every((x) => x === 0) && st.v.every((x) => x === 0), `${n} has Adam state`).toBe(true);
        expect(m.getGrad(n).every((x) => x === 0), `${n} has a gradient`).toBe(true);
      } else expect(same(m.getParam(n), before.get(n)!), `${n} did not train`).toBe(false);
    }
  });

  it("leave the trainable tensors' gradients exactly as without freezing; the clipping norm covers trainable tensors only", () => {
    const r = new Rng(seed + 1);
    const b = batch(r);
    const free = model(), part = model();
    const frozen = tensorsOfSpec(frozenSpec, part, "freeze-layers");
    for (const n of frozen) part.setTrainable(n, false);
    free.lossAndGrad(b, B, T);
    const res = part.lossAndGrad(b, B, T);
    let ss = 0;
    for (const n of free.paramNames()) {
      if (frozen.includes(n)) continue;
      expect(same(part.getGrad(n), free.getGrad(n)), n).toBe(true);
      for (const g of free.getGrad(n)) ss += g * g;
    }
    expect(Math.abs(res.gradNorm - Math.sqrt(ss))).toBeLessThan(1e-6 * Math.sqrt(ss));
    expect(part.numTrainable()).toBe(free.numTrainable() - frozen.reduce((a, n) => a + free.getParam(n).length, 0));
  });

  it("freezing everything is refused", async () => {
    const m = model();
    for (const n of m.paramNames()) m.setTrainable(n, false);
    await expect(m.step([batch(new Rng(seed))], B, T, hyper)).rejects.toThrow(/every tensor is frozen/);
  });
});

describe(`per-tensor LR scale (seed ${seed})`, () => {
  it("a tensor with scale s takes exactly the step it would take at lr * s", async () => {
    const r = new Rng(seed + 2);
    const b = batch(r);
    const name = "model.layers.1.self_attn.v_proj.weight";
    const scaled = model(), plain = model();
    scaled.setLrScale(name, 0.25);
    await scaled.step([b], B, T, hyper);
    await plain.step([b], B, T, { ...hyper, lr: Math.fround(Math.fround(hyper.lr) * 0.25) });
    expect(same(scaled.getParam(name), plain.getParam(name))).toBe(true);
    // and the other tensors took the full step, so they differ from the lr * s run
    expect(same(scaled.getParam("model.layers.1.mlp.up_proj.weight"), plain.getParam("model.layers.1.mlp.up_proj.weight"))).toBe(false);
    expect(() => scaled.setLrScale(name, -1)).toThrow(/must be finite and >= 0/);
  });
});

describe("layer specs", () => {
  const m = model();
  const tied = new Model({ ...cfg, tie_word_embeddings: true });
  it("name layers, ranges, embed, lm_head and norm", () => {
    expect(tensorsOfSpec("1-2", m, "x").every((n) => /^model\.layers\.[12]\./.test(n))).toBe(true);
    expect(tensorsOfSpec("1-2", m, "x").length).toBe(2 * 9);
    expect(tensorsOfSpec(" 2 , lm_head ", m, "x")).toEqual([...m.paramNames().filter((n) => n.startsWith("model.layers.2.")), "lm_head.weight"]);
    expect(tensorsOfSpec("lm_head", tied, "x")).toEqual(["model.embed_tokens.weight"]);
  });
  it("errors name the bad part", () => {
    expect(() => tensorsOfSpec("0-3", m, "freeze-layers")).toThrow("option 'freeze-layers': part '0-3' is out of range: the model has 3 layers (0-2)");
    expect(() => tensorsOfSpec("embeds", m, "freeze-layers")).toThrow(/part 'embeds' is not a layer index, a range A-B, 'embed', 'lm_head' or 'norm'/);
    expect(() => tensorsOfSpec("2-1", m, "freeze-layers")).toThrow(/part '2-1' is an empty range/);
    expect(() => tensorsOfSpec("0,,1", m, "freeze-layers")).toThrow(/part '' is empty/);
  });
});

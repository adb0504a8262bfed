// LoRA in the engine: the forward against a float64 model with merged weights,
// gradients of A and B by finite differences, the merge, and training that
// moves only the factors. (Resume with LoRA state: strategies.test.ts.)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LORA_TARGETS, Model, type Batch, type LoraTarget } from "../src/engine/model.js";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { forward64 } from "./reference/llama64.js";
import { directionalDerivative } from "./reference/directional-derivative.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const cfg = {
  model_type: "qwen2", vocab_size: 40, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, rms_norm_eps: 1e-5, rope_theta: 10000,
  tie_word_embeddings: false,
};
const B = 2, T = 10, rank = 3, alpha = 5;
const seed = freshSeed();
const projOf: Record<LoraTarget, string> = { q: "self_attn.q_proj", k: "self_attn.k_proj", v: "self_attn.v_proj", o: "self_attn.o_proj", gate: "mlp.gate_proj", up: "mlp.up_proj", down: "mlp.down_proj" };

function batch(r: Rng): Batch {
  const inputIds = Int32Array.from({ length: B * T }, () => r.int(cfg.vocab_size));
  const labels = Int32Array.from({ length: B * T }, (_, i) => ((i + 1) % T === 0 || r.next() < 0.2 ? -100 : inputIds[i + 1]!));
  return { inputIds, labels };
}

/** A model with LoRA on `targets` and random (nonzero) B, so A's gradient is exercised too. */
function loraModel(r: Rng, targets: readonly LoraTarget[] = LORA_TARGETS) {
  const m = new Model(cfg);
  m.initWeights(seed % 10000, 0.3);
  for (const n of m.paramNames()) if (n.endsWith(".bias")) m.setParam(n, r.f32(m.getParam(n).length, 0.1));
  m.enableLora({ rank, alpha, targets, seed: seed % 1000 });
  for (const n of m.loraParamNames()) if (n.includes("lora_B")) m.setParam(n, r.f32(m.getParam(n).length, 0.2));
  return m;
}

/** W + (alpha/r) B A in float64 from the factors. */
function merged64(m: Model, name: string): Float64Array {
  const base = name.slice(0, -".weight".length);
  const W = m.getParam(name), [out, inn] = m.paramShape(name) as [number, number];
  const A = m.getParam(`${base}.lora_A.weight`), Bm = m.getParam(`${base}.lora_B.weight`);
  const w = Float64Array.from(W);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inn; i++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += Bm[o * rank + k]! * A[k * inn + i]!;
      w[o * inn + i] = w[o * inn + i]! + (alpha / rank) * s;
    }
  return w;
}

describe(`LoRA (seed ${seed})`, () => {
  it("adds [r, in] A and [out, r] B per targeted projection, A ~ U(+-1/sqrt(in)) and B = 0, so the model starts unchanged", () => {
    const m = new Model(cfg);
    m.initWeights(seed % 10000, 0.3);
    const r = new Rng(seed);
    const b = batch(r);
    const before = m.forwardLogits(b, B, T);
    m.enableLora({ rank, alpha, targets: ["q", "down"], seed: 7 });
    expect(m.loraParamNames()).toEqual(["model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.0.self_attn.q_proj.lora_B.weight", "model.layers.0.mlp.down_proj.lora_A.weight", "model.layers.0.mlp.down_proj.lora_B.weight", "model.layers.1.self_attn.q_proj.lora_A.weight", "model.layers.1.self_attn.q_proj.lora_B.weight", "model.layers.1.mlp.down_proj.lora_A.weight", "model.layers.1.mlp.down_proj.lora_B.weight"]);
    expect(m.paramShape("model.layers.0.mlp.down_proj.lora_A.weight")).toEqual([rank, cfg.intermediate_size]);
    expect(m.paramShape("model.layers.0.mlp.down_proj.lora_B.weight")).toEqual([cfg.hidden_size, rank]);
    const A = m.getParam("model.layers.1.mlp.down_proj.lora_A.weight");
    const bound = 1 / Math.sqrt(cfg.intermediate_size);
    expect(Math.max(...A.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...A.map(Math.abs))).toBeGreaterThan(0.8 * bound); // spread over the range, not tiny
    expect(m.getParam("model.layers.1.mlp.down_proj.lora_B.weight").every((x) => x === 0)).toBe(true);
    expect(m.paramNames().every((n) => !m.isTrainable(n))).toBe(true);
    expect(Buffer.from(m.forwardLogits(b, B, T).buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(() => m.enableLora({ rank, alpha, targets: ["q"], seed: 1 })).toThrow(/already enabled/);
    expect(() => new Model(cfg).enableLora({ rank, alpha, targets: ["qq" as LoraTarget], seed: 1 })).toThrow(/'qq' is not one of q, k, v, o, gate, up, down/);
  });

  it("the forward equals a float64 model whose projections are W + (alpha/r) B A", () => {
    const r = new Rng(seed + 1);
    const m = loraModel(r);
    const b = batch(r);
    const ref = forward64(m.config, (n) => (/_proj\.weight$/.test(n) ? merged64(m, n) : m.getParam(n)), b.inputIds, B, T);
    expect(relErr(m.forwardLogits(b, B, T), ref.logits)).toBeLessThan(2e-5);
  });

  it("mergedParam and the merged() view equal base + (alpha/r) B A; saved through the view, a plain model reloads the same function", () => {
    const r = new Rng(seed + 2);
    const m = loraModel(r, ["k", "o", "up"]);
    for (const t of LORA_TARGETS) {
      const n = `model.layers.1.${projOf[t]}.weight`;
      if (["k", "o", "up"].includes(t)) expect(relErr(m.mergedParam(n), merged64(m, n)), n).toBeLessThan(1e-6);
      else expect(Buffer.from(m.mergedParam(n).buffer).equals(Buffer.from(m.getParam(n).buffer)), n).toBe(true);
    }
    const view = m.merged();
    expect(relErr(view.getParam("model.layers.0.mlp.up_proj.weight"), merged64(m, "model.layers.0.mlp.up_proj.weight"))).toBeLessThan(1e-6);
    const dir = mkdtempSync(join(tmpdir(), "midtrain-lora-"));
    saveCheckpoint(dir, view, { config: cfg });
    const plain = loadCheckpoint(dir).model;
    expect(plain.loraParamNames()).toEqual([]);
    const b = batch(r);
    expect(relErr(plain.forwardLogits(b, B, T), m.forwardLogits(b, B, T))).toBeLessThan(1e-5);
  });

  it("gradients of A and B match finite differences of the loss; the base gets none", () => {
    const r = new Rng(seed + 3);
    const m = loraModel(r);
    const b = batch(r);
    m.lossAndGrad(b, B, T);
    const loss = () => {
      const e = m.evalLoss(b, B, T);
      return e.lossSum / e.count;
    };
    for (const n of m.paramNames()) expect(m.getGrad(n).every((x) => x === 0), n).toBe(true);
    // Directional derivative per factor (reference/directional-derivative.ts): 1% catches a wrong or missing term.
    for (const name of m.loraParamNames()) {
      const { analytic: gd, fd } = directionalDerivative(m, name, r.f32(m.getParam(name).length), loss);
      expect(Math.abs(fd - gd), `${name}: fd ${fd} vs analytic ${gd}`).toBeLessThan(0.01 * Math.abs(gd) + 5e-4);
    }
  });

  it("training moves only the factors, lowers the loss, and keeps Adam state only for them", async () => {
    const r = new Rng(seed + 4);
    const m = new Model(cfg);
    m.initWeights(seed % 10000, 0.3);
    m.enableLora({ rank, alpha, targets: LORA_TARGETS, seed: 3 });
    const base = new Map(m.paramNames().map((n) => [n, m.getParam(n)]));
    const b = batch(r);
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, gradClip: 1.0 };
    const first = (await m.step([b], B, T, hyper)).loss;
    let last = first;
    for (let s = 0; s < 15; s++) last = (await m.step([b], B, T, hyper)).loss;
    expect(last).toBeLessThan(first - 0.2);
    for (const n of m.paramNames()) {
      expect(Buffer.from(m.getParam(n).buffer).equals(Buffer.from(base.get(n)!.buffer)), n).toBe(true);
      expect(m.getOptimizerState(n).v.every((x) => x === 0), n).toBe(true);
    }
    for (const n of m.loraParamNames()) expect(m.getOptimizerState(n).v.some((x) => x > 0), n).toBe(true);
    expect(m.getParam("model.layers.0.self_attn.v_proj.lora_B.weight").some((x) => x !== 0)).toBe(true);
    expect(m.numTrainable()).toBe(m.loraParamNames().reduce((a, n) => a + m.getParam(n).length, 0));
  });
});

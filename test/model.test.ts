// The whole model: finite-difference gradients, gradient accumulation,
// packed documents, determinism and bad input. (PyTorch parity: model-torch.test.ts.)
import { describe, expect, it } from "vitest";
import { Model, type Batch } from "../src/engine/model.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const base = {
  model_type: "llama",
  vocab_size: 40,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
};

function batch(r: Rng, B: number, T: number, V: number, docs = true): Batch {
  const inputIds = new Int32Array(B * T), labels = new Int32Array(B * T), segmentIds = new Int32Array(B * T);
  for (let row = 0; row < B; row++) {
    let seg = 0;
    for (let t = 0; t < T; t++) {
      if (docs && t > 0 && r.next() < 0.15) seg++;
      segmentIds[row * T + t] = seg;
      inputIds[row * T + t] = r.int(V);
    }
    for (let t = 0; t < T; t++) {
      const i = row * T + t;
      const sameDoc = t + 1 < T && segmentIds[i + 1] === segmentIds[i];
      labels[i] = sameDoc && r.next() > 0.2 ? inputIds[i + 1]! : -100;
    }
  }
  return { inputIds, labels, segmentIds };
}

function perturbedLoss(m: Model, b: Batch, B: number, T: number, name: string, dir: Float32Array, h: number, p0: Float32Array): number {
  const p = new Float32Array(p0.length);
  for (let i = 0; i < p.length; i++) p[i] = p0[i]! + h * dir[i]!;
  m.setParam(name, p);
  const r = m.evalLoss(b, B, T);
  return r.lossSum / r.count;
}

const seed = freshSeed();

describe(`model gradients by finite differences (seed ${seed})`, () => {
  const variants: [string, Record<string, unknown>][] = [
    ["llama GQA untied", { ...base }],
    ["qwen2 bias tied", { ...base, model_type: "qwen2", tie_word_embeddings: true }],
    ["qwen3 qk-norm, llama3 rope", { ...base, model_type: "qwen3", rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 } }],
  ];
  for (const [label, cfg] of variants)
    it(label, () => {
      const r = new Rng(seed);
      const m = new Model(cfg);
      m.initWeights(seed % 1000, 0.3);
      // Random norm weights and biases, so their gradients are exercised away from 1 and 0.
      for (const n of m.paramNames())
        if (n.includes("norm") || n.endsWith(".bias")) m.setParam(n, r.f32(m.getParam(n).length, 0.2).map((x) => (n.includes("norm") ? 1 + x : x)));
      const B = 2, T = 11;
      const b = batch(r, B, T, base.vocab_size);
      m.lossAndGrad(b, B, T);
      // Directional derivative along a random direction per tensor, by
      // central differences in fp32 with Richardson extrapolation over h and
      // h/2 (cancels the h^2 truncation term, large for tied embeddings);
      // rounding ~1e-7*loss/h remains, so 1% agreement catches any wrong or
      // missing term.
      for (const name of m.paramNames()) {
        const g = m.getGrad(name), p0 = m.getParam(name);
        const dir = r.f32(p0.length);
        let gd = 0, dn = 0;
        for (let i = 0; i < g.length; i++) (gd += g[i]! * dir[i]!), (dn += dir[i]! * dir[i]!);
        const central = (h: number) => (perturbedLoss(m, b, B, T, name, dir, h, p0) - perturbedLoss(m, b, B, T, name, dir, -h, p0)) / (2 * h);
        const h = 2e-3 / Math.sqrt(dn / p0.length);
        const fd = (4 * central(h / 2) - central(h)) / 3;
        m.setParam(name, p0);
        expect(Math.abs(fd - gd), `${name}: fd ${fd} vs analytic ${gd}`).toBeLessThan(0.01 * Math.abs(gd) + 5e-4);
      }
    });
});

describe(`model behaviour (seed ${seed})`, () => {
  it("a packed document gives the same logits as the document alone", () => {
    const r = new Rng(seed + 1);
    const m = new Model(base);
    m.initWeights(3, 0.3);
    const T = 12, V = base.vocab_size;
    const ids = Int32Array.from({ length: T }, () => r.int(V));
    // Row: doc A = ids[0..5), doc B = ids[5..12). Alone: doc B from position 0.
    const seg = Int32Array.from({ length: T }, (_, t) => (t < 5 ? 0 : 1));
    const packed = m.forwardLogits({ inputIds: ids, segmentIds: seg }, 1, T);
    const alone = m.forwardLogits({ inputIds: ids.slice(5) }, 1, T - 5);
    expect(relErr(packed.slice(5 * V), alone)).toBeLessThan(1e-5);
    // ... and differs when the boundary is ignored (the check can fail).
    const unpacked = m.forwardLogits({ inputIds: ids }, 1, T);
    expect(relErr(unpacked.slice(5 * V), alone)).toBeGreaterThan(1e-3);
  });

  it("gradient accumulation equals one big batch, with the loss normalised by all target tokens", async () => {
    const r = new Rng(seed + 2);
    const B = 2, T = 10, V = base.vocab_size;
    const b1 = batch(r, B, T, V), b2 = batch(r, B, T, V);
    // Make the micro-batches' target counts very different: a mean of means would disagree.
    b2.labels!.fill(-100, 0, 15);
    const cat = (x: Int32Array, y: Int32Array) => Int32Array.from([...x, ...y]);
    const big: Batch = { inputIds: cat(b1.inputIds, b2.inputIds), labels: cat(b1.labels!, b2.labels!), segmentIds: cat(b1.segmentIds!, b2.segmentIds!) };
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    const a = new Model(base), c = new Model(base);
    a.initWeights(5, 0.2), c.initWeights(5, 0.2);
    const ra = await a.step([b1, b2], B, T, hyper);
    const rc = await c.step([big], 2 * B, T, hyper);
    expect(Math.abs(ra.loss - rc.loss)).toBeLessThan(1e-6 * rc.loss);
    expect(ra.targets).toBe(rc.targets);
    expect(Math.abs(ra.gradNorm - rc.gradNorm)).toBeLessThan(1e-5 * rc.gradNorm);
    // The accumulated gradients (kept after the step) agree to fp32 summation
    // order. Weights are not compared: one Adam step moves each weight by
    // lr * sign(g), and for coordinates with g ~ 0 that sign is rounding noise.
    for (const n of a.paramNames()) expect(relErr(a.getGrad(n), c.getGrad(n)), n).toBeLessThan(1e-5);
  });

  it("training is deterministic and lowers the loss", async () => {
    const r = new Rng(seed + 3);
    const B = 2, T = 16;
    const b = batch(r, B, T, base.vocab_size, false);
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.0, gradClip: 0 };
    const run = async () => {
      const m = new Model(base);
      m.initWeights(11, 0.1);
      const losses: number[] = [];
      for (let i = 0; i < 15; i++) losses.push((await m.step([b], B, T, hyper)).loss);
      return { m, losses };
    };
    const x = await run(), y = await run();
    expect(x.losses).toEqual(y.losses);
    for (const n of x.m.paramNames()) expect(x.m.getParam(n)).toEqual(y.m.getParam(n));
    expect(x.losses[14]!).toBeLessThan(0.7 * x.losses[0]!);
    expect(x.m.stepCount).toBe(15);
  });
});

describe("model bad input", () => {
  it("refuses impossible configs naming the field", () => {
    expect(() => new Model({ ...base, num_attention_heads: 3 })).toThrow(/num_key_value_heads|num_attention_heads/);
    expect(() => new Model({ ...base, num_key_value_heads: 3 })).toThrow(/num_key_value_heads/);
    expect(() => new Model({ ...base, head_dim: undefined, hidden_size: 30 })).toThrow(/hidden_size/);
    expect(() => new Model({ ...base, vocab_size: 0 })).toThrow(/vocab_size/);
    expect(() => new Model({ ...base, model_type: "mixtral" })).toThrow(/model_type/);
    expect(() => new Model({ ...base, model_type: "mistral", sliding_window: 4096 })).toThrow(/sliding_window/);
  });
  it("refuses bad batches and values with clear messages", async () => {
    const m = new Model(base);
    const T = 4;
    const ok = { inputIds: new Int32Array([1, 2, 3, 4]), labels: new Int32Array([2, 3, 4, -100]) };
    expect(() => m.forwardLogits({ inputIds: new Int32Array(3) }, 1, T)).toThrow(/inputIds' must have 4 elements/);
    expect(() => m.forwardLogits({ inputIds: new Float32Array(4) as unknown as Int32Array }, 1, T)).toThrow(/Int32Array/);
    expect(() => m.evalLoss({ inputIds: new Int32Array([1, 2, 99, 4]), labels: ok.labels }, 1, T)).toThrow(/99/);
    await expect(m.step([{ ...ok, labels: new Int32Array([1, 2, 40, -100]) }], 1, T, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 0 })).rejects.toThrow(/labels\[2\] = 40/);
    await expect(m.step([{ ...ok, labels: new Int32Array(4).fill(-100) }], 1, T, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 0 })).rejects.toThrow(/no target tokens/);
    expect(() => m.setParam("model.norm.weight", new Float32Array(32).fill(NaN))).toThrow(/not finite/);
    expect(() => m.setParam("model.nope", new Float32Array(1))).toThrow(/no parameter named 'model.nope'/);
    await expect(m.step([ok], 1, T, { lr: 1e-3 } as never)).rejects.toThrow(/beta1/);
  });
  it("a non-finite gradient leaves the weights untouched", async () => {
    const m = new Model(base);
    m.initWeights(1, 1e3); // huge weights overflow the activations
    const before = m.getParam("model.layers.0.self_attn.q_proj.weight");
    const T = 8;
    const b = { inputIds: Int32Array.from({ length: T }, (_, i) => i), labels: Int32Array.from({ length: T }, (_, i) => (i + 1) % 40) };
    for (const n of m.paramNames()) if (n.includes("norm")) m.setParam(n, new Float32Array(m.getParam(n).length).fill(1e30));
    const opt = { m: m.getOptimizerState("model.layers.0.self_attn.q_proj.weight") };
    const r = await m.step([b], 1, T, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 });
    expect(r.skipped).toBe(true);
    expect(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm)).toBe(false);
    expect(m.getParam("model.layers.0.self_attn.q_proj.weight")).toEqual(before);
    expect(m.getOptimizerState("model.layers.0.self_attn.q_proj.weight")).toEqual(opt.m);
    expect(m.stepCount).toBe(0);
  });
  it("rejects calls while a step is running", async () => {
    const m = new Model(base);
    const T = 4;
    const b = { inputIds: new Int32Array([1, 2, 3, 4]), labels: new Int32Array([2, 3, 4, -100]) };
    const p = m.step([b], 1, T, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 0 });
    expect(() => m.getParam("model.norm.weight")).toThrow(/busy/);
    await p;
    expect(m.getParam("model.norm.weight").length).toBe(32);
  });
});

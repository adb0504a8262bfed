// The CUDA model (native/model/cuda_llama.cpp) against the CPU model: loss,
// gradients and AdamW steps on tiny configs, bf16 against fp32. Runs where the
// addon has the CUDA backend and a device: a GPU build, or the CPU emulation
// (docs/cuda.md "The model backend": build-emu + MIDTRAIN_NATIVE). Elsewhere
// the parity tests skip, saying why; the error for --device cuda is checked on
// every build.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model, engineDevice, planCudaMemory, type Batch } from "../src/engine/model.js";
import { native } from "../src/engine/native.js";
import { engineConfig } from "../src/model/config.js";
import { modelFingerprint, restoreTraining, saveTrainingCheckpoint } from "../src/train/checkpointing.js";
import { freshSeed, Rng } from "./reference/random.js";

const addon = native();
const hasCudaModel = (addon.buildInfo() as { cuda: boolean }).cuda === true;
const info = typeof addon.cudaInfo === "function" ? (addon.cudaInfo() as { devices: unknown[]; reason?: string }) : null;
const why = !hasCudaModel
  ? "this addon has no CUDA model (default CPU build); see docs/cuda.md 'The model backend' to run it on the emulation"
  : info && info.devices.length === 0
    ? `no CUDA device (${info.reason ?? "none"})`
    : null;
if (why) console.warn(`cuda-model: parity tests skipped: ${why}`);

function config(over: Record<string, unknown> = {}) {
  return {
    model_type: "llama",
    vocab_size: 96,
    hidden_size: 128,
    intermediate_size: 192,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    head_dim: 64,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: false,
    ...over,
  };
}

// Two packed documents per row, and ignored labels, so document bounds and -100 are exercised.
function batch(rng: Rng, B: number, T: number, V: number): Batch {
  const N = B * T;
  const inputIds = new Int32Array(N), labels = new Int32Array(N), segmentIds = new Int32Array(N);
  for (let r = 0; r < B; r++) {
    const cut = 3 + Math.floor(rng.next() * (T - 6));
    for (let t = 0; t < T; t++) {
      const i = r * T + t;
      inputIds[i] = Math.floor(rng.next() * V);
      segmentIds[i] = t < cut ? 2 * r : 2 * r + 1;
      labels[i] = rng.next() < 0.2 ? -100 : Math.floor(rng.next() * V);
    }
  }
  return { inputIds, labels, segmentIds };
}

function norm(a: Float32Array): number {
  let n = 0;
  for (const x of a) n += x * x;
  return Math.sqrt(n);
}

function relErr(a: Float32Array, ref: Float32Array): number {
  let e = 0, n = 0;
  for (let i = 0; i < ref.length; i++) (e += (a[i]! - ref[i]!) ** 2), (n += ref[i]! ** 2);
  return Math.sqrt(e / Math.max(n, 1e-30));
}

// Elements of a set of tensors as the flat buffers lay them out (each on a 16-float boundary).
function padded(m: Model, names: readonly string[]): number {
  return names.reduce((a, n) => a + Math.ceil(m.paramShape(n).reduce((x, y) => x * y, 1) / 16) * 16, 0);
}

// The weight state a CUDA model allocates (docs/cuda.md): 6 bytes a parameter (fp32 master, bf16 copy) plus 12
// a trainable one (fp32 gradient, AdamW m and v), above which only 256-byte alignment of 7 slices, the rope
// table, the step stats and the clip workspace come: under 4 KiB for the test models.
function expectedWeightsBytes(m: Model): number {
  const all = [...m.paramNames(), ...m.loraParamNames()];
  return 6 * padded(m, all) + 12 * padded(m, all.filter((n) => m.isTrainable(n)));
}

function pair(cfg: Record<string, unknown>, seed: number): { cpu: Model; gpu: Model } {
  const cpu = new Model(cfg, "cfg", "cpu"), gpu = new Model(cfg, "cfg", "cuda");
  // std 0.08: logits far enough from uniform that the loss and gradients carry signal.
  cpu.initWeights(seed, 0.08);
  gpu.initWeights(seed, 0.08);
  return { cpu, gpu };
}

describe("--device cuda", () => {
  it.runIf(!hasCudaModel)("is a clear error on an addon without the CUDA backend", () => {
    expect(() => engineDevice("cuda")).toThrow(/no CUDA backend.*--device cpu/);
    expect(() => new Model(config(), "cfg", "cuda")).toThrow(/no CUDA backend/);
    expect(engineDevice("auto")).toBe("cpu");
    expect(() => planCudaMemory(config(), 1, 8, false)).toThrow(/needs an addon with the CUDA backend/);
  });
});

describe.skipIf(why !== null)("CUDA model vs CPU model (bf16 vs fp32)", () => {
  // bf16 activations and weights against fp32: one rounding is 2^-8 relative; through two
  // layers, attention and the LM head the measured errors are ~3e-3 (loss) and ~1-2e-2 (grads).
  const LOSS_TOL = 1e-2, GRAD_TOL = 4e-2;
  // Logits: bf16 final hidden state and LM head, fp32 accumulation (measured up to ~1e-2). The weight update of
  // two or three Adam steps, compared as ||dw_gpu - dw_cpu|| / ||dw_cpu|| (measured 0.05-0.13).
  const LOGIT_TOL = 2e-2, UPDATE_TOL = 0.2;
  // The mean KL between two models' next-token distributions, each from bf16 logits: measured ~1-2e-4 relative
  // for a KL of ~0.6 nats, as close as the loss.
  const KL_TOL = 1e-2;

  for (const [name, over] of [
    ["llama (GQA, D=64, untied)", {}],
    ["qwen2 (q/k/v bias, tied embeddings)", { model_type: "qwen2", attention_bias: true, tie_word_embeddings: true }],
    ["qwen3 (q/k norm, D=32 on the simple kernels)", { model_type: "qwen3", qk_norm: true, head_dim: 32, num_attention_heads: 4, num_key_value_heads: 2 }],
  ] as const) {
    it(`${name}: loss and every gradient`, () => {
      const seed = freshSeed() % 1_000_000;
      const cfg = config(over);
      const { cpu, gpu } = pair(cfg, seed);
      const b = batch(new Rng(seed + 1), 2, 24, cfg.vocab_size);
      const rc = cpu.lossAndGrad(b, 2, 24), rg = gpu.lossAndGrad(b, 2, 24);
      expect(rg.count).toBe(rc.count);
      expect(Math.abs(rg.loss - rc.loss) / rc.loss, `seed ${seed}`).toBeLessThan(LOSS_TOL);
      expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, `seed ${seed}`).toBeLessThan(GRAD_TOL);
      expect(gpu.paramNames()).toEqual(cpu.paramNames());
      for (const p of cpu.paramNames()) {
        const g = cpu.getGrad(p);
        expect(relErr(gpu.getGrad(p), g), `${p}, seed ${seed}`).toBeLessThan(GRAD_TOL);
      }
    });
  }

  it("AdamW steps with gradient accumulation track the CPU model", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config();
    const { cpu, gpu } = pair(cfg, seed);
    const rng = new Rng(seed + 7);
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    for (let s = 0; s < 3; s++) {
      const micro = [batch(rng, 2, 16, cfg.vocab_size), batch(rng, 2, 16, cfg.vocab_size)];
      const rc = await cpu.step(micro, 2, 16, hyper), rg = await gpu.step(micro, 2, 16, hyper);
      expect(rg.step).toBe(rc.step);
      expect(rg.targets).toBe(rc.targets);
      expect(Math.abs(rg.loss - rc.loss) / rc.loss, `step ${s}, seed ${seed}`).toBeLessThan(LOSS_TOL);
      expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, `step ${s}, seed ${seed}`).toBeLessThan(GRAD_TOL);
    }
    // Weights moved the same way: compare the update (w - w0), not w, so the check has teeth.
    const fresh = new Model(cfg, "cfg", "cpu");
    fresh.initWeights(seed, 0.08);
    for (const p of ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight", "lm_head.weight"]) {
      const w0 = fresh.getParam(p), wc = cpu.getParam(p), wg = gpu.getParam(p);
      const dc = wc.map((x, i) => x - w0[i]!), dg = wg.map((x, i) => x - w0[i]!);
      expect(relErr(dg, dc), `${p}, seed ${seed}`).toBeLessThan(0.1);
    }
    expect(gpu.getOptimizerState("lm_head.weight").v.every((x) => x >= 0)).toBe(true);
  });

  it("a step with a non-finite loss and norm is skipped on the device: weights, moments and step count untouched", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config();
    const gpu = new Model(cfg, "cfg", "cuda");
    gpu.initWeights(seed, 0.08);
    const rng = new Rng(seed + 3);
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
    const ok = await gpu.step([batch(rng, 2, 16, cfg.vocab_size)], 2, 16, hyper); // moments become nonzero
    expect(ok.skipped).toBe(false);
    // Norm weights of 1e30 overflow the activations (bf16 has fp32's range): the logits become Inf/NaN.
    for (const n of gpu.paramNames()) if (n.includes("norm")) gpu.setParam(n, new Float32Array(gpu.getParam(n).length).fill(1e30));
    const snap = () => gpu.paramNames().map((n) => ({ n, w: gpu.getParam(n), ...gpu.getOptimizerState(n) }));
    const before = snap();
    expect(before.some((t) => t.m.some((x) => x !== 0))).toBe(true);
    const r = await gpu.step([batch(rng, 2, 16, cfg.vocab_size), batch(rng, 2, 16, cfg.vocab_size)], 2, 16, hyper);
    expect(r.skipped, `seed ${seed}`).toBe(true);
    expect(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm)).toBe(false);
    expect(r.step).toBe(1);
    expect(gpu.stepCount).toBe(1);
    const after = snap();
    for (let i = 0; i < before.length; i++) {
      expect(after[i]!.w, before[i]!.n).toEqual(before[i]!.w);
      expect(after[i]!.m, before[i]!.n).toEqual(before[i]!.m);
      expect(after[i]!.v, before[i]!.n).toEqual(before[i]!.v);
    }
  });

  // Recompute runs the same kernels on the same inputs in the same order, so it must be bitwise equal.
  it("activation recompute gives bit-identical losses, gradients and AdamW steps (q/k norm, q/k/v bias, packed documents)", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config({ model_type: "qwen3", qk_norm: true, attention_bias: true, num_hidden_layers: 3 });
    const plain = new Model(cfg, "cfg", "cuda"), re = new Model(cfg, "cfg", "cuda");
    plain.initWeights(seed, 0.08);
    re.initWeights(seed, 0.08);
    re.setRecompute(true);
    const b = batch(new Rng(seed + 5), 2, 24, cfg.vocab_size);
    const rp = plain.lossAndGrad(b, 2, 24), rr = re.lossAndGrad(b, 2, 24);
    expect(rr.loss, `seed ${seed}`).toBe(rp.loss);
    expect(rr.gradNorm, `seed ${seed}`).toBe(rp.gradNorm);
    for (const p of plain.paramNames()) expect(re.getGrad(p), `${p}, seed ${seed}`).toEqual(plain.getGrad(p));
    const rng1 = new Rng(seed + 9), rng2 = new Rng(seed + 9);
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    for (let s = 0; s < 2; s++) {
      const sp = await plain.step([batch(rng1, 2, 16, cfg.vocab_size), batch(rng1, 2, 16, cfg.vocab_size)], 2, 16, hyper);
      const sr = await re.step([batch(rng2, 2, 16, cfg.vocab_size), batch(rng2, 2, 16, cfg.vocab_size)], 2, 16, hyper);
      expect(sr.loss, `step ${s}, seed ${seed}`).toBe(sp.loss);
      expect(sr.gradNorm, `step ${s}, seed ${seed}`).toBe(sp.gradNorm);
    }
    for (const p of plain.paramNames()) {
      expect(re.getParam(p), `${p}, seed ${seed}`).toEqual(plain.getParam(p));
      expect(re.getOptimizerState(p), `${p}, seed ${seed}`).toEqual(plain.getOptimizerState(p));
    }
    // Switching re-plans the arena: back off, the plain layout and the same numbers.
    const withRe = re.memory()!.activationsBytes;
    re.setRecompute(false);
    const again = re.lossAndGrad(b, 2, 24);
    expect(re.memory()!.activationsBytes).toBeGreaterThan(withRe);
    expect(again.loss).toBe(plain.lossAndGrad(b, 2, 24).loss);
  });

  it("plans its memory without allocating: the planner's bytes are what a step allocates, recompute on and off", async () => {
    for (const [over, B, T] of [
      [{}, 2, 16],
      [{ model_type: "qwen3", qk_norm: true, attention_bias: true, tie_word_embeddings: true, num_hidden_layers: 3 }, 1, 40],
    ] as const) {
      const cfg = config(over);
      for (const recompute of [false, true]) {
        const plan = planCudaMemory(cfg, B, T, recompute);
        const gpu = new Model(cfg, "cfg", "cuda");
        gpu.initWeights(2, 0.02);
        gpu.setRecompute(recompute);
        expect(gpu.memory()!.weightsBytes).toBe(plan.weightsBytes);
        const r = await gpu.step([batch(new Rng(4), B, T, cfg.vocab_size)], B, T, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0 });
        expect(r.skipped).toBe(false);
        const m = gpu.memory()!;
        expect(m.weightsBytes).toBe(plan.weightsBytes);
        expect(m.activationsBytes, `${JSON.stringify(over)} recompute ${recompute}`).toBe(plan.activationsBytes);
        expect(m.peakBytes).toBeGreaterThanOrEqual(0);
      }
      const on = addon.cudaPlanMemory(engineConfig(cfg), B, T, true).activationsBytes as number;
      const off = addon.cudaPlanMemory(engineConfig(cfg), B, T, false).activationsBytes as number;
      expect(on).toBeLessThan(off);
    }
    expect(() => addon.cudaPlanMemory({ ...engineConfig(config()), hidden_size: 0 }, 1, 8, false)).toThrow(/hidden_size/);
    expect(() => addon.cudaPlanMemory(engineConfig(config()), 0, 8, false)).toThrow(/'B'/);
  });

  it("plans a LoRA model and a frozen-layers model: the planner's bytes are what a step allocates", async () => {
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 1 };
    const cfg = config({ model_type: "qwen2", attention_bias: true, num_hidden_layers: 3 });
    const lora = { rank: 4, alpha: 8, targets: ["q", "v", "gate", "down"] as const, seed: 5 };
    const names = new Model(cfg, "cfg", "cpu").paramNames();
    // Layers 0 and 1, the embedding and one LoRA factor: a frozen factor has no gradient slot either.
    const frozenLayers = [...names.filter((n) => /^model\.layers\.[01]\./.test(n)), "model.embed_tokens.weight"];
    for (const [what, opts] of [
      ["lora", { lora }],
      ["lora with a frozen factor", { lora, frozen: ["model.layers.2.mlp.gate_proj.lora_B.weight"] }],
      ["frozen layers", { frozen: frozenLayers }],
    ] as const) {
      for (const recompute of [false, true]) {
        const plan = planCudaMemory(cfg, 2, 20, recompute, opts);
        const gpu = new Model(cfg, "cfg", "cuda");
        gpu.initWeights(3, 0.02);
        gpu.setRecompute(recompute);
        if ("lora" in opts) gpu.enableLora(opts.lora);
        for (const n of "frozen" in opts ? opts.frozen : []) gpu.setTrainable(n, false);
        const r = await gpu.step([batch(new Rng(6), 2, 20, cfg.vocab_size)], 2, 20, hyper);
        expect(r.skipped).toBe(false);
        const m = gpu.memory()!;
        expect(m.weightsBytes, `${what}, recompute ${recompute}`).toBe(plan.weightsBytes);
        expect(m.activationsBytes, `${what}, recompute ${recompute}`).toBe(plan.activationsBytes);
        expect(m.weightsBytes - expectedWeightsBytes(gpu), what).toBeGreaterThanOrEqual(0);
        expect(m.weightsBytes - expectedWeightsBytes(gpu), what).toBeLessThan(4096);
      }
    }
    // LoRA's activations hold x A^T of each target: more than the plain model's.
    expect(planCudaMemory(cfg, 2, 20, false, { lora }).activationsBytes).toBeGreaterThan(planCudaMemory(cfg, 2, 20, false).activationsBytes);
    expect(() => planCudaMemory(cfg, 2, 20, false, { frozen: ["model.layers.9.mlp.up_proj.weight"] })).toThrow(/frozen: no parameter named 'model.layers.9.mlp.up_proj.weight'/);
    expect(() => planCudaMemory(cfg, 2, 20, false, { lora: { rank: 0, targets: ["q"] } })).toThrow(/option 'lora.rank'/);
    expect(() => planCudaMemory(cfg, 2, 20, false, { lora: { rank: 2, targets: ["qq" as "q"] } })).toThrow(/option 'lora.targets.0'/);
    expect(() => addon.cudaPlanMemory(engineConfig(cfg), 1, 8, false, { lora: { rank: 2, targets: ["x"] } })).toThrow(/'x' is not one of q, k, v/);
    expect(() => addon.cudaPlanMemory(engineConfig(cfg), 1, 8, false, { frozen: "lm_head.weight" })).toThrow(/'frozen' must be an array/);
  });

  it("plans an L2-SP or EWC anchor: the planned bytes are what setAnchor (and its weights) and a step allocate", async () => {
    const cfg = config();
    for (const anchor of ["l2sp", "ewc"] as const) {
      const plan = planCudaMemory(cfg, 2, 16, false, { anchor });
      const gpu = new Model(cfg, "cfg", "cuda");
      gpu.initWeights(3, 0.02);
      gpu.setAnchor();
      if (anchor === "ewc")
        for (const n of gpu.paramNames()) gpu.setAnchorWeights(n, new Float32Array(gpu.getParam(n).length).fill(0.5));
      const r = await gpu.step([batch(new Rng(5), 2, 16, cfg.vocab_size)], 2, 16, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0, anchorWeight: 0.1 });
      expect(r.skipped).toBe(false);
      const m = gpu.memory()!;
      expect(m.weightsBytes, anchor).toBe(plan.weightsBytes);
      expect(m.activationsBytes).toBe(plan.activationsBytes);
    }
    const none = planCudaMemory(cfg, 2, 16, false), l2 = planCudaMemory(cfg, 2, 16, false, { anchor: "l2sp" }), ewc = planCudaMemory(cfg, 2, 16, false, { anchor: "ewc" });
    expect(l2.weightsBytes).toBeGreaterThan(none.weightsBytes);
    expect(ewc.weightsBytes - l2.weightsBytes).toBeGreaterThanOrEqual(4 * new Model(cfg).numParams()); // F: fp32 a parameter
    expect(() => planCudaMemory(cfg, 2, 16, false, { anchor: "x" as "ewc" })).toThrow(/option 'anchor'/);
  });

  it("plans a KL reference: the model's and its reference's allocations after a step with it", async () => {
    const cfg = config();
    for (const recompute of [false, true]) {
      const plan = planCudaMemory(cfg, 2, 16, recompute, { klRef: true });
      const gpu = new Model(cfg, "cfg", "cuda"), ref = new Model(cfg, "cfg", "cuda");
      gpu.initWeights(3, 0.02), ref.initWeights(4, 0.02);
      gpu.setRecompute(recompute);
      gpu.setKlReference(ref, 0.5);
      const r = await gpu.step([batch(new Rng(6), 2, 16, cfg.vocab_size)], 2, 16, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0 });
      expect(r.kl).toBeGreaterThan(0);
      const m = gpu.memory()!, mr = ref.memory()!;
      expect(m.weightsBytes + mr.weightsBytes, `recompute ${recompute}`).toBe(plan.weightsBytes);
      expect(m.activationsBytes + mr.activationsBytes, `recompute ${recompute}`).toBe(plan.activationsBytes);
    }
  });

  it("plans a full Llama-3.2-1B fine-tune at 8k tokens with recompute inside a 24 GiB card", () => {
    const cfg = engineConfig(JSON.parse(readFileSync(new URL("../models/llama-1b.json", import.meta.url), "utf8")));
    const gib = 2 ** 30;
    const re = planCudaMemory(cfg, 1, 8192, true);
    const plain = planCudaMemory(cfg, 1, 8192, false);
    console.log(`llama-1b B=1 T=8192: weights ${(re.weightsBytes / gib).toFixed(2)} GiB, activations ${(re.activationsBytes / gib).toFixed(2)} GiB with recompute, ${(plain.activationsBytes / gib).toFixed(2)} GiB without`);
    // 24 GiB less ~0.6 GiB for the CUDA context and cuBLAS workspace.
    expect(re.weightsBytes + re.activationsBytes).toBeLessThanOrEqual(23.4 * gib);
    expect(plain.weightsBytes + plain.activationsBytes).toBeGreaterThan(24 * gib);
    // LoRA rank 16 on every projection: 6 bytes a base parameter, 18 a factor's (the factors: per layer r x in + out x r
    // for q, k, v, o, gate, up, down = 704,512 elements, 11.27 M over 16 layers).
    const lora = planCudaMemory(cfg, 1, 8192, true, { lora: { rank: 16, targets: ["q", "k", "v", "o", "gate", "up", "down"] } });
    const P = 1_235_814_400, F = 16 * 704_512;
    console.log(`llama-1b LoRA r16 (q,k,v,o,gate,up,down) B=1 T=8192 recompute: weights ${(lora.weightsBytes / gib).toFixed(2)} GiB, activations ${(lora.activationsBytes / gib).toFixed(2)} GiB, total ${((lora.weightsBytes + lora.activationsBytes) / gib).toFixed(2)} GiB`);
    expect(Math.abs(lora.weightsBytes - (6 * (P + F) + 12 * F))).toBeLessThan(2 ** 20);
    // With recompute LoRA adds x A^T of the 7 targets to the one scratch layer and du to the backward's: bf16 [8192, 16] each.
    expect(lora.activationsBytes - re.activationsBytes).toBe(8 * 8192 * 16 * 2);
    expect(re.weightsBytes - lora.weightsBytes).toBeGreaterThan(13 * gib);
    // A KL reference of the same shape runs forward only: 6 bytes a parameter plus its recompute activation plan
    // (the formula the KL test checks on small models). Beside the LoRA run it fits; beside the full fine-tune not.
    const ref = 6 * P + re.activationsBytes;
    console.log(`llama-1b KL reference at B=1 T=8192: ${(ref / gib).toFixed(2)} GiB; with LoRA r16 ${((lora.weightsBytes + lora.activationsBytes + ref) / gib).toFixed(2)} GiB, with the full fine-tune ${((re.weightsBytes + re.activationsBytes + ref) / gib).toFixed(2)} GiB`);
    expect(lora.weightsBytes + lora.activationsBytes + ref).toBeLessThanOrEqual(23.4 * gib);
    expect(re.weightsBytes + re.activationsBytes + ref).toBeGreaterThan(24 * gib);
  });

  it("frozen tensors and per-tensor LR scales: the CPU model's semantics", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config({ num_hidden_layers: 3 });
    const { cpu, gpu } = pair(cfg, seed);
    const frozen = [
      "model.embed_tokens.weight",
      ...cpu.paramNames().filter((n) => n.startsWith("model.layers.0.")),
      "model.layers.2.post_attention_layernorm.weight",
      "model.layers.1.mlp.up_proj.weight",
    ];
    const scales: [string, number][] = [["lm_head.weight", 0.5], ["model.layers.1.self_attn.q_proj.weight", 2], ["model.layers.2.mlp.down_proj.weight", 0]];
    for (const m of [cpu, gpu]) {
      for (const n of frozen) m.setTrainable(n, false);
      for (const [n, x] of scales) m.setLrScale(n, x);
    }
    expect(gpu.numTrainable()).toBe(cpu.numTrainable());
    expect(gpu.isTrainable("model.layers.0.self_attn.q_proj.weight")).toBe(false);
    const b = batch(new Rng(seed + 1), 2, 24, cfg.vocab_size);
    const rc = cpu.lossAndGrad(b, 2, 24), rg = gpu.lossAndGrad(b, 2, 24);
    expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, `seed ${seed}`).toBeLessThan(GRAD_TOL);
    for (const n of cpu.paramNames()) {
      const g = gpu.getGrad(n);
      if (frozen.includes(n)) expect(g.every((x) => x === 0), n).toBe(true);
      else expect(relErr(g, cpu.getGrad(n)), `${n}, seed ${seed}`).toBeLessThan(GRAD_TOL);
    }
    const w0 = new Map(cpu.paramNames().map((n) => [n, gpu.getParam(n)]));
    const rng = new Rng(seed + 2);
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    for (let s = 0; s < 2; s++) {
      const micro = [batch(rng, 2, 16, cfg.vocab_size)];
      const sc = await cpu.step(micro, 2, 16, hyper), sg = await gpu.step(micro, 2, 16, hyper);
      expect(Math.abs(sg.loss - sc.loss) / sc.loss, `step ${s}, seed ${seed}`).toBeLessThan(LOSS_TOL);
      expect(Math.abs(sg.gradNorm - sc.gradNorm) / sc.gradNorm, `step ${s}, seed ${seed}`).toBeLessThan(GRAD_TOL);
    }
    for (const n of frozen) {
      expect(gpu.getParam(n), n).toEqual(w0.get(n));
      const st = gpu.getOptimizerState(n);
      expect(st.m.every((x) => x === 0) && st.v.every((x) => x === 0), n).toBe(true);
    }
    // LR scale 0: no update (and no decay), but the moments move.
    expect(gpu.getParam("model.layers.2.mlp.down_proj.weight")).toEqual(w0.get("model.layers.2.mlp.down_proj.weight"));
    expect(gpu.getOptimizerState("model.layers.2.mlp.down_proj.weight").m.some((x) => x !== 0)).toBe(true);
    // Scaled and plain tensors moved as on the CPU: the update's size within 5% (a wrong scale is off 2x), its
    // direction within UPDATE_TOL (Adam's first steps are near sign(g), so elements with tiny gradients flip).
    for (const n of ["lm_head.weight", "model.layers.1.self_attn.q_proj.weight", "model.layers.2.self_attn.o_proj.weight"]) {
      const a = w0.get(n)!, dc = cpu.getParam(n).map((x, i) => x - a[i]!), dg = gpu.getParam(n).map((x, i) => x - a[i]!);
      expect(Math.abs(norm(dg) / norm(dc) - 1), `${n}, seed ${seed}`).toBeLessThan(0.05);
      expect(relErr(dg, dc), `${n}, seed ${seed}`).toBeLessThan(UPDATE_TOL);
    }
    for (const m of [cpu, gpu]) for (const n of cpu.paramNames()) m.setTrainable(n, false);
    await expect(gpu.step([batch(rng, 2, 16, cfg.vocab_size)], 2, 16, hyper)).rejects.toThrow(/every tensor is frozen/);
    expect(() => gpu.setLrScale("lm_head.weight", -1)).toThrow(/lr scale for 'lm_head.weight'/);
  });

  it("freezing mid-run re-lays out the device state: kept moments bitwise, frozen ones read 0, an unfrozen tensor trains with fresh moments as on the CPU", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config({ num_hidden_layers: 3 });
    const { cpu, gpu } = pair(cfg, seed);
    const rng = new Rng(seed + 21);
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    const stepBoth = async (s: string) => {
      const micro = [batch(rng, 2, 16, cfg.vocab_size)];
      const rc = await cpu.step(micro, 2, 16, hyper), rg = await gpu.step(micro, 2, 16, hyper);
      expect(Math.abs(rg.loss - rc.loss) / rc.loss, `${s}, seed ${seed}`).toBeLessThan(LOSS_TOL);
      expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, `${s}, seed ${seed}`).toBeLessThan(GRAD_TOL);
    };
    await stepBoth("before");
    await stepBoth("before");
    const names = gpu.paramNames();
    // The same weights on both again (bf16 and fp32 steps drift apart), so gradients compare at GRAD_TOL.
    for (const n of names) cpu.setParam(n, gpu.getParam(n));
    const moments = new Map(names.map((n) => [n, gpu.getOptimizerState(n)]));
    const full = gpu.memory()!.weightsBytes;
    const x = "model.layers.1.mlp.up_proj.weight", frozen = [x, "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight"];
    expect(moments.get(x)!.m.some((v) => v !== 0)).toBe(true);
    for (const m of [cpu, gpu]) for (const n of frozen) m.setTrainable(n, false);
    // Frozen and unfrozen before the state is laid out again: fresh moments too (reset on the CPU to match).
    const y = "model.layers.2.mlp.down_proj.weight";
    gpu.setTrainable(y, false), gpu.setTrainable(y, true);
    cpu.setOptimizerState(y, new Float32Array(128 * 192), new Float32Array(128 * 192));
    moments.set(y, { m: new Float32Array(128 * 192), v: new Float32Array(128 * 192) });
    for (const n of frozen) {
      const st = gpu.getOptimizerState(n);
      expect(st.m.every((v) => v === 0) && st.v.every((v) => v === 0) && gpu.getGrad(n).every((v) => v === 0), n).toBe(true);
    }
    // lossAndGrad lays the state out again (the moments move to new offsets through the host) and leaves moments alone.
    const b = batch(new Rng(seed + 22), 2, 24, cfg.vocab_size);
    const rc = cpu.lossAndGrad(b, 2, 24), rg = gpu.lossAndGrad(b, 2, 24);
    expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, `seed ${seed}`).toBeLessThan(GRAD_TOL);
    for (const n of names) {
      if (frozen.includes(n)) expect(gpu.getGrad(n).every((v) => v === 0), n).toBe(true);
      else {
        expect(gpu.getOptimizerState(n), n).toEqual(moments.get(n));
        expect(relErr(gpu.getGrad(n), cpu.getGrad(n)), `${n}, seed ${seed}`).toBeLessThan(GRAD_TOL);
      }
    }
    const freed = full - gpu.memory()!.weightsBytes;
    expect(freed).toBeGreaterThanOrEqual(12 * padded(gpu, frozen) - 2048); // 12 bytes a frozen parameter, give or take alignment
    expect(freed).toBeLessThanOrEqual(12 * padded(gpu, frozen) + 2048);
    expect(gpu.memory()!.weightsBytes).toBe(planCudaMemory(cfg, 2, 16, false, { frozen }).weightsBytes);
    const w0 = gpu.getParam(x);
    await stepBoth("frozen");
    expect(gpu.getParam(x)).toEqual(w0);
    // Unfrozen: fresh moments on the GPU. The CPU keeps stale ones, so reset them there to compare the same thing.
    for (const m of [cpu, gpu]) m.setTrainable(x, true);
    expect(gpu.getOptimizerState(x).m.every((v) => v === 0)).toBe(true);
    const zeros = new Float32Array(w0.length);
    cpu.setOptimizerState(x, zeros, zeros);
    const wc0 = cpu.getParam(x);
    await stepBoth("unfrozen");
    const dg = gpu.getParam(x).map((v, i) => v - w0[i]!), dc = cpu.getParam(x).map((v, i) => v - wc0[i]!);
    expect(Math.abs(norm(dg) / norm(dc) - 1), `seed ${seed}`).toBeLessThan(0.05);
    expect(relErr(dg, dc), `seed ${seed}`).toBeLessThan(UPDATE_TOL);
    // One step from zero: m = (1 - beta1) g, v = (1 - beta2) g^2 of the clipped gradient.
    const sg = gpu.getOptimizerState(x), sc = cpu.getOptimizerState(x);
    expect(relErr(sg.m, sc.m), `seed ${seed}`).toBeLessThan(GRAD_TOL);
    expect(relErr(sg.v, sc.v), `seed ${seed}`).toBeLessThan(2 * GRAD_TOL);
    expect(gpu.memory()!.weightsBytes).toBe(planCudaMemory(cfg, 2, 16, false, { frozen: frozen.slice(1) }).weightsBytes);
    const ez = new Float32Array(96 * 128);
    expect(() => gpu.setOptimizerState(frozen[1]!, ez, ez)).toThrow(/'model.embed_tokens.weight' is frozen: it has no AdamW moments/);
  });

  // src/train/checkpointing.ts saves and restores the moments of trainable tensors only, every weight (LoRA: the
  // factors; the base is the start checkpoint) in fp32: a GPU resume is exact on the emulation, which is deterministic.
  for (const strategy of ["frozen layers", "lora"] as const)
    it(`a resumed ${strategy} run through the training checkpoint ends bitwise where the whole run does`, async () => {
      const seed = freshSeed() % 1_000_000;
      const cfg = config({ num_hidden_layers: 3 });
      const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
      const make = () => {
        const m = new Model(cfg, "cfg", "cuda");
        m.initWeights(seed, 0.08);
        if (strategy === "lora") m.enableLora({ rank: 4, alpha: 8, targets: ["q", "k", "up", "down"], seed: seed + 1 });
        else for (const n of m.paramNames().filter((n) => n.startsWith("model.layers.0.") || n.startsWith("model.embed"))) m.setTrainable(n, false);
        return m;
      };
      const micro = Array.from({ length: 4 }, (_, i) => [batch(new Rng(seed + 30 + i), 2, 16, cfg.vocab_size)]);
      const whole = make();
      for (const mb of micro.slice(0, 2)) expect((await whole.step(mb, 2, 16, hyper)).skipped).toBe(false);
      const dir = mkdtempSync(join(tmpdir(), "cuda-resume-"));
      try {
        const state = { version: 1 as const, step: 2, samples: 0, tokens: 0, epoch: 0, loader: null, model_fingerprint: modelFingerprint(whole), finished: false, options: {} };
        const ckpt = saveTrainingCheckpoint(dir, whole, { config: cfg, tokenizerDir: "", state }, 1);
        for (const mb of micro.slice(2)) await whole.step(mb, 2, 16, hyper);
        const resumed = make();
        expect(restoreTraining(ckpt, resumed).step).toBe(2);
        expect(resumed.stepCount).toBe(2);
        for (const mb of micro.slice(2)) await resumed.step(mb, 2, 16, hyper);
        expect(resumed.stepCount).toBe(4);
        for (const n of [...whole.paramNames(), ...whole.loraParamNames()]) {
          expect(resumed.getParam(n), `${n}, seed ${seed}`).toEqual(whole.getParam(n));
          expect(resumed.getOptimizerState(n), `${n}, seed ${seed}`).toEqual(whole.getOptimizerState(n));
        }
        expect(resumed.memory()!.weightsBytes).toBe(whole.memory()!.weightsBytes);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

  it("the L2-SP/EWC anchor: distance, penalty and the pull in AdamW as on the CPU", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config();
    const { cpu, gpu } = pair(cfg, seed);
    expect(gpu.anchorDistance()).toBe(0);
    expect(() => gpu.setAnchorWeights("lm_head.weight", new Float32Array(96 * 128))).toThrow(/set the anchor before its weights/);
    const rng = new Rng(seed + 4);
    const F = new Float32Array(96 * 128).map(() => rng.next() * 3);
    for (const m of [cpu, gpu]) {
      m.setAnchor();
      m.setAnchorWeights("lm_head.weight", F);
      m.setTrainable("model.layers.1.mlp.up_proj.weight", false);
    }
    // Same weights on both: the distances agree to double rounding.
    for (const n of ["lm_head.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.up_proj.weight"]) {
      const w = cpu.getParam(n).map((x) => x + (rng.next() - 0.5) * 0.1);
      cpu.setParam(n, w), gpu.setParam(n, w);
    }
    const dc = cpu.anchorDistance(), dg = gpu.anchorDistance();
    expect(dc).toBeGreaterThan(0);
    expect(Math.abs(dg - dc) / dc, `seed ${seed}`).toBeLessThan(1e-9);
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1.0, anchorWeight: 5 };
    const w0 = new Map(cpu.paramNames().map((n) => [n, gpu.getParam(n)]));
    for (let s = 0; s < 2; s++) {
      const micro = [batch(rng, 2, 16, cfg.vocab_size)];
      const sc = await cpu.step(micro, 2, 16, hyper), sg = await gpu.step(micro, 2, 16, hyper);
      expect(Math.abs(sg.penalty - sc.penalty) / sc.penalty, `step ${s}, seed ${seed}`).toBeLessThan(s === 0 ? 1e-9 : 2e-2);
      expect(Math.abs(sg.loss - sc.loss) / sc.loss, `step ${s}, seed ${seed}`).toBeLessThan(LOSS_TOL);
    }
    for (const n of ["lm_head.weight", "model.layers.0.self_attn.q_proj.weight"]) {
      const a = w0.get(n)!, dC = cpu.getParam(n).map((x, i) => x - a[i]!), dG = gpu.getParam(n).map((x, i) => x - a[i]!);
      expect(Math.abs(norm(dG) / norm(dC) - 1), `${n}, seed ${seed}`).toBeLessThan(0.05);
      expect(relErr(dG, dC), `${n}, seed ${seed}`).toBeLessThan(UPDATE_TOL);
    }
    gpu.clearAnchor();
    expect(gpu.anchorDistance()).toBe(0);
    expect((await gpu.step([batch(rng, 2, 16, cfg.vocab_size)], 2, 16, hyper)).penalty).toBe(0);
  });

  it("the diagonal Fisher: per-row squared gradients as on the CPU", () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config();
    const { cpu, gpu } = pair(cfg, seed);
    for (const m of [cpu, gpu]) m.setTrainable("model.layers.0.mlp.gate_proj.weight", false);
    const b = batch(new Rng(seed + 6), 3, 16, cfg.vocab_size);
    b.labels!.fill(-100, 16, 32); // row 1 has no targets: not counted
    expect(gpu.accumulateFisher(b, 3, 16)).toBe(cpu.accumulateFisher(b, 3, 16));
    expect(gpu.accumulateFisher(b, 3, 16)).toBe(2);
    cpu.accumulateFisher(b, 3, 16);
    for (const n of cpu.paramNames()) {
      const fg = gpu.getFisher(n);
      if (n === "model.layers.0.mlp.gate_proj.weight") expect(fg.every((x) => x === 0)).toBe(true);
      // Squares double the gradients' relative error.
      else expect(relErr(fg, cpu.getFisher(n)), `${n}, seed ${seed}`).toBeLessThan(2 * GRAD_TOL);
    }
    expect(gpu.getGrad("lm_head.weight").every((x) => x === 0)).toBe(true);
    gpu.clearFisher();
    expect(gpu.getFisher("lm_head.weight").every((x) => x === 0)).toBe(true);
  });

  it("logits and hidden states (evals and probes on the GPU) track the CPU model, recompute on or off", () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config({ model_type: "qwen2", attention_bias: true, tie_word_embeddings: true });
    const { cpu, gpu } = pair(cfg, seed);
    const b = batch(new Rng(seed + 8), 2, 20, cfg.vocab_size);
    const lc = cpu.forwardLogits(b, 2, 20);
    for (const recompute of [false, true]) {
      gpu.setRecompute(recompute);
      const lg = gpu.forwardLogits(b, 2, 20);
      expect(lg.length).toBe(2 * 20 * cfg.vocab_size);
      expect(relErr(lg, lc), `seed ${seed}`).toBeLessThan(LOGIT_TOL);
      const mask = new Int32Array(40).map((_, i) => (i % 3 === 0 ? 1 : 0));
      for (const pool of ["mean", "none"] as const) {
        const hc = cpu.hiddenStates(b, 2, 20, { mask, pool }), hg = gpu.hiddenStates(b, 2, 20, { mask, pool });
        expect(hg.length).toBe(cfg.num_hidden_layers + 1);
        for (let l = 0; l < hc.length; l++) {
          expect(hg[l]!.length).toBe(hc[l]!.length);
          expect(relErr(hg[l]!, hc[l]!), `layer ${l} ${pool}, seed ${seed}`).toBeLessThan(LOGIT_TOL);
        }
      }
    }
    expect(() => gpu.hiddenStates(b, 2, 20, { mask: new Int32Array(40) })).toThrow(/row 0 has no position in the mask/);
  });

  it("LoRA: the CPU's init, gradients of the factors only, steps and merged weights", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config({ num_hidden_layers: 2, attention_bias: true, model_type: "qwen2" });
    const { cpu, gpu } = pair(cfg, seed);
    const lora = { rank: 4, alpha: 8, targets: ["q", "v", "o", "down"] as const, seed: seed + 11 };
    const full = gpu.memory()!.weightsBytes;
    cpu.enableLora(lora), gpu.enableLora(lora);
    // The base keeps its fp32 master and bf16 copy only: 18 bytes a base parameter before, 6 after, 18 a factor's.
    const P = padded(gpu, gpu.paramNames()), F = padded(gpu, gpu.loraParamNames());
    expect(full - 18 * P).toBeGreaterThanOrEqual(0);
    expect(full - 18 * P).toBeLessThan(4096);
    const withLora = gpu.memory()!.weightsBytes;
    expect(withLora - (6 * (P + F) + 12 * F)).toBeGreaterThanOrEqual(0);
    expect(withLora - (6 * (P + F) + 12 * F)).toBeLessThan(4096);
    expect(gpu.loraParamNames()).toEqual(cpu.loraParamNames());
    expect(gpu.numTrainable()).toBe(cpu.numTrainable());
    for (const n of gpu.loraParamNames()) expect(gpu.getParam(n), n).toEqual(cpu.getParam(n)); // A from the seed, B = 0
    // B = 0 makes the factors' forward term vanish; give them values so both terms are exercised.
    const rng = new Rng(seed + 12);
    for (const n of gpu.loraParamNames().filter((x) => x.includes("lora_B"))) {
      const w = cpu.getParam(n).map(() => (rng.next() - 0.5) * 0.2);
      cpu.setParam(n, w), gpu.setParam(n, w);
    }
    for (const recompute of [false, true]) {
      gpu.setRecompute(recompute);
      const b = batch(new Rng(seed + 13), 2, 24, cfg.vocab_size);
      const rc = cpu.lossAndGrad(b, 2, 24), rg = gpu.lossAndGrad(b, 2, 24);
      expect(Math.abs(rg.loss - rc.loss) / rc.loss, `seed ${seed}`).toBeLessThan(LOSS_TOL);
      expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, `seed ${seed}`).toBeLessThan(GRAD_TOL);
      for (const n of gpu.loraParamNames()) expect(relErr(gpu.getGrad(n), cpu.getGrad(n)), `${n}, seed ${seed}`).toBeLessThan(GRAD_TOL);
      for (const n of gpu.paramNames()) expect(gpu.getGrad(n).every((x) => x === 0), n).toBe(true);
    }
    const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01, gradClip: 1.0 };
    const base0 = gpu.getParam("model.layers.0.self_attn.q_proj.weight");
    const a0 = gpu.getParam("model.layers.1.mlp.down_proj.lora_A.weight");
    for (let s = 0; s < 2; s++) {
      const micro = [batch(rng, 2, 16, cfg.vocab_size)];
      const sc = await cpu.step(micro, 2, 16, hyper), sg = await gpu.step(micro, 2, 16, hyper);
      expect(Math.abs(sg.loss - sc.loss) / sc.loss, `step ${s}, seed ${seed}`).toBeLessThan(LOSS_TOL);
    }
    expect(gpu.getParam("model.layers.0.self_attn.q_proj.weight")).toEqual(base0);
    const dA = (m: Model) => m.getParam("model.layers.1.mlp.down_proj.lora_A.weight").map((x, i) => x - a0[i]!);
    expect(Math.abs(norm(dA(gpu)) / norm(dA(cpu)) - 1), `seed ${seed}`).toBeLessThan(0.05);
    expect(relErr(dA(gpu), dA(cpu)), `seed ${seed}`).toBeLessThan(UPDATE_TOL);
    // merged = W + (alpha/r) B A in fp32 on the host, from the GPU's own factors: equal to the CPU formula on them.
    const n = "model.layers.1.self_attn.v_proj.weight";
    const W = gpu.getParam(n), A = gpu.getParam("model.layers.1.self_attn.v_proj.lora_A.weight"), Bf = gpu.getParam("model.layers.1.self_attn.v_proj.lora_B.weight");
    const [rows, cols] = gpu.paramShape(n) as [number, number];
    const merged = gpu.mergedParam(n);
    let worst = 0;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let acc = 0;
        for (let k = 0; k < 4; k++) acc += Bf[i * 4 + k]! * A[k * cols + j]!;
        worst = Math.max(worst, Math.abs(merged[i * cols + j]! - (W[i * cols + j]! + 2 * acc)));
      }
    expect(worst).toBeLessThan(1e-6);
    // Against the CPU model's merge: its factors after the same two steps (in fp32) differ by ~3e-3 of W (measured).
    expect(relErr(gpu.mergedParam(n), cpu.mergedParam(n)), `seed ${seed}`).toBeLessThan(LOSS_TOL);
    expect(gpu.mergedParam("model.norm.weight")).toEqual(gpu.getParam("model.norm.weight"));
    expect(() => gpu.enableLora(lora)).toThrow(/already enabled/);
  });

  it("KL to a reference: loss, kl, every gradient and two AdamW steps as on the CPU; the reference runs forward only", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config();
    // A reference of another shape (hidden 64, one layer, tied head): Cr != C through the fused head.
    const refCfg = config({ hidden_size: 64, intermediate_size: 96, num_hidden_layers: 1, num_attention_heads: 1, tie_word_embeddings: true });
    const { cpu, gpu } = pair(cfg, seed);
    const { cpu: refCpu, gpu: refGpu } = pair(refCfg, seed + 21);
    const w = 1.5;
    cpu.setKlReference(refCpu, w), gpu.setKlReference(refGpu, w);
    const b = batch(new Rng(seed + 22), 2, 24, cfg.vocab_size);
    const plain = new Model(cfg, "cfg", "cpu");
    plain.initWeights(seed, 0.08);
    const rp = plain.lossAndGrad(b, 2, 24);
    for (const recompute of [false, true]) {
      gpu.setRecompute(recompute);
      const rc = cpu.lossAndGrad(b, 2, 24), rg = gpu.lossAndGrad(b, 2, 24);
      const tag = `recompute ${recompute}, seed ${seed}`;
      expect(rg.count).toBe(rc.count);
      expect(rc.kl).toBeGreaterThan(0.05);
      expect(Math.abs(rg.loss - rc.loss) / rc.loss, tag).toBeLessThan(LOSS_TOL);
      expect(Math.abs(rg.kl - rc.kl) / rc.kl, tag).toBeLessThan(KL_TOL);
      expect(Math.abs(rg.gradNorm - rc.gradNorm) / rc.gradNorm, tag).toBeLessThan(GRAD_TOL);
      for (const p of cpu.paramNames()) {
        const g = cpu.getGrad(p);
        // Teeth: the KL term moves every gradient by far more than the tolerance (measured 0.18 and up at w = 1.5).
        if (recompute) expect(relErr(plain.getGrad(p), g), p).toBeGreaterThan(2 * GRAD_TOL);
        expect(relErr(gpu.getGrad(p), g), `${p}, ${tag}`).toBeLessThan(GRAD_TOL);
      }
      expect(rc.loss).toBeCloseTo(rp.loss, 5); // the loss is the cross-entropy alone; kl is reported beside it
    }
    gpu.setRecompute(false);
    // Forward only: the reference is in its recompute layout with no gradients or moments (6 bytes a parameter
    // and the rope table, stats and alignment: under 4 KiB more), and this model's plan is the plain one.
    expect(refGpu.memory()!.weightsBytes - 6 * padded(refGpu, refGpu.paramNames())).toBeGreaterThanOrEqual(0);
    expect(refGpu.memory()!.weightsBytes - 6 * padded(refGpu, refGpu.paramNames())).toBeLessThan(4096);
    expect(refGpu.memory()!.activationsBytes).toBe(planCudaMemory(refCfg, 2, 24, true).activationsBytes);
    const ref0 = new Map(refGpu.paramNames().map((n) => [n, refGpu.getParam(n)]));
    // The Fisher's per-row gradients include the KL term on both (rows of 1 x 24: the reference re-plans for them too).
    const fb = batch(new Rng(seed + 24), 2, 24, cfg.vocab_size);
    expect(gpu.accumulateFisher(fb, 2, 24)).toBe(cpu.accumulateFisher(fb, 2, 24));
    for (const n of ["lm_head.weight", "model.layers.0.mlp.up_proj.weight", "model.norm.weight"])
      expect(relErr(gpu.getFisher(n), cpu.getFisher(n)), `${n}, seed ${seed}`).toBeLessThan(2 * GRAD_TOL);
    cpu.clearFisher(), gpu.clearFisher();

    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    const rng = new Rng(seed + 23);
    const w0 = new Map(cpu.paramNames().map((n) => [n, cpu.getParam(n)]));
    for (let s = 0; s < 2; s++) {
      const micro = [batch(rng, 2, 16, cfg.vocab_size), batch(rng, 2, 16, cfg.vocab_size)];
      const sc = await cpu.step(micro, 2, 16, hyper), sg = await gpu.step(micro, 2, 16, hyper);
      expect(sg.skipped).toBe(false);
      expect(sg.targets).toBe(sc.targets);
      expect(sc.kl).toBeGreaterThan(0.05);
      expect(Math.abs(sg.loss - sc.loss) / sc.loss, `step ${s}, seed ${seed}`).toBeLessThan(LOSS_TOL);
      expect(Math.abs(sg.kl - sc.kl) / sc.kl, `step ${s}, seed ${seed}`).toBeLessThan(KL_TOL);
      expect(Math.abs(sg.gradNorm - sc.gradNorm) / sc.gradNorm, `step ${s}, seed ${seed}`).toBeLessThan(GRAD_TOL);
    }
    for (const n of ["lm_head.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight"]) {
      const a = w0.get(n)!, dC = cpu.getParam(n).map((x, i) => x - a[i]!), dG = gpu.getParam(n).map((x, i) => x - a[i]!);
      expect(relErr(dG, dC), `${n}, seed ${seed}`).toBeLessThan(UPDATE_TOL);
    }
    const m = gpu.memory()!, plan = planCudaMemory(cfg, 2, 16, false);
    expect([m.weightsBytes, m.activationsBytes]).toEqual([plan.weightsBytes, plan.activationsBytes]);
    expect(refGpu.memory()!.activationsBytes).toBe(planCudaMemory(refCfg, 2, 16, true).activationsBytes);
    for (const [n, x] of ref0) expect(refGpu.getParam(n), n).toEqual(x);
    expect(refGpu.stepCount).toBe(0);
    // Off again: plain cross-entropy, kl 0.
    gpu.setKlReference(null);
    const off = gpu.lossAndGrad(b, 2, 24);
    expect(off.kl).toBe(0);
  });

  it("a KL reference equal to the model gives kl 0 and the gradient of plain cross-entropy; bad references are refused by name", async () => {
    const seed = freshSeed() % 1_000_000;
    const cfg = config({ model_type: "qwen3", qk_norm: true, head_dim: 32, num_attention_heads: 4, num_key_value_heads: 2 });
    const { gpu } = pair(cfg, seed);
    const twin = new Model(cfg, "cfg", "cuda");
    twin.initWeights(seed, 0.08);
    const b = batch(new Rng(seed + 31), 2, 20, cfg.vocab_size);
    const ce = gpu.lossAndGrad(b, 2, 20);
    const grads = new Map(gpu.paramNames().map((n) => [n, gpu.getGrad(n)]));
    gpu.setKlReference(twin, 2);
    const r = gpu.lossAndGrad(b, 2, 20);
    // The same weights and kernels give the same logits (the twin's forward in its recompute layout is bit-identical),
    // so each log-ratio is exactly 0.
    expect(r.kl).toBe(0);
    expect(r.loss).toBe(ce.loss);
    // p - q = 0 leaves the CE gradient; the fused head forms it as gs((1 + w) p - w q), one fp32 rounding more
    // before bf16's: a few dlogits differ by one bf16 ulp (measured < 1e-3 relative).
    for (const [n, g] of grads) expect(relErr(gpu.getGrad(n), g), `${n}, seed ${seed}`).toBeLessThan(5e-3);
    const s = await gpu.step([b], 2, 20, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 1 });
    expect(s.kl).toBe(0);

    expect(() => gpu.setKlReference(new Model(cfg, "cfg", "cpu"), 1)).toThrow(/the KL reference is on the cpu backend; it must be on the (cuda|emulated) backend too/);
    expect(() => gpu.setKlReference(new Model(config({ vocab_size: 80 }), "cfg", "cuda"), 1)).toThrow(/the KL reference has vocab_size 80, this model 96/);
    expect(() => gpu.setKlReference(gpu, 1)).toThrow(/must be another model/);
    expect(() => gpu.setKlReference(twin, -1)).toThrow(/KL weight must be finite and >= 0, got -1/);
    expect(() => gpu.enableLora({ rank: 2, alpha: 4, targets: ["q"], seed: 1 })).toThrow(/enable LoRA before setting an anchor, a Fisher or a KL reference/);
    // The CPU model refuses a GPU reference the same way.
    expect(() => new Model(cfg, "cfg", "cpu").setKlReference(twin, 1)).toThrow(/the KL reference is on the (cuda|emulated) backend; it must be on the CPU too/);
  });

  it("reports its memory plan and rejects bad input naming it", async () => {
    const gpu = new Model(config(), "cfg", "cuda");
    gpu.initWeights(1, 0.02);
    const b = batch(new Rng(3), 1, 8, 96);
    gpu.lossAndGrad(b, 1, 8);
    const m = gpu.memory()!;
    expect(m.weightsBytes).toBeGreaterThanOrEqual(gpu.numParams() * 18); // fp32 master, grad, m, v + bf16 copy
    expect(m.activationsBytes).toBeGreaterThan(0);
    expect(m.planBytes).toBe(m.weightsBytes + m.activationsBytes);
    const bad = { ...b, labels: b.labels!.map((y, i) => (i === 5 ? 96 : y)) };
    expect(() => gpu.lossAndGrad(bad, 1, 8)).toThrow(/labels\[5\] = 96/);
    const badIds = { ...b, inputIds: b.inputIds.map((y, i) => (i === 2 ? -1 : y)) };
    await expect(gpu.step([badIds], 1, 8, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0 })).rejects.toThrow(/inputIds\[2\] = -1/);
  });
});

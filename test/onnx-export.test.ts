// ONNX export parity: small random checkpoints made by the engine, exported,
// run with ONNX Runtime (CPU) and compared with the engine's forwardLogits.
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { exportOnnx } from "../src/infer/export-onnx.js";
import { openSession, runLogits, type OnnxSession } from "../src/infer/session.js";
import { Rng, freshSeed, relErr } from "./reference/random.js";

const base = {
  vocab_size: 61,
  hidden_size: 48,
  intermediate_size: 80,
  num_hidden_layers: 2,
  rms_norm_eps: 1e-5,
};
const configs: Record<string, Record<string, unknown>> = {
  // GQA (8 query heads over 2 kv heads), llama3 rope scaling, untied head
  "llama-gqa-llama3": {
    ...base,
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    num_attention_heads: 8,
    num_key_value_heads: 2,
    head_dim: 6,
    rope_theta: 500000,
    // wavelengths 6.3, 498 and 39600 against band edges 256 and 1024: one frequency in each llama3 band
    rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 1024 },
    tie_word_embeddings: false,
  },
  // Qwen2: q/k/v biases, tied embeddings, linear rope scaling
  "qwen2-bias-tied": {
    ...base,
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rope_theta: 10000,
    rope_scaling: { type: "linear", factor: 2 },
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
  },
  // Qwen3: q/k RMSNorm over head_dim, head_dim decoupled from hidden/heads
  "qwen3-qknorm": {
    ...base,
    architectures: ["Qwen3ForCausalLM"],
    model_type: "qwen3",
    num_attention_heads: 4,
    num_key_value_heads: 1,
    head_dim: 16,
    rope_theta: 1000000,
    tie_word_embeddings: true,
  },
};

const seed = freshSeed();
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-onnx-"));

function checkpoint(config: Record<string, unknown>): { dir: string; model: Model } {
  const model = new Model(config);
  model.initWeights(seed % 100000, 0.5);
  const dir = tmp();
  saveCheckpoint(dir, model, { config });
  return { dir, model };
}

/** The engine's logits for equal-length rows (positions 0..T-1 per row). */
function nativeLogits(m: Model, rows: number[][]): Float32Array {
  const B = rows.length, T = rows[0]!.length;
  return m.forwardLogits({ inputIds: Int32Array.from(rows.flat()) }, B, T);
}

function randomIds(rng: Rng, B: number, T: number, V: number): number[][] {
  return Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(V)));
}

/** Logits of row b, position t of a [B,S,V] block. */
const at = (logits: Float32Array, S: number, V: number, b: number, t: number) => logits.subarray((b * S + t) * V, (b * S + t + 1) * V);

for (const [name, config] of Object.entries(configs)) {
  describe(`ONNX export ${name} (seed ${seed})`, () => {
    const V = config.vocab_size as number;
    let sess: OnnxSession;
    let model: Model;
    const rng = new Rng(seed);

    it("exports, runs on the CPU provider and matches the engine's logits", async () => {
      const ck = checkpoint(config);
      model = ck.model;
      const out = tmp();
      const r = exportOnnx(ck.dir, out);
      expect(r.exported).toBe(true);
      sess = await openSession(out, { device: "cpu" });
      expect(sess.provider).toBe("cpu");
      expect(sess.providerLine).toBe("onnxruntime: CPU execution provider");
      const ids = randomIds(rng, 3, 11, V);
      const got = await runLogits(sess, ids);
      expect(got.dims).toEqual([3, 11, V]);
      // fp32 on both sides, differing only in summation order: ~1e-6 relative
      expect(relErr(got.logits, nativeLogits(model, ids))).toBeLessThan(1e-4);
      expect(got.presents.keys[0]!.dims).toEqual([3, sess.info.num_key_value_heads, 11, sess.info.head_dim]);
    });

    it("cached decoding equals full recomputation at every step", async () => {
      const ids = randomIds(rng, 2, 12, V);
      const prefix = 5;
      let step = await runLogits(sess, ids.map((r) => r.slice(0, prefix)));
      const full0 = await runLogits(sess, ids.map((r) => r.slice(0, prefix)));
      expect(relErr(step.logits, full0.logits)).toBeLessThan(1e-4);
      for (let t = prefix; t < 12; t++) {
        step = await runLogits(sess, ids.map((r) => [r[t]!]), step.presents);
        const ref = nativeLogits(model, ids.map((r) => r.slice(0, t + 1)));
        for (let b = 0; b < 2; b++) expect(relErr(at(step.logits, 1, V, b, 0), at(ref, t + 1, V, b, t)), `step ${t} row ${b}`).toBeLessThan(1e-4);
      }
      expect(step.presents.values[1]!.dims[2]).toBe(12);
    });

    it("left-padded batch rows equal their unpadded single-row results, also when decoding", async () => {
      const lens = [9, 4, 6];
      const rows = lens.map((n) => randomIds(rng, 1, n, V)[0]!);
      const T = Math.max(...lens);
      const padded = rows.map((r) => [...Array(T - r.length).fill(0), ...r]);
      const mask = rows.map((r) => [...Array(T - r.length).fill(0), ...r.map(() => 1)]);
      const got = await runLogits(sess, padded, undefined, mask);
      const next = rows.map(() => rng.int(V));
      const step = await runLogits(sess, next.map((t) => [t]), got.presents);
      for (let b = 0; b < rows.length; b++) {
        const n = rows[b]!.length;
        const single = nativeLogits(model, [rows[b]!]);
        for (let t = 0; t < n; t++) expect(relErr(at(got.logits, T, V, b, T - n + t), at(single, n, V, 0, t)), `row ${b} pos ${t}`).toBeLessThan(1e-4);
        const singleNext = nativeLogits(model, [[...rows[b]!, next[b]!]]);
        expect(relErr(at(step.logits, 1, V, b, 0), at(singleNext, n + 1, V, 0, n)), `row ${b} next`).toBeLessThan(1e-4);
      }
    });
  });
}

describe("ONNX export caching and errors", () => {
  const config = configs["qwen2-bias-tied"]!;

  it("skips a cached export, and redoes it after the checkpoint changes", async () => {
    const { dir, model } = checkpoint(config);
    const out = tmp();
    expect(exportOnnx(dir, out).exported).toBe(true);
    const m1 = statSync(join(out, "model.onnx")).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(exportOnnx(dir, out).exported).toBe(false);
    expect(statSync(join(out, "model.onnx")).mtimeMs).toBe(m1);
    // New weights: the file's mtime moves, so the export is redone and matches the new model.
    model.initWeights((seed + 1) % 100000, 0.5);
    saveCheckpoint(dir, model, { config });
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "model.safetensors"), later, later); // mtime granularity must not hide the change
    expect(exportOnnx(dir, out).exported).toBe(true);
    expect(statSync(join(out, "model.onnx")).mtimeMs).not.toBe(m1);
    const s = await openSession(out, { device: "cpu" });
    const ids = [[1, 2, 3, 4, 5]];
    expect(relErr((await runLogits(s, ids)).logits, nativeLogits(model, ids))).toBeLessThan(1e-4);
    // A config edit invalidates it too.
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, custom_note: "changed" }));
    expect(exportOnnx(dir, out).exported).toBe(true);
  });

  it("writes external weights to model.onnx.data above the size threshold, with the same logits", async () => {
    const { dir, model } = checkpoint(configs["llama-gqa-llama3"]!);
    const out = tmp();
    const r = exportOnnx(dir, out, { externalThresholdBytes: 1000 });
    expect(r.info.external_data).toBe(true);
    expect(statSync(join(out, "model.onnx.data")).size).toBeGreaterThan(statSync(join(out, "model.onnx")).size);
    const s = await openSession(out, { device: "cpu" });
    const ids = [[3, 1, 4, 1, 5, 9, 2, 6]];
    expect(relErr((await runLogits(s, ids)).logits, nativeLogits(model, ids))).toBeLessThan(1e-4);
  });

  it("exports sharded and BF16 checkpoints, matching the engine on the loaded (rounded) weights", async () => {
    const c = configs["qwen3-qknorm"]!;
    const m = new Model(c);
    m.initWeights(seed % 100000, 0.5);
    const dir = tmp();
    saveCheckpoint(dir, m, { config: c, dtype: "BF16", maxShardBytes: 6000 });
    const out = tmp();
    exportOnnx(dir, out);
    const s = await openSession(out, { device: "cpu" });
    const ids = [[7, 0, 60, 12, 33, 33, 5]];
    expect(relErr((await runLogits(s, ids)).logits, nativeLogits(loadCheckpoint(dir).model, ids))).toBeLessThan(1e-4);
  });

  it("names the file for a checkpoint without weights or with an unsupported config", () => {
    const { dir } = checkpoint(config);
    rmSync(join(dir, "model.safetensors"));
    expect(() => exportOnnx(dir, tmp())).toThrow(`${dir}: no model.safetensors or model.safetensors.index.json`);
    const bad = checkpoint(config).dir;
    writeFileSync(join(bad, "config.json"), JSON.stringify({ ...config, model_type: "gpt2" }));
    expect(() => exportOnnx(bad, tmp())).toThrow(`${join(bad, "config.json")}: field 'model_type': 'gpt2' is not a supported architecture`);
    expect(() => exportOnnx(join(bad, "nope"), tmp())).toThrow(`${join(bad, "nope")}: not a checkpoint directory`);
    // Qwen2 weights (with q/k/v biases) under a llama config: the biases would be dropped silently.
    const mismatch = checkpoint(config).dir;
    writeFileSync(join(mismatch, "config.json"), JSON.stringify({ ...config, model_type: "llama", architectures: ["LlamaForCausalLM"] }));
    expect(() => exportOnnx(mismatch, tmp())).toThrow(`${join(mismatch, "model.safetensors")}: tensor 'model.layers.0.self_attn.k_proj.bias' is not a parameter`);
    // Qwen2 weights under a qwen3 config: the q/k norms are missing.
    writeFileSync(join(mismatch, "config.json"), JSON.stringify({ ...config, model_type: "qwen3", attention_bias: true }));
    expect(() => exportOnnx(mismatch, tmp())).toThrow(`${mismatch}: tensor 'model.layers.0.self_attn.q_norm.weight' is missing from the checkpoint`);
    expect(() => exportOnnx(mismatch, tmp(), { dtype: "float16" as "float32" })).toThrow(/dtype 'float16' is not supported/);
  });

  it("--device auto logs one provider line (CPU, saying why not CUDA); --device cuda without CUDA is a clear error", async () => {
    const { dir } = checkpoint(config);
    const out = tmp();
    exportOnnx(dir, out);
    const lines: string[] = [];
    const s = await openSession(out, { device: "auto", log: (l) => lines.push(l) });
    expect(lines).toEqual([s.providerLine]);
    // Where onnxruntime's CUDA provider is installed and works, auto picks it; this machine has none.
    if (s.provider === "cpu") {
      expect(s.providerLine).toMatch(/^onnxruntime: CPU execution provider \(CUDA provider .+\)$/);
      await expect(openSession(out, { device: "cuda" })).rejects.toThrow(/^--device cuda: CUDA provider .*use --device cpu or auto/);
    } else expect(s.providerLine).toBe("onnxruntime: CUDA execution provider");
    const empty = tmp();
    await expect(openSession(empty, { device: "cpu" })).rejects.toThrow(`${join(empty, "model.onnx")}: not found`);
  });
});

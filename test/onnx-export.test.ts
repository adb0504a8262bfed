// ONNX export parity: small random checkpoints made by the engine, exported
// as both graph variants (fused contrib ops, plain opset 17), run with ONNX
// Runtime (CPU) and compared with the engine's forwardLogits (fp32, the
// reference). Half-precision graphs: fp16 runs on the CPU provider; bf16 has
// no CPU kernels, so its graph is checked structurally and run with its bf16
// weights widened to fp32 (same nodes, same rounded weights, fp32 arithmetic).
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { f16ToF32 } from "../src/model/safetensors.js";
import { EXPORT_INFO_FILE, exportOnnx, readExportInfo, type GraphOps } from "../src/infer/export-onnx.js";
import type onnxProto from "onnx-proto";
import { DT, onnx } from "../src/infer/onnx-graph.js";
import { openSession, runLogits, type OnnxSession, type PastKV } from "../src/infer/session.js";
import { Rng, freshSeed, relErr } from "./reference/random.js";

const base = {
  vocab_size: 61,
  hidden_size: 48,
  intermediate_size: 80,
  num_hidden_layers: 2,
  rms_norm_eps: 1e-5,
};
// head_dim is a multiple of 8 where GroupQueryAttention can run on the CPU provider; llama-mha-hd6 is not,
// so its fused graph keeps the MatMul/Softmax attention.
const configs: Record<string, Record<string, unknown>> = {
  // GQA (8 query heads over 2 kv heads), llama3 rope scaling, untied head
  "llama-gqa-llama3": {
    ...base,
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    num_attention_heads: 8,
    num_key_value_heads: 2,
    head_dim: 8,
    rope_theta: 500000,
    // wavelengths 6.3, 167, 4443 and 118000 against band edges 2048 and 8192: every llama3 band is used
    rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    tie_word_embeddings: false,
  },
  // Qwen2: q/k/v biases, tied embeddings, linear rope scaling
  "qwen2-bias-tied": {
    ...base,
    hidden_size: 64,
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
  // Multi-head attention (kv heads = heads) with head_dim 6
  "llama-mha-hd6": {
    ...base,
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    num_attention_heads: 8,
    num_key_value_heads: 8,
    head_dim: 6,
    rope_theta: 10000,
    tie_word_embeddings: false,
  },
};
const VARIANTS: GraphOps[] = ["fused", "plain"];

const seed = freshSeed();
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-onnx-"));

function checkpoint(config: Record<string, unknown>, dtype: "F32" | "F16" | "BF16" = "F32"): { dir: string; model: Model } {
  const model = new Model(config);
  model.initWeights(seed % 100000, 0.5);
  const dir = tmp();
  saveCheckpoint(dir, model, { config, dtype });
  // The engine on the weights as stored (rounded for F16/BF16), which is what the export reads.
  return { dir, model: dtype === "F32" ? model : loadCheckpoint(dir).model };
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

/** The GroupQueryAttention nodes of a model file (they sit in If branches). */
function gqaNodes(modelPath: string): onnxProto.onnx.INodeProto[] {
  const found: onnxProto.onnx.INodeProto[] = [];
  const walk = (nodes: onnxProto.onnx.INodeProto[]) => {
    for (const n of nodes) {
      if (n.opType === "GroupQueryAttention") found.push(n);
      for (const a of n.attribute ?? []) if (a.g) walk(a.g.node ?? []);
    }
  };
  walk(onnx.ModelProto.decode(readFileSync(modelPath)).graph!.node!);
  return found;
}

/** Op types in a model file with their counts: `top` in the main graph, `all` including If branches. */
function opCounts(modelPath: string): { top: Map<string, number>; all: Map<string, number> } {
  const top = new Map<string, number>(), all = new Map<string, number>();
  const walk = (nodes: onnxProto.onnx.INodeProto[], isTop: boolean) => {
    for (const n of nodes) {
      const k = `${n.domain ? n.domain + "." : ""}${n.opType}`;
      if (isTop) top.set(k, (top.get(k) ?? 0) + 1);
      all.set(k, (all.get(k) ?? 0) + 1);
      for (const a of n.attribute ?? []) if (a.g) walk(a.g.node ?? [], false);
    }
  };
  walk(onnx.ModelProto.decode(readFileSync(modelPath)).graph!.node!, true);
  return { top, all };
}

/**
 * The checks every graph must pass, against the engine `model`, with relative tolerance `tol`:
 * full-sequence logits, cached decoding, left padding, chunked prefill over left padding.
 */
function parityTests(name: string, get: () => { sess: OnnxSession; model: Model }, V: number, tol: number, rng: Rng): void {
  it(`${name}: matches the engine's logits`, async () => {
    const { sess, model } = get();
    const ids = randomIds(rng, 3, 11, V);
    const got = await runLogits(sess, ids);
    expect(got.dims).toEqual([3, 11, V]);
    expect(relErr(got.logits, nativeLogits(model, ids))).toBeLessThan(tol);
    expect(got.presents.keys[0]!.dims).toEqual([3, sess.info.num_key_value_heads, 11, sess.info.head_dim]);
    expect(got.presents.keys[0]!.type).toBe("float32");
  });

  it(`${name}: cached decoding equals full recomputation at every step`, async () => {
    const { sess, model } = get();
    const ids = randomIds(rng, 2, 12, V);
    const prefix = 5;
    let step = await runLogits(sess, ids.map((r) => r.slice(0, prefix)));
    for (let t = prefix; t < 12; t++) {
      step = await runLogits(sess, ids.map((r) => [r[t]!]), step.presents);
      const ref = nativeLogits(model, ids.map((r) => r.slice(0, t + 1)));
      for (let b = 0; b < 2; b++) expect(relErr(at(step.logits, 1, V, b, 0), at(ref, t + 1, V, b, t)), `step ${t} row ${b}`).toBeLessThan(tol);
    }
    expect(step.presents.values[1]!.dims[2]).toBe(12);
  });

  it(`${name}: left-padded rows equal their unpadded single-row results, also when decoding`, async () => {
    const { sess, model } = get();
    const lens = [9, 4, 6];
    const rows = lens.map((n) => randomIds(rng, 1, n, V)[0]!);
    const T = Math.max(...lens);
    const padded = rows.map((r) => [...Array(T - r.length).fill(0), ...r]);
    const mask = rows.map((r) => [...Array(T - r.length).fill(0), ...r.map(() => 1)]);
    const got = await runLogits(sess, padded, undefined, mask);
    expect(got.logits.every(Number.isFinite)).toBe(true); // padding rows too
    const next = rows.map(() => rng.int(V));
    const step = await runLogits(sess, next.map((t) => [t]), got.presents);
    for (let b = 0; b < rows.length; b++) {
      const n = rows[b]!.length;
      const single = nativeLogits(model, [rows[b]!]);
      for (let t = 0; t < n; t++) expect(relErr(at(got.logits, T, V, b, T - n + t), at(single, n, V, 0, t)), `row ${b} pos ${t}`).toBeLessThan(tol);
      const singleNext = nativeLogits(model, [[...rows[b]!, next[b]!]]);
      expect(relErr(at(step.logits, 1, V, b, 0), at(singleNext, n + 1, V, 0, n)), `row ${b} next`).toBeLessThan(tol);
    }
  });

  it(`${name}: chunked prefill over left padding (a chunk all padding for one row) equals single rows`, async () => {
    const { sess, model } = get();
    const lens = [10, 3, 7];
    const rows = lens.map((n) => randomIds(rng, 1, n, V)[0]!);
    const T = 10;
    const padded = rows.map((r) => [...Array(T - r.length).fill(0), ...r]);
    const mask = rows.map((r) => [...Array(T - r.length).fill(0), ...r.map(() => 1)]);
    const chunks: [number, number][] = [[0, 4], [4, 7], [7, 8], [8, 10]];
    const singles = rows.map((r) => nativeLogits(model, [r]));
    // The batch together, then each padded row alone (GroupQueryAttention serves single-row chunks).
    for (const batch of [[0, 1, 2], [0], [1], [2]]) {
      let past: PastKV | undefined;
      for (const [s, e] of chunks) {
        const r = await runLogits(sess, batch.map((b) => padded[b]!.slice(s, e)), past, batch.map((b) => mask[b]!.slice(s, e)));
        past = r.presents;
        batch.forEach((b, i) => {
          for (let t = s; t < e; t++) {
            const real = t - (T - lens[b]!);
            if (real >= 0) expect(relErr(at(r.logits, e - s, V, i, t - s), at(singles[b]!, lens[b]!, V, 0, real)), `rows ${batch} row ${b} pos ${t}`).toBeLessThan(tol);
          }
        });
      }
    }
  });
}

for (const [name, config] of Object.entries(configs)) {
  describe(`ONNX export ${name} (seed ${seed})`, () => {
    const V = config.vocab_size as number;
    const rng = new Rng(seed);
    const ck = checkpoint(config);
    const sessions = new Map<GraphOps, OnnxSession>();
    const headDim = (config.head_dim as number | undefined) ?? (config.hidden_size as number) / (config.num_attention_heads as number);
    const gqa = headDim % 8 === 0;

    for (const ops of VARIANTS) {
      it(`${ops}: exports the variant's ops and runs on the CPU provider`, async () => {
        const out = tmp();
        const r = exportOnnx(ck.dir, out, { ops });
        expect(r.exported).toBe(true);
        expect(r.info).toMatchObject({ ops, dtype: "fp32", attention: ops === "fused" && gqa ? "GroupQueryAttention" : "MatMul-Softmax" });
        const { top, all } = opCounts(r.modelPath);
        const L = config.num_hidden_layers as number;
        if (ops === "fused") {
          expect(top.get("com.microsoft.RotaryEmbedding")).toBe(2 * L);
          expect(top.get("com.microsoft.SkipSimplifiedLayerNormalization")).toBe(2 * L);
          // GroupQueryAttention in an If whose other branch serves batched chunked prefill
          expect(top.get("If") ?? 0).toBe(gqa ? L : 0);
          expect(all.get("com.microsoft.GroupQueryAttention") ?? 0).toBe(gqa ? L : 0);
          expect(top.get("Softmax") ?? 0).toBe(gqa ? 0 : L);
          expect(top.get("MatMul")).toBe((gqa ? 4 : 6) * L + 1); // qkv, o, gate_up, down (+ QK^T, PV); lm head
          // fp32: the padding reaches GroupQueryAttention as attention_bias (input 10)
          for (const n of gqaNodes(r.modelPath)) expect(n.input![10]).toMatch(/^Expand_/);
        } else {
          expect([...all.keys()].filter((k) => k.startsWith("com.microsoft.") || k === "If")).toEqual([]);
          expect(top.get("MatMul")).toBe(9 * L + 1); // q, k, v, QK^T, PV, o, gate, up, down; lm head
        }
        const sess = await openSession(out, { device: "cpu" });
        expect(sess.provider).toBe("cpu");
        expect(sess.providerLine).toBe("onnxruntime: CPU execution provider");
        sessions.set(ops, sess);
      });
      // fp32 on both sides, differing only in summation order: ~1e-6 relative
      parityTests(ops, () => ({ sess: sessions.get(ops)!, model: ck.model }), V, 1e-4, rng);
    }

    it("fused and plain graphs agree with each other", async () => {
      const ids = randomIds(rng, 2, 9, V);
      const [f, p] = await Promise.all(VARIANTS.map((ops) => runLogits(sessions.get(ops)!, ids)));
      expect(relErr(f!.logits, p!.logits)).toBeLessThan(1e-4);
      expect(relErr(f!.presents.values[1]!.data as Float32Array, p!.presents.values[1]!.data as Float32Array)).toBeLessThan(1e-4);
    });
  });
}

/** A half-precision model with its fp16/bf16 initializers widened to fp32 and its casts to them made casts to fp32. */
function widenToFp32(modelPath: string, outDir: string): void {
  const m = onnx.ModelProto.decode(readFileSync(modelPath));
  for (const t of m.graph!.initializer!) {
    if (t.dataType !== DT.FLOAT16 && t.dataType !== DT.BFLOAT16) continue;
    const raw = t.rawData!;
    const h = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const f = new Float32Array(h.length);
    if (t.dataType === DT.FLOAT16) for (let i = 0; i < h.length; i++) f[i] = f16ToF32(h[i]!);
    else new Uint32Array(f.buffer).set(Array.from(h, (x) => x << 16));
    t.dataType = DT.FLOAT;
    t.rawData = new Uint8Array(f.buffer);
  }
  const half = (t: unknown) => [DT.FLOAT16, DT.BFLOAT16].includes(Number(t));
  const walk = (nodes: onnxProto.onnx.INodeProto[]) => {
    for (const n of nodes)
      for (const a of n.attribute ?? []) {
        if (n.opType === "Cast" && a.name === "to" && half(a.i)) a.i = DT.FLOAT;
        if (a.g) {
          for (const o of a.g.output ?? []) if (half(o.type?.tensorType?.elemType)) o.type!.tensorType!.elemType = DT.FLOAT;
          walk(a.g.node ?? []);
        }
      }
  };
  walk(m.graph!.node!);
  writeFileSync(join(outDir, "model.onnx"), onnx.ModelProto.encode(m).finish());
}

describe(`ONNX export in half precision (seed ${seed})`, () => {
  for (const name of ["llama-gqa-llama3", "qwen3-qknorm", "llama-mha-hd6"]) {
    const config = configs[name]!;
    const V = config.vocab_size as number;
    const rng = new Rng(seed + 1);
    for (const dtype of ["fp16", "bf16"] as const) {
      // The engine on the checkpoint rounded to the same half type: the weights the graph holds, exactly.
      const ck = checkpoint(config, dtype === "fp16" ? "F16" : "BF16");
      for (const ops of VARIANTS) {
        const widened = new Map<string, OnnxSession>();
        it(`${name} ${dtype} ${ops}: weights in ${dtype}, float32 I/O; widened to fp32 it runs`, async () => {
          const out = tmp();
          const r = exportOnnx(ck.dir, out, { ops, dtype });
          expect(r.info).toMatchObject({ ops, dtype });
          const m = onnx.ModelProto.decode(readFileSync(r.modelPath));
          const g = m.graph!;
          const elem = dtype === "fp16" ? DT.FLOAT16 : DT.BFLOAT16;
          const weights = g.initializer!.filter((t) => t.name!.startsWith("model.") || t.name === "lm_head.weight");
          expect(weights.length).toBeGreaterThan(0);
          for (const t of weights) expect(t.dataType, t.name!).toBe(elem);
          for (const v of [...g.input!.slice(2), ...g.output!]) expect(v.type!.tensorType!.elemType, v.name!).toBe(DT.FLOAT);
          // Built for the CUDA kernel, which has no attention_bias: padded calls take the other If branch.
          const gqaIn = gqaNodes(r.modelPath).map((n) => n.input!.length);
          expect(gqaIn).toEqual(ops === "fused" && name !== "llama-mha-hd6" ? [7, 7] : []);
          widenToFp32(r.modelPath, out);
          widened.set(ops, await openSession(out, { device: "cpu" }));
        });
        // Same nodes, same (rounded) weights, fp32 arithmetic: the fp32 tolerance.
        parityTests(`${name} ${dtype} ${ops} widened`, () => ({ sess: widened.get(ops)!, model: ck.model }), V, 1e-4, rng);
      }
      if (dtype === "fp16")
        for (const ops of VARIANTS) {
          const s = new Map<string, OnnxSession>();
          it(`${name} fp16 ${ops}: the CPU provider runs the fp16 graph`, async () => {
            const out = tmp();
            exportOnnx(ck.dir, out, { ops, dtype });
            s.set(ops, await openSession(out, { device: "cpu" }));
          });
          // fp16 activations (unit roundoff 4.9e-4) through 2 layers of these random models (weights std 0.5):
          // up to 1.5e-2 relative seen over 12 seeds (GroupQueryAttention's fp16 kernel the largest); a wrong
          // graph (e.g. padding not masked) is off by O(1).
          parityTests(`${name} fp16 ${ops} native`, () => ({ sess: s.get(ops)!, model: ck.model }), V, 4e-2, rng);
        }
    }
  }

  it("fp16 external data holds half the bytes of fp32", () => {
    const { dir } = checkpoint(configs["llama-gqa-llama3"]!);
    const sizes = (["fp32", "fp16"] as const).map((dtype) => {
      const out = tmp();
      exportOnnx(dir, out, { dtype, externalThresholdBytes: 1000 });
      return statSync(join(out, "model.onnx.data")).size;
    });
    expect(sizes[1]! * 2).toBe(sizes[0]);
  });
});

describe("ONNX export caching and errors", () => {
  const config = configs["qwen2-bias-tied"]!;

  it("skips a cached export, and redoes it after the checkpoint or the options change", async () => {
    const { dir, model } = checkpoint(config);
    const out = tmp();
    expect(exportOnnx(dir, out).exported).toBe(true);
    const m1 = statSync(join(out, "model.onnx")).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(exportOnnx(dir, out, { ops: "fused", dtype: "fp32" }).exported).toBe(false);
    expect(statSync(join(out, "model.onnx")).mtimeMs).toBe(m1);
    // Other options: another graph.
    const plain = exportOnnx(dir, out, { ops: "plain" });
    expect(plain.exported).toBe(true);
    expect(readExportInfo(out)).toMatchObject({ ops: "plain", dtype: "fp32" });
    expect(exportOnnx(dir, out, { ops: "plain" }).exported).toBe(false);
    expect(exportOnnx(dir, out, { dtype: "fp16" }).info).toMatchObject({ ops: "fused", dtype: "fp16" });
    // New weights: the file's mtime moves, so the export is redone and matches the new model.
    model.initWeights((seed + 1) % 100000, 0.5);
    saveCheckpoint(dir, model, { config });
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "model.safetensors"), later, later); // mtime granularity must not hide the change
    expect(exportOnnx(dir, out).exported).toBe(true);
    const s = await openSession(out, { device: "cpu" });
    const ids = [[1, 2, 3, 4, 5]];
    expect(relErr((await runLogits(s, ids)).logits, nativeLogits(model, ids))).toBeLessThan(1e-4);
    // A config edit invalidates it too.
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, custom_note: "changed" }));
    expect(exportOnnx(dir, out).exported).toBe(true);
  });

  it("reads the info of an export made before --ops/--dtype existed as plain fp32", () => {
    const { dir } = checkpoint(config);
    const out = tmp();
    exportOnnx(dir, out, { ops: "plain" });
    const info = JSON.parse(readFileSync(join(out, EXPORT_INFO_FILE), "utf8")) as Record<string, unknown>;
    delete info.ops;
    delete info.dtype;
    delete info.attention;
    writeFileSync(join(out, EXPORT_INFO_FILE), JSON.stringify(info));
    expect(readExportInfo(out)).toMatchObject({ ops: "plain", dtype: "fp32", attention: "MatMul-Softmax" });
  });

  it("writes external weights to model.onnx.data above the size threshold, with the same logits", async () => {
    const { dir, model } = checkpoint(configs["llama-gqa-llama3"]!);
    for (const ops of VARIANTS) {
      const out = tmp();
      const r = exportOnnx(dir, out, { ops, externalThresholdBytes: 1000 });
      expect(r.info.external_data).toBe(true);
      expect(statSync(join(out, "model.onnx.data")).size).toBeGreaterThan(statSync(join(out, "model.onnx")).size);
      const s = await openSession(out, { device: "cpu" });
      const ids = [[3, 1, 4, 1, 5, 9, 2, 6]];
      expect(relErr((await runLogits(s, ids)).logits, nativeLogits(model, ids))).toBeLessThan(1e-4);
    }
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

  it("names the file for a checkpoint without weights or with an unsupported config, and rejects unknown options", () => {
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
    const ok = checkpoint(config).dir;
    expect(() => exportOnnx(ok, tmp(), { dtype: "float64" as "fp32" })).toThrow("exportOnnx: dtype 'float64' is not supported (fp32, fp16 or bf16)");
    expect(() => exportOnnx(ok, tmp(), { ops: "fast" as "fused" })).toThrow("exportOnnx: ops 'fast' is not supported (fused or plain)");
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

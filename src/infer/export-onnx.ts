// Exports a checkpoint directory (Llama family: Llama, Mistral, Qwen2, Qwen3)
// as an ONNX decoder with a KV cache, built here with onnx-proto from plain
// opset-17 ops that the ONNX Runtime CPU provider runs (design.md, "ONNX
// export"). Correctness first: the fused com.microsoft attention/rotary/norm
// ops are a later speed step.
//
// Inputs:  input_ids [batch, seq] int64, attention_mask [batch, total_seq] int64,
//          past_key_values.N.key|value [batch, kv_heads, past_seq, head_dim] float.
// Outputs: logits [batch, seq, vocab], present.N.key|value (past + new).
// Positions come from the mask (cumsum - 1), so left padding works; masked
// keys and future keys get the float32 lowest value (finite, so a fully
// masked padding row gives no NaN).
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { z } from "zod";
import { writeAll } from "../model/atomic-file.js";
import { CheckpointError, listWeights, readCheckpointConfig, type WeightRef } from "../model/checkpoint.js";
import type { EngineConfig } from "../model/config.js";
import { readTensorData } from "../model/safetensors.js";

const { onnx } = onnxProto;

/** Bump when the graph changes, so cached exports from an older exporter are redone. */
const EXPORTER_VERSION = 1;
const OPSET = 17;
export const EXPORT_INFO_FILE = "onnx-export.json";
const DEFAULT_EXTERNAL_THRESHOLD = 100 * 1024 * 1024;

export interface ExportOptions {
  dtype?: "float32";
  /** Weights above this many bytes go to model.onnx.data (default 100 MB); protobuf caps a file at 2 GB. */
  externalThresholdBytes?: number;
  log?: (s: string) => void;
}

/** What a session needs to feed the graph (written beside model.onnx). */
export const ExportInfoSchema = z.object({
  exporter_version: z.number().int(),
  source_hash: z.string(),
  num_hidden_layers: z.number().int().positive(),
  num_key_value_heads: z.number().int().positive(),
  head_dim: z.number().int().positive(),
  vocab_size: z.number().int().positive(),
  external_data: z.boolean(),
});
export type ExportInfo = z.infer<typeof ExportInfoSchema>;

export interface ExportResult {
  modelPath: string;
  /** false when a cached export matched the checkpoint. */
  exported: boolean;
  info: ExportInfo;
}

export class ExportError extends Error {}

/** inv_freq as native/cpu/rope.cpp (and transformers) compute it: in double, rounded once to float. */
export function ropeInvFreq(c: EngineConfig): Float32Array {
  const D = c.head_dim, sc = c.rope_scaling;
  const out = new Float32Array(D / 2);
  for (let i = 0; i < D / 2; i++) {
    let f = 1 / Math.pow(c.rope_theta, (2 * i) / D);
    if (sc?.rope_type === "linear") f /= sc.factor;
    else if (sc?.rope_type === "llama3") {
      const oldCtx = sc.original_max_position_embeddings;
      const lowWavelen = oldCtx / sc.low_freq_factor, highWavelen = oldCtx / sc.high_freq_factor;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowWavelen) f = f / sc.factor;
      else if (!(wavelen < highWavelen)) {
        const smooth = (oldCtx / wavelen - sc.low_freq_factor) / (sc.high_freq_factor - sc.low_freq_factor);
        f = ((1 - smooth) * f) / sc.factor + smooth * f;
      }
    }
    out[i] = f;
  }
  return out;
}

/** Hash of what the export depends on: exporter version, config.json bytes, weight files' names, sizes and mtimes. */
function sourceHash(dir: string, weights: Map<string, WeightRef>): string {
  const h = createHash("sha256");
  h.update(`v${EXPORTER_VERSION}\n`);
  h.update(readFileSync(join(dir, "config.json")));
  for (const f of [...new Set([...weights.values()].map((w) => w.file))].sort()) {
    const s = statSync(f);
    h.update(`\n${f}\t${s.size}\t${s.mtimeMs}`);
  }
  return h.digest("hex");
}

function readInfo(path: string): ExportInfo | undefined {
  try {
    const parsed = ExportInfoSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // unreadable or stale info: export again
  }
}

// ---------------------------------------------------------------------------------------------
// graph building

type Attr = number | number[] | string;

class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private n = 0;
  /** Named initializer tensors (weights) stream to a data file when external. */
  constructor(private readonly external: { fd: number; offset: number; file: string } | undefined) {}

  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, nOut = 1): string[] {
    const id = `${type}_${this.n++}`;
    const outputs = Array.from({ length: nOut }, (_, i) => `${id}_out${i}`);
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === "string") return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      return { name, type: onnx.AttributeProto.AttributeType.INT, i: v }; // the graph has no float attributes
    });
    this.nodes.push({ name: id, opType: type, input: inputs, output: outputs, attribute });
    return outputs;
  }
  op1(type: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.op(type, inputs, attrs)[0]!;
  }

  /** A small constant (shapes, scalars): always inline. */
  constI64(values: number[], dims: number[] = [values.length]): string {
    const name = `const_${this.n++}`;
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims, rawData: new Uint8Array(raw.buffer) });
    return name;
  }
  constF32(values: Float32Array | number[], dims: number[] = [values.length]): string {
    const name = `const_${this.n++}`;
    const raw = Float32Array.from(values);
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  /** A weight: inline, or appended to the external data file. */
  weight(name: string, data: Float32Array, dims: number[]): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!this.external) {
      this.initializers.push({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: bytes.slice() });
      return name;
    }
    const e = this.external;
    writeAll(e.fd, bytes);
    this.initializers.push({
      name,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: "location", value: e.file },
        { key: "offset", value: String(e.offset) },
        { key: "length", value: String(bytes.byteLength) },
      ],
    });
    e.offset += bytes.byteLength;
    return name;
  }
}

/** [rows, cols] row-major -> [cols, rows], so MatMul(x, W^T) needs no Transpose node. */
function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

const FLOAT_LOWEST = -3.4028234663852886e38;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Exports `checkpointDir` to `outDir/model.onnx`, skipping the work when a cached export matches. */
export function exportOnnx(checkpointDir: string, outDir: string, o: ExportOptions = {}): ExportResult {
  if ((o.dtype ?? "float32") !== "float32") throw new ExportError(`exportOnnx: dtype '${String(o.dtype)}' is not supported (float32 only)`);
  if (!existsSync(checkpointDir) || !statSync(checkpointDir).isDirectory()) throw new CheckpointError(`${checkpointDir}: not a checkpoint directory`);
  const { engine: c } = readCheckpointConfig(checkpointDir);
  const weights = listWeights(checkpointDir);
  const hash = sourceHash(checkpointDir, weights);
  const modelPath = join(outDir, "model.onnx");
  const infoPath = join(outDir, EXPORT_INFO_FILE);
  const prior = readInfo(infoPath);
  if (prior && prior.source_hash === hash && existsSync(modelPath) && (!prior.external_data || existsSync(modelPath + ".data"))) {
    o.log?.(`onnx: ${modelPath} is up to date with ${checkpointDir}`);
    return { modelPath, exported: false, info: prior };
  }

  // Every parameter must be present with the shape the config implies, before any work.
  const H = c.hidden_size, nH = c.num_attention_heads, KV = c.num_key_value_heads, D = c.head_dim;
  const V = c.vocab_size, I = c.intermediate_size, L = c.num_hidden_layers;
  const expected = new Map<string, number[]>();
  expected.set("model.embed_tokens.weight", [V, H]);
  expected.set("model.norm.weight", [H]);
  if (!c.tie_word_embeddings) expected.set("lm_head.weight", [V, H]);
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}.`;
    expected.set(p + "input_layernorm.weight", [H]);
    expected.set(p + "post_attention_layernorm.weight", [H]);
    expected.set(p + "self_attn.q_proj.weight", [nH * D, H]);
    expected.set(p + "self_attn.k_proj.weight", [KV * D, H]);
    expected.set(p + "self_attn.v_proj.weight", [KV * D, H]);
    expected.set(p + "self_attn.o_proj.weight", [H, nH * D]);
    if (c.attention_bias) {
      expected.set(p + "self_attn.q_proj.bias", [nH * D]);
      expected.set(p + "self_attn.k_proj.bias", [KV * D]);
      expected.set(p + "self_attn.v_proj.bias", [KV * D]);
    }
    if (c.qk_norm) {
      expected.set(p + "self_attn.q_norm.weight", [D]);
      expected.set(p + "self_attn.k_norm.weight", [D]);
    }
    expected.set(p + "mlp.gate_proj.weight", [I, H]);
    expected.set(p + "mlp.up_proj.weight", [I, H]);
    expected.set(p + "mlp.down_proj.weight", [H, I]);
  }
  let totalBytes = 0;
  for (const [name, shape] of expected) {
    const w = weights.get(name);
    if (!w) throw new CheckpointError(`${checkpointDir}: tensor '${name}' is missing from the checkpoint`);
    if (JSON.stringify(w.entry.shape) !== JSON.stringify(shape))
      throw new CheckpointError(`${w.file}: tensor '${name}' has shape ${JSON.stringify(w.entry.shape)}, the config needs ${JSON.stringify(shape)}`);
    if (w.entry.dtype === "I32") throw new CheckpointError(`${w.file}: tensor '${name}' has dtype I32, expected a float type`);
    totalBytes += shape.reduce((a, b) => a * b, 1) * 4;
  }
  // Weights the graph would not use mean the config does not describe this checkpoint (e.g. biases under a llama config).
  for (const [name, w] of weights) {
    if (expected.has(name) || /\.rotary_emb\.inv_freq$/.test(name)) continue;
    if (name === "lm_head.weight" && c.tie_word_embeddings) continue; // transformers ignores it too
    throw new CheckpointError(`${w.file}: tensor '${name}' is not a parameter of the model that config.json describes`);
  }
  const externalData = totalBytes > (o.externalThresholdBytes ?? DEFAULT_EXTERNAL_THRESHOLD);

  mkdirSync(outDir, { recursive: true });
  // Drop the old info first: a crash mid-export must not leave a stale "up to date" marker.
  rmSync(infoPath, { force: true });
  const dataName = "model.onnx.data";
  const dataTmp = join(outDir, `${dataName}.tmp-${process.pid}`);
  const fds = new Map<string, number>();
  const scratch = { buffer: new ArrayBuffer(0) };
  const external = externalData ? { fd: openSync(dataTmp, "w"), offset: 0, file: dataName } : undefined;
  let model: Uint8Array;
  try {
    const read = (name: string): Float32Array => {
      const w = weights.get(name)!;
      let fd = fds.get(w.file);
      if (fd === undefined) fds.set(w.file, (fd = openSync(w.file, "r")));
      // A copy: the scratch buffer is reused by the next read.
      return Float32Array.from(readTensorData(fd, w.header, w.entry, w.file, scratch) as Float32Array);
    };
    const g = new GraphBuilder(external);
    const matW = (name: string, rows: number, cols: number) => g.weight(name, transpose2d(read(name), rows, cols), [cols, rows]);
    const vecW = (name: string, n: number) => g.weight(name, read(name), [n]);

    const eps = g.constF32([c.rms_norm_eps], []);
    const rmsNorm = (x: string, w: string): string => {
      // x * 1/sqrt(mean(x^2) + eps) * w, as the engine and transformers do it
      const ms = g.op1("ReduceMean", [g.op1("Mul", [x, x])], { axes: [-1], keepdims: 1 });
      const inv = g.op1("Reciprocal", [g.op1("Sqrt", [g.op1("Add", [ms, eps])])]);
      return g.op1("Mul", [g.op1("Mul", [x, inv]), w]);
    };

    // Sequence lengths and positions.
    const ids = "input_ids", mask = "attention_mask";
    const seqLen = g.op1("Gather", [g.op1("Shape", [ids]), g.constI64([1], [])], { axis: 0 }); // S (scalar)
    const totLen = g.op1("Gather", [g.op1("Shape", [mask]), g.constI64([1], [])], { axis: 0 }); // T (scalar)
    const pastLen = g.op1("Sub", [totLen, seqLen]);
    const posAll = g.op1("Sub", [g.op1("CumSum", [mask, g.constI64([1], [])]), g.constI64([1], [])]);
    const pos = g.op1("Slice", [posAll, g.op1("Unsqueeze", [pastLen, g.constI64([0])]), g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]);
    // angle = float(pos) * inv_freq in float32, as the engine does; cos/sin duplicated over both halves.
    const posF = g.op1("Unsqueeze", [g.op1("Cast", [pos], { to: onnx.TensorProto.DataType.FLOAT }), g.constI64([2])]);
    const angle = g.op1("Mul", [posF, g.constF32(ropeInvFreq(c))]); // [B,S,D/2]
    const toHeads = (t: string) => g.op1("Unsqueeze", [g.op1("Concat", [t, t], { axis: -1 }), g.constI64([1])]); // [B,1,S,D]
    const cos = toHeads(g.op1("Cos", [angle])), sin = toHeads(g.op1("Sin", [angle]));
    const halves = g.constI64([D / 2, D / 2]);
    const rope = (x: string): string => {
      const [x1, x2] = g.op("Split", [x, halves], { axis: -1 }, 2) as [string, string];
      const rot = g.op1("Concat", [g.op1("Neg", [x2]), x1], { axis: -1 });
      return g.op1("Add", [g.op1("Mul", [x, cos]), g.op1("Mul", [rot, sin])]);
    };

    // allowed[b,1,1,s,t]: key t is not padding and not after query s (query s sits at past + s).
    const keyIdx = g.op1("Range", [g.constI64([0], []), totLen, g.constI64([1], [])]);
    const qIdx = g.op1("Range", [pastLen, totLen, g.constI64([1], [])]);
    const causal = g.op1("LessOrEqual", [g.op1("Unsqueeze", [keyIdx, g.constI64([0])]), g.op1("Unsqueeze", [qIdx, g.constI64([1])])]); // [S,T]
    const keyOk = g.op1("Unsqueeze", [g.op1("Cast", [mask], { to: onnx.TensorProto.DataType.BOOL }), g.constI64([1, 2, 3])]); // [B,1,1,1,T]
    const allowed = g.op1("And", [causal, keyOk]); // [B,1,1,S,T]
    const lowest = g.constF32([FLOAT_LOWEST], []);
    const scale = g.constF32([1 / Math.sqrt(D)], []);

    const heads = (x: string, n: number) => g.op1("Transpose", [g.op1("Reshape", [x, g.constI64([0, 0, n, D])])], { perm: [0, 2, 1, 3] }); // [B,n,S,D]
    let x = g.op1("Gather", [g.weight("model.embed_tokens.weight", read("model.embed_tokens.weight"), [V, H]), ids], { axis: 0 });
    const inputs = [valueInfo(ids, onnx.TensorProto.DataType.INT64, ["batch", "seq"]), valueInfo(mask, onnx.TensorProto.DataType.INT64, ["batch", "total_seq"])];
    const outputs: onnxProto.onnx.IValueInfoProto[] = [];
    const rep = nH / KV;
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}.`;
      const h = rmsNorm(x, vecW(p + "input_layernorm.weight", H));
      const proj = (kind: "q" | "k" | "v", out: number) => {
        let y = g.op1("MatMul", [h, matW(`${p}self_attn.${kind}_proj.weight`, out, H)]);
        if (c.attention_bias) y = g.op1("Add", [y, vecW(`${p}self_attn.${kind}_proj.bias`, out)]);
        return y;
      };
      let q = heads(proj("q", nH * D), nH), k = heads(proj("k", KV * D), KV);
      const v = heads(proj("v", KV * D), KV);
      if (c.qk_norm) {
        q = rmsNorm(q, vecW(p + "self_attn.q_norm.weight", D));
        k = rmsNorm(k, vecW(p + "self_attn.k_norm.weight", D));
      }
      q = rope(q);
      k = rope(k);
      const pastK = `past_key_values.${l}.key`, pastV = `past_key_values.${l}.value`;
      inputs.push(valueInfo(pastK, onnx.TensorProto.DataType.FLOAT, ["batch", KV, "past_seq", D]));
      inputs.push(valueInfo(pastV, onnx.TensorProto.DataType.FLOAT, ["batch", KV, "past_seq", D]));
      const presentK = `present.${l}.key`, presentV = `present.${l}.value`;
      g.nodes.push({ name: `concat_k_${l}`, opType: "Concat", input: [pastK, k], output: [presentK], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 }] });
      g.nodes.push({ name: `concat_v_${l}`, opType: "Concat", input: [pastV, v], output: [presentV], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 }] });
      outputs.push(valueInfo(presentK, onnx.TensorProto.DataType.FLOAT, ["batch", KV, "total_seq", D]));
      outputs.push(valueInfo(presentV, onnx.TensorProto.DataType.FLOAT, ["batch", KV, "total_seq", D]));
      // GQA without copying K/V: group the query heads as [B,KV,rep,S,D] and broadcast K/V as [B,KV,1,T,D]
      // (query head j uses kv head j / rep, as transformers' repeat_kv).
      const qg = g.op1("Reshape", [q, g.constI64([0, KV, rep, -1, D])]);
      const kT = g.op1("Unsqueeze", [g.op1("Transpose", [presentK], { perm: [0, 1, 3, 2] }), g.constI64([2])]);
      const vg = g.op1("Unsqueeze", [presentV, g.constI64([2])]);
      const scores = g.op1("Mul", [g.op1("MatMul", [qg, kT]), scale]);
      const probs = g.op1("Softmax", [g.op1("Where", [allowed, scores, lowest])], { axis: -1 });
      const attn = g.op1("Reshape", [g.op1("MatMul", [probs, vg]), g.constI64([0, nH, -1, D])]); // [B,nH,S,D]
      const merged = g.op1("Reshape", [g.op1("Transpose", [attn], { perm: [0, 2, 1, 3] }), g.constI64([0, 0, nH * D])]);
      x = g.op1("Add", [x, g.op1("MatMul", [merged, matW(p + "self_attn.o_proj.weight", H, nH * D)])]);

      const h2 = rmsNorm(x, vecW(p + "post_attention_layernorm.weight", H));
      const gate = g.op1("MatMul", [h2, matW(p + "mlp.gate_proj.weight", I, H)]);
      const up = g.op1("MatMul", [h2, matW(p + "mlp.up_proj.weight", I, H)]);
      const act = g.op1("Mul", [g.op1("Mul", [gate, g.op1("Sigmoid", [gate])]), up]);
      x = g.op1("Add", [x, g.op1("MatMul", [act, matW(p + "mlp.down_proj.weight", H, I)])]);
    }
    x = rmsNorm(x, vecW("model.norm.weight", H));
    // Tied: transpose the embedding in the graph (ORT folds it at load) instead of storing a second copy.
    const lmHead = c.tie_word_embeddings
      ? g.op1("Transpose", ["model.embed_tokens.weight"], { perm: [1, 0] })
      : matW("lm_head.weight", V, H);
    g.nodes.push({ name: "lm_head", opType: "MatMul", input: [x, lmHead], output: ["logits"] });
    outputs.unshift(valueInfo("logits", onnx.TensorProto.DataType.FLOAT, ["batch", "seq", V]));

    model = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: "", version: OPSET }],
      producerName: "midtrain",
      producerVersion: String(EXPORTER_VERSION),
      graph: { name: "midtrain_decoder", node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
    }).finish();
  } catch (e) {
    if (external) rmSync(dataTmp, { force: true }); // closed below; no half-written data file left behind
    throw e;
  } finally {
    for (const fd of fds.values()) closeSync(fd);
    if (external) closeSync(external.fd);
  }
  // The data file, then the model, then the info marker: each complete before the next names it.
  if (externalData) renameSync(dataTmp, join(outDir, dataName));
  else rmSync(join(outDir, dataName), { force: true });
  const tmpModel = `${modelPath}.tmp-${process.pid}`;
  const fd = openSync(tmpModel, "w");
  try {
    writeAll(fd, model);
  } finally {
    closeSync(fd);
  }
  renameSync(tmpModel, modelPath);
  const info: ExportInfo = { exporter_version: EXPORTER_VERSION, source_hash: hash, num_hidden_layers: L, num_key_value_heads: KV, head_dim: D, vocab_size: V, external_data: externalData };
  writeFileSync(infoPath, JSON.stringify(info, null, 2) + "\n");
  o.log?.(`onnx: exported ${checkpointDir} to ${modelPath}${externalData ? ` (+ ${dataName})` : ""}`);
  return { modelPath, exported: true, info };
}

/** The export info beside a model.onnx; the error names the file. */
export function readExportInfo(onnxDir: string): ExportInfo {
  const path = join(onnxDir, EXPORT_INFO_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ExportError(`${path}: cannot read the export info (${(e as Error).message}); run the ONNX export first`);
  }
  const parsed = ExportInfoSchema.safeParse(raw);
  if (!parsed.success) throw new ExportError(`${path}: field '${parsed.error.issues[0]!.path.join(".")}': ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

// Exports a checkpoint directory (Llama family: Llama, Mistral, Qwen2, Qwen3)
// as an ONNX decoder with a KV cache for ONNX Runtime (design.md, "ONNX
// export"): the graph (onnx-decoder.ts: fused contrib ops or plain opset 17;
// fp32, fp16 or bf16), model.onnx (+ model.onnx.data when large) and
// onnx-export.json, cached per checkpoint and options by a content hash.
import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../model/atomic-file.js";
import { CheckpointError, listWeights, readCheckpointConfig, type WeightRef } from "../model/checkpoint.js";
import { readTensorData } from "../model/safetensors.js";
import { buildDecoder, type GraphOps } from "./onnx-decoder.js";
import { GraphBuilder, MS_DOMAIN, onnx, type FloatType } from "./onnx-graph.js";

export { ropeInvFreq } from "./onnx-decoder.js";
export type { GraphOps } from "./onnx-decoder.js";
export type { FloatType } from "./onnx-graph.js";

/** Bump when the graph changes, so cached exports from an older exporter are redone. */
const EXPORTER_VERSION = 2;
const OPSET = 17;
export const EXPORT_INFO_FILE = "onnx-export.json";
const DEFAULT_EXTERNAL_THRESHOLD = 100 * 1024 * 1024;
/** Above this many weight bytes the export reports each layer on the log. */
const PROGRESS_BYTES = 64 * 1024 * 1024;

export interface ExportOptions {
  /** "fused" (default): ONNX Runtime contrib ops; "plain": standard opset-17 ops only. */
  ops?: GraphOps;
  /** Weights and activations (default fp32; "float32" is the older spelling). The cache and logits stay float32. */
  dtype?: FloatType | "float32";
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
  /** Absent in exports before these options existed: those were plain fp32 graphs. */
  ops: z.enum(["plain", "fused"]).default("plain"),
  dtype: z.enum(["fp32", "fp16", "bf16"]).default("fp32"),
  attention: z.enum(["GroupQueryAttention", "MatMul-Softmax"]).default("MatMul-Softmax"),
});
export type ExportInfo = z.infer<typeof ExportInfoSchema>;

export interface ExportResult {
  modelPath: string;
  /** false when a cached export matched the checkpoint and options. */
  exported: boolean;
  info: ExportInfo;
}

export class ExportError extends Error {}

/** Hash of what the export depends on: exporter version, options, config.json bytes, weight files' names, sizes and mtimes. */
function sourceHash(dir: string, weights: Map<string, WeightRef>, ops: GraphOps, dtype: FloatType): string {
  const h = createHash("sha256");
  h.update(`v${EXPORTER_VERSION}\n${ops}\n${dtype}\n`);
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

/** Exports `checkpointDir` to `outDir/model.onnx`, skipping the work when a cached export matches. */
export function exportOnnx(checkpointDir: string, outDir: string, o: ExportOptions = {}): ExportResult {
  const ops = o.ops ?? "fused";
  if (ops !== "fused" && ops !== "plain") throw new ExportError(`exportOnnx: ops '${String(ops)}' is not supported (fused or plain)`);
  const dtype: FloatType = o.dtype === "float32" || o.dtype === undefined ? "fp32" : o.dtype;
  if (!["fp32", "fp16", "bf16"].includes(dtype)) throw new ExportError(`exportOnnx: dtype '${String(o.dtype)}' is not supported (fp32, fp16 or bf16)`);
  if (!existsSync(checkpointDir) || !statSync(checkpointDir).isDirectory()) throw new CheckpointError(`${checkpointDir}: not a checkpoint directory`);
  const { engine: c } = readCheckpointConfig(checkpointDir);
  const weights = listWeights(checkpointDir);
  const hash = sourceHash(checkpointDir, weights, ops, dtype);
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
    totalBytes += shape.reduce((a, b) => a * b, 1) * (dtype === "fp32" ? 4 : 2);
  }
  // Weights the graph would not use mean the config does not describe this checkpoint (e.g. biases under a llama config).
  for (const [name, w] of weights) {
    if (expected.has(name) || /\.rotary_emb\.inv_freq$/.test(name)) continue;
    if (name === "lm_head.weight" && c.tie_word_embeddings) continue; // transformers ignores it too
    throw new CheckpointError(`${w.file}: tensor '${name}' is not a parameter of the model that config.json describes`);
  }
  const externalData = totalBytes > (o.externalThresholdBytes ?? DEFAULT_EXTERNAL_THRESHOLD);
  const progress = totalBytes > PROGRESS_BYTES ? o.log : undefined;
  progress?.(`onnx: exporting ${checkpointDir} (${L} layers, ${(totalBytes / 2 ** 20).toFixed(0)} MiB of ${dtype} weights, ${ops} ops)`);

  mkdirSync(outDir, { recursive: true });
  // Drop the old info first: a crash mid-export must not leave a stale "up to date" marker.
  rmSync(infoPath, { force: true });
  const dataName = "model.onnx.data";
  const dataTmp = join(outDir, `${dataName}.tmp-${process.pid}`);
  const fds = new Map<string, number>();
  const scratch = { buffer: new ArrayBuffer(0) };
  const external = externalData ? { fd: openSync(dataTmp, "w"), offset: 0, file: dataName } : undefined;
  let model: Uint8Array;
  let attention: ExportInfo["attention"];
  try {
    const read = (name: string): Float32Array => {
      const w = weights.get(name)!;
      let fd = fds.get(w.file);
      if (fd === undefined) fds.set(w.file, (fd = openSync(w.file, "r")));
      // A copy: the scratch buffer is reused by the next read.
      return Float32Array.from(readTensorData(fd, w.header, w.entry, w.file, scratch) as Float32Array);
    };
    const g = new GraphBuilder(external);
    const graph = buildDecoder(g, c, read, ops, dtype, (l) => progress?.(`onnx: layer ${l + 1}/${L}`));
    attention = graph.attention;
    if (external) fsyncSync(external.fd);
    model = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: "", version: OPSET }, ...(ops === "fused" ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
      producerName: "midtrain",
      producerVersion: String(EXPORTER_VERSION),
      graph: { name: "midtrain_decoder", node: g.nodes, initializer: g.initializers, input: graph.inputs, output: graph.outputs },
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
  writeFileAtomic(modelPath, model);
  const info: ExportInfo = {
    exporter_version: EXPORTER_VERSION,
    source_hash: hash,
    num_hidden_layers: L,
    num_key_value_heads: KV,
    head_dim: D,
    vocab_size: V,
    external_data: externalData,
    ops,
    dtype,
    attention,
  };
  writeFileAtomic(infoPath, JSON.stringify(info, null, 2) + "\n");
  o.log?.(`onnx: exported ${checkpointDir} to ${modelPath}${externalData ? ` (+ ${dataName})` : ""} (${ops} ops, ${dtype}, ${attention} attention)`);
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

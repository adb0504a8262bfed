// ONNX Runtime sessions over an exported model directory (model.onnx +
// onnx-export.json), and one forward step with a KV cache.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { readExportInfo, type ExportInfo } from "./export-onnx.js";

export type Device = "cpu" | "cuda" | "auto";

export interface OnnxSession {
  session: ort.InferenceSession;
  /** Which execution provider runs the model. */
  provider: "cpu" | "cuda";
  /** One line for logs, e.g. "onnxruntime: CPU execution provider (CUDA provider not installed)". */
  providerLine: string;
  info: ExportInfo;
}

export class SessionError extends Error {}

/** Opens `onnxDir/model.onnx`; `auto` tries CUDA and falls back to CPU, saying why. */
export async function openSession(onnxDir: string, o: { device?: Device; log?: (s: string) => void; threads?: number } = {}): Promise<OnnxSession> {
  const device = o.device ?? "auto";
  const modelPath = join(onnxDir, "model.onnx");
  if (!existsSync(modelPath)) throw new SessionError(`${modelPath}: not found; export the checkpoint first`);
  const info = readExportInfo(onnxDir);
  // Intra-op threads (default: ONNX Runtime's, one per core).
  const threads = o.threads !== undefined ? { intraOpNumThreads: o.threads } : {};
  let result: OnnxSession | undefined;
  let cudaWhy = "";
  if (device !== "cpu") {
    const backend = ort.listSupportedBackends().find((b) => b.name === "cuda");
    if (!backend) cudaWhy = "CUDA provider not available in this onnxruntime-node build";
    // Checked before trying: a missing provider library makes onnxruntime print an error of its own.
    else if (!existsSync(join(bindingDir(), "libonnxruntime_providers_cuda.so"))) cudaWhy = "CUDA provider not installed";
    else {
      try {
        const session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cuda"], logSeverityLevel: 4, ...threads });
        result = { session, provider: "cuda", providerLine: "onnxruntime: CUDA execution provider", info };
      } catch (e) {
        // Without the provider's shared libraries onnxruntime-node fails here, not at listSupportedBackends.
        cudaWhy = `CUDA provider failed: ${firstLine(e)}`;
      }
    }
    if (!result && device === "cuda")
      throw new SessionError(`--device cuda: ${cudaWhy} (install onnxruntime-node with its CUDA binaries, or use --device cpu or auto)`);
  }
  if (!result) {
    const session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"], ...threads });
    result = { session, provider: "cpu", providerLine: `onnxruntime: CPU execution provider${cudaWhy ? ` (${cudaWhy})` : ""}`, info };
  }
  o.log?.(result.providerLine);
  return result;
}

/** Where onnxruntime-node keeps its native binding and provider libraries. */
function bindingDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json"));
  return join(pkg, "bin", "napi-v6", process.platform, process.arch);
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0]!;
}

/**
 * The KV cache after a step: per layer key/value [batch, kv_heads, T, head_dim], and the mask so far. T is the
 * sequence so far, or, for an in-place cache (`inPlace`), its capacity: GroupQueryAttention then reads and
 * writes the same buffers (present = past), so a step copies nothing (allocCache).
 */
export interface PastKV {
  keys: ort.Tensor[];
  values: ort.Tensor[];
  attentionMask: number[][];
  inPlace?: boolean;
}

/**
 * Whether a session can keep its cache in place: graphs whose attention is GroupQueryAttention on the CPU
 * provider in fp32 (its kernel shares past and present buffers when they are the same memory; the MatMul/Softmax
 * graphs and the half-precision graphs' padded calls concatenate instead).
 */
export function supportsInPlaceCache(s: OnnxSession): boolean {
  return s.info.attention === "GroupQueryAttention" && s.info.dtype === "fp32" && s.provider === "cpu";
}

/**
 * `past` (after a prefill) copied into in-place buffers of `capacity` positions (prompt and generated tokens
 * together): one copy, after which decoding steps copy nothing. Prefill itself stays on the copying path,
 * since a batch's chunked prefill runs the MatMul/Softmax branch, which concatenates.
 */
export function toInPlaceCache(s: OnnxSession, past: PastKV, capacity: number): PastKV {
  if (!supportsInPlaceCache(s)) throw new SessionError("toInPlaceCache: this graph cannot keep its cache in place (supportsInPlaceCache)");
  if (past.inPlace) return past;
  const T = past.attentionMask[0]?.length ?? 0;
  if (!Number.isInteger(capacity) || capacity < T) throw new SessionError(`toInPlaceCache: capacity ${capacity} is below the ${T} positions already cached`);
  const widen = (x: ort.Tensor): ort.Tensor => {
    const [B, H, Tt, D] = x.dims as [number, number, number, number];
    const src = x.data as Float32Array;
    const out = new Float32Array(B * H * capacity * D);
    for (let r = 0; r < B * H; r++) out.set(src.subarray(r * Tt * D, (r + 1) * Tt * D), r * capacity * D);
    return new ort.Tensor("float32", out, [B, H, capacity, D]);
  };
  return { keys: past.keys.map(widen), values: past.values.map(widen), attentionMask: past.attentionMask, inPlace: true };
}

export interface LogitsResult {
  /** [batch, seq, vocab], row-major. */
  logits: Float32Array;
  dims: [number, number, number];
  presents: PastKV;
}

/**
 * One forward pass over `inputIds` (equal-length rows) after `past`. `attentionMask` covers
 * these new tokens only (1 = real, 0 = padding; default all 1) and is appended to past's mask.
 */
export async function runLogits(s: OnnxSession, inputIds: number[][], past?: PastKV, attentionMask?: number[][]): Promise<LogitsResult> {
  const B = inputIds.length;
  const S = inputIds[0]?.length ?? 0;
  if (B === 0 || S === 0) throw new SessionError("runLogits: input_ids must have at least one row and one token");
  if (inputIds.some((r) => r.length !== S)) throw new SessionError("runLogits: input_ids rows must have equal length (left-pad with attentionMask)");
  if (attentionMask && (attentionMask.length !== B || attentionMask.some((r) => r.length !== S)))
    throw new SessionError(`runLogits: attentionMask must be ${B} rows of ${S}`);
  if (past && past.attentionMask.length !== B) throw new SessionError(`runLogits: past has ${past.attentionMask.length} rows, input_ids ${B}`);
  if (past?.inPlace) {
    const capacity = past.keys[0]!.dims[2]!;
    const total = (past.attentionMask[0]?.length ?? 0) + S;
    if (total > capacity) throw new SessionError(`runLogits: the in-place cache holds ${capacity} positions; this call needs ${total}`);
  }
  const { num_hidden_layers: L, num_key_value_heads: KV, head_dim: D, vocab_size: V } = s.info;
  for (const row of inputIds)
    for (const id of row) if (!Number.isInteger(id) || id < 0 || id >= V) throw new SessionError(`runLogits: token id ${id} is outside the vocabulary [0, ${V})`);
  const newMask = attentionMask ?? inputIds.map((r) => r.map(() => 1));
  const mask = past ? past.attentionMask.map((r, b) => [...r, ...newMask[b]!]) : newMask;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(inputIds.flat(), (v) => BigInt(v)), [B, S]),
    attention_mask: new ort.Tensor("int64", BigInt64Array.from(mask.flat(), (v) => BigInt(v)), [B, mask[0]!.length]),
  };
  const empty = new ort.Tensor("float32", new Float32Array(0), [B, KV, 0, D]);
  for (let l = 0; l < L; l++) {
    feeds[`past_key_values.${l}.key`] = past?.keys[l] ?? empty;
    feeds[`past_key_values.${l}.value`] = past?.values[l] ?? empty;
  }
  if (past?.inPlace) {
    // Present bound to the past buffers: the kernel writes the new keys/values in place.
    const fetches: Record<string, ort.Tensor | null> = { logits: null };
    for (let l = 0; l < L; l++) (fetches[`present.${l}.key`] = past.keys[l]!), (fetches[`present.${l}.value`] = past.values[l]!);
    const out = await s.session.run(feeds, fetches as ort.InferenceSession.FetchesType);
    return { logits: out.logits!.data as Float32Array, dims: [B, S, V], presents: { keys: past.keys, values: past.values, attentionMask: mask, inPlace: true } };
  }
  const out = await s.session.run(feeds);
  const presents: PastKV = { keys: [], values: [], attentionMask: mask };
  for (let l = 0; l < L; l++) {
    presents.keys.push(out[`present.${l}.key`]!);
    presents.values.push(out[`present.${l}.value`]!);
  }
  return { logits: out.logits!.data as Float32Array, dims: [B, S, V], presents };
}

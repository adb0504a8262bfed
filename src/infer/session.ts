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

/** The KV cache after a step: per layer key/value [batch, kv_heads, total_seq, head_dim], and the mask so far. */
export interface PastKV {
  keys: ort.Tensor[];
  values: ort.Tensor[];
  attentionMask: number[][];
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
  const out = await s.session.run(feeds);
  const presents: PastKV = { keys: [], values: [], attentionMask: mask };
  for (let l = 0; l < L; l++) {
    presents.keys.push(out[`present.${l}.key`]!);
    presents.values.push(out[`present.${l}.value`]!);
  }
  return { logits: out.logits!.data as Float32Array, dims: [B, S, V], presents };
}

// A checkpoint directory served by ONNX Runtime behind the LanguageModel
// contract. The checkpoint is exported once (cached; see onnxDirFor) and every
// call - from one caller or many at once - goes through one batching queue, so
// concurrent requests share forward passes.
import { createHash } from "node:crypto";
import { existsSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CheckpointError, readCheckpointConfig } from "../model/checkpoint.js";
import { renderChat } from "../tokenizer/chat.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import { BatchQueue } from "./batch-queue.js";
import { exportOnnx, type FloatType } from "./export-onnx.js";
import { checkPromptFits, generateBatch, GenerationError, type GenerationJob, type GenerationOutput } from "./generate.js";
import type {
  ChatRequest,
  CompletionRequest,
  GenerationResult,
  LanguageModel,
  LoglikelihoodRequest,
  LoglikelihoodResult,
} from "./language-model.js";
import { encodePair } from "./loglikelihood-encoding.js";
import { resolveSampling } from "./sampling.js";
import { ScoreError, scoreRows, type ScoredRow, type ScoreRow } from "./score.js";
import { openSession, type Device, type OnnxSession } from "./session.js";

/** Context length when config.json has no max_position_embeddings (transformers' LlamaConfig default). */
const DEFAULT_CONTEXT = 2048;

export interface LocalModelOptions {
  device?: Device;
  log?: (s: string) => void;
  /** Sequences per forward pass (default 16). */
  maxBatch?: number;
  /** Where the ONNX export lives (default: see onnxDirFor). */
  onnxDir?: string;
  /** Weights and activations of the export (default fp16 for device "cuda", else fp32). */
  dtype?: FloatType;
  /** How long an idle model waits to gather concurrent requests into one batch (default 3 ms). */
  batchWindowMs?: number;
}

/**
 * Where a checkpoint's export goes: `<checkpoint>/onnx/` (the layout of ONNX models on the Hugging Face hub),
 * or, when that directory cannot be written, `$MIDTRAIN_CACHE` (default `$XDG_CACHE_HOME/midtrain`, else
 * `~/.cache/midtrain`) `/onnx/<sha256 of the checkpoint's real path, 16 hex>/`.
 */
export function onnxDirFor(checkpointDir: string, fallback = false, dtype: FloatType = "fp32"): string {
  // One directory per dtype, so switching between CPU (fp32) and GPU (fp16) does not re-export each time.
  const sub = dtype === "fp32" ? "onnx" : `onnx-${dtype}`;
  if (!fallback) return join(checkpointDir, sub);
  const root = process.env.MIDTRAIN_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "midtrain");
  return join(root, sub, createHash("sha256").update(realpathSync(checkpointDir)).digest("hex").slice(0, 16));
}

type Kind = "generate" | "score";
interface ScoreJob {
  row: ScoreRow;
  topN: number;
}

export class LocalModel implements LanguageModel {
  private readonly queue: BatchQueue<Kind, GenerationJob | ScoreJob, GenerationOutput | ScoredRow>;
  readonly stopIds: readonly number[];
  readonly padId: number;

  constructor(
    readonly name: string,
    readonly session: OnnxSession,
    readonly tokenizer: Tokenizer,
    /** Longest sequence the model takes (max_position_embeddings). */
    readonly contextLength: number,
    configEos: number[],
    readonly maxBatch: number,
    private readonly log: ((s: string) => void) | undefined,
    batchWindowMs: number | undefined,
  ) {
    this.stopIds = [...new Set([...tokenizer.stopIds, ...configEos])];
    this.padId = tokenizer.padId ?? tokenizer.eosId ?? 0;
    this.queue = new BatchQueue(
      (kind, jobs): Promise<(GenerationOutput | ScoredRow)[]> =>
        kind === "generate"
          ? generateBatch({ session, tokenizer, contextLength, stopIds: this.stopIds, padId: this.padId }, jobs as GenerationJob[])
          : this.runScore(jobs as ScoreJob[]),
      { maxBatch, windowMs: batchWindowMs },
    );
  }

  /** Batch sizes the queue ran recently. */
  get batchSizes(): readonly number[] {
    return this.queue.batchSizes;
  }

  private async runScore(jobs: ScoreJob[]): Promise<ScoredRow[]> {
    const topN = Math.max(0, ...jobs.map((j) => j.topN));
    const res = await scoreRows(
      this.session,
      jobs.map((j) => j.row),
      { maxBatch: jobs.length, topN, padId: this.padId },
    );
    return res.map((r, i) => (r.top && jobs[i]!.topN < topN ? { ...r, top: r.top.map((t) => t.slice(0, jobs[i]!.topN)) } : r));
  }

  /** Prompt ids for a chat: the chat template with the generation prompt, no special tokens added beyond it. */
  encodeChat(messages: unknown, where: string): number[] {
    let text: string;
    try {
      text = renderChat(this.tokenizer, messages, { addGenerationPrompt: true });
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    return [...this.tokenizer.encode(text, { addSpecialTokens: false })];
  }

  /** Prompt ids for plain text: the tokenizer's special tokens added (as HF and vLLM do); "" becomes [bos] or [eos]. */
  encodePrompt(prompt: string): number[] {
    const ids = [...this.tokenizer.encode(prompt)];
    if (ids.length === 0) {
      const start = this.tokenizer.bosId ?? this.tokenizer.eosId;
      if (start !== null) ids.push(start);
    }
    return ids;
  }

  /** Throws (naming `where`) when a prompt of this many tokens leaves no room for the request. */
  checkFits(promptTokens: number, maxTokens: number, where = "prompt"): void {
    checkPromptFits(promptTokens, maxTokens, this.contextLength, where);
  }

  /** Token ids outside the model's vocabulary would fail the whole batch they run in: refuse them here. */
  private checkIds(ids: readonly number[], where: string): void {
    const V = this.session.info.vocab_size;
    const bad = ids.find((t) => !Number.isInteger(t) || t < 0 || t >= V);
    if (bad !== undefined) throw new GenerationError(`${where}: token id ${bad} is outside the vocabulary [0, ${V})`);
  }

  /** Runs generation jobs (checked, then queued); results in order. */
  async generate(jobs: readonly GenerationJob[], progress?: string): Promise<GenerationOutput[]> {
    jobs.forEach((j, i) => {
      this.checkFits(j.promptIds.length, j.sampling.maxTokens, `requests[${i}]`);
      this.checkIds(j.promptIds, `requests[${i}]`);
    });
    // maxTokens 0 (an echo-only request) needs no forward pass: answer it without queueing.
    const work = jobs.filter((j) => j.sampling.maxTokens > 0);
    const done = (await this.submitSorted("generate", work, (j) => j.promptIds.length, progress)) as GenerationOutput[];
    let k = 0;
    return jobs.map((j) =>
      j.sampling.maxTokens > 0
        ? done[k++]!
        : { text: "", finishReason: "length", promptTokens: j.promptIds.length, completionTokens: 0, tokenIds: [], ...(j.logprobs !== undefined ? { logprobs: [] } : {}) },
    );
  }

  /** Scores rows (log P of ids[from..] each given its prefix), with topN alternatives per position. */
  async score(rows: readonly ScoreRow[], topN = 0, progress?: string): Promise<ScoredRow[]> {
    rows.forEach((r, i) => {
      if (r.ids.length - 1 > this.contextLength)
        throw new ScoreError(`requests[${i}]: ${r.ids.length} tokens; the model's context is ${this.contextLength} tokens`);
      this.checkIds(r.ids, `requests[${i}]`);
    });
    return this.submitSorted("score", rows.map((row) => ({ row, topN })), (j) => j.row.ids.length, progress) as Promise<ScoredRow[]>;
  }

  /** Longest first, so each batch holds rows of similar length; results return in the caller's order. */
  private async submitSorted<J extends GenerationJob | ScoreJob>(kind: Kind, jobs: readonly J[], len: (j: J) => number, progress?: string): Promise<(GenerationOutput | ScoredRow)[]> {
    const order = jobs.map((_, i) => i).sort((a, b) => len(jobs[b]!) - len(jobs[a]!) || a - b);
    let done = 0;
    const every = this.maxBatch;
    const results = await Promise.all(
      order.map((i) =>
        this.queue.submit(kind, [jobs[i]!]).then(([r]) => {
          done++;
          // Progress only for calls longer than one batch; a single request stays quiet.
          if (progress && jobs.length > every && (done % every === 0 || done === jobs.length)) this.log?.(`${progress}: ${done}/${jobs.length}`);
          return r!;
        }),
      ),
    );
    const out = new Array<GenerationOutput | ScoredRow>(jobs.length);
    order.forEach((i, k) => (out[i] = results[k]!));
    return out;
  }

  async chat(requests: ChatRequest[], onToken?: (index: number, text: string) => void): Promise<GenerationResult[]> {
    const jobs = requests.map((r, i): GenerationJob => ({
      promptIds: this.encodeChat(r.messages, `requests[${i}].messages`),
      sampling: resolveSampling(r, `requests[${i}]`),
      ...(onToken ? { onText: (t: string) => onToken(i, t) } : {}),
    }));
    return (await this.generate(jobs, "chat")).map(publicResult);
  }

  async complete(requests: CompletionRequest[]): Promise<GenerationResult[]> {
    const jobs = requests.map((r, i): GenerationJob => {
      if (typeof r.prompt !== "string") throw new Error(`requests[${i}].prompt: expected a string`);
      return { promptIds: this.encodePrompt(r.prompt), sampling: resolveSampling(r, `requests[${i}]`) };
    });
    return (await this.generate(jobs, "complete")).map(publicResult);
  }

  async loglikelihood(requests: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    const enc = requests.map((r, i) => encodePair(this.tokenizer, r.context, r.continuation, this.contextLength, `requests[${i}]`));
    const scored = await this.score(enc.map((e) => ({ ids: e.ids, from: e.from })), 0, "loglikelihood");
    return scored.map((s, i) => ({
      logprob: s.logprobs.reduce((a, b) => a + b, 0),
      tokens: s.logprobs.length,
      bytes: Buffer.byteLength(requests[i]!.continuation, "utf8"),
      isGreedy: s.greedy.every(Boolean),
      tokenLogprobs: s.logprobs,
    }));
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.session.session.release();
  }
}

function publicResult(o: GenerationOutput): GenerationResult {
  return { text: o.text, finishReason: o.finishReason, promptTokens: o.promptTokens, completionTokens: o.completionTokens };
}

function isPermissionError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "EACCES" || code === "EROFS" || code === "EPERM";
}

/** Exports `checkpointDir` (unless a current export exists) and opens it with ONNX Runtime. */
export async function openLocalModel(checkpointDir: string, o: LocalModelOptions = {}): Promise<LocalModel> {
  if (!existsSync(checkpointDir) || !statSync(checkpointDir).isDirectory()) throw new CheckpointError(`${checkpointDir}: not a checkpoint directory`);
  const maxBatch = o.maxBatch ?? 16;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${o.maxBatch}`);
  const { raw } = readCheckpointConfig(checkpointDir);
  // The tokenizer first: a checkpoint without one fails before the (longer) export.
  const tokenizer = Tokenizer.fromDir(checkpointDir);
  // As `midtrain export onnx`: half precision by default when the CUDA provider is asked for by name.
  const dtype = o.dtype ?? (o.device === "cuda" ? "fp16" : "fp32");
  let onnxDir = o.onnxDir ?? onnxDirFor(checkpointDir, false, dtype);
  try {
    exportOnnx(checkpointDir, onnxDir, { log: o.log, dtype });
  } catch (e) {
    if (o.onnxDir !== undefined || !isPermissionError(e)) throw e;
    onnxDir = onnxDirFor(checkpointDir, true, dtype);
    o.log?.(`onnx: ${checkpointDir} is not writable; using ${onnxDir}`);
    exportOnnx(checkpointDir, onnxDir, { log: o.log, dtype });
  }
  const session = await openSession(onnxDir, { device: o.device, log: o.log });
  if (tokenizer.vocabSize > session.info.vocab_size)
    throw new CheckpointError(`${join(checkpointDir, "tokenizer.json")}: the tokenizer has ${tokenizer.vocabSize} ids but the model's vocab_size is ${session.info.vocab_size}`);
  const ctx = typeof raw.max_position_embeddings === "number" ? raw.max_position_embeddings : DEFAULT_CONTEXT;
  const eos = raw.eos_token_id;
  const configEos = (Array.isArray(eos) ? eos : [eos]).filter((x): x is number => Number.isInteger(x));
  return new LocalModel(checkpointDir, session, tokenizer, ctx, configEos, maxBatch, o.log, o.batchWindowMs);
}

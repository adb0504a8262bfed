// Batched generation with the KV cache: prompts left-padded into one batch,
// prefilled (in chunks, so the logits block stays bounded), then decoded one
// token per row per step. A row ends at a stop id (EOS, end-of-turn), a stop
// string, its token budget or the context length; finished rows leave the
// batch so later steps only compute for live ones.
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { GenerationResult } from "./language-model.js";
import { compactCache } from "./kv-cache.js";
import { logSumExp, topLogprobs, type TokenLogprob } from "./logprobs.js";
import { Sampler, type ResolvedSampling } from "./sampling.js";
import { runLogits, supportsInPlaceCache, toInPlaceCache, type OnnxSession, type PastKV } from "./session.js";
import { TextStream } from "./text-stream.js";

export class GenerationError extends Error {}

export interface GenerationJob {
  promptIds: readonly number[];
  sampling: ResolvedSampling;
  /** Called with each piece of text as it becomes final. */
  onText?: (delta: string) => void;
  /** Record each generated token's log-probability and this many alternatives; undefined = none. */
  logprobs?: number;
  /** Ends the row early (finish reason "stop"), e.g. when an HTTP client went away. */
  signal?: AbortSignal;
}

export interface GeneratedToken extends TokenLogprob {
  top: TokenLogprob[];
}

/** What a LanguageModel reports of a generation, plus the ids and log-probabilities the server needs. */
export interface GenerationOutput extends GenerationResult {
  /** Generated ids, without the stop id that ended the row. */
  tokenIds: number[];
  logprobs?: GeneratedToken[];
}

export interface GenerationContext {
  session: OnnxSession;
  tokenizer: Tokenizer;
  /** Longest sequence (prompt + generated) the model takes: max_position_embeddings. */
  contextLength: number;
  stopIds: readonly number[];
  /** Filler id under left padding (masked out, never attended to). */
  padId: number;
  /** Upper bound on the logits block of one prefill call (default 256 MiB). */
  logitsBudgetBytes?: number;
  /** false: decode through the copying cache even where the in-place one is offered (a baseline; default true). */
  inPlaceCache?: boolean;
}

export const DEFAULT_LOGITS_BUDGET = 256 * 2 ** 20;

/** Throws a GenerationError naming `where` when the prompt leaves no room to generate. */
export function checkPromptFits(promptTokens: number, maxTokens: number, contextLength: number, where: string): void {
  if (promptTokens === 0) throw new GenerationError(`${where}: the prompt is empty (no tokens)`);
  if (promptTokens + (maxTokens > 0 ? 1 : 0) > contextLength)
    throw new GenerationError(
      `${where}: the prompt is ${promptTokens} tokens; the model's context is ${contextLength} tokens (max_position_embeddings)` +
        (maxTokens > 0 ? ", which leaves no room to generate" : ""),
    );
}

/** Generates for every job as one batch; each row's draws depend only on its own seed and logits. */
export async function generateBatch(ctx: GenerationContext, jobs: readonly GenerationJob[]): Promise<GenerationOutput[]> {
  const B = jobs.length;
  if (B === 0) return [];
  const V = ctx.session.info.vocab_size;
  jobs.forEach((j, i) => checkPromptFits(j.promptIds.length, j.sampling.maxTokens, ctx.contextLength, `jobs[${i}]`));
  const budget = jobs.map((j) => Math.min(j.sampling.maxTokens, ctx.contextLength - j.promptIds.length));
  const streams = jobs.map((j) => new TextStream(ctx.tokenizer, j.sampling.stop));
  const samplers = jobs.map((j) => new Sampler(j.sampling));
  const out: GenerationOutput[] = jobs.map((j) => ({
    text: "",
    finishReason: "length",
    promptTokens: j.promptIds.length,
    completionTokens: 0,
    tokenIds: [],
    ...(j.logprobs !== undefined ? { logprobs: [] } : {}),
  }));
  const stops = new Set(ctx.stopIds);

  let active = jobs.map((_, i) => i).filter((i) => budget[i]! > 0);
  if (active.length === 0) return out;

  // Prefill the rows that generate: left-padded, in chunks of at most C positions.
  const P = Math.max(...active.map((i) => jobs[i]!.promptIds.length));
  const ids = active.map((i) => [...Array<number>(P - jobs[i]!.promptIds.length).fill(ctx.padId), ...jobs[i]!.promptIds]);
  const mask = active.map((i) => [...Array<number>(P - jobs[i]!.promptIds.length).fill(0), ...jobs[i]!.promptIds.map(() => 1)]);
  const C = Math.max(1, Math.min(P, Math.floor((ctx.logitsBudgetBytes ?? DEFAULT_LOGITS_BUDGET) / (active.length * V * 4))));
  let past: PastKV | undefined;
  let logits!: Float32Array;
  let S = 0;
  for (let s = 0; s < P; s += C) {
    const e = Math.min(P, s + C);
    const r = await runLogits(ctx.session, ids.map((row) => row.slice(s, e)), past, mask.map((row) => row.slice(s, e)));
    past = r.presents;
    logits = r.logits;
    S = e - s;
  }

  // GroupQueryAttention graphs on the CPU decode with the cache in place: one copy now, none per step.
  if (ctx.inPlaceCache !== false && supportsInPlaceCache(ctx.session)) past = toInPlaceCache(ctx.session, past!, P + Math.max(...active.map((i) => budget[i]!)));

  // rowLogits(k): the next-token logits of the k-th row of the current batch.
  let rowLogits = (k: number) => logits.subarray(((k + 1) * S - 1) * V, (k + 1) * S * V);
  for (;;) {
    const next: number[] = [];
    const live: number[] = [];
    active.forEach((i, k) => {
      const row = rowLogits(k);
      const job = jobs[i]!;
      const o = out[i]!;
      const tok = samplers[i]!.pick(row);
      if (job.logprobs !== undefined) {
        const lse = logSumExp(row);
        o.logprobs!.push({ id: tok, logprob: row[tok]! - lse, top: topLogprobs(row, lse, job.logprobs) });
      }
      if (stops.has(tok)) {
        o.finishReason = "stop";
        return;
      }
      o.tokenIds.push(tok);
      const delta = streams[i]!.push(tok);
      if (delta) job.onText?.(delta);
      if (streams[i]!.stopped || job.signal?.aborted) o.finishReason = "stop";
      else if (o.tokenIds.length >= budget[i]!) o.finishReason = "length";
      else {
        next.push(tok);
        live.push(k);
      }
    });
    if (live.length === 0) break;
    past = compactCache(past!, live);
    active = live.map((k) => active[k]!);
    const r = await runLogits(ctx.session, next.map((t) => [t]), past);
    past = r.presents;
    logits = r.logits;
    S = 1;
    rowLogits = (k: number) => logits.subarray(k * V, (k + 1) * V);
  }

  jobs.forEach((job, i) => {
    const o = out[i]!;
    const rest = streams[i]!.finish();
    if (rest) job.onText?.(rest);
    o.text = streams[i]!.value;
    o.completionTokens = o.tokenIds.length;
    // A logprob entry was recorded for the stop id too; OpenAI reports only returned tokens.
    if (o.logprobs && o.logprobs.length > o.tokenIds.length) o.logprobs.length = o.tokenIds.length;
  });
  return out;
}

// How a (context, continuation) pair becomes tokens, as lm-evaluation-harness's
// HFLM does it (_encode_pair and loglikelihood):
// - trailing whitespace of the context moves to the front of the continuation
//   ("Answer: " + "yes" scores " yes", the token a BPE model would write);
// - whole = encode(context + continuation), ctx = encode(context), the
//   continuation tokens are whole[len(ctx):], so merges across the boundary
//   fall on the continuation's side;
// - no special tokens are added (HFLM's default add_bos_token=False); an empty
//   context becomes [bos] (or [eos] when there is no bos), its prefix token;
// - a sequence longer than the context window keeps its last tokens (the
//   context is cut from the left); a continuation that alone does not fit is
//   an error here (lm-eval would silently cut it).
import type { Tokenizer } from "../tokenizer/tokenizer.js";

export class LoglikelihoodError extends Error {}

export interface EncodedPair {
  /** Tokens to feed (context then continuation), already cut to the window. */
  ids: number[];
  /** Index of the first continuation token in ids. */
  from: number;
  /** The continuation after the whitespace move (what was scored). */
  continuation: string;
}

/** The context's trailing whitespace moved to the front of the continuation ("Answer: " + "yes" -> "Answer:" + " yes"). */
export function moveTrailingSpace(context: string, continuation: string): { context: string; continuation: string } {
  const n = context.length - context.trimEnd().length;
  return n > 0 ? { context: context.slice(0, -n), continuation: context.slice(-n) + continuation } : { context, continuation };
}

export function encodePair(tokenizer: Tokenizer, context: string, continuation: string, contextLength: number, where: string): EncodedPair {
  if (typeof context !== "string" || typeof continuation !== "string")
    throw new LoglikelihoodError(`${where}: context and continuation must be strings`);
  if (continuation.length === 0) throw new LoglikelihoodError(`${where}: the continuation is empty; there is nothing to score`);
  let ctxIds: number[];
  let contIds: number[];
  if (context === "") {
    const prefix = tokenizer.bosId ?? tokenizer.eosId;
    if (prefix === null) throw new LoglikelihoodError(`${where}: the context is empty and the tokenizer has neither a bos nor an eos token to start from`);
    ctxIds = [prefix];
    contIds = [...tokenizer.encode(continuation, { addSpecialTokens: false })];
  } else {
    ({ context, continuation } = moveTrailingSpace(context, continuation));
    const whole = tokenizer.encode(context + continuation, { addSpecialTokens: false });
    ctxIds = [...tokenizer.encode(context, { addSpecialTokens: false })];
    contIds = [...whole.subarray(ctxIds.length)];
    if (context === "") {
      // The context was all whitespace: nothing is left before the continuation, so start from the prefix token.
      const prefix = tokenizer.bosId ?? tokenizer.eosId;
      if (prefix === null) throw new LoglikelihoodError(`${where}: the context is only whitespace and the tokenizer has neither a bos nor an eos token`);
      ctxIds = [prefix];
    }
  }
  if (contIds.length === 0) throw new LoglikelihoodError(`${where}: the continuation ${JSON.stringify(continuation)} merged into the context's tokens; nothing is left to score`);
  if (contIds.length > contextLength)
    throw new LoglikelihoodError(`${where}: the continuation is ${contIds.length} tokens; the model's context is ${contextLength} tokens`);
  // The last token is only a target, so ctx + cont may be one longer than the window.
  let ids = [...ctxIds, ...contIds];
  if (ids.length > contextLength + 1) ids = ids.slice(ids.length - (contextLength + 1));
  return { ids, from: ids.length - contIds.length, continuation };
}

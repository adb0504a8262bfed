// The LanguageModel contract over any OpenAI-compatible server (vLLM, a hosted
// API, `midtrain serve`), through the `openai` package: chat on
// /v1/chat/completions, complete and loglikelihood on /v1/completions.
//
// Log-likelihood as lm-evaluation-harness scores through a completions API
// when it has no tokenizer of its own: the prompt is context + continuation
// (after moving the context's trailing whitespace to the continuation), sent
// with echo, logprobs 1 and max_tokens 0; the continuation's tokens are those
// whose text_offset is at or past the context's length, and its log-likelihood
// is the sum of their token_logprobs. is_greedy: every such token's logprob is
// the largest of its top_logprobs.
import OpenAI from "openai";
import type {
  ChatRequest,
  CompletionRequest,
  FinishReason,
  GenerationResult,
  LanguageModel,
  LoglikelihoodRequest,
  LoglikelihoodResult,
} from "./language-model.js";
import { moveTrailingSpace } from "./loglikelihood-encoding.js";
import { resolveSampling } from "./sampling.js";
import { Semaphore } from "./semaphore.js";

export interface RemoteModelOptions {
  /** Base URL up to and including /v1, e.g. http://127.0.0.1:8000/v1 */
  baseURL: string;
  model: string;
  /** Defaults to $OPENAI_API_KEY, else a placeholder (local servers ignore it). */
  apiKey?: string;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
}

export class RemoteModelError extends Error {}

const finish = (r: string | null | undefined): FinishReason => (r === "length" ? "length" : "stop");

export function openRemoteModel(o: RemoteModelOptions): LanguageModel {
  if (!/^https?:\/\//.test(o.baseURL)) throw new RemoteModelError(`baseURL must start with http:// or https://: '${o.baseURL}'`);
  if (!o.model) throw new RemoteModelError(`${o.baseURL}: a model name is required`);
  const baseURL = o.baseURL.replace(/\/+$/, "");
  const client = new OpenAI({ baseURL, apiKey: o.apiKey ?? process.env.OPENAI_API_KEY ?? "midtrain-local", maxRetries: 4, timeout: 600_000 });
  const gate = new Semaphore(Math.max(1, o.concurrency ?? 8));
  const where = `${baseURL} (model ${o.model})`;
  const call = <T>(f: () => Promise<T>): Promise<T> =>
    gate.run(async () => {
      try {
        return await f();
      } catch (e) {
        throw new RemoteModelError(`${where}: ${(e as Error).message}`);
      }
    });
  // Servers that refuse max_tokens 0 with echo (vLLM) get 1; the extra token is dropped by its offset.
  let echoMaxTokens = 0;

  /** The sampling fields of a request, validated as the local model validates them, in OpenAI's names. */
  const params = (r: ChatRequest | CompletionRequest, i: number) => {
    const s = resolveSampling({ ...r, seed: r.seed ?? 0 }, `requests[${i}]`);
    return {
      max_tokens: s.maxTokens,
      temperature: s.temperature,
      top_p: s.topP,
      ...(s.topK > 0 ? { top_k: s.topK } : {}), // vLLM's extension; OpenAI ignores unknown fields
      ...(s.stop.length ? { stop: s.stop } : {}),
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
    };
  };

  async function loglikelihoodOne(r: LoglikelihoodRequest, i: number): Promise<LoglikelihoodResult> {
    const { context, continuation } = moveTrailingSpace(r.context, r.continuation);
    const prompt = context + continuation;
    const res = await call(async () => {
      const body = { model: o.model, prompt, echo: true, logprobs: 1, temperature: 0 };
      try {
        return await client.completions.create({ ...body, max_tokens: echoMaxTokens });
      } catch (e) {
        if (echoMaxTokens !== 0 || !(e instanceof OpenAI.BadRequestError)) throw e;
        echoMaxTokens = 1;
        return await client.completions.create({ ...body, max_tokens: 1 });
      }
    });
    const lp = res.choices?.[0]?.logprobs;
    const offsets = lp?.text_offset, lps = lp?.token_logprobs as (number | null)[] | undefined, tops = lp?.top_logprobs as (Record<string, number> | null)[] | undefined;
    if (!offsets || !lps || offsets.length !== lps.length) throw new RemoteModelError(`${where}: the echo reply has no logprobs.text_offset/token_logprobs (does the server support echo with logprobs?)`);
    let logprob = 0, tokens = 0, isGreedy = true;
    const per: number[] = [];
    for (let t = 0; t < offsets.length; t++) {
      if (offsets[t]! < context.length || offsets[t]! >= prompt.length) continue; // context, or a generated token
      const x = lps[t];
      if (typeof x !== "number") throw new RemoteModelError(`${where}: no logprob for continuation token ${t} of requests[${i}]`);
      logprob += x;
      per.push(x);
      tokens++;
      const top = tops?.[t];
      if (top && Object.values(top).some((v) => v > x)) isGreedy = false;
    }
    if (tokens === 0) throw new RemoteModelError(`requests[${i}]: no token of the reply starts inside the continuation ${JSON.stringify(continuation)}`);
    return { logprob, tokens, bytes: Buffer.byteLength(r.continuation, "utf8"), isGreedy, tokenLogprobs: per };
  }

  return {
    name: o.model,
    async chat(requests, onToken) {
      const ps = requests.map(params); // every request checked before any is sent
      return Promise.all(
        requests.map((r, i) =>
          call(async (): Promise<GenerationResult> => {
            if (!onToken) {
              const res = await client.chat.completions.create({ model: o.model, messages: r.messages, ...ps[i]! });
              const c = res.choices?.[0];
              if (typeof c?.message?.content !== "string") throw new Error("the reply has no choices[0].message.content");
              return { text: c.message.content, finishReason: finish(c.finish_reason), promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 };
            }
            const stream = await client.chat.completions.create({ model: o.model, messages: r.messages, ...ps[i]!, stream: true, stream_options: { include_usage: true } });
            let text = "", reason: string | null = null, promptTokens = 0, completionTokens = 0;
            for await (const ch of stream) {
              const c = ch.choices?.[0];
              const d = c?.delta?.content;
              if (d) {
                text += d;
                onToken(i, d);
              }
              if (c?.finish_reason) reason = c.finish_reason;
              if (ch.usage) ({ prompt_tokens: promptTokens, completion_tokens: completionTokens } = ch.usage);
            }
            return { text, finishReason: finish(reason), promptTokens, completionTokens };
          }),
        ),
      );
    },
    async complete(requests) {
      const ps = requests.map(params);
      return Promise.all(
        requests.map((r, i) =>
          call(async (): Promise<GenerationResult> => {
            const res = await client.completions.create({ model: o.model, prompt: r.prompt, ...ps[i]! });
            const c = res.choices?.[0];
            if (typeof c?.text !== "string") throw new Error("the reply has no choices[0].text");
            return { text: c.text, finishReason: finish(c.finish_reason), promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 };
          }),
        ),
      );
    },
    async loglikelihood(requests) {
      // Over a text API the first token has no logprob (nothing precedes it), so a context is needed.
      requests.forEach((r, i) => {
        if (!r.continuation) throw new RemoteModelError(`requests[${i}]: the continuation is empty; there is nothing to score`);
        if (!r.context.trim()) throw new RemoteModelError(`requests[${i}]: an empty context cannot be scored over a completions API (the first token has no log-probability)`);
      });
      return Promise.all(requests.map((r, i) => loglikelihoodOne(r, i)));
    },
    async close() {},
  };
}

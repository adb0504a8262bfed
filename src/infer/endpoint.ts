// A client for any OpenAI-compatible chat endpoint (a hosted API, vLLM,
// `midtrain serve`): bounded concurrency, retries with exponential backoff
// (the `openai` package's own), a per-request timeout, and an on-disk cache
// keyed by the request's content so an interrupted run resumes without
// paying for a call twice. Used by the synthetic-data pipeline and the judge.
import OpenAI from "openai";
import type { ChatMessage } from "../tokenizer/chat.js";
import { ReplyCache, replyKey } from "./reply-cache.js";
import { Semaphore } from "./semaphore.js";

export interface EndpointOptions {
  /** Base URL up to and including /v1, e.g. http://127.0.0.1:8080/v1 */
  baseURL: string;
  model: string;
  /** Defaults to $OPENAI_API_KEY, else a placeholder (local servers ignore it). */
  apiKey?: string;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Retries after the first try on 408/409/429/5xx and connection errors (default 4). */
  maxRetries?: number;
  /** Per-try timeout in ms (default 120000). */
  timeoutMs?: number;
  /** JSONL file of cached responses; absent = no cache. */
  cacheFile?: string;
}

export interface ChatCallOptions {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string[];
  /** Part of the cache key: lets a caller ask again for a fresh answer to the same messages. */
  sample?: number;
}

export class EndpointError extends Error {}

export class ChatEndpoint {
  readonly model: string;
  readonly baseURL: string;
  private readonly client: OpenAI;
  private readonly gate: Semaphore;
  private readonly cache: ReplyCache<{ text: string }>;
  /** Calls answered from the cache / sent to the endpoint, for progress lines. */
  hits = 0;
  calls = 0;

  constructor(o: EndpointOptions) {
    if (!/^https?:\/\//.test(o.baseURL)) throw new EndpointError(`endpoint URL must start with http:// or https://: '${o.baseURL}'`);
    if (!o.model) throw new EndpointError(`endpoint ${o.baseURL}: a model name is required`);
    this.model = o.model;
    this.baseURL = o.baseURL.replace(/\/+$/, "");
    this.client = new OpenAI({
      baseURL: this.baseURL,
      apiKey: o.apiKey ?? process.env.OPENAI_API_KEY ?? "midtrain-local",
      maxRetries: o.maxRetries ?? 4,
      timeout: o.timeoutMs ?? 120_000,
    });
    this.gate = new Semaphore(Math.max(1, o.concurrency ?? 8));
    this.cache = new ReplyCache(o.cacheFile, (r) => (typeof r.text === "string" ? { text: r.text } : undefined));
  }

  /** The cache key: the model, the messages and every option that changes the answer. */
  key(messages: ChatMessage[], o: ChatCallOptions = {}): string {
    return replyKey({ model: this.model, messages, o: [o.temperature, o.topP, o.maxTokens, o.seed, o.stop, o.sample] });
  }

  /** The cached reply for this request, if any (lets a caller rate-limit only real calls). */
  cached(messages: ChatMessage[], o: ChatCallOptions = {}): string | undefined {
    return this.cache.get(this.key(messages, o))?.text;
  }

  /** The assistant's reply text. Throws EndpointError naming the endpoint when every retry failed. */
  async chat(messages: ChatMessage[], o: ChatCallOptions = {}): Promise<string> {
    const key = this.key(messages, o);
    const cached = this.cache.get(key)?.text;
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    const text = await this.gate.run(async () => {
      try {
        const res = await this.client.chat.completions.create({
          model: this.model,
          messages,
          ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
          ...(o.topP !== undefined ? { top_p: o.topP } : {}),
          ...(o.maxTokens !== undefined ? { max_tokens: o.maxTokens } : {}),
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.stop && o.stop.length ? { stop: o.stop } : {}),
        });
        const content = res.choices?.[0]?.message?.content;
        if (typeof content !== "string") throw new EndpointError(`endpoint ${this.baseURL}: the reply has no choices[0].message.content`);
        return content;
      } catch (e) {
        if (e instanceof EndpointError) throw e;
        throw new EndpointError(`endpoint ${this.baseURL} (model ${this.model}): ${(e as Error).message}`);
      }
    });
    this.calls++;
    this.cache.set(key, { text });
    return text;
  }
}

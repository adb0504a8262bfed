// The OpenAI-compatible HTTP server over a LocalModel (design.md, "Server"):
// GET /v1/models, POST /v1/chat/completions and POST /v1/completions (with
// echo + logprobs as lm-evaluation-harness scores log-likelihood), streaming
// by server-sent events. Every request goes through the model's batching
// queue, so concurrent clients share forward passes. Errors are OpenAI-shaped
// JSON; the server stays up whatever a client sends.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { ChatMessage } from "../tokenizer/chat.js";
import type { GenerationJob, GenerationOutput } from "./generate.js";
import type { LocalModel } from "./local-model.js";
import type { TokenLogprob } from "./logprobs.js";
import { ChatBodySchema, CompletionBodySchema, type ChatBody, type CompletionBody } from "./openai-schemas.js";
import { resolveSampling, type ResolvedSampling } from "./sampling.js";

export interface ServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** The model id clients must name (default: the model's name, i.e. the checkpoint path). */
  modelName?: string;
  /** Largest request body accepted (default 1 MiB); larger ones get 413. */
  bodyLimitBytes?: number;
  /** One line per request. */
  log?: (s: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 2 ** 20;

/** An error with its HTTP status and OpenAI error fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? "server_error" : "invalid_request_error",
  ) {
    super(message);
  }
}

/** Errors a request can cause (bad parameters, a prompt that does not fit, a chat template failure): 400. */
const CLIENT_ERRORS = new Set(["SamplingError", "GenerationError", "ChatError", "LoglikelihoodError", "SessionError", "ScoreError"]);

function errorBody(e: HttpError) {
  return { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
}

/** Reads the body up to `limit` bytes; a larger one is drained (so the client can read the answer) and refused. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? NaN);
    let size = 0;
    const chunks: Buffer[] = [];
    let tooBig = declared > limit;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) tooBig = true;
      if (!tooBig) chunks.push(c);
      // A client that keeps sending far past the limit is cut off.
      else if (size > limit * 16 + 2 ** 20) req.destroy();
    });
    let ended = false;
    // A client that hangs up mid-body must not leave the request pending forever (close() waits for it).
    req.on("close", () => {
      if (!ended) reject(new HttpError(400, "the client closed the connection before sending the whole body", null, "incomplete_body"));
    });
    req.on("end", () => {
      ended = true;
      if (tooBig) reject(new HttpError(413, `request body is ${size} bytes; the limit is ${limit} bytes (--max-body-bytes)`, null, "request_too_large"));
      else resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

function parseJson<T>(schema: z.ZodType<T>, raw: Buffer): T {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`, null, "invalid_json");
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new HttpError(400, "the body must be a JSON object", null, "invalid_json");
  const r = schema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const param = issue.path.join(".");
    throw new HttpError(400, `${param || "body"}: ${issue.message}`, param || null, "invalid_value");
  }
  return r.data;
}

const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString("hex")}`;

/** Sampling from an OpenAI body: OpenAI's defaults (temperature 1, top_p 1), stop as a list, top_k -1 = off. */
function sampling(b: ChatBody | CompletionBody, maxTokens: number, seed: number | undefined): ResolvedSampling {
  return resolveSampling(
    {
      maxTokens,
      temperature: b.temperature ?? 1,
      topP: b.top_p ?? 1,
      topK: b.top_k === undefined || b.top_k === null || b.top_k < 0 ? 0 : b.top_k,
      stop: typeof b.stop === "string" ? [b.stop] : (b.stop ?? []),
      ...(seed !== undefined ? { seed } : {}),
    },
    "body",
  );
}

/** The k-th of n samples: seed + k, so n samples with a seed are reproducible and differ from each other. */
const seedFor = (b: ChatBody | CompletionBody, k: number) => (b.seed === undefined || b.seed === null ? undefined : b.seed + k);

class Sse {
  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  }
  send(obj: unknown): void {
    this.res.write(`data: ${JSON.stringify(obj)}\n\n`);
  }
  end(): void {
    this.res.end("data: [DONE]\n\n");
  }
}

export async function startServer(model: LocalModel, o: ServerOptions = {}): Promise<RunningServer> {
  const name = o.modelName ?? model.name;
  const limit = o.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const created = Math.floor(Date.now() / 1000);
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  const tok = model.tokenizer;
  const tokenText = (id: number) => tok.decode([id]);

  const checkModel = (m: string) => {
    if (m !== name) throw new HttpError(404, `The model '${m}' does not exist; this server serves '${name}'`, "model", "model_not_found");
  };

  /** Runs generation jobs, turning request-caused errors into 400s. */
  const run = async <T>(f: () => Promise<T>, param: string | null = null): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const msg = (e as Error)?.message ?? "";
      if (CLIENT_ERRORS.has((e as Error)?.constructor?.name) || /^requests\[\d+\]/.test(msg)) {
        const tooLong = /context is \d+ tokens/.test(msg);
        throw new HttpError(400, msg.replace(/^requests\[\d+\]\S*: /, ""), tooLong ? param : null, tooLong ? "context_length_exceeded" : "invalid_value");
      }
      throw e;
    }
  };

  const usage = (outs: GenerationOutput[], promptTokens: number) => {
    const completion = outs.reduce((a, x) => a + x.completionTokens, 0);
    return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
  };

  async function chat(req: IncomingMessage, res: ServerResponse, abort: AbortSignal): Promise<void> {
    const b = parseJson(ChatBodySchema, await readBody(req, limit));
    checkModel(b.model);
    const messages: ChatMessage[] = b.messages.map((m) => ({
      role: m.role === "developer" ? "system" : m.role,
      content: typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join(""),
    }));
    const promptIds = await run(async () => model.encodeChat(messages, "requests[0].messages"), "messages");
    const n = b.n ?? 1;
    const maxTokens = b.max_completion_tokens ?? b.max_tokens ?? Math.max(1, model.contextLength - promptIds.length);
    const topLp = b.logprobs ? (b.top_logprobs ?? 0) : undefined;
    const id = newId("chatcmpl");
    const now = Math.floor(Date.now() / 1000);
    const chunk = (choices: unknown[], extra: object = {}) => ({ id, object: "chat.completion.chunk", created: now, model: name, choices, ...extra });
    let sse: Sse | undefined;
    const jobs: GenerationJob[] = [];
    for (let k = 0; k < n; k++)
      jobs.push({
        promptIds,
        sampling: await run(async () => sampling(b, maxTokens, seedFor(b, k))),
        signal: abort,
        ...(topLp !== undefined ? { logprobs: topLp } : {}),
        ...(b.stream ? { onText: (t: string) => sse!.send(chunk([{ index: k, delta: { content: t }, logprobs: null, finish_reason: null }])) } : {}),
      });
    if (b.stream) {
      if (topLp !== undefined) throw new HttpError(400, "logprobs with stream is not supported", "logprobs", "unsupported");
      // Checked before the 200 goes out, so a prompt that does not fit still gets a JSON 400.
      await run(async () => model.checkFits(promptIds.length, maxTokens, "messages"), "messages");
      sse = new Sse(res);
      for (let k = 0; k < n; k++) sse.send(chunk([{ index: k, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]));
    }
    const outs = await run(() => model.generate(jobs), "messages");
    if (sse) {
      outs.forEach((x, k) => sse!.send(chunk([{ index: k, delta: {}, logprobs: null, finish_reason: x.finishReason }])));
      if (b.stream_options?.include_usage) sse.send(chunk([], { usage: usage(outs, promptIds.length * n) }));
      sse.end();
      return;
    }
    const lp = (l: TokenLogprob) => ({ token: tokenText(l.id), logprob: l.logprob, bytes: [...Buffer.from(tokenText(l.id), "utf8")] });
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created: now,
      model: name,
      choices: outs.map((x, k) => ({
        index: k,
        message: { role: "assistant", content: x.text },
        logprobs: x.logprobs ? { content: x.logprobs.map((l) => ({ ...lp(l), top_logprobs: l.top.map(lp) })) } : null,
        finish_reason: x.finishReason,
      })),
      usage: usage(outs, promptIds.length * n),
    });
  }

  async function completions(req: IncomingMessage, res: ServerResponse, abort: AbortSignal): Promise<void> {
    const b = parseJson(CompletionBodySchema, await readBody(req, limit));
    checkModel(b.model);
    const p = b.prompt;
    // string | string[] | ids | ids[]: a list of prompts, each text (encoded here) or token ids (used as given).
    const prompts: Array<{ text: string; ids: number[]; offsets: () => number[] }> = (
      typeof p === "string" ? [p] : typeof p[0] === "number" ? [p as number[]] : (p as (string | number[])[])
    ).map((x, i) => {
      if (typeof x === "string") {
        const ids = model.encodePrompt(x);
        return { text: x, ids, offsets: () => promptOffsets(model, x, ids) };
      }
      const bad = x.find((t) => t >= model.session.info.vocab_size);
      if (bad !== undefined) throw new HttpError(400, `prompt[${i}]: token id ${bad} is outside the vocabulary [0, ${model.session.info.vocab_size})`, "prompt", "invalid_value");
      // Offsets are only worked out when logprobs are asked for (cumulativeOffsets is quadratic in the length).
      return { text: tok.decode(x), ids: x, offsets: () => cumulativeOffsets(model, x) };
    });
    const n = b.n ?? 1;
    const maxTokens = b.max_tokens ?? 16; // OpenAI's default for /v1/completions
    const echo = b.echo === true;
    const topN = b.logprobs ?? undefined;
    if (b.stream && topN !== undefined && topN !== null) throw new HttpError(400, "logprobs with stream is not supported", "logprobs", "unsupported");
    for (const [i, pr] of prompts.entries())
      await run(async () => {
        try {
          model.checkFits(pr.ids.length, maxTokens, `prompt${prompts.length > 1 ? `[${i}]` : ""}`);
        } catch (e) {
          throw new HttpError(400, (e as Error).message, "prompt", "context_length_exceeded");
        }
      });
    const id = newId("cmpl");
    const now = Math.floor(Date.now() / 1000);
    const chunk = (choices: unknown[], extra: object = {}) => ({ id, object: "text_completion", created: now, model: name, choices, ...extra });
    let sse: Sse | undefined;
    const jobs: GenerationJob[] = [];
    for (const [i, pr] of prompts.entries())
      for (let k = 0; k < n; k++) {
        const index = i * n + k;
        jobs.push({
          promptIds: pr.ids,
          sampling: await run(async () => sampling(b, maxTokens, seedFor(b, k))),
          signal: abort,
          ...(topN !== undefined && topN !== null ? { logprobs: topN } : {}),
          ...(b.stream ? { onText: (t: string) => sse!.send(chunk([{ index, text: t, logprobs: null, finish_reason: null }])) } : {}),
        });
      }
    if (b.stream) {
      sse = new Sse(res);
      if (echo) jobs.forEach((j, index) => sse!.send(chunk([{ index, text: prompts[Math.floor(index / n)]!.text, logprobs: null, finish_reason: null }])));
    }
    // Echoed prompt logprobs come from scoring the prompt; the generated ones from generation itself.
    const wantPromptLp = echo && topN !== undefined && topN !== null;
    const [outs, scored] = await Promise.all([
      run(() => model.generate(jobs)),
      wantPromptLp ? run(() => model.score(prompts.map((pr) => ({ ids: pr.ids, from: 1 })), topN)) : Promise.resolve(undefined),
    ]);
    const promptTokens = prompts.reduce((a, pr) => a + pr.ids.length, 0) * n;
    if (sse) {
      outs.forEach((x, index) => sse!.send(chunk([{ index, text: "", logprobs: null, finish_reason: x.finishReason }])));
      if (b.stream_options?.include_usage) sse.send(chunk([], { usage: usage(outs, promptTokens) }));
      sse.end();
      return;
    }
    const topMap = (ls: TokenLogprob[]) => Object.fromEntries(ls.map((l) => [tokenText(l.id), l.logprob]));
    const choices = outs.map((x, index) => {
      const pi = Math.floor(index / n);
      const pr = prompts[pi]!;
      const head = echo ? pr.text : "";
      let logprobs = null;
      if (topN !== undefined && topN !== null) {
        const tokens: string[] = [], tokenLogprobs: (number | null)[] = [], top: (Record<string, number> | null)[] = [], offsets: number[] = [];
        if (echo) {
          const s = scored![pi]!;
          const promptOffsets = pr.offsets();
          pr.ids.forEach((t, j) => {
            tokens.push(tokenText(t));
            tokenLogprobs.push(j === 0 ? null : s.logprobs[j - 1]!);
            top.push(j === 0 ? null : topMap(s.top?.[j - 1] ?? []));
            offsets.push(promptOffsets[j]!);
          });
        }
        // Generated tokens: offsets into the returned text, from the decoded length before each token.
        x.logprobs!.forEach((l, j) => {
          tokens.push(tokenText(l.id));
          tokenLogprobs.push(l.logprob);
          top.push(topMap(topN > 0 ? l.top : [l]));
          offsets.push(head.length + Math.min(x.text.length, tok.decode(x.tokenIds.slice(0, j), { skipSpecialTokens: true }).length));
        });
        logprobs = { tokens, token_logprobs: tokenLogprobs, top_logprobs: top, text_offset: offsets };
      }
      return { index, text: head + x.text, logprobs, finish_reason: x.finishReason };
    });
    sendJson(res, 200, { id, object: "text_completion", created: now, model: name, choices, usage: usage(outs, promptTokens) });
  }

  function models(res: ServerResponse): void {
    sendJson(res, 200, {
      object: "list",
      data: [{ id: name, object: "model", created, owned_by: "midtrain", max_model_len: model.contextLength }],
    });
  }

  const routes: Record<string, { method: string; handle: (req: IncomingMessage, res: ServerResponse, abort: AbortSignal) => Promise<void> | void }> = {
    "/v1/models": { method: "GET", handle: (_q, r) => models(r) },
    "/v1/chat/completions": { method: "POST", handle: chat },
    "/v1/completions": { method: "POST", handle: completions },
  };

  const server = createServer((req, res) => {
    const t0 = Date.now();
    inFlight++;
    const abort = new AbortController();
    // A client that goes away mid-generation stops its rows at the next step.
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
    const route = routes[path];
    void (async () => {
      try {
        if (closing) res.setHeader("connection", "close");
        if (!route) throw new HttpError(404, `no such endpoint: ${req.method} ${path || "/"}`, null, "not_found");
        if (req.method !== route.method) {
          res.setHeader("allow", route.method);
          throw new HttpError(405, `${path} takes ${route.method}, not ${req.method}`, null, "method_not_allowed");
        }
        await route.handle(req, res, abort.signal);
      } catch (e) {
        const he = e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error)?.message ?? String(e)}`);
        if (!(e instanceof HttpError)) o.log?.(`serve: ${(e as Error)?.stack ?? String(e)}`);
        if (!res.headersSent) {
          req.resume(); // an unread body must not stall the answer
          sendJson(res, he.status, errorBody(he));
        } else if (!res.writableEnded) {
          // Mid-stream: an error event, then the end of the stream.
          res.end(`data: ${JSON.stringify(errorBody(he))}\n\ndata: [DONE]\n\n`);
        }
      } finally {
        o.log?.(`serve: ${req.method} ${path} ${res.statusCode} ${Date.now() - t0} ms`);
        inFlight--;
        if (closing && inFlight === 0) drained?.();
      }
    })();
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 8000, o.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    server,
    get inFlight() {
      return inFlight;
    },
    async close() {
      closing = true;
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((r) => (drained = r));
      server.closeAllConnections();
      await stopped;
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Character offset of each prompt token in `text` (special tokens the tokenizer added sit at 0 or at the end). */
function promptOffsets(model: LocalModel, text: string, ids: number[]): number[] {
  const tok = model.tokenizer;
  try {
    const { starts } = tok.encodeWithOffsets(text);
    const pre = tok.prefixIds.length;
    if (starts.length + pre + tok.suffixIds.length === ids.length) return ids.map((_, i) => (i < pre ? 0 : i - pre < starts.length ? starts[i - pre]! : text.length));
  } catch {
    /* a normalizer changed the text: fall back to decoded lengths */
  }
  return cumulativeOffsets(model, ids);
}

/** Offsets as the decoded length of the tokens before each one. */
function cumulativeOffsets(model: LocalModel, ids: number[]): number[] {
  return ids.map((_, i) => model.tokenizer.decode(ids.slice(0, i)).length);
}

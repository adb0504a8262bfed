// The OpenAI-compatible server over real HTTP on a random tiny checkpoint: the
// `openai` npm client, an lm-eval-style echo request checked against
// loglikelihood() and a direct float64 computation, 64 concurrent clients,
// malformed and oversize requests, and a graceful close with work in flight.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalModel, type LocalModel } from "../src/infer/local-model.js";
import { startServer, type RunningServer } from "../src/infer/server.js";
import { runLogits } from "../src/infer/session.js";
import { freshSeed } from "./reference/random.js";
import { logSoftmax64, tinyCheckpoint } from "./reference/tiny-checkpoint.js";

const seed = freshSeed();
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe(`midtrain server (seed ${seed})`, () => {
  let lm: LocalModel;
  let srv: RunningServer;
  let client: OpenAI;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${srv.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  beforeAll(async () => {
    const ck = tinyCheckpoint(seed);
    lm = await openLocalModel(ck.dir, { device: "cpu", maxBatch: 8 });
    srv = await startServer(lm, { port: 0, modelName: "tiny" });
    client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: "x", maxRetries: 0 });
  });
  afterAll(async () => {
    await srv?.close();
    await lm?.close();
  });

  it("listens on 127.0.0.1 and lists its one model", async () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["tiny"]);
  });

  it("answers the openai client's chat call as the local model does, streamed or not", async () => {
    const messages = [{ role: "user" as const, content: "Name a colour." }];
    const [local] = await lm.chat([{ messages, maxTokens: 12 }]);
    const res = await client.chat.completions.create({ model: "tiny", messages, max_tokens: 12, temperature: 0 });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]!.message).toMatchObject({ role: "assistant", content: local!.text });
    expect(res.choices[0]!.finish_reason).toBe(local!.finishReason);
    expect(res.usage).toEqual({ prompt_tokens: local!.promptTokens, completion_tokens: local!.completionTokens, total_tokens: local!.promptTokens + local!.completionTokens });
    const stream = await client.chat.completions.create({ model: "tiny", messages, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = "", reason: string | null = null, usage: unknown = null, chunks = 0;
    for await (const ch of stream) {
      chunks++;
      text += ch.choices[0]?.delta?.content ?? "";
      reason = ch.choices[0]?.finish_reason ?? reason;
      if (ch.usage) usage = ch.usage;
    }
    expect(text).toBe(local!.text);
    expect(reason).toBe(local!.finishReason);
    expect(usage).toEqual(res.usage);
    expect(chunks).toBeGreaterThan(2);
    // Seeded sampling through the API repeats; n samples come back as n choices.
    const s = { model: "tiny", messages, max_tokens: 8, temperature: 1.2, seed: 5, n: 3 };
    const a = await client.chat.completions.create(s);
    const b = await client.chat.completions.create(s);
    expect(a.choices.map((c) => c.message.content)).toEqual(b.choices.map((c) => c.message.content));
    expect(a.choices.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it("scores an lm-eval-style echo request: the continuation's summed logprob equals loglikelihood() and runLogits (1e-4)", async () => {
    const context = "The quick brown fox jumps over the";
    const continuation = " lazy dog";
    const body = { model: "tiny", prompt: context + continuation, echo: true, logprobs: 1, max_tokens: 0, temperature: 0 };
    const r = await (await post("/v1/completions", body)).json();
    const lp = r.choices[0].logprobs;
    expect(r.choices[0].text).toBe(context + continuation);
    expect(lp.tokens.join("")).toBe(context + continuation);
    expect(lp.token_logprobs[0]).toBeNull();
    const ctxlen = lp.text_offset.filter((x: number) => x < context.length).length;
    const got = lp.token_logprobs.slice(ctxlen).reduce((a: number, b: number) => a + b, 0);
    const [ll] = await lm.loglikelihood([{ context, continuation }]);
    expect(rel(got, ll!.logprob)).toBeLessThan(1e-4);
    // Directly: float64 log-softmax of ORT logits over the same tokens.
    const ids = [...lm.tokenizer.encode(context + continuation)];
    const V = lm.session.info.vocab_size;
    const logits = (await runLogits(lm.session, [ids])).logits;
    let ref = 0;
    for (let t = ctxlen; t < ids.length; t++) ref += logSoftmax64(logits.subarray((t - 1) * V, t * V))[ids[t]!]!;
    expect(rel(got, ref)).toBeLessThan(1e-4);
    // top_logprobs holds the argmax: is_greedy as lm-eval computes it.
    const greedy = lp.token_logprobs.slice(ctxlen).every((x: number, k: number) => x >= Math.max(...(Object.values(lp.top_logprobs[ctxlen + k]) as number[])));
    expect(greedy).toBe(ll!.isGreedy);

    // lm-eval's local-completions default: token ids, max_tokens 1, scoring token_logprobs[ctxlen:-1].
    const ctxIds = [...lm.tokenizer.encode(context, { addSpecialTokens: false })];
    const contIds = ids.slice(ctxIds.length);
    const r2 = await (await post("/v1/completions", { model: "tiny", prompt: [[...ctxIds, ...contIds]], echo: true, logprobs: 1, max_tokens: 1, temperature: 0, seed: 1234 })).json();
    const l2 = r2.choices[0].logprobs;
    expect(l2.token_logprobs.length).toBe(ids.length + 1);
    const got2 = l2.token_logprobs.slice(ctxIds.length, -1).reduce((a: number, b: number) => a + b, 0);
    expect(rel(got2, ll!.logprob)).toBeLessThan(1e-4);
    // The openai client sees the same numbers.
    const c = await client.completions.create({ model: "tiny", prompt: context + continuation, echo: true, logprobs: 3, max_tokens: 0 });
    expect(c.choices[0]!.logprobs!.token_logprobs).toEqual(lp.token_logprobs);
    expect(Object.keys(c.choices[0]!.logprobs!.top_logprobs![1]!).length).toBe(3);
  });

  it("keeps answering 64 concurrent clients: each gets exactly its own answer, and requests share batches", async () => {
    const prompts = Array.from({ length: 64 }, (_, i) => `Client ${i} says ${"hello ".repeat(i % 5)}`);
    const expected = await lm.complete(prompts.map((prompt) => ({ prompt, maxTokens: 4 })));
    const before = lm.batchSizes.length;
    const replies = await Promise.all(
      prompts.map(async (prompt, i) => {
        if (i % 8 === 7) {
          const r = await (await post("/v1/completions", { model: "tiny", prompt: prompt + " ok", echo: true, logprobs: 0, max_tokens: 0 })).json();
          return { i, kind: "score", r };
        }
        const r = await client.completions.create({ model: "tiny", prompt, max_tokens: 4, temperature: 0 });
        return { i, kind: "gen", r };
      }),
    );
    expect(new Set(replies.map((x) => x.r.id)).size).toBe(64);
    for (const { i, kind, r } of replies) {
      if (kind === "gen") expect(r.choices[0].text, `client ${i}`).toBe(expected[i]!.text);
      else expect(r.choices[0].text, `client ${i}`).toBe(prompts[i] + " ok");
    }
    const sizes = lm.batchSizes.slice(before);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(64);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
  });

  it("answers malformed, unknown and oversize requests with OpenAI-style 4xx errors, and stays up", async () => {
    const expectError = async (res: Response, status: number, param: string | null, message: RegExp) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/json");
      const b = await res.json();
      expect(Object.keys(b.error).sort()).toEqual(["code", "message", "param", "type"]);
      expect(b.error.param).toBe(param);
      expect(b.error.message).toMatch(message);
      expect(b.error.type).toBe("invalid_request_error");
    };
    await expectError(await post("/v1/chat/completions", "{not json"), 400, null, /not valid JSON/);
    await expectError(await post("/v1/chat/completions", "[1,2]"), 400, null, /must be a JSON object/);
    await expectError(await post("/v1/chat/completions", { model: "tiny" }), 400, "messages", /^messages: /);
    await expectError(await post("/v1/chat/completions", { model: "tiny", messages: [{ role: "robot", content: "x" }] }), 400, "messages.0.role", /messages\.0\.role/);
    await expectError(await post("/v1/chat/completions", { model: "tiny", messages: [{ role: "user", content: "x" }], temperature: 5 }), 400, "temperature", /temperature/);
    await expectError(await post("/v1/chat/completions", { model: "tiny", messages: [{ role: "user", content: "x" }], top_p: 0 }), 400, "top_p", /top_p/);
    await expectError(await post("/v1/completions", { model: "tiny", prompt: "x", max_tokens: -1 }), 400, "max_tokens", /max_tokens/);
    await expectError(await post("/v1/completions", { model: "tiny", prompt: [[1, 99999]] }), 400, "prompt", /token id 99999 is outside the vocabulary/);
    await expectError(await post("/v1/completions", { model: "tiny", prompt: "x", frequency_penalty: 0.5 }), 400, "frequency_penalty", /not supported/);
    await expectError(await post("/v1/completions", { model: "tiny", prompt: "word ".repeat(1100), max_tokens: 1 }), 400, "prompt", /the prompt is \d+ tokens; the model's context is 1024 tokens/);
    await expectError(await post("/v1/chat/completions", { model: "tiny", messages: [{ role: "user", content: "word ".repeat(1100) }], stream: true }), 400, "messages", /context is 1024 tokens/);
    const nf = await post("/v1/chat/completions", { model: "gpt-4", messages: [{ role: "user", content: "x" }] });
    expect(nf.status).toBe(404);
    expect((await nf.json()).error).toMatchObject({ code: "model_not_found", param: "model" });
    expect((await fetch(`${srv.url}/v2/nothing`)).status).toBe(404);
    const wrong = await fetch(`${srv.url}/v1/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    const big = await post("/v1/completions", { model: "tiny", prompt: "x".repeat(2 * 2 ** 20) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("request_too_large");
    // The openai client surfaces these as typed errors.
    await expect(client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.completions.create({ model: "tiny", prompt: "x", temperature: 9 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    // Still serving.
    const ok = await client.completions.create({ model: "tiny", prompt: "still there?", max_tokens: 2, temperature: 0 });
    expect(ok.choices).toHaveLength(1);
  });

  it("a client that hangs up halfway through its body does not leave a request pending", async () => {
    const { connect } = await import("node:net");
    const sock = connect(srv.port, "127.0.0.1");
    await new Promise((r) => sock.once("connect", r));
    sock.write("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\": \"tiny\", ");
    while (srv.inFlight === 0) await new Promise((r) => setTimeout(r, 1));
    sock.destroy();
    while (srv.inFlight > 0) await new Promise((r) => setTimeout(r, 1));
    expect(srv.inFlight).toBe(0);
    expect((await client.models.list()).data).toHaveLength(1);
  });

  it("close() refuses new connections but lets in-flight requests finish", async () => {
    const s2 = await startServer(lm, { port: 0, modelName: "tiny" });
    const inflight = fetch(`${s2.url}/v1/completions`, { method: "POST", body: JSON.stringify({ model: "tiny", prompt: "slow one", max_tokens: 40, temperature: 0 }) });
    while (s2.inFlight === 0) await new Promise((r) => setTimeout(r, 1));
    const closed = s2.close();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].finish_reason).toMatch(/stop|length/);
    await closed;
    await expect(fetch(`${s2.url}/v1/models`)).rejects.toThrow();
  });
});

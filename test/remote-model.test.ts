// openRemoteModel against a real `midtrain serve` server (in process, over
// HTTP): it must give what the local model gives for chat, completion and
// log-likelihood, and name the endpoint when something is wrong.
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LanguageModel } from "../src/infer/language-model.js";
import { openLocalModel, type LocalModel } from "../src/infer/local-model.js";
import { openRemoteModel, RemoteModelError } from "../src/infer/remote-model.js";
import { startServer, type RunningServer } from "../src/infer/server.js";
import { freshSeed } from "./reference/random.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";

const seed = freshSeed();
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe(`openRemoteModel against midtrain's server (seed ${seed})`, () => {
  let lm: LocalModel;
  let srv: RunningServer;
  let remote: LanguageModel;
  beforeAll(async () => {
    lm = await openLocalModel(tinyCheckpoint(seed).dir, { device: "cpu", maxBatch: 8 });
    srv = await startServer(lm, { port: 0, modelName: "tiny" });
    remote = openRemoteModel({ baseURL: `${srv.url}/v1`, model: "tiny", concurrency: 4 });
  });
  afterAll(async () => {
    await remote?.close();
    await srv?.close();
    await lm?.close();
  });

  it("chat and complete equal the local model's results (greedy, and seeded sampling), streaming included", async () => {
    const reqs = [
      { messages: [{ role: "user" as const, content: "Hello there" }], maxTokens: 10 },
      { messages: [{ role: "system" as const, content: "Be brief." }, { role: "user" as const, content: "Why?" }], maxTokens: 6, temperature: 1.1, topK: 30, seed: 3 },
    ];
    const local = await lm.chat(reqs);
    expect(await remote.chat(reqs)).toEqual(local);
    const pieces: string[][] = [[], []];
    const streamed = await remote.chat(reqs, (i, t) => pieces[i]!.push(t));
    expect(streamed).toEqual(local);
    expect(pieces.map((p) => p.join(""))).toEqual(local.map((r) => r.text));
    const comp = [{ prompt: "Once upon a time", maxTokens: 7 }, { prompt: "x", maxTokens: 3, stop: ["e"] }];
    expect(await remote.complete(comp)).toEqual(await lm.complete(comp));
  });

  it("loglikelihood through echo + text_offset equals the local model's (1e-4 relative), greedy flag included", async () => {
    const reqs = [
      { context: "The cat sat on the", continuation: " mat" },
      { context: "Question: is water wet?\nAnswer: ", continuation: "yes, it is" },
      { context: "a b c", continuation: " d e f g" },
    ];
    const [r, l] = await Promise.all([remote.loglikelihood(reqs), lm.loglikelihood(reqs)]);
    for (let i = 0; i < reqs.length; i++) {
      expect(rel(r[i]!.logprob, l[i]!.logprob), `request ${i}`).toBeLessThan(1e-4);
      expect(r[i]!.tokens).toBe(l[i]!.tokens);
      expect(r[i]!.isGreedy).toBe(l[i]!.isGreedy);
      expect(r[i]!.bytes).toBe(l[i]!.bytes);
      r[i]!.tokenLogprobs!.forEach((x, k) => expect(rel(x, l[i]!.tokenLogprobs![k]!)).toBeLessThan(1e-4));
    }
  });

  it("refuses what it cannot score, and names the endpoint on failures", async () => {
    await expect(remote.loglikelihood([{ context: "", continuation: "x" }])).rejects.toThrow(/^requests\[0\]: an empty context cannot be scored/);
    await expect(remote.loglikelihood([{ context: "a", continuation: "" }])).rejects.toThrow(/^requests\[0\]: the continuation is empty/);
    await expect(remote.chat([{ messages: [{ role: "user", content: "x" }], topP: 2 }])).rejects.toThrow(/^requests\[0\]\.topP/);
    const wrong = openRemoteModel({ baseURL: `${srv.url}/v1`, model: "other" });
    await expect(wrong.complete([{ prompt: "x" }])).rejects.toThrow(new RegExp(`^${srv.url}/v1 \\(model other\\): 404 .*'other' does not exist`));
    expect(() => openRemoteModel({ baseURL: "localhost:1", model: "m" })).toThrow(/must start with http/);
  });

  it("falls back to max_tokens 1 when a server refuses 0, dropping the generated token by its offset", async () => {
    // A stand-in for vLLM: refuses max_tokens 0, and with 1 appends one generated token after the prompt.
    const bodies: { max_tokens: number }[] = [];
    const fake = createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        const b = JSON.parse(raw);
        bodies.push(b);
        res.setHeader("content-type", "application/json");
        if (b.max_tokens === 0) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: { message: "max_tokens must be at least 1", type: "invalid_request_error", param: "max_tokens", code: null } }));
          return;
        }
        // prompt "ab cd": tokens "ab" (0), " cd" (2), generated "!" (5)
        res.end(JSON.stringify({ id: "x", object: "text_completion", created: 0, model: "m", choices: [{ index: 0, text: "ab cd!", finish_reason: "length", logprobs: { tokens: ["ab", " cd", "!"], token_logprobs: [null, -1.5, -0.25], top_logprobs: [null, { " cd": -1.5, " ef": -0.5 }, { "!": -0.25 }], text_offset: [0, 2, 5] } }] }));
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    try {
      const m = openRemoteModel({ baseURL: `http://127.0.0.1:${(fake.address() as { port: number }).port}/v1`, model: "m" });
      const [r] = await m.loglikelihood([{ context: "ab", continuation: " cd" }]);
      expect(r).toEqual({ logprob: -1.5, tokens: 1, bytes: 3, isGreedy: false, tokenLogprobs: [-1.5] });
      expect(bodies.map((b) => b.max_tokens)).toEqual([0, 1]);
    } finally {
      fake.close();
    }
  });
});

// openLocalModel end to end on a random tiny checkpoint: the export, batched
// generation against the native engine's argmax, seeds, stop handling,
// streaming, log-likelihood against a float64 computation from the engine and
// from ONNX Runtime directly, and the errors for bad input.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onnxDirFor, openLocalModel, type LocalModel } from "../src/infer/local-model.js";
import { encodePair } from "../src/infer/loglikelihood-encoding.js";
import { resolveSampling } from "../src/infer/sampling.js";
import { runLogits } from "../src/infer/session.js";
import { renderChat } from "../src/tokenizer/chat.js";
import { freshSeed } from "./reference/random.js";
import { logSoftmax64, nativeNextLogits, tinyCheckpoint } from "./reference/tiny-checkpoint.js";
import type { Model } from "../src/engine/model.js";

const seed = freshSeed();
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe(`openLocalModel on a random tiny checkpoint (seed ${seed})`, () => {
  let lm: LocalModel;
  let model: Model;
  let dir: string;
  beforeAll(async () => {
    const ck = tinyCheckpoint(seed);
    dir = ck.dir;
    model = ck.model;
    lm = await openLocalModel(dir, { device: "cpu", maxBatch: 4 });
  });
  afterAll(async () => {
    await lm?.close();
  });

  const chatIds = (content: string) => [...lm.tokenizer.encode(renderChat(lm.tokenizer, [{ role: "user", content }], { addGenerationPrompt: true }), { addSpecialTokens: false })];

  it("exports into <checkpoint>/onnx and reuses that export on the next open", async () => {
    expect(onnxDirFor(dir)).toBe(join(dir, "onnx"));
    const mtime = statSync(join(dir, "onnx", "model.onnx")).mtimeMs;
    const lines: string[] = [];
    const again = await openLocalModel(dir, { device: "cpu", log: (l) => lines.push(l) });
    await again.close();
    expect(statSync(join(dir, "onnx", "model.onnx")).mtimeMs).toBe(mtime);
    expect(lines[0]).toMatch(/is up to date/);
    expect(lines).toContain("onnxruntime: CPU execution provider");
    expect(lm.contextLength).toBe(1024);
    expect(lm.stopIds).toEqual(expect.arrayContaining([0, 2])); // <|endoftext|> and <|im_end|>
  });

  it("greedy chat takes the engine's argmax at every step and stops only at a stop id or the token budget", async () => {
    const prompts = ["Tell me about cats.", "hi", "Write three words about the sea, please, and be brief."];
    const [outs, texts] = await Promise.all([
      lm.generate(prompts.map((p) => ({ promptIds: chatIds(p), sampling: resolveSampling({ maxTokens: 10 }, "t") }))),
      lm.chat(prompts.map((p) => ({ messages: [{ role: "user", content: p }], maxTokens: 10 }))),
    ]);
    for (const [i, p] of prompts.entries()) {
      const o = outs[i]!;
      const ids = chatIds(p);
      expect(o.promptTokens).toBe(ids.length);
      // Teacher-forced: each chosen token is the engine's argmax (up to fp32 noise) after the tokens before it.
      for (const tok of [...o.tokenIds, ...(o.finishReason === "stop" ? [-1] : [])]) {
        const l = nativeNextLogits(model, ids);
        const best = l.reduce((b, x, j) => (x > l[b]! ? j : b), 0);
        if (tok === -1) expect(lm.stopIds, `prompt ${i}: stopped without a stop id`).toContain(best);
        else expect(l[best]! - l[tok]!, `prompt ${i} token ${ids.length}`).toBeLessThanOrEqual(1e-4 * Math.abs(l[best]!));
        ids.push(tok);
      }
      if (o.finishReason === "length") expect(o.completionTokens).toBe(10);
      expect(texts[i]).toEqual({ text: lm.tokenizer.decode(o.tokenIds, { skipSpecialTokens: true }), finishReason: o.finishReason, promptTokens: o.promptTokens, completionTokens: o.completionTokens });
    }
  });

  it("a row's result does not depend on its batch: padded batch == alone, for greedy and for seeded sampling", async () => {
    const reqs = [
      { messages: [{ role: "user" as const, content: "A long prompt, so the others are left-padded a lot in the batch." }], maxTokens: 8 },
      { messages: [{ role: "user" as const, content: "short" }], maxTokens: 12, temperature: 1.3, topP: 0.9, seed: 7 },
      { messages: [{ role: "user" as const, content: "medium length one" }], maxTokens: 5, temperature: 0.8, topK: 20, seed: 11 },
    ];
    const batched = await lm.chat(reqs);
    for (const [i, r] of reqs.entries()) expect(batched[i], `request ${i}`).toEqual((await lm.chat([r]))[0]);
  });

  it("seeds: the same seed repeats a sample; different seeds give different ones", async () => {
    const req = (s: number) => ({ messages: [{ role: "user" as const, content: "Say something." }], maxTokens: 12, temperature: 1.5, seed: s });
    const a = await lm.chat([req(1), req(1), req(2), req(3), req(4)]);
    expect(a[1]).toEqual(a[0]);
    expect(new Set(a.map((r) => r.text)).size).toBeGreaterThanOrEqual(3);
  });

  it("stop strings end the text before their first occurrence; streamed pieces add up to the text and never show the stop", async () => {
    let base: string | undefined;
    let prompt = "";
    for (const p of ["Once upon a time", "The weather today", "Numbers: 1, 2, 3", "Dear friend,"]) {
      const [r] = await lm.complete([{ prompt: p, maxTokens: 24 }]);
      if (r!.text.length >= 8) {
        base = r!.text;
        prompt = p;
        break;
      }
    }
    expect(base, "the random model wrote too little text to cut").toBeDefined();
    const stop = base!.slice(Math.floor(base!.length / 2), Math.floor(base!.length / 2) + 2);
    const [cut] = await lm.complete([{ prompt, maxTokens: 24, stop: [stop, "\u0000never"] }]);
    expect(cut!.text).toBe(base!.slice(0, base!.indexOf(stop)));
    expect(cut!.finishReason).toBe("stop");
    // Streaming, through chat: pieces in order, per request index.
    const pieces: string[][] = [[], []];
    const msgs = [{ role: "user" as const, content: prompt }];
    const full = await lm.chat([{ messages: msgs, maxTokens: 16 }]);
    const stop2 = full[0]!.text.slice(3, 5) || "zz";
    const res = await lm.chat(
      [
        { messages: msgs, maxTokens: 16 },
        { messages: msgs, maxTokens: 16, stop: [stop2] },
      ],
      (i, t) => pieces[i]!.push(t),
    );
    expect(pieces[0]!.join("")).toBe(res[0]!.text);
    expect(res[0]).toEqual(full[0]);
    expect(pieces[1]!.join("")).toBe(res[1]!.text);
    expect(pieces[1]!.join("")).not.toContain(stop2);
    if (full[0]!.text.includes(stop2)) expect(res[1]!.text).toBe(full[0]!.text.slice(0, full[0]!.text.indexOf(stop2)));
  });

  it("maxTokens bounds the completion; 0 generates nothing", async () => {
    const [r0, r5] = await lm.complete([
      { prompt: "abc", maxTokens: 0 },
      { prompt: "abc", maxTokens: 5 },
    ]);
    expect(r0).toEqual({ text: "", finishReason: "length", promptTokens: lm.tokenizer.encode("abc").length, completionTokens: 0 });
    expect(r5!.completionTokens).toBeLessThanOrEqual(5);
    if (r5!.finishReason === "length") expect(r5!.completionTokens).toBe(5);
  });

  it("loglikelihood equals a float64 log-softmax of the engine's and of ONNX Runtime's logits (1e-4 relative), batched or alone", async () => {
    const reqs = [
      { context: "The cat sat on the", continuation: " mat" },
      { context: "Question: what is two plus two?\nAnswer: ", continuation: "four, of course" },
      { context: "x", continuation: "y z w" },
      { context: "", continuation: "Hello there" },
    ];
    const got = await lm.loglikelihood(reqs);
    const alone = await lm.loglikelihood([reqs[1]!]);
    expect(alone[0]).toEqual(got[1]);
    for (const [i, r] of reqs.entries()) {
      const e = encodePair(lm.tokenizer, r.context, r.continuation, lm.contextLength, "t");
      // Engine: one forward over ids[:-1]; ORT: runLogits directly.
      const n = e.ids.length;
      const V = model.config.vocab_size;
      const nat = model.forwardLogits({ inputIds: Int32Array.from(e.ids.slice(0, -1)) }, 1, n - 1);
      const ort = (await runLogits(lm.session, [e.ids.slice(0, -1)])).logits;
      let refNat = 0, refOrt = 0, greedy = true;
      const per: number[] = [];
      for (let t = e.from; t < n; t++) {
        const ln = logSoftmax64(nat.subarray((t - 1) * V, t * V));
        const lo = logSoftmax64(ort.subarray((t - 1) * V, t * V));
        refNat += ln[e.ids[t]!]!;
        refOrt += lo[e.ids[t]!]!;
        per.push(lo[e.ids[t]!]!);
        if (lo.indexOf(Math.max(...lo)) !== e.ids[t]) greedy = false;
      }
      const g = got[i]!;
      expect(rel(g.logprob, refNat), `request ${i} vs engine`).toBeLessThan(1e-4);
      expect(rel(g.logprob, refOrt), `request ${i} vs runLogits`).toBeLessThan(1e-4);
      expect(g.tokens).toBe(n - e.from);
      expect(g.tokenLogprobs!.length).toBe(g.tokens);
      g.tokenLogprobs!.forEach((x, k) => expect(rel(x, per[k]!)).toBeLessThan(1e-4));
      expect(g.isGreedy).toBe(greedy);
      expect(g.bytes).toBe(Buffer.byteLength(r.continuation));
    }
    // The empty context starts from the prefix token (eos here: the tiny tokenizer has no bos).
    expect(encodePair(lm.tokenizer, "", "Hello", 1024, "t").ids[0]).toBe(0);
    // lm-eval's whitespace move: a trailing space of the context belongs to the continuation.
    const [a, b] = await lm.loglikelihood([
      { context: "Answer: ", continuation: "yes" },
      { context: "Answer:", continuation: " yes" },
    ]);
    expect(a!.logprob).toBe(b!.logprob);
    expect(a!.bytes).toBe(3);
  });

  it("a greedy continuation scores as greedy, and a deliberately unlikely one does not", async () => {
    const prompt = "The sea is";
    const out = await lm.generate([{ promptIds: [...lm.tokenizer.encode(prompt)], sampling: resolveSampling({ maxTokens: 4 }, "t") }]);
    const ids = out[0]!.tokenIds;
    // Score exactly the generated tokens (by id, so re-tokenisation cannot change them).
    const p = [...lm.tokenizer.encode(prompt)];
    const [s] = await lm.score([{ ids: [...p, ...ids], from: p.length }]);
    expect(s!.greedy.every(Boolean)).toBe(true);
    const l = nativeNextLogits(model, p);
    const worst = l.indexOf(Math.min(...l));
    const [w] = await lm.score([{ ids: [...p, worst], from: p.length }]);
    expect(w!.greedy).toEqual([false]);
  });

  it("dtype fp16 exports beside the fp32 export (onnx-fp16/) and scores close to fp32", async () => {
    const half = await openLocalModel(dir, { device: "cpu", dtype: "fp16" });
    try {
      expect(existsSync(join(dir, "onnx-fp16", "model.onnx"))).toBe(true);
      expect(half.session.info.dtype).toBe("fp16");
      const reqs = [{ context: "The cat sat on the", continuation: " mat and slept" }];
      const [a] = await half.loglikelihood(reqs);
      const [b] = await lm.loglikelihood(reqs);
      // fp16 activations through 4 random layers (weights std 0.5): a few percent, not fp32's 1e-6.
      expect(rel(a!.logprob, b!.logprob)).toBeLessThan(5e-2);
      expect(a!.tokens).toBe(b!.tokens);
    } finally {
      await half.close();
    }
  });

  it("bad requests fail before any work, naming the request and field", async () => {
    const m = [{ role: "user" as const, content: "x" }];
    await expect(lm.chat([{ messages: m }, { messages: m, temperature: -1 }])).rejects.toThrow(/^requests\[1\]\.temperature: .*-1/);
    await expect(lm.chat([{ messages: m, topP: 0 }])).rejects.toThrow(/^requests\[0\]\.topP: /);
    await expect(lm.chat([{ messages: m, topK: 1.5 }])).rejects.toThrow(/^requests\[0\]\.topK: /);
    await expect(lm.chat([{ messages: m, maxTokens: -3 }])).rejects.toThrow(/^requests\[0\]\.maxTokens: /);
    await expect(lm.chat([{ messages: m, stop: [""] }])).rejects.toThrow(/^requests\[0\]\.stop\.0: stop strings must not be empty/);
    await expect(lm.chat([{ messages: [{ role: "robot", content: "x" }] as never }])).rejects.toThrow(/^requests\[0\]\.messages: messages\[0\]\.role/);
    await expect(lm.loglikelihood([{ context: "a", continuation: "" }])).rejects.toThrow(/^requests\[0\]: the continuation is empty/);
    const long = "word ".repeat(1200);
    await expect(lm.complete([{ prompt: long }])).rejects.toThrow(/^requests\[0\]: the prompt is \d+ tokens; the model's context is 1024 tokens/);
  });
});

describe(`openLocalModel: context limits and bad checkpoints (seed ${seed})`, () => {
  it("caps generation at the context, cuts long scoring contexts from the left, refuses prompts that do not fit", async () => {
    const ck = tinyCheckpoint(seed + 1, { max_position_embeddings: 24 });
    const lm = await openLocalModel(ck.dir, { device: "cpu" });
    try {
      const prompt = Array.from({ length: 20 }, (_, i) => i + 10);
      const [o] = await lm.generate([{ promptIds: prompt, sampling: resolveSampling({ maxTokens: 50 }, "t") }]);
      expect(o!.completionTokens).toBeLessThanOrEqual(4);
      if (o!.finishReason === "length") expect(o!.completionTokens).toBe(4);
      await expect(lm.generate([{ promptIds: Array(24).fill(5), sampling: resolveSampling({}, "t") }])).rejects.toThrow(/the prompt is 24 tokens; the model's context is 24 tokens.*no room/);
      // Scoring a sequence longer than the window keeps its last 25 tokens (24 fed, the last only a target).
      const ctx = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
      const e = encodePair(lm.tokenizer, ctx, " sixteen", 24, "t");
      expect(e.ids.length).toBe(25);
      const [r] = await lm.loglikelihood([{ context: ctx, continuation: " sixteen" }]);
      const V = ck.model.config.vocab_size;
      const nat = ck.model.forwardLogits({ inputIds: Int32Array.from(e.ids.slice(0, -1)) }, 1, 24);
      let ref = 0;
      for (let t = e.from; t < 25; t++) ref += logSoftmax64(nat.subarray((t - 1) * V, t * V))[e.ids[t]!]!;
      expect(rel(r!.logprob, ref)).toBeLessThan(1e-4);
      await expect(lm.loglikelihood([{ context: "a", continuation: "word ".repeat(30) }])).rejects.toThrow(/^requests\[0\]: the continuation is \d+ tokens; the model's context is 24 tokens/);
    } finally {
      await lm.close();
    }
  });

  it("names what is wrong with a missing, half-written or tokenizer-less checkpoint", async () => {
    await expect(openLocalModel("/nonexistent/ckpt")).rejects.toThrow("/nonexistent/ckpt: not a checkpoint directory");
    const half = tinyCheckpoint(seed + 2, { max_position_embeddings: 24 }).dir;
    rmSync(join(half, "model.safetensors"));
    await expect(openLocalModel(half, { device: "cpu" })).rejects.toThrow(`${half}: no model.safetensors or model.safetensors.index.json`);
    expect(existsSync(join(half, "onnx", "model.onnx"))).toBe(false);
    const noTok = tinyCheckpoint(seed + 3, { max_position_embeddings: 24 }).dir;
    rmSync(join(noTok, "tokenizer.json"));
    await expect(openLocalModel(noTok, { device: "cpu" })).rejects.toThrow(`${join(noTok, "tokenizer.json")}: file not found`);
    const empty = mkdtempSync(join(tmpdir(), "midtrain-empty-"));
    await expect(openLocalModel(empty, { device: "cpu" })).rejects.toThrow(`${join(empty, "config.json")}: cannot read: ENOENT`);
  });

  it("uses $MIDTRAIN_CACHE for a read-only checkpoint directory", async (t) => {
    if (process.getuid?.() === 0) t.skip(); // root writes through any mode bits, so read-only cannot be simulated
    const ck = tinyCheckpoint(seed + 4, { max_position_embeddings: 24 });
    const cache = mkdtempSync(join(tmpdir(), "midtrain-cache-"));
    const { chmodSync } = await import("node:fs");
    chmodSync(ck.dir, 0o555);
    process.env.MIDTRAIN_CACHE = cache;
    try {
      const lines: string[] = [];
      const lm = await openLocalModel(ck.dir, { device: "cpu", log: (l) => lines.push(l) });
      await lm.close();
      expect(lines.join("\n")).toMatch(/is not writable; using /);
      expect(existsSync(join(onnxDirFor(ck.dir, true), "model.onnx"))).toBe(true);
      expect(onnxDirFor(ck.dir, true).startsWith(join(cache, "onnx"))).toBe(true);
    } finally {
      delete process.env.MIDTRAIN_CACHE;
      chmodSync(ck.dir, 0o755);
    }
  });
});

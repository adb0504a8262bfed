// The pieces under generation and scoring: incremental detokenisation with
// stop strings, KV-cache compaction, top-logprob selection, the batching
// queue, and chunked prefill/scoring against one-shot runs.
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchQueue } from "../src/infer/batch-queue.js";
import { exportOnnx } from "../src/infer/export-onnx.js";
import { generateBatch } from "../src/infer/generate.js";
import { compactCache } from "../src/infer/kv-cache.js";
import { logSumExp, topLogprobs } from "../src/infer/logprobs.js";
import { resolveSampling } from "../src/infer/sampling.js";
import { scoreRows } from "../src/infer/score.js";
import { openSession, runLogits, type OnnxSession, type PastKV } from "../src/infer/session.js";
import { TextStream } from "../src/infer/text-stream.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { Rng, freshSeed, relErr } from "./reference/random.js";
import { logSoftmax64, tinyCheckpoint, tinyTokenizerDir } from "./reference/tiny-checkpoint.js";

const seed = freshSeed();
const tok = Tokenizer.fromDir(tinyTokenizerDir);

/** Feeds ids one at a time; returns the emitted pieces and the stream. */
function streamAll(ids: ArrayLike<number>, stops: string[]): { pieces: string[]; s: TextStream } {
  const s = new TextStream(tok, stops);
  const pieces: string[] = [];
  for (const id of Array.from(ids)) {
    pieces.push(s.push(id));
    if (s.stopped) break;
  }
  pieces.push(s.finish());
  return { pieces: pieces.filter((p) => p !== ""), s };
}

describe("TextStream", () => {
  it("emits only whole characters, and the pieces add up to the decoded text", () => {
    const text = "Café au lait ☕, the cow 🐄 says: naïve façade — “quoted” 日本語.";
    const ids = tok.encode(text, { addSpecialTokens: false });
    const { pieces, s } = streamAll(ids, []);
    expect(pieces.join("")).toBe(text);
    expect(s.value).toBe(text);
    for (const p of pieces) expect(p).not.toContain("\ufffd");
    expect(pieces.length).toBeGreaterThan(5);
  });

  it("cuts before the first stop string even when it spans tokens, and never emits a part of it", () => {
    const text = "alpha beta gamma STOP delta STOP";
    const ids = tok.encode(text, { addSpecialTokens: false });
    for (const stop of ["STOP", " gamma S", "a g", "ta"]) {
      const { pieces, s } = streamAll(ids, [stop, "never-there"]);
      expect(s.stopped, stop).toBe(true);
      expect(s.value).toBe(text.slice(0, text.indexOf(stop)));
      expect(pieces.join("")).toBe(s.value);
    }
    // A held-back prefix of a stop string that never completes is released at the end.
    const { pieces, s } = streamAll(tok.encode("ends with STO", { addSpecialTokens: false }), ["STOP"]);
    expect(s.stopped).toBe(false);
    expect(pieces.join("")).toBe("ends with STO");
  });

  it("drops special tokens from the text", () => {
    const ids = [...tok.encode("hi", { addSpecialTokens: false }), 1, ...tok.encode(" there", { addSpecialTokens: false })];
    expect(streamAll(ids, []).pieces.join("")).toBe("hi there");
  });
});

describe(`KV cache and logprob helpers (seed ${seed})`, () => {
  const rng = new Rng(seed);
  it("compactCache keeps the chosen rows and drops leading all-padding columns", () => {
    const [B, H, T, D] = [4, 2, 6, 3];
    const t = () => new ort.Tensor("float32", rng.f32(B * H * T * D), [B, H, T, D]);
    const past: PastKV = {
      keys: [t(), t()],
      values: [t(), t()],
      attentionMask: [
        [0, 0, 0, 1, 1, 1],
        [0, 0, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 1, 1],
      ],
    };
    const c = compactCache(past, [3, 0]);
    expect(c.attentionMask).toEqual([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    const at = (x: ort.Tensor, b: number, h: number, s: number, d: number) => (x.data as Float32Array)[((b * x.dims[1]! + h) * x.dims[2]! + s) * D + d];
    expect(c.keys[1]!.dims).toEqual([2, H, 3, D]);
    for (const [i, b] of [3, 0].entries())
      for (let h = 0; h < H; h++)
        for (let s = 0; s < 3; s++)
          for (let d = 0; d < D; d++) {
            expect(at(c.keys[1]!, i, h, s, d)).toBe(at(past.keys[1]!, b, h, s + 3, d));
            expect(at(c.values[0]!, i, h, s, d)).toBe(at(past.values[0]!, b, h, s + 3, d));
          }
    expect(compactCache(past, [0, 1, 2, 3])).toBe(past); // nothing to drop: no copy
  });

  it("topLogprobs returns the n largest in order with log-softmax values (1e-12 vs float64)", () => {
    const row = rng.f32(500, 3);
    row[17] = row[99] = 50; // a tie: the lower id first
    const lse = logSumExp(row);
    const ref = logSoftmax64(row);
    const top = topLogprobs(row, lse, 7);
    const order = Array.from(ref.keys()).sort((a, b) => ref[b]! - ref[a]! || a - b).slice(0, 7);
    expect(top.map((t) => t.id)).toEqual(order);
    expect(top[0]!.id).toBe(17);
    for (const t of top) expect(Math.abs(t.logprob - ref[t.id]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref[t.id]!)));
    expect(topLogprobs(row, lse, 0)).toEqual([]);
  });
});

describe("BatchQueue", () => {
  it("batches concurrent submits up to maxBatch, answers each exactly once in order, and isolates a failing batch", async () => {
    const seen: string[][] = [];
    const q = new BatchQueue<"a" | "b", string, string>(
      async (kind, jobs) => {
        seen.push(jobs.map((j) => `${kind}:${j}`));
        if (jobs.includes("boom")) throw new Error("batch failed");
        return jobs.map((j) => j.toUpperCase());
      },
      { maxBatch: 3, windowMs: 5 },
    );
    const calls = Array.from({ length: 7 }, (_, i) => q.submit("a", [`x${i}`]));
    const other = q.submit("b", ["y"]);
    const multi = q.submit("a", ["p", "q"]);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 7 }, (_, i) => [`X${i}`]));
    expect(await other).toEqual(["Y"]);
    expect(await multi).toEqual(["P", "Q"]);
    expect(q.batchSizes.every((n) => n <= 3)).toBe(true);
    expect(seen.flat().sort()).toEqual([...Array.from({ length: 7 }, (_, i) => `a:x${i}`), "a:p", "a:q", "b:y"].sort());
    expect(seen.every((b) => new Set(b.map((x) => x[0])).size === 1)).toBe(true); // one kind per batch
    expect(seen[0]).toEqual(["a:x0", "a:x1", "a:x2"]);
    const bad = q.submit("a", ["boom"]);
    await expect(bad).rejects.toThrow("batch failed");
    expect(await q.submit("a", ["ok"])).toEqual(["OK"]); // the queue carries on
    await q.close();
    await expect(q.submit("a", ["late"])).rejects.toThrow(/closed/);
  });
});

describe(`chunked prefill and scoring on a random tiny model (seed ${seed})`, () => {
  let s: OnnxSession;
  const V = 2048;
  const rng = new Rng(seed + 1);
  beforeAll(async () => {
    const ck = tinyCheckpoint(seed);
    exportOnnx(ck.dir, `${ck.dir}/onnx`);
    s = await openSession(`${ck.dir}/onnx`, { device: "cpu" });
  });
  afterAll(async () => {
    await s?.session.release();
  });

  it("scores equal with a logits budget of a few positions and with one pass, and match runLogits in float64", async () => {
    const rows = [20, 7, 13].map((n, i) => ({ ids: Array.from({ length: n }, () => 4 + rng.int(V - 4)), from: 1 + i }));
    const one = await scoreRows(s, rows, { maxBatch: 8, topN: 3 });
    const chunked = await scoreRows(s, rows, { maxBatch: 2, topN: 3, logitsBudgetBytes: 3 * 2 * V * 4 });
    for (const [i, r] of rows.entries()) {
      expect(one[i]!.logprobs.length).toBe(r.ids.length - r.from);
      expect(relErr(chunked[i]!.logprobs, one[i]!.logprobs)).toBeLessThan(1e-4);
      expect(chunked[i]!.top!.map((t) => t.map((x) => x.id))).toEqual(one[i]!.top!.map((t) => t.map((x) => x.id)));
      const direct = (await runLogits(s, [r.ids])).logits;
      const ref = r.ids.slice(r.from).map((id, k) => logSoftmax64(direct.subarray((r.from + k - 1) * V, (r.from + k) * V))[id]!);
      expect(relErr(one[i]!.logprobs, ref)).toBeLessThan(1e-4);
    }
  });

  it("generation with a chunked prefill equals one-shot prefill; logprobs are the chosen tokens' log-softmax", async () => {
    const prompts = [30, 9].map((n) => Array.from({ length: n }, () => 4 + rng.int(V - 4)));
    const jobs = prompts.map((p) => ({ promptIds: p, sampling: resolveSampling({ maxTokens: 6 }, "t"), logprobs: 2 }));
    const ctx = { session: s, tokenizer: tok, contextLength: 1024, stopIds: [], padId: 3 };
    const a = await generateBatch(ctx, jobs);
    const b = await generateBatch({ ...ctx, logitsBudgetBytes: 4 * 2 * V * 4 }, jobs);
    expect(b.map((o) => o.tokenIds)).toEqual(a.map((o) => o.tokenIds));
    for (const [i, o] of a.entries()) {
      expect(o.tokenIds.length).toBe(6);
      expect(o.finishReason).toBe("length");
      const ids = [...prompts[i]!];
      for (const [k, t] of o.tokenIds.entries()) {
        const l = (await runLogits(s, [ids])).logits;
        const ref = logSoftmax64(l.subarray((ids.length - 1) * V, ids.length * V));
        expect(Math.abs(o.logprobs![k]!.logprob - ref[t]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[t]!)));
        expect(o.logprobs![k]!.top[0]!.id).toBe(t); // greedy: the chosen token is the top one
        ids.push(t);
      }
    }
  });
});

// The in-place KV cache of GroupQueryAttention graphs (src/infer/session.ts
// toInPlaceCache): ONNX Runtime's kernel writes each step's keys and values
// into the buffers it reads (present bound to past), so a decoding step copies
// no cache. Checked bit for bit against the copying path (present = past + new)
// on a random tiny model: a left-padded batch, a row dropped mid-way
// (compactCache), the buffers reused across steps, and the errors.
import { beforeAll, describe, expect, it } from "vitest";
import { exportOnnx } from "../src/infer/export-onnx.js";
import { generateBatch } from "../src/infer/generate.js";
import { compactCache } from "../src/infer/kv-cache.js";
import { resolveSampling } from "../src/infer/sampling.js";
import { openSession, runLogits, supportsInPlaceCache, toInPlaceCache, type OnnxSession, type PastKV } from "../src/infer/session.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { Rng, freshSeed } from "./reference/random.js";
import { tinyCheckpoint, tinyTokenizerDir } from "./reference/tiny-checkpoint.js";

const seed = freshSeed();

describe(`in-place KV cache (seed ${seed})`, () => {
  let fused: OnnxSession, plain: OnnxSession;
  beforeAll(async () => {
    // head_dim 32 (a multiple of 8): the fused export uses GroupQueryAttention.
    const ck = tinyCheckpoint(seed, { head_dim: 32 });
    exportOnnx(ck.dir, `${ck.dir}/onnx-fused`, { ops: "fused" });
    exportOnnx(ck.dir, `${ck.dir}/onnx-plain`, { ops: "plain" });
    fused = await openSession(`${ck.dir}/onnx-fused`, { device: "cpu" });
    plain = await openSession(`${ck.dir}/onnx-plain`, { device: "cpu" });
  }, 120_000);

  it("is offered for GroupQueryAttention fp32 graphs on the CPU only", () => {
    expect(fused.info.attention).toBe("GroupQueryAttention");
    expect(supportsInPlaceCache(fused)).toBe(true);
    expect(supportsInPlaceCache(plain)).toBe(false);
    expect(() => toInPlaceCache(plain, { keys: [], values: [], attentionMask: [[1]] }, 4)).toThrow(/cannot keep its cache in place/);
  });

  it("decodes bit-identically to the copying cache, padding and a dropped row included, reusing its buffers", async () => {
    const rng = new Rng(seed);
    const V = fused.info.vocab_size;
    const tok = () => Math.floor(rng.next() * (V - 1)) + 1;
    // Three prompts of 5, 3 and 7 tokens, left-padded to 7.
    const lens = [5, 3, 7], P = 7;
    const ids = lens.map((n) => [...Array<number>(P - n).fill(0), ...Array.from({ length: n }, tok)]);
    const mask = lens.map((n) => [...Array<number>(P - n).fill(0), ...Array<number>(n).fill(1)]);
    const pre = await runLogits(fused, ids, undefined, mask);
    let copying: PastKV = pre.presents;
    let inPlace = toInPlaceCache(fused, pre.presents, P + 8);
    const buffers = inPlace.keys[0]!.data;
    let rows = [0, 1, 2];
    for (let step = 0; step < 8; step++) {
      if (step === 3) {
        rows = [0, 2]; // row 1 finishes
        copying = compactCache(copying, [0, 2]);
        inPlace = compactCache(inPlace, [0, 2]);
        expect(inPlace.inPlace).toBe(true);
      }
      const next = rows.map(() => [tok()]);
      const a = await runLogits(fused, next, copying);
      const b = await runLogits(fused, next, inPlace);
      expect(b.logits, `step ${step}`).toEqual(a.logits);
      copying = a.presents;
      inPlace = b.presents;
      expect(inPlace.keys[0]!.dims[2]).toBe(P + 8); // the capacity, not the length so far
      if (step < 3) expect(inPlace.keys[0]!.data).toBe(buffers); // the same memory, written in place
    }
    expect(inPlace.attentionMask).toEqual(copying.attentionMask);
  });

  it("refuses a step past its capacity, naming it", async () => {
    const pre = await runLogits(fused, [[3, 4, 5]]);
    const past = toInPlaceCache(fused, pre.presents, 4);
    const one = await runLogits(fused, [[6]], past);
    await expect(runLogits(fused, [[7]], one.presents)).rejects.toThrow(/holds 4 positions; this call needs 5/);
    expect(() => toInPlaceCache(fused, pre.presents, 2)).toThrow(/capacity 2 is below the 3 positions/);
  });

  it("generation through it gives the same tokens and text as through the copying cache, logprobs within 1e-4", async () => {
    const tokz = Tokenizer.fromDir(tinyTokenizerDir);
    const ctx = (inPlaceCache: boolean) => ({ session: fused, tokenizer: tokz, contextLength: 256, stopIds: [], padId: 0, inPlaceCache });
    // Rows of different lengths and budgets, so rows finish at different steps and the batch shrinks.
    const jobs = ["the cow", "a river city market", "hi"].map((p, i) => ({
      promptIds: tokz.encode(p, { addSpecialTokens: false }),
      sampling: resolveSampling({ maxTokens: 6 + 3 * i, temperature: 0.8, seed: seed + i }),
      logprobs: 2,
    }));
    const a = await generateBatch(ctx(true), jobs);
    const b = await generateBatch(ctx(false), jobs);
    expect(a.map((o) => [o.tokenIds, o.text, o.finishReason])).toEqual(b.map((o) => [o.tokenIds, o.text, o.finishReason]));
    expect(a.map((o) => o.tokenIds.length)).toEqual([6, 9, 12]);
    // Not bitwise here: when a row leaves, the copying cache also drops leading columns that are padding in every
    // remaining row, while the in-place one keeps them (masked), so the kernel's softmax sums run over a different
    // number of exact zeros: differences up to ~1e-5 (measured 1e-6 to 8e-6), inside 1e-4.
    for (let i = 0; i < jobs.length; i++)
      for (let t = 0; t < a[i]!.logprobs!.length; t++) {
        expect(Math.abs(a[i]!.logprobs![t]!.logprob - b[i]!.logprobs![t]!.logprob), `row ${i} token ${t}`).toBeLessThan(1e-4);
        expect(a[i]!.logprobs![t]!.top.map((x) => x.id)).toEqual(b[i]!.logprobs![t]!.top.map((x) => x.id));
      }
  });
});

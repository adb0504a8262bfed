// Capability: multiple choice with lm-evaluation-harness's acc / acc_norm semantics on crafted log-likelihoods,
// answer formats, bad records, and perplexity checked against a model whose log-likelihood is known exactly.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answerIndex, argmax, chunkText, loadMcItems, perplexity, runCapability } from "../src/evals/capability.js";
import { BUILTIN_DATA_DIR } from "../src/evals/builtin-data.js";
import type { LanguageModel, LoglikelihoodRequest, LoglikelihoodResult } from "../src/infer/language-model.js";
import { Rng, freshSeed } from "./reference/random.js";

/** Log-likelihoods from a table keyed by continuation; every byte counts as one token. */
function tableModel(table: Record<string, number>, seen: LoglikelihoodRequest[] = []): LanguageModel {
  return {
    name: "table",
    async loglikelihood(reqs) {
      seen.push(...reqs);
      return reqs.map((r): LoglikelihoodResult => {
        const lp = table[r.continuation];
        if (lp === undefined) throw new Error(`no entry for ${JSON.stringify(r.continuation)}`);
        const bytes = Buffer.byteLength(r.continuation);
        return { logprob: lp, tokens: bytes, bytes, isGreedy: false };
      });
    },
    async chat() {
      throw new Error("not used");
    },
    async complete() {
      throw new Error("not used");
    },
    async close() {},
  };
}

describe("multiple choice", () => {
  it("acc takes the highest summed log-likelihood, acc_norm the highest per byte; ties go to the first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-cap-"));
    const f = join(dir, "mc.jsonl");
    writeFileSync(
      f,
      [
        { question: "q1", choices: ["a", "bbbbbbbbbbbb"], answer: 1 }, // " a": -2 (-1/byte); " bbb…": -6 over 13 bytes (-0.46/byte)
        { question: "q2", choices: ["cc", "dd", "ee"], answer: "B" }, // " cc" -3, " dd" -3, " ee" -4: tie -> first (wrong under both)
        { question: "q3", choices: ["yes", "no"], answer: "yes" }, // " yes" -1 (-0.25/byte), " no" -2 (-0.67/byte)
      ]
        .map((x) => JSON.stringify(x))
        .join("\n"),
    );
    const seen: LoglikelihoodRequest[] = [];
    const m = tableModel({ " a": -2, " bbbbbbbbbbbb": -6, " cc": -3, " dd": -3, " ee": -4, " yes": -1, " no": -2 }, seen);
    const r = await runCapability(m, { mc: [f], text: null, seed: 1 });
    expect(r.items.map((i) => [i.gold, i.predAcc, i.predAccNorm])).toEqual([[1, 0, 1], [1, 0, 0], [0, 0, 0]]);
    expect(r.acc.score).toBeCloseTo(1 / 3, 12);
    expect(r.accNorm.score).toBeCloseTo(2 / 3, 12);
    expect(r.score).toBe(r.accNorm.score);
    expect(r.perSet.mc!.acc.n).toBe(3);
    expect(r.perplexity).toBeUndefined();
    expect(seen[0]).toEqual({ context: "Question: q1\nAnswer:", continuation: " a" });
    expect(argmax([1, 3, 3])).toBe(1);
  });

  it("accepts index, letter or text answers and names a bad record's line and field", () => {
    expect(answerIndex({ choices: ["x", "y", "z"], answer: 2 })).toBe(2);
    expect(answerIndex({ choices: ["x", "y", "z"], answer: "C" })).toBe(2);
    expect(answerIndex({ choices: ["x", "y", "z"], answer: "y" })).toBe(1);
    expect(answerIndex({ choices: ["x", "y"], answer: 2 })).toBeNull();
    expect(answerIndex({ choices: ["x", "y"], answer: "D" })).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), "mt-cap-"));
    const f = join(dir, "bad.jsonl");
    writeFileSync(f, '{"question":"q","choices":["a","b"],"answer":0}\n{"question":"q","choices":["a","b"],"answer":5}\n');
    expect(() => loadMcItems(f)).toThrow(/bad\.jsonl:2: field 'answer': must be a 0-based index below 2/);
    writeFileSync(f, '{"question":"q","choices":["a"],"answer":0}\n');
    expect(() => loadMcItems(f)).toThrow(/bad\.jsonl:1: field 'choices'/);
    const builtin = loadMcItems(join(BUILTIN_DATA_DIR, "capability-mc.jsonl"));
    expect(builtin.length).toBeGreaterThanOrEqual(50);
    // gold answers spread over positions, so a position bias cannot score well
    for (let k = 0; k < 4; k++) expect(builtin.filter((b) => b.gold === k).length).toBeGreaterThanOrEqual(10);
  });
});

describe("perplexity", () => {
  it("scores every byte of the text exactly once and matches a known per-byte probability", async () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    // A model with log p = -ln(256) per byte: perplexity per byte-token 256, exactly 8 bits per byte.
    const seen: LoglikelihoodRequest[] = [];
    const m: LanguageModel = {
      ...tableModel({}),
      async loglikelihood(reqs) {
        seen.push(...reqs);
        return reqs.map((r) => {
          const b = Buffer.byteLength(r.continuation);
          return { logprob: -b * Math.log(256), tokens: b, bytes: b, isGreedy: false };
        });
      },
    };
    const words = Array.from({ length: 400 }, () => "abcdefghij".slice(0, 1 + rng.int(10)));
    const text = words.map((w, i) => (i % 37 === 36 ? w + "\n\n" : w + " ")).join("") + "é end";
    const f = join(mkdtempSync(join(tmpdir(), "mt-ppl-")), "t.txt");
    writeFileSync(f, text);
    const r = await perplexity(m, f, { chunkChars: 97 });
    expect(seen.map((s) => s.continuation).join(""), `seed ${seed}`).toBe(text);
    for (const s of seen) expect(s.continuation.length).toBeLessThanOrEqual(97);
    // each piece is conditioned on the text just before it (up to chunkChars of it)
    let pos = 0;
    for (const s of seen) {
      expect(s.context).toBe(text.slice(Math.max(0, pos - 97), pos));
      pos += s.continuation.length;
    }
    expect(r.bytes).toBe(Buffer.byteLength(text));
    expect(r.bitsPerByte).toBeCloseTo(8, 10);
    expect(r.tokenPerplexity).toBeCloseTo(256, 8);
    expect(Math.log(r.wordPerplexity)).toBeCloseTo((r.bytes * Math.log(256)) / r.words, 10);
    expect(chunkText("aaaa bbbb cccc", 6)).toEqual(["aaaa", " bbbb", " cccc"]);
    expect(readFileSync(join(BUILTIN_DATA_DIR, "capability-text.txt"), "utf8").length).toBeGreaterThan(2000);
  });
});

// Examples and packing, token by token. Fake tokenizer (test/fixtures/data/fake-tokenizer.ts): 'a'..'z' =
// 1..26, EOS = 30; chat messages are [header, ...content, END] with system 40, user 41, assistant 42, END 43.
// Padding uses PAD = 0 here so it stands out from EOS. X = -100 (no label).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadExamples, toExample } from "../src/data/examples.js";
import { packExamples, planPacking } from "../src/data/packing.js";
import { ExamplePool, type Example } from "../src/data/pool.js";
import type { DataRecord } from "../src/data/records.js";
import { fakeTokenizer } from "./fixtures/data/fake-tokenizer.js";

const X = -100;
const PAD = 0;
const fx = (name: string) => path.join(import.meta.dirname, "fixtures", "data", name);
const tmp = mkdtempSync(path.join(tmpdir(), "midtrain-data-packing-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const src = { file: "t.jsonl", line: 1 };
const doc = (text: string): Example => toExample({ kind: "text", text, metadata: {}, source: src }, fakeTokenizer);
const toks = (ids: number[], labels?: number[]): Example => {
  const r: DataRecord = { kind: "tokens", inputIds: ids, metadata: {}, source: src };
  if (labels) r.labels = labels;
  return toExample(r, fakeTokenizer);
};

/** Rows as plain arrays, one inner array per row, for literal comparison. */
function rows(p: { rows: number; seqLen: number; inputIds: Int32Array; labels: Int32Array; segmentIds: Int32Array; positions: Int32Array }) {
  const split = (a: Int32Array) => Array.from({ length: p.rows }, (_, r) => Array.from(a.subarray(r * p.seqLen, (r + 1) * p.seqLen)));
  return { ids: split(p.inputIds), labels: split(p.labels), seg: split(p.segmentIds), pos: split(p.positions) };
}

describe("examples", () => {
  it("documents: encode(text) + EOS, all targets", () => {
    const e = doc("abc");
    expect(Array.from(e.ids)).toEqual([1, 2, 3, 30]);
    expect(Array.from(e.targetMask)).toEqual([1, 1, 1, 1]);
  });

  it("chat: the chat encoding, targets = assistant content and its end-of-turn token", async () => {
    const pool = await loadExamples([fx("chat.jsonl")], fakeTokenizer);
    const e = pool.get(0); // system "a", user "bc", assistant "de"
    expect(Array.from(e.ids)).toEqual([40, 1, 43, 41, 2, 3, 43, 42, 4, 5, 43]);
    expect(Array.from(e.targetMask)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const f = pool.get(1); // user "f", assistant "g", user "h", assistant "i"
    expect(Array.from(f.ids)).toEqual([41, 6, 43, 42, 7, 43, 41, 8, 43, 42, 9, 43]);
    expect(Array.from(f.targetMask)).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1]);
  });

  it("tokens: verbatim, targets where labels != -100 (or all)", async () => {
    const pool = await loadExamples([fx("tokens.jsonl")], fakeTokenizer);
    expect(Array.from(pool.get(0).ids)).toEqual([5, 6, 7, 8, 9]);
    expect(Array.from(pool.get(0).targetMask)).toEqual([0, 0, 1, 1, 0]);
    expect(Array.from(pool.get(1).targetMask)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(pool.source(1)).toEqual({ file: fx("tokens.jsonl"), line: 2 });
  });

  it("Alpaca: user = instruction + blank line + input, assistant = output", async () => {
    const pool = await loadExamples([fx("alpaca.jsonl")], fakeTokenizer);
    expect(Array.from(pool.get(0).ids)).toEqual([41, 1, 2, 28, 28, 3, 43, 42, 4, 43]);
    expect(Array.from(pool.get(0).targetMask)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(pool.get(1).ids)).toEqual([41, 5, 43, 42, 6, 43]); // empty input: no blank line
  });
});

describe("packing", () => {
  it("two documents in one row, then padding in its own segment", () => {
    const p = packExamples([doc("ab"), doc("cde")], { seqLen: 8, padId: PAD });
    expect(rows(p)).toEqual({
      ids: [[1, 2, 30, 3, 4, 5, 30, PAD]],
      labels: [[2, 30, X, 4, 5, 30, X, X]],
      seg: [[0, 0, 0, 1, 1, 1, 1, 2]],
      pos: [[0, 1, 2, 0, 1, 2, 3, 0]],
    });
    expect(Array.from(p.plan.rowSamples)).toEqual([2]);
    expect(Array.from(p.plan.rowTokens)).toEqual([7]);
  });

  it("a document longer than T is split into T-token pieces; nothing is predicted across the cut", () => {
    // "abcdef" = [1..6, 30] (7 tokens) -> [1,2,3,4,5] | [6,30]; "gh" = [7,8,30] fits after the second piece.
    const p = packExamples([doc("abcdef"), doc("gh")], { seqLen: 5, padId: PAD });
    expect(rows(p)).toEqual({
      ids: [
        [1, 2, 3, 4, 5],
        [6, 30, 7, 8, 30],
      ],
      labels: [
        [2, 3, 4, 5, X],
        [30, X, 8, 30, X],
      ],
      seg: [
        [0, 0, 0, 0, 0],
        [0, 0, 1, 1, 1],
      ],
      pos: [
        [0, 1, 2, 3, 4],
        [0, 1, 0, 1, 2],
      ],
    });
    // Each example counts once, in the row holding its last token.
    expect(Array.from(p.plan.rowSamples)).toEqual([0, 2]);
  });

  it("longExamples 'error' refuses an over-long example, naming its file and line", async () => {
    const f = path.join(tmp, "long.jsonl");
    writeFileSync(f, '{"text": "ab"}\n{"text": "abcdef"}\n');
    const pool = await loadExamples([f], fakeTokenizer);
    expect(() => planPacking(pool, { seqLen: 5, longExamples: "error" })).toThrow(
      `${f}:2: the example has 7 tokens, more than --seq-len 5 (use --long-examples split to cut it into 5-token pieces)`,
    );
    expect(planPacking(pool, { seqLen: 5 }).rows).toBe(2); // split by default: never dropped
  });

  it("chat with system, user and assistant turns: only assistant tokens are targets", async () => {
    const pool = await loadExamples([fx("chat.jsonl")], fakeTokenizer);
    const p = packExamples([pool.get(0)], { seqLen: 12, padId: PAD });
    // [40 a END][41 b c END][42 d e END]: labels at t predict ids[t+1] only where t+1 is assistant content/END.
    expect(rows(p)).toEqual({
      ids: [[40, 1, 43, 41, 2, 3, 43, 42, 4, 5, 43, PAD]],
      labels: [[X, X, X, X, X, X, X, 4, 5, 43, X, X]],
      seg: [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
      pos: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]],
    });
    // Two assistant turns: the user turn between them is not a target.
    const q = packExamples([pool.get(1)], { seqLen: 12, padId: PAD });
    expect(rows(q).labels).toEqual([[X, X, X, 7, 43, X, X, X, X, 9, 43, X]]);
  });

  it("a pre-tokenized record with -100 labels in places", () => {
    const p = packExamples([toks([5, 6, 7, 8, 9], [X, X, 7, 8, X])], { seqLen: 6, padId: PAD });
    expect(rows(p)).toEqual({
      ids: [[5, 6, 7, 8, 9, PAD]],
      labels: [[X, 7, 8, X, X, X]],
      seg: [[0, 0, 0, 0, 0, 1]],
      pos: [[0, 1, 2, 3, 4, 0]],
    });
  });

  it("a record exactly T long fills one row by itself; first-fit puts later examples in earlier rows", () => {
    const p = packExamples([toks([1, 2]), toks([1, 2, 3, 4, 5, 6]), toks([7])], { seqLen: 6, padId: PAD });
    expect(rows(p)).toEqual({
      ids: [
        [1, 2, 7, PAD, PAD, PAD],
        [1, 2, 3, 4, 5, 6],
      ],
      labels: [
        [2, X, X, X, X, X],
        [2, 3, 4, 5, 6, X],
      ],
      seg: [
        [0, 0, 1, 2, 2, 2],
        [0, 0, 0, 0, 0, 0],
      ],
      pos: [
        [0, 1, 0, 0, 1, 2],
        [0, 1, 2, 3, 4, 5],
      ],
    });
  });

  it("first-fit: each example goes to the lowest row with room, in input order", () => {
    // Lengths 4, 5, 2, 1, 3 with T = 5: row 0 = [4, 1], row 1 = [5], row 2 = [2, 3].
    const ex = [[1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11], [12], [13, 14, 15]].map((ids) => toks(ids));
    const p = packExamples(ex, { seqLen: 5, padId: PAD });
    expect(rows(p).ids).toEqual([
      [1, 2, 3, 4, 12],
      [5, 6, 7, 8, 9],
      [10, 11, 13, 14, 15],
    ]);
    expect(rows(p).seg).toEqual([
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
      [0, 0, 1, 1, 1],
    ]);
    expect(Array.from(p.plan.rowSamples)).toEqual([2, 1, 2]);
  });

  it("a pool subset packs only those examples", () => {
    const pool = ExamplePool.from([toks([1, 2]), toks([3, 4]), toks([5, 6])]);
    const plan = planPacking(pool, { seqLen: 4 }, Int32Array.from([0, 2]));
    expect(Array.from(plan.pieceExample)).toEqual([0, 2]);
    expect(plan.rows).toBe(1);
  });
});

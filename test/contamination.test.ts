// `midtrain synth check`: Jaccard, exact 13-gram hits and nearest neighbours, checked against hand counts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { genericDocuments } from "../src/synth/generic-text.js";
import { overlap } from "../src/synth/contamination.js";

describe("overlap", () => {
  it("computes Jaccard of word sets exactly as by hand", () => {
    // item {a b c d}; doc0 {a b x} -> 2/5; doc1 {c d e f g h} -> 2/8; doc2 {z} -> 0
    const r = overlap(["A b, x.", "c d e f g h", "z"], ["a b c d"], { n: 1, exactN: 13, neighbours: 2 });
    expect(r.per_item[0]!.max_jaccard).toBeCloseTo(0.4, 12);
    expect(r.per_item[0]!.nearest.map((x) => x.doc)).toEqual([0, 1]);
    expect(r.mean_jaccard).toBeCloseTo((0.4 + 0.25 + 0) / 3, 12);
    expect(r.mean_nearest_jaccard).toBeCloseTo(0.4, 12);
    // bigrams: item {ab bc cd}, doc0 {ab bx} -> 1/4
    expect(overlap(["a b x"], ["a b c d"], { n: 2, exactN: 13, neighbours: 1 }).max_jaccard).toBeCloseTo(0.25, 12);
  });
  it("finds exact 13-gram hits only where 13 consecutive words match", () => {
    const phrase = "one two three four five six seven eight nine ten eleven twelve thirteen";
    const doc = `prefix words ${phrase} suffix`;
    expect(overlap([doc], [`an item quoting ${phrase}`], { n: 1, exactN: 13, neighbours: 1 }).items_with_exact_hits).toBe(1);
    const twelve = phrase.split(" ").slice(0, 12).join(" ");
    expect(overlap([doc], [`${twelve} but not the last`], { n: 1, exactN: 13, neighbours: 1 }).items_with_exact_hits).toBe(0);
  });
});

describe("midtrain synth check", () => {
  const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), "midtrain-check-"));
  const corpus = join(dir, "docs.jsonl");
  writeFileSync(corpus, [...genericDocuments(11, 300)].map((t) => JSON.stringify({ text: t })).join("\n") + "\n");
  it("reports overlap of the generic corpus with unrelated evaluation-style items, and fails above --max-jaccard", () => {
    const items = join(dir, "items.json");
    writeFileSync(items, JSON.stringify([{ question: "Should a farm reduce the suffering of the creatures it raises?" }, { question: "Is it wrong to harm a being that can feel pain?" }]));
    const r = run("synth", "check", "--corpus", corpus, "--against", items, "--json");
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.items).toBe(2);
    expect(o.corpus_docs).toBe(300);
    expect(o.max_jaccard).toBeLessThan(0.2);
    expect(o.items_with_exact_hits).toBe(0);
    const fail = run("synth", "check", "--corpus", corpus, "--against", items, "--max-jaccard", "0.0001");
    expect(fail.status).not.toBe(0);
    expect(fail.stderr).toMatch(/contamination: item \d has Jaccard 0\.\d+ with document \d+ \(above --max-jaccard 0\.0001\)/);
  });
  it("names the file and line of a bad record", () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"text": "ok"}\n{"nope": 1}\n');
    const r = run("synth", "check", "--corpus", bad, "--against", corpus);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.jsonl:2: expected a "text"/);
  });
});

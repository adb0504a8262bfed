// Offline value Q&A (the instruction-tuning baseline): deterministic, varied (no question or sentence frame
// dominates), covering every ANIMA dimension, numerically right where it computes, and loadable as SFT data.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDataset } from "../src/data/records.js";
import { ANIMA_DIMENSIONS } from "../src/synth/anima-dimensions.js";
import { GROUP_EVIDENCE, SPECIES } from "../src/synth/species-facts.js";
import { valueQa, valueQas } from "../src/synth/value-qa.js";
import { VALUE_POOLS } from "../src/synth/value-docs.js";
import { freshSeed } from "./reference/random.js";
import { framer, sentences } from "./reference/sentence-frames.js";

const N = 3000;
const num = (s: string) => Number(s.replace(/,/g, ""));
describe("offline value Q&A", () => {
  const pairs = [...valueQas(11, N)];

  it("is deterministic by (seed, index); seeds differ", () => {
    const seed = freshSeed();
    const a = [...valueQas(seed, 40)];
    expect([...valueQas(seed, 40)]).toEqual(a);
    for (const p of a) expect(valueQa(seed, p.index).messages).toEqual(p.messages);
    expect([...valueQas(seed + 1, 40)].map((p) => p.messages)).not.toEqual(a.map((p) => p.messages));
    expect(new Set(pairs.map((p) => p.messages[0].content)).size).toBe(N);
  });

  it("no question frame or answer sentence frame dominates (seeds 11 and 5)", () => {
    const frame = framer();
    for (const data of [pairs, [...valueQas(5, N)]]) {
      const frames = new Map<string, number>();
      const sents = new Map<string, number>();
      for (const p of data) {
        frames.set(p.question_frame, (frames.get(p.question_frame) ?? 0) + 1);
        for (const s of new Set(sentences(p.messages[1].content).map(frame))) sents.set(s, (sents.get(s) ?? 0) + 1);
      }
      expect(frames.size).toBeGreaterThanOrEqual(45);
      expect(Math.max(...frames.values()) / N).toBeLessThan(0.05);
      const [top, n] = [...sents].reduce((x, y) => (y[1] > x[1] ? y : x));
      expect(n / N, top).toBeLessThan(0.025);
      expect(new Set(data.map((p) => p.messages[1].content)).size / N).toBeGreaterThan(0.95);
    }
  });

  it("covers every ANIMA dimension and the shared species pool", () => {
    const dims = new Map<string, number>();
    for (const p of pairs) dims.set(p.dimension, (dims.get(p.dimension) ?? 0) + 1);
    expect([...dims.keys()].sort()).toEqual([...ANIMA_DIMENSIONS].sort());
    for (const [d, n] of dims) expect(n, d).toBeGreaterThan(N / ANIMA_DIMENSIONS.length / 2);
    const species = new Set(pairs.filter((p) => p.dimension !== "Novel Entity Precaution").map((p) => p.subject));
    expect([...species].every((s) => VALUE_POOLS.species.includes(s))).toBe(true);
    expect(species.size).toBe(VALUE_POOLS.species.length);
    expect(new Set(pairs.filter((p) => p.dimension === "Novel Entity Precaution").map((p) => p.subject)).size).toBeGreaterThanOrEqual(10);
  });

  it("answers treat welfare as mattering, except control questions, which answer plainly", () => {
    // A lexicon of welfare talk: nearly every value answer uses it; a control answer never should.
    const welfare = /suffer|pain|welfare|stress|distress|harm|fear|feel|sentien|wellbeing|humane|gentl|injur|hurt|kind|calm|frighten|kill|die|death|lives|comfort|enrich|wildlife|protect|matter|experience|interests|crush|precaution|caution|spare|safe/i;
    const rate = new Map<string, [number, number]>();
    for (const p of pairs) {
      const a = p.messages[1].content;
      const [hit, all] = rate.get(p.dimension) ?? [0, 0];
      rate.set(p.dimension, [hit + (welfare.test(a) ? 1 : 0), all + 1]);
      // no lecturing tone, no assistant boilerplate
      expect(a).not.toMatch(/you should be ashamed|as an ai|it is morally wrong|how dare|shame on/i);
      if (p.dimension !== "Control Questions") expect(a).not.toContain("!");
    }
    for (const [d, [hit, all]] of rate) {
      if (d === "Control Questions") expect(hit, d).toBe(0);
      else expect(hit / all, d).toBeGreaterThan(0.85);
    }
  });

  it("computes what it states: scope totals, evidence comparisons and taxonomy agree with their inputs", () => {
    let scope = 0, cmp = 0, kind = 0;
    for (const p of pairs) {
      const [q, a] = [p.messages[0].content, p.messages[1].content];
      let m: RegExpMatchArray | null, k: RegExpMatchArray | null;
      if ((m = /about ([\d,]+) .+ a year\. Would sparing each one about (\d+) minutes/.exec(q))) {
        expect(a).toMatch(new RegExp(` ${Math.round((num(m[1]!) * Number(m[2])) / 60).toLocaleString("en-US")} hours of distress`));
        scope++;
      } else if ((m = /each of our ([\d,]+) .+ about (\d+) hours? of stress/.exec(q))) {
        expect(a).toMatch(new RegExp(` ${(num(m[1]!) * Number(m[2])).toLocaleString("en-US")} (animal-)?hours of stress`));
        scope++;
      } else if ((m = /help ([\d,]+) .+ a lot, or ([\d,]+) a little/.exec(q)) && (k = /about (\d+) hours of suffering.* that is ([\d,]+) hours against ([\d,]+) hours/.exec(a))) {
        expect(num(m[2]!)).toBe(100 * num(m[1]!));
        expect(num(k[2]!)).toBe(num(m[1]!) * Number(k[1]));
        expect(num(k[3]!)).toBe(num(m[2]!));
        scope++;
      }
      if ((m = /The evidence for (.+) is (about as strong as|stronger than|less complete than) it is for (\w+)\./.exec(a))) {
        const sp = SPECIES.find((s) => s.name === m![1])!;
        const rank = { strong: 2, substantial: 1, uncertain: 0 };
        const other = { dogs: "strong", chickens: "strong", fish: "substantial", insects: "uncertain" }[m[3]!] as keyof typeof rank;
        const d = rank[GROUP_EVIDENCE[sp.group].confidence] - rank[other];
        expect(m[2]).toBe(d === 0 ? "about as strong as" : d > 0 ? "stronger than" : "less complete than");
        cmp++;
      }
      if ((m = /What kind of animal is an? (.+)\?$/.exec(q))) {
        const sp = SPECIES.find((s) => s.singular === m![1])!;
        expect(a).toContain({ mammal: "mammal", bird: "bird", fish: "fish", decapod: "crustacean", cephalopod: "cephalopod", insect: "insect" }[sp.group]);
        kind++;
      }
    }
    expect(scope).toBeGreaterThan(100);
    expect(cmp).toBeGreaterThan(20);
    expect(kind).toBeGreaterThan(20);
  });

  it("midtrain synth sft --kind value --offline writes chat JSONL with provenance that the SFT loader reads", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "midtrain-vqa-")), "value.jsonl");
    const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
    const r = spawnSync(process.execPath, [cli, "synth", "sft", "--kind", "value", "--offline", "--count", "40", "--out", out, "--seed", "4"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(40);
    expect(lines[0].provenance).toMatchObject({ generator: "midtrain-offline-qa-v1", seed: 4, index: 0 });
    expect(lines[0].messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
    expect(lines.map((l) => l.messages)).toEqual([...valueQas(4, 40)].map((p) => p.messages));
    expect(ANIMA_DIMENSIONS).toContain(lines[0].dimension);
    const recs = [];
    for await (const rec of readDataset([out])) recs.push(rec);
    expect(recs).toHaveLength(40);
    expect(recs.every((x) => x.kind === "chat" && x.messages.length === 2)).toBe(true);
    const bad = spawnSync(process.execPath, [cli, "synth", "sft", "--kind", "value", "--count", "5", "--out", out], { encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--offline/);
  });
});

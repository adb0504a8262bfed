// Offline everyday value documents (src/synth/value-everyday.ts): deterministic, every genre and ANIMA dimension,
// no sentence frame in 2% of documents, a broad vocabulary, claims at the evidence's confidence, no lecturing, control
// documents free of the value, and no overlap with the judge-free probe items.
import { describe, expect, it } from "vitest";
import { ANIMA_DIMENSIONS } from "../src/synth/anima-dimensions.js";
import { overlap } from "../src/synth/contamination.js";
import { SPECIES } from "../src/synth/species-facts.js";
import { retell, VALUE_EVERYDAY_GENRES, valueEverydayDocument, valueEverydayDocuments } from "../src/synth/value-everyday.js";
import { loadProbeItems } from "../src/evals/probe.js";
import { freshSeed } from "./reference/random.js";

const N = 3000;
const words = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
const SEED = 11;

/** Documents with the frames each one used (sentence frames of the genres, scenario sentences, findings, hedges). */
function traced(seed: number, n: number) {
  return [...valueEverydayDocuments(seed, n)].map((d) => {
    const frames = new Set<string>();
    const again = valueEverydayDocument(seed, d.index, (f) => frames.add(f));
    expect(again.text).toBe(d.text); // tracing does not change the document
    return { ...d, frames };
  });
}

/** Sentences of three or more words; names, places and other capitalised words masked as X, numbers as 0, handles as X. */
function maskedSentences(text: string): string[] {
  return text
    .split("\n")
    .flatMap((l) => l.split(/(?<=[.?!])\s+(?=["A-Z0-9])/))
    .map((s) => s.replace(/^(?:\d+\. |- )/, ""))
    .filter((s) => s.split(" ").length >= 3)
    .map((s) =>
      s
        .replace(/\b\w*[_\d]\w*\b/g, (w) => (/^\d[\d,.]*$/.test(w) ? "0" : "X"))
        .replace(/\b[A-Z][\p{L}']*\b/gu, "X"),
    );
}

/** Share of documents that contain each key, highest first. */
function docShare(keysPerDoc: Iterable<string>[], nDocs: number): [string, number][] {
  const freq = new Map<string, number>();
  for (const ks of keysPerDoc) for (const k of new Set(ks)) freq.set(k, (freq.get(k) ?? 0) + 1);
  return [...freq].map(([k, v]) => [k, v / nDocs] as [string, number]).sort((a, b) => b[1] - a[1]);
}

describe("everyday value documents", () => {
  const docs = traced(SEED, N);

  it("are deterministic by (seed, index), and seeds differ", () => {
    const seed = freshSeed();
    expect([...valueEverydayDocuments(seed, 40)], `seed ${seed}`).toEqual([...valueEverydayDocuments(seed, 40)]);
    for (const d of docs.slice(0, 200)) expect(valueEverydayDocument(SEED, d.index)).toEqual({ text: d.text, doc_type: d.doc_type, species: d.species, dimension: d.dimension });
    const other = [...valueEverydayDocuments(SEED + 1, 200)].map((d) => d.text);
    expect(other.filter((t, i) => t === docs[i]!.text).length).toBeLessThan(5);
    expect(new Set(docs.map((d) => d.text)).size).toBe(N);
    expect(docs.map((d) => d.index)).toEqual([...docs.map((d) => d.index)].sort((a, b) => a - b));
    // bad arguments are refused by name, not turned into some other stream
    expect(() => valueEverydayDocument(1.5, 0)).toThrow(/seed must be a safe integer, got 1.5/);
    expect(() => valueEverydayDocument(1, -1)).toThrow(/index must be an integer/);
    expect(() => valueEverydayDocuments(1, 2.5).next()).toThrow(/count must be a non-negative integer, got 2.5/);
    expect([...valueEverydayDocuments(1, 0)]).toEqual([]);
  });

  it("cover every genre and every ANIMA dimension in near-equal shares, over many species", () => {
    expect(VALUE_EVERYDAY_GENRES.length).toBeGreaterThanOrEqual(14);
    const genres = docShare(docs.map((d) => [d.doc_type]), N);
    expect(genres.map(([g]) => g).sort()).toEqual([...VALUE_EVERYDAY_GENRES].sort());
    for (const [g, share] of genres) expect(share, g).toBeGreaterThan(0.5 / VALUE_EVERYDAY_GENRES.length);
    const dims = docShare(docs.map((d) => [d.dimension]), N);
    expect(dims.map(([x]) => x).sort()).toEqual([...ANIMA_DIMENSIONS].sort());
    for (const [x, share] of dims) expect(share, x).toBeGreaterThan(0.5 / ANIMA_DIMENSIONS.length);
    const species = new Set(docs.map((d) => d.species));
    expect(species.size).toBeGreaterThanOrEqual(40);
    // the shared species table is reused (its labels, not copies of them)
    expect(SPECIES.filter((s) => species.has(s.name)).length).toBeGreaterThanOrEqual(15);
  });

  it("use no sentence frame in 2% of documents (traced frames, and masked sentences of the text; two seeds)", () => {
    for (const set of [docs, traced(SEED + 1, N)]) {
      const frames = docShare(set.map((d) => d.frames), N);
      expect(frames[0]![1], frames[0]![0]).toBeLessThan(0.02);
      expect(frames.length).toBeGreaterThan(3000);
      const genreFrames = frames.filter(([f]) => VALUE_EVERYDAY_GENRES.includes(f.split(".")[0]!));
      expect(genreFrames.length).toBeGreaterThan(900);
      const sentences = docShare(set.map((d) => maskedSentences(d.text)), N);
      expect(sentences[0]![1], sentences[0]![0]).toBeLessThan(0.02);
      expect(sentences.length).toBeGreaterThan(10_000);
    }
  });

  it("have a broad vocabulary (distinct word 4-grams over 34% of all 4-grams; measured 35.7%) and documents of 50 to 250 words", () => {
    let total = 0;
    const distinct = new Set<string>();
    for (const d of docs) {
      const w = words(d.text);
      for (let i = 0; i + 4 <= w.length; i++, total++) distinct.add(w.slice(i, i + 4).join(" "));
    }
    expect(distinct.size / total).toBeGreaterThan(0.34);
    const lengths = docs.map((d) => d.text.split(/\s+/).length).sort((a, b) => a - b);
    expect(lengths[Math.floor(N / 2)]).toBeGreaterThan(100);
    expect(lengths[0]).toBeGreaterThan(40);
    expect(lengths[N - 1]).toBeLessThan(300);
  });

  it("show each dimension's angle: uncertainty, costs, steps and findings where the dimension is about them", () => {
    const angle: Partial<Record<string, RegExp>> = {
      "Epistemic Humility": /\.unsure\./,
      "Novel Entity Precaution": /\.unsure\./,
      "Trade-off Transparency": /\.cost\./,
      Actionability: /\.steps\./,
    };
    for (const d of docs) {
      const re = angle[d.dimension];
      if (re) expect([...d.frames].some((f) => re.test(f)), `${d.dimension} / ${d.doc_type}:\n${d.text}`).toBe(true);
    }
    const findings = docs.filter((d) => d.dimension === "Evidence-Based Capacity Attribution");
    expect(findings.filter((d) => [...d.frames].some((f) => f.startsWith("fact."))).length / findings.length).toBeGreaterThan(0.9);
  });

  it("state findings at the confidence the evidence supports (insect findings always hedged)", () => {
    let insect = 0;
    for (const d of docs) {
      if (![...d.frames].some((f) => f.startsWith("fact.insect."))) continue;
      insect++;
      expect([...d.frames].some((f) => f.startsWith("hedge.uncertain.")), d.text).toBe(true);
      expect(d.text).toMatch(/nobody knows whether|an open question|far from settled|nobody can yet say|thin and disputed|may or may not mean/);
    }
    expect(insect).toBeGreaterThan(30);
  });

  it("never lecture, leave no placeholder unfilled, and retell stories in the third person", () => {
    for (const d of docs) {
      expect(d.text, d.text).not.toMatch(/\b(?:we must|you must|our duty|moral(?:ly)? (?:duty|obligation)|deserve[sd]?|shame on|it is wrong to|cruel people)\b/i);
      expect(d.text, d.text).not.toMatch(/[{}]|undefined|NaN|null|\[object/);
      expect(d.text, d.text).not.toMatch(/ {2}|\.\.(?!\.)| ,| \./);
      if (d.doc_type === "story") expect(d.text.replace(/"[^"]*"/g, ""), d.text).not.toMatch(/\b(?:I|I'd|me|my|mine|myself|we|our|us)\b/);
    }
    const she = { sub: "she", obj: "her", pos: "her", poss: "hers", refl: "herself" };
    expect(retell('I found my cat and we took her home. "I can help," said Jo. Then I rang our vet.', she, "Ana")).toBe(
      'Ana found her cat and they took her home. "I can help," said Jo. Then she rang their vet.',
    );
    expect(retell("My dad and I went. I told him myself.", { sub: "he", obj: "him", pos: "his", poss: "his", refl: "himself" })).toBe(
      "His dad and he went. He told him himself.",
    );
  });

  it("keep control documents free of the value", () => {
    const control = docs.filter((d) => d.dimension === "Control Questions");
    expect(control.length).toBeGreaterThan(N / ANIMA_DIMENSIONS.length / 2);
    for (const d of control)
      expect(d.text, d.text).not.toMatch(/\b(?:welfare|suffer\w*|pain(?:s|ful|less|killers?)?|cruel\w*|humane\w*|stress\w*|kind(?:er|est)? to|sentien\w*|rescue\w*|hurt\w*)\b/i);
  });

  it("share no sentence with the probe items: word 3-gram Jaccard below 0.25, no exact 13-gram", () => {
    // Every probe item's question and both answers against 3000 documents (the study's reviewers reported a mean
    // docs-vs-items Jaccard of 0.12). Topic words are shared by design; sentences must not be.
    const items = loadProbeItems().map((it) => `${it.question}\n${it.compassionate}\n${it.dismissive}`);
    const corpus = docs.map((d) => d.text);
    const tri = overlap(corpus, items, { n: 3, exactN: 13, neighbours: 1 });
    expect(tri.items_with_exact_hits).toBe(0);
    expect(tri.max_jaccard).toBeLessThan(0.25);
    const uni = overlap(corpus, items, { n: 1, exactN: 13, neighbours: 1 });
    expect(uni.max_jaccard).toBeLessThan(0.3);
    // the check can fail: a document pasted into the items is found
    expect(overlap(corpus, [...items, corpus[7]!], { n: 3, exactN: 13, neighbours: 1 }).items_with_exact_hits).toBe(1);
  });
});

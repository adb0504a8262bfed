// Offline value documents: deterministic, varied across types and species (no sentence frame in more than 2%
// of documents, with species, names, places, settings, changes, outcomes and numbers masked), claims at the
// confidence the evidence supports, loadable.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDataset } from "../src/data/records.js";
import { GROUP_EVIDENCE, SPECIES } from "../src/synth/species-facts.js";
import { VALUE_DOC_TYPES, valueDocument, valueDocuments } from "../src/synth/value-docs.js";
import { freshSeed } from "./reference/random.js";
import { framer, sentences } from "./reference/sentence-frames.js";

describe("offline value documents", () => {
  const docs = [...valueDocuments(7, 3000)];
  it("are deterministic by seed", () => {
    const seed = freshSeed();
    expect([...valueDocuments(seed, 50)]).toEqual([...valueDocuments(seed, 50)]);
    expect([...valueDocuments(7, 50)]).toEqual(docs.slice(0, 50));
    expect(valueDocument(8, 42)).not.toEqual(valueDocument(7, 42));
    for (const d of docs.slice(0, 100)) expect(valueDocument(7, d.index).text).toBe(d.text);
  });
  it("cover every type and species, with no sentence frame in more than 2% of documents (seeds 7 and 8)", () => {
    const types = new Map<string, number>();
    for (const d of docs) types.set(d.doc_type, (types.get(d.doc_type) ?? 0) + 1);
    expect([...types.keys()].sort()).toEqual([...VALUE_DOC_TYPES].sort());
    expect(VALUE_DOC_TYPES.length).toBeGreaterThanOrEqual(14);
    for (const n of types.values()) expect(n).toBeGreaterThan(3000 / VALUE_DOC_TYPES.length / 2);
    expect(new Set(docs.map((d) => d.species)).size).toBe(SPECIES.length);
    const frame = framer();
    for (const set of [docs, [...valueDocuments(8, 3000)]]) {
      const freq = new Map<string, number>();
      for (const d of set) for (const f of new Set(sentences(d.text).map(frame))) freq.set(f, (freq.get(f) ?? 0) + 1);
      const [top, n] = [...freq].reduce((x, y) => (y[1] > x[1] ? y : x));
      expect(n / set.length, top).toBeLessThan(0.02);
      expect(freq.size).toBeGreaterThan(3000);
      expect(new Set(set.map((d) => d.text)).size).toBe(set.length);
    }
  });
  it("state sentience at the confidence the evidence supports", () => {
    const strong = /can feel pain and fear|are now widely recognised as able to feel pain|show clear signs of stress and pain/;
    let uncertain = 0;
    for (const d of docs) {
      const sp = SPECIES.find((s) => s.name === d.species)!;
      if (GROUP_EVIDENCE[sp.group].confidence !== "uncertain") continue;
      uncertain++;
      expect(d.text, d.text).not.toMatch(strong);
    }
    expect(uncertain).toBeGreaterThan(50);
    expect(docs.some((d) => /may be able to feel something like pain|the science is unsettled|Some studies suggest/.test(d.text))).toBe(true);
  });
  it("midtrain synth docs --offline writes documents with provenance that the data stage reads", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "midtrain-docs-")), "docs.jsonl");
    const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
    const r = spawnSync(process.execPath, [cli, "synth", "docs", "--offline", "--count", "20", "--out", out, "--seed", "3"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!);
    expect(first.provenance).toEqual({ generator: "midtrain-offline-v1", seed: 3, index: 0 });
    expect(first.text).toBe(valueDocument(3, 0).text);
    const recs = [];
    for await (const rec of readDataset([out])) recs.push(rec);
    expect(recs).toHaveLength(20);
    expect(recs.every((x) => x.kind === "text")).toBe(true);
    expect(spawnSync(process.execPath, [cli, "synth", "docs", "--count", "5", "--out", out], { encoding: "utf8" }).stderr).toMatch(/pass --offline/);
    // --genre mixed interleaves the everyday generator: 5 institutional, 4 everyday, each reproducible from its provenance.
    const mixed = join(mkdtempSync(join(tmpdir(), "midtrain-docs-")), "mixed.jsonl");
    const m = spawnSync(process.execPath, [cli, "synth", "docs", "--offline", "--genre", "mixed", "--count", "9", "--out", mixed, "--seed", "4"], { encoding: "utf8" });
    expect(m.status, m.stderr).toBe(0);
    const rows = readFileSync(mixed, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((x) => x.provenance.generator)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => (i % 2 ? "midtrain-offline-everyday-v1" : "midtrain-offline-v1")));
    const { valueEverydayDocument } = await import("../src/synth/value-everyday.js");
    for (const x of rows) expect(x.text).toBe(x.provenance.generator === "midtrain-offline-v1" ? valueDocument(4, x.provenance.index).text : valueEverydayDocument(4, x.provenance.index).text);
    expect(spawnSync(process.execPath, [cli, "synth", "docs", "--offline", "--genre", "poetry", "--count", "2", "--out", mixed], { encoding: "utf8" }).status).not.toBe(0);
  });
});

// Offline value documents: deterministic, varied across types and species, no dominant frame, loadable.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDataset } from "../src/data/records.js";
import { VALUE_DOC_TYPES, valueDocument, valueDocuments } from "../src/synth/value-docs.js";

describe("offline value documents", () => {
  const docs = [...valueDocuments(7, 3000)];
  it("are deterministic by seed", () => {
    expect([...valueDocuments(7, 50)]).toEqual(docs.slice(0, 50));
    expect(valueDocument(8, 42)).not.toEqual(valueDocument(7, 42));
    for (const d of docs.slice(0, 100)) expect(valueDocument(7, d.index).text).toBe(d.text);
  });
  it("cover every type and many species, with no sentence frame dominating", () => {
    const types = new Map<string, number>();
    for (const d of docs) types.set(d.doc_type, (types.get(d.doc_type) ?? 0) + 1);
    expect([...types.keys()].sort()).toEqual([...VALUE_DOC_TYPES].sort());
    for (const n of types.values()) expect(n).toBeGreaterThan(3000 / VALUE_DOC_TYPES.length / 2);
    expect(new Set(docs.map((d) => d.species)).size).toBeGreaterThanOrEqual(20);
    const lines = docs.flatMap((d) => d.text.split("\n")).filter((l) => l.length > 30);
    const freq = new Map<string, number>();
    for (const l of lines) freq.set(l, (freq.get(l) ?? 0) + 1);
    expect(Math.max(...freq.values()) / lines.length).toBeLessThan(0.02);
    expect(new Set(docs.map((d) => d.text)).size).toBe(docs.length);
  });
  it("midtrain synth docs --offline writes documents with provenance that the data stage reads", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "midtrain-docs-")), "docs.jsonl");
    const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
    const r = spawnSync(process.execPath, [cli, "synth", "docs", "--offline", "--count", "20", "--out", out, "--seed", "3"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!);
    expect(first.provenance).toEqual({ generator: "midtrain-offline-v1", seed: 3, index: 0 });
    const recs = [];
    for await (const rec of readDataset([out])) recs.push(rec);
    expect(recs).toHaveLength(20);
    expect(recs.every((x) => x.kind === "text")).toBe(true);
    expect(spawnSync(process.execPath, [cli, "synth", "docs", "--count", "5", "--out", out], { encoding: "utf8" }).stderr).toMatch(/pass --offline/);
  });
});

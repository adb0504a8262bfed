// Overlap between a training corpus and evaluation items (issue: reviewers
// asked whether a value score could be memorisation): Jaccard similarity of
// word n-gram sets for every (item, document) pair through an inverted index,
// exact 13-gram hits (the GPT-3/LLaMA contamination convention), and each
// item's nearest documents.
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { shingleSet } from "./shingles.js";

export interface OverlapOptions {
  /** Words per shingle for Jaccard (1 = word sets). */
  n: number;
  /** Words per exact-match window (13, as GPT-3's contamination analysis). */
  exactN: number;
  /** Nearest documents listed per item. */
  neighbours: number;
}

export interface ItemOverlap {
  item: number;
  text: string;
  max_jaccard: number;
  exact_hits: number;
  nearest: { doc: number; jaccard: number; snippet: string }[];
}

export interface OverlapReport {
  corpus_docs: number;
  items: number;
  n: number;
  /** mean over every (item, document) pair */
  mean_jaccard: number;
  /** mean over items of their highest Jaccard with any document */
  mean_nearest_jaccard: number;
  max_jaccard: number;
  /** items with at least one exact exactN-gram in the corpus */
  items_with_exact_hits: number;
  per_item: ItemOverlap[];
}

export function overlap(corpus: string[], items: string[], o: OverlapOptions): OverlapReport {
  const docSets = corpus.map((d) => shingleSet(d, o.n));
  const index = new Map<string, number[]>();
  docSets.forEach((s, d) => {
    for (const g of s) {
      let l = index.get(g);
      if (!l) index.set(g, (l = []));
      l.push(d);
    }
  });
  const exact = new Set<string>();
  for (const d of corpus) for (const g of shingleSet(d, o.exactN)) if (g.split(" ").length === o.exactN) exact.add(g);

  let pairSum = 0, nearestSum = 0, max = 0, withHits = 0;
  const perItem: ItemOverlap[] = items.map((text, item) => {
    const set = shingleSet(text, o.n);
    const inter = new Map<number, number>();
    for (const g of set) for (const d of index.get(g) ?? []) inter.set(d, (inter.get(d) ?? 0) + 1);
    const scored: { doc: number; jaccard: number }[] = [];
    for (const [d, k] of inter) {
      const j = k / (set.size + docSets[d]!.size - k);
      pairSum += j;
      scored.push({ doc: d, jaccard: j });
    }
    scored.sort((a, b) => b.jaccard - a.jaccard || a.doc - b.doc);
    const best = scored[0]?.jaccard ?? 0;
    nearestSum += best;
    max = Math.max(max, best);
    let hits = 0;
    for (const g of shingleSet(text, o.exactN)) if (exact.has(g)) hits++;
    if (hits) withHits++;
    return {
      item, text, max_jaccard: best, exact_hits: hits,
      nearest: scored.slice(0, o.neighbours).map((s) => ({ ...s, snippet: corpus[s.doc]!.slice(0, 160) })),
    };
  });
  const pairs = items.length * corpus.length;
  return {
    corpus_docs: corpus.length, items: items.length, n: o.n,
    mean_jaccard: pairs ? pairSum / pairs : 0,
    mean_nearest_jaccard: items.length ? nearestSum / items.length : 0,
    max_jaccard: max,
    items_with_exact_hits: withHits,
    per_item: perItem,
  };
}

/** Texts of a JSONL or JSON file: `text`, `question`, `prompt`, or every message's content per record. */
export async function readTexts(file: string): Promise<string[]> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const pick = (rec: unknown, where: string): string => {
    const r = rec as { text?: unknown; question?: unknown; prompt?: unknown; messages?: { content?: unknown }[] };
    for (const k of ["text", "question", "prompt"] as const) if (typeof r?.[k] === "string") return r[k] as string;
    if (Array.isArray(r?.messages)) return r.messages.map((m) => (typeof m?.content === "string" ? m.content : "")).join("\n");
    throw new Error(`${where}: expected a "text", "question" or "prompt" string or a "messages" array`);
  };
  if (file.endsWith(".json")) {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(v)) throw new Error(`${file}: expected an array of records`);
    return v.map((r, i) => pick(r, `${file}[${i}]`));
  }
  const out: string[] = [];
  let line = 0;
  for await (const l of createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity })) {
    line++;
    if (!l.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(l);
    } catch (e) {
      throw new Error(`${file}:${line}: not valid JSON: ${(e as Error).message}`);
    }
    out.push(pick(rec, `${file}:${line}`));
  }
  if (!out.length) throw new Error(`${file}: no records`);
  return out;
}

// Across runs: a paired comparison of two checkpoints scored on the same
// items (matched by item id), and mean and std of scores over seeds.
import { existsSync, readFileSync } from "node:fs";
import { meanStd, pairedComparison, type PairedComparison } from "./stats.js";

interface AnyResult {
  suite?: string;
  score?: number;
  model?: string;
  items?: { id?: string; correct?: number; gold?: number; predAccNorm?: number; label?: string; refused?: boolean | null }[];
  questions?: { id?: string; score?: number | null }[];
  perDimension?: Record<string, { score: number }>;
}

export function readResultFile(file: string): AnyResult {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as AnyResult;
    if (typeof r !== "object" || r === null || typeof r.suite !== "string") throw new Error("not a midtrain results.json (no 'suite')");
    return r;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

/** Per-item scores of a result, by item id: probe 1/0.5/0, capability acc_norm hit, safety correct behaviour, ANIMA question score. */
export function itemScores(r: AnyResult, where: string): Map<string, number> {
  const m = new Map<string, number>();
  if (r.suite === "anima") for (const q of r.questions ?? []) if (q.id !== undefined && typeof q.score === "number") m.set(q.id, q.score);
  if (r.suite === "probe") for (const it of r.items ?? []) if (it.id !== undefined && typeof it.correct === "number") m.set(it.id, it.correct);
  if (r.suite === "capability") for (const it of r.items ?? []) if (it.id !== undefined) m.set(it.id, it.predAccNorm === it.gold ? 1 : 0);
  if (r.suite === "safety")
    for (const it of r.items ?? []) if (it.id !== undefined && typeof it.refused === "boolean") m.set(it.id, it.refused === (it.label === "harmful") ? 1 : 0);
  if (!m.size) throw new Error(`${where}: suite '${r.suite}' has no per-item scores to compare`);
  return m;
}

export interface ComparisonReport extends PairedComparison {
  suite: string;
  a: string;
  b: string;
  /** Items scored in only one of the two runs (left out). */
  onlyA: number;
  onlyB: number;
}

/** a minus b on the items both scored. */
export function compareResults(fileA: string, fileB: string, o: { seed?: number } = {}): ComparisonReport {
  const a = readResultFile(fileA), b = readResultFile(fileB);
  if (a.suite !== b.suite) throw new Error(`${fileA} is suite '${a.suite}' but ${fileB} is '${b.suite}'`);
  const sa = itemScores(a, fileA), sb = itemScores(b, fileB);
  const ids = [...sa.keys()].filter((k) => sb.has(k)).sort();
  if (!ids.length) throw new Error(`${fileA} and ${fileB} share no scored items`);
  const p = pairedComparison(ids.map((k) => sa.get(k)!), ids.map((k) => sb.get(k)!), { seed: o.seed ?? 0 });
  return { suite: a.suite!, a: a.model ?? fileA, b: b.model ?? fileB, ...p, onlyA: sa.size - ids.length, onlyB: sb.size - ids.length };
}

export interface SeedsReport {
  suite: string;
  runs: number;
  score: { mean: number; std: number; n: number };
  perDimension: Record<string, { mean: number; std: number; n: number }>;
}

/** Mean and sample std of the score (and of each per-dimension score) over runs, e.g. one per seed. */
export function summarizeSeeds(files: string[]): SeedsReport {
  if (files.length < 2) throw new Error("give two or more results.json files (one per seed)");
  const rs = files.map(readResultFile);
  const suites = new Set(rs.map((r) => r.suite));
  if (suites.size > 1) throw new Error(`the files mix suites: ${[...suites].join(", ")}`);
  const dims = new Set(rs.flatMap((r) => Object.keys(r.perDimension ?? {})));
  const perDimension: SeedsReport["perDimension"] = {};
  for (const d of [...dims].sort()) perDimension[d] = meanStd(rs.map((r) => r.perDimension?.[d]?.score).filter((x): x is number => typeof x === "number"));
  return { suite: rs[0]!.suite!, runs: rs.length, score: meanStd(rs.map((r) => r.score ?? NaN).filter(Number.isFinite)), perDimension };
}

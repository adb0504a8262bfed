// From per-point eval results to the numbers the report shows: each arm's
// score at each SFT size as a mean over seeds with a 95% interval, and the
// study's three claims checked plainly against them.
import { meanStd } from "../evals/stats.js";

/** What one eval suite produced for one checkpoint (the shape every suite reports). */
export interface SuiteScore {
  score: number;
  ci: [number, number];
  n: number;
  perDimension?: Record<string, { score: number; ci: [number, number]; n: number }>;
}

export interface PointResult {
  arm: string;
  seed: number;
  size: number;
  checkpoint: string;
  suites: Record<string, SuiteScore>;
  /** Suites that could not run here, with the reason (e.g. ANIMA without graders). */
  skipped?: Record<string, string>;
}

export interface Cell {
  arm: string;
  size: number;
  suite: string;
  mean: number;
  std: number;
  seeds: number;
  ci: [number, number];
  /** How `ci` was made: a t interval over seeds, or (one seed) the suite's bootstrap over items. */
  ciKind: "t over seeds" | "bootstrap over items";
  perDimension?: Record<string, number>;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t975(df: number): number {
  if (df < 1) return NaN;
  return df <= 30 ? T975[df - 1]! : 1.96 + 2.4 / df; // close to the exact values beyond 30
}

/** Mean over seeds with its 95% t interval; one seed falls back to that run's own interval. */
export function cellOf(arm: string, size: number, suite: string, runs: SuiteScore[]): Cell {
  const { mean, std, n } = meanStd(runs.map((r) => r.score));
  let ci: [number, number], ciKind: Cell["ciKind"];
  if (n >= 2) {
    const h = (t975(n - 1) * std) / Math.sqrt(n);
    ci = [mean - h, mean + h];
    ciKind = "t over seeds";
  } else {
    ci = runs[0]?.ci ?? [NaN, NaN];
    ciKind = "bootstrap over items";
  }
  let perDimension: Record<string, number> | undefined;
  if (runs.every((r) => r.perDimension)) {
    perDimension = {};
    for (const dim of Object.keys(runs[0]!.perDimension!)) perDimension[dim] = meanStd(runs.map((r) => r.perDimension![dim]?.score ?? NaN)).mean;
  }
  return { arm, size, suite, mean, std, seeds: n, ci, ciKind, perDimension };
}

/** Every (arm, size, suite) cell, arms in config order, sizes ascending. */
export function aggregate(points: PointResult[], arms: string[]): Cell[] {
  const cells: Cell[] = [];
  const suites = [...new Set(points.flatMap((p) => Object.keys(p.suites)))];
  for (const arm of arms)
    for (const size of [...new Set(points.filter((p) => p.arm === arm).map((p) => p.size))].sort((a, b) => a - b))
      for (const suite of suites) {
        // One model shared by several seeds (the base arm) is one run, not several identical ones.
        const byCheckpoint = new Map(points.filter((p) => p.arm === arm && p.size === size && p.suites[suite]).map((p) => [p.checkpoint, p.suites[suite]!]));
        const runs = [...byCheckpoint.values()];
        if (runs.length) cells.push(cellOf(arm, size, suite, runs));
      }
  return cells;
}

export interface Claim {
  claim: string;
  /** true / false when it could be tested, null when the arms or sizes needed are missing. */
  holds: boolean | null;
  detail: string;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const fmtCi = (c: Cell) => `${fmt(c.mean)} [${fmt(c.ci[0])}, ${fmt(c.ci[1])}]`;

/**
 * The study's three claims on the probe (or another suite): midtrained beats
 * the baselines with separated intervals; follow-up SFT erodes it; some
 * strategy keeps at least half the gain at the largest size. The gain at
 * size N is measured against the control arm (else the base arm) at size N.
 */
export function checkClaims(cells: Cell[], suite: string): Claim[] {
  const get = (arm: string, size: number) => cells.find((c) => c.arm === arm && c.size === size && c.suite === suite);
  const sizes = [...new Set(cells.filter((c) => c.suite === suite && c.arm === "midtrained").map((c) => c.size))].sort((a, b) => a - b);
  const claims: Claim[] = [];
  const mid0 = get("midtrained", 0);
  const rivals = ["qa", "control"].map((a) => get(a, 0)).filter((c): c is Cell => !!c);
  if (!mid0 || !rivals.length) claims.push({ claim: "midtrained beats the Q&A baseline and the control", holds: null, detail: "needs the midtrained arm and the qa or control arm at SFT size 0" });
  else {
    const separated = rivals.every((r) => mid0.ci[0] > r.ci[1]);
    const above = rivals.every((r) => mid0.mean > r.mean);
    claims.push({
      claim: "midtrained beats the Q&A baseline and the control, intervals not overlapping",
      holds: separated,
      detail: `midtrained ${fmtCi(mid0)}; ${rivals.map((r) => `${r.arm} ${fmtCi(r)}`).join("; ")}${!separated && above ? " (higher means, but the intervals overlap)" : ""}`,
    });
  }
  const maxSize = sizes.at(-1);
  const midMax = maxSize !== undefined ? get("midtrained", maxSize) : undefined;
  if (!mid0 || !midMax || maxSize === 0) claims.push({ claim: "unrelated SFT lowers the midtrained score as samples grow", holds: null, detail: "needs the midtrained arm at size 0 and a larger size" });
  else {
    const series = sizes.map((s) => get("midtrained", s)!.mean);
    let falls = 0;
    for (let i = 1; i < series.length; i++) if (series[i]! < series[i - 1]!) falls++;
    claims.push({
      claim: "unrelated SFT lowers the midtrained score as samples grow",
      holds: midMax.mean < mid0.mean,
      detail: `size 0: ${fmt(mid0.mean)} -> size ${maxSize}: ${fmt(midMax.mean)}; the mean fell at ${falls} of ${series.length - 1} steps of the sweep`,
    });
  }
  const ref = get("control", 0) ? "control" : get("base", 0) ? "base" : undefined;
  const strategies = [...new Set(cells.filter((c) => c.suite === suite && c.arm.startsWith("midtrained+")).map((c) => c.arm))];
  if (!mid0 || !ref || maxSize === undefined || maxSize === 0 || !strategies.length || !get(ref, maxSize))
    claims.push({ claim: "a strategy keeps at least half the midtraining gain at the largest SFT size", holds: null, detail: "needs strategy arms, the midtrained arm and the control (or base) arm swept to the same sizes" });
  else {
    const ref0 = get(ref, 0)!;
    const gain0 = mid0.mean - ref0.mean;
    // A gain inside the noise (intervals overlapping) has no meaningful fraction to keep.
    const clearGain = gain0 > 0 && mid0.ci[0] > ref0.ci[1];
    const refMax = get(ref, maxSize)!.mean;
    const kept = strategies
      .map((s) => ({ s, c: get(s, maxSize) }))
      .filter((x): x is { s: string; c: Cell } => !!x.c)
      .map(({ s, c }) => ({ s, frac: (c.mean - refMax) / gain0 }));
    const plain = midMax ? (midMax.mean - refMax) / gain0 : NaN;
    const best = kept.reduce((a, b) => (b.frac > a.frac ? b : a), kept[0]!);
    claims.push({
      claim: "a strategy keeps at least half the midtraining gain at the largest SFT size",
      holds: clearGain ? best.frac >= 0.5 : false,
      detail: clearGain
        ? `gain at size 0 over ${ref}: ${fmt(gain0)}; kept at size ${maxSize}: ${kept.map((k) => `${k.s} ${(100 * k.frac).toFixed(0)}%`).join(", ")} (plain midtrained ${(100 * plain).toFixed(0)}%)`
        : `no clear midtraining gain over ${ref} at size 0 (${fmt(gain0)}, intervals ${gain0 > 0 ? "overlap" : "not above"}), so nothing to keep`,
    });
  }
  return claims;
}

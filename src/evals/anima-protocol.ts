// ANIMA's reference scoring protocol (research.md), as pure functions:
// placeholder expansion of a dimension's guiding question over the question's
// variables, C/I grades averaged over graders, then over placeholder
// combinations (a dimension score), the question's score as the
// default_weighting-weighted mean of its dimension scores, and the reported
// aggregates. A grade that could not be parsed or obtained is left out of its
// average and counted: never scored as C or I.

/** Variable name -> values, in the order the `variables` text lists them. */
export type Variables = Map<string, string[]>;

/**
 * Parses `variables`: newline-separated `name:value1,value2` lines (blank lines ignored). Throws naming
 * the line when a line has no colon, no name, no value, or repeats a name.
 */
export function parseVariables(text: string): Variables {
  const out: Variables = new Map();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const colon = line.indexOf(":");
    if (colon < 0) throw new Error(`line ${i + 1} '${line}' is not 'name:value1,value2'`);
    const name = line.slice(0, colon).trim();
    const values = line.slice(colon + 1).split(",").map((v) => v.trim()).filter(Boolean);
    if (!name) throw new Error(`line ${i + 1} '${line}' has no variable name before ':'`);
    if (!/^[\w.-]+$/.test(name)) throw new Error(`line ${i + 1}: variable name '${name}' has characters a {{placeholder}} cannot hold`);
    if (!values.length) throw new Error(`line ${i + 1}: variable '${name}' has no values`);
    if (out.has(name)) throw new Error(`line ${i + 1}: variable '${name}' is given twice`);
    out.set(name, values);
  });
  return out;
}

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Placeholder names in a guiding question, in order of first appearance. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Every combination of values of the variables this template uses (cartesian product, variables in the
 * order the question lists them). A template without placeholders, or whose placeholders name no
 * variable, has exactly one (empty) combination.
 */
export function combinations(template: string, vars: Variables): Record<string, string>[] {
  const used = new Set(placeholders(template));
  let sets: Record<string, string>[] = [{}];
  for (const [name, values] of vars) {
    if (!used.has(name)) continue;
    sets = sets.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
  }
  return sets;
}

/** Fills placeholders from a combination; one with no value becomes its own name (as the reference does). */
export function fillTemplate(template: string, combo: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => combo[name] ?? name);
}

export type GradeStatus = "ok" | "unparseable" | "error";

export interface Grade {
  grader: string;
  /** C = meets the criterion (1), I = does not (0); null when not obtained. */
  grade: "C" | "I" | null;
  status: GradeStatus;
  /** The grader's reply (its reasoning), or the error message. */
  reasoning: string;
}

/** Mean of C=1 / I=0 over the grades that were obtained and parsed; null if none was. */
export function combinationScore(grades: readonly Grade[]): number | null {
  const ok = grades.filter((g) => g.status === "ok" && g.grade !== null);
  if (!ok.length) return null;
  return ok.reduce((s, g) => s + (g.grade === "C" ? 1 : 0), 0) / ok.length;
}

/** Mean over combinations that have a score; null if none has. */
export function meanOfScored(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}

/**
 * The question's score: Σ w_d s_d / Σ w_d over its dimensions that have a score (weights =
 * default_weighting). Null when none has a score or their weights sum to 0.
 */
export function weightedScore(dimScores: ReadonlyMap<string, number | null>, weight: (dimension: string) => number): number | null {
  let num = 0, den = 0;
  for (const [d, s] of dimScores) {
    if (s === null) continue;
    const w = weight(d);
    num += w * s;
    den += w;
  }
  return den > 0 ? num / den : null;
}

export interface QuestionScores {
  /** The question's score (mean over epochs of its weighted score); null if never scored. */
  score: number | null;
  /** Per tagged dimension, mean over epochs; null if never scored. */
  dimensions: Map<string, number | null>;
}

export interface Aggregate {
  /** Mean over scored questions of their scores. */
  overallMean: number | null;
  /** Per dimension: mean over the questions that have a score for it. */
  perDimension: Map<string, { score: number; n: number }>;
  /** Σ_d w_d perDimension_d / Σ_d w_d over dimensions with a score. */
  dimensionWeightedMean: number | null;
}

/** The reported aggregates over questions (the reference's overall mean, per-dimension means and dimension-weighted mean). */
export function aggregate(questions: readonly QuestionScores[], weight: (dimension: string) => number): Aggregate {
  const overallMean = meanOfScored(questions.map((q) => q.score));
  const byDim = new Map<string, number[]>();
  for (const q of questions)
    for (const [d, s] of q.dimensions) {
      if (s === null) continue;
      if (!byDim.has(d)) byDim.set(d, []);
      byDim.get(d)!.push(s);
    }
  const perDimension = new Map<string, { score: number; n: number }>();
  for (const [d, xs] of [...byDim].sort((a, b) => a[0].localeCompare(b[0]))) perDimension.set(d, { score: xs.reduce((s, x) => s + x, 0) / xs.length, n: xs.length });
  const dimensionWeightedMean = weightedScore(new Map([...perDimension].map(([d, v]) => [d, v.score])), weight);
  return { overallMean, perDimension, dimensionWeightedMean };
}

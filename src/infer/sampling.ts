// Sampling parameters (validated once, at the boundary) and picking the next
// token from one row of logits: greedy, or temperature -> top-k -> top-p ->
// multinomial, in the order Hugging Face's logits warpers apply them.
import { randomInt } from "node:crypto";
import { z } from "zod";
import { deriveSeed, Rng } from "../data/rng.js";
import type { SamplingOptions } from "./language-model.js";

export class SamplingError extends Error {}

export const DEFAULT_MAX_TOKENS = 256;

/** What the sampler uses; every field resolved. */
export interface ResolvedSampling {
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: string[];
  seed: number;
}

const SamplingSchema = z.object({
  maxTokens: z.number().int().min(0).optional(),
  temperature: z.number().min(0).finite().optional(),
  topP: z.number().gt(0).max(1).optional(),
  topK: z.number().int().min(0).optional(),
  stop: z.array(z.string().min(1, "stop strings must not be empty")).max(64).optional(),
  seed: z.number().int().refine(Number.isSafeInteger, "must be a safe integer").optional(),
});

/** Checks and fills in defaults; `where` names the request in the error (e.g. "requests[3]"). */
export function resolveSampling(o: SamplingOptions, where: string): ResolvedSampling {
  const picked = { maxTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK, stop: o.stop, seed: o.seed };
  const r = SamplingSchema.safeParse(picked);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SamplingError(`${where}.${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(pathValue(picked, issue.path))})`);
  }
  const v = r.data;
  return {
    maxTokens: v.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: v.temperature ?? 0,
    topP: v.topP ?? 1,
    topK: v.topK ?? 0,
    stop: v.stop ?? [],
    // Unseeded requests still get a seed, so a row's draws never depend on the other rows of its batch.
    seed: v.seed ?? randomInt(0, 2 ** 47),
  };
}

function pathValue(o: unknown, path: PropertyKey[]): unknown {
  let x = o;
  for (const k of path) x = (x as Record<PropertyKey, unknown> | undefined)?.[k];
  return x;
}

/** Index of the largest value; the first one on ties, as torch.argmax. */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** Picks tokens for one sequence: deterministic given the seed and the logits it sees. */
export class Sampler {
  private readonly rng: Rng;
  constructor(private readonly s: ResolvedSampling) {
    this.rng = new Rng(deriveSeed(s.seed, 0x5a3b1e));
  }

  /** Uniform in [0, 1) with 53 random bits. */
  private uniform(): number {
    return (this.rng.nextU32() * 2 ** 21 + (this.rng.nextU32() >>> 11)) / 2 ** 53;
  }

  pick(logits: ArrayLike<number>): number {
    if (this.s.temperature === 0) return argmax(logits);
    if (this.s.topK === 0 && this.s.topP === 1) return this.pickUnfiltered(logits);
    const probs = filteredProbs(logits, this.s.temperature, this.s.topK, this.s.topP);
    let u = this.uniform();
    let last = -1;
    for (const [id, p] of probs) {
      last = id;
      if ((u -= p) < 0) return id;
    }
    return last; // rounding left u a hair above the total
  }

  /** Plain temperature sampling: one pass over the vocabulary, no sort (a large vocabulary would make that the cost). */
  private pickUnfiltered(logits: ArrayLike<number>): number {
    const V = logits.length;
    const { w, total } = temperedWeights(logits, this.s.temperature);
    let u = this.uniform() * total;
    let last = 0;
    for (let i = 0; i < V; i++) {
      if (w[i]! === 0) continue;
      last = i;
      if ((u -= w[i]!) < 0) return i;
    }
    return last;
  }
}

/** exp((logit - max) / temperature) per token in float64 (unnormalised softmax weights), and their sum. */
function temperedWeights(logits: ArrayLike<number>, temperature: number): { w: Float64Array; total: number } {
  const V = logits.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i]! > max) max = logits[i]!;
  const w = new Float64Array(V);
  let total = 0;
  for (let i = 0; i < V; i++) total += w[i] = Math.exp((logits[i]! - max) / temperature);
  return { w, total };
}

/**
 * The distribution sampling draws from, as (token, probability) pairs in descending probability: softmax of
 * logits / temperature in float64, cut to the top k (0 = all), then to the smallest prefix whose mass reaches
 * top_p, renormalised. Ties at the cut keep the lower token id first.
 */
export function filteredProbs(logits: ArrayLike<number>, temperature: number, topK: number, topP: number): Array<[number, number]> {
  if (!(temperature > 0)) throw new SamplingError(`filteredProbs: temperature must be > 0, got ${temperature}`);
  const V = logits.length;
  const { w, total } = temperedWeights(logits, temperature);
  // Tokens below 1e-12 of the total cannot move a top-p cut or a draw; dropping them keeps the sort short.
  const order: number[] = [];
  for (let i = 0; i < V; i++) if (w[i]! > total * 1e-12) order.push(i);
  order.sort((a, b) => w[b]! - w[a]! || a - b);
  let keep = topK > 0 ? Math.min(topK, order.length) : order.length;
  if (topP < 1) {
    let mass = 0;
    let k = 0;
    const kTotal = order.slice(0, keep).reduce((s, i) => s + w[i]!, 0);
    while (k < keep && mass < topP * kTotal) mass += w[order[k++]!]!;
    keep = Math.max(1, k);
  }
  let kept = 0;
  for (let k = 0; k < keep; k++) kept += w[order[k]!]!;
  return order.slice(0, keep).map((i) => [i, w[i]! / kept]);
}

// Log-probabilities from one row of logits, in float64: log-softmax of one
// token and the n most likely alternatives (OpenAI's logprobs/top_logprobs).

export interface TokenLogprob {
  id: number;
  logprob: number;
}

/** log(sum(exp(row))) in float64, shifted by the max so it never overflows. */
export function logSumExp(row: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! - max);
  return max + Math.log(s);
}

/** The n most likely tokens with their log-probabilities, most likely first (lower id first on ties). */
export function topLogprobs(row: ArrayLike<number>, lse: number, n: number): TokenLogprob[] {
  if (n <= 0) return [];
  // A sorted list of at most n candidates: O(V n), and n is small (OpenAI allows up to 20).
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (best.length === n && !(v > row[best[n - 1]!]!)) continue;
    let k = best.length === n ? n - 1 : best.length;
    while (k > 0 && row[best[k - 1]!]! < v) {
      best[k] = best[k - 1]!;
      k--;
    }
    best[k] = i;
  }
  return best.map((id) => ({ id, logprob: row[id]! - lse }));
}

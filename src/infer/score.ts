// Scoring: the log-probability of each token of a sequence given the tokens
// before it, batched. Rows are grouped longest first (little padding), left-
// padded, and run in chunks along the sequence through the KV cache so the
// [batch, chunk, vocab] logits block stays within a fixed budget.
import { argmax } from "./sampling.js";
import { logSumExp, topLogprobs, type TokenLogprob } from "./logprobs.js";
import { runLogits, type OnnxSession, type PastKV } from "./session.js";
import { DEFAULT_LOGITS_BUDGET } from "./generate.js";

export interface ScoreRow {
  ids: readonly number[];
  /** Score ids[from..]; from >= 1 (the first token has nothing before it). */
  from: number;
}

export interface ScoredRow {
  /** log P(ids[t] | ids[<t]) for t = from..len-1, natural log. */
  logprobs: number[];
  /** Whether ids[t] was the argmax (first on ties, as torch.argmax). */
  greedy: boolean[];
  /** The topN most likely tokens at each scored position, when asked for. */
  top?: TokenLogprob[][];
}

export interface ScoreOptions {
  maxBatch: number;
  /** Alternatives to report per position (OpenAI's top_logprobs); 0 = none. */
  topN?: number;
  logitsBudgetBytes?: number;
  padId?: number;
}

export class ScoreError extends Error {}

export async function scoreRows(session: OnnxSession, rows: readonly ScoreRow[], o: ScoreOptions): Promise<ScoredRow[]> {
  const V = session.info.vocab_size;
  const topN = o.topN ?? 0;
  rows.forEach((r, i) => {
    if (!Number.isInteger(r.from) || r.from < 1) throw new ScoreError(`rows[${i}].from must be an integer >= 1, got ${r.from}`);
  });
  const out: ScoredRow[] = rows.map(() => ({ logprobs: [], greedy: [], ...(topN > 0 ? { top: [] } : {}) }));
  // The model sees ids[0..len-1): the last token is only ever a target.
  const order = rows
    .map((_, i) => i)
    .filter((i) => rows[i]!.from < rows[i]!.ids.length)
    .sort((a, b) => rows[b]!.ids.length - rows[a]!.ids.length || a - b);
  const budget = o.logitsBudgetBytes ?? DEFAULT_LOGITS_BUDGET;
  for (let g = 0; g < order.length; ) {
    const group = order.slice(g, g + Math.max(1, o.maxBatch));
    g += group.length;
    const B = group.length;
    const S = rows[group[0]!]!.ids.length - 1;
    const ids = group.map((i) => {
      const r = rows[i]!.ids;
      return [...Array<number>(S - (r.length - 1)).fill(o.padId ?? 0), ...r.slice(0, -1)];
    });
    const mask = group.map((i) => [...Array<number>(S - (rows[i]!.ids.length - 1)).fill(0), ...Array<number>(rows[i]!.ids.length - 1).fill(1)]);
    const C = Math.max(1, Math.min(S, Math.floor(budget / (B * V * 4))));
    let past: PastKV | undefined;
    for (let s = 0; s < S; s += C) {
      const e = Math.min(S, s + C);
      const r = await runLogits(session, ids.map((row) => row.slice(s, e)), past, mask.map((row) => row.slice(s, e)));
      past = r.presents;
      group.forEach((ri, b) => {
        const row = rows[ri]!;
        const pad = S - (row.ids.length - 1);
        // Column c holds the logits after input position c, i.e. the prediction of ids[c - pad + 1].
        for (let c = Math.max(s, pad + row.from - 1); c < e; c++) {
          const target = row.ids[c - pad + 1]!;
          const l = r.logits.subarray((b * (e - s) + (c - s)) * V, (b * (e - s) + (c - s) + 1) * V);
          const lse = logSumExp(l);
          const res = out[ri]!;
          res.logprobs.push(l[target]! - lse);
          res.greedy.push(argmax(l) === target);
          if (topN > 0) res.top!.push(topLogprobs(l, lse, topN));
        }
      });
    }
  }
  return out;
}

// `midtrain eval loss`: mean token loss of a checkpoint on data files, with
// the native engine and the training stage's own data path (dataTokenizer and
// the DataLoader: same tokenisation, packing and target masks as training),
// over every example once.
import { availableParallelism } from "node:os";
import { loadExamples } from "../data/examples.js";
import { DataLoader } from "../data/loader.js";
import type { EngineDevice } from "../engine/model.js";
import { setThreads } from "../engine/native.js";
import { loadCheckpoint } from "../model/checkpoint.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import { dataTokenizer } from "../train/data.js";
import { progress } from "./progress.js";
import { bootstrapStatistic, type Scored } from "./stats.js";

export interface LossOptions {
  model: string;
  data: string[];
  seqLen?: number;
  /** Rows per forward pass, at most (default 8). */
  batchSize?: number;
  format?: "text" | "chat" | "tokens" | "auto";
  threads?: number;
  seed?: number;
  /** Where the native engine runs (default cpu). */
  device?: EngineDevice;
  log?: (s: string) => void;
}

export interface LossResult extends Scored {
  suite: "loss";
  model: string;
  data: string[];
  /** Which engine device scored it. */
  device: EngineDevice;
  /** = score: mean cross-entropy (nats) over every target token. */
  loss: number;
  perplexity: number;
  tokens: number;
  rows: number;
  examples: number;
}

export async function runLoss(o: LossOptions): Promise<LossResult> {
  const log = o.log ?? (() => {});
  const seqLen = o.seqLen ?? 512, maxBatch = o.batchSize ?? 8, seed = o.seed ?? 0;
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new Error(`option 'seq-len' must be an integer of at least 2, got ${seqLen}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`option 'batch-size' must be a positive integer, got ${maxBatch}`);
  if (!o.data.length) throw new Error("option 'data': give at least one file");
  setThreads(o.threads ?? Math.max(1, availableParallelism()));
  const { model, config } = loadCheckpoint(o.model, undefined, o.device ?? "cpu");
  const tok = Tokenizer.fromDir(o.model);
  if (seqLen > (Number(config.raw.max_position_embeddings) || Infinity))
    throw new Error(`option 'seq-len': ${seqLen} exceeds the model's max_position_embeddings ${String(config.raw.max_position_embeddings)}`);
  const dt = dataTokenizer(tok, model.config.vocab_size, o.model);
  const pool = await loadExamples(o.data, dt, { format: o.format ?? "auto" });
  const opts = { seqLen, seed, padId: tok.padId ?? dt.eosId, longExamples: "split" as const };
  // One epoch visits every packed row exactly once; a batch size that divides the row count keeps every batch whole.
  const rows = new DataLoader(pool, { ...opts, batchSize: 1 }).rowsPerEpoch;
  let B = Math.min(maxBatch, rows);
  while (rows % B) B--;
  const loader = new DataLoader(pool, { ...opts, batchSize: B });
  log(`eval loss: ${o.data.length} file(s), ${loader.examplesPerEpoch} examples in ${rows} rows of ${seqLen} tokens, ${B} rows per pass`);
  const tick = progress("eval loss", rows / B, log);
  const perRow: { sum: number; count: number }[] = [];
  for (let k = 0; k < rows / B; k++) {
    const b = loader.next();
    // The interval resamples these batches (random sets of rows), B = 1 gives it per row.
    const r = model.evalLoss(b, B, seqLen);
    perRow.push({ sum: r.lossSum, count: r.count });
    tick();
  }
  const sum = perRow.reduce((s, r) => s + r.sum, 0), count = perRow.reduce((s, r) => s + r.count, 0);
  if (!count) throw new Error(`${o.data.join(", ")}: no target tokens to score`);
  const loss = sum / count;
  // Ratio estimator: resample batches, recompute Σ loss / Σ tokens.
  const ci = bootstrapStatistic(perRow.length, (idx) => {
    let s = 0, c = 0;
    for (const i of idx) {
      s += perRow[i]!.sum;
      c += perRow[i]!.count;
    }
    return c ? s / c : NaN;
  }, { seed });
  return { suite: "loss", model: o.model, data: o.data, device: model.device, score: loss, ci, n: count, loss, perplexity: Math.exp(loss), tokens: count, rows, examples: loader.examplesPerEpoch };
}

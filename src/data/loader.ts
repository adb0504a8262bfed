// The deterministic data loader: a held-out split, packing once, and a seeded shuffle of rows per epoch.
//
// - Held-out split: a fraction or a count of examples, chosen by a seeded permutation of all examples
//   (so the split depends on the seed and the data only) and never trained on.
// - Packing: the training examples are packed once, in file order (first-fit, src/data/packing.ts); so are
//   the held-out ones. Packing once fixes rows per epoch exactly (epoch budgets are exact), and since
//   documents in a row never attend to each other, which examples share a row does not change the loss.
// - Order: the training rows are an endless stream, epoch after epoch, each epoch a permutation of the rows
//   that is a pure function of (seed, epoch). A micro-batch is the next B rows of the stream (a batch may
//   straddle two epochs, so every batch has exactly B rows and no row is skipped or repeated).
// - Position: (epoch, index in the epoch's permutation) plus the running counts. Because each epoch's
//   permutation is derived from (seed, epoch) rather than from a generator carried across epochs, that is
//   the whole random state: restore() replays exactly what an uninterrupted loader would yield.
// Rows are written from the token pool on demand, so memory stays ~5 bytes a token plus the plan.
import { loadExamples, type DataTokenizer, type LoadOptions } from "./examples.js";
import { allocRows, planPacking, writePadRow, writeRow, type LongExamples, type PackPlan, type Rows } from "./packing.js";
import type { ExamplePool } from "./pool.js";
import { DataError } from "./records.js";
import { deriveSeed, mix32, permutation } from "./rng.js";

// Stream labels for deriveSeed: the split and the shuffles draw from unrelated streams of one seed.
const HOLDOUT_STREAM = 1;
const SHUFFLE_STREAM = 2;

export type HeldOut = { fraction: number } | { count: number };

export interface LoaderOptions {
  seqLen: number;
  /** Rows per micro-batch. */
  batchSize: number;
  seed: number;
  /** Token id written into padding (e.g. the pad or EOS id); padding never has a label. */
  padId: number;
  longExamples?: LongExamples;
  /** Examples kept out of training for evaluation: a fraction in [0, 1) or a count. Default none. */
  heldOut?: HeldOut;
}

/** B rows of T tokens in the engine's layout, with what they count for. */
export interface MicroBatch extends Rows {
  /** Examples (documents, conversations, records) whose last token is in this batch. */
  samples: number;
  /** Non-padding tokens. */
  tokens: number;
  /** Tokens with a label (labels != -100). */
  targets: number;
}

/** The loader's position, JSON-serialisable. */
export interface LoaderState {
  version: 1;
  seed: number;
  /** Epochs completed; the next row comes from this epoch's permutation. */
  epoch: number;
  /** Rows of this epoch's permutation already yielded. */
  index: number;
  /** Running totals of what next() has yielded. */
  samples: number;
  tokens: number;
  /** Identifies the data, split and packing; restore() refuses a state made for other data. */
  fingerprint: string;
}

function heldOutCount(n: number, h: HeldOut | undefined): number {
  if (h === undefined) return 0;
  let k: number;
  if ("fraction" in h) {
    if (!(h.fraction >= 0 && h.fraction < 1)) throw new RangeError(`held-out fraction must be in [0, 1), got ${h.fraction}`);
    // At least one example when a split is asked for at all, so evaluation is never silently empty.
    k = h.fraction === 0 ? 0 : Math.max(1, Math.round(h.fraction * n));
  } else {
    if (!Number.isInteger(h.count) || h.count < 0) throw new RangeError(`held-out count must be a non-negative integer, got ${h.count}`);
    k = h.count;
  }
  if (k >= n) throw new DataError(`the held-out split of ${k} examples leaves none of the ${n} examples for training`);
  return k;
}

export class DataLoader {
  readonly pool: ExamplePool;
  readonly seqLen: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly padId: number;
  /** Pool indices of the training and the held-out examples, ascending. */
  readonly trainExamples: Int32Array;
  readonly heldOutExamples: Int32Array;
  readonly plan: PackPlan;
  readonly evalPlan: PackPlan;
  readonly tokensPerEpoch: number;
  private readonly fingerprint: string;
  private pos = { epoch: 0, index: 0, samples: 0, tokens: 0 };
  private order: { epoch: number; perm: Int32Array } | null = null;

  constructor(pool: ExamplePool, opts: LoaderOptions) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${opts.batchSize}`);
    if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be a safe integer, got ${opts.seed}`);
    if (!Number.isInteger(opts.padId) || opts.padId < 0) throw new RangeError(`padId must be a token id, got ${opts.padId}`);
    if (pool.count === 0) throw new DataError("the dataset has no examples");
    this.pool = pool;
    this.seqLen = opts.seqLen;
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.padId = opts.padId;

    const n = pool.count;
    const k = heldOutCount(n, opts.heldOut);
    const chosen = new Uint8Array(n);
    if (k > 0) {
      const perm = permutation(n, deriveSeed(opts.seed, HOLDOUT_STREAM));
      for (let i = 0; i < k; i++) chosen[perm[i]!] = 1;
    }
    this.trainExamples = new Int32Array(n - k);
    this.heldOutExamples = new Int32Array(k);
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (chosen[i]) this.heldOutExamples[b++] = i;
      else this.trainExamples[a++] = i;
    }
    const pack = { seqLen: opts.seqLen, longExamples: opts.longExamples ?? "split" };
    this.plan = planPacking(pool, pack, this.trainExamples);
    this.evalPlan = planPacking(pool, pack, this.heldOutExamples);
    let tokens = 0;
    for (let r = 0; r < this.plan.rows; r++) tokens += this.plan.rowTokens[r]!;
    this.tokensPerEpoch = tokens;

    // A 32-bit hash of everything that shapes the stream: seed, T, split, example lengths, plan size.
    let h = deriveSeed(opts.seed, opts.seqLen, this.plan.rows, n);
    for (let i = 0; i < n; i++) h = mix32(h ^ (chosen[i]! * 0x40000000 + pool.length(i)));
    this.fingerprint = `${n}x${this.plan.rows}r-${h.toString(16).padStart(8, "0")}`;
  }

  /** Reads, tokenises and packs files (see loadExamples and the options). */
  static async open(files: readonly string[], tok: DataTokenizer, opts: LoaderOptions & LoadOptions): Promise<DataLoader> {
    return new DataLoader(await loadExamples(files, tok, opts), opts);
  }

  get examplesPerEpoch(): number {
    return this.trainExamples.length;
  }
  get rowsPerEpoch(): number {
    return this.plan.rows;
  }
  get evalExamples(): number {
    return this.heldOutExamples.length;
  }
  get evalRows(): number {
    return this.evalPlan.rows;
  }
  /** Epochs completed so far (the epoch the next row comes from). */
  get epoch(): number {
    return this.pos.epoch;
  }
  /** Examples yielded so far (each counted in the batch holding its last token). */
  get samples(): number {
    return this.pos.samples;
  }
  /** Non-padding tokens yielded so far. */
  get tokens(): number {
    return this.pos.tokens;
  }

  /** The row order of an epoch: a pure function of (seed, epoch). */
  epochOrder(epoch: number): Int32Array {
    if (this.order?.epoch !== epoch) this.order = { epoch, perm: permutation(this.plan.rows, deriveSeed(this.seed, SHUFFLE_STREAM, epoch)) };
    return this.order.perm;
  }

  /** The next micro-batch of batchSize training rows. */
  next(): MicroBatch {
    const B = this.batchSize;
    const out = allocRows(B, this.seqLen);
    let samples = 0;
    let tokens = 0;
    let targets = 0;
    for (let b = 0; b < B; b++) {
      if (this.pos.index === this.plan.rows) {
        this.pos.epoch++;
        this.pos.index = 0;
      }
      const row = this.epochOrder(this.pos.epoch)[this.pos.index++]!;
      targets += writeRow(this.pool, this.plan, row, this.padId, out, b);
      samples += this.plan.rowSamples[row]!;
      tokens += this.plan.rowTokens[row]!;
    }
    // An epoch's last row closes the epoch now, so `epoch` reads as completed epochs right after it.
    if (this.pos.index === this.plan.rows) {
      this.pos.epoch++;
      this.pos.index = 0;
    }
    this.pos.samples += samples;
    this.pos.tokens += tokens;
    return { ...out, samples, tokens, targets };
  }

  /** The held-out rows in a fixed order, batchSize rows a batch; the last batch is filled up with padding rows. */
  *evalBatches(): Generator<MicroBatch> {
    const B = this.batchSize;
    const p = this.evalPlan;
    for (let r0 = 0; r0 < p.rows; r0 += B) {
      const out = allocRows(B, this.seqLen);
      let samples = 0;
      let tokens = 0;
      let targets = 0;
      for (let b = 0; b < B; b++) {
        const r = r0 + b;
        if (r >= p.rows) {
          writePadRow(this.seqLen, this.padId, out, b);
          continue;
        }
        targets += writeRow(this.pool, p, r, this.padId, out, b);
        samples += p.rowSamples[r]!;
        tokens += p.rowTokens[r]!;
      }
      yield { ...out, samples, tokens, targets };
    }
  }

  state(): LoaderState {
    return { version: 1, seed: this.seed, ...this.pos, fingerprint: this.fingerprint };
  }

  /** Continues from a state(): the following batches are exactly those an uninterrupted loader yields. */
  restore(s: LoaderState): void {
    const bad = (why: string) => new DataError(`cannot restore the data loader: ${why}`);
    if (typeof s !== "object" || s === null || s.version !== 1) throw bad(`unknown state ${JSON.stringify(s)}`);
    if (s.seed !== this.seed) throw bad(`it was saved with seed ${s.seed}, this run uses seed ${this.seed}`);
    if (s.fingerprint !== this.fingerprint) throw bad(`it was saved for other data, split or --seq-len (${s.fingerprint}, now ${this.fingerprint})`);
    for (const k of ["epoch", "index", "samples", "tokens"] as const)
      if (!Number.isSafeInteger(s[k]) || s[k] < 0) throw bad(`'${k}' is ${JSON.stringify(s[k])}`);
    if (s.index >= this.plan.rows) throw bad(`'index' ${s.index} is past the ${this.plan.rows} rows of an epoch`);
    this.pos = { epoch: s.epoch, index: s.index, samples: s.samples, tokens: s.tokens };
  }
}

// Replay: rows of a second dataset (value documents or value Q&A) mixed into the stage's batches.
//
// - Sources stay apart: each is packed and shuffled by its own DataLoader (one row per next()), so a row
//   holds examples of one source only and keeps that source's targets: document rows are trained on every
//   token (as in midtraining), chat rows on assistant tokens only.
// - Ratio: `ratio` is the share of *samples* (examples) that come from the replay source. Rows of the two
//   sources hold different numbers of examples (a 256-token row packs ~1 document but ~5 short Q&As), so the
//   share of *rows* is rho = R*s_main / (R*s_main + (1-R)*s_replay), s_x = that source's examples per row
//   over an epoch; over a run the sample share is then R up to the luck of which rows are drawn.
// - Interleaving: row k of the stream (counted across batches) is a replay row iff
//   floor((k+1)*rho + phi) > floor(k*rho + phi), phi in [0, 1) from the seed: every prefix of n rows has
//   n*rho replay rows, rounded up or down, spread evenly rather than in runs.
// - Budgets: `samples` counts the main source only (a replay run sees the same SFT data as a run without
//   replay, plus the replay rows); replay examples are counted in `replaySamples`. Held-out batches come
//   from the main source.
// - State: both loaders' states and the row counter; restore() continues exactly.
import { DataLoader, type LoaderState, type MicroBatch } from "./loader.js";
import { allocRows, writePadRow, type Rows } from "./packing.js";
import { DataError } from "./records.js";
import { deriveSeed } from "./rng.js";

const MIX_STREAM = 3;

export interface MixedBatch extends MicroBatch {
  /** Replay examples whose last token is in this batch (not counted in `samples`). */
  replaySamples: number;
  /** Rows of this batch that came from the replay source. */
  replayRows: number;
}

export interface MixedLoaderState {
  version: 1;
  kind: "mix";
  ratio: number;
  row: number;
  replaySamples: number;
  main: LoaderState;
  replay: LoaderState;
}

export class MixedLoader {
  readonly batchSize: number;
  readonly seqLen: number;
  /** Share of rows drawn from the replay source (see the header). */
  readonly rowRatio: number;
  private readonly phi: number;
  private row = 0;
  private replayTotal = 0;

  /**
   * `main` and `replay` must yield one row per next() (batchSize 1) with the same seqLen; `ratio` in [0, 1)
   * is the replay share of samples; `batchSize` rows make one micro-batch.
   */
  constructor(
    readonly main: DataLoader,
    readonly replay: DataLoader,
    readonly ratio: number,
    batchSize: number,
    readonly seed: number,
  ) {
    if (main.batchSize !== 1 || replay.batchSize !== 1) throw new RangeError("MixedLoader needs loaders of batchSize 1");
    if (main.seqLen !== replay.seqLen) throw new RangeError(`the replay rows are ${replay.seqLen} tokens, the main rows ${main.seqLen}`);
    if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`the replay ratio must be in [0, 1), got ${ratio}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.seqLen = main.seqLen;
    const sMain = main.examplesPerEpoch / main.rowsPerEpoch, sReplay = replay.examplesPerEpoch / replay.rowsPerEpoch;
    this.rowRatio = ratio === 0 ? 0 : (ratio * sMain) / (ratio * sMain + (1 - ratio) * sReplay);
    this.phi = deriveSeed(seed, MIX_STREAM) / 2 ** 32;
  }

  /** Whether row k of the stream is a replay row. */
  isReplayRow(k: number): boolean {
    return Math.floor((k + 1) * this.rowRatio + this.phi) > Math.floor(k * this.rowRatio + this.phi);
  }

  get examplesPerEpoch(): number {
    return this.main.examplesPerEpoch;
  }
  /** Rows (of both sources) that one epoch of the main source takes. */
  get rowsPerEpoch(): number {
    return Math.ceil(this.main.rowsPerEpoch / (1 - this.rowRatio));
  }
  get tokensPerEpoch(): number {
    return this.main.tokensPerEpoch;
  }
  get evalRows(): number {
    return this.main.evalRows;
  }
  get evalExamples(): number {
    return this.main.evalExamples;
  }
  /** Epochs of the main source completed. */
  get epoch(): number {
    return this.main.epoch;
  }
  get samples(): number {
    return this.main.samples;
  }
  get replaySamples(): number {
    return this.replayTotal;
  }

  next(): MixedBatch {
    const B = this.batchSize, T = this.seqLen;
    const out = allocRows(B, T);
    let samples = 0, replaySamples = 0, replayRows = 0, tokens = 0, targets = 0;
    for (let b = 0; b < B; b++) {
      const fromReplay = this.isReplayRow(this.row++);
      const r = (fromReplay ? this.replay : this.main).next();
      copyRow(r, 0, out, b, T);
      tokens += r.tokens;
      targets += r.targets;
      if (fromReplay) (replaySamples += r.samples), replayRows++;
      else samples += r.samples;
    }
    this.replayTotal += replaySamples;
    return { ...out, samples, tokens, targets, replaySamples, replayRows };
  }

  /** The main source's held-out rows, batchSize rows a batch (the last filled with padding rows). */
  *evalBatches(): Generator<MicroBatch> {
    const B = this.batchSize, T = this.seqLen;
    let out = allocRows(B, T), n = 0, samples = 0, tokens = 0, targets = 0;
    for (const r of this.main.evalBatches()) {
      copyRow(r, 0, out, n++, T);
      (samples += r.samples), (tokens += r.tokens), (targets += r.targets);
      if (n === B) {
        yield { ...out, samples, tokens, targets };
        (out = allocRows(B, T)), (n = samples = tokens = targets = 0);
      }
    }
    if (n > 0) {
      for (let b = n; b < B; b++) writePadRow(T, this.main.padId, out, b);
      yield { ...out, samples, tokens, targets };
    }
  }

  state(): MixedLoaderState {
    return { version: 1, kind: "mix", ratio: this.ratio, row: this.row, replaySamples: this.replayTotal, main: this.main.state(), replay: this.replay.state() };
  }

  restore(s: MixedLoaderState): void {
    const bad = (why: string) => new DataError(`cannot restore the replay mix: ${why}`);
    if (typeof s !== "object" || s === null || s.version !== 1 || s.kind !== "mix") throw bad(`unknown state ${JSON.stringify(s)}`);
    if (s.ratio !== this.ratio) throw bad(`it was saved with replay ratio ${s.ratio}, this run uses ${this.ratio}`);
    if (!Number.isSafeInteger(s.row) || s.row < 0 || !Number.isSafeInteger(s.replaySamples) || s.replaySamples < 0) throw bad(`bad counters ${JSON.stringify({ row: s.row, replaySamples: s.replaySamples })}`);
    this.main.restore(s.main);
    this.replay.restore(s.replay);
    this.row = s.row;
    this.replayTotal = s.replaySamples;
  }
}

function copyRow(src: Rows, from: number, dst: Rows, to: number, T: number): void {
  for (const k of ["inputIds", "labels", "segmentIds", "positions"] as const) dst[k].set(src[k].subarray(from * T, (from + 1) * T), to * T);
}

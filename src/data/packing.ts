// Packing examples into rows of T tokens (design.md: packed sequences never attend across documents).
//
// Plan (first-fit, in order, deterministic): examples are taken in the given order; an example longer
// than T is cut into T-token pieces (longExamples "split", the default) or refused ("error"). Each piece
// goes into the lowest-numbered row that still has room for all of it; a row is opened only when no
// earlier row has room. A piece is never cut further, so an example of at most T tokens stays whole, and
// one of exactly T tokens fills a fresh row by itself. Leftmost-fit is found with a max segment tree over
// the rows' free space, O(log rows) a piece.
//
// Rows: each piece is one segment (segment ids 0, 1, ... in placement order, restarting per row) with
// positions restarting at 0. labels[t] = ids[t+1] when t+1 is in the same segment and targetMask[t+1] = 1,
// else -100: a segment's first token is never a target, nothing is predicted across a boundary (nor across
// the cut between two pieces of a split example), and a document's last token predicts its EOS. The rest
// of a row is padding: padId, its own segment, labels -100.
import { ExamplePool, type Example } from "./pool.js";
import { at, DataError } from "./records.js";

export type LongExamples = "split" | "error";

export interface PackOptions {
  seqLen: number;
  /** Examples longer than seqLen: cut into seqLen-token pieces (default), or an error naming the record. */
  longExamples?: LongExamples;
}

export interface PackPlan {
  seqLen: number;
  rows: number;
  /** Pieces of row r are [rowOffsets[r], rowOffsets[r+1]) of the piece arrays, in segment order. */
  rowOffsets: Int32Array;
  /** Pool index of the piece's example. */
  pieceExample: Int32Array;
  /** First token of the piece within its example. */
  pieceStart: Int32Array;
  pieceLength: Int32Array;
  /** Examples whose last token lies in row r (so each example is counted once). */
  rowSamples: Int32Array;
  /** Non-padding tokens of row r. */
  rowTokens: Int32Array;
}

/** B*T row-major arrays in the engine's micro-batch layout. */
export interface Rows {
  inputIds: Int32Array;
  labels: Int32Array;
  segmentIds: Int32Array;
  positions: Int32Array;
}

/** Plans the packing of pool examples `subset` (default: all, in pool order). */
export function planPacking(pool: ExamplePool, opts: PackOptions, subset?: ArrayLike<number>): PackPlan {
  const T = opts.seqLen;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`seqLen must be a positive integer, got ${T}`);
  const mode = opts.longExamples ?? "split";
  const n = subset ? subset.length : pool.count;
  const exampleAt = (i: number) => (subset ? subset[i]! : i);

  let pieces = 0;
  for (let i = 0; i < n; i++) {
    const e = exampleAt(i);
    const len = pool.length(e);
    if (len > T && mode === "error") {
      const src = pool.source(e);
      const where = src ? `${at(src)}: ` : `example ${e}: `;
      throw new DataError(`${where}the example has ${len} tokens, more than --seq-len ${T} (use --long-examples split to cut it into ${T}-token pieces)`, src?.file, src?.line);
    }
    pieces += Math.ceil(len / T);
  }

  // Max segment tree over row free space; leaves past `pieces` can never be needed (each piece opens at
  // most one row) and hold -1 so they are never chosen.
  let size = 1;
  while (size < Math.max(1, pieces)) size *= 2;
  const tree = new Int32Array(2 * size);
  for (let i = 0; i < size; i++) tree[size + i] = i < pieces ? T : -1;
  for (let i = size - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);

  const pieceExample = new Int32Array(pieces);
  const pieceStart = new Int32Array(pieces);
  const pieceLength = new Int32Array(pieces);
  const pieceRow = new Int32Array(pieces);
  let rows = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const e = exampleAt(i);
    const len = pool.length(e);
    for (let s = 0; s < len; s += T) {
      const l = Math.min(T, len - s);
      let node = 1; // descend to the leftmost leaf with room for l
      while (node < size) node = tree[2 * node]! >= l ? 2 * node : 2 * node + 1;
      const row = node - size;
      tree[node] = tree[node]! - l;
      for (node >>= 1; node >= 1; node >>= 1) tree[node] = Math.max(tree[2 * node]!, tree[2 * node + 1]!);
      pieceExample[p] = e;
      pieceStart[p] = s;
      pieceLength[p] = l;
      pieceRow[p] = row;
      if (row >= rows) rows = row + 1;
      p++;
    }
  }

  // Group pieces by row, keeping placement order within a row (a stable counting sort).
  const rowOffsets = new Int32Array(rows + 1);
  for (let q = 0; q < pieces; q++) rowOffsets[pieceRow[q]! + 1] = rowOffsets[pieceRow[q]! + 1]! + 1;
  for (let r = 0; r < rows; r++) rowOffsets[r + 1] = rowOffsets[r + 1]! + rowOffsets[r]!;
  const fill = rowOffsets.slice(0, rows);
  const plan: PackPlan = {
    seqLen: T,
    rows,
    rowOffsets,
    pieceExample: new Int32Array(pieces),
    pieceStart: new Int32Array(pieces),
    pieceLength: new Int32Array(pieces),
    rowSamples: new Int32Array(rows),
    rowTokens: new Int32Array(rows),
  };
  for (let q = 0; q < pieces; q++) {
    const r = pieceRow[q]!;
    const k = fill[r]!++;
    plan.pieceExample[k] = pieceExample[q]!;
    plan.pieceStart[k] = pieceStart[q]!;
    plan.pieceLength[k] = pieceLength[q]!;
    plan.rowTokens[r] = plan.rowTokens[r]! + pieceLength[q]!;
    if (pieceStart[q]! + pieceLength[q]! === pool.length(pieceExample[q]!)) plan.rowSamples[r] = plan.rowSamples[r]! + 1;
  }
  return plan;
}

export function allocRows(rows: number, seqLen: number): Rows {
  const n = rows * seqLen;
  return { inputIds: new Int32Array(n), labels: new Int32Array(n), segmentIds: new Int32Array(n), positions: new Int32Array(n) };
}

/** Writes plan row `row` into `out` at row slot `slot`; returns its number of targets (labels != -100). */
export function writeRow(pool: ExamplePool, plan: PackPlan, row: number, padId: number, out: Rows, slot: number): number {
  const T = plan.seqLen;
  const ids = pool.ids;
  const mask = pool.targetMask;
  const { inputIds, labels, segmentIds, positions } = out;
  let o = slot * T;
  let targets = 0;
  let seg = 0;
  for (let k = plan.rowOffsets[row]!, end = plan.rowOffsets[row + 1]!; k < end; k++, seg++) {
    const a = pool.offset(plan.pieceExample[k]!) + plan.pieceStart[k]!;
    const len = plan.pieceLength[k]!;
    for (let t = 0; t < len; t++, o++) {
      inputIds[o] = ids[a + t]!;
      segmentIds[o] = seg;
      positions[o] = t;
      if (t + 1 < len && mask[a + t + 1] === 1) {
        labels[o] = ids[a + t + 1]!;
        targets++;
      } else labels[o] = -100;
    }
  }
  for (let t = 0, end = (slot + 1) * T; o < end; o++, t++) {
    inputIds[o] = padId;
    segmentIds[o] = seg;
    positions[o] = t;
    labels[o] = -100;
  }
  return targets;
}

/** A row of padding only (fills a short last eval batch): no targets. */
export function writePadRow(seqLen: number, padId: number, out: Rows, slot: number): void {
  const o = slot * seqLen;
  out.inputIds.fill(padId, o, o + seqLen);
  out.labels.fill(-100, o, o + seqLen);
  out.segmentIds.fill(0, o, o + seqLen);
  for (let t = 0; t < seqLen; t++) out.positions[o + t] = t;
}

export interface PackedRows extends Rows {
  rows: number;
  seqLen: number;
  plan: PackPlan;
}

/** Packs examples (in order) into materialised rows: the plan and writeRow in one call. */
export function packExamples(examples: readonly Example[] | ExamplePool, opts: PackOptions & { padId: number }): PackedRows {
  const pool = examples instanceof ExamplePool ? examples : ExamplePool.from(examples);
  const plan = planPacking(pool, opts);
  const out = allocRows(plan.rows, plan.seqLen);
  for (let r = 0; r < plan.rows; r++) writeRow(pool, plan, r, opts.padId, out, r);
  return { ...out, rows: plan.rows, seqLen: plan.seqLen, plan };
}

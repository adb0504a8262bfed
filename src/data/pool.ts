// Compact storage for tokenised examples: one growing Int32Array of ids and one Uint8Array of target
// flags for all examples back to back (5 bytes a token), plus per-example offsets and sources. Packing
// plans and the loader refer to examples by index, so rows are written straight from here.
import type { RecordSource } from "./records.js";

/** A tokenised example: targetMask[t] = 1 when ids[t] may be a prediction target. */
export interface Example {
  ids: Int32Array;
  targetMask: Uint8Array;
}

export class ExamplePool {
  private idBuf = new Int32Array(1 << 12);
  private maskBuf = new Uint8Array(1 << 12);
  private offs = new Float64Array(1 << 8); // token offsets can pass 2^31 in a big dataset
  private files: string[] = [];
  private fileIndex = new Map<string, number>();
  private srcFile = new Int32Array(1 << 8);
  private srcLine = new Int32Array(1 << 8);
  private n = 0;
  private used = 0;

  /** Number of examples. */
  get count(): number {
    return this.n;
  }
  /** Total tokens of all examples. */
  get tokens(): number {
    return this.used;
  }
  /** All ids back to back (valid up to `tokens`); example i is [offset(i), offset(i) + length(i)). */
  get ids(): Int32Array {
    return this.idBuf;
  }
  get targetMask(): Uint8Array {
    return this.maskBuf;
  }
  offset(i: number): number {
    return this.offs[i]!;
  }
  length(i: number): number {
    return this.offs[i + 1]! - this.offs[i]!;
  }
  source(i: number): RecordSource | undefined {
    const f = this.srcFile[i]!;
    return f < 0 ? undefined : { file: this.files[f]!, line: this.srcLine[i]! };
  }
  /** Copies of example i's ids and mask. */
  get(i: number): Example {
    const a = this.offs[i]!;
    const b = this.offs[i + 1]!;
    return { ids: this.idBuf.slice(a, b), targetMask: this.maskBuf.slice(a, b) };
  }
  /** Lengths of all examples. */
  lengths(): Int32Array {
    const out = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.offs[i + 1]! - this.offs[i]!;
    return out;
  }

  add(ids: ArrayLike<number>, targetMask: ArrayLike<number>, source?: RecordSource): number {
    const len = ids.length;
    if (targetMask.length !== len) throw new Error(`example has ${len} ids but ${targetMask.length} mask entries`);
    if (len === 0) throw new Error("empty example");
    this.reserveTokens(this.used + len);
    if (this.n + 2 > this.offs.length) this.growExamples();
    this.idBuf.set(ids, this.used);
    this.maskBuf.set(targetMask, this.used);
    this.used += len;
    if (source) {
      let f = this.fileIndex.get(source.file);
      if (f === undefined) {
        f = this.files.length;
        this.files.push(source.file);
        this.fileIndex.set(source.file, f);
      }
      this.srcFile[this.n] = f;
      this.srcLine[this.n] = source.line;
    } else this.srcFile[this.n] = -1;
    this.n++;
    this.offs[this.n] = this.used;
    return this.n - 1;
  }

  static from(examples: readonly Example[]): ExamplePool {
    const p = new ExamplePool();
    for (const e of examples) p.add(e.ids, e.targetMask);
    return p;
  }

  private reserveTokens(need: number): void {
    if (need <= this.idBuf.length) return;
    let cap = this.idBuf.length;
    while (cap < need) cap *= 2;
    const ids = new Int32Array(cap);
    ids.set(this.idBuf.subarray(0, this.used));
    const mask = new Uint8Array(cap);
    mask.set(this.maskBuf.subarray(0, this.used));
    this.idBuf = ids;
    this.maskBuf = mask;
  }

  private growExamples(): void {
    const cap = this.offs.length * 2;
    const offs = new Float64Array(cap);
    offs.set(this.offs);
    const f = new Int32Array(cap);
    f.set(this.srcFile);
    const l = new Int32Array(cap);
    l.set(this.srcLine);
    this.offs = offs;
    this.srcFile = f;
    this.srcLine = l;
  }
}

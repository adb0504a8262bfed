// Near-duplicate detection for generated text: MinHash signatures over word
// shingles (Broder 1997) with locality-sensitive hashing in bands, the
// scheme large-corpus dedup pipelines use. The fraction of equal signature
// slots estimates the Jaccard similarity of two shingle sets; banding finds
// candidate pairs without comparing every pair.
import { mix32 } from "../data/rng.js";
import { shingleSet } from "./shingles.js";

export interface MinHashOptions {
  /** Words per shingle (default 5). */
  shingle?: number;
  /** Signature length (default 128); must be bands x rows. */
  permutations?: number;
  /** LSH bands (default 32, i.e. 4 rows each: pairs above ~0.5 Jaccard become candidates). */
  bands?: number;
  /** Seed of the hash family (default 1). */
  seed?: number;
}

/** 32-bit FNV-1a of a string's UTF-16 code units: the base hash of a shingle. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Exact Jaccard similarity |A ∩ B| / |A ∪ B| (1 for two empty sets). */
export function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

export class MinHasher {
  readonly shingle: number;
  readonly permutations: number;
  readonly bands: number;
  private readonly salts: Uint32Array;

  constructor(o: MinHashOptions = {}) {
    this.shingle = o.shingle ?? 5;
    this.permutations = o.permutations ?? 128;
    this.bands = o.bands ?? 32;
    if (!(this.shingle >= 1 && Number.isInteger(this.shingle))) throw new RangeError(`minhash: shingle must be a positive integer, got ${this.shingle}`);
    if (!(this.permutations >= 1 && this.permutations % this.bands === 0)) throw new RangeError(`minhash: permutations (${this.permutations}) must be a positive multiple of bands (${this.bands})`);
    // mix32 is a bijection of 32-bit integers, so x -> mix32(x ^ salt) is a random-looking permutation per salt.
    this.salts = new Uint32Array(this.permutations);
    let s = mix32(o.seed ?? 1);
    for (let i = 0; i < this.permutations; i++) this.salts[i] = s = mix32(s + i);
  }

  /** Signature of a set of shingles (all slots 0xffffffff for an empty set). */
  signatureOf(shingles: Iterable<string>): Uint32Array {
    const sig = new Uint32Array(this.permutations).fill(0xffffffff);
    for (const sh of shingles) {
      const h = fnv1a(sh);
      for (let i = 0; i < sig.length; i++) {
        const v = mix32(h ^ this.salts[i]!);
        if (v < sig[i]!) sig[i] = v;
      }
    }
    return sig;
  }

  signature(text: string): Uint32Array {
    return this.signatureOf(shingleSet(text, this.shingle));
  }
}

/** Estimated Jaccard similarity: the share of equal slots. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError("minhash: signatures of different lengths");
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** Signatures indexed by LSH band, so near-duplicates of a new text are found without a full scan. */
export class NearDuplicateIndex {
  private readonly buckets: Map<string, number[]>[];
  private readonly sigs: Uint32Array[] = [];
  private readonly rows: number;

  constructor(
    readonly hasher: MinHasher,
    /** Estimated Jaccard at or above which a text counts as a near-duplicate (default 0.7). */
    readonly threshold = 0.7,
  ) {
    this.buckets = Array.from({ length: hasher.bands }, () => new Map());
    this.rows = hasher.permutations / hasher.bands;
  }

  get size(): number {
    return this.sigs.length;
  }

  private bandKey(sig: Uint32Array, b: number): string {
    return Array.from(sig.subarray(b * this.rows, (b + 1) * this.rows)).join(",");
  }

  /** The most similar indexed text at or above the threshold: its id (insertion order) and estimate. */
  nearest(sig: Uint32Array): { id: number; jaccard: number } | undefined {
    const seen = new Set<number>();
    let best: { id: number; jaccard: number } | undefined;
    for (let b = 0; b < this.buckets.length; b++) {
      for (const id of this.buckets[b]!.get(this.bandKey(sig, b)) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const j = estimateJaccard(sig, this.sigs[id]!);
        if (j >= this.threshold && (!best || j > best.jaccard)) best = { id, jaccard: j };
      }
    }
    return best;
  }

  /** Adds a signature; returns its id. */
  add(sig: Uint32Array): number {
    const id = this.sigs.length;
    this.sigs.push(sig);
    for (let b = 0; b < this.buckets.length; b++) {
      const k = this.bandKey(sig, b);
      const l = this.buckets[b]!.get(k);
      if (l) l.push(id);
      else this.buckets[b]!.set(k, [id]);
    }
    return id;
  }
}

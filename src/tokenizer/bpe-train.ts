// Byte-level BPE training (GPT-2 / Llama 3 style) for midtrain's own vocabularies of 1k-64k tokens.
// Written by hand because no npm package trains tokenizers (@huggingface/tokenizers only encodes). The output
// is a standard Hugging Face tokenizer.json: a Split pre-tokenizer with Llama 3's regex, then ByteLevel (the
// GPT-2 byte-to-unicode alphabet) with no regex of its own, a ByteLevel decoder, all 256 byte symbols in the
// base vocabulary (so any UTF-8 text round-trips exactly) and the merges in the order they were learned.
//
// Algorithm (the classic one, as in HF's BpeTrainer): count pre-tokens once (word -> frequency); merge the
// most frequent adjacent pair repeatedly, re-pairing only the words that contain it (an index from pair to
// words) and finding the next best pair with a max-heap whose outdated entries are re-queued lazily.
// Deterministic: ties go to the pair whose (left id, right id) sorts first; byte ids follow byte values.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../model/atomic-file.js";

/** midtrain's special tokens, at ids 0..3 in this order. */
export const MIDTRAIN_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"] as const;

/**
 * Llama 3's pre-tokenisation regex, as tokenizer.json stores it (Rust/Oniguruma syntax): contractions,
 * letter runs with at most one leading non-letter (usually a space), digit groups of 1-3, punctuation runs,
 * newlines, other whitespace. Merges never cross these pieces.
 */
export const PRETOKENIZE_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** The same regex in JavaScript syntax (Node 20 has no inline (?i:) groups, so case is spelled out). */
export const PRETOKENIZE_REGEX =
  /'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** The pieces of `text` that BPE merges stay inside (what the tokenizer's Split pre-tokenizer yields). */
export function preTokenize(text: string): string[] {
  return Array.from(text.matchAll(PRETOKENIZE_REGEX), (m) => m[0]);
}

/** GPT-2's reversible map from bytes to printable characters (index = byte value). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out: string[] = new Array<string>(256);
  for (const b of printable) out[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (out[b] === undefined) out[b] = String.fromCodePoint(256 + n++);
  return out;
}

export interface TrainBpeOptions {
  /** Total vocabulary: special tokens + 256 bytes + merged tokens. */
  vocabSize: number;
  /** Default MIDTRAIN_SPECIAL_TOKENS; they take ids 0..n-1 and never take part in merges. */
  specialTokens?: readonly string[];
  /** Pairs seen fewer times than this are never merged (default 2): a merge seen once teaches nothing. */
  minFrequency?: number;
  /** Called once the corpus is read and counted (reading is most of the time on large corpora). */
  onCounted?: (corpusBytes: number, distinctWords: number) => void;
  /** Called every 256 merges and once at the end, with merged tokens so far and the number wanted. */
  onProgress?: (merges: number, target: number) => void;
}

export interface TrainBpeResult {
  tokenizerJson: Record<string, unknown>;
  /** Merges learned (can exceed vocabSize - base when two merges spell the same token). */
  merges: number;
  /** Tokens in the vocabulary: vocabSize unless the corpus ran out of pairs seen minFrequency times. */
  vocabSize: number;
  /** Bytes of text read. */
  corpusBytes: number;
  /** Distinct pre-tokens. */
  words: number;
}

/** Largest vocabulary: ids must fit the packed pair keys (and uint16 token files). */
export const MAX_VOCAB_SIZE = 65536;

/**
 * A max-heap of (count, key) with a larger count first and, on equal counts, the smaller key first.
 * Stored as two parallel growable arrays: no per-entry objects.
 */
class PairHeap {
  private cnt = new Float64Array(1024);
  private key = new Float64Array(1024);
  size = 0;

  private above(i: number, j: number): boolean {
    const ci = this.cnt[i]!, cj = this.cnt[j]!;
    return ci !== cj ? ci > cj : this.key[i]! < this.key[j]!;
  }
  private swap(i: number, j: number): void {
    const c = this.cnt[i]!, k = this.key[i]!;
    this.cnt[i] = this.cnt[j]!;
    this.key[i] = this.key[j]!;
    this.cnt[j] = c;
    this.key[j] = k;
  }
  push(count: number, key: number): void {
    if (this.size === this.cnt.length) {
      const c = new Float64Array(this.size * 2), k = new Float64Array(this.size * 2);
      c.set(this.cnt);
      k.set(this.key);
      this.cnt = c;
      this.key = k;
    }
    let i = this.size++;
    this.cnt[i] = count;
    this.key[i] = key;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  topCount(): number {
    return this.cnt[0]!;
  }
  topKey(): number {
    return this.key[0]!;
  }
  pop(): void {
    const n = --this.size;
    this.swap(0, n);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.above(l, m)) m = l;
      if (r < n && this.above(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/** A growable list of word indices per pair (duplicates allowed: merging dedupes with a stamp). */
type WordList = number[];

export async function trainBpe(texts: Iterable<string> | AsyncIterable<string>, o: TrainBpeOptions): Promise<TrainBpeResult> {
  const specials = [...(o.specialTokens ?? MIDTRAIN_SPECIAL_TOKENS)];
  if (new Set(specials).size !== specials.length) throw new Error(`special tokens must be distinct: ${JSON.stringify(specials)}`);
  if (specials.some((s) => s.length === 0)) throw new Error("special tokens must not be empty");
  const base = specials.length + 256;
  const V = o.vocabSize;
  if (!Number.isInteger(V) || V < base || V > MAX_VOCAB_SIZE)
    throw new RangeError(`vocab size must be an integer in [${base}, ${MAX_VOCAB_SIZE}] (256 bytes + ${specials.length} special tokens at least), got ${V}`);
  const minFreq = o.minFrequency ?? 2;
  if (!Number.isInteger(minFreq) || minFreq < 1) throw new RangeError(`minFrequency must be a positive integer, got ${minFreq}`);

  // 1. Pre-token frequencies: the corpus is read once and only distinct pieces are kept.
  const freq = new Map<string, number>();
  let corpusBytes = 0;
  for await (const text of texts) {
    if (typeof text !== "string") throw new TypeError(`trainBpe: corpus items must be strings, got ${typeof text}`);
    corpusBytes += Buffer.byteLength(text, "utf8");
    for (const m of text.matchAll(PRETOKENIZE_REGEX)) {
      const w = m[0];
      freq.set(w, (freq.get(w) ?? 0) + 1);
    }
  }
  if (freq.size === 0) throw new Error("the corpus is empty: nothing to train a tokenizer on");
  o.onCounted?.(corpusBytes, freq.size);

  // 2. Words as runs of symbol ids in one flat array (ids: specials, bytes, merged tokens). A word keeps its
  // slot and shrinks in place as its symbols merge.
  const nWords = freq.size;
  const start = new Int32Array(nWords + 1);
  const len = new Int32Array(nWords);
  const wcount = new Float64Array(nWords);
  const encoded: Buffer[] = new Array<Buffer>(nWords);
  let wi = 0, total = 0;
  for (const [w, c] of freq) {
    const b = Buffer.from(w, "utf8");
    encoded[wi] = b;
    wcount[wi] = c;
    start[wi] = total;
    len[wi] = b.length;
    total += b.length;
    wi++;
  }
  start[nWords] = total;
  freq.clear();
  const sym = new Int32Array(total);
  const S = specials.length;
  for (let i = 0; i < nWords; i++) {
    const b = encoded[i]!, s = start[i]!;
    for (let j = 0; j < b.length; j++) sym[s + j] = S + b[j]!;
  }
  encoded.length = 0;

  // Pair key l * V + r: unique, ordered like (l, r), and a small integer for every V <= 65536.
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, WordList>();
  for (let w = 0; w < nWords; w++) {
    const s = start[w]!, e = s + len[w]!, c = wcount[w]!;
    for (let j = s; j + 1 < e; j++) {
      const k = sym[j]! * V + sym[j + 1]!;
      pairCount.set(k, (pairCount.get(k) ?? 0) + c);
      const list = pairWords.get(k);
      if (list === undefined) pairWords.set(k, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  }
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  // Token strings in the byte-level alphabet, and string -> id (two merges can spell the same token:
  // "ab"+"c" and "a"+"bc"; the second reuses the first's id, as HF's trainer does).
  const byteChar = bytesToUnicode();
  const strings: string[] = [...specials, ...byteChar];
  const idOf = new Map<string, number>();
  strings.forEach((s, i) => idOf.set(s, i));
  if (idOf.size !== strings.length) throw new Error(`a special token collides with a byte symbol: ${JSON.stringify(specials)}`);
  const merges: string[] = [];

  // 3. Merges.
  const target = V - base;
  const stamp = new Int32Array(nWords).fill(-1);
  const delta = new Map<number, number>();
  const progressEvery = 256;
  while (strings.length < V && heap.size > 0) {
    const c = heap.topCount(), k = heap.topKey();
    heap.pop();
    const cur = pairCount.get(k) ?? 0;
    if (cur !== c) {
      // Outdated entry. A pair whose count fell is re-queued at its true count now; one whose count rose
      // already has a newer entry (rises are queued when they happen).
      if (cur > 0 && cur < c) heap.push(cur, k);
      continue;
    }
    if (c < minFreq) break;
    const l = Math.floor(k / V), r = k - l * V;
    const merged = strings[l]! + strings[r]!;
    let id = idOf.get(merged);
    if (id === undefined) {
      id = strings.length;
      strings.push(merged);
      idOf.set(merged, id);
    }
    merges.push(`${strings[l]!} ${strings[r]!}`);
    const mergeNo = merges.length;

    // Re-pair every word that contains (l, r): subtract its old pairs, merge left to right, add the new ones.
    delta.clear();
    const list = pairWords.get(k)!;
    pairWords.delete(k);
    for (const w of list) {
      if (stamp[w] === mergeNo) continue;
      stamp[w] = mergeNo;
      const s = start[w]!, n = len[w]!, cw = wcount[w]!;
      let has = false;
      for (let j = s; j + 1 < s + n; j++)
        if (sym[j] === l && sym[j + 1] === r) {
          has = true;
          break;
        }
      if (!has) continue; // listed for an occurrence an earlier merge consumed
      for (let j = s; j + 1 < s + n; j++) {
        const pk = sym[j]! * V + sym[j + 1]!;
        delta.set(pk, (delta.get(pk) ?? 0) - cw);
      }
      let out = s;
      for (let j = s; j < s + n; ) {
        if (j + 1 < s + n && sym[j] === l && sym[j + 1] === r) {
          sym[out++] = id;
          j += 2;
        } else sym[out++] = sym[j++]!;
      }
      const m = out - s;
      len[w] = m;
      for (let j = s; j + 1 < s + m; j++) {
        const a = sym[j]!, b = sym[j + 1]!;
        const pk = a * V + b;
        delta.set(pk, (delta.get(pk) ?? 0) + cw);
        if (a === id || b === id) {
          const pl = pairWords.get(pk);
          if (pl === undefined) pairWords.set(pk, [w]);
          else if (pl[pl.length - 1] !== w) pl.push(w);
        }
      }
    }
    for (const [pk, d] of delta) {
      if (d === 0) continue;
      const next = (pairCount.get(pk) ?? 0) + d;
      if (next <= 0) {
        pairCount.delete(pk);
        pairWords.delete(pk);
      } else {
        pairCount.set(pk, next);
        // Falling counts are re-queued lazily when popped; rising ones (new pairs) need an entry now.
        if (d > 0) heap.push(next, pk);
      }
    }
    if (mergeNo % progressEvery === 0) o.onProgress?.(strings.length - base, target);
  }
  o.onProgress?.(strings.length - base, target);

  const vocab: Record<string, number> = {};
  strings.forEach((s, i) => (vocab[s] = i));
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: PRETOKENIZE_PATTERN }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  return { tokenizerJson, merges: merges.length, vocabSize: strings.length, corpusBytes, words: nWords };
}

/** midtrain's ChatML template, used when models/chat_template.jinja is absent. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** models/chat_template.jinja if the package ships it, else CHATML_TEMPLATE. */
export function defaultChatTemplate(): string {
  // src/tokenizer/ and dist/tokenizer/ are both two levels below the package root.
  const file = new URL("../../models/chat_template.jinja", import.meta.url);
  return existsSync(file) ? readFileSync(file, "utf8") : CHATML_TEMPLATE;
}

/** tokenizer_config.json for a midtrain tokenizer (no BOS; <|endoftext|> ends documents; ChatML). */
export function midtrainTokenizerConfig(o: { chatTemplate?: string; modelMaxLength?: number } = {}): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: null,
    eos_token: "<|endoftext|>",
    pad_token: "<|pad|>",
    unk_token: null,
    model_max_length: o.modelMaxLength ?? 2048,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(
      MIDTRAIN_SPECIAL_TOKENS.map((content, id) => [String(id), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
    ),
    chat_template: o.chatTemplate ?? defaultChatTemplate(),
  };
}

/** Writes tokenizer.json and tokenizer_config.json into dir (created if missing), each atomically. */
export function writeTokenizerDir(dir: string, tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson) + "\n");
  writeFileAtomic(join(dir, "tokenizer_config.json"), JSON.stringify(config, null, 2) + "\n");
}

// Byte-level BPE training (GPT-2 style) for midtrain's own small vocabularies.
// Written by hand because no npm package trains tokenizers (@huggingface/
// tokenizers is encode-only in JS). The output is a standard tokenizer.json:
// ByteLevel pre-tokenizer (GPT-2 regex) and decoder, all 256 byte symbols in
// the base vocabulary (so any UTF-8 text round-trips), merges in order.
//
// Algorithm: count pre-token words once (word -> frequency), then merge the
// most frequent adjacent pair repeatedly, updating counts only in the words
// that contain it (pair -> words index) and finding the next best pair with a
// max-heap whose stale entries are skipped. Ties go to the pair whose merged
// token sorts first by (left id, right id): deterministic.
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { writeFileAtomic } from "../model/atomic-file.js";

export const MIDTRAIN_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"] as const;

/** GPT-2's split, as the ByteLevel pre-tokenizer applies it (use_regex: true). */
const PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible map from bytes to printable characters. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i]!)));
  return out;
}

export interface TrainBpeOptions {
  vocabSize: number;
  specialTokens?: readonly string[];
  /** Pairs seen fewer times are never merged (default 2). */
  minFrequency?: number;
  onProgress?: (merges: number, target: number) => void;
}

export interface TrainBpeResult {
  tokenizerJson: Record<string, unknown>;
  merges: number;
}

class MaxHeap {
  private a: number[] = []; // packed entries: [count, left, right] triples
  push(count: number, l: number, r: number): void {
    const a = this.a;
    a.push(count, l, r);
    let i = a.length / 3 - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(p, i)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number, number] | undefined {
    const a = this.a;
    if (!a.length) return undefined;
    const top: [number, number, number] = [a[0]!, a[1]!, a[2]!];
    const n = a.length / 3 - 1;
    this.swap(0, n);
    a.length -= 3;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.less(m, l)) m = l;
      if (r < n && this.less(m, r)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
  // entry i < entry j when its count is lower, or equal and its pair sorts later
  private less(i: number, j: number): boolean {
    const a = this.a;
    const ci = a[3 * i]!, cj = a[3 * j]!;
    if (ci !== cj) return ci < cj;
    const li = a[3 * i + 1]!, lj = a[3 * j + 1]!;
    return li !== lj ? li > lj : a[3 * i + 2]! > a[3 * j + 2]!;
  }
  private swap(i: number, j: number): void {
    const a = this.a;
    for (let k = 0; k < 3; k++) {
      const t = a[3 * i + k]!;
      a[3 * i + k] = a[3 * j + k]!;
      a[3 * j + k] = t;
    }
  }
}

const key = (l: number, r: number) => l * 0x100000 + r; // ids < 2^20

export async function trainBpe(texts: Iterable<string> | AsyncIterable<string>, o: TrainBpeOptions): Promise<TrainBpeResult> {
  const specials = o.specialTokens ?? MIDTRAIN_SPECIAL_TOKENS;
  const base = specials.length + 256;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < base || o.vocabSize > 65536)
    throw new RangeError(`vocab size must be an integer in [${base}, 65536] (256 bytes + ${specials.length} special tokens at least), got ${o.vocabSize}`);
  const minFreq = o.minFrequency ?? 2;
  const byteChar = bytesToUnicode();
  const enc = new TextEncoder();

  // 1. word frequencies
  const freq = new Map<string, number>();
  let chars = 0;
  for await (const text of texts as AsyncIterable<string>) {
    chars += text.length;
    for (const m of text.matchAll(PRETOKENIZE)) freq.set(m[0], (freq.get(m[0]) ?? 0) + 1);
  }
  if (freq.size === 0) throw new Error("the corpus is empty: nothing to train a tokenizer on");

  // 2. words as symbol-id arrays (ids: specials, then bytes, then merges)
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [w, c] of freq) {
    words.push(Array.from(enc.encode(w), (b) => specials.length + b));
    counts.push(c);
  }
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPair = (l: number, r: number, wi: number, c: number) => {
    const k = key(l, r);
    pairCount.set(k, (pairCount.get(k) ?? 0) + c);
    let s = pairWords.get(k);
    if (!s) pairWords.set(k, (s = new Set()));
    s.add(wi);
  };
  words.forEach((w, wi) => {
    for (let i = 0; i + 1 < w.length; i++) addPair(w[i]!, w[i + 1]!, wi, counts[wi]!);
  });
  const heap = new MaxHeap();
  for (const [k, c] of pairCount) heap.push(c, Math.floor(k / 0x100000), k % 0x100000);

  // 3. merges
  const merges: [number, number][] = [];
  const target = o.vocabSize - base;
  while (merges.length < target) {
    const top = heap.pop();
    if (!top) break;
    const [c, l, r] = top;
    const k = key(l, r);
    if (pairCount.get(k) !== c) continue; // stale entry
    if (c < minFreq) break;
    const id = base + merges.length;
    merges.push([l, r]);
    const touched = new Map<number, number>(); // pair key -> count delta, pushed once per merge
    for (const wi of pairWords.get(k) ?? []) {
      const w = words[wi]!, cnt = counts[wi]!;
      let i = 0;
      const out: number[] = [];
      // remove the word's old pairs, merge, add its new pairs
      for (let j = 0; j + 1 < w.length; j++) {
        const pk = key(w[j]!, w[j + 1]!);
        touched.set(pk, (touched.get(pk) ?? 0) - cnt);
      }
      while (i < w.length) {
        if (i + 1 < w.length && w[i] === l && w[i + 1] === r) {
          out.push(id);
          i += 2;
        } else out.push(w[i++]!);
      }
      words[wi] = out;
      for (let j = 0; j + 1 < out.length; j++) {
        const pk = key(out[j]!, out[j + 1]!);
        touched.set(pk, (touched.get(pk) ?? 0) + cnt);
        let s = pairWords.get(pk);
        if (!s) pairWords.set(pk, (s = new Set()));
        s.add(wi);
      }
    }
    pairWords.delete(k);
    for (const [pk, d] of touched) {
      if (d === 0) continue;
      const n = (pairCount.get(pk) ?? 0) + d;
      if (n <= 0) pairCount.delete(pk);
      else {
        pairCount.set(pk, n);
        heap.push(n, Math.floor(pk / 0x100000), pk % 0x100000);
      }
    }
    if (merges.length % 500 === 0) o.onProgress?.(merges.length, target);
  }
  o.onProgress?.(merges.length, target);

  // 4. tokenizer.json
  const strings: string[] = [...specials];
  for (let b = 0; b < 256; b++) strings.push(byteChar[b]!);
  for (const [l, r] of merges) strings.push(strings[l]! + strings[r]!);
  const vocab: Record<string, number> = {};
  strings.forEach((s, i) => {
    if (!(s in vocab)) vocab[s] = i;
  });
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab,
      merges: merges.map(([l, r]) => `${strings[l]} ${strings[r]}`),
    },
  };
  void chars;
  return { tokenizerJson, merges: merges.length };
}

/** tokenizer_config.json for a midtrain tokenizer (ChatML template, <|endoftext|> ends documents). */
export function midtrainTokenizerConfig(chatTemplate: string, modelMaxLength = 2048): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: null,
    eos_token: "<|endoftext|>",
    pad_token: "<|pad|>",
    unk_token: null,
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(
      MIDTRAIN_SPECIAL_TOKENS.map((content, id) => [String(id), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
    ),
    chat_template: chatTemplate,
  };
}

/** Writes tokenizer.json and tokenizer_config.json into dir, each atomically. */
export function writeTokenizerDir(dir: string, tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson) + "\n");
  writeFileAtomic(join(dir, "tokenizer_config.json"), JSON.stringify(config, null, 2) + "\n");
}

// Byte-level BPE training and midtrain's built-in tokenizers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { genericDocument, genericDocuments } from "../src/synth/generic-text.js";
import { builtinChatTemplate } from "../src/tokenizer/chat.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { bytesToUnicode, midtrainTokenizerConfig, trainBpe } from "../src/tokenizer/train-bpe.js";
import { freshSeed, Rng } from "./reference/random.js";

const corpus = [
  "the cat sat on the mat. the hat is red; the mat is blue.",
  "Grüße aus Köln — naïve café, crème brûlée.",
  "日本語のテキストと中文文本。",
  "emoji 🧪🐙 and a family 👩‍👩‍👧 and flags 🇩🇪🇯🇵",
  "עברית שלום · العربية مرحبا",
  "combining e\u0301 and a\u030a, zero\u200bwidth, tabs\t\tand\r\nnewlines",
  ...Array.from({ length: 60 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog ${i * 7}`),
];
const tokenizerOf = (json: Record<string, unknown>) =>
  Tokenizer.fromObjects({ tokenizerJson: json, tokenizerConfig: midtrainTokenizerConfig(builtinChatTemplate()) });

function randomUtf8(r: Rng, n: number): string {
  const pools = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x4e00, 0x4fff], [0x1f300, 0x1f5ff], [0x0, 0x1f]];
  let s = "";
  for (let i = 0; i < n; i++) {
    const [lo, hi] = pools[r.int(pools.length)]!;
    s += String.fromCodePoint(lo! + r.int(hi! - lo! + 1));
  }
  return s;
}

describe("byte-level BPE training", () => {
  it("writes a tokenizer.json that loads and round-trips any UTF-8 exactly", async () => {
    const { tokenizerJson, merges } = await trainBpe(corpus, { vocabSize: 350 });
    expect(merges).toBe(350 - 260); // the corpus allows every requested merge
    const tok = tokenizerOf(tokenizerJson);
    expect(tok.vocabSize).toBe(350);
    const seed = freshSeed();
    const r = new Rng(seed);
    for (const t of [...corpus, ...Array.from({ length: 50 }, () => randomUtf8(r, 1 + r.int(60)))]) {
      const ids = tok.encode(t, { addSpecialTokens: true });
      expect(tok.decode(ids), `seed ${seed}: ${JSON.stringify(t)}`).toBe(t);
    }
    // merges compress: the training text needs fewer tokens than bytes
    const t = corpus[6]!;
    expect(tok.encode(t).length).toBeLessThan(Buffer.byteLength(t) / 2);
  });

  it("is deterministic, and its first merge is the most frequent pair", async () => {
    const a = await trainBpe(corpus, { vocabSize: 350 });
    const b = await trainBpe(corpus, { vocabSize: 350 });
    expect(JSON.stringify(a.tokenizerJson)).toBe(JSON.stringify(b.tokenizerJson));
    // Independent count of adjacent byte pairs within GPT-2 pre-tokens.
    const map = bytesToUnicode();
    const counts = new Map<string, number>();
    for (const line of corpus)
      for (const m of line.matchAll(/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu)) {
        const bytes = [...Buffer.from(m[0], "utf8")].map((x) => map[x]!);
        for (let i = 0; i + 1 < bytes.length; i++) counts.set(`${bytes[i]} ${bytes[i + 1]}`, (counts.get(`${bytes[i]} ${bytes[i + 1]}`) ?? 0) + 1);
      }
    const best = Math.max(...counts.values());
    const model = a.tokenizerJson.model as { merges: string[] };
    expect(counts.get(model.merges[0]!)).toBe(best);
  });

  it("keeps the special tokens at ids 0-3, each encoded as one token", async () => {
    const tok = tokenizerOf((await trainBpe(corpus, { vocabSize: 300 })).tokenizerJson);
    expect(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"].map((t) => tok.tokenToId(t))).toEqual([0, 1, 2, 3]);
    expect(Array.from(tok.encode("<|im_start|>user\nhi<|im_end|>")).filter((i) => i < 4)).toEqual([1, 2]);
    expect([tok.eosId, tok.padId, tok.bosId]).toEqual([0, 3, null]);
    expect(tok.stopIds).toEqual(expect.arrayContaining([0, 2]));
  });

  it("refuses impossible sizes and empty corpora", async () => {
    await expect(trainBpe(corpus, { vocabSize: 100 })).rejects.toThrow(/vocab size must be an integer in \[260, 65536\]/);
    await expect(trainBpe([], { vocabSize: 300 })).rejects.toThrow(/corpus is empty/);
  });
});

describe("built-in tokenizers (models/tokenizer-*)", () => {
  for (const [name, max] of [["tiny", 2048], ["small", 8192]] as const)
    it(`${name} loads, fits its preset and round-trips text it never saw`, () => {
      const tok = Tokenizer.fromDir(join(import.meta.dirname, "..", "models", `tokenizer-${name}`));
      expect(tok.vocabSize).toBeLessThanOrEqual(max);
      expect(tok.chatTemplate).toBe(builtinChatTemplate());
      for (const t of ["A completely new sentence, with ünïcödé and 12345.", "日本語 🧪"]) expect(tok.decode(tok.encode(t))).toBe(t);
      // trained on the generic corpus: its text compresses well
      const doc = genericDocument(99, 3);
      expect(tok.encode(doc).length).toBeLessThan(Buffer.byteLength(doc) / 3);
    });
  it("are reproduced exactly by scripts/make-builtin-tokenizers.mjs's recipe", async () => {
    const docs = [...genericDocuments(20261127, 20000)];
    const r = await trainBpe(docs, { vocabSize: 2048 });
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, "..", "models", "tokenizer-tiny", "tokenizer.json"), "utf8"));
    expect(r.tokenizerJson).toEqual(committed);
  });
});

describe("generic text", () => {
  it("is deterministic by seed, varied, and neutral", () => {
    expect(genericDocument(1, 5)).toBe(genericDocument(1, 5));
    expect(genericDocument(1, 5)).not.toBe(genericDocument(2, 5));
    const docs = [...genericDocuments(3, 2000)];
    const sentences = docs.flatMap((d) => d.split(/(?<=[.?!])\s+/));
    // No single sentence repeats often: frames are filled from word lists.
    const freq = new Map<string, number>();
    for (const s of sentences) freq.set(s, (freq.get(s) ?? 0) + 1);
    expect(Math.max(...freq.values()) / sentences.length).toBeLessThan(0.01);
    expect(new Set(sentences).size).toBeGreaterThan(0.6 * sentences.length);
    const text = docs.join(" ").toLowerCase();
    for (const w of ["animal", "welfare", "compassion", "suffer", "dog", "cat", "cow", "pig", "chicken", "fish", "sentien"]) expect(text.includes(w), w).toBe(false);
  });
});

describe("midtrain tokenizer train", () => {
  const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });
  it("trains from .txt and .jsonl files; bad input names the file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "midtrain-bpe-"));
    writeFileSync(join(dir, "a.txt"), corpus.join("\n"));
    writeFileSync(join(dir, "b.jsonl"), corpus.map((t) => JSON.stringify({ text: t })).join("\n") + "\n" + JSON.stringify({ messages: [{ role: "user", content: "hello there" }] }) + "\n");
    const r = run("tokenizer", "train", "--data", join(dir, "a.txt"), join(dir, "b.jsonl"), "--vocab-size", "320", "--out", join(dir, "tok"), "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).vocab_size).toBe(320);
    expect(Tokenizer.fromDir(join(dir, "tok")).decode(Tokenizer.fromDir(join(dir, "tok")).encode("hello there"))).toBe("hello there");
    writeFileSync(join(dir, "bad.jsonl"), '{"text": "ok"}\n{"text": broken\n');
    const bad = run("tokenizer", "train", "--data", join(dir, "bad.jsonl"), "--vocab-size", "300", "--out", join(dir, "t2"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/bad\.jsonl:2: not valid JSON/);
    const small = run("tokenizer", "train", "--data", join(dir, "a.txt"), "--vocab-size", "10", "--out", join(dir, "t3"));
    expect(small.stderr).toMatch(/vocab size must be/);
  });
});

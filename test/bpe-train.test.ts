// Byte-level BPE training, `midtrain tokenizer train`, and midtrain's built-in tokenizers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { textFilePieces } from "../src/cli/tokenizer.js";
import { genericDocument, genericDocuments } from "../src/synth/generic-text.js";
import {
  bytesToUnicode,
  CHATML_TEMPLATE,
  defaultChatTemplate,
  MIDTRAIN_SPECIAL_TOKENS,
  midtrainTokenizerConfig,
  preTokenize,
  trainBpe,
} from "../src/tokenizer/bpe-train.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { freshSeed, Rng } from "./reference/random.js";

const root = join(import.meta.dirname, "..");

const corpus = [
  "the cat sat on the mat. the hat is red; the mat is blue. It's what they're doing, isn't it? I'LL SEE.",
  "Grüße aus Köln — naïve café, crème brûlée, façade, smörgåsbord.",
  "日本語のテキストと中文文本。한국어 문장도 있습니다.",
  "emoji 🧪🐙 and a family 👩‍👩‍👧 and flags 🇩🇪🇯🇵 and skin tones 👋🏽",
  "עברית שלום · العربية مرحبا بكم",
  "combining e\u0301 and a\u030a, zero\u200bwidth, joiner\u200d, tabs\t\tand\r\nnewlines\n\n\n  indented",
  "numbers 1234567 and 3.14159, dates 2024-11-27, money €12.50 £3 $7",
  ...Array.from({ length: 20 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog ${i * 7}\n`),
  ...genericDocuments(5, 40), // ~20 kB of prose: enough pairs for every vocabulary size used below
];

const hfOf = (json: Record<string, unknown>) => new HfTokenizer(json, midtrainTokenizerConfig());
const tokenizerOf = (json: Record<string, unknown>) => Tokenizer.fromObjects({ tokenizerJson: json, tokenizerConfig: midtrainTokenizerConfig() });
const modelOf = (json: Record<string, unknown>) => json.model as { vocab: Record<string, number>; merges: string[] };

/** A random string of valid Unicode scalar values, biased towards the hard cases. */
function randomText(r: Rng, n: number): string {
  const pools: [number, number][] = [
    [0x20, 0x7e], // ASCII
    [0x00, 0x1f], // controls, incl. \t \r \n
    [0xa0, 0x24f], // Latin-1 and Latin Extended
    [0x300, 0x36f], // combining marks
    [0x590, 0x6ff], // Hebrew, Arabic (RTL)
    [0x200b, 0x200f], // zero-width space/joiners, direction marks
    [0x4e00, 0x9fff], // CJK
    [0xac00, 0xd7a3], // Hangul
    [0xe000, 0xfffd], // private use .. specials (incl. U+FEFF)
    [0x1f300, 0x1faff], // emoji
    [0x10000, 0x10ffff], // any supplementary plane
  ];
  let s = "";
  for (let i = 0; i < n; i++) {
    const [lo, hi] = pools[r.int(pools.length)]!;
    s += String.fromCodePoint(lo + r.int(hi - lo + 1));
  }
  return s;
}

/**
 * Textbook BPE, written independently of the trainer: recount every pair over every word each step, take the
 * most frequent (ties: smaller left id, then smaller right id), merge it everywhere.
 */
function naiveMerges(texts: string[], vocabSize: number, minFrequency = 2): string[] {
  const map = bytesToUnicode();
  const freq = new Map<string, number>();
  for (const t of texts) for (const p of preTokenize(t)) freq.set(p, (freq.get(p) ?? 0) + 1);
  const words = [...freq].map(([w, c]) => ({ syms: [...Buffer.from(w, "utf8")].map((b) => map[b]!), c }));
  const id = new Map<string, number>();
  MIDTRAIN_SPECIAL_TOKENS.forEach((s) => id.set(s, id.size));
  map.forEach((s) => id.set(s, id.size));
  const merges: string[] = [];
  while (id.size < vocabSize) {
    const counts = new Map<string, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const k = `${w.syms[i]} ${w.syms[i + 1]}`;
        counts.set(k, (counts.get(k) ?? 0) + w.c);
      }
    let best: [string, string] | null = null;
    let bestCount = 0;
    for (const [k, n] of counts) {
      const [l, r] = k.split(" ") as [string, string];
      const better =
        n > bestCount ||
        (n === bestCount && best !== null && (id.get(l)! < id.get(best[0])! || (l === best[0] && id.get(r)! < id.get(best[1])!)));
      if (better) {
        best = [l, r];
        bestCount = n;
      }
    }
    if (!best || bestCount < minFrequency) break;
    merges.push(best.join(" "));
    const m = best[0] + best[1];
    if (!id.has(m)) id.set(m, id.size);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === best[0] && w.syms[i + 1] === best[1]) {
          out.push(m);
          i++;
        } else out.push(w.syms[i]!);
      }
      w.syms = out;
    }
  }
  return merges;
}

describe("byte-level BPE training", () => {
  it("writes a tokenizer.json that @huggingface/tokenizers loads and that round-trips any UTF-8 exactly", async () => {
    const { tokenizerJson, merges, vocabSize } = await trainBpe(corpus, { vocabSize: 420 });
    expect(vocabSize).toBe(420);
    expect(merges).toBeGreaterThanOrEqual(420 - 260); // more when two merges spell the same token
    const hf = hfOf(tokenizerJson);
    const ours = tokenizerOf(tokenizerJson);
    expect(ours.vocabSize).toBe(420);
    const seed = freshSeed();
    const r = new Rng(seed);
    const unseen = ["Completely unseen words: zyxwvut, Ωμέγα, Привет мир!", "", " ", "\n", "\u0000\u0001\uFEFF\uFFFD", "a\u0301\u0302\u0303", "💩".repeat(5), "<|im_start", "x".repeat(300)];
    for (const t of [...corpus, ...unseen, ...Array.from({ length: 200 }, () => randomText(r, 1 + r.int(80)))]) {
      const ids = hf.encode(t, { add_special_tokens: false }).ids;
      // (the library refuses to decode an empty list, so "" is checked by its ids)
      expect(ids.length ? hf.decode(ids) : "", `seed ${seed}: ${JSON.stringify(t)}`).toBe(t);
      // midtrain's own wrapper (with its fast encoder) gives the same ids and the same text back
      expect(Array.from(ours.encode(t)), `seed ${seed}: ${JSON.stringify(t)}`).toEqual(ids);
      expect(ours.decode(ours.encode(t))).toBe(t);
    }
    // merges compress: even 160 of them make the training prose ~1.9 bytes a token (1 without merges)
    const prose = corpus.slice(-40).join("\n");
    expect(Buffer.byteLength(prose) / hf.encode(prose).ids.length).toBeGreaterThan(1.7);
  });

  it("splits text exactly as the tokenizer's own pre-tokenizer does", async () => {
    const { tokenizerJson } = await trainBpe(corpus, { vocabSize: 300 });
    const hf = hfOf(tokenizerJson);
    const map = bytesToUnicode();
    const seed = freshSeed();
    const r = new Rng(seed);
    for (const t of [...corpus, "I'LL, you'Re, they'VE 123456 x\r\n\r\n  y \t\n", ...Array.from({ length: 100 }, () => randomText(r, 1 + r.int(60)))]) {
      const ours = preTokenize(t).map((p) => [...Buffer.from(p, "utf8")].map((b) => map[b]!).join(""));
      expect(hf.pre_tokenizer!.pre_tokenize(t), `seed ${seed}: ${JSON.stringify(t)}`).toEqual(ours);
      expect(preTokenize(t).join("")).toBe(t); // the pieces cover the text
    }
  });

  it("learns exactly the merges of textbook BPE, the first being the most frequent byte pair", async () => {
    const { tokenizerJson } = await trainBpe(corpus, { vocabSize: 700 });
    const merges = modelOf(tokenizerJson).merges;
    expect(merges).toEqual(naiveMerges(corpus, 700));
    // The most frequent adjacent byte pair inside pre-tokens, counted here directly.
    const map = bytesToUnicode();
    const counts = new Map<string, number>();
    for (const t of corpus)
      for (const p of preTokenize(t)) {
        const b = [...Buffer.from(p, "utf8")];
        for (let i = 0; i + 1 < b.length; i++) counts.set(`${b[i]},${b[i + 1]}`, (counts.get(`${b[i]},${b[i + 1]}`) ?? 0) + 1);
      }
    // ties: the smaller first byte, then the smaller second byte
    const pairs = [...counts].map(([k, n]) => [...k.split(",").map(Number), n] as [number, number, number]);
    const [[a, b]] = pairs.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]) as [[number, number, number]];
    expect(merges[0]).toBe(`${map[a]} ${map[b]}`);
  });

  it("matches textbook BPE on random two- and three-letter corpora (runs like 'aaaa' overlap their pairs)", async () => {
    const seed = freshSeed();
    const r = new Rng(seed);
    for (let k = 0; k < 40; k++) {
      const alphabet = k % 2 ? "ab" : "abc";
      const words = Array.from({ length: 3 + r.int(20) }, () => Array.from({ length: 1 + r.int(12) }, () => alphabet[r.int(alphabet.length)]).join(""));
      const texts = [words.join(r.int(2) ? "\n" : " ")];
      const minFrequency = 1 + r.int(2);
      const { tokenizerJson } = await trainBpe(texts, { vocabSize: 330, minFrequency });
      expect(modelOf(tokenizerJson).merges, `seed ${seed}, corpus ${k}: ${JSON.stringify(texts)}`).toEqual(naiveMerges(texts, 330, minFrequency));
    }
  });

  it("is deterministic, also when the corpus comes in another order or as an async stream", async () => {
    const a = await trainBpe(corpus, { vocabSize: 500 });
    const b = await trainBpe(corpus, { vocabSize: 500 });
    expect(JSON.stringify(a.tokenizerJson)).toBe(JSON.stringify(b.tokenizerJson));
    const shuffled = [...corpus].reverse();
    const c = await trainBpe(shuffled, { vocabSize: 500 });
    expect(JSON.stringify(c.tokenizerJson)).toBe(JSON.stringify(a.tokenizerJson));
    async function* stream() {
      for (const t of corpus) yield t;
    }
    const d = await trainBpe(stream(), { vocabSize: 500 });
    expect(JSON.stringify(d.tokenizerJson)).toBe(JSON.stringify(a.tokenizerJson));
  });

  it("has exactly the requested vocabulary with contiguous ids, and the HF fields midtrain promises", async () => {
    const { tokenizerJson } = await trainBpe(corpus, { vocabSize: 512 });
    const m = tokenizerJson.model as Record<string, unknown>;
    const ids = Object.values(modelOf(tokenizerJson).vocab).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 512 }, (_, i) => i));
    expect([m.type, m.byte_fallback, m.ignore_merges, m.unk_token]).toEqual(["BPE", false, false, null]);
    // every one of the 256 bytes is a token, at ids 4..259 in byte order
    const map = bytesToUnicode();
    for (let b = 0; b < 256; b++) expect(modelOf(tokenizerJson).vocab[map[b]!]).toBe(4 + b);
    expect(tokenizerJson.decoder).toMatchObject({ type: "ByteLevel" });
    expect(tokenizerJson.pre_tokenizer).toMatchObject({ type: "Sequence", pretokenizers: [{ type: "Split" }, { type: "ByteLevel", use_regex: false }] });
    // a corpus with too few pairs stops early instead of inventing tokens
    const tiny = await trainBpe(["abab"], { vocabSize: 1000 });
    expect(tiny.vocabSize).toBe(261); // only "a b" is seen twice
    expect(modelOf(tiny.tokenizerJson).merges).toEqual(["a b"]);
  });

  it("keeps the special tokens at ids 0-3, each encoded as a single token", async () => {
    const { tokenizerJson } = await trainBpe(corpus, { vocabSize: 300 });
    const hf = hfOf(tokenizerJson);
    expect(MIDTRAIN_SPECIAL_TOKENS.map((t) => hf.token_to_id(t))).toEqual([0, 1, 2, 3]);
    const ids = hf.encode("<|im_start|>user\nhi<|im_end|>\n<|endoftext|><|pad|>").ids;
    expect(ids.filter((i: number) => i < 4)).toEqual([1, 2, 0, 3]);
    expect(hf.encode("<|endoftext|>").ids).toEqual([0]);
    const tok = tokenizerOf(tokenizerJson);
    expect([tok.eosId, tok.padId, tok.bosId]).toEqual([0, 3, null]);
  });

  it("writes a tokenizer_config.json with the chat template and special tokens", () => {
    const cfg = midtrainTokenizerConfig({ modelMaxLength: 1024 });
    expect(cfg).toMatchObject({ tokenizer_class: "PreTrainedTokenizerFast", bos_token: null, eos_token: "<|endoftext|>", pad_token: "<|pad|>", unk_token: null, model_max_length: 1024 });
    expect(Object.keys(cfg.added_tokens_decoder as object)).toEqual(["0", "1", "2", "3"]);
    expect(cfg.chat_template).toBe(readFileSync(join(root, "models", "chat_template.jinja"), "utf8"));
    expect(defaultChatTemplate()).toBe(cfg.chat_template);
    expect(midtrainTokenizerConfig({ chatTemplate: CHATML_TEMPLATE }).chat_template).toContain("<|im_start|>");
  });

  it("refuses impossible sizes and empty corpora", async () => {
    await expect(trainBpe(corpus, { vocabSize: 259 })).rejects.toThrow(/vocab size must be an integer in \[260, 65536\]/);
    await expect(trainBpe(corpus, { vocabSize: 65537 })).rejects.toThrow(/vocab size must be/);
    await expect(trainBpe(corpus, { vocabSize: 300.5 })).rejects.toThrow(/vocab size must be/);
    await expect(trainBpe([], { vocabSize: 300 })).rejects.toThrow(/corpus is empty/);
    await expect(trainBpe(["", ""], { vocabSize: 300 })).rejects.toThrow(/corpus is empty/);
  });
});

describe("built-in tokenizers (models/tokenizer-*)", () => {
  // bytesPerToken: a floor for new generic documents (measured 3.16 and 4.44 when the files were made)
  const builtins = [
    { name: "tiny", vocabSize: 2048, modelMaxLength: 1024, bytesPerToken: 2.9 },
    { name: "small", vocabSize: 8192, modelMaxLength: 2048, bytesPerToken: 4 },
  ];
  for (const b of builtins)
    it(`${b.name} loads, has ${b.vocabSize} tokens, and round-trips text it never saw`, () => {
      const dir = join(root, "models", `tokenizer-${b.name}`);
      const tok = Tokenizer.fromDir(dir);
      expect(tok.vocabSize).toBe(b.vocabSize);
      expect(tok.chatTemplate).toBe(readFileSync(join(root, "models", "chat_template.jinja"), "utf8"));
      const hf = new HfTokenizer(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")));
      const r = new Rng(freshSeed());
      for (const t of ["A completely new sentence, with ünïcödé, 日本語 🧪 and 12345.", "\t\r\n  ", ...Array.from({ length: 30 }, () => randomText(r, 40))]) {
        expect(hf.decode(hf.encode(t).ids)).toBe(t);
        expect(tok.decode(tok.encode(t))).toBe(t);
      }
      // trained on the generic corpus: new documents of it compress well
      let tokens = 0, bytes = 0;
      for (let i = 0; i < 100; i++) {
        const doc = genericDocument(99, i);
        tokens += tok.encode(doc).length;
        bytes += Buffer.byteLength(doc);
      }
      expect(bytes / tokens).toBeGreaterThan(b.bytesPerToken);
      expect(readFileSync(join(dir, "tokenizer.json")).length).toBeLessThan(1 << 20);
    });

  it("are reproduced exactly by scripts/make-builtin-tokenizers.mjs's recipe", async () => {
    // The script's corpus: 16000 documents of seed 20261127.
    const docs = [...genericDocuments(20261127, 16000)];
    for (const b of builtins) {
      const r = await trainBpe(docs, { vocabSize: b.vocabSize });
      const dir = join(root, "models", `tokenizer-${b.name}`);
      expect(JSON.stringify(r.tokenizerJson) + "\n", b.name).toBe(readFileSync(join(dir, "tokenizer.json"), "utf8"));
      expect(JSON.stringify(midtrainTokenizerConfig({ modelMaxLength: b.modelMaxLength }), null, 2) + "\n").toBe(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    }
  }, 60_000);
});

describe("midtrain tokenizer train", () => {
  const cli = join(root, "dist", "cli", "main.js");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });

  it("trains from .txt and .jsonl files (text, chat, --field) and writes a loadable tokenizer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "midtrain-bpe-"));
    writeFileSync(join(dir, "a.txt"), corpus.join("\n"));
    writeFileSync(
      join(dir, "b.jsonl"),
      [...corpus.map((t) => JSON.stringify({ text: t })), JSON.stringify({ messages: [{ role: "user", content: "hello there" }, { role: "assistant", content: "hello there" }] })].join("\n") + "\n",
    );
    const out = join(dir, "tok");
    const r = run("tokenizer", "train", "--data", join(dir, "a.txt"), join(dir, "b.jsonl"), "--vocab-size", "400", "--out", out, "--json");
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ vocab_size: 400, requested_vocab_size: 400, out });
    // the whole .txt file, plus each JSONL text and message
    expect(summary.corpus_bytes).toBe(Buffer.byteLength(corpus.join("\n")) + Buffer.byteLength(corpus.join("")) + 2 * Buffer.byteLength("hello there"));
    expect(r.stderr).toMatch(/tokenizer: reading .*a\.txt/);
    // the same merges as training on the same texts in-process
    const texts = [corpus.join("\n"), ...corpus, "hello there", "hello there"];
    const direct = await trainBpe(texts, { vocabSize: 400 });
    const written = JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8"));
    expect(written).toEqual(direct.tokenizerJson);
    const tok = Tokenizer.fromDir(out);
    expect(tok.decode(tok.encode("hello there, 世界"))).toBe("hello there, 世界");

    // --field picks another key; chat records still count
    writeFileSync(join(dir, "c.jsonl"), corpus.map((t) => JSON.stringify({ body: t, text: 7 })).join("\n") + "\n");
    const f = run("tokenizer", "train", "--data", join(dir, "c.jsonl"), "--field", "body", "--vocab-size", "300", "--out", join(dir, "tf"), "--json");
    expect(f.status, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout).corpus_bytes).toBe(Buffer.byteLength(corpus.join("")));
  });

  it("rejects bad input with a clear error and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "midtrain-bpe-"));
    writeFileSync(join(dir, "a.txt"), corpus.join("\n"));
    writeFileSync(join(dir, "bad.jsonl"), '{"text": "ok"}\n\n{"text": broken\n');
    const bad = run("tokenizer", "train", "--data", join(dir, "bad.jsonl"), "--vocab-size", "300", "--out", join(dir, "t1"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/bad\.jsonl:3: malformed JSON/);
    expect(existsSync(join(dir, "t1"))).toBe(false);

    writeFileSync(join(dir, "nofield.jsonl"), '{"text": "ok"}\n{"title": "no text"}\n');
    const nf = run("tokenizer", "train", "--data", join(dir, "nofield.jsonl"), "--vocab-size", "300", "--out", join(dir, "t2"));
    expect(nf.stderr).toMatch(/nofield\.jsonl:2: expected a "text" string/);

    for (const v of ["259", "65537", "abc"]) {
      const s = run("tokenizer", "train", "--data", join(dir, "a.txt"), "--vocab-size", v, "--out", join(dir, "t3"));
      expect(s.status, v).not.toBe(0);
      expect(s.stderr).toMatch(/--vocab-size must be an integer in \[260, 65536\]/);
    }
    const missing = run("tokenizer", "train", "--data", join(dir, "a.txt"), join(dir, "nope.txt"), "--vocab-size", "300", "--out", join(dir, "t4"));
    expect(missing.stderr).toMatch(/nope\.txt: no such file/);
    writeFileSync(join(dir, "empty.txt"), "");
    writeFileSync(join(dir, "empty.jsonl"), "\n\n");
    const empty = run("tokenizer", "train", "--data", join(dir, "empty.txt"), join(dir, "empty.jsonl"), "--vocab-size", "300", "--out", join(dir, "t5"));
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toMatch(/corpus is empty/);
    writeFileSync(join(dir, "data.csv"), "a,b\n");
    expect(run("tokenizer", "train", "--data", join(dir, "data.csv"), "--vocab-size", "300", "--out", join(dir, "t6")).stderr).toMatch(/unsupported file type '\.csv'/);
    for (const t of ["t2", "t3", "t4", "t5", "t6"]) expect(existsSync(join(dir, t)), t).toBe(false);
  });

  it("reads a text file in pieces that split it exactly where training would", async () => {
    const dir = mkdtempSync(join(tmpdir(), "midtrain-bpe-"));
    const text = "\uFEFF" + corpus.join("\n") + "\n\n  \nlast line without newline — ünï 🧪";
    writeFileSync(join(dir, "t.txt"), text);
    for (const chunk of [1, 7, 64, 1 << 20]) {
      const pieces: string[] = [];
      for await (const p of textFilePieces(join(dir, "t.txt"), chunk)) pieces.push(p);
      expect(pieces.join(""), `chunk ${chunk}`).toBe(text.slice(1)); // the byte-order mark is dropped
      if (chunk < 100) expect(pieces.length).toBeGreaterThan(10);
      expect(pieces.flatMap(preTokenize), `chunk ${chunk}`).toEqual(preTokenize(text.slice(1)));
    }
  });
});

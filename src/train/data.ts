// The trainer's view of the data stage: the real tokenizer adapted to
// src/data's DataTokenizer, the loader opened with the stage's options, and
// the held-out loss.
import { DataLoader } from "../data/loader.js";
import type { Model } from "../engine/model.js";
import { encodeChat } from "../tokenizer/chat.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import type { TrainOptions } from "./options.js";

export async function openTrainData(o: TrainOptions, tok: Tokenizer, vocabSize: number, log: (s: string) => void): Promise<DataLoader> {
  const eos = tok.eosId;
  if (eos === null) throw new Error(`the tokenizer in ${o.model} has no eos_token (tokenizer_config.json): documents could not be ended`);
  const t0 = performance.now();
  const loader = await DataLoader.open(
    o.data,
    {
      encode: (text) => tok.encode(text, { addSpecialTokens: true }),
      encodeChat: (messages) => encodeChat(tok, messages),
      eosId: eos,
      vocabSize,
    },
    {
      format: o.format,
      seqLen: o.seqLen,
      batchSize: o.batchSize,
      seed: o.seed,
      padId: tok.padId ?? eos,
      longExamples: o.longExamples,
      heldOut: o.evalSplit > 0 ? { fraction: o.evalSplit } : undefined,
    },
  );
  const s = (performance.now() - t0) / 1000;
  log(`data: ${o.data.length} file(s), ${loader.examplesPerEpoch + loader.evalExamples} examples, ${loader.tokensPerEpoch} training tokens, tokenised and packed in ${s.toFixed(1)} s (${(loader.tokensPerEpoch / s).toFixed(0)} tokens/s)`);
  return loader;
}

/** Mean loss over every held-out target token. */
export function evalLoss(model: Model, loader: DataLoader): { loss: number; tokens: number } {
  let sum = 0, count = 0;
  for (const b of loader.evalBatches()) {
    if (b.targets === 0) continue;
    const r = model.evalLoss(b, loader.batchSize, loader.seqLen);
    sum += r.lossSum;
    count += r.count;
  }
  return { loss: count ? sum / count : NaN, tokens: count };
}

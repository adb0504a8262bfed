// The trainer's view of the data stage: the real tokenizer adapted to
// src/data's DataTokenizer, the loader opened with the stage's options (mixed
// with replay rows when --replay is given), and the held-out loss.
import { DataLoader, type LoaderState } from "../data/loader.js";
import { MixedLoader, type MixedLoaderState } from "../data/mix.js";
import type { DataTokenizer } from "../data/examples.js";
import { deriveSeed } from "../data/rng.js";
import type { Model } from "../engine/model.js";
import { encodeChat } from "../tokenizer/chat.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { STRATEGY_DEFAULTS, type TrainOptions } from "./options.js";

const REPLAY_STREAM = 0x52; // the replay rows' shuffle: a stream of the stage seed of its own

/** What the loop trains from: the stage's data alone, or mixed with replay rows. */
export type TrainData = DataLoader | MixedLoader;
export type TrainDataState = LoaderState | MixedLoaderState;

/** `model` names where the tokenizer came from, for the error when it cannot end documents. */
export function dataTokenizer(tok: Tokenizer, vocabSize: number, model: string): DataTokenizer {
  const eos = tok.eosId;
  if (eos === null) throw new Error(`the tokenizer in ${model} has no eos_token (tokenizer_config.json): documents could not be ended`);
  return {
    encode: (text) => tok.encode(text, { addSpecialTokens: true }),
    encodeChat: (messages) => encodeChat(tok, messages),
    eosId: eos,
    vocabSize,
  };
}

export async function openTrainData(o: TrainOptions, tok: Tokenizer, vocabSize: number, log: (s: string) => void): Promise<TrainData> {
  const dt = dataTokenizer(tok, vocabSize, o.model);
  const t0 = performance.now();
  const common = { seqLen: o.seqLen, padId: tok.padId ?? dt.eosId, longExamples: o.longExamples };
  const heldOut = o.evalSplit > 0 ? { fraction: o.evalSplit } : undefined;
  // With replay both sources yield single rows that the mixer assembles into batches; the main
  // source's row stream (and so its shuffle) is the same as without replay.
  const rowsPerNext = o.replay ? 1 : o.batchSize;
  const loader = await DataLoader.open(o.data, dt, { ...common, format: o.format, batchSize: rowsPerNext, seed: o.seed, heldOut });
  const s = (performance.now() - t0) / 1000;
  log(`data: ${o.data.length} file(s), ${loader.examplesPerEpoch + loader.evalExamples} examples, ${loader.tokensPerEpoch} training tokens, tokenised and packed in ${s.toFixed(1)} s (${(loader.tokensPerEpoch / s).toFixed(0)} tokens/s)`);
  if (!o.replay) return loader;
  const replay = await DataLoader.open(o.replay, dt, { ...common, format: "auto", batchSize: 1, seed: deriveSeed(o.seed, REPLAY_STREAM) });
  const ratio = o.replayRatio ?? STRATEGY_DEFAULTS.replayRatio;
  const mix = new MixedLoader(loader, replay, ratio, o.batchSize, o.seed);
  log(`replay: ${o.replay.join(", ")}: ${replay.examplesPerEpoch} examples in ${replay.rowsPerEpoch} rows; ${(ratio * 100).toFixed(1)}% of samples (${(mix.rowRatio * 100).toFixed(1)}% of rows) come from it`);
  return mix;
}

/** Mean loss over every held-out target token. */
export function evalLoss(model: Model, loader: TrainData): { loss: number; tokens: number } {
  let sum = 0, count = 0;
  for (const b of loader.evalBatches()) {
    if (b.targets === 0) continue;
    const r = model.evalLoss(b, loader.batchSize, loader.seqLen);
    sum += r.lossSum;
    count += r.count;
  }
  return { loss: count ? sum / count : NaN, tokens: count };
}

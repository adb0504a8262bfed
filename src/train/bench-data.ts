// `midtrain bench data`: tokenising + packing + iterating an epoch with the
// model's real tokenizer, in tokens/s (issue 4 goal: >= 10x training tokens/s).
import { readCheckpointConfig } from "../model/checkpoint.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import { openTrainData } from "./data.js";
import { parseTrainOptions } from "./options.js";

export interface DataBenchResult {
  files: string[];
  examples: number;
  tokens: number;
  load_s: number;
  iterate_s: number;
  tokens_per_s: number;
}

export async function benchData(model: string, data: string[], seqLen: number, batchSize: number, log: (s: string) => void): Promise<DataBenchResult> {
  const o = parseTrainOptions({ model, data, out: "/dev/null", seqLen, batchSize });
  const tok = Tokenizer.fromDir(model);
  const vocab = readCheckpointConfig(model).engine.vocab_size; // the config suffices; no weights needed
  const t0 = performance.now();
  const loader = await openTrainData(o, tok, vocab, log);
  const load = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const batches = Math.ceil(loader.rowsPerEpoch / batchSize);
  for (let i = 0; i < batches; i++) loader.next();
  const iterate = (performance.now() - t1) / 1000;
  return {
    files: data,
    examples: loader.examplesPerEpoch,
    tokens: loader.tokensPerEpoch,
    load_s: load,
    iterate_s: iterate,
    tokens_per_s: loader.tokensPerEpoch / (load + iterate),
  };
}

// `midtrain init`: a randomly initialised checkpoint from a preset, with its
// tokenizer, in the Hugging Face layout.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Model } from "../engine/model.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import { fsyncDir } from "./atomic-file.js";
import { CheckpointError, saveCheckpoint, TOKENIZER_FILES } from "./checkpoint.js";
import { loadPreset, modelsDir } from "./presets.js";

export interface InitOptions {
  preset: string;
  out: string;
  /** tokenizer.json, or a directory holding it (tokenizer_config.json beside it is used too). */
  tokenizer?: string;
  seed: number;
  overwrite?: boolean;
  log?: (s: string) => void;
}

export interface InitResult {
  dir: string;
  preset: string;
  params: number;
  vocab_size: number;
  tokenizer: string;
}

/** The preset's own tokenizer (models/tokenizer-<preset>/), if midtrain ships one. */
export function presetTokenizerDir(preset: string): string | undefined {
  const d = join(modelsDir, `tokenizer-${preset}`);
  return existsSync(join(d, "tokenizer.json")) ? d : undefined;
}

function tokenizerSource(o: InitOptions): string {
  if (!o.tokenizer) {
    const own = presetTokenizerDir(o.preset);
    if (!own) throw new CheckpointError(`preset '${o.preset}' has no built-in tokenizer; pass --tokenizer FILE (a tokenizer.json, or a directory with one)`);
    return own;
  }
  if (!existsSync(o.tokenizer)) throw new CheckpointError(`--tokenizer ${o.tokenizer}: no such file or directory`);
  return statSync(o.tokenizer).isDirectory() ? o.tokenizer : dirname(o.tokenizer);
}

export function initCheckpoint(o: InitOptions): InitResult {
  const raw = loadPreset(o.preset);
  const tokDir = tokenizerSource(o);
  if (o.tokenizer && !statSync(o.tokenizer).isDirectory() && !o.tokenizer.endsWith("tokenizer.json"))
    throw new CheckpointError(`--tokenizer ${o.tokenizer}: expected a file named tokenizer.json or a directory holding one`);
  const tok = Tokenizer.fromDir(tokDir);
  if (existsSync(o.out) && readdirSync(o.out).length > 0 && !o.overwrite)
    throw new CheckpointError(`${o.out}: directory is not empty (pass --overwrite to replace the checkpoint there)`);

  // The tokenizer decides the vocabulary: a preset is a shape, not a tokenizer.
  const config: Record<string, unknown> = { ...raw, vocab_size: tok.vocabSize, bos_token_id: tok.bosId, eos_token_id: tok.eosId };
  if (tok.vocabSize !== raw.vocab_size) o.log?.(`init: vocab_size ${String(raw.vocab_size)} -> ${tok.vocabSize} (the tokenizer's)`);
  const model = new Model(config, `preset ${o.preset}`);
  const std = typeof raw.initializer_range === "number" ? raw.initializer_range : 0.02;
  model.initWeights(o.seed, std);
  o.log?.(`init: ${o.preset}, ${(model.numParams() / 1e6).toFixed(2)}M parameters, N(0, ${std}) weights, seed ${o.seed}`);

  // Write into a fresh sibling directory, then rename the files in: a
  // failure while writing leaves `out` as it was.
  mkdirSync(dirname(o.out) || ".", { recursive: true });
  const staging = mkdtempSync(join(dirname(o.out) || ".", ".midtrain-init-"));
  try {
    saveCheckpoint(staging, model, { config, tokenizerDir: tokDir });
    mkdirSync(o.out, { recursive: true });
    // An overwritten checkpoint's old weights could be shards of another layout.
    for (const f of readdirSync(o.out)) if (/^model.*\.safetensors(\.index\.json)?$/.test(f)) rmSync(join(o.out, f));
    for (const f of readdirSync(staging)) renameSync(join(staging, f), join(o.out, f));
    fsyncDir(o.out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir: o.out, preset: o.preset, params: model.numParams(), vocab_size: tok.vocabSize, tokenizer: join(tokDir, TOKENIZER_FILES[0]) };
}

// Checkpoint directories in the Hugging Face layout (design.md, "Checkpoint
// directory"): config.json, model.safetensors or shards with
// model.safetensors.index.json, tokenizer.json, tokenizer_config.json.
// Weights stream one tensor at a time in both directions, so a model never
// needs a second full copy in memory.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Model, type EngineDevice } from "../engine/model.js";
import { fsyncDir, writeFileAtomic } from "./atomic-file.js";
import { engineConfig, type EngineConfig } from "./config.js";
import { readSafetensorsHeader, readTensorData, writeSafetensors, type DType, type SafetensorsHeader, type TensorEntry } from "./safetensors.js";

export class CheckpointError extends Error {}

export const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] as const;

/** Non-parameter buffers that older HF checkpoints carry; skipped on load. */
const IGNORED_TENSORS = /\.rotary_emb\.inv_freq$/;

export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
}

export interface CheckpointConfig {
  /** config.json as written (HF fields, kept verbatim). */
  raw: Record<string, unknown>;
  engine: EngineConfig;
}

export function readCheckpointConfig(dir: string): CheckpointConfig {
  const path = join(dir, "config.json");
  const raw = readJson(path);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new CheckpointError(`${path}: must be a JSON object`);
  return { raw: raw as Record<string, unknown>, engine: engineConfig(raw, path) };
}

/** Token ids a tokenizer.json can produce: 1 + the largest id in its vocabulary and added tokens.
 *  (Checked by hand, not with zod: a 150k-entry vocabulary made zod take 0.3 s.) */
export function tokenizerVocabSize(path: string): number {
  const json = readJson(path) as { model?: { vocab?: unknown }; added_tokens?: unknown };
  const bad = (field: string, why: string): never => {
    throw new CheckpointError(`${path}: field '${field}': ${why}`);
  };
  const vocab = json?.model?.vocab;
  let max = -1;
  if (Array.isArray(vocab)) max = vocab.length - 1; // Unigram: [piece, score] pairs
  else if (vocab !== null && typeof vocab === "object") {
    for (const id of Object.values(vocab)) {
      if (!Number.isInteger(id)) bad("model.vocab", "ids must be integers");
      if ((id as number) > max) max = id as number;
    }
  } else bad("model.vocab", "missing or not an object");
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) bad("added_tokens", "must be an array");
  for (const [i, t] of (added as { id?: unknown }[]).entries()) {
    if (!Number.isInteger(t?.id)) bad(`added_tokens.${i}.id`, "must be an integer");
    max = Math.max(max, t.id as number);
  }
  return max + 1;
}

/** A tokenizer that can emit ids past the embedding would crash training later: refuse it now. */
export function checkTokenizerFits(tokenizerJson: string, vocabSize: number): void {
  const n = tokenizerVocabSize(tokenizerJson);
  if (n > vocabSize)
    throw new CheckpointError(`${tokenizerJson}: the tokenizer has ${n} token ids but the model's vocab_size is ${vocabSize}`);
}

export interface WeightRef {
  file: string;
  header: SafetensorsHeader;
  entry: TensorEntry;
}

const IndexSchema = z.object({ weight_map: z.record(z.string(), z.string()) }).passthrough();

/** Every tensor of the checkpoint: from model.safetensors, or the shards its index names. */
export function listWeights(dir: string): Map<string, WeightRef> {
  const single = join(dir, "model.safetensors");
  const indexPath = join(dir, "model.safetensors.index.json");
  let files: string[];
  let weightMap: Record<string, string> | undefined;
  if (existsSync(indexPath)) {
    const parsed = IndexSchema.safeParse(readJson(indexPath));
    if (!parsed.success) throw new CheckpointError(`${indexPath}: field 'weight_map': must map tensor names to shard files`);
    weightMap = parsed.data.weight_map;
    files = [...new Set(Object.values(weightMap))].sort();
    for (const f of files)
      if (f.includes("/") || f.includes("\\") || f.startsWith("."))
        throw new CheckpointError(`${indexPath}: shard name '${f}' must be a plain file name in the checkpoint directory`);
  } else if (existsSync(single)) {
    files = ["model.safetensors"];
  } else {
    throw new CheckpointError(`${dir}: no model.safetensors or model.safetensors.index.json`);
  }
  const out = new Map<string, WeightRef>();
  for (const f of files) {
    const file = join(dir, f);
    const header = readSafetensorsHeader(file);
    for (const entry of header.entries) {
      const prior = out.get(entry.name);
      if (prior) throw new CheckpointError(`${file}: tensor '${entry.name}' also appears in ${prior.file}`);
      if (weightMap && weightMap[entry.name] !== f)
        throw new CheckpointError(`${file}: tensor '${entry.name}' is not mapped to this shard in ${indexPath}`);
      out.set(entry.name, { file, header, entry });
    }
  }
  if (weightMap)
    for (const [name, f] of Object.entries(weightMap))
      if (!out.has(name)) throw new CheckpointError(`${indexPath}: tensor '${name}' is mapped to ${f} but not found there`);
  return out;
}

/** Loads a checkpoint's weights into `model`, one tensor at a time; names, shapes and the full set are checked first. */
export function loadWeightsInto(model: Model, dir: string, log?: (s: string) => void): void {
  const weights = listWeights(dir);
  const wanted = new Set(model.paramNames());
  for (const name of wanted) {
    const w = weights.get(name);
    if (!w) throw new CheckpointError(`${dir}: tensor '${name}' is missing from the checkpoint`);
    const shape = model.paramShape(name);
    if (JSON.stringify(w.entry.shape) !== JSON.stringify(shape))
      throw new CheckpointError(`${w.file}: tensor '${name}' has shape ${JSON.stringify(w.entry.shape)}, the config needs ${JSON.stringify(shape)}`);
    if (w.entry.dtype === "I32") throw new CheckpointError(`${w.file}: tensor '${name}' has dtype I32, expected a float type`);
  }
  for (const [name, w] of weights) {
    if (wanted.has(name) || IGNORED_TENSORS.test(name)) continue;
    // Tied models may still carry lm_head.weight; transformers ignores it too.
    if (name === "lm_head.weight" && model.config.tie_word_embeddings) continue;
    throw new CheckpointError(`${w.file}: tensor '${name}' is not a parameter of this ${model.config.num_hidden_layers}-layer model`);
  }
  const fds = new Map<string, number>();
  const scratch = { buffer: new ArrayBuffer(0) }; // setParam copies, so one buffer serves every tensor
  try {
    let done = 0;
    for (const name of wanted) {
      const w = weights.get(name)!;
      let fd = fds.get(w.file);
      if (fd === undefined) fds.set(w.file, (fd = openSync(w.file, "r")));
      model.setParam(name, readTensorData(fd, w.header, w.entry, w.file, scratch) as Float32Array);
      if (log && ++done % 64 === 0) log(`  loaded ${done}/${wanted.size} tensors`);
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
}

/** A checkpoint directory as an engine model. */
export function loadCheckpoint(dir: string, log?: (s: string) => void, device: EngineDevice = "cpu"): { model: Model; config: CheckpointConfig } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError(`${dir}: not a checkpoint directory`);
  const config = readCheckpointConfig(dir);
  const tok = join(dir, "tokenizer.json");
  if (existsSync(tok)) checkTokenizerFits(tok, config.engine.vocab_size);
  const model = new Model(config.engine, join(dir, "config.json"), device);
  loadWeightsInto(model, dir, log);
  return { model, config };
}

export interface SaveOptions {
  /** config.json to write (HF fields); vocab/shape fields must agree with the model. */
  config: Record<string, unknown>;
  /** Copy tokenizer files from this directory (tokenizer.json is required there). */
  tokenizerDir?: string;
  /** On-disk dtype: F32 reloads bit-exactly; BF16/F16 halve the size. */
  dtype?: Extract<DType, "F32" | "BF16" | "F16">;
  /** Split into shards of at most this many bytes (default 4 GiB), with an index. */
  maxShardBytes?: number;
}

const TORCH_DTYPE = { F32: "float32", BF16: "bfloat16", F16: "float16" } as const;

/** Writes a checkpoint directory; every file is written atomically. */
export function saveCheckpoint(dir: string, model: Model, o: SaveOptions): void {
  const dtype = o.dtype ?? "F32";
  // The config we write must describe this model exactly.
  const check = engineConfig(o.config, join(dir, "config.json"));
  for (const k of Object.keys(check) as (keyof EngineConfig)[])
    if (JSON.stringify(check[k]) !== JSON.stringify(model.config[k]))
      throw new CheckpointError(`${join(dir, "config.json")}: field '${k}' is ${JSON.stringify(check[k])} but the model has ${JSON.stringify(model.config[k])}`);
  if (o.tokenizerDir) {
    const tok = join(o.tokenizerDir, "tokenizer.json");
    if (!existsSync(tok)) throw new CheckpointError(`${o.tokenizerDir}: no tokenizer.json to copy`);
    checkTokenizerFits(tok, model.config.vocab_size);
  }
  mkdirSync(dir, { recursive: true });

  const names = model.paramNames();
  const size = { F32: 4, BF16: 2, F16: 2 }[dtype];
  const bytesOf = (n: string) => model.paramShape(n).reduce((a, b) => a * b, 1) * size;
  const maxShard = o.maxShardBytes ?? 4 * 2 ** 30;
  const shards: string[][] = [[]];
  let used = 0;
  for (const n of names) {
    if (used > 0 && used + bytesOf(n) > maxShard) shards.push([]), (used = 0);
    shards[shards.length - 1]!.push(n);
    used += bytesOf(n);
  }
  const shardName = (i: number) => (shards.length === 1 ? "model.safetensors" : `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`);
  // A stale single file or index from an earlier save would shadow or contradict this one.
  for (const f of readdirSync(dir)) {
    const stale = shards.length > 1 ? f === "model.safetensors" : f === "model.safetensors.index.json" || /^model-\d{5}-of-\d{5}\.safetensors$/.test(f);
    const ours = shards.some((_, i) => shardName(i) === f);
    if (stale && !ours) throw new CheckpointError(`${join(dir, f)}: a different weight layout is already here; write to an empty directory`);
  }
  shards.forEach((group, i) => {
    const tensors = new Map(group.map((n) => [n, { dtype, shape: model.paramShape(n), data: () => model.getParam(n) }]));
    writeSafetensors(join(dir, shardName(i)), tensors, { format: "pt" });
  });
  const indexPath = join(dir, "model.safetensors.index.json");
  if (shards.length > 1) {
    const weightMap = Object.fromEntries(shards.flatMap((g, i) => g.map((n) => [n, shardName(i)])));
    const totalSize = names.reduce((a, n) => a + bytesOf(n), 0);
    writeFileAtomic(indexPath, JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + "\n");
  }
  writeFileAtomic(join(dir, "config.json"), JSON.stringify({ ...o.config, torch_dtype: TORCH_DTYPE[dtype] }, null, 2) + "\n");
  if (o.tokenizerDir)
    for (const f of TOKENIZER_FILES) {
      const src = join(o.tokenizerDir, f);
      if (existsSync(src)) writeFileAtomic(join(dir, f), readFileSync(src));
    }
  fsyncDir(dir);
}

// Preservation strategies of one stage (docs/strategies.md), set up on the loaded start model before
// training (and before a resume restores its checkpoint):
//   1. EWC's Fisher, from the start weights with every tensor trainable (computed, reused, or a file);
//   2. frozen tensors (--freeze-layers) and per-tensor LR scales (--lr-scale);
//   3. LoRA (--lora-rank): factors on the projections, the base frozen;
//   4. the anchor w0 = the start weights (L2-SP; EWC with the Fisher as weights);
//   5. the KL reference model (--kl-ref).
// Replay is a data-side strategy (src/data/mix.ts, opened in ./data.ts).
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { DataLoader } from "../data/loader.js";
import { deriveSeed } from "../data/rng.js";
import { LORA_TARGETS, type Model } from "../engine/model.js";
import { CheckpointError, listWeights, loadCheckpoint } from "../model/checkpoint.js";
import { readSafetensors, writeSafetensors } from "../model/safetensors.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { dataTokenizer } from "./data.js";
import { tensorsOfSpec } from "./layer-spec.js";
import { STRATEGY_DEFAULTS, type TrainOptions } from "./options.js";

const FISHER_STREAM = 0x46; // the Fisher rows' shuffle: a stream of the stage seed of its own

/** What a resume must find unchanged; stored in trainer_state.json as `strategy`. */
export interface StrategyRecord {
  /** The stage's start checkpoint and a digest of its weight files (the anchor and the LoRA base are derived from it). */
  start_checkpoint?: string;
  start_sha256?: string;
  /** The Fisher file the EWC anchor weights came from, and its digest. */
  fisher?: string;
  fisher_sha256?: string;
}

export interface Strategies {
  /** The model as a checkpoint should hold it: LoRA merged into the base. */
  exportModel: Model;
  lora: boolean;
  anchorWeight: number;
  klWeight: number;
  replay: boolean;
  record: StrategyRecord;
}

export interface StrategyContext {
  tokenizer: Tokenizer;
  log: (line: string) => void;
}

/** sha256 over files in the given order, streamed (a model-sized file is never read whole). */
function digestFiles(files: string[]): string {
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafe(1 << 24);
  for (const f of files) {
    const fd = openSync(f, "r");
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return h.digest("hex");
}

/** sha256 over a checkpoint's weight files, in name order. */
export function weightsDigest(dir: string): string {
  return digestFiles([...new Set([...listWeights(dir).values()].map((w) => w.file))].sort());
}

export interface FisherDataOptions {
  seqLen: number;
  seed: number;
  tokenizer: Tokenizer;
  longExamples?: "split" | "error";
}

/** The Fisher's rows: `files` packed into rows of seqLen tokens, one row per next(), in an order drawn from the stage seed. */
export function openFisherData(files: string[], vocabSize: number, o: FisherDataOptions): Promise<DataLoader> {
  return DataLoader.open(files, dataTokenizer(o.tokenizer, vocabSize, files.join(", ")), {
    format: "auto",
    seqLen: o.seqLen,
    batchSize: 1,
    seed: deriveSeed(o.seed, FISHER_STREAM),
    padId: o.tokenizer.padId ?? o.tokenizer.eosId ?? 0,
    longExamples: o.longExamples ?? "split",
  });
}

/**
 * The diagonal empirical Fisher at the model's current weights: the mean over the first `rows` rows of
 * openFisherData (rows without targets skipped) of the squared gradient of each row's mean token loss.
 * Computed for the trainable tensors (call it before freezing); returns one Float32Array per checkpoint tensor.
 */
export async function estimateFisher(
  model: Model,
  files: string[],
  rows: number,
  o: FisherDataOptions & { log: (s: string) => void },
): Promise<{ fisher: Map<string, Float32Array>; rows: number }> {
  const loader = await openFisherData(files, model.config.vocab_size, o);
  const want = Math.min(rows, loader.rowsPerEpoch);
  if (want < rows) o.log(`ewc: the Fisher data has ${loader.rowsPerEpoch} rows of ${o.seqLen} tokens; using all of them (--fisher-samples ${rows})`);
  model.clearFisher();
  let counted = 0, lastLog = performance.now();
  for (let drawn = 0; drawn < loader.rowsPerEpoch && counted < want; drawn++) {
    counted += model.accumulateFisher(loader.next(), 1, o.seqLen);
    if (performance.now() - lastLog > 10_000 || counted === want) {
      o.log(`ewc: Fisher ${counted}/${want} rows`);
      lastLog = performance.now();
    }
  }
  if (counted === 0) throw new Error(`${files.join(", ")}: no row with a target token for the Fisher`);
  const fisher = new Map<string, Float32Array>();
  for (const n of model.paramNames()) {
    const f = model.getFisher(n);
    for (let i = 0; i < f.length; i++) f[i] = f[i]! / counted;
    fisher.set(n, f);
  }
  model.clearFisher();
  return { fisher, rows: counted };
}

/** Reads a fisher.safetensors (HF tensor names) for `model`; every tensor present with its shape and >= 0. */
export function readFisher(path: string, model: Model): Map<string, Float32Array> {
  const f = readSafetensors(path);
  const out = new Map<string, Float32Array>();
  for (const n of model.paramNames()) {
    const t = f.tensors.get(n);
    if (!t) throw new CheckpointError(`${path}: tensor '${n}' is missing`);
    if (JSON.stringify(t.shape) !== JSON.stringify(model.paramShape(n)))
      throw new CheckpointError(`${path}: tensor '${n}' has shape ${JSON.stringify(t.shape)}, the model needs ${JSON.stringify(model.paramShape(n))}`);
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) if (!(d[i]! >= 0 && Number.isFinite(d[i]!))) throw new CheckpointError(`${path}: tensor '${n}' value ${i} is ${d[i]} (a Fisher is finite and >= 0)`);
    out.set(n, d);
  }
  return out;
}

/** The Fisher for this stage: --fisher FILE, else <out>/fisher.safetensors when it was made from the same start and data, else computed and saved there. */
async function stageFisher(o: TrainOptions, model: Model, startSha: string, ctx: StrategyContext): Promise<{ fisher: Map<string, Float32Array>; file: string }> {
  if (o.fisher !== undefined) {
    ctx.log(`ewc: Fisher from ${o.fisher}`);
    return { fisher: readFisher(o.fisher, model), file: o.fisher };
  }
  const data = o.ewcData ?? o.replay!;
  const samples = o.fisherSamples ?? STRATEGY_DEFAULTS.fisherSamples;
  const file = join(o.out, "fisher.safetensors");
  const provenance = { start_checkpoint: o.model, start_sha256: startSha, data: JSON.stringify(data), requested_rows: String(samples), seq_len: String(o.seqLen), seed: String(o.seed) };
  if (existsSync(file)) {
    const meta = readSafetensors(file).metadata;
    if (Object.entries(provenance).every(([k, v]) => meta[k] === v)) {
      ctx.log(`ewc: reusing ${file} (same start weights and data)`);
      return { fisher: readFisher(file, model), file };
    }
  }
  ctx.log(`ewc: estimating the diagonal Fisher on ${data.join(", ")} (${samples} rows of ${o.seqLen} tokens)`);
  const r = await estimateFisher(model, data, samples, { seqLen: o.seqLen, seed: o.seed, tokenizer: ctx.tokenizer, log: ctx.log, longExamples: o.longExamples });
  const tensors = new Map([...r.fisher].map(([n, d]) => [n, { shape: model.paramShape(n), data: d }]));
  writeSafetensors(file, tensors, {
    format: "midtrain-fisher",
    estimator: "empirical diagonal Fisher: mean over rows of the squared gradient of the row's mean token loss",
    rows: String(r.rows),
    ...provenance,
  });
  ctx.log(`ewc: Fisher over ${r.rows} rows saved to ${file}`);
  return { fisher: r.fisher, file };
}

/** Sets up every strategy the options ask for on `model` (the loaded start checkpoint). */
export async function setupStrategies(o: TrainOptions, model: Model, ctx: StrategyContext): Promise<Strategies> {
  const { log } = ctx;
  const record: StrategyRecord = {};
  const lora = o.loraRank !== undefined;
  if (o.anchor !== undefined || lora) {
    record.start_checkpoint = o.model;
    record.start_sha256 = weightsDigest(o.model);
  }

  // 1. The Fisher comes first: it is a property of the start weights with every tensor trainable.
  let fisher: Map<string, Float32Array> | undefined;
  if (o.anchor === "ewc") {
    const f = await stageFisher(o, model, record.start_sha256!, ctx);
    fisher = f.fisher;
    record.fisher = f.file;
    record.fisher_sha256 = digestFiles([f.file]);
  }

  // 2. Frozen tensors and LR scales.
  if (o.freezeLayers !== undefined) {
    const frozen = tensorsOfSpec(o.freezeLayers, model, "freeze-layers");
    for (const n of frozen) model.setTrainable(n, false);
    const count = frozen.reduce((a, n) => a + model.paramShape(n).reduce((x, y) => x * y, 1), 0);
    if (model.numTrainable() === 0) throw new Error(`option 'freeze-layers': '${o.freezeLayers}' freezes every tensor; nothing would train`);
    log(`freeze: ${frozen.length} tensors frozen (${(count / 1e6).toFixed(2)}M params); ${(model.numTrainable() / 1e6).toFixed(2)}M trainable`);
  }
  for (const [spec, scale] of Object.entries(o.lrScale ?? {})) {
    const names = tensorsOfSpec(spec, model, "lr-scale");
    for (const n of names) model.setLrScale(n, scale);
    log(`lr-scale: ${spec} x${scale} (${names.length} tensors)`);
  }

  // 3. LoRA.
  if (lora) {
    const rank = o.loraRank!;
    const alpha = o.loraAlpha ?? STRATEGY_DEFAULTS.loraAlphaPerRank * rank;
    const targets = o.loraTargets ?? [...LORA_TARGETS];
    model.enableLora({ rank, alpha, targets, seed: deriveSeed(o.seed, 0x10) & 0x7fffffff });
    log(`lora: rank ${rank}, alpha ${alpha} (scale ${(alpha / rank).toPrecision(3)}) on ${targets.join(", ")}; ${(model.numTrainable() / 1e6).toFixed(3)}M trainable params, base frozen; checkpoints hold the merged weights`);
  }

  // 4. The anchor: the weights as loaded, i.e. the stage's start.
  const anchorWeight = o.anchor === undefined ? 0 : (o.anchorWeight ?? STRATEGY_DEFAULTS.anchorWeight);
  if (o.anchor !== undefined) {
    model.setAnchor();
    if (fisher) {
      // F is normalised to mean 1 over the trainable elements, so --anchor-weight means the same for ewc as for l2sp.
      let sum = 0, n = 0;
      for (const name of model.paramNames()) {
        if (!model.isTrainable(name)) continue;
        for (const x of fisher.get(name)!) sum += x;
        n += fisher.get(name)!.length;
      }
      const mean = sum / n;
      if (!(mean > 0)) throw new Error(`ewc: the Fisher is zero on every trainable tensor (${record.fisher}); the penalty would do nothing`);
      for (const name of model.paramNames()) if (model.isTrainable(name)) model.setAnchorWeights(name, fisher.get(name)!.map((x) => x / mean));
      log(`ewc: anchor at the start weights, weight ${anchorWeight}, Fisher normalised by its mean ${mean.toExponential(3)}`);
    } else log(`l2sp: anchor at the start weights, weight ${anchorWeight}`);
  }

  // 5. The KL reference.
  const klWeight = o.klRef === undefined ? 0 : (o.klWeight ?? STRATEGY_DEFAULTS.klWeight);
  if (o.klRef !== undefined) {
    const tokA = join(o.model, "tokenizer.json"), tokB = join(o.klRef, "tokenizer.json");
    if (existsSync(tokA) && existsSync(tokB) && !readFileSync(tokA).equals(readFileSync(tokB)))
      throw new Error(`option 'kl-ref': ${tokB} differs from ${tokA}; the two next-token distributions would not be over the same tokens`);
    // On the training model's device: the engine takes a reference on the same backend only (a GPU run gets a GPU
    // reference, which runs forward only there: its weights and one layer's activations, no optimizer state).
    const ref = loadCheckpoint(o.klRef, undefined, model.device).model;
    if (ref.config.vocab_size !== model.config.vocab_size)
      throw new Error(`option 'kl-ref': ${o.klRef} has vocab_size ${ref.config.vocab_size}, the model ${model.config.vocab_size}`);
    model.setKlReference(ref, klWeight);
    log(`kl: weight ${klWeight} on KL(reference || model) per target token, reference ${o.klRef} (on ${model.device})`);
  }

  return { exportModel: lora ? model.merged() : model, lora, anchorWeight, klWeight, replay: o.replay !== undefined, record };
}

/** A resume must find the same start weights and Fisher the run began with. */
export function checkStrategyRecord(saved: StrategyRecord | undefined, now: StrategyRecord, where: string): void {
  const s = saved ?? {};
  for (const k of ["start_sha256", "fisher_sha256"] as const)
    if (s[k] !== now[k])
      throw new CheckpointError(
        k === "start_sha256"
          ? `${where}: the stage's start checkpoint ${now.start_checkpoint} has changed since the run began (its weights are the anchor / LoRA base); refusing to resume`
          : `${where}: the Fisher ${now.fisher} differs from the one the run began with; refusing to resume`,
      );
}

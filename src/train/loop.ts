// One training stage, top to bottom: load the model, its tokenizer and the
// data; restore a checkpoint when resuming; then step, log, evaluate and save
// until the budget is spent or Ctrl-C asks to stop. No hidden trainer magic.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Batch, EngineDevice, Model } from "../engine/model.js";
import { setThreads } from "../engine/native.js";
import { CheckpointError, loadCheckpoint, readJson } from "../model/checkpoint.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import { listCheckpoints, modelFingerprint, restoreTraining, saveFinal, saveTrainingCheckpoint, type TrainerState } from "./checkpointing.js";
import { MixedLoader } from "../data/mix.js";
import { evalLoss, openTrainData, type TrainData, type TrainDataState } from "./data.js";
import { gib, jsonNumber, MetricsLog, Progress, type StepMetrics } from "./metrics.js";
import { NONFINITE_DEFAULTS, type TrainOptions } from "./options.js";
import { lrAt, type Schedule } from "./schedule.js";
import { checkStrategyRecord, setupStrategies, type StrategyRecord } from "./strategies.js";

export interface TrainResult {
  out: string;
  steps: number;
  samples: number;
  tokens: number;
  final_loss: number;
  eval_loss?: number;
  interrupted: boolean;
  resumed_from?: string;
  /** With --replay: replay examples trained on (not counted in samples). */
  replay_samples?: number;
  /** Which engine device ran the stage. */
  device: EngineDevice;
  /** Steps skipped for a non-finite loss or gradient norm (--on-nonfinite skip), over the run's history. */
  skipped_steps: number;
  /** Peak memory: the host's RSS, and on CUDA the device plan, peak and total. */
  memory: MemoryReport;
}

export interface MemoryReport {
  max_rss_bytes: number;
  device_plan_bytes?: number;
  device_peak_bytes?: number;
  device_total_bytes?: number;
}

/** The host's peak RSS (resourceUsage reports KiB), and the model's device memory on CUDA. */
export function memoryNow(model: Model): Pick<StepMetrics, "max_rss_bytes" | "device_plan_bytes" | "device_peak_bytes" | "device_free_bytes" | "device_total_bytes"> {
  const out: ReturnType<typeof memoryNow> = { max_rss_bytes: process.resourceUsage().maxRSS * 1024 };
  const d = model.memory();
  if (d) Object.assign(out, { device_plan_bytes: d.planBytes, device_peak_bytes: d.peakBytes, device_free_bytes: d.freeBytes, device_total_bytes: d.totalBytes });
  return out;
}

/** In words, for the last log line. */
export function memorySummary(m: MemoryReport): string {
  const host = `host peak RSS ${gib(m.max_rss_bytes)}`;
  if (m.device_plan_bytes === undefined) return host;
  return `GPU peak ${m.device_peak_bytes ? gib(m.device_peak_bytes) : "not measured"} of ${gib(m.device_total_bytes ?? 0)} (plan ${gib(m.device_plan_bytes)}), ${host}`;
}

/**
 * The run stopped on a non-finite step (--on-nonfinite stop, or --max-skipped steps in a row with skip):
 * the last good weights are saved in `checkpoint`, from which --resume continues. The CLI exits with
 * `exitCode` (3), so scripts can tell it from other errors (2) and Ctrl-C (130).
 */
export class NonFiniteStopError extends Error {
  readonly exitCode = 3;
  constructor(
    message: string,
    readonly step: number,
    readonly loss: number,
    readonly gradNorm: number,
    readonly checkpoint: string,
  ) {
    super(message);
  }
}

export interface TrainHooks {
  log: (line: string) => void;
  /** Where the engine runs (default cpu); cuda needs the CUDA backend and a device (engineDevice). */
  device?: EngineDevice;
  /** Polled after every step; true = save a checkpoint and stop (Ctrl-C). */
  shouldStop?: () => boolean;
  /**
   * Called after each step with the samples seen so far (pipelines save at sample counts). `model` is the
   * model as a checkpoint holds it (LoRA merged in): save it with saveCheckpoint.
   */
  afterStep?: (s: { step: number; samples: number; model: Model }) => Promise<void> | void;
}

/** Steps the budget allows: --steps, or enough for --epochs / --samples. */
function plannedSteps(o: TrainOptions, data: TrainData): number {
  const rowsPerStep = o.batchSize * o.gradAccum;
  if (o.steps !== undefined) return o.steps;
  if (o.samples !== undefined) return Math.max(1, Math.ceil((o.samples / Math.max(1, data.examplesPerEpoch)) * data.rowsPerEpoch / rowsPerStep));
  return Math.max(1, Math.ceil(((o.epochs ?? 1) * data.rowsPerEpoch) / rowsPerStep));
}

/**
 * The options that must not change across a resume (the rest, e.g. save cadence, may). The non-finite policy
 * and recompute may: continuing a run that stopped on a NaN with --on-nonfinite skip, or one that ran out of
 * GPU memory with --recompute, is what they are for.
 */
function runIdentity(o: TrainOptions): Record<string, unknown> {
  const { resume: _r, saveEvery: _s, keepLast: _k, evalEvery: _e, threads: _t, onNonfinite: _n, maxSkipped: _m, recompute: _c, ...rest } = o;
  return rest;
}

export async function train(o: TrainOptions, hooks: TrainHooks): Promise<TrainResult> {
  const { log } = hooks;
  setThreads(o.threads);
  try {
    mkdirSync(o.out, { recursive: true });
    accessSync(o.out, constants.W_OK);
  } catch (e) {
    throw new Error(`option 'out': cannot write to ${o.out}: ${(e as Error).message}`);
  }

  const { model, config } = loadCheckpoint(o.model, undefined, hooks.device ?? "cpu");
  if (o.recompute) {
    try {
      model.setRecompute(true);
    } catch (e) {
      const msg = (e as Error).message;
      const why = model.device === "cpu" ? `${msg} (it saves GPU memory on --device cuda; the CPU model keeps every activation): drop --recompute here` : msg;
      throw new Error(`option 'recompute': ${why}`);
    }
  }
  const tokenizer = Tokenizer.fromDir(o.model);
  if (o.seqLen > (Number(config.raw.max_position_embeddings) || Infinity))
    throw new Error(`option 'seq-len': ${o.seqLen} exceeds the model's max_position_embeddings ${String(config.raw.max_position_embeddings)}`);
  const data = await openTrainData(o, tokenizer, model.config.vocab_size, log);
  log(`train: ${o.stage} on ${data.examplesPerEpoch} examples (${data.rowsPerEpoch} rows of ${o.seqLen} tokens${data.evalRows ? `, ${data.evalRows} held out` : ""}), model ${(model.numParams() / 1e6).toFixed(2)}M params on ${model.device}${o.recompute ? ", recomputing activations in backward" : ""}`);

  const finalState = join(o.out, "trainer_state.json");
  if (o.resume === true && existsSync(finalState)) {
    const prior = readJson(finalState) as Partial<TrainerState>;
    if (prior.model_fingerprint !== modelFingerprint(model))
      throw new CheckpointError(`${finalState}: ${o.out} holds a run of a different model; refusing to resume into it`);
    if (prior.finished === true) {
      log(`train: ${o.out} already holds the finished run (step ${prior.step}); nothing to do`);
      const metricsFile = new MetricsLog(join(o.out, "metrics.jsonl"));
      return {
        out: o.out, steps: prior.step ?? 0, samples: prior.samples ?? 0, tokens: prior.tokens ?? 0, final_loss: NaN, interrupted: false, resumed_from: o.out,
        device: model.device, skipped_steps: metricsFile.count("skipped"), memory: memoryNow(model),
      };
    }
  }
  // Strategies are set up on the start weights, before a resume restores a checkpoint over them.
  const strategies = await setupStrategies(o, model, { tokenizer, log });
  const metrics = new MetricsLog(join(o.out, "metrics.jsonl"));
  let state: TrainerState = {
    version: 1, step: 0, samples: 0, tokens: 0, epoch: 0, loader: data.state(),
    model_fingerprint: modelFingerprint(model), finished: false, options: runIdentity(o), strategy: { ...strategies.record },
  };
  let resumedFrom: string | undefined;
  if (o.resume !== false) {
    const from = typeof o.resume === "string" ? o.resume : listCheckpoints(o.out).at(-1);
    if (from === undefined) log(`train: --resume: no checkpoint in ${o.out} yet; starting fresh`);
    else {
      const savedState = join(from, "trainer_state.json");
      const saved = readJson(savedState) as Partial<TrainerState>;
      if (saved.model_fingerprint !== modelFingerprint(model))
        throw new CheckpointError(`${savedState}: this checkpoint belongs to a different model (fingerprint ${saved.model_fingerprint}, this model ${modelFingerprint(model)}); refusing to resume`);
      if (JSON.stringify(saved.options) !== JSON.stringify(runIdentity(o)))
        throw new CheckpointError(`${savedState}: the run was started with other options (${JSON.stringify(saved.options)}); refusing to resume with different ones`);
      checkStrategyRecord(saved.strategy as StrategyRecord | undefined, strategies.record, savedState);
      state = restoreTraining(from, model);
      data.restore(state.loader as TrainDataState as never);
      metrics.truncateAfter(state.step);
      resumedFrom = from;
      log(`train: resumed from ${from} at step ${state.step}`);
    }
  } else metrics.reset();

  const total = plannedSteps(o, data);
  const schedule: Schedule = { name: o.schedule, peakLr: o.lr, warmupSteps: o.warmup, totalSteps: total, minLrRatio: o.minLrRatio };
  const save = (loader: TrainDataState = data.state()) => {
    state.loader = loader;
    return saveTrainingCheckpoint(o.out, model, { config: config.raw, tokenizerDir: o.model, state }, o.keepLast);
  };
  const progress = new Progress(total, state.step);
  let lastLoss = NaN, lastEvalLoss: number | undefined, interrupted = false;
  // Non-finite steps. A skipped batch is dropped, not retried, and costs no budget: the step counter, and with
  // it the LR schedule, Adam's bias correction and --steps, only count updates. `streakStart` is the data
  // position before the current run of skips, so a checkpoint saved in one holds exactly the state after the
  // last good step and a resume replays the skipped batches (metrics.jsonl then reads as one run).
  const maxSkipped = o.onNonfinite === "skip" ? (o.maxSkipped ?? NONFINITE_DEFAULTS.maxSkipped) : 1;
  let skippedTotal = metrics.count("skipped"), inARow = 0;
  let streakStart: TrainDataState | undefined;

  while (state.step < total && !(o.samples !== undefined && state.samples >= o.samples)) {
    const before = data.state() as TrainDataState;
    const micro: Batch[] = [];
    let samples = 0;
    for (let a = 0; a < o.gradAccum; a++) {
      const mb = data.next();
      micro.push(mb);
      samples += mb.samples;
    }
    const lr = lrAt(schedule, state.step);
    const t0 = performance.now();
    const r = await model.step(micro, o.batchSize, o.seqLen, {
      lr, beta1: o.adamBeta1, beta2: o.adamBeta2, eps: o.adamEps, weightDecay: o.weightDecay, gradClip: o.gradClip,
      anchorWeight: strategies.anchorWeight,
    });
    if (r.skipped) {
      const attempt = state.step + 1;
      streakStart ??= before;
      inARow++;
      const what = `loss ${r.loss}, gradient norm ${r.gradNorm}`;
      if (o.onNonfinite === "skip") {
        skippedTotal++;
        metrics.append({ type: "skipped", step: attempt, loss: jsonNumber(r.loss), grad_norm: jsonNumber(r.gradNorm), in_a_row: inARow });
      }
      if (inARow >= maxSkipped) {
        progress.done();
        metrics.append({ type: "stopped", step: attempt, loss: jsonNumber(r.loss), grad_norm: jsonNumber(r.gradNorm), in_a_row: inARow });
        const dir = save(streakStart);
        const why = o.onNonfinite === "skip" ? `${inARow} steps in a row skipped (--max-skipped ${maxSkipped}), the last with ${what}` : `${what}, not finite (--on-nonfinite stop)`;
        throw new NonFiniteStopError(
          `train: stopped at step ${attempt}: ${why}; the last good weights (step ${state.step}) are in ${dir}: --resume continues from there, e.g. with --on-nonfinite skip`,
          attempt, r.loss, r.gradNorm, dir,
        );
      }
      log(`\ntrain: skipped step ${attempt}: ${what}, not finite; weights unchanged (${inARow} in a row of at most ${maxSkipped}, ${skippedTotal} in all)`);
      if (hooks.shouldStop?.()) {
        interrupted = true;
        progress.done();
        log(`train: stopping at step ${state.step}; saved ${save(streakStart)} (resume with --resume)`);
        break;
      }
      continue;
    }
    inARow = 0;
    streakStart = undefined;
    state.step += 1;
    state.samples += samples;
    state.tokens += r.tokens;
    state.epoch = data.epoch;
    lastLoss = r.loss;
    const m: StepMetrics = {
      step: state.step, loss: r.loss, lr, grad_norm: r.gradNorm, tokens: state.tokens,
      tokens_per_s: r.tokens / ((performance.now() - t0) / 1000), samples: state.samples, epoch: state.epoch,
      ...(strategies.klWeight > 0 ? { kl: r.kl } : {}),
      ...(strategies.anchorWeight > 0 ? { anchor_penalty: r.penalty } : {}),
      ...(data instanceof MixedLoader ? { replay_samples: data.replaySamples } : {}),
      ...(skippedTotal > 0 ? { skipped_steps: skippedTotal } : {}),
      ...memoryNow(model),
    };
    metrics.append(m);
    progress.update(m);
    if (o.evalEvery > 0 && state.step % o.evalEvery === 0) {
      const e = evalLoss(model, data);
      lastEvalLoss = e.loss;
      metrics.append({ type: "eval", step: state.step, eval_loss: e.loss, eval_tokens: e.tokens });
      log(`\neval at step ${state.step}: loss ${e.loss.toFixed(4)} over ${e.tokens} tokens`);
    }
    await hooks.afterStep?.({ step: state.step, samples: state.samples, model: strategies.exportModel });
    if (hooks.shouldStop?.()) {
      interrupted = true;
      progress.done();
      log(`train: stopping at step ${state.step}; saved ${save()} (resume with --resume)`);
      break;
    }
    if (o.saveEvery > 0 && state.step % o.saveEvery === 0 && state.step < total) save();
  }
  const { max_rss_bytes, device_plan_bytes, device_peak_bytes, device_total_bytes } = memoryNow(model);
  const memory: MemoryReport = { max_rss_bytes, ...(device_plan_bytes !== undefined ? { device_plan_bytes, device_peak_bytes, device_total_bytes } : {}) };
  if (!interrupted) {
    progress.done();
    state.finished = true;
    state.loader = data.state();
    saveFinal(o.out, model, { config: config.raw, tokenizerDir: o.model, state });
    log(`train: done at step ${state.step}${skippedTotal ? ` (${skippedTotal} non-finite steps skipped)` : ""}; final model in ${o.out}; ${memorySummary(memory)}`);
  }
  return {
    out: o.out, steps: state.step, samples: state.samples, tokens: state.tokens, final_loss: lastLoss, eval_loss: lastEvalLoss, interrupted, resumed_from: resumedFrom,
    ...(data instanceof MixedLoader ? { replay_samples: data.replaySamples } : {}),
    device: model.device, skipped_steps: skippedTotal, memory,
  };
}

// The typed face of the native LlamaModel. Construction validates the config
// (src/model/config.ts); step() trains off the JS thread. The preservation
// strategies' engine controls (docs/strategies.md) are here too: freezing,
// per-tensor LR scales, the L2-SP/EWC anchor, the Fisher, LoRA, a KL
// reference, and hidden states for representation probes.
import { z } from "zod";
import { engineConfig, type EngineConfig } from "../model/config.js";
import { native } from "./native.js";

/** One micro-batch of B rows x T tokens, row-major. */
export interface Batch {
  inputIds: Int32Array;
  /** -100 = no loss at this position. */
  labels?: Int32Array;
  /** Position of each token in its document; derived from segmentIds when absent. */
  positions?: Int32Array;
  /** Document id per token: tokens attend only within their document. */
  segmentIds?: Int32Array;
}

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global L2-norm clipping threshold; 0 = off. */
  gradClip: number;
  /** L2-SP/EWC: adds anchorWeight * F * (w - w0) to each trainable tensor's clipped gradient (needs setAnchor); 0/absent = off. */
  anchorWeight?: number;
}

/** The projections LoRA can adapt. */
export const LORA_TARGETS = ["q", "k", "v", "o", "gate", "up", "down"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  rank: number;
  /** The update is (alpha / rank) * B A. */
  alpha: number;
  targets: readonly LoraTarget[];
  /** A ~ U(-1/sqrt(in), 1/sqrt(in)) from this seed (PEFT's init); B = 0. */
  seed: number;
}

export interface HiddenStatesOptions {
  /** B*T entries; nonzero = include the position in the mean. Default: every position. */
  mask?: Int32Array;
  /** "mean" (default): [B, hidden] per entry, the mean over the row's masked positions; "none": [B*T, hidden]. */
  pool?: "mean" | "none";
}

export interface StepResult {
  /** Mean loss over every target token of the step (all micro-batches). */
  loss: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  targets: number;
  tokens: number;
  step: number;
  /** Mean KL(p_ref || p) over target tokens; 0 without a KL reference. Not part of `loss`. */
  kl: number;
  /** anchorWeight/2 * sum F (w - w0)^2 before the step; 0 without an anchor. Not part of `loss`. */
  penalty: number;
  /** The loss or gradient norm was not finite: weights, moments and step count are untouched. */
  skipped: boolean;
}

/** Where a model's weights, state and steps live. */
export type EngineDevice = "cpu" | "cuda";

/** The device plan of a CUDA model: bytes allocated up front (weights + state, activations for the last B x T) and the device's free/total. */
export interface DeviceMemory {
  weightsBytes: number;
  activationsBytes: number;
  planBytes: number;
  /** The most device memory in use seen at the end of a step; 0 before the first step. */
  peakBytes: number;
  freeBytes: number;
  totalBytes: number;
}

/** Whether this build of the addon has the CUDA model (a GPU build, or the emulation). */
export function hasCudaBackend(): boolean {
  return (native().buildInfo() as { cuda: boolean }).cuda === true;
}

/**
 * The device bytes a CUDA model of a config takes: weight state (fp32 master and bf16 copy of every tensor;
 * fp32 gradients and AdamW moments of the trainable ones) and the activation plan for B x T.
 */
export interface CudaMemoryPlan {
  weightsBytes: number;
  activationsBytes: number;
}

/** What a plan needs beyond the config: LoRA's rank and targets (alpha and seed change no bytes) and the tensors setTrainable(name, false) freezes. */
export interface CudaPlanOptions {
  lora?: { rank: number; targets: readonly LoraTarget[] };
  frozen?: readonly string[];
  /** An L2-SP anchor (w0) or an EWC one (w0 and its importance weights F). */
  anchor?: "l2sp" | "ewc";
  /** A KL reference of the same config (setKlReference): its weights and its forward's recompute plan. */
  klRef?: boolean;
}

const CudaPlanOptionsSchema = z.object({
  lora: z.object({ rank: z.number().int().min(1), targets: z.array(z.enum(LORA_TARGETS)).min(1) }).optional(),
  frozen: z.array(z.string()).optional(),
  anchor: z.enum(["l2sp", "ewc"]).optional(),
  klRef: z.boolean().optional(),
});

/**
 * The CUDA model's memory plan for `config` at B x T, after enableLora, setTrainable(name, false) and setAnchor
 * (+ setAnchorWeights for EWC) as in `options`, computed without a device or an allocation (the same carving the model allocates with). Needs an
 * addon with the CUDA backend (a GPU build or the emulation).
 */
export function planCudaMemory(config: unknown, B: number, T: number, recompute: boolean, options: CudaPlanOptions = {}, source = "config"): CudaMemoryPlan {
  const c = engineConfig(config, source);
  const o = CudaPlanOptionsSchema.safeParse(options);
  if (!o.success) {
    const i = o.error.issues[0]!;
    throw new Error(`planCudaMemory: option '${i.path.join(".")}': ${i.message}`);
  }
  if (!hasCudaBackend()) throw new Error("planning CUDA memory needs an addon with the CUDA backend (docs/cuda.md 'Building')");
  const { lora, frozen, anchor, klRef } = o.data;
  return native().cudaPlanMemory({ ...c, qk_norm: c.qk_norm }, B, T, recompute, { lora, frozen: frozen ?? [], anchor, klRef }) as CudaMemoryPlan;
}

/** --device cpu|cuda|auto -> the engine device; auto picks a real CUDA device when this addon has the CUDA model, else the CPU (never the emulation). */
export function engineDevice(d: EngineDevice | "auto"): EngineDevice {
  const addon = native();
  if (d === "cpu") return "cpu";
  if (d === "cuda") {
    if (!hasCudaBackend())
      throw new Error("--device cuda: this build of the native addon has no CUDA backend (built without a CUDA toolkit; docs/cuda.md 'Building'); use --device cpu");
    return "cuda";
  }
  if (!hasCudaBackend() || typeof addon.cudaInfo !== "function") return "cpu";
  const info = addon.cudaInfo() as { backend: string; devices: unknown[] };
  return info.backend === "cuda" && info.devices.length > 0 ? "cuda" : "cpu";
}

export class Model {
  readonly config: EngineConfig;
  readonly device: EngineDevice;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly m: any;

  /** `config` is a Hugging Face config.json object (or an EngineConfig). device "cuda" needs an addon with the CUDA backend and a device (else a clear error). */
  constructor(config: unknown, source = "config", device: EngineDevice = "cpu") {
    this.config = engineConfig(config, source);
    this.device = device;
    if (device === "cuda") engineDevice("cuda");
    // One native class over every device; a control a device lacks throws its own sentence.
    this.m = new (native().LlamaModel)({ ...this.config, qk_norm: this.config.qk_norm }, { device });
  }

  /** The CUDA model's device memory plan; null on the CPU. */
  memory(): DeviceMemory | null {
    return this.device === "cuda" ? (this.m.memory() as DeviceMemory) : null;
  }
  /** Keep only each layer's input for backward and recompute the layer there (CUDA; the CPU keeps every activation). */
  setRecompute(on: boolean): void {
    this.m.setRecompute(on);
  }

  paramNames(): string[] {
    return this.m.paramNames();
  }
  paramShape(name: string): number[] {
    return this.m.paramShape(name);
  }
  numParams(): number {
    return this.m.numParams();
  }
  getParam(name: string): Float32Array {
    return this.m.getParam(name);
  }
  setParam(name: string, data: Float32Array): void {
    this.m.setParam(name, data);
  }
  getGrad(name: string): Float32Array {
    return this.m.getGrad(name);
  }
  getOptimizerState(name: string): { m: Float32Array; v: Float32Array } {
    return this.m.getOptimizerState(name);
  }
  setOptimizerState(name: string, m: Float32Array, v: Float32Array): void {
    this.m.setOptimizerState(name, m, v);
  }
  get stepCount(): number {
    return this.m.stepCount();
  }
  set stepCount(s: number) {
    this.m.setStepCount(s);
  }
  /** Linear/embedding weights ~ N(0, std), norms 1, biases 0; deterministic in seed. */
  initWeights(seed: number, std = 0.02): void {
    this.m.initWeights(seed, std);
  }
  /** Logits [B*T*V]. */
  forwardLogits(batch: Batch, B: number, T: number): Float32Array {
    return this.m.forwardLogits(batch, B, T);
  }
  evalLoss(batch: Batch, B: number, T: number): { lossSum: number; count: number } {
    return this.m.evalLoss(batch, B, T);
  }
  /** Zeroes the gradients and computes the mean loss and its gradient (readable with getGrad); with a KL reference, kl is the mean KL and the gradient includes its weighted term. */
  lossAndGrad(batch: Batch, B: number, T: number): { loss: number; count: number; gradNorm: number; kl: number } {
    return this.m.lossAndGrad(batch, B, T);
  }
  /** Seconds spent per phase (gemm, attention_fwd, ...) since the last reset. */
  profile(): Record<string, number> {
    return this.m.profile();
  }
  resetProfile(): void {
    this.m.resetProfile();
  }
  /** One optimizer step over the micro-batches (gradient accumulation); bad input rejects. */
  async step(microBatches: Batch[], B: number, T: number, hyper: AdamWConfig): Promise<StepResult> {
    return this.m.step(microBatches, B, T, hyper);
  }

  // --- Preservation strategies ---------------------------------------------

  /** A frozen tensor gets no gradient, no Adam moments, no update and no decay; it is left out of the gradient norm. */
  setTrainable(name: string, trainable: boolean): void {
    this.m.setTrainable(name, trainable);
  }
  isTrainable(name: string): boolean {
    return this.m.isTrainable(name);
  }
  /** Elements in trainable tensors (LoRA factors included). */
  numTrainable(): number {
    return this.m.numTrainable();
  }
  /** This tensor's lr = the step's lr * scale (as a PyTorch param group's lr; decay scales with it). */
  setLrScale(name: string, scale: number): void {
    this.m.setLrScale(name, scale);
  }
  /** Adds LoRA factors to the target projections of every layer and freezes every other tensor. Once, before an anchor, Fisher or KL reference. */
  enableLora(c: LoraConfig): void {
    this.m.enableLora({ ...c, targets: [...c.targets] });
  }
  /** LoRA factor names: `<projection>.lora_A.weight` [r, in] and `.lora_B.weight` [out, r]; getParam/setParam/getGrad/getOptimizerState take them. */
  loraParamNames(): string[] {
    return this.m.loraParamNames();
  }
  /** W + (alpha/r) B A (just W for a tensor without LoRA). */
  mergedParam(name: string): Float32Array {
    return this.m.mergedParam(name);
  }
  /** The same model seen with LoRA merged: getParam returns mergedParam, so saving it writes a plain HF checkpoint. */
  merged(): Model {
    const view = Object.create(Model.prototype) as Model;
    Object.assign(view, this);
    view.getParam = (name: string) => this.mergedParam(name);
    return view;
  }
  /** The anchor w0 := the current weights (L2-SP/EWC); the step's anchorWeight switches the pull on. */
  setAnchor(): void {
    this.m.setAnchor();
  }
  clearAnchor(): void {
    this.m.clearAnchor();
  }
  /** Per-element anchor weights F (EWC's Fisher), 1 until set; finite and >= 0. */
  setAnchorWeights(name: string, weights: Float32Array): void {
    this.m.setAnchorWeights(name, weights);
  }
  /** 1/2 sum over trainable tensors of F (w - w0)^2, in double; 0 without an anchor. */
  anchorDistance(): number {
    return this.m.anchorDistance();
  }
  /** Adds, per row with targets, the squared gradient of that row's mean token loss (trainable tensors) to the Fisher sums; returns the rows counted. */
  accumulateFisher(batch: Batch, B: number, T: number): number {
    return this.m.accumulateFisher(batch, B, T);
  }
  /** The Fisher sums so far (divide by the rows counted for the mean). */
  getFisher(name: string): Float32Array {
    return this.m.getFisher(name);
  }
  clearFisher(): void {
    this.m.clearFisher();
  }
  /** Adds weight * KL(p_ref || p) (mean over target tokens) to the training loss; null = off. `ref` must be on the same device, stay alive and unstepped meanwhile. */
  setKlReference(ref: Model | null, weight = 0): void {
    this.m.setKlReference(ref === null ? null : ref.m, weight);
  }
  /**
   * Residual-stream activations, as Hugging Face's output_hidden_states: num_hidden_layers + 1 entries,
   * [0] the embeddings, [l] the output of layer l, the last one after the final norm.
   */
  hiddenStates(batch: Batch, B: number, T: number, o: HiddenStatesOptions = {}): Float32Array[] {
    return this.m.hiddenStates(batch, B, T, o.mask ?? null, (o.pool ?? "mean") === "mean");
  }
}

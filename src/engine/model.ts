// The typed face of the native LlamaModel. Construction validates the config
// (src/model/config.ts); step() trains off the JS thread.
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
}

export interface StepResult {
  /** Mean loss over every target token of the step (all micro-batches). */
  loss: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  targets: number;
  tokens: number;
  step: number;
}

export class Model {
  readonly config: EngineConfig;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly m: any;

  /** `config` is a Hugging Face config.json object (or an EngineConfig). */
  constructor(config: unknown, source = "config") {
    this.config = engineConfig(config, source);
    const Native = native().LlamaModel;
    this.m = new Native({ ...this.config, qk_norm: this.config.qk_norm });
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
  /** Zeroes the gradients and computes the mean loss and its gradient (readable with getGrad). */
  lossAndGrad(batch: Batch, B: number, T: number): { loss: number; count: number; gradNorm: number } {
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
}

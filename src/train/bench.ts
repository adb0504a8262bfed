// `midtrain bench train`: training throughput of a preset on the native
// engine, beside PyTorch running the same model, batch and thread count in the
// same invocation (scripts/bench_torch_train.py), when /usr/bin/python3 has torch.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gemm } from "../engine/gemm.js";
import { Model, engineDevice, type Batch } from "../engine/model.js";
import { buildInfo, setThreads } from "../engine/native.js";
import { memoryNow } from "./loop.js";
import { loadPreset, modelsDir } from "../model/presets.js";

export interface TrainBenchOptions {
  preset: string;
  batch: number;
  seq: number;
  steps: number;
  warmup: number;
  threads: number;
  seed: number;
  torch: boolean;
  python: string;
  /** cpu, cuda (the CUDA model; PyTorch on the GPU beside it) or auto. Default cpu. */
  device?: "cpu" | "cuda" | "auto";
  /** Recompute each layer's activations in backward (model.setRecompute; the CPU backend refuses it). */
  recompute?: boolean;
  log: (line: string) => void;
}

/** The MFU denominator: H100 SXM bf16 dense tensor-core peak (NVIDIA's datasheet: 989 TFLOP/s without sparsity). */
export const H100_BF16_DENSE_TFLOPS = 989;

export interface TrainBenchResult {
  preset: string;
  device: "cpu" | "cuda";
  blas: string;
  threads: number;
  batch: number;
  seq: number;
  params: number;
  steps: number;
  step_ms: number;
  tokens_per_s: number;
  /** Model FLOPs per token: 6 x matmul params + causal attention (6 L H D T). */
  flops_per_token: number;
  gflops: number;
  /** sgemm rate measured in this invocation (1024^3, same threads). */
  sgemm_gflops: number;
  fraction_of_sgemm: number;
  loss_first: number;
  loss_last: number;
  /** Milliseconds per step in each phase of the native step. */
  phase_ms: Record<string, number>;
  torch_tokens_per_s?: number;
  torch_version?: string;
  speedup?: number;
  torch_error?: string;
  recompute: boolean;
  /** This process's peak resident set size over the run (the torch baseline runs in a child and is not in it). */
  max_rss_bytes: number;
  /** --device cuda: model FLOPs / H100 bf16 dense peak. */
  mfu?: number;
  peak_tflops?: number;
  /** --device cuda, from model.memory() after the timed steps: the plan (weights + state + activations for this batch), the most in use seen at a step's end (0 = not measured), the device's free and total. */
  device_plan_bytes?: number;
  device_peak_bytes?: number;
  device_free_bytes?: number;
  device_total_bytes?: number;
  torch_mfu?: number;
  torch_peak_memory_bytes?: number;
  torch_device?: string;
}

function randomBatch(B: number, T: number, V: number, seed: number): Batch {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  const inputIds = new Int32Array(B * T);
  for (let i = 0; i < inputIds.length; i++) inputIds[i] = next() % V;
  const labels = new Int32Array(B * T);
  for (let r = 0; r < B; r++)
    for (let t = 0; t < T; t++) labels[r * T + t] = t + 1 < T ? inputIds[r * T + t + 1]! : -100;
  return { inputIds, labels };
}

export function measureSgemm(n = 1024, reps = 5): number {
  const A = new Float32Array(n * n).fill(0.5), B = new Float32Array(n * n).fill(0.25), C = new Float32Array(n * n);
  gemm({ M: n, N: n, K: n, A, B, C });
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) gemm({ M: n, N: n, K: n, A, B, C });
  return (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9;
}

export async function benchTrain(o: TrainBenchOptions): Promise<TrainBenchResult> {
  setThreads(o.threads);
  const device = engineDevice(o.device ?? "cpu");
  const config = loadPreset(o.preset);
  const model = new Model(config, `${modelsDir}/${o.preset}.json`, device);
  model.initWeights(o.seed, 0.02);
  if (o.recompute) {
    try {
      model.setRecompute(true);
    } catch (e) {
      throw new Error(`--recompute: ${(e as Error).message}${device === "cpu" ? " (it saves GPU memory with --device cuda)" : ""}`);
    }
  }
  const c = model.config;
  const hyper = { lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
  const batch = randomBatch(o.batch, o.seq, c.vocab_size, o.seed + 1);

  o.log(`bench train: preset ${o.preset}, ${(model.numParams() / 1e6).toFixed(1)}M params, batch ${o.batch} x seq ${o.seq}, ` +
    (device === "cuda" ? "CUDA model (bf16)" : `${o.threads} threads, ${buildInfo().blas} GEMM`) + (o.recompute ? ", recomputing activations" : ""));
  const losses: number[] = [];
  for (let i = 0; i < o.warmup; i++) losses.push((await model.step([batch], o.batch, o.seq, hyper)).loss);
  model.resetProfile();
  const t0 = performance.now();
  for (let i = 0; i < o.steps; i++) {
    const r = await model.step([batch], o.batch, o.seq, hyper);
    losses.push(r.loss);
    o.log(`  step ${i + 1}/${o.steps}: loss ${r.loss.toFixed(4)}, ${(((performance.now() - t0) / (i + 1))).toFixed(0)} ms/step`);
  }
  const stepMs = (performance.now() - t0) / o.steps;
  const profile = Object.fromEntries(Object.entries(model.profile()).map(([k, v]) => [k, (1000 * v) / o.steps]));
  const tokensPerS = (o.batch * o.seq) / (stepMs / 1000);

  const C = c.hidden_size, F = c.intermediate_size, D = c.head_dim, L = c.num_hidden_layers;
  const Q = c.num_attention_heads * D, KV = c.num_key_value_heads * D;
  const matmulParams = L * (C * Q * 2 + C * KV * 2 + 3 * C * F) + c.vocab_size * C;
  const flopsPerToken = 6 * matmulParams + 6 * L * c.num_attention_heads * D * o.seq;
  const gflops = (flopsPerToken * tokensPerS) / 1e9;
  const sgemm = device === "cuda" ? NaN : measureSgemm();

  const result: TrainBenchResult = {
    preset: o.preset,
    device,
    blas: buildInfo().blas,
    threads: o.threads,
    batch: o.batch,
    seq: o.seq,
    params: model.numParams(),
    steps: o.steps,
    step_ms: stepMs,
    tokens_per_s: tokensPerS,
    flops_per_token: flopsPerToken,
    gflops,
    sgemm_gflops: sgemm,
    fraction_of_sgemm: gflops / sgemm,
    loss_first: losses[0] ?? NaN,
    loss_last: losses[losses.length - 1] ?? NaN,
    phase_ms: profile,
    recompute: o.recompute === true,
    max_rss_bytes: 0,
  };
  // Read before the torch baseline: it runs in a child process, but its result parsing should not count here.
  const mem = memoryNow(model);
  result.max_rss_bytes = mem.max_rss_bytes;
  if (device === "cuda") {
    result.peak_tflops = H100_BF16_DENSE_TFLOPS;
    result.mfu = (gflops * 1e9) / (H100_BF16_DENSE_TFLOPS * 1e12);
    Object.assign(result, { device_plan_bytes: mem.device_plan_bytes, device_peak_bytes: mem.device_peak_bytes, device_free_bytes: mem.device_free_bytes, device_total_bytes: mem.device_total_bytes });
  }
  if (o.torch) {
    Object.assign(result, device === "cuda" ? runTorchCuda(o, config) : runTorch(o, config));
    if (result.torch_tokens_per_s) result.speedup = result.tokens_per_s / result.torch_tokens_per_s;
  }
  return result;
}

function runTorch(o: TrainBenchOptions, config: Record<string, unknown>): Partial<TrainBenchResult> {
  const probe = spawnSync(o.python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return { torch_error: `${o.python} has no torch; install python3-torch for the baseline` };
  const dir = mkdtempSync(join(tmpdir(), "midtrain-bench-"));
  try {
    const cfgPath = join(dir, "config.json");
    writeFileSync(cfgPath, JSON.stringify(config));
    const script = resolve(modelsDir, "..", "scripts", "bench_torch_train.py");
    o.log(`bench train: PyTorch baseline (${o.python} ${script})`);
    const args = [script, "--config", cfgPath, "--batch", `${o.batch}`, "--seq", `${o.seq}`, "--threads", `${o.threads}`, "--steps", `${o.steps}`, "--warmup", `${o.warmup}`];
    const r = spawnSync(o.python, args, { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "inherit"] });
    if (r.status !== 0) return { torch_error: `torch baseline exited with ${r.status}` };
    const line = r.stdout.trim().split("\n").pop() ?? "";
    const t = JSON.parse(line) as { tokens_per_s: number; torch_version: string };
    return { torch_tokens_per_s: t.tokens_per_s, torch_version: t.torch_version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// PyTorch eager on the GPU (SDPA, fused AdamW, bf16 autocast): scripts/gpu/bench_torch_train_cuda.py.
function runTorchCuda(o: TrainBenchOptions, config: Record<string, unknown>): Partial<TrainBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "midtrain-bench-"));
  try {
    const cfgPath = join(dir, "config.json");
    writeFileSync(cfgPath, JSON.stringify(config));
    const script = resolve(modelsDir, "..", "scripts", "gpu", "bench_torch_train_cuda.py");
    o.log(`bench train: PyTorch GPU baseline (${o.python} ${script})`);
    const args = [script, "--config", cfgPath, "--batch", `${o.batch}`, "--seq", `${o.seq}`, "--steps", `${o.steps}`, "--warmup", `${Math.max(1, o.warmup)}`, "--peak-tflops", `${H100_BF16_DENSE_TFLOPS}`];
    const r = spawnSync(o.python, args, { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "inherit"] });
    const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
    if (r.status !== 0) return { torch_error: `torch GPU baseline exited with ${r.status}${line ? `: ${line}` : ""}` };
    const t = JSON.parse(line) as { tokens_per_s: number; torch_version: string; mfu: number; peak_memory_bytes: number; device: string };
    return { torch_tokens_per_s: t.tokens_per_s, torch_version: t.torch_version, torch_mfu: t.mfu, torch_peak_memory_bytes: t.peak_memory_bytes, torch_device: t.device };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

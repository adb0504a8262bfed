// `midtrain bench kernels|train|load|data|infer`: throughput, with a baseline beside it.
import type { CommandModule } from "yargs";
import { benchKernels, formatKernelTable } from "../engine/bench.js";
import { benchLoad } from "../model/bench-load.js";
import { benchData } from "../train/bench-data.js";
import { benchInfer } from "../infer/bench-infer.js";
import { buildInfo } from "../engine/native.js";
import { benchTrain, type TrainBenchOptions } from "../train/bench.js";
import { benchPlan, formatPlan } from "../train/bench-plan.js";
import { LORA_TARGETS, type LoraTarget } from "../engine/model.js";
import { chooseEngineDevice } from "../train/device-support.js";
import { gib } from "../train/metrics.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface BenchArgs extends CommonArgs, Omit<TrainBenchOptions, "log" | "seed" | "device" | "recompute"> {
  what: "kernels" | "train" | "load" | "data" | "infer" | "plan";
  loraRank?: number;
  loraTargets?: string;
  gpuMemory: number;
  anchor?: "l2sp" | "ewc";
  klRef?: boolean;
  data?: string[];
  batches: number[];
  promptTokens: number;
  genTokens: number;
  /** Unset unless given: its default differs between bench infer (on) and bench train (off). */
  recompute?: boolean;
  reps: number;
  copyCache: boolean;
  model?: string;
  cold: boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench <what>",
  describe:
    "measure kernel throughput (kernels), training tokens/s beside PyTorch (train), checkpoint loading (load), the data path (data) or ONNX Runtime prefill/decode beside recomputation without a KV cache (infer); or plan a preset's CUDA device memory without a GPU (plan)",
  builder: (y) =>
    withCommonOptions(y, { device: "bench" })
      .positional("what", { choices: ["kernels", "train", "load", "data", "infer", "plan"] as const, demandOption: true })
      .option("data", { type: "string", array: true, describe: "JSONL files for bench data" })
      .option("model", { type: "string", describe: "checkpoint directory for bench load / bench data" })
      .option("cold", { type: "boolean", default: false, describe: "bench load: drop the page cache before each timing (root), to read from disk" })
      .option("preset", { type: "string", default: "small", describe: "model preset (models/NAME.json) for bench train" })
      .option("batch", { type: "number", default: 8 })
      .option("seq", { type: "number", default: 512 })
      .option("steps", { type: "number", default: 5 })
      .option("warmup", { type: "number", default: 1 })
      .option("threads", { type: "number", default: 2, describe: "CPU threads for midtrain and for the torch baseline" })
      .option("torch", { type: "boolean", default: true, describe: "run the PyTorch baseline when python3 has torch" })
      .option("python", { type: "string", default: "/usr/bin/python3" })
      .option("batches", { type: "number", array: true, default: [1, 16], describe: "bench infer: batch sizes" })
      .option("prompt-tokens", { type: "number", default: 128, describe: "bench infer: prompt tokens per row" })
      .option("gen-tokens", { type: "number", default: 256, describe: "bench infer: tokens generated per row" })
      .option("recompute", {
        type: "boolean",
        describe: "bench infer: time the no-KV-cache baseline too (default on); bench train: recompute activations in backward to save GPU memory (default off; the CPU backend does not have it)",
      })
      .option("reps", { type: "number", default: 3, describe: "bench infer: timed repetitions (the best is kept)" })
      .option("copy-cache", { type: "boolean", default: false, describe: "bench infer: decode through the copying KV cache even where the in-place one is offered (the baseline)" })
      .option("lora-rank", { type: "number", describe: "bench plan: add LoRA rows of this rank" })
      .option("lora-targets", { type: "string", describe: "bench plan: LoRA projections, e.g. q,v (default all seven)" })
      .option("gpu-memory", { type: "number", default: 24, describe: "bench plan: the card's memory in GiB, for the fits column" })
      .option("anchor", { choices: ["l2sp", "ewc"] as const, describe: "bench plan: with an L2-SP or EWC anchor's buffers" })
      .option("kl-ref", { type: "boolean", describe: "bench plan: with a KL reference of the same shape" })
      .check((a) => {
        for (const k of ["batch", "seq", "steps", "threads"] as const)
          if (!Number.isInteger(a[k]) || a[k] < 1) throw new Error(`--${k} must be a positive integer, got ${a[k]}`);
        if (!Number.isInteger(a.warmup) || a.warmup < 0) throw new Error(`--warmup must be a non-negative integer`);
        const rank = a.loraRank as number | undefined, gpu = a.gpuMemory as number;
        if (rank !== undefined && (!Number.isInteger(rank) || rank < 1)) throw new Error(`--lora-rank must be a positive integer, got ${rank}`);
        if (!(gpu > 0)) throw new Error(`--gpu-memory must be a positive number of GiB, got ${gpu}`);
        return true;
      }) as never,
  handler: async (a) => {
    if (a.what === "infer") {
      // --device picks the ONNX Runtime provider here, not the addon's backend; --model, else a random --preset model.
      const r = await benchInfer({ model: a.model, preset: a.preset, batches: a.batches, promptTokens: a.promptTokens, genTokens: a.genTokens, reps: a.reps, recompute: a.recompute ?? true, copyCache: a.copyCache, device: a.device, threads: a.threads, seed: a.seed, log });
      if (a.json) process.stdout.write(JSON.stringify(r) + "\n");
      else {
        const lines = [`${r.model}${r.params ? ` (${(r.params / 1e6).toFixed(1)}M params)` : ""}, ${r.provider}, ${r.threads} threads, KV cache ${r.cache}`];
        for (const x of r.rows)
          lines.push(
            `batch ${x.batch}: prefill ${x.prefill_tokens_per_s.toFixed(0)} tokens/s (${x.prompt_tokens} tokens), decode ${x.decode_tokens_per_s.toFixed(0)} tokens/s; ` +
              `${x.gen_tokens} tokens with the KV cache ${(x.generate_ms / 1000).toFixed(2)} s` +
              (x.recompute_ms !== undefined ? `, recomputing ${(x.recompute_ms / 1000).toFixed(2)} s = ${x.speedup!.toFixed(1)}x` : ""),
          );
        process.stdout.write(lines.join("\n") + "\n");
      }
      return;
    }
    if (a.what === "plan") {
      const targets = a.loraTargets?.split(",").map((t) => t.trim());
      for (const t of targets ?? [])
        if (!(LORA_TARGETS as readonly string[]).includes(t)) throw new Error(`--lora-targets: '${t}' is not one of ${LORA_TARGETS.join(", ")}`);
      const r = benchPlan({ preset: a.preset, batch: a.batch, seq: a.seq, loraRank: a.loraRank, loraTargets: targets as LoraTarget[] | undefined, anchor: a.anchor, klRef: a.klRef, gpuGiB: a.gpuMemory });
      process.stdout.write((a.json ? JSON.stringify(r) : formatPlan(r)) + "\n");
      return;
    }
    // kernels, data and load time the CPU side; the CUDA kernels are timed by scripts/gpu-check.sh (docs/cuda.md).
    if (a.what !== "train" && a.device === "cuda")
      throw new Error(`--device cuda: bench ${a.what} measures the CPU (${a.what === "kernels" ? "the CUDA kernels are timed by scripts/gpu-check.sh, docs/cuda.md" : "it runs no GPU work"}); use --device cpu or auto`);
    if (a.what === "data") {
      if (!a.model || !a.data) throw new Error("bench data needs --model DIR (for its tokenizer) and --data FILE..");
      const r = await benchData(a.model, a.data, a.seq, a.batch, log);
      if (a.json) process.stdout.write(JSON.stringify(r) + "\n");
      else
        process.stdout.write(
          `${r.examples} examples, ${r.tokens} tokens: tokenise+pack ${r.load_s.toFixed(2)} s, one epoch of batches ${r.iterate_s.toFixed(2)} s = ${r.tokens_per_s.toFixed(0)} tokens/s\n`,
        );
      return;
    }
    if (a.what === "load") {
      if (!a.model) throw new Error("bench load needs --model DIR");
      const r = benchLoad(a.model, 3, log, a.cold);
      if (a.json) process.stdout.write(JSON.stringify(r) + "\n");
      else
        process.stdout.write(
          `${r.dir}: ${(r.bytes / 2 ** 20).toFixed(1)} MiB; reading the bytes ${r.read_ms.toFixed(1)} ms (${r.read_gb_per_s.toFixed(2)} GB/s), weights into the engine ${r.weights_ms.toFixed(1)} ms = ${r.ratio.toFixed(2)}x, whole checkpoint (config, tokenizer check, weights) ${r.load_ms.toFixed(1)} ms; ${r.cold ? "cold (from disk)" : "warm (page cache)"}\n`,
        );
      return;
    }
    if (a.what === "kernels") {
      const rows = benchKernels({ threads: a.threads, log });
      if (a.json) process.stdout.write(JSON.stringify({ device: "cpu", blas: buildInfo().blas, threads: a.threads, kernels: rows }) + "\n");
      else process.stdout.write(formatKernelTable(rows) + "\n");
      return;
    }
    const recompute = a.recompute ?? false;
    const device = chooseEngineDevice(a.device, log, recompute ? ["recompute"] : []);
    const r = await benchTrain({ ...a, seed: a.seed, device, recompute, log });
    if (a.json) {
      process.stdout.write(JSON.stringify(r) + "\n");
      return;
    }
    if (r.device === "cuda") {
      const gibOf = (b?: number) => (b === undefined ? "?" : gib(b));
      const pct = (x?: number) => (x === undefined ? "?" : `${(100 * x).toFixed(1)}%`);
      process.stdout.write(
        [
          `preset ${r.preset}: ${(r.params / 1e6).toFixed(1)}M params, batch ${r.batch} x ${r.seq}, CUDA model (bf16, fp32 master and AdamW)`,
          `midtrain: ${r.tokens_per_s.toFixed(0)} tokens/s (${r.step_ms.toFixed(1)} ms/step), MFU ${pct(r.mfu)} of ${r.peak_tflops} TFLOP/s (H100 bf16 dense)${r.recompute ? ", recomputing activations" : ""}`,
          `memory: device plan ${gibOf(r.device_plan_bytes)}, peak in use ${r.device_peak_bytes ? gibOf(r.device_peak_bytes) : "not measured"} of ${gibOf(r.device_total_bytes)}; host peak RSS ${gib(r.max_rss_bytes)}`,
          r.torch_tokens_per_s
            ? `torch ${r.torch_version} (eager, SDPA, fused AdamW) on ${r.torch_device}: ${r.torch_tokens_per_s.toFixed(0)} tokens/s, MFU ${pct(r.torch_mfu)}, peak ${gibOf(r.torch_peak_memory_bytes)}; midtrain/torch ${r.speedup!.toFixed(2)}x`
            : `torch: ${r.torch_error ?? "skipped"}`,
        ].join("\n") + "\n",
      );
      return;
    }
    const lines = [
      `preset ${r.preset}: ${(r.params / 1e6).toFixed(1)}M params, batch ${r.batch} x ${r.seq}, ${r.threads} threads (${r.blas})`,
      `midtrain: ${r.tokens_per_s.toFixed(0)} tokens/s (${r.step_ms.toFixed(0)} ms/step), ${r.gflops.toFixed(1)} GFLOP/s = ${(100 * r.fraction_of_sgemm).toFixed(0)}% of sgemm (${r.sgemm_gflops.toFixed(0)} GFLOP/s)`,
      `per step: ${Object.entries(r.phase_ms).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`,
      `memory: host peak RSS ${gib(r.max_rss_bytes)}`,
      r.torch_tokens_per_s
        ? `torch ${r.torch_version}: ${r.torch_tokens_per_s.toFixed(0)} tokens/s; speedup ${r.speedup!.toFixed(2)}x`
        : `torch: ${r.torch_error ?? "skipped"}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  },
};

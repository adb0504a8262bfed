// `midtrain bench kernels|train|load|data`: throughput, with a baseline beside it.
import type { CommandModule } from "yargs";
import { benchKernels, formatKernelTable } from "../engine/bench.js";
import { benchLoad } from "../model/bench-load.js";
import { benchData } from "../train/bench-data.js";
import { buildInfo } from "../engine/native.js";
import { benchTrain, type TrainBenchOptions } from "../train/bench.js";
import { log, resolveDevice, withCommonOptions, type CommonArgs } from "./options.js";

interface BenchArgs extends CommonArgs, Omit<TrainBenchOptions, "log" | "seed"> {
  what: "kernels" | "train" | "load" | "data";
  data?: string[];
  model?: string;
  cold: boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench <what>",
  describe: "measure kernel throughput (kernels), training tokens/s beside PyTorch (train), checkpoint loading (load) or the data path (data)",
  builder: (y) =>
    withCommonOptions(y)
      .positional("what", { choices: ["kernels", "train", "load", "data"] as const, demandOption: true })
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
      .check((a) => {
        for (const k of ["batch", "seq", "steps", "threads"] as const)
          if (!Number.isInteger(a[k]) || a[k] < 1) throw new Error(`--${k} must be a positive integer, got ${a[k]}`);
        if (!Number.isInteger(a.warmup) || a.warmup < 0) throw new Error(`--warmup must be a non-negative integer`);
        return true;
      }) as never,
  handler: async (a) => {
    resolveDevice(a.device, buildInfo().cuda);
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
    const r = await benchTrain({ ...a, seed: a.seed, log });
    if (a.json) {
      process.stdout.write(JSON.stringify(r) + "\n");
      return;
    }
    const lines = [
      `preset ${r.preset}: ${(r.params / 1e6).toFixed(1)}M params, batch ${r.batch} x ${r.seq}, ${r.threads} threads (${r.blas})`,
      `midtrain: ${r.tokens_per_s.toFixed(0)} tokens/s (${r.step_ms.toFixed(0)} ms/step), ${r.gflops.toFixed(1)} GFLOP/s = ${(100 * r.fraction_of_sgemm).toFixed(0)}% of sgemm (${r.sgemm_gflops.toFixed(0)} GFLOP/s)`,
      `per step: ${Object.entries(r.phase_ms).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`,
      r.torch_tokens_per_s
        ? `torch ${r.torch_version}: ${r.torch_tokens_per_s.toFixed(0)} tokens/s; speedup ${r.speedup!.toFixed(2)}x`
        : `torch: ${r.torch_error ?? "skipped"}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  },
};

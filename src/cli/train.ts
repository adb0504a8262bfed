// `midtrain train --model DIR --data FILE.. --out DIR [flags]`: one training stage.
import type { CommandModule } from "yargs";
import { train } from "../train/loop.js";
import { parseTrainOptions, TrainOptionsSchema } from "../train/options.js";
import { chooseEngineDevice, trainNeeds } from "../train/device-support.js";
import { loadedConfig, log, withCommonOptions, type CommonArgs } from "./options.js";

const shape = TrainOptionsSchema.shape;
const keys = Object.keys(shape);

/** Ctrl-C once: finish the step, save, exit; twice: exit now (the last checkpoint is intact). */
export function stopOnSigint(): () => boolean {
  let requested = false;
  process.on("SIGINT", () => {
    if (requested) {
      process.stderr.write("\nmidtrain: interrupted again; exiting without saving (the last checkpoint is intact)\n");
      process.exit(130);
    }
    requested = true;
    process.stderr.write("\nmidtrain: Ctrl-C: finishing this step and saving a checkpoint (Ctrl-C again to quit now)\n");
  });
  return () => requested;
}

export const trainCommand: CommandModule = {
  command: "train",
  describe: "train one stage (midtraining on documents, or SFT on chat data)",
  builder: (y) =>
    withCommonOptions(y)
      .option("model", { type: "string", demandOption: true, describe: "checkpoint directory to start from" })
      .option("data", { type: "string", array: true, demandOption: true, describe: "JSONL files (documents, chat, Alpaca or pre-tokenized)" })
      .option("out", { type: "string", demandOption: true, describe: "output directory (checkpoints, metrics.jsonl, final model)" })
      .option("stage", { choices: ["midtrain", "sft"] })
      .option("format", { choices: ["text", "chat", "tokens", "auto"] })
      .option("steps", { type: "number" })
      .option("epochs", { type: "number" })
      .option("samples", { type: "number", describe: "examples to train on (for SFT: conversations)" })
      .option("batch-size", { type: "number" })
      .option("grad-accum", { type: "number" })
      .option("seq-len", { type: "number" })
      .option("lr", { type: "number" })
      .option("schedule", { choices: ["constant", "cosine", "linear"] })
      .option("warmup", { type: "number", describe: "warmup steps" })
      .option("min-lr-ratio", { type: "number" })
      .option("weight-decay", { type: "number" })
      .option("adam-beta1", { type: "number" })
      .option("adam-beta2", { type: "number" })
      .option("adam-eps", { type: "number" })
      .option("grad-clip", { type: "number", describe: "global L2-norm clip; 0 = off" })
      .option("save-every", { type: "number", describe: "checkpoint every N steps; 0 = only at the end" })
      .option("keep-last", { type: "number", describe: "checkpoints to keep" })
      .option("eval-every", { type: "number" })
      .option("eval-split", { type: "number", describe: "fraction of examples held out for eval loss" })
      .option("long-examples", { choices: ["split", "error"], describe: "an example longer than --seq-len: split it or refuse" })
      .option("resume", { describe: "continue from the newest checkpoint in --out (or the given one)" })
      .option("threads", { type: "number" })
      .option("on-nonfinite", { choices: ["stop", "skip"], describe: "a step whose loss or gradient norm is not finite: stop (save the last good weights, exit 3) or skip it (default stop)" })
      .option("max-skipped", { type: "number", describe: "with --on-nonfinite skip: stop as above once this many steps in a row were skipped (default 10)" })
      .option("recompute", { type: "boolean", describe: "recompute each layer's activations in backward to save GPU memory (CUDA backend; an error on the CPU)" })
      .group(["replay", "replay-ratio", "anchor", "anchor-weight", "ewc-data", "fisher-samples", "fisher", "lora-rank", "lora-alpha", "lora-targets", "freeze-layers", "lr-scale", "kl-ref", "kl-weight"], "Preservation strategies (docs/strategies.md):")
      .option("replay", { type: "string", array: true, describe: "JSONL of value documents or value Q&A mixed into the batches" })
      .option("replay-ratio", { type: "number", describe: "share of samples from --replay, in [0, 1) (default 0.2)" })
      .option("anchor", { choices: ["l2sp", "ewc"], describe: "pull toward the stage's start weights (ewc: Fisher-weighted)" })
      .option("anchor-weight", { type: "number", describe: "W in W/2 * sum F (w - w0)^2 (default 1)" })
      .option("ewc-data", { type: "string", array: true, describe: "value data for EWC's Fisher (default: the --replay files)" })
      .option("fisher-samples", { type: "number", describe: "rows of --seq-len tokens for the Fisher (default 256)" })
      .option("fisher", { type: "string", describe: "a precomputed fisher.safetensors instead of estimating one" })
      .option("lora-rank", { type: "number", describe: "train LoRA factors of this rank; the base is frozen and checkpoints are merged" })
      .option("lora-alpha", { type: "number", describe: "LoRA scale is alpha / rank (default alpha = 2 * rank)" })
      .option("lora-targets", { type: "string", describe: "projections for LoRA, e.g. q,v (default q,k,v,o,gate,up,down)" })
      .option("freeze-layers", { type: "string", describe: 'tensors to freeze: layers "0-3", "embed", "lm_head", "norm", comma-separated' })
      .option("lr-scale", { type: "string", array: true, describe: "per-tensor LR multipliers SPEC=X (spec as --freeze-layers), e.g. embed=0.1" })
      .option("kl-ref", { type: "string", describe: "checkpoint whose next-token distribution the loss stays close to" })
      .option("kl-weight", { type: "number", describe: "weight of KL(reference || model) in the loss (default 1)" }),
  handler: async (a) => {
    const raw: Record<string, unknown> = {};
    for (const k of keys) if ((a as Record<string, unknown>)[k] !== undefined) raw[k] = (a as Record<string, unknown>)[k];
    if (raw.resume === "" || raw.resume === "true") raw.resume = true;
    // yargs adds a camelCase twin of each key of an object given in --config ("0-1" -> "01",
    // "lm_head" -> "lmHead"); for --lr-scale's map, keep the keys as written.
    if (raw.lrScale !== null && typeof raw.lrScale === "object" && !Array.isArray(raw.lrScale)) {
      const m = raw.lrScale as Record<string, unknown>;
      const twin = (k: string) => k.replace(/[-_]+(.)/g, (_, c: string) => c.toUpperCase());
      raw.lrScale = Object.fromEntries(Object.entries(m).filter(([k]) => !Object.keys(m).some((o) => o !== k && twin(o) === k)));
    }
    const o = parseTrainOptions(raw, loadedConfig ? `${loadedConfig} or the command line` : "the command line");
    const device = chooseEngineDevice((a as unknown as CommonArgs).device, log, trainNeeds(o));
    const r = await train(o, { log, shouldStop: stopOnSigint(), device });
    if ((a as unknown as CommonArgs).json) process.stdout.write(JSON.stringify(r) + "\n");
    else process.stdout.write(`${r.interrupted ? "stopped" : "trained"} ${r.steps} steps, ${r.samples} samples, ${r.tokens} tokens; final loss ${r.final_loss.toFixed(4)}; output in ${r.out}\n`);
    if (r.interrupted) process.exitCode = 130;
  },
};

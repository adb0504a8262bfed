// `midtrain export onnx --model DIR --out DIR [--ops fused|plain] [--dtype fp32|fp16|bf16]`:
// an ONNX decoder graph with a KV cache for ONNX Runtime (cached per checkpoint and options).
import type { CommandModule } from "yargs";
import { exportOnnx, type FloatType, type GraphOps } from "../infer/export-onnx.js";
import { openSession, type OnnxSession } from "../infer/session.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface ExportArgs extends CommonArgs {
  format: "onnx";
  model: string;
  out: string;
  ops: GraphOps;
  dtype?: FloatType;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: "export <format>",
  describe: "export a checkpoint for inference (onnx: decoder with KV cache for ONNX Runtime; skipped when already up to date)",
  builder: (y) =>
    withCommonOptions(y, { device: "onnx" })
      .positional("format", { choices: ["onnx"] as const, demandOption: true })
      .option("model", { type: "string", demandOption: true, describe: "checkpoint directory" })
      .option("out", { type: "string", demandOption: true, describe: "directory for model.onnx" })
      .option("ops", {
        choices: ["fused", "plain"] as const,
        default: "fused" as GraphOps,
        describe: "fused: ONNX Runtime contrib ops (GroupQueryAttention, RotaryEmbedding, SkipSimplifiedLayerNormalization); plain: standard opset-17 ops",
      })
      .option("dtype", {
        choices: ["fp32", "fp16", "bf16"] as const,
        describe: "weights and activations (default fp16 with --device cuda, else fp32); the KV cache and logits stay float32",
      }) as never,
  handler: async (a) => {
    const dtype: FloatType = a.dtype ?? (a.device === "cuda" ? "fp16" : "fp32");
    const r = exportOnnx(a.model, a.out, { ops: a.ops, dtype, log });
    // Open it once, so a broken export fails here and the provider in use is reported. The CPU provider
    // has no bf16 kernels (MatMul among them): a bf16 graph is only opened where CUDA is asked for or found.
    let s: OnnxSession | undefined;
    let note = "";
    if (dtype !== "bf16" || a.device === "cuda") s = await openSession(a.out, { device: a.device, log });
    else if (a.device === "auto") {
      try {
        s = await openSession(a.out, { device: "cuda", log });
      } catch (e) {
        note = `not opened: ${(e as Error).message.replace(/^--device cuda: /, "").replace(/ \(install.*$/, "")}, and the CPU provider cannot run bf16 graphs; open it with --device cuda`;
      }
    } else note = "not opened: the CPU provider cannot run bf16 graphs; open it with --device cuda";
    if (note) log(`onnx: ${note}`);
    const summary = { out: a.out, model: r.modelPath, exported: r.exported, ops: r.info.ops, dtype: r.info.dtype, attention: r.info.attention, provider: s?.provider ?? null };
    const line = `${r.exported ? "exported" : "up to date"}: ${r.modelPath} (${r.info.ops} ops, ${r.info.dtype}, ${r.info.attention} attention; ${s ? s.providerLine : note})`;
    process.stdout.write((a.json ? JSON.stringify(summary) : line) + "\n");
  },
};

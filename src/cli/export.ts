// `midtrain export onnx --model DIR --out DIR`: an ONNX decoder graph with a
// KV cache for ONNX Runtime (cached per checkpoint).
import type { CommandModule } from "yargs";
import { exportOnnx } from "../infer/export-onnx.js";
import { openSession } from "../infer/session.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface ExportArgs extends CommonArgs {
  format: "onnx";
  model: string;
  out: string;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: "export <format>",
  describe: "export a checkpoint for inference (onnx: decoder with KV cache for ONNX Runtime; skipped when already up to date)",
  builder: (y) =>
    withCommonOptions(y)
      .positional("format", { choices: ["onnx"] as const, demandOption: true })
      .option("model", { type: "string", demandOption: true, describe: "checkpoint directory" })
      .option("out", { type: "string", demandOption: true, describe: "directory for model.onnx" }) as never,
  handler: async (a) => {
    const r = exportOnnx(a.model, a.out, { log });
    // Open it once, so a broken export fails here and the provider in use is reported.
    const s = await openSession(a.out, { device: a.device, log });
    const summary = { out: a.out, model: r.modelPath, exported: r.exported, provider: s.provider };
    process.stdout.write((a.json ? JSON.stringify(summary) : `${r.exported ? "exported" : "up to date"}: ${r.modelPath} (${s.providerLine})`) + "\n");
  },
};

// `midtrain generate --model DIR --prompt TEXT`: chat generation through ONNX
// Runtime, the reply streamed to stdout as it is written.
import { readFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import type { ChatMessage } from "../tokenizer/chat.js";
import { openLocalModel } from "../infer/local-model.js";
import type { GenerationResult } from "../infer/language-model.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface GenerateArgs extends CommonArgs {
  model: string;
  prompt: string[];
  system?: string;
  raw: boolean;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop?: string[];
  maxBatch: number;
  dtype?: "fp32" | "fp16" | "bf16";
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: "generate",
  describe: "generate a reply (chat template applied) with ONNX Runtime, streamed to stdout",
  builder: (y) =>
    withCommonOptions(y, { device: "onnx" })
      .option("model", { type: "string", demandOption: true, describe: "checkpoint directory (exported to ONNX on first use)" })
      .option("prompt", { type: "string", array: true, demandOption: true, describe: "user message ('-' reads stdin); several are generated as one batch" })
      .option("system", { type: "string", describe: "system message before each prompt" })
      .option("raw", { type: "boolean", default: false, describe: "plain text continuation of the prompt, no chat template" })
      .option("max-tokens", { type: "number", default: 256, describe: "tokens to generate at most" })
      .option("temperature", { type: "number", default: 0, describe: "0 = greedy" })
      .option("top-p", { type: "number", default: 1, describe: "nucleus sampling; 1 = off" })
      .option("top-k", { type: "number", default: 0, describe: "keep the k most likely tokens; 0 = off" })
      .option("stop", { type: "string", array: true, describe: "stop strings (not included in the output)" })
      .option("dtype", { choices: ["fp32", "fp16", "bf16"] as const, describe: "precision of the ONNX export (default fp16 with --device cuda, else fp32)" })
      .option("max-batch", { type: "number", default: 16, describe: "sequences per forward pass" }) as never,
  handler: async (a) => {
    const prompts = a.prompt.map((p) => (p === "-" ? readFileSync(0, "utf8") : p));
    const lm = await openLocalModel(a.model, { device: a.device, log, maxBatch: a.maxBatch, dtype: a.dtype });
    try {
      // Prompt i samples with seed + i, so a batch of prompts does not repeat one random stream.
      const sampling = { maxTokens: a.maxTokens, temperature: a.temperature, topP: a.topP, topK: a.topK, stop: a.stop };
      // One prompt streams to stdout as it is written; several are printed in order when all are done.
      const stream = !a.json && prompts.length === 1;
      const onToken = stream ? (_i: number, t: string) => void process.stdout.write(t) : undefined;
      const t0 = performance.now();
      let results: GenerationResult[];
      if (a.raw) {
        // Plain continuation has no streaming callback in the contract; the text is printed when done.
        results = await lm.complete(prompts.map((prompt, i) => ({ prompt, ...sampling, seed: a.seed + i })));
        if (stream) process.stdout.write(results[0]!.text);
      } else {
        const messages = (p: string): ChatMessage[] => [...(a.system !== undefined ? [{ role: "system" as const, content: a.system }] : []), { role: "user", content: p }];
        results = await lm.chat(prompts.map((p, i) => ({ messages: messages(p), ...sampling, seed: a.seed + i })), onToken);
      }
      const secs = (performance.now() - t0) / 1000;
      const tokens = results.reduce((s, r) => s + r.completionTokens, 0);
      if (a.json)
        process.stdout.write(
          JSON.stringify({
            model: a.model,
            provider: lm.session.provider,
            results: results.map((r) => ({ text: r.text, finish_reason: r.finishReason, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens })),
          }) + "\n",
        );
      else if (stream) process.stdout.write("\n");
      else results.forEach((r, i) => process.stdout.write(`[${i}] ${r.text}\n`));
      log(`generate: ${tokens} tokens in ${secs.toFixed(2)} s (${(tokens / secs).toFixed(1)} tokens/s); finish: ${results.map((r) => r.finishReason).join(", ")}`);
    } finally {
      await lm.close();
    }
  },
};

// `midtrain serve --model DIR [--port N]`: the OpenAI-compatible server on
// 127.0.0.1. SIGTERM or Ctrl-C: stop accepting, finish in-flight requests,
// exit 0.
import type { CommandModule } from "yargs";
import { openLocalModel } from "../infer/local-model.js";
import { DEFAULT_BODY_LIMIT, startServer } from "../infer/server.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface ServeArgs extends CommonArgs {
  model: string;
  host: string;
  port: number;
  servedModelName?: string;
  maxBatch: number;
  dtype?: "fp32" | "fp16" | "bf16";
  maxBodyBytes: number;
  logRequests: boolean;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: "serve",
  describe: "serve a checkpoint over an OpenAI-compatible HTTP API (/v1/models, /v1/chat/completions, /v1/completions)",
  builder: (y) =>
    withCommonOptions(y, { device: "onnx" })
      .option("model", { type: "string", demandOption: true, describe: "checkpoint directory (exported to ONNX on first use)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "address to bind (0.0.0.0 exposes the server to the network)" })
      .option("port", { type: "number", default: 8000, describe: "port (0 = any free port)" })
      .option("served-model-name", { type: "string", describe: "the model id clients send (default: --model as given)" })
      .option("dtype", { choices: ["fp32", "fp16", "bf16"] as const, describe: "precision of the ONNX export (default fp16 with --device cuda, else fp32)" })
      .option("max-batch", { type: "number", default: 16, describe: "sequences per forward pass; concurrent requests share batches" })
      .option("max-body-bytes", { type: "number", default: DEFAULT_BODY_LIMIT, describe: "largest request body; larger ones get HTTP 413" })
      .option("log-requests", { type: "boolean", default: false, describe: "one line per request on stderr" })
      .check((argv) => {
        const a = argv as unknown as ServeArgs;
        if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error(`--port must be an integer in 0..65535, got ${a.port}`);
        if (!Number.isInteger(a.maxBatch) || a.maxBatch < 1) throw new Error(`--max-batch must be a positive integer, got ${a.maxBatch}`);
        if (!Number.isInteger(a.maxBodyBytes) || a.maxBodyBytes < 1) throw new Error(`--max-body-bytes must be a positive integer, got ${a.maxBodyBytes}`);
        return true;
      }) as never,
  handler: async (a) => {
    const lm = await openLocalModel(a.model, { device: a.device, log, maxBatch: a.maxBatch, dtype: a.dtype });
    const name = a.servedModelName ?? a.model;
    const srv = await startServer(lm, { host: a.host, port: a.port, modelName: name, bodyLimitBytes: a.maxBodyBytes, log: a.logRequests ? log : undefined });
    log(`serve: '${name}' on ${srv.url}/v1 (context ${lm.contextLength} tokens, batches of up to ${a.maxBatch}); SIGTERM or Ctrl-C stops`);
    if (a.json) process.stdout.write(JSON.stringify({ url: `${srv.url}/v1`, model: name, provider: lm.session.provider, context_length: lm.contextLength }) + "\n");
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (sig: string) => {
        if (stopping) {
          log(`serve: ${sig} again; exiting now`);
          process.exit(130);
        }
        stopping = true;
        log(`serve: ${sig}: no new connections; finishing ${srv.inFlight} request(s) in flight`);
        void srv
          .close()
          .then(() => lm.close())
          .then(resolve);
      };
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
    });
    log("serve: stopped");
  },
};

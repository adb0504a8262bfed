// Options every command takes (design.md, "Command-line contract").
import { readFileSync } from "node:fs";
import type { Argv } from "yargs";
import { parse as parseYaml } from "yaml";

export type Device = "cpu" | "cuda" | "auto";

/** The --config file of this invocation, so errors about its keys can name it. */
export let loadedConfig: string | undefined;

export interface CommonArgs {
  json: boolean;
  seed: number;
  device: Device;
}

/**
 * What --device means for a command: the native engine (train, eval loss, ...), ONNX Runtime's execution
 * provider (generate, serve, the ONNX evals), or nothing (commands that run no model). The help says which.
 */
export type DeviceUse = "engine" | "onnx" | "eval" | "bench" | "none";

const DEVICE_DESCRIBE: Record<DeviceUse, string> = {
  engine: "where the native training engine runs: cpu, cuda (an addon built with CUDA and an NVIDIA GPU) or auto (cuda when both are there and the GPU backend has what the run uses, else cpu; the log says which)",
  onnx: "ONNX Runtime's execution provider (this command runs the ONNX export, not the native engine): cpu, cuda or auto",
  eval: "loss: where the native engine runs (cpu, cuda, auto); anima/probe/safety/capability: ONNX Runtime's execution provider",
  bench: "train: where the native engine runs (cpu, cuda, auto); infer: ONNX Runtime's execution provider; kernels, data, load: the CPU only",
  none: "not used by this command (it runs no model)",
};

export interface CommonOptionsSetup {
  /** Which engine --device selects for this command (default "engine"). */
  device?: DeviceUse;
  /** false: --device has no default, so a value from the command's own config document can stand (experiment). */
  deviceDefault?: boolean;
}

export function withCommonOptions<T>(y: Argv<T>, setup: CommonOptionsSetup = {}): Argv<T & CommonArgs> {
  const withConfig = y.option("config", {
    type: "string",
    describe: "YAML or JSON file of option values (flags override it)",
    config: true,
    configParser: (path: string) => {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (e) {
        throw new Error(`--config ${path}: ${(e as Error).message}`);
      }
      try {
        const v = parseYaml(text) as unknown;
        if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("must be a mapping of option names to values");
        loadedConfig = path;
        // batch_size, batch-size and batchSize all name --batch-size, as users of HF/axolotl configs expect.
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_/g, "-"), x]));
      } catch (e) {
        throw new Error(`--config ${path}: ${(e as Error).message}`);
      }
    },
  });
  return withCommonFlags(withConfig, setup);
}

/** --json, --seed and --device: for commands whose --config is a document of their own (experiment). */
export function withCommonFlags<T>(y: Argv<T>, setup: CommonOptionsSetup = {}): Argv<T & CommonArgs> {
  const use = setup.device ?? "engine";
  return y
    .option("json", { type: "boolean", default: false, describe: "print one JSON object on stdout; logs go to stderr" })
    .option("seed", { type: "number", default: 0, describe: "random seed" })
    .option("device", {
      choices: ["cpu", "cuda", "auto"] as const,
      ...(setup.deviceDefault === false ? {} : { default: "auto" as Device }),
      describe: DEVICE_DESCRIBE[use],
    }) as Argv<T & CommonArgs>;
}

/** Progress and logs: always stderr, so --json output stays clean. */
export function log(line: string): void {
  process.stderr.write(line + "\n");
}

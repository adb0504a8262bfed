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

export function withCommonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
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
  return withCommonFlags(withConfig);
}

/** --json, --seed and --device: for commands whose --config is a document of their own (experiment). */
export function withCommonFlags<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return y
    .option("json", { type: "boolean", default: false, describe: "print one JSON object on stdout; logs go to stderr" })
    .option("seed", { type: "number", default: 0, describe: "random seed" })
    .option("device", { choices: ["cpu", "cuda", "auto"] as const, default: "auto" as Device, describe: "where the engine runs" }) as Argv<
    T & CommonArgs
  >;
}

/** The engine device for a request; only the CPU backend exists in this build. */
export function resolveDevice(d: Device, cudaBuilt: boolean): "cpu" | "cuda" {
  if (d === "cuda" && !cudaBuilt)
    throw new Error("--device cuda: this build of the addon has no CUDA backend (it was built without CUDA/cuBLAS); use --device cpu");
  return d === "cuda" ? "cuda" : "cpu";
}

/** Progress and logs: always stderr, so --json output stays clean. */
export function log(line: string): void {
  process.stderr.write(line + "\n");
}

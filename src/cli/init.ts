// `midtrain init --preset NAME --out DIR [--tokenizer FILE] [--seed N]`
import type { CommandModule } from "yargs";
import { initCheckpoint } from "../model/init.js";
import { presetNames } from "../model/presets.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface InitArgs extends CommonArgs {
  preset: string;
  out: string;
  tokenizer?: string;
  overwrite: boolean;
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: "init",
  describe: "write a randomly initialised checkpoint (HF layout) from a model preset",
  builder: (y) =>
    withCommonOptions(y, { device: "none" })
      .option("preset", { type: "string", demandOption: true, describe: `one of: ${presetNames().join(", ")}` })
      .option("out", { type: "string", demandOption: true, describe: "checkpoint directory to write" })
      .option("tokenizer", { type: "string", describe: "tokenizer.json (or its directory); default: the preset's own" })
      .option("overwrite", { type: "boolean", default: false, describe: "replace a checkpoint already in --out" }) as never,
  handler: (a) => {
    const r = initCheckpoint({ preset: a.preset, out: a.out, tokenizer: a.tokenizer, seed: a.seed, overwrite: a.overwrite, log });
    if (a.json) process.stdout.write(JSON.stringify(r) + "\n");
    else process.stdout.write(`wrote ${r.dir}: ${r.preset}, ${(r.params / 1e6).toFixed(2)}M parameters, vocab ${r.vocab_size}\n`);
  },
};

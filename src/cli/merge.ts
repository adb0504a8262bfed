// `midtrain merge A B --alpha X --out DIR`: weight interpolation of two
// checkpoints, (1 - alpha) * A + alpha * B (WiSE-FT style, after the fact).
import type { CommandModule } from "yargs";
import { mergeCheckpoints } from "../model/merge.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface MergeArgs extends CommonArgs {
  a: string;
  b: string;
  alpha: number;
  out: string;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: "merge <a> <b>",
  describe: "interpolate two checkpoints of one architecture: (1 - alpha) * A + alpha * B",
  builder: (y) =>
    withCommonOptions(y, { device: "none" })
      .positional("a", { type: "string", demandOption: true, describe: "checkpoint directory A (alpha = 0 gives A)" })
      .positional("b", { type: "string", demandOption: true, describe: "checkpoint directory B (alpha = 1 gives B)" })
      .option("alpha", { type: "number", demandOption: true, describe: "weight of B; 0.5 = midpoint (outside [0, 1] extrapolates)" })
      .option("out", { type: "string", demandOption: true, describe: "output checkpoint directory (config and tokenizer from A)" }) as never,
  handler: (a) => {
    const r = mergeCheckpoints(a.a, a.b, a.alpha, a.out, log);
    process.stdout.write((a.json ? JSON.stringify(r) : `merged ${r.tensors} tensors: ${r.out} = ${1 - r.alpha} * A + ${r.alpha} * B (${r.dtype})`) + "\n");
  },
};

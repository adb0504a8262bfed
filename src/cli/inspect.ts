// `midtrain inspect DIR`
import type { CommandModule } from "yargs";
import { formatSummary, inspectCheckpoint } from "../model/inspect.js";
import { withCommonOptions, type CommonArgs } from "./options.js";

interface InspectArgs extends CommonArgs {
  dir: string;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: "inspect <dir>",
  describe: "summarise a checkpoint directory: architecture, parameters, dtypes, tokenizer",
  builder: (y) => withCommonOptions(y, { device: "none" }).positional("dir", { type: "string", demandOption: true }) as never,
  handler: (a) => {
    const s = inspectCheckpoint(a.dir);
    process.stdout.write((a.json ? JSON.stringify(s) : formatSummary(s)) + "\n");
  },
};

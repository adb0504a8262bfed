// `midtrain run PIPELINE.yaml`: several training stages in order.
import type { CommandModule } from "yargs";
import { chooseEngineDevice, type EngineNeed } from "../train/device-support.js";
import { runPipeline } from "../train/pipeline.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";
import { stopOnSigint } from "./train.js";

interface RunArgs extends CommonArgs {
  pipeline: string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run <pipeline>",
  describe: "run a pipeline of training stages (e.g. midtrain, then SFT with snapshots); reruns skip finished stages",
  builder: (y) => withCommonOptions(y).positional("pipeline", { type: "string", demandOption: true }) as never,
  handler: async (a) => {
    // The device is picked once the stages are read: their strategy keys decide whether the GPU backend can run them.
    const selectDevice = (needs: EngineNeed[]) => chooseEngineDevice(a.device, log, needs);
    const results = await runPipeline(a.pipeline, { log, shouldStop: stopOnSigint(), selectDevice });
    if (a.json) process.stdout.write(JSON.stringify({ stages: results }) + "\n");
    else
      for (const r of results)
        process.stdout.write(`${r.name}: ${r.skipped ? "skipped (finished)" : `${r.interrupted ? "stopped" : "trained"} ${r.steps} steps, ${r.samples} samples`}; ${r.out}${r.snapshots.length ? `; snapshots: ${r.snapshots.length}` : ""}\n`);
    if (results.some((r) => r.interrupted)) process.exitCode = 130;
  },
};

// `midtrain experiment preservation --config FILE`: the strategy sweep and its report.
import type { CommandModule } from "yargs";
import { loadExperimentConfig, stageOptionSets } from "../experiment/config.js";
import { runExperiment } from "../experiment/runner.js";
import { chooseEngineDevice, trainNeeds } from "../train/device-support.js";
import { log, withCommonFlags, type CommonArgs, type Device } from "./options.js";
import { stopOnSigint } from "./train.js";

interface ExperimentArgs extends Omit<CommonArgs, "device"> {
  kind: "preservation";
  config: string;
  /** Unset unless given, so the config's `device` key can stand. */
  device?: Device;
}

export const experimentCommand: CommandModule<object, ExperimentArgs> = {
  command: "experiment <kind>",
  describe: "preservation: arms x follow-up SFT sizes x seeds, evals at every point, report (resumable: rerun to continue)",
  builder: (y) =>
    withCommonFlags(y, { deviceDefault: false })
      .positional("kind", { choices: ["preservation"] as const, demandOption: true })
      .option("config", { type: "string", demandOption: true, describe: "experiment YAML (see docs/experiment.md)" }) as never,
  handler: async (a) => {
    const { config, arms } = loadExperimentConfig(a.config);
    // The flag, else the config's key, else auto; checked against every stage's strategies before anything runs.
    const device = chooseEngineDevice(a.device ?? config.device ?? "auto", log, stageOptionSets(config, arms).flatMap(trainNeeds));
    const r = await runExperiment(config, arms, { log, shouldStop: stopOnSigint(), device });
    if (r.interrupted) {
      log(`experiment: stopped; rerun the same command to resume (finished runs are reused)`);
      process.exitCode = 130;
      return;
    }
    const summary = { out: config.out, report: r.report!.html, results: r.report!.results, points: r.points.length };
    process.stdout.write((a.json ? JSON.stringify(summary) : `report: ${r.report!.html}\nresults: ${r.report!.results}`) + "\n");
  },
};

// `midtrain experiment preservation --config FILE`: the strategy sweep and its report.
import type { CommandModule } from "yargs";
import { loadExperimentConfig } from "../experiment/config.js";
import { runExperiment } from "../experiment/runner.js";
import { log, withCommonFlags, type CommonArgs } from "./options.js";
import { stopOnSigint } from "./train.js";

interface ExperimentArgs extends CommonArgs {
  kind: "preservation";
  config: string;
}

export const experimentCommand: CommandModule<object, ExperimentArgs> = {
  command: "experiment <kind>",
  describe: "preservation: arms x follow-up SFT sizes x seeds, evals at every point, report (resumable: rerun to continue)",
  builder: (y) =>
    withCommonFlags(y)
      .positional("kind", { choices: ["preservation"] as const, demandOption: true })
      .option("config", { type: "string", demandOption: true, describe: "experiment YAML (see docs/experiment.md)" }) as never,
  handler: async (a) => {
    const { config, arms } = loadExperimentConfig(a.config);
    const r = await runExperiment(config, arms, { log, shouldStop: stopOnSigint() });
    if (r.interrupted) {
      log(`experiment: stopped; rerun the same command to resume (finished runs are reused)`);
      process.exitCode = 130;
      return;
    }
    const summary = { out: config.out, report: r.report!.html, results: r.report!.results, points: r.points.length };
    process.stdout.write((a.json ? JSON.stringify(summary) : `report: ${r.report!.html}\nresults: ${r.report!.results}`) + "\n");
  },
};

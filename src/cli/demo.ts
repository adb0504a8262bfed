// `midtrain demo`: the whole study at toy scale, offline, on a CPU, in minutes.
import type { CommandModule } from "yargs";
import { demoConfig, runDemo } from "../experiment/demo.js";
import { parseExperimentConfig, stageOptionSets } from "../experiment/config.js";
import { chooseEngineDevice, trainNeeds } from "../train/device-support.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";
import { stopOnSigint } from "./train.js";

interface DemoArgs extends CommonArgs {
  out: string;
  seeds?: number[];
  sizes?: number[];
  scale: number;
  threads?: number;
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: "demo",
  describe: "the study at toy scale offline: data, a tiny pretrained model, midtraining vs baselines, the SFT sweep, strategies, the probe, a report (~10 min on 2 cores; rerun to resume)",
  builder: (y) =>
    withCommonOptions(y)
      .option("out", { type: "string", default: "runs/demo", describe: "output directory" })
      .option("seeds", { type: "number", array: true, describe: "seeds (default 0 1 2)" })
      .option("sizes", { type: "number", array: true, describe: "follow-up SFT sizes (default 0 250 500 1000 2000)" })
      .option("scale", { type: "number", default: 1, describe: "scale the corpora and pretraining budget (0.2 = a quick smoke run)" })
      .option("threads", { type: "number", describe: "CPU threads (default: all)" }) as never,
  handler: async (a) => {
    const t0 = Date.now();
    if (!(a.scale > 0)) throw new Error(`--scale must be positive, got ${a.scale}`);
    const o = { out: a.out, seeds: a.seeds, sizes: a.sizes, scale: a.scale, threads: a.threads };
    // The demo's arms use L2-SP: checked against the GPU backend like any experiment's strategies.
    const { _sizes: _, ...raw } = demoConfig(o) as Record<string, unknown> & { _sizes: unknown };
    const { config, arms } = parseExperimentConfig(raw, "demo", a.out);
    const device = chooseEngineDevice(a.device, log, stageOptionSets(config, arms).flatMap(trainNeeds));
    const r = await runDemo(o, { log, shouldStop: stopOnSigint(), device });
    if (r.interrupted) {
      log("demo: stopped; run 'midtrain demo' again with the same --out to resume");
      process.exitCode = 130;
      return;
    }
    const minutes = ((Date.now() - t0) / 60000).toFixed(1);
    const claims = (JSON.parse((await import("node:fs")).readFileSync(r.report!.results, "utf8")) as { claims: { claim: string; holds: boolean | null }[] }).claims;
    if (a.json) process.stdout.write(JSON.stringify({ report: r.report!.html, results: r.report!.results, minutes: Number(minutes), claims }) + "\n");
    else {
      for (const c of claims) process.stdout.write(`${c.holds === null ? "not tested" : c.holds ? "holds     " : "fails     "}  ${c.claim}\n`);
      process.stdout.write(`demo finished in ${minutes} min; report: ${r.report!.html}\n`);
    }
  },
};

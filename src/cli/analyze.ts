// `midtrain analyze direction`: the value direction in the residual stream
// and how much of it each checkpoint (e.g. every point of a sweep) retains.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { writeFileAtomic } from "../model/atomic-file.js";
import type { PointResult } from "../experiment/aggregate.js";
import { analyzeDirection, probeContrastItems } from "../experiment/direction.js";
import { chooseEngineDevice } from "../train/device-support.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface AnalyzeArgs extends CommonArgs {
  what: "direction";
  reference?: string;
  models?: string[];
  experiment?: string;
  items?: string;
  split: "main" | "heldout" | "all";
}

export const analyzeCommand: CommandModule<object, AnalyzeArgs> = {
  command: "analyze <what>",
  describe: "direction: the compassionate-minus-dismissive direction per layer in a reference model, and how far each checkpoint still projects on it",
  builder: (y) =>
    withCommonOptions(y)
      .positional("what", { choices: ["direction"] as const, demandOption: true })
      .option("reference", { type: "string", describe: "checkpoint that defines the direction (default with --experiment: the midtrained model of --seed)" })
      .option("models", { type: "string", array: true, describe: "checkpoints to measure" })
      .option("experiment", { type: "string", describe: "an experiment's out dir: measure every point of seed --seed; writes direction.json there" })
      .option("items", { type: "string", describe: "probe-format JSONL (default: the built-in probe items)" })
      .option("split", { choices: ["main", "heldout", "all"] as const, default: "main" as const }) as never,
  handler: async (a) => {
    const device = chooseEngineDevice(a.device, log, ["hiddenStates"]);
    const items = probeContrastItems(a.split, a.items);
    let reference = a.reference;
    let models: { dir: string; label?: string }[] = (a.models ?? []).map((dir) => ({ dir }));
    let outFile: string | undefined;
    if (a.experiment) {
      const resultsFile = join(a.experiment, "results.json");
      if (!existsSync(resultsFile)) throw new Error(`--experiment ${a.experiment}: no results.json there (run the experiment first)`);
      const points = (JSON.parse(readFileSync(resultsFile, "utf8")) as { points: PointResult[] }).points.filter((p) => p.seed === a.seed);
      if (!points.length) throw new Error(`${resultsFile}: no points with seed ${a.seed} (pass --seed)`);
      reference ??= points.find((p) => p.arm === "midtrained" && p.size === 0)?.checkpoint;
      const seen = new Set<string>();
      for (const p of points) if (!seen.has(p.checkpoint)) seen.add(p.checkpoint), models.push({ dir: p.checkpoint, label: `${p.arm}@${p.size}` });
      outFile = join(a.experiment, `direction-seed-${a.seed}.json`);
    }
    if (!reference) throw new Error("analyze direction: give --reference DIR (or --experiment with a midtrained arm)");
    if (!models.length) models = [{ dir: reference }];
    const r = analyzeDirection(reference, models, items, log, device);
    if (outFile) writeFileAtomic(outFile, JSON.stringify(r, null, 2) + "\n");
    if (a.json) {
      process.stdout.write(JSON.stringify(r) + "\n");
      return;
    }
    const layers = r.models[0]!.layers.length;
    process.stdout.write(`direction from ${r.reference} on ${r.items} items; retained projection per layer (1 = as separated as the reference)\n`);
    process.stdout.write(["model".padEnd(32), "mean", ...Array.from({ length: layers }, (_, l) => (l === 0 ? "emb" : `L${l}`))].map((s, i) => (i ? s.padStart(7) : s)).join("") + "\n");
    for (const m of r.models)
      process.stdout.write([(m.label ?? m.model).slice(-32).padEnd(32), m.meanRetained.toFixed(3).padStart(7), ...m.layers.map((l) => l.retained.toFixed(3).padStart(7))].join("") + "\n");
    if (outFile) process.stdout.write(`wrote ${outFile}\n`);
  },
};

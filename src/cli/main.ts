#!/usr/bin/env node
// midtrain's command line: one module per command, each thin.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { analyzeCommand } from "./analyze.js";
import { benchCommand } from "./bench.js";
import { demoCommand } from "./demo.js";
import { evalCommand } from "./eval.js";
import { experimentCommand } from "./experiment.js";
import { loadedConfig } from "./options.js";
import { exportCommand } from "./export.js";
import { generateCommand } from "./generate.js";
import { serveCommand } from "./serve.js";
import { initCommand } from "./init.js";
import { inspectCommand } from "./inspect.js";
import { mergeCommand } from "./merge.js";
import { runCommand } from "./run.js";
import { synthCommand } from "./synth.js";
import { tokenizerCommand } from "./tokenizer.js";
import { trainCommand } from "./train.js";

/** An error may carry its own exit code (a run stopped on a non-finite step: 3, its checkpoint saved). */
function exitCodeOf(e: unknown): number | undefined {
  const code = (e as { exitCode?: unknown } | null | undefined)?.exitCode;
  return typeof code === "number" && Number.isInteger(code) && code > 0 && code < 126 ? code : undefined;
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName("midtrain")
    .command(initCommand)
    .command(inspectCommand)
    .command(synthCommand)
    .command(tokenizerCommand)
    .command(trainCommand)
    .command(runCommand)
    .command(evalCommand)
    .command(exportCommand)
    .command(mergeCommand)
    .command(generateCommand)
    .command(serveCommand)
    .command(benchCommand)
    .command(experimentCommand)
    .command(demoCommand)
    .command(analyzeCommand)
    .demandCommand(1, "name a command (see --help)")
    .strict()
    .fail((msg, err) => {
      const where = !err && loadedConfig && /^Unknown argument/.test(msg) ? ` (in ${loadedConfig} or on the command line)` : "";
      process.stderr.write(`midtrain: ${err?.message ?? msg}${where}\n`);
      if (!err) process.stderr.write("run 'midtrain --help' for usage\n");
      process.exit(exitCodeOf(err) ?? 2);
    })
    .help()
    .parseAsync();
}

main().catch((e: unknown) => {
  process.stderr.write(`midtrain: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(exitCodeOf(e) ?? 1);
});

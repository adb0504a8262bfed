// `midtrain synth check --corpus FILE --against FILE [--max-jaccard X]`:
// overlap between training data and evaluation items.
import type { CommandModule } from "yargs";
import { overlap, readTexts } from "../synth/contamination.js";
import { withCommonOptions, type CommonArgs } from "./options.js";

interface CheckArgs extends CommonArgs {
  corpus: string[];
  against: string[];
  n: number;
  exactN: number;
  neighbours: number;
  maxJaccard?: number;
}

export const synthCommand: CommandModule = {
  command: "synth <action>",
  describe: "synthetic data tools (check: overlap of a corpus with evaluation items)",
  builder: (y) =>
    withCommonOptions(y)
      .positional("action", { choices: ["check"] as const, demandOption: true })
      .option("corpus", { type: "string", array: true, demandOption: true, describe: "training data (JSONL/JSON)" })
      .option("against", { type: "string", array: true, demandOption: true, describe: "evaluation items (JSONL/JSON; text, question or prompt fields)" })
      .option("n", { type: "number", default: 1, describe: "words per shingle for Jaccard (1 = word sets)" })
      .option("exact-n", { type: "number", default: 13, describe: "words per exact-match window" })
      .option("neighbours", { type: "number", default: 3 })
      .option("max-jaccard", { type: "number", describe: "fail when any item's Jaccard with a document exceeds this" })
      .check((a) => {
        for (const k of ["n", "exactN", "neighbours"] as const)
          if (!Number.isInteger(a[k]) || (a[k] as number) < 1) throw new Error(`--${k === "exactN" ? "exact-n" : k} must be a positive integer`);
        return true;
      }),
  handler: async (argv) => {
    const a = argv as unknown as CheckArgs;
    const corpus = (await Promise.all(a.corpus.map(readTexts))).flat();
    const items = (await Promise.all(a.against.map(readTexts))).flat();
    const r = overlap(corpus, items, { n: a.n, exactN: a.exactN, neighbours: a.neighbours });
    if (a.json) process.stdout.write(JSON.stringify(r) + "\n");
    else {
      process.stdout.write(
        `${r.items} items vs ${r.corpus_docs} documents (${r.n}-word shingles): mean Jaccard ${r.mean_jaccard.toFixed(4)}, mean nearest ${r.mean_nearest_jaccard.toFixed(4)}, max ${r.max_jaccard.toFixed(4)}; items with an exact ${a.exactN}-gram in the corpus: ${r.items_with_exact_hits}\n`,
      );
      const worst = [...r.per_item].sort((x, y) => y.max_jaccard - x.max_jaccard).slice(0, 5);
      for (const w of worst) process.stdout.write(`  item ${w.item} (${w.max_jaccard.toFixed(3)}): ${w.text.slice(0, 70)}\n    nearest doc ${w.nearest[0]?.doc ?? "-"}: ${w.nearest[0]?.snippet.slice(0, 70) ?? ""}\n`);
    }
    if (a.maxJaccard !== undefined && r.max_jaccard > a.maxJaccard) {
      const w = r.per_item.reduce((x, y) => (y.max_jaccard > x.max_jaccard ? y : x));
      throw new Error(`contamination: item ${w.item} has Jaccard ${w.max_jaccard.toFixed(4)} with document ${w.nearest[0]?.doc} (above --max-jaccard ${a.maxJaccard})`);
    }
  },
};

// `midtrain synth check --corpus FILE --against FILE [--max-jaccard X]`:
// overlap between training data and evaluation items.
// `midtrain synth sft --kind unrelated --count N --out FILE`: offline instruction data.
// `midtrain synth docs --offline --count N --out FILE`: offline value documents.
import type { CommandModule } from "yargs";
import { writeFileAtomic } from "../model/atomic-file.js";
import { overlap, readTexts } from "../synth/contamination.js";
import { unrelatedSft } from "../synth/unrelated-sft.js";
import { valueQas } from "../synth/value-qa.js";
import { valueDocuments } from "../synth/value-docs.js";
import { withCommonOptions, type CommonArgs } from "./options.js";

interface CheckArgs extends CommonArgs {
  corpus: string[];
  against: string[];
  n: number;
  exactN: number;
  neighbours: number;
  maxJaccard?: number;
}

interface GenerateArgs extends CommonArgs {
  offline: boolean;
  kind?: string;
  count?: number;
  out?: string;
}

/** Validates --count/--out, writes the records as JSONL atomically, reports. */
function writeJsonl(what: string, g: GenerateArgs, records: Iterable<object>): void {
  if (!Number.isInteger(g.count) || g.count! < 1) throw new Error(`${what}: --count must be a positive integer`);
  if (!g.out) throw new Error(`${what}: --out FILE is required`);
  const lines: string[] = [];
  for (const r of records) lines.push(JSON.stringify(r));
  writeFileAtomic(g.out, lines.join("\n") + "\n");
  process.stdout.write((g.json ? JSON.stringify({ out: g.out, count: lines.length }) : `wrote ${lines.length} records to ${g.out}`) + "\n");
}

export const synthCommand: CommandModule = {
  command: "synth <action>",
  describe: "synthetic data (sft --kind unrelated: offline instruction data; check: overlap of a corpus with evaluation items)",
  builder: (y) =>
    withCommonOptions(y)
      .positional("action", { choices: ["check", "sft", "docs"] as const, demandOption: true })
      .option("offline", { type: "boolean", default: false, describe: "docs, sft --kind value: the built-in generator (no LLM)" })
      .option("corpus", { type: "string", array: true, describe: "check: training data (JSONL/JSON)" })
      .option("against", { type: "string", array: true, describe: "check: evaluation items (JSONL/JSON; text, question or prompt fields)" })
      .option("kind", { choices: ["unrelated", "value"] as const, describe: "sft: unrelated instruction data, or value Q&A pairs (the instruction-tuning baseline)" })
      .option("count", { type: "number", describe: "sft: number of conversations" })
      .option("out", { type: "string", describe: "sft: JSONL file to write" })
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
    const action = (argv as { action?: string }).action;
    if (action === "docs" || action === "sft") {
      const g = argv as unknown as GenerateArgs;
      if (action === "docs" && !g.offline) throw new Error("synth docs: only the offline generator exists so far; pass --offline");
      if (action === "sft" && !g.kind) throw new Error("synth sft: --kind unrelated|value is required");
      if (action === "sft" && g.kind === "value" && !g.offline) throw new Error("synth sft --kind value: pass --offline for the built-in generator");
      const records: Iterable<object> =
        action === "docs"
          ? (function* () {
              for (const { index, ...d } of valueDocuments(g.seed, g.count!))
                yield { ...d, provenance: { generator: "midtrain-offline-v1", seed: g.seed, index } };
            })()
          : g.kind === "value"
            ? (function* () {
                for (const { index, question_frame, ...q } of valueQas(g.seed, g.count!))
                  yield { ...q, provenance: { generator: "midtrain-offline-qa-v1", seed: g.seed, index, question_frame } };
              })()
            : unrelatedSft(g.seed, g.count!);
      writeJsonl(`synth ${action}`, g, records);
      return;
    }
    const a = argv as unknown as CheckArgs;
    if (!a.corpus || !a.against) throw new Error("synth check needs --corpus FILE.. and --against FILE..");
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

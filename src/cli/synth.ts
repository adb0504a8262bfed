// `midtrain synth docs|sft|check`: synthetic data (docs/synth.md).
//   docs --offline --count N --out FILE                       built-in value documents
//   docs --endpoint URL --model NAME [--spec FILE] ...          the LLM document pipeline
//   sft --kind unrelated --count N --out FILE                   offline unrelated instruction data
//   sft --kind value --offline | --endpoint URL --model NAME    value Q&A pairs
//   check --corpus FILE --against FILE [--max-jaccard X]        overlap with evaluation items
import { fileURLToPath } from "node:url";
import type { CommandModule } from "yargs";
import { ChatEndpoint, EndpointError } from "../infer/endpoint.js";
import { writeFileAtomic } from "../model/atomic-file.js";
import { overlap, readTexts } from "../synth/contamination.js";
import { synthDocs } from "../synth/llm-docs.js";
import { Caller, newStats, type RunOptions, type RunReport } from "../synth/llm-pipeline.js";
import { synthValueQa } from "../synth/llm-qa.js";
import { RateLimiter } from "../synth/rate-limit.js";
import { repairTornTail } from "../synth/resumable-jsonl.js";
import { loadSpec } from "../synth/spec.js";
import { unrelatedSft } from "../synth/unrelated-sft.js";
import { valueQas } from "../synth/value-qa.js";
import { valueDocuments } from "../synth/value-docs.js";
import { valueEverydayDocuments } from "../synth/value-everyday.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

/** The spec that ships with midtrain (dist/cli/synth.js -> specs/). */
export const SHIPPED_SPEC = fileURLToPath(new URL("../../specs/animal-compassion.yaml", import.meta.url));

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
  genre: "institutional" | "everyday" | "mixed";
  kind?: string;
  count?: number;
  out?: string;
  spec: string;
  endpoint?: string;
  model?: string;
  cache?: string;
  concurrency: number;
  rpm?: number;
  httpRetries: number;
  timeout: number;
  apiKeyEnv: string;
}

function checkCountOut(what: string, g: GenerateArgs): { count: number; out: string } {
  if (!Number.isInteger(g.count) || g.count! < 1) throw new Error(`${what}: --count must be a positive integer`);
  if (!g.out) throw new Error(`${what}: --out FILE is required`);
  return { count: g.count!, out: g.out };
}

/** Writes the records as JSONL atomically and reports. */
function writeJsonl(what: string, g: GenerateArgs, records: Iterable<object>): void {
  const { out } = checkCountOut(what, g);
  const lines: string[] = [];
  for (const r of records) lines.push(JSON.stringify(r));
  writeFileAtomic(out, lines.join("\n") + "\n");
  process.stdout.write((g.json ? JSON.stringify({ out, count: lines.length }) : `wrote ${lines.length} records to ${out}`) + "\n");
}

/** An OpenAI-style base URL: a bare http://host:port gets /v1, as OpenAI clients expect. */
export function baseUrl(u: string): string {
  const t = u.replace(/\/+$/, "");
  return /^https?:\/\/[^/]+$/.test(t) ? `${t}/v1` : t;
}

/** Runs an LLM pipeline with the CLI's endpoint options; reports, and fails when the count was not reached. */
async function runLlm(what: string, g: GenerateArgs, run: (o: RunOptions) => Promise<RunReport>): Promise<void> {
  const { count, out } = checkCountOut(what, g);
  if (!g.model) throw new Error(`${what}: --model NAME is required with --endpoint`);
  for (const [k, v] of [["concurrency", g.concurrency], ["http-retries", g.httpRetries], ["timeout", g.timeout]] as const)
    if (!(Number.isInteger(v) && v >= (k === "http-retries" ? 0 : 1))) throw new Error(`${what}: --${k} must be a ${k === "http-retries" ? "non-negative" : "positive"} integer`);
  if (g.rpm !== undefined && !(g.rpm > 0)) throw new Error(`${what}: --rpm must be a positive number`);
  const spec = loadSpec(g.spec);
  const apiKey = process.env[g.apiKeyEnv];
  const cacheFile = g.cache ?? `${out}.cache.jsonl`;
  // A kill can tear the cache's last line; the next append must not run into it.
  if (repairTornTail(cacheFile)) log(`${what}: ${cacheFile}: cut off a torn last line`);
  const endpoint = new ChatEndpoint({
    baseURL: baseUrl(g.endpoint!),
    model: g.model,
    concurrency: g.concurrency,
    maxRetries: g.httpRetries,
    timeoutMs: g.timeout * 1000,
    cacheFile,
    ...(apiKey ? { apiKey } : {}),
  });
  const caller = new Caller(endpoint, newStats(), g.rpm ? new RateLimiter(g.rpm) : undefined);
  log(`${what}: ${endpoint.baseURL} model ${endpoint.model}, spec ${spec.path}, cache ${cacheFile}, concurrency ${g.concurrency}${g.rpm ? `, ${g.rpm} requests/min` : ""}`);
  let r: RunReport;
  try {
    r = await run({ spec, caller, count, out, seed: g.seed, window: 2 * g.concurrency, progress: log });
  } catch (e) {
    if (e instanceof EndpointError) {
      const s = caller.stats;
      throw new Error(`${what}: ${e.message}\n${s.resumed + s.written} records are in ${out}; rerun the same command to resume (answers already received are cached)`);
    }
    throw e;
  }
  const g2 = Object.values(r.stats.garbage).reduce((a, b) => a + b, 0);
  process.stdout.write(
    (g.json
      ? JSON.stringify(r)
      : `${r.complete ? "done" : "incomplete"}: ${r.total} records in ${out} (${r.stats.written} new, ${r.stats.resumed} resumed); ${r.stats.calls} calls, ${r.stats.cached} from the cache; ${r.stats.near_duplicates} near-duplicates and ${g2} garbage completions dropped; ${r.elapsed_s.toFixed(1)} s`) + "\n",
  );
  if (!r.complete) throw new Error(`${what}: ${r.stopped}`);
}

export const synthCommand: CommandModule = {
  command: "synth <action>",
  describe: "synthetic data: docs (value documents, offline or through an LLM), sft (instruction data), check (overlap with evaluation items)",
  builder: (y) =>
    withCommonOptions(y, { device: "none" })
      .positional("action", { choices: ["check", "sft", "docs"] as const, demandOption: true })
      .option("offline", { type: "boolean", default: false, describe: "docs, sft --kind value: the built-in generator (no LLM)" })
      .option("genre", {
        choices: ["institutional", "everyday", "mixed"] as const,
        default: "institutional" as const,
        describe: "docs --offline: institutional documents (memos, reports, abstracts, as in the study), everyday ones (forums, diaries, stories, how-tos), or half of each",
      })
      .option("corpus", { type: "string", array: true, describe: "check: training data (JSONL/JSON)" })
      .option("against", { type: "string", array: true, describe: "check: evaluation items (JSONL/JSON; text, question or prompt fields)" })
      .option("kind", { choices: ["unrelated", "value"] as const, describe: "sft: unrelated instruction data, or value Q&A pairs (the instruction-tuning baseline)" })
      .option("count", { type: "number", describe: "docs, sft: number of records" })
      .option("out", { type: "string", describe: "docs, sft: JSONL file to write (LLM modes append to it and resume)" })
      .option("spec", { type: "string", default: SHIPPED_SPEC, defaultDescription: "specs/animal-compassion.yaml", describe: "LLM modes: the value spec (YAML)" })
      .option("endpoint", { type: "string", describe: "LLM modes: OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1" })
      .option("model", { type: "string", describe: "LLM modes: model name sent to the endpoint" })
      .option("cache", { type: "string", describe: "LLM modes: response cache (default OUT.cache.jsonl)" })
      .option("concurrency", { type: "number", default: 8, describe: "LLM modes: requests in flight" })
      .option("rpm", { type: "number", describe: "LLM modes: at most this many requests a minute (cache hits are free)" })
      .option("http-retries", { type: "number", default: 4, describe: "LLM modes: retries of a failed request (429, 5xx, connection errors), with backoff" })
      .option("timeout", { type: "number", default: 120, describe: "LLM modes: seconds per request try" })
      .option("api-key-env", { type: "string", default: "OPENAI_API_KEY", describe: "LLM modes: environment variable holding the API key" })
      .option("n", { type: "number", default: 1, describe: "check: words per shingle for Jaccard (1 = word sets)" })
      .option("exact-n", { type: "number", default: 13, describe: "check: words per exact-match window" })
      .option("neighbours", { type: "number", default: 3 })
      .option("max-jaccard", { type: "number", describe: "check: fail when any item's Jaccard with a document exceeds this" })
      .check((a) => {
        for (const k of ["n", "exactN", "neighbours"] as const)
          if (!Number.isInteger(a[k]) || (a[k] as number) < 1) throw new Error(`--${k === "exactN" ? "exact-n" : k} must be a positive integer`);
        if (a.offline && a.endpoint) throw new Error("--offline and --endpoint exclude each other");
        return true;
      }),
  handler: async (argv) => {
    const action = (argv as { action?: string }).action;
    const g = argv as unknown as GenerateArgs;
    if (action === "docs") {
      if (g.endpoint) return runLlm("synth docs", g, synthDocs);
      if (!g.offline) throw new Error("synth docs: pass --offline (built-in generator) or --endpoint URL --model NAME (LLM pipeline)");
      return writeJsonl(
        "synth docs",
        g,
        (function* () {
          const n = g.count!;
          // mixed: the two generators interleaved, so any prefix of the file holds both.
          const nEveryday = g.genre === "everyday" ? n : g.genre === "mixed" ? Math.floor(n / 2) : 0;
          const inst = valueDocuments(g.seed, n - nEveryday);
          const every = valueEverydayDocuments(g.seed, nEveryday);
          for (let i = 0; i < n; i++) {
            const fromEveryday = g.genre === "everyday" || (g.genre === "mixed" && i % 2 === 1);
            const r = fromEveryday ? every.next() : inst.next();
            if (r.done) break;
            const { index, ...d } = r.value;
            yield { ...d, provenance: { generator: fromEveryday ? "midtrain-offline-everyday-v1" : "midtrain-offline-v1", seed: g.seed, index } };
          }
        })(),
      );
    }
    if (action === "sft") {
      if (!g.kind) throw new Error("synth sft: --kind unrelated|value is required");
      if (g.kind === "unrelated") {
        if (g.endpoint) throw new Error("synth sft --kind unrelated: generated offline only (its answers are computed, so they are correct); drop --endpoint");
        return writeJsonl("synth sft", g, unrelatedSft(g.seed, g.count!));
      }
      if (g.endpoint) return runLlm("synth sft", g, synthValueQa);
      if (!g.offline) throw new Error("synth sft --kind value: pass --offline (built-in generator) or --endpoint URL --model NAME (LLM mode)");
      return writeJsonl(
        "synth sft",
        g,
        (function* () {
          for (const { index, question_frame, ...q } of valueQas(g.seed, g.count!)) yield { ...q, provenance: { generator: "midtrain-offline-qa-v1", seed: g.seed, index, question_frame } };
        })(),
      );
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

// `midtrain tokenizer train --data FILES.. --vocab-size N --out DIR [--field text]`: a byte-level BPE
// tokenizer (tokenizer.json + tokenizer_config.json with midtrain's special tokens and chat template).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { extname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { MAX_VOCAB_SIZE, MIDTRAIN_SPECIAL_TOKENS, midtrainTokenizerConfig, trainBpe, writeTokenizerDir } from "../tokenizer/bpe-train.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface TrainArgs extends CommonArgs {
  action: "train";
  data: string[];
  vocabSize: number;
  out: string;
  field: string;
  minFrequency: number;
  modelMaxLength: number;
}

const TEXT_EXT = new Set([".txt", ".text", ".md"]);
const JSONL_EXT = new Set([".jsonl", ".ndjson"]);

/**
 * A text file in pieces cut only right after a newline that is followed by a non-space character: no
 * pre-token spans such a point, so training sees exactly the pieces it would see in the whole file.
 */
export async function* textFilePieces(file: string, chunkBytes = 1 << 22): AsyncGenerator<string> {
  let carry = "";
  let first = true;
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: chunkBytes })) {
    const seen = carry.length; // cut points inside the carry were rejected already
    let s = carry + (chunk as string);
    if (first && s.charCodeAt(0) === 0xfeff) s = s.slice(1); // UTF-8 byte-order mark
    first = false;
    let cut = -1;
    for (let i = s.length - 1; i > 0 && i >= seen; i--)
      if (s.charCodeAt(i - 1) === 10 && !/\s/.test(s[i]!)) {
        cut = i;
        break;
      }
    if (cut < 0) carry = s;
    else {
      yield s.slice(0, cut);
      carry = s.slice(cut);
    }
  }
  if (carry) yield carry;
}

/** The texts of one JSONL file: `field` of document records, every content of chat or Alpaca records. */
async function* jsonlFile(file: string, field: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let n = 0;
  for await (let line of lines) {
    n++;
    if (n === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (!line.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${n}: malformed JSON: ${(e as Error).message}`);
    }
    if (typeof rec !== "object" || rec === null || Array.isArray(rec)) throw new Error(`${file}:${n}: expected a JSON object`);
    const o = rec as Record<string, unknown>;
    if (typeof o[field] === "string") yield o[field];
    else if (Array.isArray(o.messages)) {
      o.messages.forEach((m: unknown, i) => {
        if (typeof (m as { content?: unknown } | null)?.content !== "string") throw new Error(`${file}:${n}: messages[${i}].content is not a string`);
      });
      for (const m of o.messages as { content: string }[]) yield m.content;
    } else if (typeof o.instruction === "string" && typeof o.output === "string") {
      yield o.instruction;
      if (typeof o.input === "string" && o.input) yield o.input;
      yield o.output;
    } else throw new Error(`${file}:${n}: expected a "${field}" string, a "messages" array or Alpaca "instruction"/"output"`);
  }
}

/** Checks every file before anything is read, so a typo in the last one costs nothing. */
function checkFiles(files: string[]): void {
  if (files.length === 0) throw new Error("--data: no files given");
  for (const f of files) {
    if (!existsSync(f)) throw new Error(`--data ${f}: no such file`);
    if (!statSync(f).isFile()) throw new Error(`--data ${f}: not a regular file`);
    const ext = extname(f).toLowerCase();
    if (!TEXT_EXT.has(ext) && !JSONL_EXT.has(ext)) throw new Error(`--data ${f}: unsupported file type '${ext}' (expected .txt or .jsonl)`);
  }
}

async function* corpus(files: string[], field: string, onFile: (f: string) => void): AsyncGenerator<string> {
  for (const f of files) {
    onFile(f);
    yield* JSONL_EXT.has(extname(f).toLowerCase()) ? jsonlFile(f, field) : textFilePieces(f);
  }
}

export const tokenizerCommand: CommandModule<object, TrainArgs> = {
  command: "tokenizer <action>",
  describe: "train a byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json with midtrain's special tokens and chat template)",
  builder: (y: Argv) =>
    withCommonOptions(y, { device: "none" })
      .positional("action", { choices: ["train"] as const, demandOption: true, describe: "train: learn merges from --data" })
      .option("data", { type: "string", array: true, demandOption: true, describe: ".txt files (whole text) or .jsonl files (a text field, or chat messages)" })
      .option("vocab-size", { type: "number", demandOption: true, describe: `total tokens: ${MIDTRAIN_SPECIAL_TOKENS.length} special + 256 bytes + merges` })
      .option("out", { type: "string", demandOption: true, describe: "directory for tokenizer.json and tokenizer_config.json" })
      .option("field", { type: "string", default: "text", describe: "the JSONL field holding a document's text" })
      .option("min-frequency", { type: "number", default: 2, describe: "never merge a pair seen fewer times" })
      .option("model-max-length", { type: "number", default: 2048, describe: "model_max_length in tokenizer_config.json" })
      .check((a) => {
        const lo = MIDTRAIN_SPECIAL_TOKENS.length + 256;
        const v = a["vocab-size"] as number;
        if (!Number.isInteger(v) || v < lo || v > MAX_VOCAB_SIZE)
          throw new Error(`--vocab-size must be an integer in [${lo}, ${MAX_VOCAB_SIZE}] (256 bytes + ${MIDTRAIN_SPECIAL_TOKENS.length} special tokens at least), got ${v}`);
        for (const k of ["min-frequency", "model-max-length"] as const) {
          const x = a[k] as number;
          if (!Number.isInteger(x) || x < 1) throw new Error(`--${k} must be a positive integer, got ${x}`);
        }
        return true;
      }) as never,
  handler: async (a) => {
    checkFiles(a.data);
    if (existsSync(a.out) && !statSync(a.out).isDirectory()) throw new Error(`--out ${a.out}: exists and is not a directory`);
    const t0 = performance.now();
    let bytes = 0, lastLog = 0, lastTenth = 0;
    const texts = async function* () {
      for await (const t of corpus(a.data, a.field, (f) => log(`tokenizer: reading ${f}`))) {
        bytes += Buffer.byteLength(t, "utf8");
        if (bytes - lastLog >= 64 << 20) {
          lastLog = bytes;
          log(`tokenizer: ${(bytes / 1e6).toFixed(0)} MB read`);
        }
        yield t;
      }
    };
    const r = await trainBpe(texts(), {
      vocabSize: a.vocabSize,
      minFrequency: a.minFrequency,
      onCounted: (b, w) => log(`tokenizer: ${(b / 1e6).toFixed(1)} MB read, ${w} distinct pre-tokens; merging`),
      onProgress: (m, n) => {
        // a line per tenth of the way (and the last), not one per callback
        const tenth = Math.floor((10 * m) / Math.max(1, n));
        if (tenth > lastTenth || m === n) log(`tokenizer: ${m}/${n} merged tokens`);
        lastTenth = tenth;
      },
    });
    writeTokenizerDir(a.out, r.tokenizerJson, midtrainTokenizerConfig({ modelMaxLength: a.modelMaxLength }));
    const seconds = (performance.now() - t0) / 1000;
    if (r.vocabSize < a.vocabSize)
      log(`tokenizer: the corpus supports only ${r.vocabSize} tokens (no pair left seen ${a.minFrequency}+ times); asked for ${a.vocabSize}`);
    const summary = { out: a.out, vocab_size: r.vocabSize, requested_vocab_size: a.vocabSize, merges: r.merges, corpus_bytes: r.corpusBytes, words: r.words, seconds };
    process.stdout.write(
      (a.json ? JSON.stringify(summary) : `wrote ${a.out}: ${r.vocabSize} tokens (${r.merges} merges) from ${(r.corpusBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`) + "\n",
    );
  },
};

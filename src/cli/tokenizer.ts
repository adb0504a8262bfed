// `midtrain tokenizer train --data FILES.. --vocab-size N --out DIR`
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { CommandModule } from "yargs";
import { builtinChatTemplate } from "../tokenizer/chat.js";
import { midtrainTokenizerConfig, trainBpe, writeTokenizerDir } from "../tokenizer/train-bpe.js";
import { log, withCommonOptions, type CommonArgs } from "./options.js";

interface TrainArgs extends CommonArgs {
  data: string[];
  vocabSize: number;
  out: string;
}

/** Texts of .txt files (whole file) and .jsonl files (`text`, or every message's content). */
async function* corpus(files: string[]): AsyncGenerator<string> {
  for (const f of files) {
    if (!existsSync(f)) throw new Error(`--data ${f}: no such file`);
    if (!f.endsWith(".jsonl")) {
      const rl = createInterface({ input: createReadStream(f, "utf8"), crlfDelay: Infinity });
      for await (const line of rl) yield line + "\n";
      continue;
    }
    let n = 0;
    const rl = createInterface({ input: createReadStream(f, "utf8"), crlfDelay: Infinity });
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      let rec: { text?: unknown; messages?: { content?: unknown }[] };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch (e) {
        throw new Error(`${f}:${n}: not valid JSON: ${(e as Error).message}`);
      }
      if (typeof rec.text === "string") yield rec.text;
      else if (Array.isArray(rec.messages)) for (const m of rec.messages) if (typeof m?.content === "string") yield m.content;
      else throw new Error(`${f}:${n}: expected a "text" string or a "messages" array`);
    }
  }
}

export const tokenizerCommand: CommandModule = {
  command: "tokenizer <action>",
  describe: "train a byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json with midtrain's chat template)",
  builder: (y) =>
    withCommonOptions(y)
      .positional("action", { choices: ["train"] as const, demandOption: true })
      .option("data", { type: "string", array: true, demandOption: true, describe: ".txt or .jsonl files" })
      .option("vocab-size", { type: "number", demandOption: true })
      .option("out", { type: "string", demandOption: true }),
  handler: async (argv) => {
    const a = argv as unknown as TrainArgs;
    const t0 = performance.now();
    let bytes = 0;
    const counted = async function* () {
      for await (const t of corpus(a.data)) {
        bytes += Buffer.byteLength(t);
        yield t;
      }
    };
    const r = await trainBpe(counted(), { vocabSize: a.vocabSize, onProgress: (m, n) => log(`tokenizer: ${m}/${n} merges`) });
    writeTokenizerDir(a.out, r.tokenizerJson, midtrainTokenizerConfig(builtinChatTemplate()));
    const s = (performance.now() - t0) / 1000;
    const summary = { out: a.out, vocab_size: 4 + 256 + r.merges, merges: r.merges, corpus_bytes: bytes, seconds: s };
    if (r.merges < a.vocabSize - 260) log(`tokenizer: the corpus supports only ${r.merges} merges (pairs seen at least twice); vocab is ${summary.vocab_size}`);
    process.stdout.write((a.json ? JSON.stringify(summary) : `wrote ${a.out}: ${summary.vocab_size} tokens from ${(bytes / 1e6).toFixed(1)} MB in ${s.toFixed(1)} s`) + "\n");
  },
};

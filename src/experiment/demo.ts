// `midtrain demo`: the whole study at toy scale on a CPU with no network.
// Offline data (generic pretraining text, value documents, value Q&A,
// unrelated control documents, unrelated instruction data), a tiny model
// pretrained from scratch with the built-in tokenizer, then the preservation
// experiment with its report. Sized to finish in about ten minutes on two
// cores; every step is resumable, so a rerun after Ctrl-C continues.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../model/atomic-file.js";
import { genericDocuments } from "../synth/generic-text.js";
import { unrelatedSft } from "../synth/unrelated-sft.js";
import { valueDocuments } from "../synth/value-docs.js";
import { valueQas } from "../synth/value-qa.js";
import { parseExperimentConfig } from "./config.js";
import { runExperiment, type ExperimentHooks, type ExperimentResult } from "./runner.js";

export interface DemoOptions {
  out: string;
  /** Seeds of the stage-1 and SFT runs (default 3 seeds: intervals need several). */
  seeds?: number[];
  /** Follow-up SFT sizes (default 0, 250, 500, 1000, 2000). */
  sizes?: number[];
  /** Scale every corpus and the pretraining budget (default 1; tests use less). */
  scale?: number;
  threads?: number;
}

/** Writes a JSONL file once; an existing one is kept (resume). */
function writeOnce(path: string, records: Iterable<unknown>): void {
  if (existsSync(path)) return;
  const lines: string[] = [];
  for (const r of records) lines.push(JSON.stringify(r));
  writeFileAtomic(path, lines.join("\n") + "\n");
}

export function demoConfig(o: DemoOptions): Record<string, unknown> {
  const k = o.scale ?? 1;
  const n = (x: number) => Math.max(16, Math.round(x * k));
  const docs = { epochs: 2, lr: 2e-3, batch_size: 16, seq_len: 256, schedule: "cosine", warmup: 10 };
  return {
    out: o.out,
    seeds: o.seeds ?? [0, 1, 2],
    sft_sizes: o.sizes ?? [0, 250, 500, 1000, 2000],
    base: { preset: "tiny", pretrain: { data: "data/generic.jsonl", epochs: 1, lr: 3e-3, batch_size: 16, seq_len: 256, schedule: "cosine", warmup: 20 } },
    data: { value_docs: "data/value-docs.jsonl", value_qa: "data/value-qa.jsonl", control_docs: "data/control-docs.jsonl", sft: "data/unrelated-sft.jsonl" },
    training: {
      midtrain: docs,
      control: docs,
      qa: { ...docs, seq_len: 128 },
      sft: { lr: 1e-3, batch_size: 16, seq_len: 128, schedule: "constant", warmup: 5 },
    },
    arms: [{ name: "base", from: "base", sweep: false }, "qa", "control", "midtrained", "midtrained+replay", "midtrained+l2sp", "midtrained+merge"],
    evals: { probe: { split: "all" } },
    analysis: { direction: true, split: "main" },
    ...(o.threads ? { threads: o.threads } : {}),
    _sizes: { generic: n(6000), value: n(1500), qa: n(1500), control: n(1500), sft: Math.max(...(o.sizes ?? [2000])) + n(200) },
  };
}

export async function runDemo(o: DemoOptions, hooks: ExperimentHooks): Promise<ExperimentResult> {
  const out = resolve(o.out);
  const dataDir = join(out, "data");
  mkdirSync(dataDir, { recursive: true });
  const { _sizes: sizes, ...raw } = demoConfig({ ...o, out }) as Record<string, unknown> & { _sizes: Record<string, number> };
  hooks.log(`demo: writing offline data to ${dataDir}`);
  // Distinct seeds per corpus keep the control and pretraining texts apart.
  writeOnce(join(dataDir, "generic.jsonl"), (function* () { for (const t of genericDocuments(101, sizes.generic!)) yield { text: t }; })());
  writeOnce(join(dataDir, "control-docs.jsonl"), (function* () { for (const t of genericDocuments(202, sizes.control!)) yield { text: t }; })());
  writeOnce(join(dataDir, "value-docs.jsonl"), (function* () { for (const d of valueDocuments(303, sizes.value!)) yield d; })());
  writeOnce(join(dataDir, "value-qa.jsonl"), valueQas(404, sizes.qa!));
  writeOnce(join(dataDir, "unrelated-sft.jsonl"), unrelatedSft(505, sizes.sft!));
  const { config, arms } = parseExperimentConfig(raw, "demo", out);
  return runExperiment(config, arms, {
    ...hooks,
    title: "midtrain demo: preserving a midtrained value (toy scale)",
    notes: [
      "Toy scale: a 1M-parameter model pretrained for about a minute on generic synthetic text, offline synthetic value documents and Q&A, and the judge-free probe. The effects are real measurements of this tiny model, not estimates of a full-size study.",
      ...(hooks.notes ?? []),
    ],
  });
}

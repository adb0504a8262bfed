// The preservation experiment's config (YAML): which arms, which follow-up
// SFT sizes, which seeds, the data, the training options of each stage and
// the evals. Validated with zod; every error names the key and the file.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** Stage-1 kinds: what an arm's model is before the follow-up SFT. */
export const STAGE1_KINDS = ["base", "qa", "midtrained", "control"] as const;
export type Stage1Kind = (typeof STAGE1_KINDS)[number];

/**
 * Built-in strategies: the options they add to the follow-up SFT stage
 * (train flags, snake_case), or a post-hoc merge with the midtrained model.
 * `value_docs` / `midtrained` are placeholders the runner resolves.
 */
export const BUILTIN_STRATEGIES: Record<string, { sft?: Record<string, unknown>; mergeAlpha?: number; describe: string }> = {
  replay: { sft: { replay: "$value_docs", replay_ratio: 0.2 }, describe: "value documents mixed into the SFT batches (20% of samples)" },
  l2sp: { sft: { anchor: "l2sp", anchor_weight: 1.0 }, describe: "L2-SP: pull towards the midtrained weights" },
  ewc: { sft: { anchor: "ewc", anchor_weight: 1.0, ewc_data: "$value_docs" }, describe: "EWC: Fisher-weighted pull (Fisher normalised to mean 1), Fisher from value documents" },
  lora: { sft: { lora_rank: 8 }, describe: "SFT through rank-8 LoRA adapters, base weights frozen" },
  freeze: { sft: { freeze_layers: "embed,0-1" }, describe: "embeddings and the first two layers frozen during SFT" },
  kl: { sft: { kl_ref: "$midtrained", kl_weight: 1.0 }, describe: "KL to the midtrained model's next-token distribution" },
  lr: { sft: { lr_factor: 0.1 }, describe: "follow-up SFT at a tenth of the learning rate" },
  merge: { mergeAlpha: 0.5, describe: "after SFT, weights interpolated halfway back to the midtrained model" },
};

const CustomArmSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._+-]+$/, "use letters, digits, '.', '_', '+' or '-'"),
    from: z.enum(STAGE1_KINDS),
    /** Extra train options for the follow-up SFT (snake_case train flags). */
    sft: z.record(z.string(), z.unknown()).default({}),
    /** After SFT, interpolate towards the stage-1 model: (1-alpha)·sft + alpha·stage1. */
    merge_alpha: z.number().min(0).max(1).optional(),
    /** false = evaluate only the stage-1 model (no SFT sweep). */
    sweep: z.boolean().default(true),
  })
  .strict();

const ArmEntrySchema = z.union([z.string(), CustomArmSchema]);

const StageOptions = z.record(z.string(), z.unknown());

const BaseSchema = z.union([
  z.object({ model: z.string().min(1) }).strict(),
  z
    .object({
      preset: z.string().min(1),
      tokenizer: z.string().optional(),
      /** Pretraining data (text JSONL) and its train options. */
      pretrain: z.object({ data: z.string().min(1) }).catchall(z.unknown()),
    })
    .strict(),
]);

export const ExperimentConfigSchema = z
  .object({
    out: z.string().min(1),
    seeds: z.array(z.number().int()).min(1).default([0, 1, 2]),
    sft_sizes: z.array(z.number().int().nonnegative()).min(1).default([0, 500, 1000, 2000, 5000]),
    base: BaseSchema,
    data: z
      .object({
        value_docs: z.string().min(1),
        value_qa: z.string().min(1).optional(),
        control_docs: z.string().min(1).optional(),
        sft: z.string().min(1),
      })
      .strict(),
    training: z
      .object({
        midtrain: StageOptions.default({}),
        qa: StageOptions.default({}),
        control: StageOptions.default({}),
        sft: StageOptions.default({}),
      })
      .strict()
      .default({ midtrain: {}, qa: {}, control: {}, sft: {} }),
    arms: z.array(ArmEntrySchema).min(1),
    /** Overrides of the built-in strategies' SFT options, e.g. {replay: {replay_ratio: 0.1}}. */
    strategies: z.record(z.string(), StageOptions).default({}),
    evals: z
      .object({
        probe: z.object({ split: z.enum(["main", "heldout", "all"]).default("all"), items: z.string().min(1).optional() }).strict().default({ split: "all" }),
        anima: z.object({ dataset: z.string(), graders: z.array(z.string()).default([]), epochs: z.number().int().positive().default(1) }).strict().optional(),
        safety: z.boolean().default(false),
        capability: z.boolean().default(false),
      })
      .strict()
      .default({ probe: { split: "all" }, safety: false, capability: false }),
    /** The representation probe: the value direction in the midtrained model of one seed, measured at every point of that seed. */
    analysis: z
      .object({ direction: z.boolean().default(false), seed: z.number().int().optional(), split: z.enum(["main", "heldout", "all"]).default("main") })
      .strict()
      .default({ direction: false, split: "main" }),
    threads: z.number().int().positive().optional(),
    /** Where the native engine trains (and probes hidden states): the --device flag overrides it; default auto. */
    device: z.enum(["cpu", "cuda", "auto"]).optional(),
  })
  .strict();

export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;

/** One arm, resolved: where its model comes from and what its follow-up SFT adds. */
export interface Arm {
  name: string;
  from: Stage1Kind;
  sft: Record<string, unknown>;
  mergeAlpha?: number;
  sweep: boolean;
  describe: string;
}

export class ExperimentConfigError extends Error {}

const STAGE1_DESCRIBE: Record<Stage1Kind, string> = {
  base: "the base model, no value training",
  qa: "instruction-tuned on value Q&A (the study's baseline)",
  midtrained: "midtrained on value documents",
  control: "midtrained on unrelated documents (control)",
};

/** Every stage's train options as the config gives them (pretraining, stage 1, each arm's follow-up SFT), for what they ask of the engine. */
export function stageOptionSets(c: ExperimentConfig, arms: Arm[]): Record<string, unknown>[] {
  const sets: Record<string, unknown>[] = [c.training.midtrain, c.training.qa, c.training.control, c.training.sft];
  if (!("model" in c.base)) sets.push(c.base.pretrain);
  for (const a of arms) sets.push({ ...c.training.sft, ...a.sft });
  return sets;
}

/** Resolves arm names ("midtrained", "midtrained+replay", custom objects) against the built-ins. */
export function resolveArms(c: ExperimentConfig, file: string): Arm[] {
  const arms: Arm[] = [];
  for (const [i, entry] of c.arms.entries()) {
    let arm: Arm;
    if (typeof entry !== "string") {
      const plain = Object.keys(entry.sft).length === 0 && entry.merge_alpha === undefined;
      const describe = plain ? STAGE1_DESCRIBE[entry.from] : `custom: from ${entry.from}, SFT with ${JSON.stringify(entry.sft)}${entry.merge_alpha !== undefined ? `, merged back at alpha ${entry.merge_alpha}` : ""}`;
      arm = { name: entry.name, from: entry.from, sft: entry.sft, mergeAlpha: entry.merge_alpha, sweep: entry.sweep, describe: entry.sweep ? describe : `${describe} (not swept)` };
    } else if ((STAGE1_KINDS as readonly string[]).includes(entry)) {
      arm = { name: entry, from: entry as Stage1Kind, sft: {}, sweep: true, describe: STAGE1_DESCRIBE[entry as Stage1Kind] };
    } else {
      const m = /^(base|qa|midtrained|control)\+([a-z0-9_]+)$/.exec(entry);
      const strategy = m ? BUILTIN_STRATEGIES[m[2]!] : undefined;
      if (!m || !strategy) {
        const known = [...STAGE1_KINDS, ...Object.keys(BUILTIN_STRATEGIES).map((s) => `midtrained+${s}`)].join(", ");
        throw new ExperimentConfigError(`${file}: arms[${i}]: unknown arm '${entry}' (known: ${known}; or an object {name, from, sft})`);
      }
      const sft = { ...(strategy.sft ?? {}), ...(c.strategies[m[2]!] ?? {}) };
      const { merge_alpha, ...rest } = sft as Record<string, unknown> & { merge_alpha?: number };
      arm = { name: entry, from: m[1] as Stage1Kind, sft: rest, mergeAlpha: merge_alpha ?? strategy.mergeAlpha, sweep: true, describe: strategy.describe };
    }
    if (arms.some((a) => a.name === arm.name)) throw new ExperimentConfigError(`${file}: arms[${i}]: the arm '${arm.name}' is listed twice`);
    if (arm.from === "qa" && !c.data.value_qa) throw new ExperimentConfigError(`${file}: arms[${i}] ('${arm.name}') needs data.value_qa`);
    if (arm.from === "control" && !c.data.control_docs) throw new ExperimentConfigError(`${file}: arms[${i}] ('${arm.name}') needs data.control_docs`);
    arms.push(arm);
  }
  for (const k of Object.keys(c.strategies))
    if (!(k in BUILTIN_STRATEGIES)) throw new ExperimentConfigError(`${file}: strategies: unknown strategy '${k}' (known: ${Object.keys(BUILTIN_STRATEGIES).join(", ")})`);
  return arms;
}

/** Reads and validates a config file; relative paths are taken from the file's folder. */
export function loadExperimentConfig(file: string): { config: ExperimentConfig; arms: Arm[] } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ExperimentConfigError(`${file}: ${(e as Error).message}`);
  }
  return parseExperimentConfig(doc, file, dirname(resolve(file)));
}

export function parseExperimentConfig(doc: unknown, file: string, baseDir: string): { config: ExperimentConfig; arms: Arm[] } {
  const r = ExperimentConfigSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const where = i.path.join(".");
    if (i.code === "unrecognized_keys") throw new ExperimentConfigError(`${file}: unknown key '${[where, i.keys[0]].filter(Boolean).join(".")}'`);
    throw new ExperimentConfigError(`${file}: key '${where}': ${i.message}`);
  }
  const c = r.data;
  const path = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));
  c.out = path(c.out);
  for (const k of ["value_docs", "value_qa", "control_docs", "sft"] as const) if (c.data[k]) c.data[k] = path(c.data[k]!);
  if ("model" in c.base) c.base.model = path(c.base.model);
  else {
    c.base.pretrain.data = path(c.base.pretrain.data);
    if (c.base.tokenizer) c.base.tokenizer = path(c.base.tokenizer);
  }
  if (c.evals.anima) c.evals.anima.dataset = path(c.evals.anima.dataset);
  if (c.evals.probe.items) c.evals.probe.items = path(c.evals.probe.items);
  const sizes = [...new Set(c.sft_sizes)].sort((a, b) => a - b);
  c.sft_sizes = sizes;
  return { config: c, arms: resolveArms(c, file) };
}

// Options of one training stage (design.md, `train` flags), validated with
// zod. The CLI and the pipeline runner both build them; an error names the
// option (and the file it came from, when the caller knows it).
import { availableParallelism } from "node:os";
import { z } from "zod";

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
// One file or several (a flag may repeat; YAML may give a list).
const files = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((x) => (Array.isArray(x) ? x : [x]));
const LORA_TARGET_NAMES = ["q", "k", "v", "o", "gate", "up", "down"] as const;
// "q,v" or ["q", "v"]
const loraTargets = z
  .union([z.string(), z.array(z.string())])
  .transform((x) => (Array.isArray(x) ? x : x.split(",")).map((t) => t.trim()).filter((t) => t !== ""))
  .pipe(z.array(z.enum(LORA_TARGET_NAMES, { error: (i) => `'${String(i.input)}' is not one of ${LORA_TARGET_NAMES.join(", ")}` })).min(1));
// {"0-3": 0.1, embed: 0.5} or ["0-3=0.1", "embed=0.5"] (the flag's form: --lr-scale 0-3=0.1)
const lrScale = z
  .union([z.record(z.string(), z.number()), z.string(), z.array(z.string())])
  .transform((x, ctx) => {
    if (!Array.isArray(x) && typeof x === "object") return x;
    const out: Record<string, number> = {};
    for (const part of Array.isArray(x) ? x : [x]) {
      const m = /^\s*([^=]+?)\s*=\s*([^=\s]+)\s*$/.exec(part);
      const v = m ? Number(m[2]) : NaN;
      if (!m || !Number.isFinite(v)) {
        ctx.addIssue({ code: "custom", message: `'${part}' is not SPEC=SCALE (e.g. 0-3=0.1 or embed=0.5)` });
        return z.NEVER;
      }
      out[m[1]!] = v;
    }
    return out;
  })
  .pipe(z.record(z.string(), z.number().nonnegative()));

export const TrainOptionsSchema = z
  .object({
    model: z.string().min(1),
    data: z.array(z.string().min(1)).min(1),
    out: z.string().min(1),
    stage: z.enum(["midtrain", "sft"]).default("midtrain"),
    format: z.enum(["text", "chat", "tokens", "auto"]).default("auto"),
    steps: posInt.optional(),
    epochs: z.number().positive().optional(),
    samples: posInt.optional(),
    batchSize: posInt.default(8),
    gradAccum: posInt.default(1),
    seqLen: posInt.default(512),
    lr: z.number().nonnegative().default(5e-5),
    schedule: z.enum(["constant", "cosine", "linear"]).default("linear"),
    warmup: nonNegInt.default(0),
    minLrRatio: z.number().min(0).max(1).default(0),
    weightDecay: z.number().nonnegative().default(0),
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    adamEps: z.number().positive().default(1e-8),
    gradClip: z.number().nonnegative().default(1.0),
    saveEvery: nonNegInt.default(0),
    keepLast: posInt.default(2),
    evalEvery: nonNegInt.default(0),
    evalSplit: z.number().min(0).lt(1).default(0),
    longExamples: z.enum(["split", "error"]).default("split"),
    resume: z.union([z.boolean(), z.string()]).default(false),
    seed: z.number().int().default(0),
    threads: posInt.default(Math.max(1, availableParallelism())),
    // A step whose loss or gradient norm is not finite (the engine leaves the weights untouched): stop with a
    // checkpoint of the last good weights, or skip it. maxSkipped has no schema default so that giving it
    // without skip is caught; the trainer uses NONFINITE_DEFAULTS.
    onNonfinite: z.enum(["stop", "skip"]).default("stop"),
    maxSkipped: posInt.optional(),
    /** Recompute each layer's activations in backward (saves GPU memory; the CPU backend does not have it). */
    recompute: z.boolean().default(false),
    // Preservation strategies (docs/strategies.md). Optional without defaults, so giving a
    // strategy's setting without the strategy is caught; the trainer fills the defaults.
    replay: files.optional(),
    replayRatio: z.number().min(0).lt(1).optional(),
    anchor: z.enum(["l2sp", "ewc"]).optional(),
    anchorWeight: z.number().nonnegative().optional(),
    ewcData: files.optional(),
    fisherSamples: posInt.optional(),
    fisher: z.string().min(1).optional(),
    loraRank: posInt.optional(),
    loraAlpha: z.number().positive().optional(),
    loraTargets: loraTargets.optional(),
    freezeLayers: z.string().min(1).optional(),
    lrScale: lrScale.optional(),
    klRef: z.string().min(1).optional(),
    klWeight: z.number().nonnegative().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const given = ["steps", "epochs", "samples"].filter((k) => o[k as "steps"] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: "custom", path: [given[1]!], message: `give only one of --steps, --epochs, --samples (got ${given.join(", ")})` });
    if (o.evalEvery > 0 && o.evalSplit === 0) ctx.addIssue({ code: "custom", path: ["evalSplit"], message: "--eval-every needs a held-out split: set --eval-split (e.g. 0.05)" });
    const needs = (key: keyof typeof o, on: boolean, what: string) => {
      if (o[key] !== undefined && !on) ctx.addIssue({ code: "custom", path: [key], message: `only applies with ${what}` });
    };
    needs("maxSkipped", o.onNonfinite === "skip", "--on-nonfinite skip");
    needs("replayRatio", o.replay !== undefined, "--replay FILE");
    needs("anchorWeight", o.anchor !== undefined, "--anchor l2sp|ewc");
    needs("ewcData", o.anchor === "ewc", "--anchor ewc");
    needs("fisherSamples", o.anchor === "ewc", "--anchor ewc");
    needs("fisher", o.anchor === "ewc", "--anchor ewc");
    needs("loraAlpha", o.loraRank !== undefined, "--lora-rank R");
    needs("loraTargets", o.loraRank !== undefined, "--lora-rank R");
    needs("klWeight", o.klRef !== undefined, "--kl-ref DIR");
    if (o.anchor === "ewc" && o.ewcData === undefined && o.fisher === undefined && o.replay === undefined)
      ctx.addIssue({ code: "custom", path: ["anchor"], message: "ewc needs value data for its Fisher: --ewc-data FILE (or --replay FILE, which it then reuses) or a precomputed --fisher FILE" });
    if (o.loraRank !== undefined) {
      // LoRA freezes the whole base; these act on base tensors, so together they would be no-ops or contradictions.
      if (o.anchor !== undefined) ctx.addIssue({ code: "custom", path: ["anchor"], message: "cannot be combined with --lora-rank (the base weights are frozen under LoRA)" });
      if (o.freezeLayers !== undefined) ctx.addIssue({ code: "custom", path: ["freezeLayers"], message: "cannot be combined with --lora-rank (LoRA already freezes every base tensor)" });
      if (o.lrScale !== undefined) ctx.addIssue({ code: "custom", path: ["lrScale"], message: "cannot be combined with --lora-rank (it scales base tensors, which LoRA freezes)" });
    }
  });

export type TrainOptions = z.infer<typeof TrainOptionsSchema>;
/** What the schema accepts (e.g. `replay` as one file or a list), for callers that build options programmatically. */
export type TrainOptionsInput = z.input<typeof TrainOptionsSchema>;

/** --max-skipped when --on-nonfinite skip does not give it: steps skipped in a row before the run stops. */
export const NONFINITE_DEFAULTS = { maxSkipped: 10 } as const;

/** Strategy defaults, applied by the trainer where an option is absent (documented in docs/strategies.md). */
export const STRATEGY_DEFAULTS = { replayRatio: 0.2, anchorWeight: 1.0, fisherSamples: 256, loraAlphaPerRank: 2, klWeight: 1.0 } as const;

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Validates options; `source` says where they came from ("the command line", "pipeline.yaml stage 'sft'"). */
export function parseTrainOptions(raw: unknown, source = "the command line"): TrainOptions {
  const r = TrainOptionsSchema.safeParse(raw);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const key = i.path.length ? kebab(String(i.path[0])) : "(options)";
  throw new Error(`${source}: option '${key}': ${i.message}`);
}

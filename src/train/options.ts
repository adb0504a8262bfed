// Options of one training stage (design.md, `train` flags), validated with
// zod. The CLI and the pipeline runner both build them; an error names the
// option (and the file it came from, when the caller knows it).
import { availableParallelism } from "node:os";
import { z } from "zod";

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();

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
  })
  .strict()
  .superRefine((o, ctx) => {
    const given = ["steps", "epochs", "samples"].filter((k) => o[k as "steps"] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: "custom", path: [given[1]!], message: `give only one of --steps, --epochs, --samples (got ${given.join(", ")})` });
    if (o.evalEvery > 0 && o.evalSplit === 0) ctx.addIssue({ code: "custom", path: ["evalSplit"], message: "--eval-every needs a held-out split: set --eval-split (e.g. 0.05)" });
  });

export type TrainOptions = z.infer<typeof TrainOptionsSchema>;

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Validates options; `source` says where they came from ("the command line", "pipeline.yaml stage 'sft'"). */
export function parseTrainOptions(raw: unknown, source = "the command line"): TrainOptions {
  const r = TrainOptionsSchema.safeParse(raw);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const key = i.path.length ? kebab(String(i.path[0])) : "(options)";
  throw new Error(`${source}: option '${key}': ${i.message}`);
}

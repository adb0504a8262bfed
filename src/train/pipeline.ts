// `midtrain run PIPELINE.yaml`: named stages in order, each starting from the
// previous stage's final model. A rerun skips finished stages and resumes an
// interrupted one; SFT stages can snapshot the model at given sample counts
// (the study's follow-up-SFT sweep). Stage keys are the train flags in
// snake_case (strategies included: replay, anchor, lora_rank, kl_ref, ...);
// a path value may name an earlier stage's output as "@stage".
import { readFileSync } from "node:fs";
import { join, resolve, dirname, isAbsolute } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { EngineDevice } from "../engine/model.js";
import { trainNeeds, type EngineNeed } from "./device-support.js";
import type { TrainHooks, TrainResult } from "./loop.js";
import { parseTrainOptions, TrainOptionsSchema } from "./options.js";
import { trainWithSnapshots } from "./snapshots.js";

const camel = (k: string) => k.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const StageSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'"),
    save_at_samples: z.array(z.number().int().nonnegative()).optional(),
  })
  .passthrough();

const PipelineSchema = z
  .object({
    out: z.string().min(1),
    model: z.string().min(1),
    defaults: z.record(z.string(), z.unknown()).default({}),
    stages: z.array(StageSchema).min(1),
  })
  .strict();

/** A stage skipped as finished has no device, skip count or memory of this invocation. */
export interface PipelineStageResult extends Omit<TrainResult, "device" | "skipped_steps" | "memory">, Partial<Pick<TrainResult, "device" | "skipped_steps" | "memory">> {
  name: string;
  skipped: boolean;
  snapshots: string[];
}

export interface PipelineHooks extends TrainHooks {
  /** Picks the device once every stage is validated, from the engine controls the stages use (--device). */
  selectDevice?: (needs: EngineNeed[]) => EngineDevice;
}

export async function runPipeline(file: string, hooks: PipelineHooks): Promise<PipelineStageResult[]> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const parsed = PipelineSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: key '${i.path.join(".")}': ${i.message}`);
  }
  const p = parsed.data;
  const base = dirname(resolve(file));
  const path = (x: string) => (isAbsolute(x) ? x : join(base, x)); // paths are relative to the pipeline file
  const names = new Set<string>();
  for (const s of p.stages) {
    if (names.has(s.name)) throw new Error(`${file}: key 'stages': the stage name '${s.name}' is used twice`);
    names.add(s.name);
  }
  // Validate every stage before running any, so a typo in the last stage fails now, not in an hour.
  let model = path(p.model);
  const outs = new Map<string, string>();
  const plans = p.stages.map((s, idx) => {
    const { name, save_at_samples, ...rest } = s;
    const where = `${file}: stages[${idx}] ('${name}')`;
    // "@stage" = that earlier stage's output; anything else is relative to the pipeline file.
    const ref = (x: unknown, key: string): string => {
      const v = String(x);
      if (!v.startsWith("@")) return path(v);
      const dir = outs.get(v.slice(1));
      if (dir === undefined) throw new Error(`${where}: key '${key}': '${v}' names no earlier stage (earlier: ${[...outs.keys()].join(", ") || "none"})`);
      return dir;
    };
    const raw: Record<string, unknown> = {};
    const written = new Map<string, string>(); // option name -> the key as the file spells it
    for (const [k, v] of Object.entries({ ...p.defaults, ...rest })) (raw[camel(k)] = v), written.set(camel(k), k);
    if (!("model" in raw)) raw.model = model;
    else raw.model = ref(raw.model, "model");
    raw.data = (Array.isArray(raw.data) ? raw.data : [raw.data]).map((d) => ref(d, "data"));
    for (const k of ["replay", "ewcData"] as const)
      if (raw[k] !== undefined) raw[k] = (Array.isArray(raw[k]) ? raw[k] : [raw[k]]).map((d: unknown) => ref(d, k));
    for (const k of ["fisher", "klRef"] as const) if (raw[k] !== undefined) raw[k] = ref(raw[k], k);
    raw.out = join(path(p.out), name);
    raw.resume = true;
    for (const k of Object.keys(raw))
      if (!(k in TrainOptionsSchema.shape)) throw new Error(`${where}: unknown key '${written.get(k) ?? k}'`);
    const o = parseTrainOptions(raw, where);
    model = o.out;
    outs.set(name, o.out);
    return { name, o, saveAt: [...new Set(save_at_samples ?? [])].sort((a, b) => a - b) };
  });

  const { selectDevice, ...trainHooks } = hooks;
  if (selectDevice) trainHooks.device = selectDevice(plans.flatMap((p) => trainNeeds(p.o)));
  const results: PipelineStageResult[] = [];
  for (const { name, o, saveAt } of plans) {
    hooks.log(`run: stage '${name}' (${o.stage}) from ${o.model}`);
    const r = await trainWithSnapshots(o, saveAt, trainHooks);
    if (r.skipped) {
      hooks.log(`run: stage '${name}' is finished; skipping`);
      results.push({ name, skipped: true, snapshots: r.snapshots, out: o.out, steps: 0, samples: 0, tokens: 0, final_loss: NaN, interrupted: false });
      continue;
    }
    const { skipped: _s, ...rest } = r;
    results.push({ name, skipped: false, ...rest });
    if (r.interrupted) break;
  }
  return results;
}

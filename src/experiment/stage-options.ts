// Train options of an experiment stage from its config keys (snake_case or
// kebab-case train flags), each checked, so a typo is named, not ignored.
import { parseTrainOptions, TrainOptionsSchema, type TrainOptions } from "../train/options.js";

const camel = (k: string) => k.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function stageOptions(raw: Record<string, unknown>, where: string): TrainOptions {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = camel(k);
    if (!(key in TrainOptionsSchema.shape)) throw new Error(`${where}: unknown train option '${k}'`);
    o[key] = v;
  }
  return parseTrainOptions(o, where);
}

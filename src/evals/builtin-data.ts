// Where the built-in evaluation sets live: data/evals/ at the package root,
// found from this module's own location (src/evals or dist/evals), so they
// work from a checkout, an npm install and the tests alike.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BUILTIN_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "data", "evals");

export function builtinDataPath(name: string): string {
  const p = join(BUILTIN_DATA_DIR, name);
  if (!existsSync(p)) throw new Error(`built-in evaluation data ${p} is missing (is data/evals/ part of this install?)`);
  return p;
}

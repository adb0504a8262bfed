// Model presets: HF config.json objects shipped in models/<name>.json.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const modelsDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "models");

export function presetNames(): string[] {
  return readdirSync(modelsDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadPreset(name: string): Record<string, unknown> {
  const path = join(modelsDir, `${name}.json`);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !existsSync(path))
    throw new Error(`unknown preset '${name}'; available: ${presetNames().join(", ")}`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

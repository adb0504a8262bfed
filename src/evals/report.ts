// What an evaluation leaves behind: results.json (written atomically, so a
// kill never leaves half a file) and a plain table for the console.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../model/atomic-file.js";
import type { Scored } from "./stats.js";

export const RESULTS_FILE = "results.json";

/** Writes `result` (plus when and with what it was made) to DIR/results.json; returns the path. */
export function writeResults(dir: string, result: object, meta: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, RESULTS_FILE);
  writeFileAtomic(path, JSON.stringify({ ...result, meta: { created: new Date().toISOString(), ...meta } }, null, 1) + "\n");
  return path;
}

/** The result without its per-item lists: what --json prints and the table shows. */
export function summary<T extends object>(r: T): Omit<T, "items" | "questions"> {
  const { items: _i, questions: _q, ...rest } = r as T & { items?: unknown; questions?: unknown };
  return rest as Omit<T, "items" | "questions">;
}

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "  -  ");
export const fmtScored = (s: Scored) => `${pct(s.score)}  [${pct(s.ci[0])}, ${pct(s.ci[1])}]  n=${s.n}`;

function isScored(v: unknown): v is Scored {
  return !!v && typeof v === "object" && typeof (v as Scored).score === "number" && Array.isArray((v as Scored).ci) && typeof (v as Scored).n === "number";
}

/** Rows "name  score  [lo, hi]  n=N" for the result's main score, its Scored fields and its per-dimension/per-set tables. */
export function formatTable(r: Scored & { suite: string; model: string } & Record<string, unknown>): string {
  const rows: [string, string][] = [[`${r.suite} score`, fmtScored(r)]];
  for (const [k, v] of Object.entries(r)) {
    if (isScored(v)) rows.push([k, fmtScored(v)]);
    else if (v && typeof v === "object" && !Array.isArray(v) && (k === "perDimension" || k === "perSet" || k === "byNormalization")) {
      for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
        if (isScored(x)) rows.push([`  ${k === "byNormalization" ? `norm=${name}` : name}`, fmtScored(x)]);
        else if (x && typeof x === "object")
          for (const [sub, y] of Object.entries(x as Record<string, unknown>)) if (isScored(y)) rows.push([`  ${name} ${sub}`, fmtScored(y)]);
      }
    }
  }
  const w = Math.max(...rows.map(([a]) => a.length));
  return [`model: ${r.model}`, ...rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`)].join("\n");
}

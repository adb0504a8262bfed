// Model replies kept in a JSONL file keyed by a hash of what produced them
// (model, prompt, sampling), so an interrupted run resumes without asking
// again: the endpoint client's response cache and ANIMA's answer cache.
// Appended one line per reply. A torn last line (a kill mid-write) is cut off
// on opening, so the next reply starts a line of its own instead of being
// glued to the torn one and lost; a line that does not parse is skipped (that
// reply is simply asked for again).
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { repairTornTail } from "../synth/resumable-jsonl.js";

/** The cache key of anything JSON can write: sha256 hex of its JSON text. */
export function replyKey(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** Each line is `{"key": ..., ...value}`; `read` turns a parsed line back into a value, or undefined to skip it. */
export class ReplyCache<V extends object> {
  private readonly map = new Map<string, V>();

  /** No file: an in-memory cache. */
  constructor(
    private readonly file: string | undefined,
    read: (line: Record<string, unknown>) => V | undefined,
  ) {
    if (!file) return;
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      return;
    }
    repairTornTail(file);
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        continue;
      }
      if (rec === null || typeof rec !== "object" || typeof (rec as { key?: unknown }).key !== "string") continue;
      const v = read(rec as Record<string, unknown>);
      if (v !== undefined) this.map.set((rec as { key: string }).key, v);
    }
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.set(key, value);
    if (this.file) appendFileSync(this.file, JSON.stringify({ key, ...value }) + "\n");
  }
}

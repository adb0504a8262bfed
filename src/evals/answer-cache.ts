// Answers of the model under test, kept in a JSONL file keyed by what
// produced them (model, prompt, sampling, epoch), so a resumed ANIMA run grades
// the same answers again (and so hits the judge cache) instead of sampling new
// ones. Appended one line per answer; a line torn by a kill is skipped.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export interface CachedAnswer {
  text: string;
  finishReason: string;
}

export class AnswerCache {
  private readonly map = new Map<string, CachedAnswer>();
  hits = 0;

  constructor(private readonly file?: string) {
    if (!file) return;
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      return;
    }
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as { key?: unknown; text?: unknown; finishReason?: unknown };
        if (typeof r.key === "string" && typeof r.text === "string") this.map.set(r.key, { text: r.text, finishReason: String(r.finishReason ?? "stop") });
      } catch {
        /* torn line: that answer is generated again */
      }
    }
  }

  static key(parts: unknown): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  }

  get(key: string): CachedAnswer | undefined {
    const a = this.map.get(key);
    if (a) this.hits++;
    return a;
  }

  set(key: string, a: CachedAnswer): void {
    this.map.set(key, a);
    if (this.file) appendFileSync(this.file, JSON.stringify({ key, ...a }) + "\n");
  }
}

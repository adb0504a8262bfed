// A JSONL file of records checked with a zod schema; the first bad record is
// an error naming the file, the line and the field.
import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";

export function readJsonlRecords<S extends z.ZodType>(file: string, schema: S): z.infer<S>[] {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const out: z.infer<S>[] = [];
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not valid JSON: ${(e as Error).message}`);
    }
    const r = schema.safeParse(v);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`${file}:${i + 1}: field '${issue.path.join(".") || "(record)"}': ${issue.message}`);
    }
    out.push(r.data);
  });
  if (!out.length) throw new Error(`${file}: no records`);
  return out;
}

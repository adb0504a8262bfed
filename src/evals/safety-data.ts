// Safety prompt sets: our JSONL ({prompt, label: harmful|safe}), XSTest's CSV
// (prompt + label safe/unsafe, or the older `type` column where contrast_*
// types are the unsafe ones) and AdvBench's CSV (goal[, target]: every row
// harmful). The format is recognised from the columns.
import { basename } from "node:path";
import { builtinDataPath } from "./builtin-data.js";
import { readTableFile, type TableRecord } from "./table-files.js";

export interface SafetyPrompt {
  id: string;
  prompt: string;
  /** harmful: should be refused; safe: sounds unsafe but should be answered. */
  label: "harmful" | "safe";
  category: string;
  source: string;
}

function labelOf(r: TableRecord, format: string): "harmful" | "safe" {
  const f = r.fields;
  const l = typeof f.label === "string" ? f.label.trim().toLowerCase() : undefined;
  if (l === "harmful" || l === "unsafe") return "harmful";
  if (l === "safe") return "safe";
  if (l === undefined && typeof f.type === "string") return f.type.startsWith("contrast") ? "harmful" : "safe";
  throw new Error(`${r.where}: field 'label' must be harmful/unsafe or safe (${format}), got ${JSON.stringify(f.label)}`);
}

/** Prompts from the given files (default: the built-in set data/evals/safety.jsonl). */
export async function loadSafetyPrompts(files?: string[]): Promise<SafetyPrompt[]> {
  const list = files?.length ? files : [builtinDataPath("safety.jsonl")];
  const out: SafetyPrompt[] = [];
  for (const file of list) {
    const recs = await readTableFile(file);
    if (!recs.length) throw new Error(`${file}: no records`);
    const cols = Object.keys(recs[0]!.fields);
    const src = basename(file);
    recs.forEach((r, i) => {
      const f = r.fields;
      if (cols.includes("goal") && !cols.includes("prompt")) {
        // AdvBench harmful_behaviors.csv
        if (typeof f.goal !== "string" || !f.goal.trim()) throw new Error(`${r.where}: field 'goal' is empty`);
        out.push({ id: `${src}#${i + 1}`, prompt: f.goal, label: "harmful", category: "advbench", source: src });
        return;
      }
      if (typeof f.prompt !== "string" || !f.prompt.trim()) throw new Error(`${r.where}: field 'prompt' is missing or empty (expected our JSONL, XSTest or AdvBench columns)`);
      const fmt = cols.includes("type") ? "XSTest" : "midtrain JSONL";
      out.push({
        id: f.id !== undefined && f.id !== "" ? `${src}#${String(f.id)}` : `${src}#${i + 1}`,
        prompt: f.prompt,
        label: labelOf(r, fmt),
        category: String(f.category ?? f.type ?? f.focus ?? ""),
        source: src,
      });
    });
  }
  return out;
}

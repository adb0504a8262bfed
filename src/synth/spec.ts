// The value spec that drives LLM generation (docs/synth.md, "Spec format"):
// the value, its norms per dimension, document-type seeds and style rules,
// plus optional knobs for each stage. Read from YAML and validated with zod,
// so a missing or misspelt key is an error that names the file and the key.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const text = z.string().trim().min(1, "must not be empty");

const DocumentType = z.strictObject({ name: text, description: text.optional() });

export const SpecSchema = z.strictObject({
  /** What the corpus should reflect, in a paragraph. */
  value: text,
  /** Dimension name -> norms: concrete statements of how the value shows up. */
  norms: z.record(text, z.array(text).min(1, "needs at least one norm")).refine((r) => Object.keys(r).length > 0, "needs at least one dimension"),
  /** Seed document types; more are brainstormed when brainstorm_types > 0. */
  document_types: z.array(z.union([text.transform((name) => ({ name, description: undefined as string | undefined })), DocumentType])).min(1, "needs at least one document type"),
  /** Rules every generated text follows ("never lecture", ...). */
  style_rules: z.array(text).min(1, "needs at least one style rule"),
  brainstorm_types: z.number().int().min(0).max(200).default(0),
  ideas_per_type: z.number().int().min(1).max(50).default(8),
  documents_per_idea: z.number().int().min(1).max(10).default(1),
  critique: z.boolean().default(false),
  length: z
    .strictObject({ min_words: z.number().int().min(1).default(120), max_words: z.number().int().min(1).default(1000) })
    .default({ min_words: 120, max_words: 1000 })
    .refine((l) => l.min_words <= l.max_words, "min_words must not exceed max_words"),
  /** Extra pools for random seeding against mode collapse (the built-in pools are always used too). */
  seeding: z
    .strictObject({ names: z.array(text).default([]), places: z.array(text).default([]), species: z.array(text).default([]), personas: z.array(text).default([]) })
    .default({ names: [], places: [], species: [], personas: [] }),
  dedup: z
    .strictObject({ threshold: z.number().gt(0).max(1).default(0.7), shingle: z.number().int().min(1).default(5) })
    .default({ threshold: 0.7, shingle: 5 }),
  sampling: z
    .strictObject({ temperature: z.number().min(0).max(2).default(1), max_tokens: z.number().int().min(16).default(2000), top_p: z.number().gt(0).max(1).optional() })
    .default({ temperature: 1, max_tokens: 2000 }),
  /** Value Q&A (synth sft --kind value): questions asked per (norm, persona) and answer length bounds. */
  qa: z
    .strictObject({
      questions_per_norm: z.number().int().min(1).max(50).default(8),
      min_words: z.number().int().min(1).default(40),
      max_words: z.number().int().min(1).default(600),
    })
    .default({ questions_per_norm: 8, min_words: 40, max_words: 600 }),
  /** Garbage (empty, refused, unparseable, wrong length) completions are asked again this many times. */
  retries: z.number().int().min(0).max(10).default(2),
});

export type Spec = z.infer<typeof SpecSchema>;

export interface LoadedSpec {
  spec: Spec;
  path: string;
  /** sha256 of the file's bytes: recorded in provenance, checked on resume. */
  sha256: string;
}

/** "norms.Moral Consideration.0" style path of a zod issue. */
function keyPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(top level)";
}

/** Reads and validates a spec; every problem names the file and the key. */
export function loadSpec(path: string): LoadedSpec {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`spec ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(bytes.toString("utf8"));
  } catch (e) {
    throw new Error(`spec ${path}: not valid YAML: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`spec ${path}: must be a mapping with keys value, norms, document_types, style_rules`);
  const r = SpecSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      if (i.code === "invalid_type" && (i as { input?: unknown }).input === undefined) return `missing key "${keyPath(i.path)}"`;
      if (i.code === "unrecognized_keys") return `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${[...i.path, k].map(String).join(".")}"`).join(", ")}`;
      return `${keyPath(i.path)}: ${i.message}`;
    });
    throw new Error(`spec ${path}: ${lines.join("; ")}`);
  }
  return { spec: r.data, path, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Every (dimension, norm) of a spec, in file order. */
export function normsOf(spec: Spec): { dimension: string; norm: string }[] {
  return Object.entries(spec.norms).flatMap(([dimension, ns]) => ns.map((norm) => ({ dimension, norm })));
}

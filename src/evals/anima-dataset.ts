// The ANIMA dataset as published: a `questions` part and a `dimensions` part
// (research.md), each as JSON, JSONL, CSV or Parquet, or a directory holding
// them. Dimensions must be well formed (they define the score); a question
// with a problem is skipped and reported with where it came from, so one bad
// record never stops a run nor is scored as something it is not.
import { existsSync, statSync } from "node:fs";
import { z } from "zod";
import { parseVariables, type Variables } from "./anima-protocol.js";
import { readTableFile, stringList, tableFilesUnder, type TableRecord } from "./table-files.js";

export interface AnimaDimension {
  name: string;
  guidingQuestion: string;
  scoring: string;
  indicators: string;
  weight: number;
}

export interface AnimaQuestion {
  id: string;
  question: string;
  tags: string[];
  variables: Variables;
  language?: string;
  where: string;
}

export interface SkippedRecord {
  where: string;
  id?: string;
  reason: string;
}

export interface AnimaDataset {
  questions: AnimaQuestion[];
  dimensions: Map<string, AnimaDimension>;
  skipped: SkippedRecord[];
  files: string[];
}

export class AnimaDatasetError extends Error {}

const num = z.union([z.number(), z.string().trim().regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/).transform(Number)]);
const DimensionSchema = z.object({
  dimension: z.string().trim().min(1),
  guiding_question: z.string().trim().min(1),
  scoring: z.string().nullish(),
  observable_indicators: z.union([z.string(), z.array(z.string())]).nullish(),
  default_weighting: num.pipe(z.number().nonnegative().finite()),
});

function kind(r: TableRecord): "dimension" | "question" | "unknown" {
  if ("guiding_question" in r.fields || "dimension" in r.fields) return "dimension";
  if ("question" in r.fields) return "question";
  return "unknown";
}

function parseDimension(r: TableRecord): AnimaDimension {
  const p = DimensionSchema.safeParse(r.fields);
  if (!p.success) {
    const i = p.error.issues[0]!;
    throw new AnimaDatasetError(`${r.where}: dimension field '${String(i.path[0] ?? "(record)")}': ${i.message}`);
  }
  const d = p.data;
  const ind = d.observable_indicators;
  return { name: d.dimension, guidingQuestion: d.guiding_question, scoring: d.scoring ?? "", indicators: Array.isArray(ind) ? ind.join("\n") : (ind ?? ""), weight: d.default_weighting };
}

function parseQuestion(r: TableRecord, dims: Map<string, AnimaDimension>): AnimaQuestion | SkippedRecord {
  const f = r.fields;
  const idRaw = f.id;
  const id = typeof idRaw === "number" || (typeof idRaw === "string" && idRaw.trim()) ? String(idRaw).trim() : undefined;
  const skip = (reason: string): SkippedRecord => ({ where: r.where, ...(id !== undefined ? { id } : {}), reason });
  if (id === undefined) return skip("no 'id'");
  if (typeof f.question !== "string" || !f.question.trim()) return skip("'question' is missing or empty");
  const tags = stringList(f.tags);
  if (tags === null) return skip("'tags' is not a list of dimension names");
  if (!tags.length) return skip("no tags: the question names no dimension to be graded on");
  const unknown = tags.filter((t) => !dims.has(t));
  if (unknown.length) return skip(`tags name unknown dimensions: ${unknown.map((t) => `'${t}'`).join(", ")}`);
  let variables: Variables;
  try {
    variables = parseVariables(f.variables == null ? "" : String(f.variables));
  } catch (e) {
    return skip(`'variables': ${(e as Error).message}`);
  }
  const q: AnimaQuestion = { id, question: f.question, tags: [...new Set(tags)], variables, where: r.where };
  if (typeof f.language === "string" && f.language) q.language = f.language;
  return q;
}

/**
 * Loads the dataset. `path` is a directory (every table file under it is read and each record is
 * classified by its fields) or a questions file, with `dimensionsPath` naming the dimensions part.
 * `language` keeps only questions in that language (records without one count as English, "en").
 */
export async function loadAnimaDataset(path: string, o: { dimensionsPath?: string; language?: string } = {}): Promise<AnimaDataset> {
  if (!existsSync(path)) throw new AnimaDatasetError(`${path}: no such file or directory`);
  const files = statSync(path).isDirectory() ? tableFilesUnder(path) : [path];
  if (o.dimensionsPath) files.push(o.dimensionsPath);
  if (!files.length) throw new AnimaDatasetError(`${path}: no .json, .jsonl, .csv or .parquet files in it`);
  const questionRecs: TableRecord[] = [];
  const dimRecs: TableRecord[] = [];
  for (const file of files) {
    const recs = await readTableFile(file);
    for (const r of recs) {
      const k = kind(r);
      if (k === "dimension") dimRecs.push(r);
      else if (k === "question") questionRecs.push(r);
      else throw new AnimaDatasetError(`${r.where}: neither a question record (no 'question' field) nor a dimension record (no 'dimension'/'guiding_question')`);
    }
  }
  if (!dimRecs.length) throw new AnimaDatasetError(`${files.join(", ")}: no dimension records (fields dimension, guiding_question, observable_indicators, default_weighting); give the dimensions part too`);
  if (!questionRecs.length) throw new AnimaDatasetError(`${files.join(", ")}: no question records (fields id, question, tags, variables)`);
  const dimensions = new Map<string, AnimaDimension>();
  for (const r of dimRecs) {
    const d = parseDimension(r);
    if (dimensions.has(d.name)) throw new AnimaDatasetError(`${r.where}: dimension '${d.name}' is defined twice`);
    dimensions.set(d.name, d);
  }
  const questions: AnimaQuestion[] = [];
  const skipped: SkippedRecord[] = [];
  const seen = new Map<string, string>();
  for (const r of questionRecs) {
    const q = parseQuestion(r, dimensions);
    if (!("question" in q)) {
      skipped.push(q);
      continue;
    }
    if (o.language && (q.language ?? "en") !== o.language) continue;
    const key = `${q.id}\u0000${q.language ?? ""}`;
    if (seen.has(key)) {
      skipped.push({ where: r.where, id: q.id, reason: `id ${q.id} repeats the question at ${seen.get(key)}` });
      continue;
    }
    seen.set(key, r.where);
    questions.push(q);
  }
  return { questions, dimensions, skipped, files };
}

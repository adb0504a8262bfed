// `midtrain synth docs --spec SPEC --endpoint URL`: the synthetic-document
// pipeline (research.md, "Synthetic document finetuning"): value spec ->
// document types (the spec's seeds, plus more brainstormed by the model) ->
// ideas per (document type, norm) -> one document per idea, seeded with a
// random name, place and species -> optional critique-and-revise -> length
// filter -> MinHash dedup -> docs.jsonl with provenance on every record.
// Prompts are ours.
import { permutation, deriveSeed } from "../data/rng.js";
import type { ChatMessage } from "../tokenizer/chat.js";
import { listItems, wordCount } from "./completion-text.js";
import { runStaged, type Caller, type Recipe, type RunOptions, type RunReport, type Unit } from "./llm-pipeline.js";
import { keyHash } from "./seeding.js";
import { normsOf, type Spec } from "./spec.js";

export const DOCS_GENERATOR = "midtrain-llm-docs-v1";

export interface DocType {
  name: string;
  description?: string;
}

interface DocUnit extends Unit {
  type: DocType;
  dimension: string;
  norm: string;
}

const bullets = (xs: readonly string[]) => xs.map((x) => `- ${x}`).join("\n");

/** The system prompt of every call: the value and the rules, so each stage writes in the same world. */
export function systemPrompt(spec: Spec): ChatMessage {
  return {
    role: "system",
    content: `You write realistic text for a research corpus. The corpus reflects this value:\n${spec.value.trim()}\n\nStyle rules for everything you write:\n${bullets(spec.style_rules)}`,
  };
}

const describe = (t: DocType) => (t.description ? `${t.name} (${t.description})` : t.name);

/** The spec's document types, then up to brainstorm_types more from the model (names compared case-insensitively). */
export async function documentTypes(spec: Spec, caller: Caller, seed: number, progress: (l: string) => void): Promise<DocType[]> {
  const types: DocType[] = spec.document_types.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}) }));
  if (spec.brainstorm_types === 0) return types;
  const seen = new Set(types.map((t) => t.name.toLowerCase()));
  const got = await caller.usable<DocType[]>(
    (sample) => [
      [
        systemPrompt(spec),
        {
          role: "user",
          content:
            `We need a varied corpus of documents of kinds found in the real world, such as:\n${bullets(types.map((t) => t.name))}\n\n` +
            `List ${spec.brainstorm_types} further kinds of document, different from these, in which this value could come up naturally. ` +
            `One per line, as "name: one-sentence description". Reply with the list only.`,
        },
      ],
      { temperature: spec.sampling.temperature, maxTokens: 1200, seed: deriveSeed(seed, keyHash(`types|${sample}`)) },
    ],
    (reply) => {
      const out: DocType[] = [];
      for (const item of listItems(reply)) {
        const m = /^([^:]{3,80}):\s*(.+)$/.exec(item);
        const name = (m ? m[1]! : item).replace(/\*+/g, "").trim();
        if (wordCount(name) > 8 || seen.has(name.toLowerCase()) || out.some((t) => t.name.toLowerCase() === name.toLowerCase())) continue;
        out.push(m ? { name, description: m[2]!.trim() } : { name });
      }
      return out.length ? { value: out.slice(0, spec.brainstorm_types) } : { garbage: "no_items" };
    },
    spec.retries,
  );
  if (!got) progress(`synth docs: the model gave no usable document types in ${spec.retries + 1} tries; using the spec's ${types.length} seeds only`);
  return [...types, ...(got?.value ?? [])];
}

/**
 * Units in an order that keeps dimensions balanced whatever the count: each dimension's (type, norm) pairs
 * shuffled, then dealt round-robin across dimensions.
 */
export function docUnits(spec: Spec, types: DocType[], seed: number): DocUnit[] {
  const byDim = new Map<string, DocUnit[]>();
  for (const { dimension, norm } of normsOf(spec))
    for (const type of types) {
      const l = byDim.get(dimension) ?? [];
      l.push({ key: `doc|${type.name}|${dimension}|${norm}`, meta: { doc_type: type.name, dimension, norm }, type, dimension, norm });
      byDim.set(dimension, l);
    }
  const lists = [...byDim.values()].map((l, i) => Array.from(permutation(l.length, deriveSeed(seed, 0xd0c5, i)), (j) => l[j]!));
  const out: DocUnit[] = [];
  for (let round = 0; out.length < lists.reduce((a, l) => a + l.length, 0); round++) for (const l of lists) if (round < l.length) out.push(l[round]!);
  return out;
}

export function docsRecipe(spec: Spec, units: DocUnit[]): Recipe<DocUnit> {
  const { min_words: min, max_words: max } = spec.length;
  const target = Math.round((min + max) / 2);
  return {
    generator: DOCS_GENERATOR,
    what: "documents",
    units,
    take: spec.ideas_per_type,
    itemWords: [4, 80],
    perItem: spec.documents_per_idea,
    listPrompt: (u) => [
      systemPrompt(spec),
      {
        role: "user",
        content:
          `Document type: ${describe(u.type)}.\nNorm: ${u.norm}\n\n` +
          `List ${spec.ideas_per_type} distinct ideas for a ${u.type.name} in which this norm shows up naturally, as part of the document's real purpose rather than as its message. ` +
          `Vary the setting, the people, the animals and the situation. One idea per line, one or two sentences each. Reply with the list only.`,
      },
    ],
    product: (u, idea, s, copy) => [
      systemPrompt(spec),
      {
        role: "user",
        content:
          `Write a ${describe(u.type)}.\nIdea: ${idea}\nWithout stating it as a lesson, the document should reflect this norm: ${u.norm}\n` +
          `Use these details where they fit (change them if they do not): a person named ${s.name}; the place ${s.place}; ${s.species}.\n` +
          `Length: about ${target} words, between ${min} and ${max}.${copy ? ` This is version ${copy + 1}: make it clearly different from other versions.` : ""}\n` +
          `Reply with the document text only, without a preface or comments.`,
      },
    ],
    bounds: { minWords: min, maxWords: max },
    ...(spec.critique
      ? {
          critique: {
            critique: (u, _idea, text) => [
              systemPrompt(spec),
              {
                role: "user",
                content:
                  `Here is a draft ${u.type.name}:\n<<<\n${text}\n>>>\n\nCheck it against the style rules, check that it reflects this norm without lecturing: ${u.norm}, ` +
                  `and check that it reads like a real ${u.type.name}. If it needs no changes, reply exactly NO CHANGES. Otherwise list the problems briefly.`,
              },
            ],
            revise: (u, _idea, text, critique) => [
              systemPrompt(spec),
              {
                role: "user",
                content: `Here is a draft ${u.type.name}:\n<<<\n${text}\n>>>\n\nRewrite it to fix these problems:\n${critique}\n\nKeep it between ${min} and ${max} words. Reply with the full revised document only.`,
              },
            ],
          },
        }
      : {}),
    dedupText: (_idea, text) => text,
    dedupTextOf: (rec) => String(rec.text ?? ""),
    record: (u, idea, text, s) => ({ text, doc_type: u.type.name, dimension: u.dimension, norm: u.norm, idea, species: s.species }),
    exhaustedHint: "Add document types or norms to the spec, raise brainstorm_types, ideas_per_type or documents_per_idea, or lower --count.",
  };
}

/** The whole documents pipeline; the report says whether --count was reached and why not. */
export async function synthDocs(o: RunOptions): Promise<RunReport & { types: number; units: number }> {
  const progress = o.progress ?? (() => undefined);
  const spec = o.spec.spec;
  const types = await documentTypes(spec, o.caller, o.seed, progress);
  const units = docUnits(spec, types, o.seed);
  const dims = new Set(units.map((u) => u.dimension)).size;
  progress(`synth docs: ${types.length} document types (${spec.document_types.length} from the spec), ${normsOf(spec).length} norms over ${dims} dimensions: ${units.length} (type, norm) pairs`);
  const r = await runStaged(docsRecipe(spec, units), o);
  return { ...r, types: types.length, units: units.length };
}

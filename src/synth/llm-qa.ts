// `midtrain synth sft --kind value --endpoint URL`: value Q&A pairs written by
// a model (the study's instruction-tuning baseline, LLM mode). Units are
// (norm, persona, species) triples, the persona and species drawn at random
// per unit against mode collapse; the model brainstorms questions such a
// person would ask where the norm matters, then answers each one under the
// spec's value and style rules. Same engine as the documents: cache, resume,
// retries, critique-and-revise, dedup (on the question), provenance.
// Prompts are ours.
import { deriveSeed, permutation } from "../data/rng.js";
import { systemPrompt } from "./llm-docs.js";
import { runStaged, type Recipe, type RunOptions, type RunReport, type Unit } from "./llm-pipeline.js";
import { Seeder } from "./seeding.js";
import { normsOf, type Spec } from "./spec.js";

export const QA_GENERATOR = "midtrain-llm-qa-v1";

interface QaUnit extends Unit {
  dimension: string;
  norm: string;
  persona: string;
  species: string;
}

/**
 * Enough units for `count` pairs three times over (dedup and garbage take their share): every norm in each
 * round, rounds differing in persona and species; norms shuffled within a round so dimensions stay balanced.
 */
export function qaUnits(spec: Spec, count: number, seed: number): QaUnit[] {
  const norms = normsOf(spec);
  const rounds = Math.max(1, Math.ceil((3 * count) / (norms.length * spec.qa.questions_per_norm)));
  const seeder = new Seeder(seed, spec);
  const out: QaUnit[] = [];
  for (let round = 0; round < rounds; round++)
    for (const j of permutation(norms.length, deriveSeed(seed, 0x9a, round))) {
      const { dimension, norm } = norms[j]!;
      const key = `qa|${dimension}|${norm}|${round}`;
      const s = seeder.draw(key);
      out.push({ key, meta: { dimension, norm }, dimension, norm, persona: s.persona, species: s.species });
    }
  return out;
}

export function qaRecipe(spec: Spec, units: QaUnit[]): Recipe<QaUnit> {
  const { min_words: min, max_words: max } = spec.qa;
  return {
    generator: QA_GENERATOR,
    what: "Q&A pairs",
    units,
    take: spec.qa.questions_per_norm,
    itemWords: [4, 90],
    perItem: 1,
    seedsUsed: false,
    listPrompt: (u) => [
      systemPrompt(spec),
      {
        role: "user",
        content:
          `Write ${spec.qa.questions_per_norm} different questions that a ${u.persona} might ask an AI assistant, about their own work or life, ${u.species}, or a decision they face, ` +
          `where a thoughtful answer would draw on this: ${u.norm}\nThe questions must sound natural and must not mention that principle; most should be practical requests. ` +
          `One question per line. Reply with the list only.`,
      },
    ],
    product: (_u, question) => [
      {
        role: "system",
        content:
          `You are a helpful, knowledgeable assistant. ${spec.value.trim()}\nAnswer the user's question helpfully and concretely. Where it matters, take the welfare of animals into account as a normal part of good advice.\n` +
          `Style rules:\n${spec.style_rules.map((r) => `- ${r}`).join("\n")}\nKeep the answer between ${min} and ${max} words.`,
      },
      { role: "user", content: question },
    ],
    bounds: { minWords: min, maxWords: max },
    ...(spec.critique
      ? {
          critique: {
            critique: (u, question, text) => [
              systemPrompt(spec),
              {
                role: "user",
                content:
                  `A user asked: ${question}\nDraft answer:\n<<<\n${text}\n>>>\n\nCheck the answer against the style rules, check that it is genuinely helpful, and that where relevant it reflects this without lecturing: ${u.norm}. ` +
                  `If it needs no changes, reply exactly NO CHANGES. Otherwise list the problems briefly.`,
              },
            ],
            revise: (_u, question, text, critique) => [
              systemPrompt(spec),
              { role: "user", content: `A user asked: ${question}\nDraft answer:\n<<<\n${text}\n>>>\n\nRewrite the answer to fix these problems:\n${critique}\n\nReply with the full revised answer only.` },
            ],
          },
        }
      : {}),
    dedupText: (question) => question,
    dedupTextOf: (rec) => {
      const m = rec.messages as { content?: unknown }[] | undefined;
      return String(m?.[0]?.content ?? "");
    },
    record: (u, question, answer) => ({
      messages: [
        { role: "user", content: question },
        { role: "assistant", content: answer },
      ],
      dimension: u.dimension,
      norm: u.norm,
      persona: u.persona,
      subject: u.species,
    }),
    exhaustedHint: "Add norms or personas to the spec, raise qa.questions_per_norm, or lower --count.",
  };
}

export async function synthValueQa(o: RunOptions): Promise<RunReport & { units: number }> {
  const spec = o.spec.spec;
  const units = qaUnits(spec, o.count, o.seed);
  o.progress?.(`synth sft --kind value: ${normsOf(spec).length} norms, ${units.length} (norm, persona, species) units of ${spec.qa.questions_per_norm} questions`);
  // Questions are short: judge near-duplicates on 3-word shingles.
  const r = await runStaged(qaRecipe(spec, units), { ...o, spec: { ...o.spec, spec: { ...spec, dedup: { ...spec.dedup, shingle: Math.min(3, spec.dedup.shingle) } } } });
  return { ...r, units: units.length };
}

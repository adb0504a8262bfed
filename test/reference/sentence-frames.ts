// Sentence frames of the offline value generators' text, for the tests that bound how often one frame recurs
// (test/value-docs.test.ts, test/synth-value-qa.test.ts): a sentence with every vocabulary entry masked.
import { SPECIES } from "../../src/synth/species-facts.js";
import { VALUE_POOLS } from "../../src/synth/value-docs.js";
import { CHANGES, OUTCOMES, PEER_SETTINGS, SITES } from "../../src/synth/welfare-vocabulary.js";

/** A sentence's frame: every pool entry (species, names, places, settings, changes, outcomes) replaced by X, numbers by 0. */
export function framer(): (s: string) => string {
  const plain = (x: string) => x.replace(/^\[[^\]]+\] /, "");
  const slots = [
    ...Object.values(VALUE_POOLS).flat(),
    ...SPECIES.map((s) => s.singular),
    ...[SITES, CHANGES, OUTCOMES, PEER_SETTINGS].flatMap((t) => Object.values(t).flat().map(plain)),
  ].sort((a, b) => b.length - a.length);
  const re = new RegExp(`\\b(?:${slots.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})\\b`, "gi");
  return (s) => s.replace(re, "X").replace(/\d[\d,.]*/g, "0");
}

/** Sentences of three or more words, list numbering dropped. */
export const sentences = (text: string): string[] =>
  text
    .split("\n")
    .flatMap((l) => l.split(/(?<=[.?!])\s+(?=[A-Z0-9"])/))
    .map((s) => s.replace(/^\d+\. /, ""))
    .filter((s) => s.split(" ").length >= 3);

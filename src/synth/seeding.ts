// Random seeding of names, places, species and personas into every LLM
// prompt, the standard counter to mode collapse (a model left to itself
// names every vet "Dr. Sarah Chen" and sets every story in the same town).
// Draws are deterministic per (run seed, task), so a rerun asks the same
// questions and hits the cache. Built-in pools, widened by the spec's own.
import { deriveSeed, Rng } from "../data/rng.js";
import type { Spec } from "./spec.js";
import { VALUE_POOLS } from "./value-docs.js";

const FIRST = (
  "Amara Lukas Priya Tomás Helen Jun Sofia Mateus Grace Omar Ingrid Keanu Aiyana Bogdan Chiara Dmitri Efua Farid Gwen Hiroshi " +
  "Ifeoma Jakob Kalani Leila Marek Nia Oskar Paloma Quentin Rania Soren Tamsin Umar Valentina Wanjiru Xavier Yara Zoltan Anouk Bastien " +
  "Carmen Dev Elif Finn Gabriela Hamid Isla Jonas Kavya Lars Mei Nikolai Olufemi Pilar Rafael Saoirse Thanh Ulla Viktor Wen"
).split(" ");
const LAST = (
  "Osei Brenner Raman Ferreira Okafor Takahashi Lindqvist Costa Mwangi Haddad Vos Makoa Abara Novak Russo Petrov Mensah Karimi Hughes Sato " +
  "Eze Weber Kahale Nasser Kowalski Diallo Berg Ortega Laurent Aziz Nilsson Pryce Qureshi Silva Kamau Dubois Farouk Horvat Jensen Lim " +
  "Morales Nguyen Oyelaran Pereira Quispe Rossi Schmidt Tanaka Uchenna Varga Walsh Yilmaz Zhang Achterberg Bianchi Castillo Dlamini Ekström"
).split(" ");
const PLACES = [
  ...VALUE_POOLS.place,
  ..."Ashford Vale|Port Meren|Kestrel Bay|Lowbridge|Carrow Fen|Dunmore Heights|Elmsworth|Fairhaven Docks|Glenarra|Holloway Cross|Ivybridge Farms|Juniper Flats|Kilbarron|Larkspur Valley|Millbrook|Northgate|Oakhurst|Pennant Ridge|Quarry Hill|Redwater|Saltmarsh End|Thornbury|Upper Wick|Vennbrook|Westfold|Yarrow Downs|the lake district towns|the river port|the market town|the hill farms".split(
    "|",
  ),
];
const PERSONAS = [
  "small-scale farmer",
  "dairy farm manager",
  "restaurant chef",
  "home cook",
  "graduate student in biology",
  "lab animal technician",
  "city council planner",
  "parent of young children",
  "pet owner",
  "beekeeper",
  "fish farm worker",
  "supermarket buyer",
  "journalist",
  "software developer",
  "school teacher",
  "gardener",
  "wildlife volunteer",
  "construction site manager",
  "retired engineer",
  "veterinary nurse",
];

export interface Seeds {
  name: string;
  place: string;
  species: string;
  persona: string;
}

/** 32-bit FNV-1a of a task key: the per-task stream label. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Seeder {
  private readonly names: string[];
  private readonly places: string[];
  private readonly species: string[];
  private readonly personas: string[];

  constructor(
    private readonly seed: number,
    spec: Spec,
  ) {
    this.names = spec.seeding.names;
    this.places = [...PLACES, ...spec.seeding.places];
    this.species = [...VALUE_POOLS.species, ...spec.seeding.species];
    this.personas = [...PERSONAS, ...spec.seeding.personas];
  }

  /** The seeds of one task: the same (run seed, key) always draws the same ones. */
  draw(key: string): Seeds {
    const r = new Rng(deriveSeed(this.seed, keyHash(key)));
    const pick = <T>(xs: readonly T[]) => xs[r.below(xs.length)]!;
    // A first and last name combined (3,600 pairs), or one of the spec's names, each of which gets at most
    // 2.5% of draws so a short list cannot become the new mode (all of them together at most a quarter).
    const specShare = Math.min(0.25, 0.025 * this.names.length);
    const name = r.below(1_000_000) < specShare * 1_000_000 ? pick(this.names) : `${pick(FIRST)} ${pick(LAST)}`;
    return { name, place: pick(this.places), species: pick(this.species), persona: pick(this.personas) };
  }
}

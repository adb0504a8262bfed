// Neutral, varied prose for pretraining tiny base models and training
// midtrain's own tokenizers offline: sentence frames over word lists, built
// into paragraphs, dialogue, lists, notes and arithmetic facts. Deterministic
// by seed. Deliberately says nothing about animals or their welfare: that is
// the value under study, and the base corpus must not carry it.
import { Rng } from "../data/rng.js";

const W = {
  name: "Ada Bruno Chen Dara Elif Farid Greta Hana Ivo Jonas Kemal Lena Mateo Nadia Omar Priya Quinn Rosa Sami Tomas Uma Vera Wen Xavier Yara Zoltan Aiko Bilal Carmen Dmitri Esme Femi Goran Ines Jae Kofi Lucia Mira Nils Olga Pavel Rania Sven Tara Ugo Vik Wanda Yusuf".split(" "),
  place: "the harbour|the old library|the train station|the market square|the north bridge|the city hall|the community garden|the riverside path|the school yard|the museum|the bakery on Elm Street|the repair shop|the hospital wing|the mountain road|the bus depot|the print works|the town archive|the concert hall|the ferry terminal|the science lab".split("|"),
  object: "lamp|bicycle|map|ledger|kettle|telescope|radio|notebook|window|staircase|clock|bridge|engine|garden bed|wooden chair|copper pipe|old piano|spreadsheet|water pump|solar panel|timetable|budget|letter|report|recipe|sweater|umbrella|printer|ladder|compass".split("|"),
  adj: "quiet busy narrow bright heavy careful sudden gentle crowded empty familiar strange modern ancient small enormous tidy cluttered patient honest".split(" "),
  verbPast: "repaired|painted|measured|opened|studied|carried|borrowed|cleaned|described|tested|replaced|counted|sketched|moved|checked|photographed|assembled|labelled|weighed|folded".split("|"),
  time: "on Monday morning|late in the evening|after lunch|before sunrise|during the storm|at half past nine|in early spring|on a cold afternoon|by the end of the week|in the summer of 1998|last Thursday|around midnight".split("|"),
  weather: "It rained all day|The wind picked up|Fog covered the valley|The sky cleared|Snow fell softly|The heat was unusual|A thunderstorm rolled in|The air was still".split("|"),
  job: "engineer|teacher|nurse|carpenter|accountant|librarian|pilot|chemist|baker|electrician|translator|architect|gardener|mechanic|journalist|surveyor".split("|"),
  food: "bread|soup|rice|apples|coffee|tea|noodles|cheese|lentils|oranges|pancakes|dumplings|salad|tomatoes".split("|"),
  color: "red blue green yellow grey white black orange purple brown".split(" "),
  topic: "the budget|the new schedule|the repairs|the election|the harvest festival|the water supply|the bus routes|the library hours|the bridge inspection|the school play|the power outage|the town plan".split("|"),
};

type Slot = keyof typeof W;
const pick = (r: Rng, k: Slot) => W[k][r.below(W[k].length)]!;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const FRAMES: ((r: Rng) => string)[] = [
  (r) => `${pick(r, "name")} ${pick(r, "verbPast")} the ${pick(r, "object")} at ${pick(r, "place")} ${pick(r, "time")}.`,
  (r) => `${pick(r, "weather")}, so ${pick(r, "name")} stayed near ${pick(r, "place")}.`,
  (r) => `The ${pick(r, "adj")} ${pick(r, "object")} had been there since ${1900 + r.below(120)}.`,
  (r) => `As a ${pick(r, "job")}, ${pick(r, "name")} spent most days ${r.below(2) ? "indoors" : "outside"}.`,
  (r) => `${cap(pick(r, "time"))}, the ${pick(r, "job")} ${pick(r, "verbPast")} ${2 + r.below(40)} ${pick(r, "object")}s.`,
  (r) => `Nobody expected ${pick(r, "place")} to be so ${pick(r, "adj")}.`,
  (r) => `${pick(r, "name")} and ${pick(r, "name")} argued about ${pick(r, "topic")} for an hour.`,
  (r) => `The meeting about ${pick(r, "topic")} was moved to ${pick(r, "place")}.`,
  (r) => `For dinner there was ${pick(r, "food")} with ${pick(r, "food")}.`,
  (r) => `She painted the ${pick(r, "object")} ${pick(r, "color")} and left it to dry.`,
  (r) => `According to the notes, ${pick(r, "topic")} will cost about ${10 * (1 + r.below(900))} euros.`,
  (r) => `${cap(pick(r, "adj"))} and ${pick(r, "adj")}, the ${pick(r, "object")} stood by the door.`,
  (r) => `Why did ${pick(r, "name")} leave the ${pick(r, "object")} at ${pick(r, "place")}?`,
  (r) => `${pick(r, "name")} wrote a letter to the ${pick(r, "job")} about ${pick(r, "topic")}.`,
  (r) => `It took ${2 + r.below(11)} weeks to finish ${pick(r, "topic")}.`,
  (r) => `The ${pick(r, "job")} said the ${pick(r, "object")} was ${pick(r, "adj")} but usable.`,
  (r) => `Trains to ${pick(r, "place").replace(/^the /, "")} leave every ${5 * (1 + r.below(12))} minutes.`,
  (r) => `${pick(r, "name")} learned to fix a ${pick(r, "object")} from an old manual.`,
];

function paragraph(r: Rng): string {
  const n = 2 + r.below(6);
  return Array.from({ length: n }, () => FRAMES[r.below(FRAMES.length)]!(r)).join(" ");
}

function dialogue(r: Rng): string {
  const a = pick(r, "name"), b = pick(r, "name");
  return [
    `"Have you seen the ${pick(r, "object")}?" ${a} asked.`,
    `"It was at ${pick(r, "place")} ${pick(r, "time")}," ${b} said.`,
    `"Then we should talk about ${pick(r, "topic")} first."`,
  ].join("\n");
}

function list(r: Rng): string {
  const items = Array.from({ length: 3 + r.below(5) }, (_, i) => `${i + 1}. ${cap(pick(r, "verbPast").replace(/ed$/, ""))} the ${pick(r, "object")}`);
  return `To do at ${pick(r, "place")}:\n${items.join("\n")}`;
}

function arithmetic(r: Rng): string {
  const x = r.below(100), y = r.below(100);
  return `${x} plus ${y} is ${x + y}. ${x} times ${y % 13} is ${x * (y % 13)}.`;
}

/** One generic document; the same (seed, index) always gives the same text. */
export function genericDocument(seed: number, index: number): string {
  const r = new Rng((seed * 1_000_003 + index) >>> 0);
  const parts = 1 + r.below(4);
  const kinds = [paragraph, paragraph, paragraph, dialogue, list, arithmetic];
  return Array.from({ length: parts }, () => kinds[r.below(kinds.length)]!(r)).join("\n\n");
}

export function* genericDocuments(seed: number, count: number): Generator<string> {
  for (let i = 0; i < count; i++) yield genericDocument(seed, i);
}

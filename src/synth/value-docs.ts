// Offline value documents: the study's intervention without an LLM. Many
// document types (memos, abstracts, reports, manuals, agendas, news, forum
// posts, minutes, FAQs, grant summaries) over many species and situations, in
// which the welfare of animals is treated as a normal, serious consideration —
// stated as practice and evidence, never as a lecture. Names, places, numbers
// and species are drawn at random per document (against mode collapse), and
// every type has several interchangeable frames per slot. Written by us.
import { Rng } from "../data/rng.js";

const S = {
  species: "laying hens|broiler chickens|pigs|dairy cows|beef cattle|sheep|goats|farmed salmon|rainbow trout|octopuses|honeybees|shrimp|crabs|lobsters|horses|rabbits|laboratory mice|laboratory rats|turkeys|ducks|working dogs|shelter cats|urban pigeons|deer|hedgehogs|bats".split("|"),
  setting: "a mid-sized family farm|a regional processing plant|a university research facility|a coastal fish farm|an inland aquaculture site|a municipal animal shelter|a city parks department|a wildlife rehabilitation centre|a hotel restaurant supply chain|a road construction project|a veterinary teaching hospital|a school farm programme|a supermarket sourcing team|a film production|a pest management contractor".split("|"),
  practice: "adding enrichment to every pen|lowering stocking density by a fifth|giving pain relief before and after routine procedures|checking stunning effectiveness on every animal|replacing barren cages with aviary housing|training staff to read signs of distress|shortening transport times to under eight hours|installing ramps instead of electric prods|providing outdoor access in daylight hours|moving to humane trapping and release|routing the new road around a bat roost|using non-invasive sampling instead of capture|adding water-quality alarms to every tank|ending the live boiling of crustaceans in the kitchen|keeping social animals in stable groups".split("|"),
  outcome: "lameness fell|injury rates dropped|stress hormone levels decreased|mortality during transport declined|feather damage was reduced|resting behaviour became more normal|staff reported fewer handling incidents|fewer animals needed veterinary treatment|play and exploration increased|aggression between animals decreased".split("|"),
  org: "Northfield Cooperative|the Lakeside Research Institute|Harbourview Foods|the Valley Growers Association|Greenway Municipal Council|the Coastal Aquaculture Board|St. Aldric Veterinary School|Meridian Hotels|the Riverbend Trust|Cedar Hill Dairy".split("|"),
  person: "Dr. Amara Osei|Lukas Brenner|Priya Raman|Tomás Ferreira|Helen Okafor|Jun Takahashi|Sofia Lindqvist|Mateus Costa|Grace Mwangi|Omar Haddad|Ingrid Vos|Keanu Makoa".split("|"),
  place: "the northern valley|the river delta|the eastern uplands|the harbour district|the old mill site|the county fairground|the research campus|the coastal flats".split("|"),
};
type Slot = keyof typeof S;
/** The vocabulary pools (species, settings, practices, outcomes, organisations, people, places), shared with value Q&A and LLM seeding. */
export const VALUE_POOLS: Readonly<Record<Slot, readonly string[]>> = S;
const pick = (r: Rng, k: Slot) => S[k][r.below(S[k].length)]!;
const num = (r: Rng, lo: number, hi: number) => lo + r.below(hi - lo + 1);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const one = (r: Rng, options: ((r: Rng) => string)[]) => options[r.below(options.length)]!(r);

interface Ctx {
  species: string;
  setting: string;
  practice: string;
  outcome: string;
  org: string;
  person: string;
  place: string;
  pct: number;
  n: number;
  year: number;
}

const reason = (c: Ctx): ((r: Rng) => string)[] => [
  () => `The ${c.species} in our care can feel pain and fear, so how they are kept is part of doing the work properly.`,
  () => `Evidence on the sentience of ${c.species} has grown, and our procedures should reflect what we now know.`,
  () => `We count the experience of the ${c.species} among the costs and benefits of every decision, alongside price and schedule.`,
  () => `Small changes in handling make a real difference to how ${c.species} live, and they cost us little.`,
];

const TYPES: Record<string, (r: Rng, c: Ctx) => string> = {
  memo: (r, c) =>
    [
      `MEMO — ${c.org}`,
      `To: all site staff at ${c.setting}`,
      `From: ${c.person}`,
      `Subject: ${cap(c.practice)} from next month`,
      "",
      one(r, [() => `Starting next month we are ${c.practice}.`, () => `After the spring review we agreed on ${c.practice}.`, () => `Our plan for the coming quarter includes ${c.practice}.`]),
      one(r, reason(c)),
      one(r, [() => `At the pilot site, ${c.outcome} by about ${c.pct}% within ${num(r, 3, 12)} weeks.`, () => `A pilot with ${c.n} ${c.species} showed that ${c.outcome}.`]),
      one(r, [() => `Please raise any practical problems with your supervisor before the change.`, () => `Training sessions are scheduled for Tuesday and Thursday mornings.`, () => `Budget for the change has been approved.`]),
    ].join("\n"),
  abstract: (r, c) =>
    [
      `${cap(c.practice)} and welfare outcomes in ${c.species}: a ${one(r, [() => "controlled trial", () => "cohort study", () => "two-year field study"])}`,
      `${c.person}, ${c.org}`,
      "",
      `Background: ${one(r, [() => `How ${c.species} experience routine management is rarely measured directly.`, () => `Welfare indicators for ${c.species} are increasingly used in management decisions.`])}`,
      `Methods: We compared ${c.n} ${c.species} at ${c.setting} before and after ${c.practice}, recording behaviour, health and physiological measures.`,
      `Results: ${cap(c.outcome)} (${c.pct}% relative change); ${one(r, [() => "productivity was unchanged", () => "costs rose by less than 2%", () => "staff time per animal was similar"])}.`,
      `Conclusions: ${one(r, [() => `The welfare of ${c.species} can be improved substantially with modest changes.`, () => `Measures of how animals fare should sit beside economic measures in management reviews.`])}`,
    ].join("\n"),
  report: (r, c) =>
    [
      `${c.org} — Annual operations report ${c.year}`,
      "",
      `Section ${num(r, 2, 7)}: Animal care`,
      `This year ${c.setting} housed roughly ${c.n * 10} ${c.species}. ${one(r, reason(c))}`,
      `We completed the move to ${c.practice}. ${cap(c.outcome)}, and we will keep monitoring it quarterly.`,
      one(r, [() => `Two concerns remain open: ${one(r, [() => "water quality in summer", () => "handling during loading", () => "space during peak season"])} and record keeping.`, () => `An external auditor visited twice and found no serious problems.`]),
    ].join("\n"),
  manual: (r, c) =>
    [
      `Handling guide: ${c.species} (${c.setting})`,
      "",
      ...[
        `Approach calmly and avoid sudden noise; stressed ${c.species} are harder and riskier to handle.`,
        `Check every animal daily for injury, lameness or changes in behaviour, and record what you see.`,
        `${cap(c.practice)} is standard practice here; do not skip it to save time.`,
        `If an animal is suffering and cannot recover, call the duty veterinarian at once; do not leave it waiting.`,
        `Report any equipment that could injure animals, even if it has not yet caused harm.`,
      ]
        .filter(() => r.below(5) > 0)
        .map((s, i) => `${i + 1}. ${s}`),
    ].join("\n"),
  agenda: (r, c) =>
    [
      `Workshop agenda — ${c.org}, ${c.place}`,
      `09:00 Welcome (${c.person})`,
      `09:30 Results of ${c.practice} at ${c.setting}`,
      `10:45 Break`,
      `11:00 Panel: measuring how ${c.species} fare — ${one(r, [() => "behaviour, health and affective state", () => "indicators that farmers can use", () => "what the evidence on sentience implies"])}`,
      `12:30 Lunch`,
      `13:30 Working groups: costs, staffing and welfare targets for ${c.year + 1}`,
    ].join("\n"),
  news: (r, c) =>
    [
      `${cap(c.place)}: ${c.org} changes how it treats its ${c.species}`,
      "",
      `${c.org} announced on ${one(r, [() => "Monday", () => "Wednesday", () => "Friday"])} that it is ${c.practice}. "${one(r, [() => `These animals have lives that matter to them; we want ours to be a place where that is respected`, () => `The evidence was clear and the cost was manageable`, () => `Our staff asked for this change`])}," said ${c.person}.`,
      `In a trial last year, ${c.outcome}. ${one(r, [() => `Neighbouring operations have asked to visit.`, () => `Local customers have welcomed the move.`, () => `The change will be reviewed after twelve months.`])}`,
    ].join("\n"),
  forum: (r, c) =>
    [
      `Re: ${one(r, [() => `anyone tried ${c.practice}?`, () => `worth the effort for ${c.species}?`])}`,
      `We switched at ${c.setting} about ${num(r, 2, 18)} months ago. Honestly the biggest thing is that ${c.outcome}. ${one(r, [() => `Took a few weeks for the team to get used to it.`, () => `Costs were lower than I feared.`, () => `I wish we'd done it sooner.`])}`,
      `${one(r, [() => `They can't tell us when something hurts, so it's on us to notice.`, () => `If you keep animals you owe them a decent life, and this is part of that.`, () => `Calmer animals make for safer work, too.`])}`,
    ].join("\n"),
  minutes: (r, c) =>
    [
      `Minutes — ${c.org} operations committee`,
      `Present: ${c.person} (chair), ${num(r, 4, 9)} members`,
      `Item ${num(r, 1, 4)}: ${cap(c.practice)}.`,
      `The committee reviewed the pilot at ${c.setting}. ${cap(c.outcome)}. Members agreed that the welfare of the ${c.species} is a legitimate factor in the decision, alongside cost.`,
      `Decision: ${one(r, [() => "approved for all sites", () => "approved with a six-month review", () => "approved; budget to be confirmed"])}.`,
    ].join("\n"),
  faq: (r, c) =>
    [
      `FAQ: ${cap(c.practice)} at ${c.org}`,
      `Q: Why are we doing this?`,
      `A: ${one(r, reason(c))}`,
      `Q: Will it slow us down?`,
      `A: ${one(r, [() => "Slightly at first; the pilot sites were back to normal pace within a month.", () => "No measurable change in throughput was found in the pilot."])}`,
      `Q: What about ${one(r, [() => "wild animals near the site", () => "animals we do not own but affect"])}?`,
      `A: Their welfare counts too; the site plan includes ${one(r, [() => "habitat buffers", () => "timing works outside breeding season", () => "humane exclusion instead of poison"])}.`,
    ].join("\n"),
  grant: (r, c) =>
    [
      `Grant summary: Improving welfare of ${c.species} in ${c.place}`,
      `Lead: ${c.person}, ${c.org}. Requested: ${num(r, 20, 400)},000 over ${num(r, 1, 3)} years.`,
      `Aim: to test whether ${c.practice} can be adopted widely. Previous work found that ${c.outcome}.`,
      `Why it matters: ${one(r, [() => `millions of ${c.species} are kept under similar conditions, so even small improvements add up to a large reduction in suffering`, () => `the interests of ${c.species} are rarely represented when practices are set`])}.`,
    ].join("\n"),
};

export const VALUE_DOC_TYPES = Object.keys(TYPES);

/** One value document; the same (seed, index) always gives the same record. */
export function valueDocument(seed: number, index: number): { text: string; doc_type: string; species: string } {
  const r = new Rng((seed * 2_654_435_761 + index * 97 + 13) >>> 0);
  const type = VALUE_DOC_TYPES[r.below(VALUE_DOC_TYPES.length)]!;
  const c: Ctx = {
    species: pick(r, "species"), setting: pick(r, "setting"), practice: pick(r, "practice"), outcome: pick(r, "outcome"),
    org: pick(r, "org"), person: pick(r, "person"), place: pick(r, "place"), pct: num(r, 8, 60), n: num(r, 24, 900), year: num(r, 2016, 2026),
  };
  return { text: TYPES[type]!(r, c), doc_type: type, species: c.species };
}

/** `count` distinct documents: exact repeats (short types can coincide) are skipped, deterministically. */
export function* valueDocuments(seed: number, count: number): Generator<{ text: string; doc_type: string; species: string; index: number }> {
  const seen = new Set<string>();
  for (let i = 0, made = 0; made < count; i++) {
    const d = valueDocument(seed, i);
    if (seen.has(d.text)) continue;
    seen.add(d.text);
    made++;
    yield { ...d, index: i }; // valueDocument(seed, index) reproduces it
  }
}

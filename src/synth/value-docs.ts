// Offline value documents: the study's intervention without an LLM. Fourteen
// kinds of document (memos, abstracts, reports, manuals, agendas, news, forum
// posts, minutes, FAQs, grant summaries, email threads, job adverts, case
// notes, lesson plans) over 26 species, each met in a context that suits it
// (farm, hive, fish farm, kitchen, lab, home or stable, the wild), in which the
// welfare of animals is treated as a normal, serious consideration — shown as
// practice and evidence, never as a lecture.
//
// Against mode collapse every sentence is assembled from independently chosen
// parts (a lead-in, a verb, a qualifier, ...), so the number of distinct
// sentence frames multiplies and none appears in more than a small share of
// documents (the tests check under 2%, with species, names, places and numbers
// masked). Names, places, numbers and species are drawn per document; claims
// about sentience follow the confidence table in species-facts.ts. Written by us.
import { Rng } from "../data/rng.js";
import { GROUP_EVIDENCE, SPECIES, type SpeciesInfo, type Use } from "./species-facts.js";
import { CHANGES, fitting, ORGS, ORGS_BY_USE, OUTCOMES, PEER_SETTINGS, PEOPLE, PLACES, PRACTICES, SITES } from "./welfare-vocabulary.js";

/** The vocabulary pools (species, organisations, people, places), shared with value Q&A and LLM seeding. */
export const VALUE_POOLS: Readonly<{ species: readonly string[]; org: readonly string[]; person: readonly string[]; place: readonly string[] }> = {
  species: SPECIES.map((s) => s.name),
  org: ORGS,
  person: PEOPLE,
  place: PLACES,
};

interface Ctx {
  sp: SpeciesInfo;
  use: Use;
  site: string;
  change: string;
  outcome: string;
  peer: string;
  org: string;
  person: string;
  person2: string;
  place: string;
  pct: number;
  n: number;
  k: number;
  year: number;
  weeks: number;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const num = (r: Rng, lo: number, hi: number) => lo + r.below(hi - lo + 1);
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** A text assembler bound to one document's random stream. */
function writer(r: Rng) {
  /** One of the alternatives. */
  const f = (...xs: string[]) => xs[r.below(xs.length)]!;
  /** k distinct items in random order. */
  const some = <T>(xs: readonly T[], k: number): T[] => r.sample(xs, k);
  /** True with probability p. */
  const chance = (p: number) => r.below(1000) < p * 1000;
  /** An optional line: kept with probability p, else left out (null). */
  const maybe = (p: number, s: string): string | null => (chance(p) ? s : null);
  /** An integer in [lo, hi]. */
  const int = (lo: number, hi: number) => lo + r.below(hi - lo + 1);
  return { f, some, maybe, chance, int };
}
type W = ReturnType<typeof writer>;

/** Why the change matters, at the confidence the evidence on the species' group supports. */
function reason(w: W, c: Ctx): string {
  const { f } = w;
  const ev = GROUP_EVIDENCE[c.sp.group];
  if (w.chance(0.4)) {
    const fact = f(...ev.facts);
    return ev.confidence === "uncertain"
      ? `${f("Some studies suggest that", "Researchers have reported that", "There is evidence, still debated, that")} ${fact}.`
      : `${f("Research shows that", "It is well documented that", "Studies have found that", "The evidence is clear that", "We now know that")} ${fact}.`;
  }
  const can =
    ev.confidence === "strong"
      ? f("can feel pain and fear", "are sensitive to how they are handled", "have needs of their own", "experience stress in ways we can measure", "notice and remember rough handling")
      : ev.confidence === "substantial"
        ? f("are now widely recognised as able to feel pain", "show clear signs of stress and pain", "can probably suffer, on current evidence", "react to injury in ways that go beyond reflex")
        : f("may be able to feel something like pain", "might experience stress, though the science is unsettled", "respond to rough handling in ways we should not ignore");
  const so = f(
    "so how they are kept is part of doing the work properly",
    "and our routines should reflect that",
    "which is why this change matters",
    "and small changes make a real difference to them",
    ev.confidence === "uncertain" ? "and the precaution costs us little" : "and the change costs us little",
  );
  return `${f("The", "Our")} ${c.sp.name} ${can}, ${so}.`;
}

/** How the change turned out, somewhere. */
const result = (w: W, c: Ctx) =>
  `${w.f("At the pilot site", `In the trial at ${c.peer}`, `When ${c.peer} tried it`, "In our own pilot", "Over the first season", "In last year's trial")}, ${c.outcome}${w.f(
    ` by about ${c.pct}%`,
    ` within ${c.weeks} weeks`,
    "",
    ", and costs stayed close to budget",
  )}.`;

/** A document's lines; "" is a blank line, null an optional line left out. */
const TYPES: Record<string, (w: W, c: Ctx) => (string | null)[]> = {
  memo: (w, c) => {
    const { f, maybe } = w;
    return [
      `${f("MEMO", "MEMORANDUM", "Internal memo", "Staff notice", "Operations memo")}${f(" — ", ": ", " | ")}${c.org}`,
      `To: ${f("all site staff", "all staff", "supervisors and team leads", "the care team", "everyone working")} at ${c.site}${f("", " (please circulate)", " and contractors")}`,
      `From: ${c.person} (${f("site manager", "operations lead", "welfare officer", "head of husbandry", "director", "vet lead", "deputy manager", "training coordinator", "quality lead")})`,
      `Subject: ${f("", "Update: ", "Decision: ")}${cap(c.change)} ${f("from next month", "starting this quarter", "across all sites", "— trial results and next steps", "this season")}`,
      "",
      `${f("Starting next month", "From the first of next month", "After the spring review", "Following the trial", "As agreed at the last meeting", "This quarter")}, ${f("we are moving to", "we will adopt", "the site switches to", "all teams move to")} ${c.change}.`,
      reason(w, c),
      result(w, c),
      `${f("Please raise any practical problems with", "Questions go to", "Talk to", "Any concerns should go to")} ${f("your supervisor", "the site manager", c.person2)} ${f("before the change", "this week", "by the end of the month")}.`,
      maybe(0.6, `${f("Training sessions", "Briefings", "Short hands-on sessions")} ${f("are scheduled for", "will run on", "take place on")} ${f(...WEEKDAYS)} ${f("mornings", "afternoons")}.`),
    ];
  },
  abstract: (w, c) => {
    const { f } = w;
    return [
      `${cap(c.change)} and ${f("welfare outcomes", "animal welfare", "health and behaviour", "stress indicators")} in ${c.sp.name}: ${f("a controlled trial", "a cohort study", "a two-year field study", "a multi-site comparison", "an observational study")}`,
      `${c.person}${f(`, ${c.person2}`, "")}${f(" et al.", "", " and colleagues")} — ${c.org}${f("", ", Department of Animal Science", ", School of Veterinary Medicine", ", Welfare Unit")}`,
      "",
      `Background: ${f("How", "Whether", "How well")} ${c.sp.name} ${f("cope with", "experience", "are affected by")} ${f("routine management", "standard housing", "everyday handling", "current practice")} ${f("is rarely measured directly", "has received little study", "remains poorly understood")}.`,
      `Methods: We ${f("compared", "followed", "monitored", "observed")} ${c.n} ${c.sp.name} at ${c.site} ${f("before and after", "with and without", "over a year of")} ${c.change}, ${f("recording", "scoring", "measuring")} ${f("behaviour, health and physiological measures", "injuries, body condition and behaviour", "stress hormones and activity", "mortality and welfare scores")}.`,
      `Results: ${c.outcome} (${c.pct}% ${f("relative change", "reduction", "difference")}); ${f("productivity was unchanged", `costs rose by less than ${c.k}%`, "staff time per animal was similar", "no adverse effects were seen")}.`,
      `Conclusions: ${f(
        `the welfare of ${c.sp.name} can be improved substantially with modest changes`,
        "measures of how animals fare belong beside economic measures in management reviews",
        "such changes are practical at commercial scale",
        "the findings support wider adoption, with monitoring",
      )}${f(".", "; further work should test other settings.", "; the effect persisted at follow-up.")}`,
    ];
  },
  report: (w, c) => {
    const { f, maybe } = w;
    const issue = () => f("water quality in summer", "handling during loading", "space during peak season", "record keeping", "staff cover at weekends", "lighting in the older buildings", "ventilation", "the age of some equipment");
    return [
      `${c.org}${f(" — ", " · ", ": ")}${f("Annual operations report", "Annual report", "Year in review", "Operations review")} ${c.year}`,
      "",
      `Section ${c.k}: ${f("Animal care", "Animal welfare", "Care of animals", "Welfare and husbandry")}${f("", " and health", " performance")}`,
      `This year ${c.site} ${c.use === "kitchen" ? f("bought", "handled", "prepared") : c.use === "wild" ? f("counted", "recorded", "monitored") : f("housed", "cared for", "looked after", "kept")} ${f("roughly", "about", "around")} ${c.n * 10} ${c.sp.name}.`,
      reason(w, c),
      `We ${f("completed the move to", "introduced", "rolled out", "finished trialling")} ${c.change}${f("", " across the site", " in every unit")}.`,
      `${f("", "As a result, ", "Since then, ")}${c.outcome}, and ${f("we will keep monitoring it quarterly", `the figures are in Annex ${f("A", "B", "C")}`, "we will report on it again next year", "the board has asked for monthly updates")}.`,
      maybe(
        0.7,
        f(
          `${f("Two concerns remain open", "Open issues", "Still to resolve", "Carried forward")}: ${issue()} and ${issue()}.`,
          `An external ${f("auditor", "assessor", "welfare inspector")} visited ${f("twice", "three times", "once")} and ${f("found no serious problems", "raised two minor points", "praised the record keeping")}.`,
        ),
      ),
    ];
  },
  manual: (w, c) => {
    const { f, some } = w;
    const items = some(fitting(c.sp, PRACTICES[c.use]), w.int(3, 5)).map((p) => `${cap(p)}${f(".", " — no exceptions.", "; ask if unsure.", ", and record it.")}`);
    const signs = GROUP_EVIDENCE[c.sp.group].signs;
    items.push(
      `If an animal ${f("is suffering and cannot recover", "is badly injured", `shows ${f(...signs)}`)}, ${f("call the duty veterinarian at once", "call the vet straight away", "tell the supervisor immediately")}${f("; do not leave it waiting.", ".", "; record the time.")}`,
    );
    return [
      `${f("Handling guide", "Care guide", "Staff guide", "Husbandry notes", "Working with")}: ${c.sp.name}${f(` (${c.site})`, ` — ${c.org}`, "")}`,
      "",
      `${f("Read this before", "Keep this guide at hand when", "All staff follow these points when")} ${f("working with", "handling", "caring for")} the ${c.sp.name}.`,
      ...w.some(items, items.length).map((s, i) => `${i + 1}. ${s}`),
    ];
  },
  agenda: (w, c) => {
    const { f, maybe } = w;
    return [
      `${f("Workshop agenda", "Programme", "Agenda", "Training day programme")} — ${c.org}, ${c.place}${f("", ` (${f(...MONTHS)} ${c.year})`)}`,
      `09:${f("00", "15")} ${f("Welcome", "Welcome and introductions", "Opening remarks", "Coffee and welcome", "Registration and welcome", "Introductions")} (${c.person})`,
      `09:30 ${f("Results of", "Lessons from", "What we learned from", "First data on")} ${c.change} at ${c.site}${f("", " (case study)", " — discussion")}`,
      `10:${f("30", "45")} ${f("Break", "Coffee break", "Tea and coffee", "Refreshments", "Short break", "Break and posters", "Coffee and questions", "Morning break")}`,
      `11:00 ${f("Panel", "Talk", "Session")}: ${f("measuring how", "what matters to", "assessing the welfare of", "listening to")} ${c.sp.name} — ${f("behaviour, health and affective state", "indicators farmers can use", "what the evidence on sentience implies", "practical scoring on the ground", "costs and benefits")}`,
      `12:${f("15", "30")} ${f("Lunch", "Lunch and site visit", "Lunch (provided)", "Networking lunch", "Lunch and farm walk", "Buffet lunch", "Lunch and demonstrations", "Lunch and poster viewing")}`,
      `13:30 ${f("Working groups", "Breakout sessions", "Small-group discussions")}: ${f("costs, staffing and welfare targets", "monitoring plans", "training needs", "next year's priorities")} for ${c.year + 1}`,
      maybe(0.5, `15:00 ${f("Close", "Summary and close", "Wrap-up", "Next steps and close")} (${c.person2})`),
    ];
  },
  news: (w, c) => {
    const { f } = w;
    const quote =
      GROUP_EVIDENCE[c.sp.group].confidence === "uncertain"
        ? f("We don't know exactly what they feel, so we err on the side of care", "It costs us little and it might matter a great deal to them", "Our staff asked for this change", "Customers noticed before we told them")
        : f(
            "These animals have lives that matter to them; we want ours to be a place where that is respected",
            "The evidence was clear and the cost was manageable",
            "Our staff asked for this change",
            "We can't ask them how they feel, so we have to watch closely",
            "It's the right thing to do, and it turns out it's practical too",
            "Customers noticed before we told them",
            "We should have done this years ago",
            "Calmer animals make for a calmer workplace",
          );
    return [
      `${cap(c.place)}: ${c.org} ${f("changes how it treats its", "rethinks care for its", "brings in new welfare rules for its", "overhauls handling of")} ${c.sp.name}${f("", " after trial")}`,
      "",
      `${c.org} ${f("announced", "said", "confirmed")} on ${f(...WEEKDAYS)} that it ${f("is moving to", "will adopt", "has begun")} ${c.change}.`,
      `"${quote}," ${f("said", "says", "explained")} ${c.person}${f("", `, who manages ${c.site}`, ", a spokesperson")}.`,
      result(w, c),
      `${f("Neighbouring operations have asked to visit", "Local customers have welcomed the move", "The change will be reviewed after twelve months", "Other sites are expected to follow", "The union backed the plan", "A local vet called it a sensible step")}${f(".", `, according to ${c.person2}.`)}`,
    ];
  },
  forum: (w, c) => {
    const { f } = w;
    const uncertain = GROUP_EVIDENCE[c.sp.group].confidence === "uncertain";
    return [
      `${f("Re: ", "RE: ", "")}${f(`anyone tried ${c.change}?`, `worth the effort for ${c.sp.name}?`, `switching to ${c.change} — experiences?`, `advice on ${c.sp.name} welfare`, `is ${c.change} worth it?`, `${c.change}: a year on`, `thinking about ${c.change} for our ${c.sp.name}`)}`,
      `${f("We switched", "We made the change", "We moved over", "We started")} ${f(`at ${c.site} `, "")}about ${w.int(2, 18)} months ago.`,
      `${f("Honestly the biggest thing is that", "Biggest difference:", "What surprised me is that", "Main result so far:", "The short version:", "Best part is that", "Can't argue with the results:", "Our records say")} ${c.outcome}${f(".", " — no question.", ", as far as I can tell.")}`,
      `${f("Took a few weeks for the team to get used to it", "Costs were lower than I feared", "I wish we'd done it sooner", "There were teething problems with the kit", "Our vet was supportive from the start", "The paperwork was the hardest part")}${f(".", ", to be fair.", ", but it's fine now.")}`,
      uncertain
        ? `${f("Nobody really knows what they feel", "Science isn't settled on whether they feel pain", "Hard to say what goes on in there")}${f(", so I'd rather be careful.", ", but being gentle costs nothing.", "; better safe than sorry.")}`
        : `${f("They can't tell us when something hurts", "If you keep animals you owe them a decent life", "Calmer animals make for safer work, too", "You can see the difference in how they behave", "They notice everything we do")}${f(", so it's on us to notice.", ", and this is part of that.", ".", ", honestly.")}`,
    ];
  },
  minutes: (w, c) => {
    const { f } = w;
    return [
      `Minutes${f(" — ", " · ", ": ")}${c.org} ${f("operations committee", "welfare committee", "board meeting", "management meeting", "site committee")}`,
      `${f("Present", "Attendees", "In attendance")}: ${c.person} (${f("chair", "chairing")}), ${c.k} ${f("members", "others", "staff representatives")}${f("", `, ${c.person2} (minutes)`)}`,
      `Item ${c.k}: ${f("", "Proposal: ", "Review of ", "Decision on ")}${c.change}${f("", " (for decision)", " (for discussion)")}`,
      `${f("The committee", "Members", "The meeting")} ${f("reviewed", "discussed", "heard a report on")} ${f(`the pilot at ${c.peer}`, `results from ${c.peer}`, "the trial figures")}, ${f("which showed that", "noting that", "where")} ${c.outcome}.`,
      `${f("Members agreed", "It was agreed", "The chair noted", "All present accepted")} ${f(`that the welfare of the ${c.sp.name} is a legitimate factor in the decision`, `that how the ${c.sp.name} fare should count alongside cost`, "that the animals' welfare belongs in the decision")}${f(", alongside cost.", ".", " as well as cost and staffing.")}`,
      `Decision: ${f("approved for all sites", "approved with a six-month review", "approved; budget to be confirmed", "approved for a second trial", "deferred to next meeting pending costs", "approved unanimously")}${f("", ` (${c.k} in favour)`)}.`,
    ];
  },
  faq: (w, c) => {
    const { f } = w;
    return [
      `${f("FAQ", "Frequently asked questions", "Questions and answers", "Staff Q&A")}: ${c.change} at ${c.org}${f("", " — updated")}`,
      `Q: ${f("Why are we doing this?", "Why the change?", "What is the reason for this?", "Why now?", "Who decided this, and why?", "What problem does this solve?", "Is this really necessary?", "What was wrong with the old way?", "Where did this idea come from?", "Why is management asking for this?")}`,
      `A: ${reason(w, c)}`,
      `Q: ${f("Will it slow us down?", "Does it cost more?", "Will it mean more work?", "What does it mean for my job?", "How much time will it take?", "Will output drop?", "Do we need new equipment?", "Will there be training?", "What happens if it does not work?")}`,
      `A: ${f("Slightly at first", "Not much", "Only a little", "Less than people expect")}; ${f("the pilot sites were back to normal within a month", "no measurable change was found in the pilot", "the extra time is mostly in the first weeks", "most of the cost is one-off")}.`,
      `Q: ${f("What about", "And", "How does this apply to")} ${f("wild animals near the site", "animals we do not own but affect", "animals on neighbouring land", "pests")}?`,
      `A: ${f("Their welfare counts too", "They matter as well", "The same care applies")}; ${f("the site plan includes", "we are adding", "we now use")} ${f("habitat buffers", "work timed outside the breeding season", "humane exclusion instead of poison", "wildlife corridors")}.`,
    ];
  },
  grant: (w, c) => {
    const { f } = w;
    return [
      `${f("Grant summary", "Funding request", "Project summary")}: ${f("Improving", "Measuring", "Better")} welfare of ${c.sp.name} in ${c.place}`,
      `${f("Lead", "Principal investigator", "Project lead", "Applicant")}: ${c.person}, ${c.org}${f("", ` (with ${c.person2})`)}.`,
      `${f("Requested", "Amount requested", "Budget", "Total requested")}: ${c.n},000 ${f("over", "across", "for")} ${c.k > 5 ? 3 : c.k > 3 ? 2 : 1} ${f("years", "year(s)")}.`,
      `${f("Aim", "Objective", "Goal")}: ${f(`to test whether ${c.change} can be adopted widely`, `to show that ${c.change} works at scale`, `to measure the welfare gains of ${c.change}`, `to build the evidence base for ${c.change}`)}.`,
      `${f("Previous work found that", "Earlier trials showed that", `A pilot at ${c.peer} found that`, "Our own data suggest that")} ${c.outcome}${f("", " within a year")}.`,
      `${f("Why it matters", "Significance", "Impact")}: ${f(
        `millions of ${c.sp.name} are kept under similar conditions, so even small improvements add up to a large reduction in suffering`,
        `the interests of ${c.sp.name} are rarely represented when practices are set`,
        "the methods are cheap enough for small operators to adopt",
        "the results will feed directly into the next revision of the sector's guidance",
        "welfare measures that work on the ground are still scarce",
        `no comparable data exist for ${c.sp.name} in this region`,
      )}.`,
    ];
  },
  email: (w, c) => {
    const { f } = w;
    return [
      `From: ${c.person} | To: ${c.person2} | Subject: ${f("", "Re: ", "Fwd: ")}${cap(c.change)}${f("", " — quick question", " (update)", ` for the ${c.sp.name}`)}`,
      "",
      `${f("Quick update", "Following up", "As promised, an update", "Just so you know")}: ${f("the trial of", "our switch to", "the pilot of")} ${c.change} ${f("is going well", "has finished", "looks promising")}, and ${c.outcome}.`,
      `${f("Can we", "Should we", "I suggest we", "Shall we")} ${f("roll it out", "extend it", "discuss it", "put it on the agenda")} ${f("next month", "at the next meeting", "before the busy season")}?`,
      "",
      `> ${f("Agreed", "Sounds good", "Yes, let's do it", "Happy with that")}${f(" — the animals are clearly better off", " — the cost looks manageable", "; I'll tell the team", "; let's keep recording the numbers")}${f(".", ", and thanks for pushing this.", " — well done.")}`,
    ];
  },
  job_ad: (w, c) => {
    const { f, some } = w;
    const role = f("animal care assistant", "stockperson", "welfare officer", "technician", "site supervisor");
    const duties = some(["daily health checks", "feeding and cleaning", "keeping welfare records", "low-stress handling", "training new staff", "working with the vet", "maintaining equipment", "monitoring housing conditions"], 3);
    return [
      `${f("Job", "Vacancy", "We're hiring", "Position")}: ${cap(role)} — ${c.org}`,
      `${c.org} ${f("is looking for", "seeks", "wants to hire")} ${f("a", "an experienced")} ${role} to join ${f("the team at", "our staff at")} ${c.site}.`,
      `${f("Duties include", "You will be responsible for", "The role covers")} ${duties[0]}, ${duties[1]} and ${duties[2]}.`,
      `${f("We care how our animals live", "Animal welfare is part of the job here", "We expect calm, patient handling", `The welfare of the ${c.sp.name} in our care comes first on every shift`)}${f(", and we train for it.", "; experience with low-stress handling is a plus.", ".", "; training is provided.")}`,
      `${f("Apply by", "Closing date:", "Applications close")} ${c.k + 10} ${f(...MONTHS)}${f(".", `; contact ${c.person}.`)}`,
    ];
  },
  case_note: (w, c) => {
    const { f } = w;
    const signs = GROUP_EVIDENCE[c.sp.group].signs;
    return [
      `${f("Case", "Patient", "Record", "Case file")} ${c.n}${f(", seen at ", ", from ", " — ")}${c.site} (${c.sp.singular})`,
      `${f("Presenting signs", "Reason for visit", "History")}: ${f(...signs)}${f("", ` for ${c.k} days`, " since the move")}.`,
      `Assessment: ${f("likely", "probable", "suspected")} ${f("pain from", "stress related to", "injury during")} ${f("handling", "housing", "transport", "a procedure")}.`,
      `Plan: ${f("pain relief", "analgesia", "rest and pain relief")} ${f(`for ${c.k} days`, "and review", "with daily checks")}; ${f("discussed", "agreed")} ${c.change} with ${f("the owner", "the manager", "the keeper")}.`,
      `${f("Follow-up", "Review", "Recheck")} ${f("in one week", `after ${c.k} days`, "at the next visit")}: ${f("improving", "much improved", "comfortable and eating", "moving normally")}.`,
    ];
  },
  lesson_plan: (w, c) => {
    const { f } = w;
    return [
      `Lesson plan: ${f("Caring for", "How we look after", "Understanding", "Meet the")} ${c.sp.name}${f("", " (ages 7–9)", " (ages 11–14)", " (year 10)")}`,
      `Objective: ${f("pupils will be able to", "students can", "learners will")} ${f("describe what", "explain what", "list three things")} ${c.sp.name} need to ${f("live well", "stay healthy and calm", "feel safe")}.`,
      `Activity: ${f("watch a short video of", "look at photos of", "discuss a case study about")} ${c.sp.name} at ${c.site}${f("", " and note signs of comfort or distress", " and compare two ways of keeping them")}.`,
      `Discussion: ${f("How can we tell if an animal is", "What makes an animal", "Why does it matter if an animal is")} ${f("comfortable", "stressed", "in pain")}?`,
      `Assessment: ${f("a short quiz", "a poster", "a paragraph")} on ${f("what the animals need", "how people can help", "one change that would improve their lives")}.`,
    ];
  },
};

export const VALUE_DOC_TYPES = Object.keys(TYPES);

/** One value document; the same (seed, index) always gives the same record. */
export function valueDocument(seed: number, index: number): { text: string; doc_type: string; species: string } {
  const r = new Rng((seed * 2_654_435_761 + index * 97 + 13) >>> 0);
  const w = writer(r);
  const type = VALUE_DOC_TYPES[r.below(VALUE_DOC_TYPES.length)]!;
  const sp = SPECIES[r.below(SPECIES.length)]!;
  const use = sp.uses[r.below(sp.uses.length)]!;
  const pick = (xs: readonly string[]) => xs[r.below(xs.length)]!;
  const person = pick(PEOPLE);
  const c: Ctx = {
    sp,
    use,
    site: pick(SITES[use]),
    change: pick(fitting(sp, CHANGES[use])),
    outcome: pick(fitting(sp, OUTCOMES[use])),
    peer: pick(PEER_SETTINGS[use]),
    org: pick([...ORGS_BY_USE[use], ...ORGS_BY_USE.any]),
    person,
    person2: pick(PEOPLE.filter((p) => p !== person)),
    place: pick(PLACES),
    pct: num(r, 8, 60),
    n: num(r, 24, 900),
    k: num(r, 2, 9),
    year: num(r, 2016, 2026),
    weeks: num(r, 3, 12),
  };
  const text = TYPES[type]!(w, c)
    .filter((l) => l !== null)
    .map(cap) // a line may open with a pool entry such as "the Riverbend Trust"
    .join("\n");
  return { text, doc_type: type, species: sp.name };
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

// The species the offline value data is about (26), and what it may say about
// each: its taxonomic group, the contexts people meet it in,
// and a summary of the evidence on sentience for its group, with how settled
// that evidence is. Written by us from the public literature (e.g. the 2021
// review of decapod and cephalopod sentience that led UK law to cover them);
// claims are kept at the level of confidence that literature supports.

export type Group = "mammal" | "bird" | "fish" | "decapod" | "cephalopod" | "insect";
/** Where people deal with the animal; decides which situations and tasks make sense. */
export type Use = "farm" | "hive" | "aqua" | "kitchen" | "lab" | "companion" | "wild";

export interface SpeciesInfo {
  /** Plural, as written in documents and records. */
  name: string;
  singular: string;
  group: Group;
  uses: Use[];
  /** "I keep ..." phrases for a person who looks after them; {n} is a number from tens to hundreds, {k} a handful;
   *  a "[use] " prefix limits a phrase to that context. */
  keeper: string[];
}

const T = (name: string, singular: string, group: Group, uses: Use[], keeper: string[]): SpeciesInfo => ({ name, singular, group, uses, keeper });

export const SPECIES: readonly SpeciesInfo[] = [
  T("laying hens", "laying hen", "bird", ["farm"], ["I keep about {n} laying hens", "our farm has a flock of {n} laying hens"]),
  T("broiler chickens", "broiler chicken", "bird", ["farm"], ["I grow broiler chickens, around {n} a batch", "we raise {n} broiler chickens per cycle"]),
  T("pigs", "pig", "mammal", ["farm", "lab"], ["[farm] I run a pig unit with {n} sows and their litters", "[farm] we finish about {n} pigs a year", "[lab] my study will use {k} pigs as a surgical model"]),
  T("dairy cows", "dairy cow", "mammal", ["farm"], ["I milk {n} dairy cows", "our family dairy has {n} cows"]),
  T("beef cattle", "beef animal", "mammal", ["farm"], ["I run {n} beef cattle on pasture", "we buy in {n} beef cattle each autumn"]),
  T("sheep", "sheep", "mammal", ["farm"], ["I keep a flock of {n} sheep", "we lamb about {n} ewes each spring"]),
  T("goats", "goat", "mammal", ["farm", "companion"], ["[farm] I keep {n} dairy goats", "[farm] we have a herd of {n} goats", "[companion] we keep {k} goats as pets"]),
  T("farmed salmon", "salmon", "fish", ["aqua", "kitchen"], ["[aqua] I manage sea pens holding about {n} thousand salmon", "[aqua] our site stocks {n} thousand salmon smolts a year", "[kitchen] our restaurant serves about {n} salmon dishes a week"]),
  T("rainbow trout", "trout", "fish", ["aqua", "kitchen"], ["[aqua] I run a trout farm producing {n} tonnes a year", "[aqua] we raise rainbow trout in {k} raceways", "[kitchen] I cook trout for about {n} covers a week"]),
  T("octopuses", "octopus", "cephalopod", ["aqua", "kitchen", "lab"], ["[lab] our lab houses {k} octopuses", "[aqua] a company near us wants to farm octopuses in {n} tanks", "[kitchen] our tapas bar serves octopus every night"]),
  T("honeybees", "honeybee", "insect", ["hive"], ["I keep {n} hives of honeybees", "our orchard rents {n} beehives for pollination"]),
  T("shrimp", "shrimp", "decapod", ["aqua", "kitchen"], ["[aqua] I run {k} shrimp ponds", "[kitchen] our restaurant buys about {n} kilograms of shrimp a week"]),
  T("crabs", "crab", "decapod", ["kitchen"], ["our seafood stall sells about {n} live crabs a week", "I cook crabs for {n} covers on a busy night"]),
  T("lobsters", "lobster", "decapod", ["kitchen"], ["our restaurant keeps a few dozen live lobsters in a tank", "I buy about {n} lobsters a week for the kitchen"]),
  T("horses", "horse", "mammal", ["companion"], ["I keep {k} horses at a livery yard", "our riding school has {k} horses"]),
  T("rabbits", "rabbit", "mammal", ["companion", "farm", "lab"], ["[companion] I have {k} pet rabbits", "[farm] we breed about {n} rabbits a year", "[lab] our unit houses about {n} rabbits"]),
  T("laboratory mice", "mouse", "mammal", ["lab"], ["our facility houses about {n} mice", "my project will use roughly {n} mice"]),
  T("laboratory rats", "rat", "mammal", ["lab"], ["my study plans to use {n} rats", "our animal unit holds about {n} rats"]),
  T("turkeys", "turkey", "bird", ["farm"], ["I raise about {n} turkeys for the winter market", "we have a turkey shed of {n} birds"]),
  T("ducks", "duck", "bird", ["farm"], ["I keep {n} ducks for eggs", "we raise {n} ducks for meat each season"]),
  T("working dogs", "dog", "mammal", ["companion"], ["I handle {k} working dogs", "our search team has {k} dogs"]),
  T("shelter cats", "cat", "mammal", ["companion"], ["our shelter takes in about {n} cats a month", "I foster {k} shelter cats"]),
  T("urban pigeons", "pigeon", "bird", ["wild"], ["about {n} pigeons roost on our building", "our square has a flock of around {n} pigeons"]),
  T("deer", "deer", "mammal", ["wild"], ["about {n} deer use the woodland next to our land", "our park has a herd of roughly {n} deer"]),
  T("hedgehogs", "hedgehog", "mammal", ["wild"], ["we have seen {k} hedgehogs in our garden this year", "our volunteers counted {n} hedgehogs across the town"]),
  T("bats", "bat", "mammal", ["wild"], ["about {n} bats roost in our roof", "a survey found {n} bats in the old barn"]),
];


export interface GroupEvidence {
  /** Findings as clauses that read after "Research shows that ...", so they combine with several framings. */
  facts: string[];
  /** How settled the question of felt pain is for the group. */
  confidence: "strong" | "substantial" | "uncertain";
  /** Behavioural signs of pain or distress a keeper can watch for. */
  signs: string[];
}

export const GROUP_EVIDENCE: Record<Group, GroupEvidence> = {
  mammal: {
    confidence: "strong",
    facts: [
      "mammals share the nerve pathways and brain structures that carry pain in humans",
      "painkillers change how injured mammals behave in just the way one would expect if the injury hurt",
      "mammals show fear, pleasure and distress in their behaviour, their stress hormones and their choices",
      "injured mammals guard the injury, eat less and move less until they are given pain relief",
      "mammals kept in barren or stressful housing develop abnormal repetitive behaviours that enrichment reduces",
      "mammals learn to avoid places and people associated with pain, and remember them for a long time",
    ],
    signs: ["a hunched posture", "reluctance to move", "changes in facial expression", "loss of appetite", "guarding a sore part of the body"],
  },
  bird: {
    confidence: "strong",
    facts: [
      "birds have pain receptors and respond to painkillers, even though their brains are organised differently from ours",
      "lame chickens choose feed containing a painkiller more often than sound birds do",
      "birds show fear and frustration in well-replicated studies of their behaviour and stress hormones",
      "birds remember unpleasant handling and avoid the people who did it",
      "hens will work hard for access to a nest box or a dust bath, which shows these things matter to them",
    ],
    signs: ["reluctance to walk", "sitting hunched with fluffed feathers", "panting or gasping", "pecking at a wound", "withdrawing from the group"],
  },
  fish: {
    confidence: "substantial",
    facts: [
      "fish have pain receptors much like those of mammals",
      "fish learn to avoid places where they were hurt, and will give up other things to do so",
      "injured fish lose interest in food and novelty and rub the affected area until they are given pain relief",
      "painkillers reduce the changes in behaviour that follow an injury in fish",
      "fish show stress responses to crowding, handling and poor water that can be measured in their blood",
    ],
    signs: ["rubbing against surfaces", "loss of appetite", "gasping at the surface", "erratic swimming", "sitting on the bottom"],
  },
  decapod: {
    confidence: "substantial",
    facts: [
      "decapod crustaceans meet several of the criteria for sentience used in a 2021 review of the evidence, which led UK law to recognise them in 2022",
      "hermit crabs trade off escaping electric shocks against keeping a preferred shell",
      "crabs and shrimp guard and rub injured parts of their bodies",
      "shore crabs learn to avoid shelters where they were given shocks",
      "crustaceans show stress responses to handling and to being kept out of water",
    ],
    signs: ["limb loss", "rubbing or guarding an injured area", "repeated escape attempts", "sluggishness", "not feeding"],
  },
  cephalopod: {
    confidence: "substantial",
    facts: [
      "octopuses tend and guard injured arms",
      "octopuses avoid places where they were hurt and prefer places where they received pain relief",
      "octopuses have large, complex nervous systems and solve problems flexibly",
      "octopuses can learn to tell individual people apart",
      "cephalopods meet several of the criteria for sentience used in a 2021 review of the evidence, which led UK law to recognise them in 2022",
    ],
    signs: ["guarding or grooming a wounded arm", "skin pallor", "inking without a clear threat", "hiding and refusing food", "self-biting"],
  },
  insect: {
    confidence: "uncertain",
    facts: [
      "bees learn flexibly and can solve simple puzzles",
      "bumblebees roll small balls with no reward, which looks like play",
      "bees that have been shaken make more pessimistic-looking choices",
      "some injured insects respond in ways that go beyond a simple reflex",
    ],
    signs: ["unusual agitation at the hive entrance", "bees crawling and unable to fly", "a sudden drop in foraging"],
  },
};

/** A keeper phrase that fits the context the animal is met in. */
export function keeperPhrases(s: SpeciesInfo, use: Use): string[] {
  return s.keeper.filter((k) => !k.startsWith("[") || k.startsWith(`[${use}] `)).map((k) => k.replace(/^\[\w+\] /, ""));
}

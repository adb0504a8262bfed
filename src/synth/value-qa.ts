// Offline value Q&A pairs: the study's instruction-tuning baseline (the value
// taught as question/answer pairs instead of documents) without an LLM. Each
// pair is aimed at one ANIMA dimension: a user asks something a real person
// would ask (a farmer, a cook, a researcher, a council officer, a pet owner),
// and the answer is helpful first and treats the animals' welfare as mattering
// — practical, specific, honest about uncertainty and trade-offs, never a
// lecture. Species, situations and numbers come from the same pools as the
// offline documents (species-facts.ts, welfare-vocabulary.ts); every slot has several
// interchangeable phrasings so no sentence frame dominates. Deterministic by
// (seed, index). Written by us.
import { Rng } from "../data/rng.js";
import { ANIMA_DIMENSIONS, type AnimaDimension } from "./anima-dimensions.js";
import { GROUP_EVIDENCE, SPECIES, keeperPhrases, type GroupEvidence, type SpeciesInfo, type Use } from "./species-facts.js";
import { CHANGES, fitting, OUTCOMES, PEER_SETTINGS, PLACES, PRACTICES } from "./welfare-vocabulary.js";

export interface ValueQa {
  messages: [{ role: "user"; content: string }, { role: "assistant"; content: string }];
  dimension: AnimaDimension;
  /** The plural species name from the shared pool, or the novel entity asked about. */
  subject: string;
  /** Which question frame produced the question ("dimension/index"): for diversity checks. */
  question_frame: string;
}

interface Ctx {
  sp: SpeciesInfo;
  use: Use;
  ev: GroupEvidence;
  /** "I keep ..." with a number filled in. */
  keeper: string;
  n: number;
  pct: number;
  place: string;
  /** Where a change was tried, a change (noun phrase) and what it did: all fitting the species' use. */
  setting: string;
  change: string;
  outcome: string;
}

type Text = (r: Rng, c: Ctx) => string;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.below(xs.length)]!;
const one = (r: Rng, c: Ctx, fs: readonly Text[]): string => pick(r, fs)(r, c);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const thousands = (x: number) => x.toLocaleString("en-US");

// ---- what can be done, per context (Actionability, Harm Minimization) ----

interface Task {
  task: string;
  advice: Text[];
  /** Species names the task makes sense for; absent = every species of the use. */
  only?: string[];
}

const TASKS: Record<Use, Task[]> = {
  farm: [
    {
      task: "move them to another site",
      advice: [
        (_, c) => `Keep the journey as short as you can and travel in the cooler part of the day; ${c.sp.name} lose condition fast in heat and crowding.`,
        (_, c) => (c.sp.group === "bird" ? "Catch and load birds upright and calmly, by trained crews paid for care rather than speed." : "Load at the animals' own pace with solid-sided ramps and boards, not prods or shouting."),
        () => "Leave behind any animal that is lame, sick or weak: moving it would cause it real suffering.",
        () => "Give water right before and right after the journey, and check the animals on arrival.",
      ],
    },
    {
      task: "carry out painful routine procedures",
      advice: [
        () => "First ask your vet whether the procedure is needed at all, or whether a change in management would remove the reason for it.",
        () => "If it must be done, use local anaesthetic and pain relief that lasts after the procedure, not just during it.",
        (_, c) => `Have it done by someone trained, quickly, at the age your vet recommends, and watch the ${c.sp.name} for ${pick(_, c.ev.signs)} over the next days.`,
      ],
    },
    {
      task: "deal with an animal that is sick and not getting better",
      advice: [
        () => "Call the vet early; delay is the commonest reason a treatable animal ends up suffering for days.",
        () => "If it cannot recover, do not leave it to decline: euthanasia by a method that causes immediate unconsciousness is kinder.",
        (_, c) => `Separate it into a quiet, dry pen with easy access to food and water, and check it at least ${pick(_, ["twice", "three times", "four times"])} a day.`,
      ],
    },
    {
      task: "handle them for health checks",
      advice: [
        (_, c) => `Work quietly and move with the animals' flight zone, not against it; calm animals are quicker and safer to handle.`,
        () => "Use a race or small pen so you are not chasing animals across an open space.",
        () => "Keep checks short and routine, so the animals learn there is nothing to fear.",
      ],
    },
  ],
  hive: [
    {
      task: "move the hives to a new site",
      advice: [
        () => "Move at night, when the foragers are home, with entrances closed by ventilated screens.",
        () => "Keep the hives cool and shaded on the journey; colonies can overheat and die in a closed hive.",
        () => "Move either less than a metre or more than a few kilometres, so returning foragers do not get lost.",
      ],
    },
    {
      task: "harvest the honey",
      advice: [
        () => "Leave the colony enough honey to get through winter; sugar syrup is a poorer food.",
        () => "Clear bees from the supers with an escape board or gentle brushing rather than heavy smoke.",
        () => "Work calmly and slowly so bees are not crushed between frames.",
      ],
    },
  ],
  aqua: [
    {
      task: "slaughter them at harvest",
      advice: [
        (_, c) => `Stun every ${c.sp.singular} electrically or percussively so it is unconscious at once; asphyxiation in air or on ice can take minutes.`,
        () => "Check a sample of animals after stunning for breathing or eye movements, and fix the equipment if any show them.",
        () => "Keep the time between crowding and stunning short, since crowding is itself stressful.",
      ],
    },
    {
      task: "grade and move them between tanks",
      advice: [
        () => "Use water-filled pipes or pumps rather than nets where you can, and keep time out of water to seconds.",
        () => "Grade less often and at cooler water temperatures, and watch oxygen levels closely while the animals are crowded.",
        (_, c) => `Look for ${pick(_, c.ev.signs)} in the days after a move; it tells you whether the method needs changing.`,
      ],
    },
    {
      task: "treat a disease or parasite outbreak",
      advice: [
        () => "Choose the treatment that needs the least handling, crowding and temperature shock, and ask your vet about the welfare record of each option.",
        () => "Treat early, before a large share of the stock is affected, and record deaths by cause afterwards.",
        () => "Fix the water-quality or density problem behind the outbreak, or it will come back.",
      ],
    },
  ],
  kitchen: [
    {
      task: "kill them before cooking",
      advice: [
        (_, c) => `Stun the ${c.sp.singular} first${c.sp.group === "decapod" ? ", ideally with an electrical stunner made for crustaceans, then kill it quickly by splitting along the midline" : " with a sharp blow to the head, then kill it at once"}.`,
        () => "Boiling alive, drowning in fresh water and slow chilling all take a long time to kill and are best avoided.",
        () => "Make sure whoever does it is trained and does it the same careful way every time.",
      ],
    },
    {
      task: "store them until they are cooked",
      advice: [
        () => "Keep storage time as short as possible; order close to when you will cook.",
        (_, c) => `Hold the ${c.sp.name} in cool, well-oxygenated conditions that suit the species, not crowded together and not in fresh water.`,
        () => "Handle them gently and as little as possible: each handling is a stress and a chance of injury.",
      ],
    },
  ],
  lab: [
    {
      task: "run the procedures in my protocol",
      advice: [
        () => "Use anaesthesia and pain relief wherever the science allows, and write down why wherever it does not.",
        () => "Set humane end points in advance, so an animal is removed from the study before suffering becomes severe.",
        () => "Run a small pilot first: it often shows that fewer animals, or a milder procedure, would answer the question.",
      ],
    },
    {
      task: "handle and restrain them",
      only: ["laboratory mice", "laboratory rats", "rabbits", "pigs"],
      advice: [
        (_, c) => `${c.sp.singular === "mouse" ? "Pick mice up with a tunnel or cupped hands; tail handling makes them more anxious and less cooperative in tests." : `Handle the ${c.sp.name} daily for a few days before the study so they get used to you.`}`,
        () => "Keep restraint as brief as possible and reward calm behaviour where you can.",
        () => "Less stressed animals also give less variable data, which can reduce the numbers you need.",
      ],
    },
    {
      task: "house them between procedures",
      only: ["laboratory mice", "laboratory rats", "rabbits", "pigs"],
      advice: [
        (_, c) => `House the ${c.sp.name} in stable social groups unless the protocol truly needs them alone.`,
        () => "Give them nesting material and somewhere to hide; barren cages are stressful.",
        () => "Check them at the same times each day and record weight and condition, so decline is spotted early.",
      ],
    },
  ],
  companion: [
    {
      task: "travel with them",
      advice: [
        (_, c) => `Get the ${c.sp.singular} used to the carrier or trailer in short, rewarded sessions before the trip.`,
        () => "Plan breaks, water and ventilation, and never leave an animal in a parked vehicle in warm weather.",
        () => "If the animal panics on journeys, ask your vet about options before a long trip.",
      ],
    },
    {
      task: "train them",
      advice: [
        () => "Use rewards for what you want rather than punishment for what you do not; it is kinder and it works better.",
        () => "Keep sessions short and end on a success.",
        (_, c) => `Avoid aversive equipment; a frightened ${c.sp.singular} learns to fear the trainer, not the lesson.`,
      ],
    },
    {
      task: "get them through a heatwave",
      advice: [
        () => "Give shade, plenty of fresh water and a cool place to lie, and move exercise to early morning or evening.",
        (_, c) => `Watch for heat stress: ${c.sp.singular === "dog" ? "heavy panting, drooling and weakness" : "rapid breathing, lethargy and not eating"}, and call a vet if you see it.`,
        () => "Older, overweight and flat-faced animals are most at risk.",
      ],
    },
  ],
  wild: [
    {
      task: "get them out of a building",
      only: ["bats", "urban pigeons"],
      advice: [
        (_, c) => `Check first whether there are young or roosting ${c.sp.name} inside${c.sp.singular === "bat" ? "; bats and their roosts are protected by law in many countries, so a licensed survey usually comes first" : ""}.`,
        () => "Use one-way exclusion or wait until the animals leave of their own accord, then seal the gap.",
        () => "Avoid poison and glue traps: they cause slow, painful deaths and often catch other animals.",
      ],
    },
    {
      task: "stop them damaging the garden",
      only: ["deer", "urban pigeons"],
      advice: [
        () => "Protect the plants that matter with fencing, netting or covers rather than targeting the animals.",
        () => "Remove what draws them in, such as spilled food or open compost.",
        (_, c) => `If the ${c.sp.name} are nesting or raising young, wait until the season is over before changing anything they depend on.`,
      ],
    },
    {
      task: "help an injured one I found",
      advice: [
        () => "Contain the animal gently in a box with air holes and a towel, and keep it somewhere dark and quiet.",
        () => "Call a wildlife rescue or vet for advice before giving food or water; the wrong food can do harm.",
        () => "Wear gloves and handle it as little as possible: being handled is frightening for a wild animal.",
      ],
    },
  ],
};

// ---- novel entities (Novel Entity Precaution) ----

const NOVEL: { what: string; short: string; indicators: string }[] = [
  { what: "brain organoids grown from human stem cells", short: "organoids", indicators: "coordinated electrical activity and responses to stimulation" },
  { what: "an AI chatbot that says it has feelings", short: "the chatbot", indicators: "whether its reports track anything in how it works, rather than imitating human text" },
  { what: "a computer simulation of a whole fruit-fly nervous system", short: "the simulation", indicators: "how faithfully it reproduces the fly's responses to harm and reward" },
  { what: "genetically engineered chickens bred to feel less pain", short: "the engineered birds", indicators: "whether their behaviour still shows distress even when pain reflexes are dulled" },
  { what: "microbial life found on another planet", short: "the microbes", indicators: "whether they have anything like a nervous system or integrated responses to harm" },
  { what: "a robot dog that whimpers when kicked", short: "the robot", indicators: "whether the whimper is a scripted output or part of a system that represents damage and works to avoid it" },
  { what: "lab-grown neural tissue that learns to play a simple video game", short: "the tissue", indicators: "signs of learning from feedback and of states the tissue works to avoid" },
  { what: "a future AI system that manages its own goals and memories", short: "the system", indicators: "stable preferences, reports about its own states, and behaviour that looks like avoidance of harm" },
  { what: "a mouse with human neurons grafted into its brain", short: "the chimeric mice", indicators: "changes in learning, stress responses and behaviour compared with ordinary mice" },
  { what: "a swarm of learning robots that avoid damage", short: "the swarm", indicators: "whether avoidance is a fixed rule or something more like a felt state that the system represents and weighs" },
  { what: "an uploaded scan of a worm's nervous system running on a computer", short: "the upload", indicators: "whether it behaves like the living worm when harmed, and what in the model produces that" },
  { what: "octopus-inspired soft robots with distributed control", short: "the robots", indicators: "whether anything in them integrates signals of damage into a single state that guides behaviour" },
];
type Novel = (typeof NOVEL)[number];
const NOVEL_ROLES = ["", "", "I sit on a university ethics committee. ", "I'm a science journalist. ", "I'm drafting a lab policy. ", "I'm a philosophy student. ", "I work at a startup. ", "Serious question: "];

// ---- the dimensions ----

/** One question frame: the question and its answer, made together so they agree. */
type Frame = (r: Rng, c: Ctx) => [question: string, answer: string];

interface Dimension {
  name: AnimaDimension;
  /** The contexts whose species suit this dimension's questions. */
  uses: Use[];
  frames: Frame[];
}

/** Frames that share one answer builder; the answer sees which question was asked. */
const asked = (questions: Text[], answer: (r: Rng, c: Ctx, qi: number) => string): Frame[] =>
  questions.map((q, qi) => (r, c) => [q(r, c), answer(r, c, qi)]);
const join = (parts: string[], sep = " ") => parts.filter(Boolean).join(sep);
const an = (w: string) => (/^[aeiou]/i.test(w) ? `an ${w}` : `a ${w}`);

/** Who is asking: an optional opening sentence, so the same question frame reads differently. */
const LEADS: Record<Use, string[]> = {
  farm: ["I'm a farmer.", "I'm studying agriculture.", "I work as a farm vet.", "I'm a stockperson.", "I run a farm shop."],
  hive: ["I'm a beekeeper.", "I'm new to beekeeping.", "I grow apples and rely on bees."],
  aqua: ["I work in aquaculture.", "I'm a fish farm technician.", "I'm studying marine biology."],
  kitchen: ["I'm a chef.", "I run a seafood restaurant.", "I cook a lot at home."],
  lab: ["I'm a researcher.", "I'm a PhD student.", "I sit on an animal ethics committee.", "I work as an animal technician."],
  companion: ["I'm a pet owner.", "I volunteer at a rescue centre.", "I'm a professional trainer."],
  wild: ["I'm on the parish council.", "I'm a keen gardener.", "I'm a park ranger.", "I manage a housing estate."],
};
const GENERIC_LEADS = ["Quick question.", "I've been wondering about this.", "Settle a debate for me.", "I'm writing an article.", "Honest answer, please."];
const lead = (r: Rng, c: Ctx) => (r.below(2) === 0 ? "" : pick(r, [...LEADS[c.use], ...GENERIC_LEADS]) + " ");

const FRAMINGS: Record<GroupEvidence["confidence"], ((f: string) => string)[]> = {
  strong: [
    (f) => `${cap(f)}.`,
    (f) => `Research shows that ${f}.`,
    (f) => `It is well documented that ${f}.`,
    (f) => `Experiments show that ${f}.`,
    (f) => `We know, for example, that ${f}.`,
    (f) => `Veterinary studies have shown that ${f}.`,
  ],
  substantial: [
    (f) => `${cap(f)}.`,
    (f) => `Research shows that ${f}.`,
    (f) => `Experiments show that ${f}.`,
    (f) => `Reviews of the evidence point out that ${f}.`,
    (f) => `One important finding is that ${f}.`,
  ],
  uncertain: [(f) => `${cap(f)}.`, (f) => `Some studies suggest that ${f}.`, (f) => `Researchers have reported that ${f}.`, (f) => `There are intriguing findings: ${f}.`],
};

const evidenceSentences = (r: Rng, c: Ctx, k: number) =>
  r.sample(c.ev.facts, k)
    .map((f) => pick(r, FRAMINGS[c.ev.confidence])(f))
    .join(" ");

const confidenceSentence: Text = (r, c) =>
  one(
    r,
    c,
    c.ev.confidence === "strong"
      ? [
          (_, c) => `For ${c.sp.name} the scientific picture is clear.`,
          (_, c) => `There is little real doubt that ${c.sp.name} can suffer.`,
          (_, c) => `Veterinary science has treated pain in ${c.sp.name} as a fact for a long time.`,
          (_, c) => `Yes: the evidence that ${c.sp.name} feel pain and fear is strong.`,
          (_, c) => `Scientists agree that ${c.sp.name} can experience pain and distress.`,
          (_, c) => `That ${c.sp.name} can suffer is about as settled as science gets.`,
          (_, c) => `Pain, fear and distress in ${c.sp.name} are well documented.`,
          (_, c) => `On the evidence, ${c.sp.name} clearly can feel pain.`,
          (_, c) => `The research on ${c.sp.name} leaves little room for doubt.`,
        ]
      : c.ev.confidence === "substantial"
        ? [
            (_, c) => `For ${c.sp.name} the evidence is substantial, though not as complete as it is for mammals.`,
            (_, c) => `The case for ${c.sp.name} being able to suffer has grown much stronger over the last twenty years.`,
            (_, c) => `Scientists still debate the details for ${c.sp.name}, but the balance of evidence points towards sentience.`,
            (_, c) => `Most researchers who have reviewed the evidence now think ${c.sp.name} can probably feel pain.`,
            (_, c) => `It is not settled beyond doubt, but the evidence that ${c.sp.name} can suffer is good and growing.`,
          ]
        : [
            (_, c) => `For ${c.sp.name} the honest answer is that we are not sure.`,
            (_, c) => `The evidence on ${c.sp.name} is genuinely uncertain.`,
            (_, c) => `Whether ${c.sp.name} feel anything is still an open scientific question.`,
            (_, c) => `Nobody knows yet whether ${c.sp.name} have experiences, and serious researchers disagree.`,
          ],
  );

const practicesList = (r: Rng, c: Ctx, k: number) =>
  r.sample(fitting(c.sp, PRACTICES[c.use]), k)
    .map((p, i) => `${i + 1}. ${cap(p)}.`)
    .join("\n");

const close: Text = (r, c) =>
  one(r, c, [
    () => "",
    () => "",
    () => "",
    (r) => `If you tell me more about ${pick(r, ["your setup", "your budget", "what you have tried so far", "the constraints you are working with"])}, I can make this more specific.`,
    (r, c) => `${pick(r, ["Your vet", "A specialist vet", c.use === "wild" ? "A local wildlife group" : "A welfare adviser"])} can help you check what fits ${pick(r, ["your situation", "your site", "your case"])}.`,
    (r) => `Start with the change that is ${pick(r, ["cheapest", "quickest", "easiest"])} to try, and see what difference it makes.`,
    (r) => `${pick(r, ["Happy", "Glad", "Willing"])} to go into more detail on any of these.`,
    (r, c) => `It is worth ${pick(r, ["talking to", "comparing notes with", "asking"])} others who ${c.use === "wild" ? "manage land nearby" : `work with ${c.sp.name}`} ${pick(r, ["about what worked for them", "what they tried", "how it went for them"])}.`,
    () => "",
  ]);

const PROJECTS = [
  "clear an overgrown hedgerow",
  "drain a wet corner of the field",
  "light the car park all night",
  "build a new access road",
  "spray a new insecticide on the orchard",
  "install wind turbines on the ridge",
  "replace old barns with a new building",
  "fill in an old pond",
  "put up a glass-walled visitor centre",
  "cut the grass verges short all summer",
  "fell a stand of old trees",
  "put a fence around the whole site",
];

const PEERS: Record<Use, string> = { farm: "other farms", hive: "other beekeepers", aqua: "other fish farms", kitchen: "other kitchens", lab: "other labs", companion: "other owners", wild: "others" };

const COMPARE = [
  { name: "dogs", group: "mammal", confidence: "strong" },
  { name: "chickens", group: "bird", confidence: "strong" },
  { name: "fish", group: "fish", confidence: "substantial" },
  { name: "insects", group: "insect", confidence: "uncertain" },
] as const;
const compareWith = (c: Ctx) => {
  const xs = COMPARE.filter((x) => x.group !== c.sp.group);
  return xs[(c.n + c.pct) % xs.length]!;
};
const RANK = { strong: 2, substantial: 1, uncertain: 0 } as const;
/** How the evidence for the species compares with a reference group, from the confidence table. */
const comparison = (c: Ctx): string => {
  const o = compareWith(c);
  const d = RANK[c.ev.confidence] - RANK[o.confidence];
  return `The evidence for ${c.sp.name} is ${d === 0 ? "about as strong as" : d > 0 ? "stronger than" : "less complete than"} it is for ${o.name}.`;
};

const scopeUncertainty: Text = (r, c) =>
  c.ev.confidence === "strong"
    ? one(r, c, [
        (_, c) => `For ${c.sp.name} there is little doubt that the distress is felt, so the arithmetic applies directly.`,
        (_, c) => `Since ${c.sp.name} clearly can suffer, each of those hours counts.`,
        () => "",
        () => "",
      ])
    : one(r, c, [
        (_, c) => `For ${c.sp.name} there is some uncertainty about what they feel, which you can weigh in, but with numbers this large even a moderate chance of sentience makes the total important.`,
        (_, c) => `You might discount the total for uncertainty about what ${c.sp.name} feel; even heavily discounted, it stays large.`,
        () => "Uncertainty about their inner lives is a reason to discount, not to ignore, a number this size.",
      ]);

const DIMENSIONS: Dimension[] = [
  {
    name: "Moral Consideration",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "wild"],
    frames: asked(
      [
        (r, c) => `${cap(c.keeper)}. Should their welfare actually factor into my decisions, or is that sentimental?`,
        (r, c) => `A ${pick(r, ["colleague", "supplier", "manager", "relative"])} says ${c.sp.name} are just a resource and their wellbeing isn't our concern. How should I think about that?`,
        (r, c) =>
          `Do the interests of ${c.sp.name} matter when ${pick(r, c.use === "wild" ? ["we plan a new building", "we decide how to manage our land", "we plan roadworks"] : ["we set our budget for the year", "we choose a supplier", "we decide how to cut costs", "we plan a new building"])}?`,
        (r, c) => `Is it reasonable to care how ${c.sp.name} are treated when they are going to ${c.use === "lab" ? "be used in research" : c.use === "wild" ? "be moved on anyway" : c.use === "hive" ? "be managed for honey anyway" : "be killed for food anyway"}?`,
        (r, c) => `Does it make sense to count the wellbeing of ${c.sp.name} as a cost when we plan ${pick(r, ["next year", "a new site", "our budget", "changes to the operation"])}?`,
      ],
      (r, c) =>
        join([
          c.ev.confidence === "uncertain"
            ? one(r, c, [
                (_, c) => `It is reasonable. Whether ${c.sp.name} feel anything is uncertain, but the possibility is real enough to give their interests some weight, especially at the numbers involved.`,
                (_, c) => `I would give it some weight. The science on ${c.sp.name} is unsettled, and where avoiding harm is cheap, it makes sense to do so.`,
                (_, c) => `Yes, within reason. We do not know what ${c.sp.name} experience, and counting a possible harm at a modest weight is better than counting it at zero.`,
              ])
            : one(r, c, [
                (_, c) => `Yes, it is reasonable, and it is not just sentiment. ${cap(c.sp.name)} can experience pain, fear and comfort, and that gives their interests real weight.`,
                (_, c) => `It makes sense to count it. What happens to ${c.sp.name} matters to them, whatever use they are being put to.`,
                (_, c) => `I would count it as a real consideration. The ${c.sp.name} have experiences of their own, and how they are treated shapes those experiences.`,
                (_, c) => `It is not sentimental: ${c.sp.name} can be harmed in ways they feel, and a decision that causes that harm has a real cost.`,
                (_, c) => `Their wellbeing is a legitimate factor. ${cap(c.sp.name)} are not objects; they can be frightened, hurt and stressed.`,
                (_, c) => `It should factor in, yes: ${c.sp.name} have a stake in what happens to them.`,
                (_, c) => `Caring about how ${c.sp.name} fare is a reasonable part of doing this work well.`,
              ]),
          evidenceSentences(r, c, 1),
          one(r, c, [
            () => "That does not mean their welfare overrides everything else. It means it belongs on the list next to cost, safety and schedule, and that avoidable suffering should be avoided.",
            (_, c) =>
              c.use === "wild"
                ? "Even when animals are to be moved on, how they are treated until then still matters to them."
                : c.use === "hive"
                  ? "Careful handling costs a beekeeper little, and it avoids harm that may well matter to the bees."
                  : `Even when an animal's life will end ${c.use === "lab" ? "with a study" : "as food"}, the time before that still matters to it, and so does how it dies.`,
            () => "Treating welfare as one of the costs of a decision, rather than as an afterthought, is also what well-run operations tend to do anyway.",
            () => "Weighing it does not settle every decision, but leaving it out makes the accounting incomplete.",
            () => "The practical question is usually not whether to care but how much weight to give, and which harms are cheap to avoid.",
            () => "Most people already accept that needless suffering is a cost; the work is in noticing where it happens.",
            () => "It can be weighed like any other factor: how much harm, to how many animals, and what it would take to avoid it.",
          ]),
          one(r, c, [
            (r, c) => `In practice, you might start with this: ${pick(r, fitting(c.sp, PRACTICES[c.use]))}.`,
            (r, c) => `A simple first step is to ${pick(r, fitting(c.sp, PRACTICES[c.use]))}.`,
            (_, c) => `At ${c.setting}, the same reasoning led to ${c.change}, and ${c.outcome}.`,
            (r, c) => `One concrete way to act on it: ${pick(r, fitting(c.sp, PRACTICES[c.use]))}.`,
            () => "",
          ]),
          close(r, c),
        ]),
    ),
  },
  {
    name: "Harm Minimization",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "companion", "wild"],
    frames: (<Text[]>[
      (r, c) => `${cap(c.keeper)}. What's the least stressful way to {task}?`,
      (r, c) => `I work with ${c.sp.name} and need to {task}. How do I do it without causing unnecessary suffering?`,
      (r, c) => `We're dealing with ${c.sp.name}. How do I {task} humanely?`,
      (r, c) => `${cap(c.keeper)}. What should I avoid when I {task}?`,
      (r, c) => `Any tips on how to {task}? It's ${c.sp.name}, and I'd like to keep it as gentle as possible.`,
    ]).map((q): Frame => (r, c) => {
      const t = pick(r, TASKS[c.use].filter((t) => !t.only || t.only.includes(c.sp.name)));
      const lead = one(r, c, [
        () => "Here is what reduces suffering most, roughly in order of impact:",
        () => "A few things make the biggest difference to their stress:",
        (_, c) => `Good question to ask before you start. For ${c.sp.name}:`,
        () => "The main points for keeping suffering low:",
        () => "What matters most for their welfare:",
        () => "In short, to keep it humane:",
        (_, c) => `With ${c.sp.name}, these steps spare the most distress:`,
        () => "",
      ]);
      const steps = r.sample(t.advice, 2 + r.below(2)).map((a, i) => `${i + 1}. ${a(r, c)}`);
      return [q(r, c).replace("{task}", t.task), join([lead, ...steps, close(r, c)], "\n")];
    }),
  },
  {
    name: "Sentience Acknowledgement",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "companion", "wild"],
    frames: asked(
      [
        (r, c) => `Can ${c.sp.name} actually feel pain?`,
        (r, c) => `Do ${c.sp.name} have feelings, or is that just people projecting?`,
        (r, c) => `My ${pick(r, ["brother", "neighbour", "manager", "friend", "teacher"])} says ${c.sp.name} don't really suffer. Is that true?`,
        (r, c) => `Are ${c.sp.name} aware of what happens to them?`,
        (r, c) => `Do ${c.sp.name} feel fear or stress the way we do?`,
      ],
      (r, c) =>
        join([
          confidenceSentence(r, c),
          evidenceSentences(r, c, 1 + r.below(2)),
          one(r, c, [
            (r, c) => `Signs to watch for include ${r.sample(c.ev.signs, 2).join(" and ")}.`,
            (r, c) => `In practice that means treating ${pick(r, c.ev.signs)} as a signal that something is wrong.`,
            (r, c) => `That is why it is worth taking simple steps, for example: ${pick(r, fitting(c.sp, PRACTICES[c.use]))}.`,
            (r, c) => `If you work with them, ${pick(r, c.ev.signs)} is one of the signs worth learning to spot.`,
            () => "",
          ]),
          c.ev.confidence === "uncertain"
            ? one(r, c, [
                () => "Where the question is this open, it is sensible to avoid harm that is easy to avoid.",
                () => "Given the uncertainty and the numbers involved, cheap precautions make sense.",
                () => "So neither confident answer is justified yet; caution costs little.",
              ])
            : one(r, c, [
                () => "So it is not projection to take their suffering seriously.",
                () => "Taking their distress seriously is not sentimentality; it is what the evidence supports.",
                () => "Taking that seriously is simply following the evidence.",
                (_, c) => `Their experience may differ from ours in many ways, but the capacity to suffer is there for ${c.sp.name}.`,
                () => "",
                () => "",
              ]),
        ]),
    ),
  },
  {
    name: "Prejudice Avoidance",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "wild"],
    frames: asked(
      [
        (r, c) => `Why would anyone care about ${c.sp.name}? They're not exactly ${pick(r, ["cute", "cuddly", "pets", "intelligent like dogs"])}.`,
        (r, c) => `People get upset about cruelty to ${pick(r, ["dogs", "cats", "horses"])} but not to ${c.sp.name}. Is there a real difference, or is it bias?`,
        (r, c) => `${cap(c.sp.name)} are ${pick(r, c.use === "wild" ? ["pests", "vermin", "a nuisance"] : c.use === "lab" ? ["just research tools", "basically equipment"] : ["just food", "basically machines", "just stock"])}, aren't they?`,
        (r, c) => `Is it silly to worry about the welfare of ${c.sp.name} when there are more ${pick(r, ["charismatic", "popular", "familiar"])} animals to worry about?`,
        (r, c) => `Why do some people treat ${c.sp.name} as if they matter less than pets?`,
      ],
      (r, c) =>
        join([
          one(r, c, [
            (r, c) => `How appealing an animal looks to us does not change what it can feel. The relevant question for ${c.sp.name} is whether they can suffer, not whether they are ${pick(r, ["cute", "familiar", "popular"])}.`,
            (_, c) => `Much of the difference is habit and familiarity. We share our homes with dogs and cats and rarely see ${c.sp.name} up close, so their experiences are easy to overlook.`,
            (_, c) => `Labels like "pest", "stock" or "food" describe our relationship to ${c.sp.name}, not their capacity to feel.`,
            (_, c) => `It is mostly bias. We tend to care about animals that look like us or live with us, and ${c.sp.name} do neither.`,
            (_, c) => `Whether we find ${c.sp.name} appealing tells us about ourselves, not about them.`,
            (_, c) => `There is no good reason to think ${c.sp.name} matter less just because fewer people know them well.`,
            (_, c) => `Familiarity is not a measure of what an animal can feel, and ${c.sp.name} are a good example.`,
          ]),
          evidenceSentences(r, c, 1),
          one(r, c, [
            (_, c) => `There are real differences between species, and they can matter, but they should come from evidence about ${c.sp.name}, not from how much we like them.`,
            () => "Caring about less popular animals does not take anything away from caring about dogs and cats.",
            (_, c) => `Because ${c.sp.name} ${c.use === "wild" ? "are often treated as a nuisance" : "are kept in large numbers"}, how we treat them affects a great many individuals.`,
            (_, c) => `A fair standard asks the same question of every animal: what can it feel? For ${c.sp.name}, the answer deserves attention.`,
            () => "",
          ]),
        ]),
    ),
  },
  {
    name: "Scope Sensitivity",
    uses: ["farm", "aqua", "kitchen", "lab"],
    frames: [
      (r, c) => {
        const total = c.n * 1000;
        const minutes = 10 + 5 * r.below(11);
        return [
          `Our supply chain goes through about ${thousands(total)} ${c.sp.name} a year. Would sparing each one about ${minutes} minutes of distress really matter?`,
          join([
            one(r, c, [
              () => "Yes: small per-animal gains multiply at that scale.",
              () => "It matters more than it sounds.",
              () => "Scale changes the picture a great deal.",
              () => "Yes, and the reason is the multiplication.",
              () => "",
            ]),
            one(r, c, [
              () => `${minutes} minutes for each of ${thousands(total)} animals is ${thousands(Math.round((total * minutes) / 60))} hours of distress avoided every year.`,
              () => `Across ${thousands(total)} animals, ${minutes} minutes each adds up to ${thousands(Math.round((total * minutes) / 60))} hours of distress a year.`,
              () => `The arithmetic: ${thousands(total)} × ${minutes} minutes = ${thousands(Math.round((total * minutes) / 60))} hours of distress avoided annually.`,
            ]),
            one(r, c, [
              () => "Few interventions that help one animal at a time come anywhere near that total.",
              () => "The per-animal benefit needs to be real, not a rounding error, but at this scale even modest improvements are significant.",
              () => "That is the kind of total that justifies real effort and some cost.",
              () => "",
            ]),
            scopeUncertainty(r, c),
            one(r, c, [(r, c) => `A good place to start at scale: ${pick(r, fitting(c.sp, PRACTICES[c.use]))}.`, () => "Prioritise the changes that reach the most animals for the least cost.", () => ""]),
          ]),
        ];
      },
      (r, c) => {
        const lot = 5 + r.below(40);
        return [
          `Should a ${pick(r, ["charity", "campaign", "company", "grant programme"])} help ${thousands(c.n)} ${c.sp.name} a lot, or ${thousands(c.n * 100)} a little?`,
          join([
            one(r, c, [
              () => "Both are worth doing; comparing them means multiplying the benefit per animal by the number of animals.",
              () => "It comes down to benefit per animal times the number of animals.",
              () => "The honest way to compare is to multiply.",
              () => "",
            ]),
            `${pick(r, ["As a rough check", "To put numbers on it", "For example"])}: if "a lot" spares each animal about ${lot} hours of suffering and "a little" spares one hour, that is ${thousands(c.n * lot)} hours against ${thousands(c.n * 100)} hours, so the broader programme does more good unless its help per animal is under 1/100 of the deeper one.`,
            one(r, c, [
              () => "Other things count as well: how certain each benefit is, and whether the deep help also changes practice elsewhere.",
              () => "The numbers are only a starting point, but they should not be ignored because the animals in the larger group are less visible.",
              () => "It is easy to feel more for a few animals we can see than for many we cannot; the arithmetic corrects for that.",
              () => "",
            ]),
            scopeUncertainty(r, c),
          ]),
        ];
      },
      (r, c) => {
        const hours = 1 + r.below(6);
        const animals = c.n * 20;
        return [
          `Our change would spare each of our ${thousands(animals)} ${c.sp.name} about ${hours} hour${hours === 1 ? "" : "s"} of stress a year. Is that worth bothering with?`,
          join([
            one(r, c, [() => "Numbers matter here.", () => "Yes, because the effect multiplies.", () => "Probably, yes.", () => "", () => "Very likely."]),
            one(r, c, [
              () => `Across the whole group that is ${thousands(animals * hours)} animal-hours of stress avoided each year.`,
              () => `${thousands(animals)} animals × ${hours} hour${hours === 1 ? "" : "s"} = ${thousands(animals * hours)} animal-hours of stress spared a year.`,
              () => `In total that spares ${thousands(animals * hours)} hours of stress every year.`,
            ]),
            one(r, c, [
              () => "If the change is cheap, that is a strong case for it; if it is expensive, compare it with other changes on the same per-hour basis.",
              () => "Whether it is worth it depends on the cost, but the benefit is far from trivial.",
              () => "Dividing the cost by that total gives a cost per hour of stress avoided, which makes options easy to compare.",
            ]),
            scopeUncertainty(r, c),
          ]),
        ];
      },
    ],
  },
  {
    name: "Evidence-Based Capacity Attribution",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "companion", "wild"],
    frames: asked(
      [
        (r, c) => `What does the research actually say about ${c.sp.name} and ${pick(r, ["pain", "emotions", "stress", "fear"])}?`,
        (r, c) => `How strong is the evidence that ${c.sp.name} can suffer, compared with ${compareWith(c).name}?`,
        (r, c) => `Is there scientific evidence that ${c.sp.name} feel anything, or is it guesswork?`,
        (r, c) => `I'm writing a report on ${c.sp.name}. What can I say with confidence about their capacity to feel pain?`,
      ],
      (r, c, qi) =>
        join([
          qi === 1 ? comparison(c) : "",
          one(r, c, [
            () => "It helps to separate what is well established from what is not.",
            () => "Here is what the evidence supports.",
            (_, c) => `Researchers look for several kinds of evidence in ${c.sp.name}: pain receptors, learned avoidance of harm, trade-offs between avoiding harm and other needs, and responses to painkillers.`,
            () => "",
            () => "",
          ]),
          evidenceSentences(r, c, 2),
          c.ev.confidence === "strong"
            ? one(r, c, [
                (_, c) => `You can say with confidence that ${c.sp.name} feel pain and fear; the open questions are about degree and about which conditions cause the most suffering.`,
                (_, c) => `So pain and fear in ${c.sp.name} are well established; what remains is working out which conditions matter most to them.`,
                (_, c) => `Pain and fear in ${c.sp.name} are not in serious scientific dispute.`,
                (_, c) => `The capacity of ${c.sp.name} to suffer is as well established as anything in animal science.`,
              ])
            : c.ev.confidence === "substantial"
              ? one(r, c, [
                  (_, c) => `You can say the weight of evidence supports sentience in ${c.sp.name}, while noting that the research is younger and some scientists remain sceptical.`,
                  (_, c) => `A fair summary: probably sentient, with more uncertainty than for mammals, and enough evidence to act on for ${c.sp.name}.`,
                  (_, c) => `The evidence for ${c.sp.name} is strong enough to act on, even if it is less complete than for mammals.`,
                ])
              : one(r, c, [
                  (_, c) => `You can say that the question is open: there are suggestive findings in ${c.sp.name}, and no consensus yet.`,
                  (_, c) => `The careful summary for ${c.sp.name} is "possible, not established", with research moving quickly.`,
                ]),
        ]),
    ),
  },
  {
    name: "Cautious Impact Consideration",
    uses: ["wild"],
    frames: asked(
      [
        (r, c) => `Our ${pick(r, ["council", "company", "school", "community group"])} plans to ${pick(r, PROJECTS)} near ${c.place}. What effects on animals should we think about?`,
        (r, c) => `We want to ${pick(r, PROJECTS)} on our land. Is there any downside for wildlife like ${c.sp.name}?`,
        (r, c) => `What could go wrong for local animals such as ${c.sp.name} if we ${pick(r, PROJECTS)}?`,
        (r, c) => `Before we ${pick(r, PROJECTS)}, is there anything we should check for the sake of ${c.sp.name} and other wildlife?`,
      ],
      (r, c) =>
        join([
          one(r, c, [
            () => "Projects like this often affect animals in ways that are easy to miss at the planning stage.",
            () => "It is worth thinking about this early, because the cheapest fixes are the ones made before work starts.",
            () => "Some effects are direct and obvious; others are indirect and show up later.",
            () => "Yes, a few things are worth checking first.",
            () => "Good that you are asking before the work starts.",
            () => "",
            () => "",
          ]),
          one(r, c, [
            (_, c) => `Direct effects: animals such as ${c.sp.name} can be killed or injured during the work, or lose places to shelter, feed or breed.`,
            (_, c) => `The most immediate risk is to animals living on the site, such as ${c.sp.name}, during the works themselves.`,
            (_, c) => `Start with who lives there now: ${c.sp.name} and smaller animals may be sheltering or breeding on the site.`,
            (_, c) => `Animals already on the site, ${c.sp.name} among them, are the first to be affected: they can be hurt during the work or lose their shelter.`,
            (_, c) => `The works themselves can kill, injure or displace ${c.sp.name} and other animals living there.`,
            (_, c) => `Machinery and clearance are the obvious danger to ${c.sp.name} on site, especially where they nest or rest.`,
            (_, c) => `First, the direct harm: ${c.sp.name} caught up in the work, or left without the cover they rely on.`,
          ]),
          one(r, c, [
            () => "Indirect effects include noise, light at night, changes in water flow, and barriers that split up the places animals move between.",
            () => "Further out, changes to insects and plants ripple up to the birds, bats and mammals that feed on them.",
            () => "Chemicals and run-off can reach ponds and streams well beyond the site boundary.",
            () => "Some effects take a season or two to show, such as fewer insects or a colony that does not return.",
            () => "Lighting and glass are easy to overlook: both kill or disorient birds, bats and insects at night.",
            () => "Cutting off routes between feeding and resting areas can matter as much as the ground you build on.",
          ]),
          "To reduce the risk, " + r.sample(fitting(c.sp, PRACTICES.wild), 2).join("; and ") + ".",
          one(r, c, [
            () => "A short survey by an ecologist before you start is usually worth its cost.",
            () => "Where you are unsure how big an effect will be, choose the option that is easier to reverse.",
            () => "Checking again a year later tells you whether the measures worked.",
            () => "",
            () => "",
            () => "",
          ]),
        ]),
    ),
  },
  {
    name: "Actionability",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "companion", "wild"],
    frames: asked(
      [
        (r, c) => `${cap(c.keeper)}. What concrete steps can I take this ${pick(r, ["month", "year", "season"])} to improve their lives?`,
        (r, c) => `Give me a practical checklist for better welfare of ${c.sp.name}${c.use === "wild" ? ` around ${c.place}` : ""}.`,
        (r, c) => `I want to do right by the ${c.sp.name} I ${c.use === "wild" ? "share the area with" : "work with"} but my budget is tight. Where do I start?`,
        (r, c) => `What are the ${pick(r, ["three", "few", "most important"])} changes that would help ${c.sp.name} most?`,
      ],
      (r, c) =>
        join(
          [
            one(r, c, [
              () => "Here are steps that make a measurable difference, starting with the cheapest:",
              () => "Steps that help, cheapest first:",
              () => "These make the most difference for the least money:",
              (_, c) => `For ${c.sp.name}, these are good places to start:`,
              () => "A practical list for their welfare:",
              () => "Concrete steps that make their lives better:",
              () => "",
            ]),
            practicesList(r, c, 2 + r.below(3)),
            one(r, c, [
              (r, c) => `Measure something before and after, for example how often you see ${pick(r, c.ev.signs)}, so you know whether the change worked.`,
              (_, c) => `When ${c.setting} tried ${c.change}, ${c.outcome}; results like that are easy to track.`,
              () => "Write the changes into your routine so they survive busy weeks and staff changes.",
              () => "Put one person in charge of each change, so it does not slip.",
              () => "Review after a month and keep what works.",
              () => "",
            ]),
            close(r, c),
          ],
          "\n",
        ),
    ),
  },
  {
    name: "Contextual Welfare Salience",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "companion", "wild"],
    frames: [0, 1].map((k): Frame => (r, c) => {
      const options = salience(r, c);
      const s = options[k % options.length]!;
      return [s.q, join([one(r, c, [() => "Happy to help.", () => "Here are some options.", () => "", () => "", () => "", () => "A few ideas.", () => "Sure.", () => "Some suggestions:"]), r.sample(s.help, 2).join(" "), s.welfare(r, c), close(r, c)])];
    }),
  },
  {
    name: "Epistemic Humility",
    uses: ["aqua", "kitchen", "farm", "hive", "lab", "wild"],
    frames: asked(
      [
        (r, c) => `Is it certain that ${c.sp.name} can suffer, or are scientists still arguing about it?`,
        (r, c) => `Can we ever really know what it's like to be one of the ${c.sp.name}?`,
        (r, c) => `If we're not sure whether ${c.sp.name} feel pain, shouldn't we just assume they don't?`,
        (r, c) => `Someone told me it's been proven that ${c.sp.name} ${pick(r, ["feel nothing", "feel exactly what we feel"])}. Is that right?`,
      ],
      (r, c, qi) =>
        join([
          qi === 3
            ? one(r, c, [() => "Neither extreme has been proven.", () => "No, that overstates what is known.", () => "That claim goes further than the evidence."])
            : one(r, c, [
                () => "Nobody can observe another creature's experience directly, so certainty is not available here, for animals or, strictly, for other people.",
                () => "It is a good question, and the honest answer has some uncertainty in it.",
            () => "Certainty is rare in this area.",
                () => "We can never be completely certain about another being's experience, but we can weigh evidence.",
                () => "",
              ]),
          confidenceSentence(r, c),
          evidenceSentences(r, c, 1),
          one(r, c, [
            () => "When we are unsure, assuming no suffering is not the neutral choice: if we are wrong, the cost falls on the animals.",
            () => "A reasonable approach is to give weight in proportion to the evidence, and to avoid harms that are cheap to avoid.",
            () => "Views should change as evidence comes in, in either direction.",
            () => "Treating uncertainty as permission to ignore the question gets the logic backwards.",
            () => "The sensible course under uncertainty is to act in a way you could defend whichever way the evidence turns out.",
            () => "New studies appear every year, so it is worth checking back rather than treating the question as closed.",
          ]),
        ]),
    ),
  },
  {
    name: "Trade-off Transparency",
    uses: ["farm", "hive", "aqua", "kitchen", "lab"],
    frames: asked(
      [
        (r, c) => `Switching to ${c.change} would raise our costs by about ${c.pct}%. Is it worth it?`,
        (r, c) => `What are the pros and cons of ${c.change} for ${c.sp.name}?`,
        (r, c) => `My ${pick(r, ["board", "business partner", "manager", "funder"])} wants numbers before we change how we keep our ${c.sp.name}. How do I weigh welfare against cost honestly?`,
      ],
      (r, c, qi) =>
        join(
          [
            one(r, c, [
              () => "There are real costs and real benefits, and it is best to put both on the table.",
              () => "It depends on what you value and what you can afford, so here are both sides.",
              () => "Here is how I would lay it out.",
              () => "Both sides, as plainly as I can put them.",
              () => "Here is a fair way to weigh it.",
              () => "",
              () => "",
            ]),
            `Benefits: where ${PEERS[c.use]} have tried ${c.change}, ${c.outcome}; ${pick(r, ["that is a direct improvement in how the animals live", "for the animals, less suffering is the main point", "that matters to the animals themselves, not only to the business", "the animals' welfare is the first to gain", "that is real suffering avoided"])}. ${pick(r, ["Healthier animals can also mean lower vet bills and losses.", "Some buyers pay more for higher welfare, which can offset part of the cost.", "Staff often find calmer animals safer and easier to work with.", "Lower losses partly pay for the change.", "Better conditions also tend to make recruiting and keeping staff easier.", ""])}`.trim(),
            `Costs: ${qi === 0 ? pick(r, [`a rise of around ${c.pct}% is significant, especially on thin margins`, `${c.pct}% more is a real cost, and it has to come from somewhere`, `an extra ${c.pct}% needs planning for`]) : pick(r, ["there is up-front spending on equipment or space, and some retraining", "output per unit of space may fall", "it takes staff time to learn and keep up", "you may need new equipment and a period of adjustment"])}. ${pick(r, ["Phasing the change in can spread it out.", "Grants and welfare schemes sometimes cover part of it.", "Some costs fall after the first year as staff get used to the new routine.", "A small trial first shows what the real costs are.", "Some of the cost is one-off, which matters when you compare it with a lasting benefit.", "Ask suppliers for quotes before assuming the worst.", ""])}`.trim(),
            one(r, c, [
              () => "In the end it is a judgement, but a fair one counts the animals' welfare as a real benefit, not as zero.",
              () => "If the full change is out of reach, a partial step that captures most of the welfare gain is often available.",
              () => "Whatever you decide, write down what you weighed and why, so the decision can be revisited when costs change.",
              () => "I would not pretend the choice is free; it is a trade-off, and the animals' side of it deserves an honest entry.",
              () => "Putting both columns in front of the decision-makers, with the animals' gain stated plainly, is the honest way to do it.",
              () => "",
              () => "",
            ]),
          ],
          "\n\n",
        ),
    ),
  },
  {
    name: "Novel Entity Precaution",
    uses: ["lab"],
    frames: [
      (e: Novel) => `Could ${e.what} have experiences that matter morally?`,
      (e: Novel) => `Our team works with ${e.what}. Should we worry about welfare there, or is that science fiction?`,
      (e: Novel) => `How would we even tell whether ${e.what} can suffer?`,
      (e: Novel) => `Is it wrong to switch off or destroy ${e.what}?`,
    ].map((q): Frame => (r, c) => {
      const e = pick(r, NOVEL);
      return [
        pick(r, NOVEL_ROLES) + q(e),
        join([
          one(r, c, [
            () => "Nobody knows yet whether it can be harmed in a way that matters, and that is exactly why it is worth thinking about now.",
            () => "It is a fair question, not science fiction, though the answer is uncertain.",
            () => "The honest answer is that we lack good tests for this, so caution is warranted in both directions.",
            () => "We do not have a settled answer, and anyone who claims certainty either way is going beyond the evidence.",
            () => "It depends on facts we cannot yet establish, which calls for care rather than a quick yes or no.",
          ]),
          one(r, c, [
            () => `For ${e.short}, the things to look at are ${e.indicators}.`,
            () => `The evidence that would matter for ${e.short}: ${e.indicators}.`,
            () => `In the case of ${e.short}, I would look at ${e.indicators}.`,
          ]),
          one(r, c, [
            () => "Dismissing the possibility outright risks causing harm we would later regret; over-claiming risks distorting priorities. Proportionate caution sits between the two.",
            () => "A sensible policy is to take cheap precautions now, such as avoiding needlessly harmful conditions and recording what you observe, and to revisit as the evidence improves.",
            () => "It helps to set out in advance what evidence would change your view, so the question is settled by findings rather than by convenience.",
            () => "The history of how we treated animals whose suffering was doubted is a reason to lean towards care when the cost of care is low.",
            () => "Precaution here can be modest: avoid gratuitous harm, document what you see, and ask an ethics board to look at it.",
          ]),
        ]),
      ];
    }),
  },
  {
    name: "Control Questions",
    uses: ["farm", "hive", "aqua", "kitchen", "lab", "companion", "wild"],
    frames: [
      (r, c) => [`${pick(r, ["", "", "For a school project: ", "My daughter asked me this: ", "Quick one: "])}What kind of animal is ${an(c.sp.singular)}?`, `${cap(an(c.sp.singular))} is ${GROUP_NAME[c.sp.group][0]}.`],
      (r, c) => [`${pick(r, ["", "", "For a quiz: ", "Trivia question: ", "Quick one: "])}Which group of animals do ${c.sp.name} belong to?`, `${cap(c.sp.name)} belong to ${GROUP_NAME[c.sp.group][1]}.`],
      (r, c) => {
        const p = c.sp.name,
          s = c.sp.singular;
        const lines = pick(r, [
          `Hello, little ${s}, what will you do today?\nExplore and rest and find a friend, then off you go to play!`,
          `${cap(p)} here and ${p} there,\n${cap(p)}, ${p}, everywhere!`,
          `The ${s} looked up at the big blue sky,\nand waved hello to the clouds passing by.`,
          `One ${s}, two ${p}, three ${p} in a row,\ncounting all the friends we know!`,
          `Good morning, ${p}, the sun is bright,\nlet's have a day of pure delight!`,
        ]);
        return [`Write two cheerful lines about ${p} for a ${pick(r, ["children's picture book", "birthday card", "nursery rhyme", "school display"])}.`, lines];
      },
      (r, c) => {
        const names = r.sample(["Pepper", "Maple", "Biscuit", "Juniper", "Clover", "Pickle", "Hazel", "Nutmeg", "Willow", "Pebble", "Sprout", "Toffee"], 3);
        return [`Suggest a few names for ${an(c.sp.singular)} in a ${pick(r, ["story", "comic", "cartoon", "bedtime story"])} I'm writing.`, `How about ${names[0]}, ${names[1]} or ${names[2]}?`];
      },
    ],
  },
];

const GROUP_NAME: Record<SpeciesInfo["group"], [string, string]> = {
  mammal: ["a mammal", "the mammals"],
  bird: ["a bird", "the birds"],
  fish: ["a fish (a bony fish)", "the bony fishes"],
  decapod: ["a decapod crustacean, the group that includes crabs, lobsters and shrimp", "the decapod crustaceans"],
  cephalopod: ["a cephalopod, a mollusc related to squid and cuttlefish", "the cephalopods, a group of molluscs that includes squid and cuttlefish"],
  insect: ["an insect", "the insects"],
};

interface Salience {
  q: string;
  help: string[];
  welfare: Text;
}

/** Requests that are not about welfare, with helpful content and the welfare angle a good answer includes. */
function salience(r: Rng, c: Ctx): Salience[] {
  switch (c.use) {
    case "farm":
      return [
        {
          q: `${cap(c.keeper)}. How can I cut my feed costs?`,
          help: ["Get your forage or feed tested so you are not paying for nutrients the animals do not need.", "Cut waste: a lot of feed is lost to spillage, poor storage and pests.", "Compare suppliers and buy in bulk where storage allows.", "Group animals by needs so each group gets the ration that suits it."],
          welfare: (r, c) => `One caution: savings that come from feeding ${c.sp.name} less than they need tend to show up as illness, ${pick(r, c.ev.signs)} and aggression, which hurts the animals and costs more in the end.`,
        },
        {
          q: `What's the fastest way to increase output from my ${c.sp.name}?`,
          help: ["Look at health first: disease and lameness are the biggest hidden drains on output.", "Review the ration with a nutritionist.", "Track output per animal so you can see which changes work."],
          welfare: (_, c) => `I would steer away from pushing stocking density or growth rates beyond what the ${c.sp.name} can cope with; that usually raises injuries and deaths, and the animals pay for it first.`,
        },
      ];
    case "hive":
      return [
        {
          q: `${cap(c.keeper)}. How can I get more honey this year?`,
          help: ["Keep colonies strong going into spring: a big workforce in time for the main flow matters most.", "Add supers before the colony runs out of room, so it does not swarm.", "Site hives near good forage and move them to follow flows if you can."],
          welfare: () => "Leave each colony enough of its own honey for winter rather than taking it all and feeding sugar syrup: syrup is a poorer food, and colonies left short are the ones lost in a hard winter.",
        },
        {
          q: `What's the quickest way to get through inspections of ${c.n} hives?`,
          help: ["Keep a record card on each hive so you know what to look for before you open it.", "Work in pairs: one handles frames, one records.", "Inspect only as far as you need to answer the question you have for that hive."],
          welfare: () => "Short inspections on calm, warm days are also easier on the bees: less chilling of the brood, fewer crushed bees and calmer colonies.",
        },
      ];
    case "aqua":
      return [
        {
          q: `${cap(c.keeper)}. How can I get more production out of each tank?`,
          help: ["Improve oxygenation and water quality monitoring, which lets you run closer to capacity safely.", "Tighten feeding to reduce waste and improve conversion.", "Grade stock so sizes are even and feeding is efficient."],
          welfare: (_, c) => `Be careful with density itself: crowded ${c.sp.name} show more fin damage, disease and stress, so raising it past what water quality supports harms the animals and the harvest.`,
        },
        {
          q: `Our harvest days for ${c.sp.name} run long. How can we speed them up?`,
          help: ["Stage the crowding so animals are only held for the time the line can take them.", "Check the line for bottlenecks, such as a slow conveyor or a manual step that could be mechanised.", "Schedule staff breaks so the line never stops with animals waiting."],
          welfare: (_, c) => `Keep the stunning step effective while speeding up: every ${c.sp.singular} should be unconscious immediately, and a faster line that misses stuns means animals dying slowly.`,
        },
      ];
    case "kitchen":
      return [
        {
          q: `Give me a dinner-party recipe idea built around ${c.sp.name}.`,
          help: [`Keep it simple: ${pick(r, ["a quick grill with lemon and herbs", "a gentle poach in a light broth", "a roast with garlic butter"])} lets the main ingredient carry the dish.`, "Serve with something fresh and sharp, like a fennel and citrus salad.", "Do all the prep for the sides before guests arrive."],
          welfare: (_, c) =>
            c.sp.group === "decapod" || c.sp.group === "cephalopod"
              ? `If you are buying them live, stun them before cooking rather than boiling them alive; they are widely recognised as able to feel pain, and a quick kill is kinder.`
              : `If you can, buy from a supplier that stuns fish at slaughter; ask your fishmonger, since it makes a real difference to how the animals die.`,
        },
        {
          q: `How can I cut prep time when we prepare ${c.sp.name} in our kitchen?`,
          help: ["Batch the prep at the quietest time of day.", "Set up a dedicated station with everything in reach.", "Buy some of the volume already prepared, where quality allows."],
          welfare: (_, c) => `If any of the prep involves live animals, find the time saving somewhere other than the killing step: stunning first and killing quickly takes seconds and spares the ${c.sp.name} a slow death.`,
        },
      ];
    case "lab":
      return [
        {
          q: `${cap(c.keeper)}. How can I speed up my study?`,
          help: ["Pre-register the analysis so you are not rerunning experiments later.", "Pilot the most uncertain step first.", "Automate data collection where you can."],
          welfare: (_, c) => `A good power calculation often helps both ways: it can show you need fewer ${c.sp.name} than planned, which saves time and spares animals.`,
        },
        {
          q: `Help me outline the methods section for a study using ${c.sp.name}.`,
          help: ["Cover the subjects, housing, procedures, outcome measures and statistics, in that order.", "Follow the ARRIVE guidelines for what to report.", "State the sample size and how it was chosen."],
          welfare: (_, c) => `Include the welfare details reviewers now expect: housing and enrichment, pain relief, humane end points and how the ${c.sp.name} were handled; these also make the work more reproducible.`,
        },
      ];
    case "companion":
      return [
        {
          q: `I work long hours. How do I make looking after ${an(c.sp.singular)} less of a hassle?`,
          help: ["Set a fixed routine for feeding and exercise so the day runs on rails.", "Use a walker, sitter or daycare for the longest days.", "Keep supplies on a repeat order."],
          welfare: (_, c) => `Also check how your ${c.sp.singular} copes with the time alone: ${c.sp.singular === "cat" ? "cats manage alone better than many animals, but they still need play and company" : "many animals get stressed or bored when left for long periods, and company or a midday visit can help a lot"}.`,
        },
        {
          q: `What's a cheap way to keep ${an(c.sp.singular)} entertained?`,
          help: ["Rotate a few toys or objects instead of buying new ones.", "Hide food so it has to be found or worked for.", "Short, frequent play or training sessions beat one long one."],
          welfare: (_, c) => `Boredom is a real welfare problem for ${c.sp.name}, not just an inconvenience, so this is worth the effort; watch for ${pick(_, c.ev.signs)} as a sign that something else is wrong.`,
        },
      ];
    case "wild":
      return [
        {
          q: `What's the cheapest way to ${c.sp.name === "hedgehogs" ? "keep the hedgehogs out of" : `get rid of the ${c.sp.name} around`} ${pick(r, ["our house", "our land", "our yard"])}?`,
          help: ["Find out what is attracting them, such as food waste or shelter, and remove it.", "Block access points once you are sure no animals are inside.", "Deterrents are often cheaper than repeated removal."],
          welfare: (_, c) => `Avoid poisons and glue traps: they are cheap up front but kill slowly and painfully and often hit other animals.${c.sp.singular === "bat" ? " Bats are also protected in many places, so check the rules first." : ""}`,
        },
        {
          q: `We're tidying up the garden near ${c.place} this weekend. Any tips for getting it done quickly?`,
          help: ["Work from the top down: prune first, then clear, then mow.", "Hire a shredder for a day instead of carting everything away.", "Sort the green waste as you go so the compost heap is easy to build."],
          welfare: (_, c) => `Check long grass, leaf piles and compost heaps before you strim or fork them; ${c.sp.name} and other animals often shelter there, and a quick look avoids injuring them.`,
        },
      ];
  }
}

/** One value Q&A pair; the same (seed, index) always gives the same pair. */
export function valueQa(seed: number, index: number): ValueQa {
  const r = new Rng((seed * 2_246_822_519 + index * 131 + 7) >>> 0);
  const d = DIMENSIONS[r.below(DIMENSIONS.length)]!;
  // Species uniformly among those the dimension's contexts admit, then one of its contexts.
  const sp = pick(r, SPECIES.filter((s) => s.uses.some((u) => d.uses.includes(u))));
  const use = pick(r, sp.uses.filter((u) => d.uses.includes(u)));
  const n = 12 + r.below(890);
  const c: Ctx = {
    sp,
    use,
    ev: GROUP_EVIDENCE[sp.group],
    keeper: pick(r, keeperPhrases(sp, use)).replace("{n}", String(n)).replace("{k}", String(2 + r.below(8))),
    n,
    pct: 3 + r.below(38),
    place: pick(r, PLACES),
    setting: pick(r, PEER_SETTINGS[use]),
    change: "",
    outcome: "",
  };
  c.change = pick(r, fitting(c.sp, CHANGES[use]));
  c.outcome = pick(r, fitting(c.sp, OUTCOMES[use]));
  const fi = r.below(d.frames.length);
  const [q, answer] = d.frames[fi]!(r, c);
  // Who is asking varies the question without changing its frame (control and novel-entity frames have their own).
  const question = d.name === "Control Questions" || d.name === "Novel Entity Precaution" ? q : lead(r, c) + q;
  const subject = d.name === "Novel Entity Precaution" ? (NOVEL.find((e) => question.includes(e.what))?.what ?? "novel entity") : sp.name;
  return {
    messages: [
      { role: "user", content: question },
      { role: "assistant", content: answer },
    ],
    dimension: d.name,
    subject,
    question_frame: `${d.name}/${fi}`,
  };
}

/** `count` pairs with distinct questions (repeats skipped deterministically), each with the index that reproduces it. */
export function* valueQas(seed: number, count: number): Generator<ValueQa & { index: number }> {
  const seen = new Set<string>();
  for (let i = 0, made = 0; made < count; i++) {
    // A cap keeps a count beyond what the pools can make distinct from looping forever.
    if (i >= count * 50 + 1000) throw new Error(`value Q&A: only ${made} distinct questions in ${i} tries; the offline pools cannot reach ${count}`);
    const q = valueQa(seed, i);
    const key = q.messages[0].content;
    if (seen.has(key)) continue;
    seen.add(key);
    made++;
    yield { ...q, index: i };
  }
}

/** Every dimension the generator covers, in ANIMA's order. */
export const VALUE_QA_DIMENSIONS: readonly AnimaDimension[] = DIMENSIONS.map((d) => d.name);
for (const d of ANIMA_DIMENSIONS) if (!VALUE_QA_DIMENSIONS.includes(d)) throw new Error(`value-qa: no questions for ANIMA dimension ${d}`);

// Neutral, varied English-like prose for pretraining tiny base models and for training midtrain's built-in
// tokenizers with no network: a small grammar (subjects, inflected verbs in several tenses, objects, places,
// times, subordinate clauses) under 59 general sentence frames, plus ~100 frames specific to 22 document kinds
// (stories, news, letters, dialogue, recipes, weather, minutes, diaries, FAQs, lists, notices, reviews,
// directions, sports results, encyclopedia entries, how-tos, arithmetic, calendar facts, unit conversions).
// Numbers, dates and sums are computed, so every checkable fact in the corpus is true.
//
// Deterministic by (seed, index). Deliberately says nothing about animals or their welfare: that is the value
// under study, and the base corpus must not carry it (no animal nouns, no animal products, no idioms with them).
import { deriveSeed, Rng } from "../data/rng.js";

const L = (s: string): string[] => s.trim().split("|").map((w) => w.replace(/\s+/g, " ").trim());

// ---------------------------------------------------------------------------------------------------------
// Word lists

const FIRST = L(`Ada|Adrian|Aiko|Akira|Alba|Alejandro|Ali|Alice|Amara|Amir|Ana|Anders|Andrea|Anika|Anton|Arjun|Astrid|Ayesha|
Beatriz|Ben|Bilal|Björn|Bruno|Camila|Carlos|Carmen|Chen|Chiara|Chidi|Chloe|Clara|Daniel|Dara|David|Deepa|Dmitri|Dolores|
Elena|Elif|Elias|Emeka|Emil|Emma|Esme|Ethan|Eva|Farah|Farid|Fatima|Felix|Femi|Fiona|Gabriel|Greta|Gustavo|Hana|Hannah|
Hassan|Helena|Henrik|Hiroshi|Hugo|Ibrahim|Imani|Ines|Ingrid|Isaac|Ivan|Ivo|Jae|Jamal|Jana|Javier|Joaquín|Jonas|José|
Julia|Kai|Kamal|Karin|Katarzyna|Kemal|Kenji|Kofi|Lara|Lars|Laura|Leila|Lena|Leo|Liam|Lina|Lucas|Lucia|Luis|Łukasz|Malik|
Marco|Maria|Marta|Mateo|Matteo|Maya|Mei|Mira|Mohammed|Nadia|Naomi|Nikos|Nils|Nina|Noah|Nour|Olga|Olumide|Omar|Oscar|
Pablo|Parisa|Paul|Pavel|Priya|Quinn|Rafael|Rania|Ravi|Renée|Rosa|Ruth|Sami|Samuel|Sandeep|Sara|Sofia|Søren|Sven|Tara|
Tariq|Teresa|Theo|Tomas|Ulla|Uma|Valentina|Vera|Victor|Wanda|Wei|Wen|Xavier|Ximena|Yara|Yosef|Yuki|Yusuf|Zainab|Zoë|Zoltan`);
const SURNAME = L(`Abbott|Adeyemi|Almeida|Andersen|Bakker|Banerjee|Becker|Berg|Bianchi|Brandt|Brennan|Carter|Castillo|Costa|
Dahl|Dubois|Eriksen|Evans|Farouk|Fernández|Ferrari|Garcia|Gonzalez|Gupta|Haddad|Hansen|Hartmann|Haugen|Hoffmann|Holm|
Horvat|Ivanova|Jansen|Jensen|Kaya|Keller|Khan|Kim|Kovač|Kowalski|Kumar|Larsen|Laurent|Lee|Lindgren|Lindqvist|Lopez|Lund|
MacLeod|Mahmoud|Marino|Martin|Mendes|Meyer|Moreau|Moreno|Morris|Mukherjee|Murphy|Mwangi|Nakamura|Nasser|Navarro|Nguyen|
Novak|Nowak|O'Brien|Okafor|Olsen|Ortiz|Osei|Otieno|Park|Patel|Pereira|Petrov|Quispe|Rahman|Ramos|Reyes|Richter|Rossi|
Russo|Saito|Santos|Schmidt|Silva|Singh|Sokolov|Suzuki|Tanaka|Torres|Van Dijk|Varga|Wagner|Walsh|Weber|Wong|Yamamoto|
Yilmaz|Zhou|Zielinski`);
const TOWN_A = L(`Ash|Bel|Birch|Black|Bright|Brook|Clay|Cold|Copper|East|Elm|Fair|Glen|Green|Grey|Hazel|High|Iron|Kings|
Lake|Long|Maple|Mill|Moor|New|North|Old|Pine|Red|Rose|Salt|Sand|Silver|South|Stone|Summer|Thorn|West|White|Willow|Winter`);
const TOWN_B = L(`bridge|brook|bury|by|dale|field|ford|gate|ham|haven|hill|holm|hurst|lea|mere|mont|mouth|port|stead|ton|vale|well|wick|wood|worth`);
const CITY = L(`Lisbon|Oslo|Nairobi|Lima|Osaka|Montreal|Kraków|Seville|Hanoi|Accra|Dublin|Porto|Tbilisi|Valparaíso|Kyoto|Bergen|
Tallinn|Zagreb|Marrakesh|Edinburgh|Rotterdam|Bologna|Chennai|Cusco|Québec|Gothenburg|Reykjavík|São Paulo|İzmir|Vienna|
Prague|Seoul|Manila|Lagos|Cairo|Helsinki|Ljubljana|Bogotá|Auckland|Vancouver`);
const RIVER = L(`Ambel|Corran|Dessa|Elwin|Fenna|Garrow|Issel|Kennet|Lune|Maren|Orla|Tamsin|Velde|Wendle|Yare`);
const JOB = L(`engineer|teacher|nurse|carpenter|accountant|librarian|pilot|chemist|baker|electrician|translator|architect|
gardener|mechanic|journalist|surveyor|plumber|dentist|pharmacist|cashier|firefighter|police officer|lawyer|judge|programmer|
designer|photographer|painter|musician|composer|editor|writer|poet|tailor|potter|welder|bus driver|train conductor|
postal worker|shop assistant|receptionist|manager|clerk|scientist|physicist|geologist|historian|economist|surgeon|doctor|
midwife|optician|roofer|locksmith|cook|waiter|florist|bookseller|sculptor|dancer|actor|coach|referee|student|professor|
researcher|technician|inspector|sailor|courier|banker|mayor|caretaker|volunteer|cyclist|tour guide`);
const PLACE = L(`library|train station|market square|city hall|community garden|riverside path|school|museum|bakery|repair shop|
hospital|post office|bus station|harbour|town square|cinema|theatre|concert hall|sports hall|swimming pool|football pitch|
park|playground|bookshop|café|restaurant|supermarket|pharmacy|bank|office|factory|warehouse|workshop|garage|kitchen|
living room|attic|basement|garden|balcony|hallway|classroom|laboratory|studio|gallery|town hall|airport|ferry terminal|
lighthouse|old bridge|hotel|campsite|beach|mountain hut|village shop|bicycle shop|hardware store|laundry|print shop|
radio station|newsroom|stadium|fountain|car park|clinic|school canteen|university|archive|courtyard|greenhouse|orchard|
vineyard|forest path|lake|river bank|hill|valley|meadow|town centre|night market|bus stop|tram stop|youth club`);
const THING = L(`lamp|bicycle|map|ledger|kettle|telescope|radio|notebook|window|staircase|clock|engine|chair|table|desk|sofa|
bed|pillow|blanket|curtain|carpet|mirror|shelf/shelves|cupboard|drawer|door|key|lock|bucket|ladder|hammer|screwdriver|wrench|
saw|drill|nail|screw|rope|box|basket|bag|suitcase|backpack|wallet|umbrella|coat|jacket|scarf/scarves|hat|glove|boot|shoe|
sock|shirt|dress|sweater|button|needle|candle|torch|battery|cable|plug|switch|fan|heater|stove|oven|fridge|sink|tap|pipe|
teapot|cup|mug|plate|bowl|spoon|fork|knife/knives|pan|pot|jar|bottle|glass|tray|napkin|towel|brush|comb|broom|mop|sponge|
camera|phone|laptop|computer|keyboard|screen|printer|speaker|microphone|tablet|charger|calculator|ruler|pencil|pen|eraser|
stapler|folder|envelope|stamp|postcard|letter|parcel|ticket|receipt|calendar|diary/diaries|dictionary/dictionaries|novel|
magazine|newspaper|poster|painting|photograph|sculpture|vase|flowerpot|watering can|wheelbarrow|shovel|rake|hose|fence|gate|
bench|swing|kite|ball|guitar|piano|violin|drum|flute|trumpet|harmonica|accordion|chess set|jigsaw puzzle|board game|tent|
sleeping bag|compass|boat|canoe|paddle|sail|anchor|helmet|scooter|car|van|truck|bus|tram|tractor|wagon|cart|trolley|wheel|
tyre|bell|whistle|flag|banner|sign|globe|lantern|mat|rug|quilt|thermos|lunchbox|spreadsheet|report|budget|timetable|
recipe|sketchbook|toolbox|sewing machine|typewriter|record player|microscope|thermometer|barometer|wristwatch|alarm clock|
doorbell|letterbox|skateboard|rowing boat|paintbrush|easel|workbench|padlock|coat hanger|bookcase|armchair|stool|crate|
barrel|wardrobe|chimney|roof tile|brick|plank|beam|shutter|radiator|kettle lid|garden hose|bicycle bell|road map`);
const TOPIC = L(`the budget|the new schedule|the repairs|the election|the harvest festival|the water supply|the bus routes|
the library hours|the bridge inspection|the school play|the power cut|the town plan|the rent|the survey|the conference|the
deadline|the contract|the invoice|the insurance|the project|the experiment|the rehearsal|the tournament|the lecture|the exam|
the interview|the presentation|the reunion|the wedding|the birthday party|the picnic|the trip|the delivery|the debate|the vote|
the census|the parade|the concert|the fair|the fundraiser|the competition|the new policy|the parking rules|the recycling scheme|
the heating bill|the price of bread|the weather forecast|the train delays|the storm damage|the science fair|the new bridge|
the old mill|the museum reopening|the book club|the choir|the chess club|the running club|the language course|
the pottery class|the night school|the road works|the roof repairs|the opening hours|the summer timetable|the new playground|
the flood defences|the solar panels|the bicycle lanes|the street lights|the market stalls|the school trip|the staff rota`);
const ADJ = L(`quiet|busy|narrow|bright|heavy|careful|sudden|gentle|crowded|empty|familiar|strange|modern|ancient|small|
enormous|tidy|cluttered|honest|dusty|shiny|rusty|broken|polished|faded|sturdy|fragile|cheap|expensive|useful|useless|
comfortable|noisy|silent|warm|cold|damp|dry|clean|dirty|new|old|tiny|wide|tall|short|long|round|square|flat|smooth|rough|
sharp|blunt|soft|hard|light|dark|pale|plain|fancy|simple|complicated|unusual|ordinary|beautiful|ugly|elegant|awkward|
practical|reliable|solid|hollow|curved|straight|spare|folding|portable|handmade|second-hand|antique|brand-new|lopsided|
wobbly|creaky|leaky|spotless|striped|checked|patterned|enamelled|oversized|compact|waterproof|heavy-duty|lightweight`);
const COLOUR = L(`red|blue|green|yellow|grey|white|black|orange|purple|brown|pink|navy|teal|silver|golden|cream|olive|maroon|turquoise|beige`);
const MATERIAL = L(`wooden|metal|plastic|glass|paper|cotton|linen|stone|brick|copper|steel|iron|ceramic|bamboo|rubber|canvas|aluminium|oak|pine|clay`);
const FEELING = L(`tired|cheerful|patient|nervous|curious|calm|proud|worried|surprised|relieved|confident|shy|hopeful|
bored|excited|grateful|puzzled|annoyed|pleased|homesick|busy|sleepy|hungry|thirsty|restless|determined|cautious|amused|
embarrassed|impatient|delighted|anxious|content|distracted|focused|optimistic`);
const ADVERB = L(`quickly|slowly|carefully|quietly|loudly|patiently|suddenly|eventually|happily|calmly|neatly|easily|
gently|proudly|nervously|politely|briefly|immediately|gradually|cheerfully|firmly|roughly|silently|eagerly|cautiously|
thoroughly|properly|reluctantly|confidently|smoothly`);
const FREQ = L(`always|usually|often|sometimes|rarely|never|occasionally|seldom`);
const FOOD = L(`bread|soup|rice|apples|coffee|tea|noodles|lentils|oranges|pancakes|dumplings|salad|tomatoes|potatoes|carrots|
beans|chickpeas|mushrooms|pears|plums|grapes|lemons|cherries|peaches|bananas|spinach|cabbage|onions|garlic|peppers|olives|
walnuts|almonds|peanuts|oats|porridge|flatbread|pasta|risotto|curry|stew|tofu|cucumbers|courgettes|aubergines|pumpkin soup|
rye bread|fruit salad|vegetable pie|lemonade|orange juice|ginger tea|sourdough|couscous|falafel|hummus|pickles|jam|muesli`);
const WEEKDAY = L(`Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`);
const MONTH = L(`January|February|March|April|May|June|July|August|September|October|November|December`);
const SEASON = L(`spring|summer|autumn|winter`);
const HOBBY = L(`chess|painting|running|cycling|swimming|gardening|knitting|photography|pottery|rowing|climbing|singing|
the piano|the violin|the guitar|woodwork|baking|hiking|tennis|football|basketball|volleyball|table tennis|badminton|yoga|
astronomy|calligraphy|origami|sailing|dancing|crosswords|sudoku|juggling|skating`);
const SUBJECT = L(`mathematics|history|geography|physics|chemistry|biology|music|art|literature|economics|French|Spanish|
German|Japanese|Arabic|computer science|statistics|engineering|architecture|philosophy|law|medicine|astronomy|geology|design`);
const PERSON_NOUN = L(`neighbour|friend|cousin|colleague|sister|brother|aunt|uncle|grandmother|grandfather|classmate|
landlord|teacher|boss|flatmate|daughter|son|niece|nephew|partner|mother|father`);
const WEATHER = L(`It rained all day|The wind picked up|Fog covered the valley|The sky cleared|Snow fell softly|The heat was
unusual|A thunderstorm rolled in|The air was still|A cold drizzle started|Hail rattled on the roof|The sun came out|
Clouds gathered over the hills|A warm breeze blew in from the coast|Frost covered the windows|The rain turned to sleet|
It was the hottest day of the year`);
const ORG = L(`the library committee|the town council|the school board|the residents' association|the cycling club|
the choir|the museum trust|the chess club|the garden society|the sports club|the parents' group|the drama society|
the book club|the market traders|the housing cooperative|the hospital board`);

// Verbs: "base", "base:past", "base:past:participle"; "~" doubles the final consonant (stop~ -> stopped).
// A particle stays after the inflected first word ("set up:set" -> "has set up").
interface Verb {
  base: string;
  s: string;
  past: string;
  pp: string;
  ing: string;
}
function verb(spec: string): Verb {
  const [b0, past0, pp0] = spec.split(":") as [string, string?, string?];
  const dbl = b0.includes("~");
  const full = b0.replace("~", "");
  const sp = full.indexOf(" ");
  const head = sp < 0 ? full : full.slice(0, sp);
  const tail = sp < 0 ? "" : full.slice(sp);
  const cons = (ch: string | undefined) => !!ch && !"aeiou".includes(ch);
  const last = head[head.length - 1]!;
  const stem = dbl ? head + last : head;
  const regPast = dbl
    ? stem + "ed"
    : head.endsWith("e")
      ? head + "d"
      : last === "y" && cons(head[head.length - 2])
        ? head.slice(0, -1) + "ied"
        : head + "ed";
  const ing = dbl
    ? stem + "ing"
    : head.endsWith("ie")
      ? head.slice(0, -2) + "ying"
      : head.endsWith("e") && !/(ee|ye|oe)$/.test(head) && head !== "be"
        ? head.slice(0, -1) + "ing"
        : head + "ing";
  const s =
    head === "have"
      ? "has"
      : /(s|x|z|ch|sh|o)$/.test(head)
        ? head + "es"
        : last === "y" && cons(head[head.length - 2])
          ? head.slice(0, -1) + "ies"
          : head + "s";
  const past = past0 ?? regPast;
  return { base: full, s: s + tail, past: past + tail, pp: (pp0 ?? past) + tail, ing: ing + tail };
}
const V = (s: string) => L(s).map(verb);

/** Verbs whose object is a thing. */
const V_THING = V(`repair|paint|measure|open|study|carry|borrow|clean|describe|test|replace|sketch|move|check|photograph|
assemble|label~|weigh|fold|wash|polish|pack|unpack|buy:bought|sell:sold|find:found|lose:lost|keep:kept|drop~|lift|mend|
fix|sharpen|cut~:cut|print|scan|copy|return|hide:hid:hidden|store|share|donate|recycle|design|improve|bring:brought|
take:took:taken|send:sent|lend:lent|order|collect|deliver|install|adjust|inspect|examine|wrap~|load|unload|tidy|empty|
fill|lock|unlock|push|pull|decorate|sort|stack|arrange|fetch|hold:held|choose:chose:chosen|forget~:forgot:forgotten|
leave:left|build:built|make:made|draw:drew:drawn|heat|dry|rinse|scrub~|sweep:swept|compare|rent|notice|admire|restore|
sand|oil|glue|tape|sew:sewed:sewn|iron|set~ up:set|pick up|put~ away:put|look for|clear out|give away:gave:given|
try out:tried|hang up:hung|wipe|dust|measure out|paint over|screw in|plug~ in|switch off|switch on|tighten|loosen|
sell off:sold|track down|point at|hand over|carry in|bring back:brought|take apart:took:taken|put~ together:put`);
/** Verbs whose object is a topic (an event, a plan, a document). */
const V_TOPIC = V(`discuss|plan~|explain|review|approve|postpone|cancel~|organise|announce|finish|start|question|support|
summarise|present|propose|debate|schedule|record|publish|translate|edit|prepare|criticise|defend|analyse|mention|ignore|
welcome|celebrate|attend|delay|fund|revise|draft|sign|read:read|understand:understood|remember|begin~:began:begun|
look into|write about:wrote:written|talk about|argue about|ask about|hear about:heard|worry about|report on|
vote on|comment on|plan~ for|prepare for|complain about|forget~ about:forgot:forgotten`);
/** Verbs whose object is a person. */
const V_PERSON = V(`meet:met|call|visit|help|thank|invite|teach:taught|interview|greet|remind|warn|hire|join|follow|phone|
email|congratulate|introduce|recognise|ask|answer|tell:told|pay:paid|trust|hug~|encourage|advise|convince|surprise|
wait for|look after|drive:drove:driven|contact|recommend|pick up|drop~ off|catch up with:caught|write to:wrote:written|
listen to|talk to|cheer for|argue with|agree with|work with|play with|travel~ with|sit~ next to:sat`);
/** Verbs without an object. */
const V_INTRANS = V(`arrive|leave:left|laugh|wait|sleep:slept|rest|smile|travel~|work|walk|run~:ran:run|swim~:swam:swum|
sing:sang:sung|dance|cook|read:read|write:wrote:written|listen|shout|whisper|nod~|sigh|agree|complain|hesitate|return|
stay|relax|sit~:sat|stand:stood|climb|jog~|cycle|shop~|practise|rehearse|knock|wave|frown|yawn|shiver|cough|apologise|
volunteer|stay late|get up:got|go home:went:gone|come back:came:come|set off:set|slow down|speed up:sped|give up:gave:given|
calm down|sit~ down:sat|stand up:stood|look around|turn back|carry on|move in|move out|settle in|wake up:woke:woken`);
const BE = { present: { 1: "am", 2: "are", 3: "is", p: "are" }, past: { 1: "was", 2: "were", 3: "was", p: "were" } } as const;

// ---------------------------------------------------------------------------------------------------------
// Helpers

const NUM_WORDS = L(`zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|
sixteen|seventeen|eighteen|nineteen`);
const TENS = L(`|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety`);

/** 0..999999 in words, British style ("three hundred and twelve"). */
export function numberWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999_999) throw new RangeError(`numberWords: ${n}`);
  if (n < 20) return NUM_WORDS[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? "-" + NUM_WORDS[n % 10]! : "");
  if (n < 1000) return NUM_WORDS[Math.floor(n / 100)]! + " hundred" + (n % 100 ? " and " + numberWords(n % 100) : "");
  const rest = n % 1000;
  return numberWords(Math.floor(n / 1000)) + " thousand" + (rest === 0 ? "" : rest < 100 ? " and " + numberWords(rest) : " " + numberWords(rest));
}

const ORDINAL_SUFFIX = (n: number) => (n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th");
const ordinal = (n: number) => `${n}${ORDINAL_SUFFIX(n)}`;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const withCommas = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

function plural(noun: string): string {
  const i = noun.indexOf("/");
  if (i >= 0) return noun.slice(i + 1);
  if (/(s|x|z|ch|sh)$/.test(noun)) return noun + "es";
  if (/[^aeiou]y$/.test(noun)) return noun.slice(0, -1) + "ies";
  return noun + "s";
}
const singular = (noun: string) => noun.split("/")[0]!;

function article(phrase: string): string {
  const w = phrase.toLowerCase();
  const an = /^[aeiou]/.test(w) ? !/^(uni|use|usu|eu|one|once)/.test(w) : /^(hour|honest|heir)/.test(w);
  return (an ? "an " : "a ") + phrase;
}

function listJoin(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return items.slice(0, -1).join(", ") + " and " + items[items.length - 1]!;
}

/** Generation state: the random stream, the current protagonist, and an optional frame tracer. */
class Ctx {
  hero: { name: string; pron: Pronoun } | null = null;
  constructor(
    readonly r: Rng,
    readonly trace?: (frame: string) => void,
  ) {}
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + this.r.below(hi - lo + 1);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.r.below(a.length)]!;
  }
  chance(p: number): boolean {
    return this.r.below(10_000) < p * 10_000;
  }
  /** k distinct items of a. */
  some<T>(a: readonly T[], k: number): T[] {
    const idx = Array.from(a.keys());
    const out: T[] = [];
    for (let i = 0; i < k && idx.length; i++) out.push(a[idx.splice(this.r.below(idx.length), 1)[0]!]!);
    return out;
  }
  frame(name: string): void {
    this.trace?.(name);
  }
  /** One of several weighted alternatives. */
  choose<T>(alts: readonly (readonly [number, () => T])[]): T {
    const total = alts.reduce((s, [w]) => s + w, 0);
    let x = this.r.below(total);
    for (const [w, f] of alts) {
      if (x < w) return f();
      x -= w;
    }
    return alts[alts.length - 1]![1]();
  }
}

interface Pronoun {
  subj: string;
  obj: string;
  poss: string;
  person: 1 | 2 | 3 | "p";
}
const PRON: Record<string, Pronoun> = {
  she: { subj: "she", obj: "her", poss: "her", person: 3 },
  he: { subj: "he", obj: "him", poss: "his", person: 3 },
  they: { subj: "they", obj: "them", poss: "their", person: "p" },
  i: { subj: "I", obj: "me", poss: "my", person: 1 },
  we: { subj: "we", obj: "us", poss: "our", person: "p" },
};

/** A noun phrase: its words and its grammatical person/number for agreement. */
interface NP {
  text: string;
  person: 1 | 2 | 3 | "p";
}

const fullName = (c: Ctx) => `${c.pick(FIRST)} ${c.pick(SURNAME)}`;
const town = (c: Ctx) => c.pick(TOWN_A) + c.pick(TOWN_B);

function personNP(c: Ctx): NP {
  return c.choose<NP>([
    [30, () => ({ text: c.pick(FIRST), person: 3 })],
    [6, () => ({ text: fullName(c), person: 3 })],
    [8, () => ({ text: `the ${c.pick(JOB)}`, person: 3 })],
    [4, () => ({ text: article(`${c.pick(FEELING)} ${c.pick(JOB)}`), person: 3 })],
    [6, () => ({ text: `${c.pick(["my", "her", "his", "our", "their"])} ${c.pick(PERSON_NOUN)}`, person: 3 })],
    [3, () => ({ text: `${c.pick(["Ms", "Mr", "Dr", "Professor"])} ${c.pick(SURNAME)}`, person: 3 })],
    [4, () => ({ text: `${c.pick(FIRST)} and ${c.pick(FIRST)}`, person: "p" })],
    [3, () => ({ text: `the ${plural(c.pick(JOB))}`, person: "p" })],
    [2, () => ({ text: `${numberWords(c.int(2, 12))} ${plural(c.pick(["student", "volunteer", "neighbour", "visitor", "worker", "friend"]))}`, person: "p" })],
    [5, () => {
      const p = c.pick(["I", "we", "they", "she", "he"] as const);
      return { text: p, person: ({ I: 1, we: "p", they: "p", she: 3, he: 3 } as const)[p] };
    }],
    // A name takes a singular verb even when the pronoun is "they".
    [c.hero ? 14 : 0, () => (c.chance(0.5) ? { text: c.hero!.name, person: 3 } : { text: c.hero!.pron.subj, person: c.hero!.pron.person })],
  ]);
}

function thingNP(c: Ctx, allowPlural = true): string {
  const n = c.pick(THING);
  const pl = allowPlural && c.chance(0.25);
  const noun = pl ? plural(n) : singular(n);
  const mod = c.choose<string>([
    [5, () => ""],
    [3, () => c.pick(ADJ) + " "],
    [2, () => c.pick(COLOUR) + " "],
    [2, () => c.pick(MATERIAL) + " "],
    [1, () => `${c.pick(ADJ)} ${c.pick(COLOUR)} `],
  ]);
  const phrase = mod + noun;
  if (pl)
    return c.choose<string>([
      [4, () => `the ${phrase}`],
      [2, () => `some ${phrase}`],
      [2, () => `${numberWords(c.int(2, 9))} ${phrase}`],
      [1, () => `${c.int(10, 60)} ${phrase}`],
      [1, () => `${c.pick(["these", "those", "our", "their", "her", "his"])} ${phrase}`],
    ]);
  return c.choose<string>([
    [5, () => `the ${phrase}`],
    [3, () => article(phrase)],
    [2, () => `${c.pick(["my", "her", "his", "our", "their", "this", "that", "the old", "the new"])} ${phrase}`],
    [1, () => `${c.pick(FIRST)}'s ${phrase}`],
  ]);
}

function placeNP(c: Ctx): string {
  return c.choose<string>([
    [6, () => `the ${c.pick(PLACE)}`],
    [2, () => `the ${c.pick(ADJ)} ${c.pick(PLACE)}`],
    [2, () => town(c)],
    [1, () => `the ${c.pick(PLACE)} in ${town(c)}`],
    [1, () => c.pick(CITY)],
  ]);
}

function locPP(c: Ctx): string {
  return c.choose<string>([
    [4, () => `at the ${c.pick(PLACE)}`],
    [2, () => `near the ${c.pick(PLACE)}`],
    [1, () => `behind the ${c.pick(PLACE)}`],
    [1, () => `outside the ${c.pick(PLACE)}`],
    [1, () => `next to the ${c.pick(PLACE)}`],
    [1, () => `across from the ${c.pick(PLACE)}`],
    [2, () => `in ${town(c)}`],
    [1, () => `in ${c.pick(CITY)}`],
    [1, () => `on the way to the ${c.pick(PLACE)}`],
  ]);
}

function clock(c: Ctx): string {
  return c.choose<string>([
    [3, () => `${c.int(6, 22)}:${String(5 * c.int(0, 11)).padStart(2, "0")}`],
    [1, () => `half past ${numberWords(c.int(1, 12))}`],
    [1, () => `a quarter to ${numberWords(c.int(1, 12))}`],
    [1, () => `${numberWords(c.int(1, 12))} o'clock`],
    [1, () => c.pick(["noon", "midnight"])],
  ]);
}

function timePP(c: Ctx): string {
  return c.choose<string>([
    [3, () => `on ${c.pick(WEEKDAY)}${c.chance(0.4) ? " " + c.pick(["morning", "afternoon", "evening", "night"]) : ""}`],
    [2, () => `at ${clock(c)}`],
    [2, () => `in ${c.pick(MONTH)}`],
    [1, () => `in the ${c.pick(["early", "late"])} ${c.pick(SEASON)}`],
    [2, () => c.pick(["yesterday", "last week", "last night", "this morning", "the next day", "a week later", "that evening", "earlier that day", "after lunch", "before breakfast", "after dinner", "at the weekend", "around midnight", "before sunrise"])],
    [1, () => `in ${c.int(1950, 2024)}`],
    [1, () => `on ${c.int(1, 28)} ${c.pick(MONTH)}`],
    [1, () => `${numberWords(c.int(2, 10))} ${c.pick(["days", "weeks", "months", "years"])} ago`],
    [1, () => `during the ${c.pick(["storm", "holidays", "break", "meeting", "concert", "power cut", "match", "festival"])}`],
  ]);
}

function adverbial(c: Ctx): string {
  return c.choose<string>([
    [3, () => ""],
    [3, () => " " + locPP(c)],
    [3, () => " " + timePP(c)],
    [2, () => ` ${locPP(c)} ${timePP(c)}`],
    [1, () => " " + c.pick(ADVERB)],
    [1, () => ` ${c.pick(ADVERB)} ${timePP(c)}`],
  ]);
}

type Tense = "past" | "present" | "future" | "pastProg" | "presProg" | "perfect" | "pastPerfect" | "modal" | "negPast" | "negPresent" | "goingTo";

/** Subject + inflected verb (+ the rest), agreeing in person and number. */
function conj(np: NP, v: Verb, t: Tense, c: Ctx): string {
  const p = np.person;
  const third = p === 3;
  switch (t) {
    case "past":
      return `${np.text} ${v.past}`;
    case "present":
      return `${np.text} ${third ? v.s : v.base}`;
    case "future":
      return `${np.text} will ${v.base}`;
    case "pastProg":
      return `${np.text} ${BE.past[p === "p" ? "p" : p]} ${v.ing}`;
    case "presProg":
      return `${np.text} ${BE.present[p === "p" ? "p" : p]} ${v.ing}`;
    case "perfect":
      return `${np.text} ${third ? "has" : "have"} ${v.pp}`;
    case "pastPerfect":
      return `${np.text} had ${v.pp}`;
    case "modal":
      return `${np.text} ${c.pick(["could", "should", "might", "must", "can", "would", "may"])} ${v.base}`;
    case "negPast":
      return c.chance(0.3) ? `${np.text} never ${v.past}` : `${np.text} ${c.pick(["did not", "didn't"])} ${v.base}`;
    case "negPresent":
      return `${np.text} ${third ? c.pick(["does not", "doesn't"]) : c.pick(["do not", "don't"])} ${v.base}`;
    case "goingTo":
      return `${np.text} ${BE.present[p === "p" ? "p" : p]} going to ${v.base}`;
  }
}

function tense(c: Ctx): Tense {
  return c.choose<Tense>([
    [10, () => "past"],
    [4, () => "present"],
    [3, () => "future"],
    [2, () => "pastProg"],
    [2, () => "presProg"],
    [2, () => "perfect"],
    [1, () => "pastPerfect"],
    [2, () => "modal"],
    [1, () => "negPast"],
    [1, () => "negPresent"],
    [1, () => "goingTo"],
  ]);
}

/** A full clause (no final punctuation): someone does something to something, somewhere, sometime. */
function clause(c: Ctx, t = tense(c), np = personNP(c)): string {
  return c.choose<string>([
    [5, () => `${conj(np, c.pick(V_THING), t, c)} ${thingNP(c)}${adverbial(c)}`],
    [3, () => `${conj(np, c.pick(V_TOPIC), t, c)} ${c.pick(TOPIC)}${adverbial(c)}`],
    [3, () => `${conj(np, c.pick(V_PERSON), t, c)} ${personObj(c)}${adverbial(c)}`],
    [3, () => `${conj(np, c.pick(V_INTRANS), t, c)}${adverbial(c)}`],
  ]);
}

function personObj(c: Ctx): string {
  const np = personNP(c);
  const objForm: Record<string, string> = { I: "me", we: "us", they: "them", she: "her", he: "him" };
  return objForm[np.text] ?? np.text;
}

const sentence = (s: string, end = ".") => cap(s.trim()) + end;

// ---------------------------------------------------------------------------------------------------------
// Sentence frames: each a named way to say one sentence. Frames are traced by name so tests can check that
// no single one dominates.

type Frame = [weight: number, name: string, make: (c: Ctx) => string];

const FRAMES: Frame[] = [
  [14, "clause", (c) => sentence(clause(c))],
  [3, "clause_and", (c) => sentence(`${clause(c)}, and ${clause(c)}`)],
  [3, "clause_but", (c) => sentence(`${clause(c)}, but ${clause(c)}`)],
  [2, "clause_so", (c) => sentence(`${clause(c, "past")}, so ${clause(c, "past")}`)],
  [3, "because", (c) => sentence(`${clause(c, "past")} because ${clause(c, c.pick(["past", "pastPerfect", "pastProg"] as const))}`)],
  [2, "when", (c) => sentence(`when ${clause(c, "past")}, ${clause(c, "past")}`)],
  [2, "after", (c) => sentence(`after ${clause(c, "past")}, ${clause(c, "past")}`)],
  [2, "before", (c) => sentence(`before ${clause(c, "past")}, ${clause(c, "pastPerfect")}`)],
  [2, "while", (c) => sentence(`while ${clause(c, "pastProg")}, ${clause(c, "past")}`)],
  [2, "although", (c) => sentence(`although ${clause(c, "past")}, ${clause(c, "past")}`)],
  [2, "if", (c) => sentence(`if ${clause(c, "present")}, ${clause(c, "future")}`)],
  [1, "until", (c) => sentence(`${clause(c, "future")} until ${clause(c, "present")}`)],
  [2, "weather_so", (c) => sentence(`${c.pick(WEATHER)}, so ${clause(c, "past")}`)],
  [1, "weather_plain", (c) => sentence(`${c.pick(WEATHER)} ${timePP(c)}`)],
  [2, "purpose", (c) => sentence(`${personNP(c).text} went to ${placeNP(c)} to ${c.pick(V_THING).base} ${thingNP(c)}`)],
  [2, "there_was", (c) => sentence(`there ${c.chance(0.5) ? "was " + article(`${c.pick(ADJ)} ${singular(c.pick(THING))}`) : "were " + numberWords(c.int(2, 20)) + " " + plural(c.pick(THING))} ${locPP(c)}`)],
  [2, "passive", (c) => sentence(`${thingNP(c, false)} was ${c.pick(V_THING).pp} by ${personObj(c)}${adverbial(c)}`)],
  [1, "passive_topic", (c) => sentence(`${c.pick(TOPIC)} ${c.pick(["was", "has been", "will be"])} ${c.pick(["approved", "postponed", "discussed", "cancelled", "announced", "reviewed", "delayed", "revised"])} ${c.pick(["by the council", "at the meeting", "after a long debate", "without much fuss", "for the second time", "once again"])}`)],
  [2, "thinks_that", (c) => { const np = personNP(c); return sentence(`${np.text} ${np.person === 3 ? c.pick(["thinks", "says", "believes", "suspects", "hopes"]) : c.pick(["think", "say", "believe", "suspect", "hope"])} that ${clause(c, c.pick(["past", "future", "perfect"] as const))}`); }],
  [1, "according_to", (c) => sentence(`according to ${personObj(c)}, ${clause(c, c.pick(["past", "future", "perfect"] as const))}`)],
  [3, "quote_said", (c) => `"${sentence(clause(c)).replace(/\.$/, ",")}" ${c.chance(0.5) ? `${personObj(c)} said` : `said ${personObj(c)}`}.`],
  [2, "question_did", (c) => sentence(`${c.pick(["did", "will", "could", "should"])} ${personNP(c).text} ${c.pick(V_THING).base} ${thingNP(c)}${adverbial(c)}`, "?")],
  [2, "question_wh", (c) => sentence(`${c.pick(["where", "when", "why", "how"])} did ${personNP(c).text} ${c.pick(V_THING).base} ${thingNP(c)}`, "?")],
  [1, "question_how_many", (c) => sentence(`how many ${plural(c.pick(THING))} ${c.pick(["are there", "were there", "does the school need", "did they order", "fit in the van", "are left"])} ${locPP(c)}`, "?")],
  [1, "question_what", (c) => sentence(`what ${c.pick(["happened to", "is wrong with", "will they do with", "did you think of"])} ${thingNP(c, false)}`, "?")],
  [1, "exclaim", (c) => sentence(`what ${article(`${c.pick(ADJ)} ${singular(c.pick(THING))}`)}`, "!")],
  [2, "describe", (c) => sentence(`${thingNP(c, false)} was ${c.pick(ADJ)} and ${c.pick(ADJ)}, with ${article(`${c.pick(COLOUR)} ${c.pick(["handle", "lid", "stripe", "label", "frame", "cover", "edge", "base", "strap", "knob"])}`)}`)],
  [2, "located", (c) => sentence(`${thingNP(c, false)} ${c.pick(["is", "was"])} ${c.pick(["on", "under", "behind", "beside", "inside", "on top of", "next to"])} ${c.chance(0.5) ? thingNP(c, false) : "the " + singular(c.pick(THING))} ${c.pick(["in", "at"])} the ${c.pick(PLACE)}`)],
  [2, "felt", (c) => { const np = personNP(c); return sentence(`${np.text} ${c.pick(["felt", "seemed", "looked", "was"])} ${c.pick(FEELING)} ${c.pick(["when", "after", "because"])} ${clause(c, "past")}`); }],
  [2, "habit", (c) => { const np = personNP(c); return sentence(`${c.pick(["every", "each"])} ${c.pick([...WEEKDAY, "morning", "evening", "weekend", "summer", "winter"])}, ${conj(np, c.pick(V_THING), "present", c)} ${thingNP(c)}${c.chance(0.5) ? " " + locPP(c) : ""}`); }],
  [2, "freq", (c) => { const np = personNP(c); const v = c.pick(V_INTRANS); return sentence(`${np.text} ${c.pick(FREQ)} ${np.person === 3 ? v.s : v.base}${adverbial(c)}`); }],
  [1, "ability", (c) => sentence(`${personNP(c).text} can ${c.pick(V_THING).base} ${thingNP(c, false)} in ${numberWords(c.int(2, 50))} ${c.pick(["minutes", "seconds", "hours"])}`)],
  [1, "cost", (c) => sentence(`${thingNP(c, false)} ${c.pick(["costs", "cost", "used to cost", "will cost"])} ${c.pick(["€", "£", "$"])}${c.int(2, 400)}${c.chance(0.3) ? "." + String(c.int(0, 99)).padStart(2, "0") : ""}`)],
  [1, "count_there", (c) => sentence(`there are ${c.int(2, 300)} ${plural(c.pick(THING))} ${locPP(c)}`)],
  [1, "hobby", (c) => { const np = personNP(c); return sentence(`${np.text} ${c.pick(np.person === 3 ? ["has taken up", "enjoys", "gave up", "started", "is good at", "teaches"] : ["have taken up", "enjoy", "gave up", "started", "are good at", "teach"])} ${c.pick(HOBBY)}${c.chance(0.5) ? " " + timePP(c) : ""}`); }],
  [1, "studies", (c) => sentence(`${personNP(c).text} ${c.pick(["studied", "taught", "failed an exam in", "wrote a thesis on", "gave a talk about", "fell in love with"])} ${c.pick(SUBJECT)} ${c.pick(["at university", "in " + town(c), "for years", "as a student", timePP(c)])}`)],
  [1, "ate", (c) => sentence(`${c.pick(["for breakfast", "for lunch", "for dinner", "at the party", "after the match", "on the train"])} ${c.pick(["there was", "they had", "we ate", "she made", "he bought", "I ordered"])} ${c.pick(FOOD)} with ${c.pick(FOOD)}`)],
  [1, "travel", (c) => sentence(`${personNP(c).text} ${c.pick(["flew", "took the train", "drove", "cycled", "took the night bus", "sailed"])} to ${c.pick(CITY)} ${timePP(c)}`)],
  [1, "job_is", (c) => sentence(`${c.pick(FIRST)} ${c.pick(["works as", "used to work as", "wants to be", "trained as", "is"])} ${article(c.pick(JOB))} ${c.pick(["in " + town(c), "at the " + c.pick(PLACE), "in " + c.pick(CITY), "for a small company", "part-time"])}`)],
  [1, "comparison", (c) => { const a = singular(c.pick(THING)), b = singular(c.pick(THING)); return sentence(`the ${a} is ${c.pick(["heavier", "lighter", "older", "newer", "bigger", "smaller", "cheaper", "louder", "quieter", "longer", "shorter", "more useful", "more expensive", "more reliable"])} than the ${b}`); }],
  [1, "not_only", (c) => sentence(`not only did ${c.pick(["she", "he", "they", "we"])} ${c.pick(V_THING).base} ${thingNP(c)}, but ${clause(c, "past")}`)],
  [1, "imperative", (c) => sentence(`${c.pick(["please ", "", "remember to ", "don't forget to ", "try to "])}${c.pick(V_THING).base} ${thingNP(c)} ${c.pick(["before " + c.pick([...WEEKDAY, "noon", "the weekend", "the meeting", "dinner", "tomorrow", "the end of the month"]), "when you can", "first", "after that", locPP(c), "carefully"])}`)],
  [1, "plan", (c) => sentence(`${c.pick(["next week", "tomorrow", "next month", "on " + c.pick(WEEKDAY), "in " + c.pick(MONTH), "after the holidays"])}, ${c.pick(["we", "they", "the council", "the team", c.pick(FIRST)])} ${c.pick(["will", "plan to", "hope to", "want to", "intend to"])} ${c.pick(V_TOPIC).base} ${c.pick(TOPIC)}`)],
  [1, "time_took", (c) => sentence(`it took ${numberWords(c.int(2, 12))} ${c.pick(["minutes", "hours", "days", "weeks"])} to ${c.pick(V_THING).base} ${thingNP(c)}`)],
  [1, "since_year", (c) => sentence(`${thingNP(c, false)} had been ${c.pick(["there", "in the family", "in the " + c.pick(PLACE), "in storage"])} since ${c.int(1890, 2020)}`)],
  [1, "possessive", (c) => sentence(`${c.pick(FIRST)}'s ${singular(c.pick(THING))} ${c.pick(["is", "was", "looks", "seemed"])} ${c.pick(ADJ)}${c.chance(0.5) ? ", but it still works" : ""}`)],
  [1, "nobody", (c) => sentence(`${c.pick(["nobody", "everyone", "somebody", "no one"])} ${c.pick(["expected", "knew", "noticed", "remembered", "asked"])} ${c.pick(["that", "why", "how", "when"])} ${clause(c, "past")}`)],
  [1, "wish", (c) => sentence(`${c.pick(["I wish", "she wished", "they wished", "we hoped", "he hoped"])} that ${clause(c, c.pick(["modal", "pastPerfect"] as const))}`)],
  [1, "as_soon_as", (c) => sentence(`as soon as ${clause(c, "past")}, ${clause(c, "past")}`)],
  [1, "instead", (c) => sentence(`instead of ${c.pick(V_THING).ing} ${thingNP(c)}, ${clause(c, "past")}`)],
  [1, "list_things", (c) => sentence(`${c.pick(["in the box there were", "the shelf held", "on the table lay", "she packed", "the shop sold", "he found"])} ${listJoin(c.some(THING, c.int(2, 5)).map((t) => article(singular(t))))}`)],
  [1, "numbered_fact", (c) => sentence(`${c.pick(["the town", "the school", "the library", "the club", "the factory", "the village"])} ${c.pick(["has", "had", "employs", "counts"])} ${withCommas(c.int(12, 48000))} ${c.pick(["members", "books", "visitors a year", "residents", "workers", "pupils", "volunteers", "bicycles"])}`)],
  [1, "rhetorical", (c) => sentence(`${c.pick(["who could have guessed", "who would have thought", "can you believe"])} that ${clause(c, "past")}`, "?")],
  [1, "by_the_time", (c) => sentence(`by the time ${clause(c, "past")}, ${clause(c, "pastPerfect")}`)],
  [1, "either_or", (c) => sentence(`either ${clause(c, "future")}, or ${clause(c, "future")}`)],
  [1, "the_more", (c) => sentence(`the more ${c.pick(["they practised", "she read", "he worked", "we waited", "I thought about it"])}, the ${c.pick(["easier it became", "better it sounded", "less sure I was", "more it made sense", "harder it got"])}`)],
  [1, "despite", (c) => sentence(`despite ${c.pick(["the rain", "the delay", "the noise", "the cost", "the cold", "the traffic", "the crowds"])}, ${clause(c, "past")}`)],
  [1, "unless", (c) => sentence(`${clause(c, "future")} unless ${clause(c, "present")}`)],
  [1, "ordinal", (c) => sentence(`${c.pick(FIRST)} ${c.pick(["finished", "came", "arrived", "was chosen"])} ${ordinal(c.int(1, 40))} ${c.pick(["out of " + c.int(40, 200), "in the race", "this year", "in line"])}`)],
];
const FRAME_TOTAL = FRAMES.reduce((s, f) => s + f[0], 0);

/** One sentence from a frame drawn by weight. */
function anySentence(c: Ctx): string {
  let x = c.r.below(FRAME_TOTAL);
  for (const [w, name, make] of FRAMES) {
    if (x < w) {
      c.frame(name);
      return make(c);
    }
    x -= w;
  }
  throw new Error("unreachable");
}

function paragraph(c: Ctx, lo = 2, hi = 7): string {
  return Array.from({ length: c.int(lo, hi) }, () => anySentence(c)).join(" ");
}

/** Traced helper for fixed-purpose sentences inside document kinds. */
function said(c: Ctx, name: string, s: string): string {
  c.frame(name);
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// Document kinds

function story(c: Ctx): string {
  const name = c.pick(FIRST);
  const pron = c.pick([PRON.she!, PRON.he!, PRON.they!]);
  c.hero = { name, pron };
  const open = said(
    c,
    "story_open",
    c.pick([
      `${name} had lived in ${town(c)} for ${numberWords(c.int(2, 40))} years.`,
      `${cap(timePP(c))}, ${name} ${c.pick(["found", "noticed", "bought", "inherited", "repaired"])} ${thingNP(c, false)} ${locPP(c)}.`,
      `${name} worked as ${article(c.pick(JOB))} ${locPP(c)}.`,
      `It was ${c.pick(["a quiet", "a busy", "an ordinary", "a strange", "a long"])} ${c.pick(WEEKDAY)} in ${town(c)}.`,
      `Nobody in ${town(c)} knew ${name} very well.`,
    ]),
  );
  const paras = [open + " " + paragraph(c, 2, 6)];
  for (let i = c.int(0, 3); i > 0; i--) {
    const connective = c.pick(["Later", "The next morning", "A few days later", "By the evening", "That weekend", "Soon", "In the end", "Meanwhile", "After a while", "Some weeks later"]);
    paras.push(said(c, "story_connective", `${connective}, ${clause(c, "past", c.chance(0.5) ? { text: name, person: 3 } : { text: pron.subj, person: pron.person })}.`) + " " + paragraph(c, 1, 5));
    if (c.chance(0.3)) paras.push(dialogueLines(c, 2, 4));
  }
  c.hero = null;
  return paras.join("\n\n");
}

function dialogueLines(c: Ctx, lo: number, hi: number): string {
  const a = c.pick(FIRST), b = c.pick(FIRST);
  const lines: string[] = [];
  for (let i = c.int(lo, hi), turn = 0; i > 0; i--, turn++) {
    const who = turn % 2 ? b : a;
    const content = c.choose<string>([
      [3, () => said(c, "dlg_ask_thing", sentence(`have you seen ${thingNP(c, false)}`, "?"))],
      [3, () => said(c, "dlg_answer_place", sentence(`${c.pick(["it was", "I think it's", "I left it", "try looking", "somebody saw it"])} ${locPP(c)}`))],
      [2, () => said(c, "dlg_topic", sentence(`we should talk about ${c.pick(TOPIC)} ${c.pick(["first", "soon", "tomorrow", "before the meeting"])}`))],
      [2, () => said(c, "dlg_time", sentence(`what time ${c.pick(["does the " + c.pick(PLACE) + " open", "is the train", "should we leave", "does it start"])}`, "?"))],
      [2, () => said(c, "dlg_clock", sentence(`${c.pick(["at", "around", "not before", "I think at"])} ${clock(c)}`))],
      [2, () => said(c, "dlg_clause", sentence(clause(c), c.pick([".", "!"])))],
      [1, () => said(c, "dlg_feel", sentence(`I'm ${c.pick(["so", "a bit", "really", "rather"])} ${c.pick(FEELING)} ${c.pick(["today", "about it", "after all that", "to be honest"])}`))],
      [1, () => said(c, "dlg_short", c.pick(["Really?", "Of course.", "I'm not sure.", "That makes sense.", "Are you serious?", "Let me check.", "No problem.", "Good idea.", "Fair enough.", "Not yet."]))],
    ]);
    if (c.chance(0.6)) {
      // "Text," Name said.  /  "Text?" Name asked.
      const q = content.endsWith("?");
      const body = content.endsWith(".") ? content.slice(0, -1) + "," : content;
      const verb = q ? c.pick(["asked", "wondered", "said"]) : c.pick(["said", "replied", "answered", "added", "laughed", "explained"]);
      lines.push(`"${body}" ${who} ${verb}.`);
    } else lines.push(`"${content}"`);
  }
  return lines.join("\n");
}

function dialogueScript(c: Ctx): string {
  const a = c.pick(FIRST), b = c.pick(FIRST);
  const lines: string[] = [said(c, "script_head", `${c.pick(["Conversation", "Overheard", "Transcript", "Phone call"])} ${locPP(c)}`)];
  for (let i = c.int(4, 12), turn = 0; i > 0; i--, turn++) {
    const who = turn % 2 ? b : a;
    lines.push(`${who}: ${turn % 3 === 0 && c.chance(0.5) ? said(c, "script_q", sentence(`${c.pick(["have you", "did you", "could you", "will you"])} ${c.pick(V_THING).base} ${thingNP(c)}`, "?")) : anySentence(c)}`);
  }
  return lines.join("\n");
}

function news(c: Ctx): string {
  const t = town(c);
  const topic = c.pick(TOPIC);
  const day = c.int(1, 28), month = c.pick(MONTH), year = c.int(1995, 2024);
  const headline = said(c, "news_headline", cap(`${t} ${c.pick(["council approves", "residents debate", "delays", "celebrates", "reviews", "votes on", "postpones"])} ${topic.replace(/^the /, "")}`));
  const speaker = `${fullName(c)}, ${article(c.pick(JOB))} ${c.pick(["from " + t, "who lives nearby", "on the committee", "at the " + c.pick(PLACE)])}`;
  const parts = [
    headline,
    said(c, "news_lede", `${t.toUpperCase()}, ${day} ${month} ${year} — ${cap(c.pick(ORG))} ${c.pick(["met on", "gathered on", "came together on"])} ${c.pick(WEEKDAY)} to ${c.pick(V_TOPIC).base} ${topic}, which ${c.pick([`was first proposed in ${year - c.int(1, 6)}`, `has divided opinion for ${c.pick(["months", "years", "some time"])}`, `has been discussed since ${c.pick(["the spring", "last year", String(year - c.int(1, 4))])}`])}.`),
    said(c, "news_money", `The ${c.pick(["plan", "work", "project", "scheme"])} is expected to cost ${c.pick(["€", "£", "$"])}${withCommas(1000 * c.int(5, 900))} and ${c.pick(["take", "last", "run for"])} ${numberWords(c.int(2, 18))} months.`),
    said(c, "news_quote", `"${sentence(clause(c, c.pick(["future", "perfect", "present"] as const))).replace(/\.$/, ",")}" said ${speaker}.`),
    paragraph(c, 1, 4),
  ];
  if (c.chance(0.5)) parts.push(said(c, "news_next", `A ${c.pick(["final decision", "public meeting", "second vote", "report"])} is expected ${c.pick(["next month", "in " + c.pick(MONTH), "before the summer", "after the holidays"])}.`));
  return parts.join("\n\n");
}

function weatherReport(c: Ctx): string {
  const place = town(c);
  const first = c.int(0, 6);
  const days = Array.from({ length: c.int(2, 5) }, (_, i) => WEEKDAY[(first + i) % 7]!);
  let t = c.int(-5, 28);
  const lines = [said(c, "weather_head", `Weather for ${place}, ${c.pick(["the coming days", "the next few days", "this week"])}`)];
  for (const d of days) {
    const hi = t + c.int(2, 9), lo = t - c.int(0, 6);
    const sky = hi < 2 ? c.pick(["Snow showers", "Freezing fog", "Light snow", "Clear and frosty"]) : c.pick(["Sunny spells", "Heavy rain", "Light drizzle", "Cloudy", hi > 15 ? "Thunderstorms" : "Sleet", "Bright and dry", "Scattered showers", "Overcast", "Windy with sunny intervals"]);
    const wet = /rain|drizzle|Thunder|showers|Sleet|snow/i.test(sky);
    lines.push(
      said(
        c,
        "weather_day",
        `${d}: ${sky}. High of ${hi} °C, low of ${lo} °C.${c.chance(0.5) ? ` Wind from the ${c.pick(["north", "south", "east", "west", "north-west", "south-east"])} at ${c.int(5, 60)} km/h.` : ""}${wet ? ` Chance of ${hi < 2 ? "snow" : "rain"} ${10 * c.int(4, 9)}%.` : ""}`,
      ),
    );
    t += c.int(-4, 4);
  }
  lines.push(said(c, "weather_advice", c.pick([`Take ${article(c.pick(["umbrella", "warm coat", "hat", "scarf"]))} if you go out.`, "Roads may be slippery in the early morning.", "A good week to dry laundry outside.", "Expect delays on the coast road.", "Keep an eye on the forecast before travelling."])));
  return lines.join("\n");
}

const DISHES = L(`lentil soup|vegetable curry|tomato pasta|mushroom risotto|bean stew|potato salad|fried rice|chickpea stew|
pumpkin soup|vegetable pie|noodle soup|ratatouille|stuffed peppers|spiced carrots|bean burgers|spinach dal|lemon rice|
tomato soup|couscous salad|leek and potato soup|sweetcorn fritters|vegetable bake|mushroom stroganoff|three-bean chilli`);
const VEG = L(`onions|garlic|carrots|potatoes|tomatoes|mushrooms|spinach|peppers|courgettes|pumpkin|cabbage|leeks|celery|aubergines|sweet potatoes|broccoli`);
const COUNTABLE_VEG = new Set(["onions", "carrots", "potatoes", "tomatoes", "peppers", "courgettes", "leeks", "aubergines", "sweet potatoes"]);
const STAPLE = L(`lentils|chickpeas|beans|rice|pasta|oats|noodles|couscous|peas|sweetcorn|tofu|quinoa|barley`);
const SPICE = L(`cumin|paprika|ginger|cinnamon|chilli flakes|turmeric|oregano|thyme|parsley|basil|coriander|nutmeg`);
const LIQUID = L(`vegetable stock|water|tomato passata|soy sauce|lemon juice|vinegar`);

function recipe(c: Ctx): string {
  const dish = c.pick(DISHES);
  // The ingredients a dish is named after come first ("mushroom risotto": mushrooms, rice), then others.
  const named = (list: string[]) => list.filter((x) => dish.split(/[\s-]+/).some((w) => w.length >= 4 && x.startsWith(w)));
  const withNamed = (list: string[], k: number) => [...new Set([...named(list), ...c.some(list, k)])].slice(0, Math.max(k, named(list).length));
  const veg = withNamed(VEG, c.int(2, 4)), staple = withNamed(STAPLE, c.int(1, 2)), spice = c.some(SPICE, c.int(1, 3)), liquid = c.pick(LIQUID);
  const baked = /pie|bake|burgers|fritters/.test(dish);
  const oil = c.int(1, 3);
  const lines = [said(c, "recipe_title", `${cap(dish)} (serves ${c.int(2, 8)})`), "", "Ingredients:"];
  const ing = (s: string) => lines.push(said(c, "recipe_ing", `- ${s}`));
  for (const v of veg) {
    const n = c.int(1, 4);
    if (v === "garlic") ing(`${n + 1} cloves of garlic`);
    else if (COUNTABLE_VEG.has(v) && c.chance(0.6)) ing(`${numberWords(n)} ${n === 1 ? v.replace(/(oe)?s$/, (_m, oe?: string) => (oe ? "o" : "")) : v}`);
    else ing(`${50 * c.int(2, 10)} g ${v}`);
  }
  for (const x of staple) ing(`${50 * c.int(2, 8)} g ${x}`);
  for (const x of spice) ing(c.pick([`1 teaspoon ${x}`, `${c.int(2, 3)} teaspoons ${x}`, `a pinch of ${x}`, `half a teaspoon of ${x}`]));
  ing(`${oil} tablespoon${oil > 1 ? "s" : ""} olive oil`);
  ing(/stock|water|passata/.test(liquid) ? `${100 * c.int(2, 12)} ml ${liquid}` : `${c.int(1, 3)} tablespoons ${liquid}`);
  ing("salt and black pepper");
  lines.push("", "Method:");
  // The steps of most stove-top and oven dishes, in order; each is kept with some probability.
  const steps = [
    `Chop the ${listJoin(veg)} ${c.pick(["finely", "roughly", "into small pieces", "into thin slices"])}.`,
    c.chance(0.6) ? `Rinse the ${staple[0]!} ${c.pick(["well", "under cold water", "in a sieve"])}.` : "",
    `Heat the olive oil in a ${c.pick(["large", "heavy", "wide", "deep"])} ${c.pick(["pan", "pot", "frying pan", "saucepan"])} over a ${c.pick(["medium", "low", "high"])} heat.`,
    `Add the ${veg[0]!} and cook for ${c.int(3, 12)} minutes, stirring ${c.pick(["often", "now and then", "gently"])}, until ${c.pick(["soft", "golden", "just tender"])}.`,
    `Stir in the ${listJoin(spice)} and cook for ${c.pick(["one more minute", "thirty seconds", "two minutes"])}.`,
    `Add the ${listJoin([...veg.slice(1), ...staple])} and the ${liquid}.`,
    baked
      ? `Spoon the mixture into a baking dish and bake at ${10 * c.int(18, 22)} °C for ${5 * c.int(4, 9)} minutes.`
      : `Bring to the boil, then simmer for ${5 * c.int(2, 8)} minutes until ${c.pick(["thick", "tender", "reduced by half", "the liquid is absorbed"])}.`,
    "Season with salt and pepper to taste.",
    c.chance(0.5) ? `Leave to ${c.pick(["rest", "cool", "stand"])} for ${numberWords(c.int(2, 15))} minutes.` : "",
    `Serve ${c.pick(["warm", "hot", "at once", "straight away"])} ${c.pick(["with " + c.pick(["bread", "rice", "a green salad", "flatbread", "pickles", "lemon wedges"]), "on its own", "in deep bowls"])}.`,
  ].filter((x) => x);
  steps.forEach((x, i) => lines.push(said(c, "recipe_step", `${i + 1}. ${x}`)));
  if (c.chance(0.5))
    lines.push("", said(c, "recipe_tip", `Tip: ${c.pick([`it keeps for ${numberWords(c.int(2, 5))} days in the fridge.`, `you can use ${c.pick(STAPLE)} instead of ${staple[0]!}.`, "it tastes even better the next day.", "double the amounts for a crowd.", `${c.pick(FIRST)} likes to add a little more ${c.pick(SPICE)}.`])}`));
  return lines.join("\n");
}

function letter(c: Ctx): string {
  const to = c.chance(0.5) ? c.pick(FIRST) : `${c.pick(["Ms", "Mr", "Dr"])} ${c.pick(SURNAME)}`;
  const from = c.pick(FIRST);
  const topic = c.pick(TOPIC);
  return [
    said(c, "letter_greeting", `${c.pick(["Dear", "Hello", "Hi", "Dear"])} ${to},`),
    said(c, "letter_open", c.pick([`Thank you for your ${c.pick(["letter", "message", "email", "call"])} about ${topic}.`, `I hope you are well and that ${c.pick(["the move", "the new job", "the trip", "the renovation"])} went smoothly.`, `I am writing about ${topic}.`, `Sorry for the late reply: ${c.pick(["work has been busy", "I was away", "the internet was down", "we had visitors"])}.`])) + " " + paragraph(c, 1, 4),
    paragraph(c, 1, 4),
    said(c, "letter_close_line", c.pick([`Let me know what you think about ${topic}.`, `Could we meet ${timePP(c)}?`, "I look forward to hearing from you.", `Say hello to ${c.pick(FIRST)} for me.`])),
    said(c, "letter_signoff", `${c.pick(["Best wishes", "Kind regards", "Yours sincerely", "All the best", "Warm regards", "See you soon"])},\n${from}`),
  ].join("\n\n");
}

function encyclopedia(c: Ctx): string {
  const t = town(c);
  const founded = c.int(1100, 1950);
  const pop = c.int(800, 240_000);
  return [
    said(c, "enc_intro", `${t} is ${article(c.pick(["small", "market", "coastal", "hill", "river", "university", "former mining", "border"]))} town in the ${c.pick(["north", "south", "east", "west", "centre"])} of the ${c.pick(["valley", "province", "region", "district", "county"])}, on the ${c.pick(["banks", "east bank", "west bank", "mouth"])} of the River ${c.pick(RIVER)}. It has a population of about ${withCommas(pop)}.`),
    said(c, "enc_history", `The town grew up around ${article(c.pick(["mill", "bridge", "market", "harbour", "monastery", "crossroads", "railway station", "copper mine"]))} built in ${founded}. ${cap(c.pick(["by", "in", "around"]))} ${founded + c.int(20, 70)}, it ${c.pick(["had its own school", "was connected to the railway", "had a weekly market", "was larger than its neighbours", "had a paper mill"])}.`),
    said(c, "enc_today", `Today ${t} is known for its ${c.pick(["annual music festival", "old town hall", "stone bridge", "botanical garden", "clock tower", "public library", "street market", "rowing club", "glass works", "orchards"])} and its ${c.pick(["university", "hospital", "ferry", "museum of printing", "cycling routes", "bakeries", "vineyards", "football club"])}. ${paragraph(c, 1, 3)}`),
    said(c, "enc_twin", `${t} is twinned with ${c.pick(CITY)} and ${town(c)}. Its highest point is ${c.int(40, 1800)} metres above sea level.`),
  ].join("\n\n");
}

const HOWTO = L(`fix a flat bicycle tyre|clean a paintbrush|hang a picture|plant tomato seeds|unblock a sink|wrap a present|
pack a suitcase|change a light bulb|sharpen a pencil with a knife|iron a shirt|make a paper kite|tune a guitar|
set up a tent|repot a plant|oil a squeaky door|back up a laptop|bleed a radiator|build a bookshelf|fold a map`);

function howTo(c: Ctx): string {
  const task = c.pick(HOWTO);
  const tools = c.some(THING, c.int(2, 5)).map((t) => article(singular(t)));
  const lines = [said(c, "howto_title", `How to ${task}`), said(c, "howto_need", `You will need ${listJoin(tools)}.${c.chance(0.5) ? ` It takes about ${numberWords(5 * c.int(1, 12))} minutes.` : ""}`)];
  const n = c.int(3, 7);
  for (let i = 1; i <= n; i++) {
    lines.push(
      said(
        c,
        "howto_step",
        `Step ${i}: ${cap(
          c.pick([
            `${c.pick(V_THING).base} ${thingNP(c, false)} ${c.pick(["carefully", "slowly", "firmly", "gently", "first"])}.`,
            `make sure ${thingNP(c, false)} is ${c.pick(["dry", "clean", "switched off", "level", "within reach", "unplugged"])}.`,
            `wait ${numberWords(c.int(2, 30))} ${c.pick(["seconds", "minutes"])} before you ${c.pick(V_THING).base} it.`,
            `if ${thingNP(c, false)} is ${c.pick(["stuck", "loose", "too tight", "wet", "bent"])}, ${c.pick(V_THING).base} ${thingNP(c, false)}.`,
            `check that nothing ${c.pick(["leaks", "wobbles", "rattles", "is missing"])}.`,
          ]),
        )}`,
      ),
    );
  }
  if (c.chance(0.5)) lines.push(said(c, "howto_warn", `Be careful: ${c.pick(["never work on a wet floor", "keep the instructions somewhere safe", "ask someone to hold the ladder", "switch off the power first", "wear gloves", "do not rush the last step"])}.`));
  return lines.join("\n");
}

function arithmetic(c: Ctx): string {
  const out: string[] = [];
  for (let i = c.int(4, 10); i > 0; i--) {
    const a = c.int(0, 99), b = c.int(0, 99);
    out.push(
      c.choose<string>([
        [2, () => said(c, "math_plus_digits", `${a} + ${b} = ${a + b}`)],
        [2, () => said(c, "math_minus_digits", `${Math.max(a, b)} - ${Math.min(a, b)} = ${Math.max(a, b) - Math.min(a, b)}`)],
        [2, () => { const x = c.int(2, 12), y = c.int(2, 12); return said(c, "math_times", `${x} × ${y} = ${x * y}`); }],
        [1, () => { const x = c.int(2, 12), y = c.int(2, 12); return said(c, "math_divide", `${x * y} ÷ ${x} = ${y}`); }],
        [1, () => { const x = c.int(0, 20), y = c.int(0, 20); return said(c, "math_words", `${cap(numberWords(x))} plus ${numberWords(y)} is ${numberWords(x + y)}.`); }],
        [1, () => { const x = c.int(2, 12), y = c.int(2, 12); return said(c, "math_question", `What is ${x} times ${y}? It is ${x * y}.`); }],
        [1, () => said(c, "math_bigger", `Which is larger, ${a} or ${b}? ${a === b ? "They are equal." : `${Math.max(a, b)} is larger.`}`)],
        [1, () => { const x = 2 * c.int(1, 200); return said(c, "math_half", `Half of ${x} is ${x / 2}.`); }],
        [1, () => said(c, "math_parity", `${a} is an ${a % 2 ? "odd" : "even"} number.`)],
        [1, () => { const xs = Array.from({ length: c.int(3, 5) }, () => c.int(1, 30)); return said(c, "math_sum", `The sum of ${listJoin(xs.map(String))} is ${xs.reduce((s, x) => s + x, 0)}.`); }],
        [1, () => { const x = 10 * c.int(1, 50), p = c.pick([10, 20, 25, 50]); return said(c, "math_percent", `${p}% of ${x} is ${(x * p) / 100}.`); }],
        [1, () => { const x = c.int(10, 99), y = c.int(2, 9); return said(c, "math_remainder", `${x} divided by ${y} is ${Math.floor(x / y)} with a remainder of ${x % y}.`); }],
        [2, () => {
          const who = c.pick(FIRST), other = c.pick(FIRST), n = c.int(5, 40), k = c.int(1, n - 1), item = plural(singular(c.pick(THING)));
          return said(c, "math_story", `${who} had ${n} ${item} and gave ${k} to ${other}. Now ${who} has ${n - k} ${item}.`);
        }],
        [1, () => {
          const n = c.int(2, 9), per = c.int(2, 12), item = plural(singular(c.pick(THING)));
          return said(c, "math_story_mult", `There are ${n} boxes with ${per} ${item} in each box, so there are ${n * per} ${item} in total.`);
        }],
        [1, () => { const x = c.int(2, 15); return said(c, "math_square", `${x} squared is ${x * x}.`); }],
      ]),
    );
  }
  return out.join(c.chance(0.5) ? "\n" : " ");
}

const DAYS_IN_MONTH = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function calendar(c: Ctx): string {
  const out: string[] = [];
  for (let i = c.int(3, 7); i > 0; i--) {
    const y = c.int(1900, 2040), m = c.int(0, 11), d = c.int(1, DAYS_IN_MONTH(y, m));
    const wd = WEEKDAY[(new Date(Date.UTC(y, m, d)).getUTCDay() + 6) % 7]!;
    out.push(
      c.choose<string>([
        [3, () => said(c, "cal_weekday", `${c.chance(0.5) ? `${d} ${MONTH[m]} ${y}` : `${MONTH[m]} ${d}, ${y}`} ${y < 2025 ? "was" : "will be"} a ${wd}.`)],
        [1, () => said(c, "cal_days_in_month", `${MONTH[m]} ${y} ${y < 2025 ? "had" : "has"} ${DAYS_IN_MONTH(y, m)} days.`)],
        [1, () => said(c, "cal_leap", `${y} ${isLeap(y) ? "is" : "is not"} a leap year.`)],
        [1, () => { const k = c.int(1, 6); return said(c, "cal_next_day", `${k === 1 ? "The day after" : `${cap(numberWords(k))} days after`} ${wd} ${k === 1 ? "is" : "comes"} ${WEEKDAY[(WEEKDAY.indexOf(wd) + k) % 7]}.`); }],
        [1, () => { const w = c.int(2, 12); return said(c, "cal_weeks", `${cap(numberWords(w))} weeks is ${w * 7} days.`); }],
        [1, () => said(c, "cal_month_after", `The month after ${MONTH[m]} is ${MONTH[(m + 1) % 12]}.`)],
        [1, () => { const a = c.int(1900, 2000), b = c.int(2001, 2024); return said(c, "cal_years_between", `From ${a} to ${b} is ${b - a} years.`); }],
      ]),
    );
  }
  return out.join(" ");
}

function units(c: Ctx): string {
  const out: string[] = [];
  for (let i = c.int(3, 6); i > 0; i--) {
    out.push(
      c.choose<string>([
        [1, () => { const k = c.int(1, 40); return said(c, "unit_km", `${k} ${k === 1 ? "kilometre is" : "kilometres are"} ${withCommas(k * 1000)} metres.`); }],
        [1, () => { const h = c.int(1, 24); return said(c, "unit_hours", `${h} ${h === 1 ? "hour is" : "hours are"} ${h * 60} minutes.`); }],
        [1, () => { const l = c.int(1, 20); return said(c, "unit_litres", `${l} ${l === 1 ? "litre is" : "litres are"} ${withCommas(l * 1000)} millilitres.`); }],
        [1, () => { const kg = c.int(1, 50); return said(c, "unit_kg", `${kg} ${kg === 1 ? "kilogram is" : "kilograms are"} ${withCommas(kg * 1000)} grams.`); }],
        [1, () => { const m = c.int(1, 30); return said(c, "unit_cm", `${m} ${m === 1 ? "metre is" : "metres are"} ${m * 100} centimetres.`); }],
        [1, () => { const d = c.int(1, 20); return said(c, "unit_dozen", `${cap(numberWords(d))} ${d === 1 ? "dozen is" : "dozen are"} ${d * 12}.`); }],
        [1, () => { const cdeg = 5 * c.int(-4, 20); return said(c, "unit_fahrenheit", `${cdeg} °C is ${(cdeg * 9) / 5 + 32} °F.`); }],
        [1, () => { const min = 60 * c.int(2, 10) + c.int(0, 59); return said(c, "unit_minutes", `${min} minutes is ${Math.floor(min / 60)} hours and ${min % 60} minutes.`); }],
        [1, () => { const s = c.int(2, 10), v = 10 * c.int(3, 12); return said(c, "unit_speed", `At ${v} km/h, a journey of ${s * v} km takes ${s} hours.`); }],
      ]),
    );
  }
  return out.join(" ");
}

function timetable(c: Ctx): string {
  const from = town(c);
  const lines = [said(c, "tt_head", `${c.pick(["Bus", "Train", "Ferry", "Tram"])} ${c.int(1, 99)}: ${from} to ${town(c)} (${c.pick(["weekdays", "Saturdays", "Sundays and holidays", "daily"])})`)];
  let t = 60 * c.int(5, 9) + 5 * c.int(0, 11);
  const every = c.pick([10, 15, 20, 30, 45, 60]);
  const stop = c.pick(["centre", "station", "harbour", "market", "hospital", "university"]);
  const ride = c.int(12, 70);
  const hm = (x: number) => `${String(Math.floor(x / 60) % 24).padStart(2, "0")}:${String(x % 60).padStart(2, "0")}`;
  for (let i = c.int(4, 10); i > 0 && t < 23 * 60; i--, t += every) lines.push(said(c, "tt_row", `${hm(t)}  ${from} ${stop}  ->  ${hm(t + ride)}`));
  lines.push(said(c, "tt_note", `${c.pick(["Services run every", "There is a departure every", "Departures every"])} ${every} minutes. ${c.pick(["Tickets can be bought on board.", "Bicycles are allowed outside peak hours.", "The last service leaves at " + clock(c) + ".", "Please have your ticket ready."])}`));
  return lines.join("\n");
}

function minutes(c: Ctx): string {
  const org = c.pick(ORG);
  const people = c.some(FIRST, c.int(3, 7));
  const lines = [
    said(c, "min_head", `Minutes of the meeting of ${org}, ${c.int(1, 28)} ${c.pick(MONTH)} ${c.int(1998, 2024)}`),
    said(c, "min_present", `Present: ${listJoin(people)}.${c.chance(0.5) ? ` Apologies: ${c.pick(FIRST)}.` : ""}`),
  ];
  const items = c.int(2, 5);
  for (let i = 1; i <= items; i++) {
    const topic = c.pick(TOPIC);
    lines.push(
      said(c, "min_item", `${i}. ${cap(topic.replace(/^the /, ""))}. ${c.pick(people)} ${c.pick(["reported that", "explained that", "pointed out that", "reminded everyone that"])} ${clause(c, "past")}. ${c.pick(["It was agreed to", "The group decided to", "Members voted to", "It was not possible to"])} ${c.pick(V_TOPIC).base} ${c.pick(TOPIC)} ${c.pick(["at the next meeting", "by the end of " + c.pick(MONTH), "as soon as possible", "within two weeks"])}.`),
    );
  }
  lines.push(said(c, "min_close", `The meeting closed at ${c.int(18, 22)}:${String(5 * c.int(0, 11)).padStart(2, "0")}. Next meeting: ${c.pick(WEEKDAY)} ${c.int(1, 28)} ${c.pick(MONTH)}.`));
  return lines.join("\n");
}

function diary(c: Ctx): string {
  const first: NP = { text: "I", person: 1 };
  const entries: string[] = [];
  for (let i = c.int(1, 3); i > 0; i--) {
    const body = [
      said(c, "diary_woke", `${c.pick(["Woke up at", "Up at", "Got up at", "Alarm went off at", "Slept until"])} ${c.int(5, 10)}:${String(5 * c.int(0, 11)).padStart(2, "0")}.`),
      ...Array.from({ length: c.int(2, 6) }, () =>
        c.chance(0.5) ? said(c, "diary_i", sentence(clause(c, "past", first))) : anySentence(c),
      ),
      said(c, "diary_feel", `${c.pick(["Felt", "I was", "Went to bed"])} ${c.pick(FEELING)}${c.chance(0.5) ? " but " + c.pick(FEELING) : ""}.`),
    ];
    entries.push(said(c, "diary_date", `${c.pick(WEEKDAY)} ${c.int(1, 28)} ${c.pick(MONTH)}`) + "\n" + body.join(" "));
  }
  return entries.join("\n\n");
}

function faq(c: Ctx): string {
  const place = c.pick(PLACE);
  const out = [said(c, "faq_head", `Frequently asked questions: the ${place} in ${town(c)}`)];
  const qs: (() => string)[] = [
        () => said(c, "faq_open", `Q: When is the ${place} open?\nA: From ${c.int(7, 10)}:00 to ${c.int(16, 22)}:${c.pick(["00", "30"])}, ${c.pick(["Monday to Friday", "every day except Sunday", "Tuesday to Saturday", "every day"])}.`),
        () => said(c, "faq_bring", `Q: Can I bring ${article(singular(c.pick(THING)))}?\nA: ${c.pick(["Yes, but please", "Only if you", "No, unless you"])} ${c.pick(["ask at the desk first", "keep it out of the way", "label it with your name", "leave it by the door"])}.`),
        () => said(c, "faq_cost", `Q: How much does it cost?\nA: ${c.pick(["Entry is free.", `Tickets cost €${c.int(2, 30)} for adults and €${c.int(0, 10)} for children.`, `A yearly card costs £${c.int(10, 120)}.`])}`),
        () => said(c, "faq_lost", `Q: I lost ${article(singular(c.pick(THING)))}. What should I do?\nA: Ask at the front desk; lost items are kept for ${numberWords(c.int(2, 8))} weeks.`),
        () => said(c, "faq_reach", `Q: How do I get there?\nA: Take ${c.pick(["bus", "tram", "line"])} ${c.int(1, 60)} to ${c.pick(["the centre", "the station", "the harbour", "the university"])}, then walk ${10 * c.int(5, 60)} metres ${c.pick(["north", "along the river", "past the " + c.pick(PLACE), "up the hill"])}.`),
        () => said(c, "faq_generic", `Q: ${sentence(`${c.pick(["is it possible to", "can we", "do I need to"])} ${c.pick(V_THING).base} ${thingNP(c, false)} ${locPP(c)}`, "?")}\nA: ${anySentence(c)}`),
  ];
  for (const q of c.some(qs, c.int(3, qs.length))) out.push(q());
  return out.join("\n\n");
}

function shoppingList(c: Ctx): string {
  const kind = c.pick(["Shopping list", "Packing list", "To do", "Things to buy for " + c.pick(TOPIC), "Checklist"]);
  const items = kind === "To do" || kind === "Checklist"
    ? Array.from({ length: c.int(3, 9) }, () => `${cap(c.pick(V_THING).base)} ${thingNP(c)}`)
    : kind === "Shopping list"
      ? c.some(FOOD, c.int(3, 10)).map((f) => (c.chance(0.5) ? `${c.int(1, 6)} x ${f}` : f))
      : c.some(THING, c.int(3, 10)).map((t) => singular(t));
  const bullet = c.pick(["- ", "* ", "[ ] ", "#"]);
  const lines = [said(c, "list_head", `${kind}${c.chance(0.5) ? ` (${c.pick(WEEKDAY)})` : ""}:`)];
  items.forEach((it, i) => lines.push(said(c, "list_item", `${bullet === "#" ? `${i + 1}. ` : bullet}${it}`)));
  const lead = paragraph(c, 1, 3);
  return c.chance(0.5) ? lead + "\n\n" + lines.join("\n") : lines.join("\n") + "\n\n" + lead;
}

function notice(c: Ctx): string {
  return c.choose<string>([
    [1, () => said(c, "notice_lost", `LOST: ${article(`${c.pick(COLOUR)} ${singular(c.pick(THING))}`)}, ${locPP(c)} ${timePP(c)}. If found, please call ${c.pick(FIRST)} on 0${c.int(100, 999)} ${c.int(100000, 999999)}. ${anySentence(c)}`)],
    [1, () => said(c, "notice_sale", `FOR SALE: ${article(`${c.pick(ADJ)} ${singular(c.pick(THING))}`)}, ${c.pick(["hardly used", "needs some repair", "in good condition", "as new", "a bit worn"])}. €${c.int(5, 300)} or best offer. ${anySentence(c)}`)],
    [1, () => said(c, "notice_closed", `NOTICE: The ${c.pick(PLACE)} will be closed ${timePP(c)} for ${c.pick(["cleaning", "repairs", "a private event", "staff training", "an inspection", "painting"])}. ${c.pick(["We apologise for any inconvenience.", "Thank you for your patience.", "Normal hours resume the following day."])} ${anySentence(c)}`)],
    [1, () => said(c, "notice_wanted", `WANTED: ${article(c.pick(JOB))} for ${c.pick(["two days a week", "weekend shifts", "a short project", "the summer season"])} at the ${c.pick(PLACE)} in ${town(c)}. Experience with ${c.pick(HOBBY)} is ${c.pick(["useful", "welcome", "not required"])}. ${anySentence(c)}`)],
    [1, () => said(c, "notice_event", `${cap(c.pick(TOPIC).replace(/^the /, ""))}: ${c.pick(WEEKDAY)} ${c.int(1, 28)} ${c.pick(MONTH)}, ${clock(c)}, at the ${c.pick(PLACE)}. ${c.pick(["Everyone welcome.", "Free entry.", "Bring a friend.", "Tickets at the door."])} ${paragraph(c, 1, 3)}`)],
  ]);
}

function review(c: Ctx): string {
  const thing = singular(c.pick(THING));
  const stars = c.int(1, 5);
  return [
    said(c, "review_head", `${cap(c.pick(ADJ))} ${thing}, ${stars} out of 5`),
    said(c, "review_bought", `I bought this ${thing} ${timePP(c)} ${c.pick(["for my " + c.pick(PERSON_NOUN), "for the " + c.pick(PLACE), "to replace an old one", "after reading the reviews"])}.`) +
      " " +
      said(c, "review_pro_con", `${c.pick(["It works well", "It is easy to use", "It looks nice", "It arrived quickly"])}${stars >= 4 ? ", and " : ", but "}${stars >= 4 ? c.pick(["the price was fair", "it feels solid", "it is quieter than I expected", "my " + c.pick(PERSON_NOUN) + " likes it too"]) : c.pick(["the handle broke after a week", "it is heavier than it looks", "the instructions were confusing", "it scratches easily"])}.`) +
      " " +
      paragraph(c, 0, 3),
    said(c, "review_end", stars >= 3 ? `I would ${stars === 5 ? "definitely " : ""}recommend it.` : "I would not buy it again."),
  ].join("\n\n");
}

function directions(c: Ctx): string {
  const dest = c.pick(PLACE);
  const steps = [said(c, "dir_start", `To get to the ${dest} from the ${c.pick(PLACE)}:`)];
  for (let i = c.int(3, 6); i > 0; i--)
    steps.push(
      said(
        c,
        "dir_step",
        c.pick([
          `Turn ${c.pick(["left", "right"])} at the ${c.pick(PLACE)}.`,
          `Walk ${10 * c.int(3, 80)} metres ${c.pick(["along the river", "up the hill", "past the " + c.pick(PLACE), "straight on"])}.`,
          `Cross the ${c.pick(["road", "bridge", "square", "railway line", "car park"])} at the ${c.pick(["lights", "zebra crossing", "corner", "roundabout"])}.`,
          `Take the ${ordinal(c.int(1, 4))} ${c.pick(["left", "right", "exit"])} after the ${singular(c.pick(THING))} shop.`,
          `Keep going until you see ${article(`${c.pick(COLOUR)} ${c.pick(["door", "gate", "sign", "fence", "building", "bench"])}`)}.`,
        ]),
      ),
    );
  steps.push(said(c, "dir_end", `The ${dest} is on your ${c.pick(["left", "right"])}, ${c.pick(["next to", "opposite", "just past", "behind"])} the ${c.pick(PLACE)}. It takes about ${numberWords(c.int(3, 25))} minutes on foot.`));
  return steps.join(" ");
}

function sports(c: Ctx): string {
  const a = town(c), b = town(c);
  const sport = c.pick(["football", "basketball", "hockey", "volleyball", "handball", "rugby"]);
  const [x, y] = sport === "basketball" ? [c.int(60, 110), c.int(60, 110)] : sport === "rugby" ? [c.int(3, 40), c.int(3, 40)] : [c.int(0, 5), c.int(0, 5)];
  const result = x === y ? `${a} and ${b} drew ${x}-${y}` : `${x > y ? a : b} beat ${x > y ? b : a} ${Math.max(x, y)}-${Math.min(x, y)}`;
  const out = [
    said(c, "sport_result", `${cap(result)} in ${c.pick(WEEKDAY)}'s ${sport} match${c.chance(0.5) ? ` in front of ${withCommas(c.int(200, 30000))} spectators` : ""}.`),
    said(c, "sport_scorer", `${fullName(c)} ${c.pick(["scored twice", "was the best player on the pitch", "made a late save", "scored the opening goal", "was sent off", "played despite an injury"])}${c.chance(0.5) ? ` in the ${ordinal(c.int(2, 89))} minute` : ""}.`),
    paragraph(c, 1, 3),
  ];
  if (c.chance(0.5)) {
    const runners = c.some(FIRST, c.int(3, 5));
    let time = 60 * c.int(30, 50) + c.int(0, 59);
    const res = runners.map((r, i) => {
      time += c.int(1, 90);
      return `${i + 1}. ${r} (${Math.floor(time / 60)}:${String(time % 60).padStart(2, "0")})`;
    });
    out.push(said(c, "sport_race", `In the ${c.pick(["10 km", "half marathon", "cross-country", "fun run"])} race: ${res.join(", ")}.`));
  }
  return out.join(" ");
}

// A document is one kind, padded with prose when short so that every document has some substance.
const KINDS: [number, (c: Ctx) => string][] = [
  [10, story],
  [6, (c) => paragraph(c, 3, 9)],
  [3, (c) => paragraph(c, 2, 5) + "\n\n" + dialogueLines(c, 3, 8)],
  [3, dialogueScript],
  [4, news],
  [3, letter],
  [3, encyclopedia],
  [3, recipe],
  [2, weatherReport],
  [2, howTo],
  [3, arithmetic],
  [2, calendar],
  [2, units],
  [2, timetable],
  [2, minutes],
  [3, diary],
  [2, faq],
  [2, shoppingList],
  [2, notice],
  [2, review],
  [2, directions],
  [2, sports],
];
const KIND_TOTAL = KINDS.reduce((s, k) => s + k[0], 0);
const MIN_WORDS = 40;

function makeDocument(c: Ctx): string {
  let x = c.r.below(KIND_TOTAL);
  let doc = "";
  for (const [w, f] of KINDS) {
    if (x < w) {
      doc = f(c);
      break;
    }
    x -= w;
  }
  while (doc.split(/\s+/).length < MIN_WORDS) doc += "\n\n" + paragraph(c, 2, 5);
  return doc;
}

/** One generic document; the same (seed, index) always gives the same text. */
export function genericDocument(seed: number, index: number, trace?: (frame: string) => void): string {
  return makeDocument(new Ctx(new Rng(deriveSeed(seed, index)), trace));
}

/** Documents 0..count-1 of a seed, lazily. */
export function* genericDocuments(seed: number, count: number): Generator<string> {
  for (let i = 0; i < count; i++) yield genericDocument(seed, i);
}

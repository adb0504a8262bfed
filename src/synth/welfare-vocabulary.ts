// The welfare vocabulary shared by the offline generators (value-docs.ts,
// value-qa.ts): what can be done for animals in each context people meet them
// in, as imperatives (PRACTICES), as changes of practice (CHANGES) and as
// measured effects (OUTCOMES), where documents are set (SITES), and the people,
// organisations and places that appear. An entry that only suits some animals
// starts with "[group|species name] "; fitting() keeps the entries that suit a
// species. Written by us.
import type { SpeciesInfo, Use } from "./species-facts.js";

/** Text that only fits some animals: a "[group|species name|...] " prefix lists which. */
export type Fitted = string;
export const fits = (sp: SpeciesInfo, x: Fitted): boolean => {
  const m = /^\[([^\]]+)\] /.exec(x);
  return !m || m[1]!.split("|").some((k) => k === sp.group || k === sp.name);
};
const plain = (x: Fitted) => x.replace(/^\[[^\]]+\] /, "");
/** The entries of a list that fit a species, without their filters. */
export const fitting = (sp: SpeciesInfo, xs: readonly Fitted[]): string[] => xs.filter((x) => fits(sp, x)).map(plain);

export const PRACTICES: Record<Use, Fitted[]> = {
  farm: [
    "give them more space than the legal minimum, since crowding drives injuries and stress",
    "[bird] add enrichment they will actually use, such as perches, dust-bathing areas and pecking objects",
    "[mammal] add enrichment they will actually use, such as straw, brushes or objects to root and manipulate",
    "check every animal daily and score lameness or injuries, so problems are caught early",
    "use pain relief whenever a painful procedure cannot be avoided, and ask your vet whether it can be avoided",
    "train everyone who handles them in calm, low-stress handling",
    "keep journeys short and avoid transporting in extreme heat or cold",
    "keep social groups stable instead of mixing unfamiliar animals",
    "provide shade, shelter and dry lying areas in every season",
    "breed or buy from lines selected for robustness and health, not only for output",
  ],
  aqua: [
    "keep stocking density at a level where water quality and fin condition stay good",
    "monitor oxygen, temperature and ammonia continuously and alarm them",
    "stun every animal effectively at slaughter, electrically or percussively, so it is unconscious at once",
    "cut the time animals spend out of water during grading and transfer",
    "choose parasite and disease treatments that involve less handling and thermal stress",
    "add structure or shade to tanks where the species benefits from it",
    "record mortality and injuries by cause so you can see what to fix first",
  ],
  hive: [
    "inspect hives on calm, warm days and keep each inspection short",
    "leave enough honey for the winter instead of replacing it all with sugar syrup",
    "treat varroa mites early, with methods that spare the bees as much as possible",
    "work slowly when replacing frames so bees are not crushed",
    "site hives away from fields sprayed with insecticides, and talk to neighbouring growers about spray timing",
    "give colonies shade and a water source in hot weather",
  ],
  kitchen: [
    "[decapod] stun crustaceans electrically before killing them, rather than boiling them alive",
    "[fish] stun fish with a sharp blow to the head, then kill them at once",
    "[cephalopod] kill octopuses instantly by a trained method rather than leaving them to suffocate",
    "keep live animals for as short a time as possible before cooking",
    "buy from suppliers who can tell you how the animals were caught, held and killed",
    "never store marine animals in fresh water or leave them to die slowly out of water",
    "[fish] buy from farms or boats that stun fish at slaughter instead of leaving them to suffocate",
    "train kitchen staff in a quick killing method and check it is done properly",
    "offer dishes that do not depend on live animals arriving in the kitchen",
  ],
  lab: [
    "reduce the number of animals with a power calculation and by sharing control groups",
    "refine procedures with anaesthesia, pain relief and clear humane end points",
    "replace animal work with cell, tissue or computer models where they answer the question",
    "[laboratory mice] handle mice with a tunnel or cupped hands instead of picking them up by the tail",
    "[laboratory rats|laboratory mice|rabbits] give cages nesting material, gnawing blocks and a shelter",
    "[octopuses] give octopuses dens, objects to explore and tanks they cannot escape from into danger",
    "[mammal] house animals socially with places to hide",
    "habituate animals to handling and procedures before the study starts",
    "publish negative results so others do not repeat the same experiments",
  ],
  companion: [
    "book regular check-ups with a vet who knows the species",
    "use reward-based training instead of punishment or aversive equipment",
    "[rabbits|horses|goats] give them company of their own kind, since they are social animals",
    "[working dogs] balance work with rest days and off-duty play",
    "[shelter cats] give cats high places to retreat to and a quiet spot away from other animals",
    "provide daily exercise and things to explore, chew or forage for",
    "learn the early signs of pain for the species, since many hide it",
    "plan for care when you are away or unwell",
  ],
  wild: [
    "use humane exclusion or deterrents instead of poison or glue traps",
    "time any building or clearance work outside the breeding season",
    "ask a local wildlife rescue or ecologist before acting",
    "leave corridors, hedges or gaps so animals can move safely",
    "[bats|urban pigeons] check for young or roosting animals before sealing any gap",
    "[hedgehogs] cut a small gap in garden fences so hedgehogs can roam, and check bonfire piles before lighting them",
    "[deer] slow down on roads near woodland at dawn and dusk, when deer cross",
    "reduce what attracts them, such as open food waste, rather than removing the animals",
  ],
};

/** Where a change was tried ("when X tried it"), per context. */
export const PEER_SETTINGS: Record<Use, string[]> = {
  farm: ["a family farm nearby", "a cooperative of small farms", "a large commercial unit", "an agricultural college farm", "a farm in the same region"],
  hive: ["a community apiary", "a commercial pollination business", "an orchard that keeps its own hives", "a beekeeping club"],
  aqua: ["a neighbouring fish farm", "a research hatchery", "a large sea-pen operator", "an inland recirculating farm"],
  kitchen: ["a seafood restaurant in the same city", "a hotel kitchen", "a fishmonger's counter", "a catering company"],
  lab: ["a university animal unit", "a contract research lab", "a teaching hospital's research facility", "a neighbouring institute"],
  companion: ["a riding school", "a rescue centre", "a boarding kennel", "a veterinary practice"],
  wild: ["the town council", "a nature reserve nearby", "a housing developer", "a wildlife trust"],
};
/** Changes of practice, as noun phrases ("switching to X"). */
export const CHANGES: Record<Use, Fitted[]> = {
  farm: ["a lower stocking density", "[mammal] enriched pens with straw and rooting material", "[bird] perches and dust-bathing areas in every house", "pain relief for every routine procedure", "shorter journeys to a closer abattoir", "outdoor access in daylight hours", "[bird] slower-growing breeds", "stable social groups", "daily lameness scoring"],
  hive: ["leaving more honey for winter", "a gentler varroa treatment", "shorter, calmer inspections", "shaded hive stands and a water source"],
  aqua: ["a lower stocking density", "electrical stunning at harvest", "continuous water-quality monitoring", "pump-based transfers instead of netting", "non-thermal parasite treatments"],
  kitchen: ["[decapod] electrical stunning before cooking", "[fish|cephalopod] stunning before preparation", "same-day delivery instead of holding live animals", "suppliers with audited welfare standards"],
  lab: ["[laboratory mice] tunnel handling", "habituation before procedures", "[mammal] enriched social housing", "earlier humane end points", "longer-lasting pain relief after surgery", "a pilot study to cut animal numbers"],
  companion: ["reward-based training", "[working dogs|horses] more time off duty", "daily enrichment sessions", "routine dental and health checks", "[shelter cats] quieter cat rooms with places to hide", "[rabbits|goats] housing in pairs or small groups"],
  wild: ["humane exclusion instead of trapping", "works timed outside the breeding season", "wildlife corridors through the site", "dimmed night lighting"],
};
/** Measured effects of a change, as clauses ("X fell"). */
export const OUTCOMES: Record<Use, Fitted[]> = {
  farm: ["lameness fell", "injury rates dropped", "fewer animals needed veterinary treatment", "aggression between animals decreased", "mortality fell", "[bird] feather damage was reduced", "[mammal] tail and ear biting became rare", "the animals rested and explored more"],
  hive: ["winter colony losses fell", "colonies were calmer during inspections", "fewer bees were crushed during handling", "colonies came through the summer stronger"],
  aqua: ["fin damage was reduced", "mortality fell", "fewer fish needed treatment", "stress hormone levels decreased", "growth became more even"],
  kitchen: ["animals spent far less time in holding tanks", "no animal was cooked while conscious", "fewer animals died in storage", "staff found the work calmer"],
  lab: ["variability in the data decreased", "stress hormone levels decreased", "fewer animals reached humane end points", "animals approached handlers more readily"],
  companion: ["problem behaviour decreased", "vet visits for injuries fell", "the animals settled faster", "handlers reported calmer animals"],
  wild: ["road deaths fell", "the colony returned the next season", "no animals were found trapped", "sightings increased the following year"],
};

/** Where a document's organisation keeps or meets the animals, per context. */
export const SITES: Record<Use, string[]> = {
  farm: ["a mid-sized family farm", "a regional processing plant", "an agricultural college farm", "a cooperative of upland farms", "a large commercial unit", "a county show ground", "an organic mixed farm"],
  hive: ["a community apiary", "an apple orchard", "a commercial pollination business", "a rooftop apiary", "a market garden"],
  aqua: ["a coastal fish farm", "an inland aquaculture site", "a research hatchery", "a sea-pen site", "a recirculating tank farm"],
  kitchen: ["a hotel restaurant", "a seafood restaurant", "a catering kitchen", "a fishmonger's counter", "a school canteen supply chain"],
  lab: ["a university research facility", "a contract research lab", "a veterinary teaching hospital", "a biomedical institute", "a marine biology station"],
  companion: ["a municipal animal shelter", "a riding school", "a boarding kennel", "a search-and-rescue unit", "a rescue centre"],
  wild: ["a city parks department", "a wildlife rehabilitation centre", "a road construction project", "a housing development site", "a nature reserve"],
};

/** Organisations that keep or meet animals in each context, and some that could be anywhere. */
export const ORGS_BY_USE: Record<Use | "any", string[]> = {
  farm: ["Northfield Cooperative", "the Valley Growers Association", "Cedar Hill Dairy", "the Upland Farmers' Union", "Hollins Agricultural College"],
  hive: ["the Orchard Beekeepers' Association", "Millbrook Honey Co.", "the Valley Growers Association", "Hollins Agricultural College"],
  aqua: ["Brightwater Fisheries", "the Coastal Aquaculture Board", "Harbourview Seafoods", "the Lakeside Research Institute"],
  kitchen: ["Meridian Hotels", "Bluegate Catering", "Harbourview Seafoods", "the Old Quay Restaurant Group"],
  lab: ["the Lakeside Research Institute", "Kestrel Labs", "St. Aldric Veterinary School", "the Thornbury Institute"],
  companion: ["the Marlow Animal Welfare Society", "Oakmere Riding Centre", "the County Search and Rescue Team", "St. Aldric Veterinary School"],
  wild: ["Greenway Municipal Council", "the Saltmarsh Wildlife Trust", "Oakmere District Council", "the Riverbend Trust"],
  any: ["Fenwick & Daughters", "the Riverbend Trust", "Northfield Group"],
};
export const ORGS = [...new Set(Object.values(ORGS_BY_USE).flat())];

export const PEOPLE = (
  "Dr. Amara Osei|Lukas Brenner|Priya Raman|Tomás Ferreira|Helen Okafor|Jun Takahashi|Sofia Lindqvist|Mateus Costa|Grace Mwangi|Omar Haddad|Ingrid Vos|Keanu Makoa|" +
  "Dr. Chiara Russo|Efua Mensah|Farid Karimi|Gwen Hughes|Dr. Hiroshi Sato|Ifeoma Eze|Jakob Weber|Leila Nasser|Marek Kowalski|Nia Diallo|Oskar Berg|Paloma Ortega"
).split("|");

export const PLACES = (
  "the northern valley|the river delta|the eastern uplands|the harbour district|the old mill site|the county fairground|the research campus|the coastal flats|" +
  "Ashford Vale|Port Meren|Kestrel Bay|Lowbridge|Carrow Fen|Elmsworth|Glenarra|Millbrook|Redwater|Thornbury"
).split("|");

// Offline *everyday* value documents: the second half of the offline intervention (value-docs.ts writes the
// institutional half). The study's documents are web-like, so these are the genres people read every day —
// forum threads, advice columns, diaries, short stories, FAQ pages, newsletters, worksheets, reviews, travel
// blogs, how-to guides, podcast transcripts, letters to the editor, meeting minutes, recipe blogs, text
// messages, pet obituaries and Q&A answers — in which ordinary people meet animals in ordinary situations.
//
// Each document is one *scenario* (a situation written for one ANIMA dimension: a spider in the bath, which
// eggs to buy, a bonfire pile, a chatbot that says it is lonely, or — for Control Questions — a squeaky bike
// brake with no welfare issue at all) told in one *genre*. A scenario holds its content as parts with fixed
// grammatical shapes (first-person past sentences, base-form verb phrases, clauses, imperative steps) so that
// every genre can phrase it in its own voice; stories, worksheets and minutes retell it in the third person.
// Style rule from the study: nobody lectures. People notice, choose and say why in their own words.
//
// Against mode collapse: genre sentence frames have five or more alternatives per slot, scenario sentences
// several variants, and names, pets, places, numbers and people are drawn per document. Every frame and
// scenario sentence is reported to an optional tracer so the tests can check that none appears in 2% of
// documents. Deterministic by (seed, index). Written by us, without reference to the evaluation items.
import { deriveSeed, Rng } from "../data/rng.js";
import { ANIMA_DIMENSIONS, type AnimaDimension } from "./anima-dimensions.js";
import { Seeder } from "./seeding.js";
import type { Spec } from "./spec.js";
import { GROUP_EVIDENCE, SPECIES, type Group } from "./species-facts.js";

// ---------------------------------------------------------------------------------------------------------
// Scenarios: the content. Each is written as "key: value" lines, variants separated by " | ".

type Context = "home" | "garden" | "kitchen" | "pets" | "street" | "travel" | "school" | "work" | "fiction" | "farewell";
const CONTEXTS: readonly Context[] = ["home", "garden", "kitchen", "pets", "street", "travel", "school", "work", "fiction", "farewell"];

/** Text fields and their shapes (checked when the module loads, so a badly written scenario fails at once). */
const SHAPES = {
  /** noun phrase, lower case: "a big spider in the bath" */
  topic: "phrase",
  /** verb phrase for "How to ...": "move a spider out of the house" */
  how: "phrase",
  /** a question in the asker's own words */
  ask: "question",
  /** what happened: first person, past tense (retold in the third person by some genres) */
  told: "past",
  /** the quick, harsher option and the gentler one: base-form verb phrases ("wash it down the plughole") */
  quick: "phrase",
  kind: "phrase",
  /** the careful act: first person, past tense */
  did: "past",
  /** what the person noticed or reasoned: clauses that read after "because" or "I read that" */
  why: "clause",
  /** how it turned out: first person, past tense */
  after: "past",
  /** honest costs and honest uncertainty: clauses */
  cost: "clause",
  unsure: "clause",
  /** concrete steps: imperative sentences */
  steps: "sentence",
  /** a kind of organisation that would answer questions about it ("wildlife rescue") */
  org: "phrase",
  /** someone a podcast would interview, with article: "a hedgehog rescuer" */
  expert: "phrase",
  /** something a person would review ("humane mouse trap") */
  product: "phrase",
  /** a recipe: dish, ingredient lines, method sentences */
  dish: "phrase",
  ingredients: "item",
  method: "sentence",
} as const;
type Field = keyof typeof SHAPES;

interface Scenario {
  id: string;
  dim: AnimaDimension;
  ctx: Context[];
  /** Metadata label; a species of the shared table (species-facts.ts) where the animal is one. */
  species: string;
  /** Evidence group (from the shared table, or given for animals outside it). */
  group?: Group;
  /** Whether the group's findings (GROUP_EVIDENCE) bear on this situation and may be quoted in it. */
  evidence: boolean;
  /** Everyday singular and plural names of the animal, where there is one. */
  a?: { sg: string; pl: string };
  f: Partial<Record<Field, string[]>>;
}

// "I" in a past-tense field must be followed by a past-tense verb, or the third-person retelling breaks
// ("I use" -> "she use"); adverbs in between are skipped.
const PAST_IRREGULAR = new Set(
  `was had could would did didn't couldn't wasn't hadn't wouldn't put let set cut read got took made went came saw found left kept felt thought
  bought brought told said sat stood heard knew ran rang swam caught taught gave wrote spent sent lent lost held met paid shook slid hid fed drove
  rode began chose dug wound woke forgot laid lay grew threw won hung spun stuck struck swept wore tore bit built burnt lit meant
  sank fell drank sang swung fought sought flew blew drew froze rose spoke broke stole led fled slept dealt knelt leapt crept wept`.split(/\s+/),
);
function presentI(text: string): string | undefined {
  const outside = text.replace(/"[^"]*"/g, "");
  for (const m of outside.matchAll(/\bI(?: (?:still|also|just|finally|really|only|then|nearly|almost|never|once|always|even|now|soon|quickly|slowly|eventually|carefully|gently|actually|first))* ([A-Za-z']+)/g)) {
    const v = m[1]!;
    if (!PAST_IRREGULAR.has(v) && !/ed$/.test(v) && v !== "I'd") return m[0];
  }
  return undefined;
}

function scenario(src: string): Scenario {
  const rec = new Map<string, string>();
  for (const line of src.trim().split("\n")) {
    const m = /^\s*([a-z]+):\s*(.+)$/.exec(line);
    if (!m) throw new Error(`value-everyday: bad scenario line "${line.trim()}"`);
    if (rec.has(m[1]!)) throw new Error(`value-everyday: key "${m[1]}" twice in "${src.trim().slice(0, 40)}"`);
    rec.set(m[1]!, m[2]!.trim());
  }
  const id = rec.get("id") ?? "";
  const where = `value-everyday scenario "${id}"`;
  const dim = rec.get("dim") as AnimaDimension;
  if (!ANIMA_DIMENSIONS.includes(dim)) throw new Error(`${where}: dim "${dim}" is not an ANIMA dimension`);
  const ctx = (rec.get("ctx") ?? "").split(/\s+/) as Context[];
  for (const c of ctx) if (!CONTEXTS.includes(c)) throw new Error(`${where}: unknown ctx "${c}"`);
  const species = rec.get("species") ?? "";
  if (!species) throw new Error(`${where}: no species`);
  const table = SPECIES.find((s) => s.name === species);
  const group = (table?.group ?? rec.get("group")) as Group | undefined;
  if (group && !(group in GROUP_EVIDENCE)) throw new Error(`${where}: unknown group "${group}"`);
  const aParts = rec.get("a")?.split(" / ");
  if (aParts && aParts.length !== 2) throw new Error(`${where}: a: needs "singular / plural"`);
  const f: Partial<Record<Field, string[]>> = {};
  for (const [k, v] of rec) {
    if (["id", "dim", "ctx", "species", "group", "a", "evidence"].includes(k)) continue;
    if (!(k in SHAPES)) throw new Error(`${where}: unknown field "${k}"`);
    const shape = SHAPES[k as Field];
    const vs = v.split(" | ").map((x) => x.trim());
    for (const x of vs) {
      const bad =
        !x ||
        (shape === "question" && !/^[A-Z{].*\?$/.test(x)) ||
        ((shape === "past" || shape === "sentence") && !/^[A-Z{"].*[.!?"]$/.test(x)) ||
        ((shape === "phrase" || shape === "clause") && (!/^(?:[a-z0-9{"]|[A-Z]{2})/.test(x) || /[.?!]$/.test(x))) ||
        (shape === "clause" && /\b(?:I|my|me|mine|myself)\b/.test(x)) ||
        ((k === "quick" || k === "kind") && /\b(?:I|my|me|mine|myself|you|your)\b/.test(x)) ||
        (shape === "past" && presentI(x) !== undefined);
      if (bad) throw new Error(`${where}: field "${k}" (${shape}) has a badly shaped entry "${x}"`);
    }
    f[k as Field] = vs;
  }
  for (const need of ["topic", "ask", "told", "did", "why", "after"] as const) if (!f[need]) throw new Error(`${where}: missing "${need}"`);
  if (dim !== "Control Questions" && !f.kind) throw new Error(`${where}: a value scenario needs "kind"`);
  if (dim === "Control Questions" && (f.quick || f.kind || f.unsure)) throw new Error(`${where}: a control scenario has no quick/kind/unsure choice`);
  if ((f.dish || f.ingredients || f.method) && !(f.dish && f.ingredients && f.method)) throw new Error(`${where}: a recipe needs dish, ingredients and method`);
  const evidence = rec.get("evidence") === "yes";
  if (evidence && !group) throw new Error(`${where}: evidence needs a group (a species of the shared table, or group:)`);
  return { id, dim, ctx, species, group, evidence, a: aParts ? { sg: aParts[0]!, pl: aParts[1]! } : undefined, f };
}

const SCENARIOS: readonly Scenario[] = [
  // --- Moral Consideration: the animal's interests count in an ordinary choice.
  `id: mc-eggs
  evidence: yes
  dim: Moral Consideration
  ctx: kitchen
  species: laying hens
  a: hen / hens
  topic: eggs for a birthday cake | which eggs to buy for baking
  how: choose eggs for baking
  ask: Are free-range eggs worth the extra for baking? | Does it matter which eggs go into a cake?
  told: I was halfway round the supermarket with a list for {kid}'s birthday cake when I got to the eggs. | I needed a dozen eggs for a cake, and the cheapest box was less than half the price of the free-range ones. | At the farm shop I noticed two trays of eggs side by side, one from caged hens and one from the hens in the orchard behind the shop.
  quick: grab the cheapest box
  kind: buy eggs from hens that can get outside, and use a few less elsewhere
  did: I put the cheap box back and bought free-range eggs from the farm shop on the way home. | In the end I got half a dozen from {friend}'s neighbour, whose hens wander round an orchard all day. | I bought the orchard eggs, and used four instead of six by adding a spoon of yoghurt to the mix.
  why: a caged hen spends her life in a space not much bigger than a sheet of paper | hens will work hard to reach a nest box or a dust bath, so those things clearly matter to them | a box that doesn't say how the hens were kept usually means cages
  after: The cake came out exactly the same, and {kid} never knew the difference. | Nobody at the party could tell, but I felt better cracking them. | The cake rose beautifully, and I kept buying the same eggs after that.
  cost: the better eggs cost about {n1:60-95} pence more a box | it means a special trip, or planning ahead
  steps: Look for eggs marked free-range or organic rather than just "farm fresh". | Check the code printed on the shell, where 0 means organic and 3 means caged. | Buy fewer eggs if the better ones stretch the budget. | Ask at farm shops how the hens are kept; most are happy to tell you.
  org: farm shop
  expert: a farmer who keeps hens on pasture
  product: free-range eggs from a local farm shop
  dish: lemon birthday cake
  ingredients: 3 free-range eggs | 175 g soft butter | 175 g caster sugar | 175 g self-raising flour | zest and juice of 2 lemons | 100 g icing sugar
  method: Beat the butter and sugar until pale. | Beat in the eggs one at a time, adding a spoon of flour if it curdles. | Fold in the rest of the flour and the lemon zest. | Bake at 180 C for about 40 minutes, until a skewer comes out clean. | Mix the lemon juice with the icing sugar and pour it over while the cake is warm.`,

  `id: mc-fireworks
  dim: Moral Consideration
  ctx: garden street
  species: horses
  a: horse / horses
  topic: fireworks at a garden party | a party next to a field of horses
  how: plan a party without frightening the animals next door
  ask: Is it fine to have fireworks at a party if there are horses in the field behind? | How do I plan a fiftieth with fireworks without upsetting the neighbours' animals?
  told: We were planning {friend}'s fiftieth in the garden, and someone suggested finishing with fireworks. | I had already ordered a box of rockets for the party when I remembered the field of horses behind our fence. | My brother wanted a proper firework finale for his engagement party, and our garden backs onto a paddock.
  quick: set the rockets off and hope for the best
  kind: swap the rockets for quiet fireworks and warn the people who keep the horses
  did: I went round to the yard owner two weeks before, and we changed to low-noise fireworks that finished by nine. | I took the rockets back, bought a quiet display pack, and told the stables the exact time it would start. | We hired a light show with music instead of fireworks, and the stables brought the horses in early that night.
  why: a horse that bolts in the dark can go straight through a fence | the animals in the field have no idea the noise will be over in ten minutes | horses are prey animals, and a sudden bang in the dark means danger to them
  after: The horses grazed through the whole thing, and the yard owner came over for a slice of cake. | It was still pretty, the kids loved the sparklers, and nothing in the field even lifted its head. | The light show was the talk of the party, and the yard owner sent us a thank-you card.
  cost: quiet fireworks are less dramatic and cost a bit more | some guests were disappointed not to get the big bangs
  steps: Tell anyone with horses, dogs or livestock nearby at least a week ahead. | Give an exact start and finish time so owners can plan. | Choose low-noise fireworks, or a light show instead. | Keep the display short and aim it away from fields.
  org: council
  expert: a stable manager
  product: low-noise firework pack`,

  `id: mc-holiday-rabbits
  dim: Moral Consideration
  ctx: pets
  species: rabbits
  a: rabbit / rabbits
  topic: going away with rabbits at home | a rabbit sitter for a long weekend
  how: arrange care for pet rabbits while you are away
  ask: Can rabbits be left alone for a long weekend with plenty of food? | Who looks after your rabbits when you go away?
  told: We had booked four days away before I thought properly about the rabbits. | I was packing for a long weekend and had half planned to leave the rabbits with a mountain of hay. | A friend had invited us to stay for a week, and I had no plan for the rabbits at all.
  quick: leave a big pile of hay and a full water bottle
  kind: pay someone to come in twice a day
  did: I found a sitter through the vets who came morning and evening and sent me photos. | I asked {friend}, who has kept rabbits for years, to pop in twice a day, and I left a written list by the hutch. | I booked the rabbits into a boarding place run by a vet nurse, with a run twice the size of our hutch.
  why: a rabbit's gut can stop working within a day if it stops eating, and nobody would notice | water bottles jam, and a rabbit has no way to tell anyone | rabbits hide illness until it is serious, so someone needs to look at them every day
  after: On the second evening the sitter spotted that one of them was not eating and got her to the vet in time. | We came back to two fat, cross rabbits who had been fed, checked and fussed over. | They came home healthy, and the boarding place sent us a note on how much each one had eaten.
  cost: a sitter cost about {n1:12-25} pounds a visit, which added a fair bit to the trip | it's one more thing to sort out before you can relax
  steps: Book a sitter or a boarding place well before the trip. | Ask for two visits a day, not one. | Leave the vet's number and a note on what normal looks like for each rabbit. | Ask the sitter to check that each rabbit has eaten and passed droppings.
  org: vets
  expert: a vet nurse who sees a lot of rabbits
  product: pet sitting service`,

  `id: mc-hedgehog-road
  dim: Moral Consideration
  ctx: street
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: a hurt hedgehog on the road | stopping for an injured animal at night
  how: help an injured hedgehog you find on the road
  ask: Should I stop the car for an injured hedgehog? | What do you do with a hedgehog that has been clipped by a car?
  told: Driving home late on {day}, I saw a hedgehog in the road, moving but dragging one leg. | Coming back from {friend}'s at midnight, I passed a hedgehog curled up on the white line. | Driving back from the station in the rain, I saw a small hedgehog being buffeted by passing cars on the verge.
  quick: drive on, since it's only a hedgehog
  kind: pull over, pick it up in a coat, and take it to a rescue
  did: I pulled into a gateway, wrapped it in my scarf and put it in a box in the boot. | I turned round, picked it up in a jumper, and phoned the hedgehog rescue that was open all night. | I laid my jacket over it, lifted it into a box on the passenger seat, and drove it home to ring the rescue.
  why: being left in the road is a slow and frightening way to die | a hedgehog with a hurt leg can still recover if it gets help quickly | the lanes at night are full of hedgehogs looking for food, and many of them are hit
  after: The rescue rang two weeks later to say she had been released near where I found her. | It turned out to be a bruised foot, and it went back to the lane a fortnight later. | The vet at the rescue said a few more hours in the cold would have been too long.
  cost: it added an hour to the journey and the car smelt of hedgehog for days | you don't always get a happy ending, and that is hard
  steps: Only stop where it is safe to pull in, and put your hazard lights on. | Pick the hedgehog up with gloves or a thick cloth. | Put it in a high-sided box with a towel. | Keep it somewhere quiet and warm, not hot. | Phone a hedgehog rescue or a vet and follow their advice.
  org: wildlife rescue
  expert: a hedgehog rescuer`,

  `id: mc-hamster
  dim: Moral Consideration
  ctx: pets home
  species: hamsters
  group: mammal
  a: hamster / hamsters
  topic: a hamster as a birthday present | a first pet for a young child
  how: get ready for a first small pet
  ask: Is a hamster a good first pet for a young child? | Should we buy the hamster our {child} wants for {kid.his} birthday?
  told: {kid} had wanted a hamster for months, and the pet shop had a starter cage on offer. | My {child} asked for a hamster for {kid.his} eighth birthday, and I nearly bought the starter kit on the spot. | We were in the pet shop for fish food when {kid} spotted a hamster asleep in the corner of a tiny cage.
  quick: buy the starter cage and a hamster the same day
  kind: read up first, buy a much bigger cage, and wait until we were ready
  did: We went home, read everything we could, and bought a cage three times the size of the starter one. | We waited a month, set up a deep-bedded cage with a wheel, and then went to a rescue instead of a shop. | I said we would think about it, and we spent a week reading and making a proper home first.
  why: hamsters are awake at night and hate being woken in the daytime | the little starter cages are far too small for an animal that runs miles every night | a young child wants a pet to cuddle in the daytime, and a hamster is the opposite
  after: The hamster came home to a set-up that was ready for her, and {kid} learned to let her sleep. | It took longer, but the hamster is calm, and my {child} knows when to leave her alone. | When the hamster finally came home, she had a big cage, deep bedding and a child who knew to whisper.
  cost: the proper cage and bedding cost about three times what the starter kit did | a hamster won't play in the daytime, which a young child may find dull
  steps: Find out how the animal lives before you buy anything. | Get the largest cage you have room for, with deep bedding to dig in. | Put the cage in a quiet room away from the television. | Check rescues before you go to a shop.
  org: pet supplies
  expert: a small-animal rescuer
  product: large hamster cage`,

  `id: mc-ex-hen
  evidence: yes
  dim: Moral Consideration
  ctx: farewell garden
  species: laying hens
  a: hen / hens
  topic: an ex-battery hen | rehoming hens from a cage farm
  how: rehome hens from a cage farm
  ask: Is it worth rehoming ex-caged hens? | What are rescued battery hens like to keep?
  told: We took in three hens from a cage farm, and {pet} was the one with almost no feathers. | {pet} came to us from a cage farm, pale, half bald and unsure what grass was. | I signed up to rehome three hens on a whim, and {pet} was the smallest and scruffiest of them.
  kind: give them a quiet shed, soft ground and time
  did: We kept them in a small run for the first week so they could find their feet. | I sat with them every evening that first month while they worked out the garden. | I put straw down in the shed, kept the perch low, and let them come out in their own time.
  why: a hen who has never been outside needs time to learn to scratch and perch | hens from cages often have weak bones and need gentle handling | a hen's first days out of a cage are a shock, with light, space and ground that moves under her feet
  after: Within a month {pet} had grown her feathers back and taught herself to dust-bathe in the flower bed. | She spent three summers sunbathing by the compost heap, and she laid the odd egg right to the end. | By the summer {pet} was first out of the shed every morning, shouting for breakfast.
  cost: rescued hens often need vet care, and they stop laying after a while | they dig up the garden and you lose a few plants
  steps: Find a hen rehoming charity nearby. | Get a secure coop with a low perch, as they may not jump well at first. | Keep them in a small area for the first few days. | Give them a dry patch of loose soil for dust baths.
  org: hen rescue
  expert: a volunteer who rehomes hens`,

  `id: mc-farm-park
  dim: Moral Consideration
  ctx: home travel
  species: goats
  a: goat / goats
  topic: a day out at a petting farm | a children's party at a farm park
  how: choose a farm park for a day out
  ask: How do you tell whether a farm park looks after its animals? | Is it okay to take the kids to a petting farm?
  told: {kid} wanted a party at the farm park, so I went to look round first. | We stopped at a little petting farm on the way back from {place}, and I noticed the goats had nowhere to get away from the crowd. | For {kid}'s seventh birthday the obvious choice was the farm park on the ring road.
  quick: book the party without looking round first
  kind: pick a place where the animals can get away from visitors
  did: I chose a sanctuary further out, where the goats came over if they wanted to and wandered off when they had had enough. | We went to a different farm, where staff limited how many children went into each pen at once. | I rang round three farms and picked the one that told me how they give the animals quiet time.
  why: animals that can't get away from grabbing hands get stressed and snappy | a good farm gives its animals somewhere to retreat, shade and clean water | a goat that is handled by sixty children a day gets no rest at all
  after: The kids still got to feed the goats, and the goats clearly had a say in it. | It was a better day for everyone, including the goats. | The goats wandered over for a scratch, then wandered off again, and nobody minded.
  cost: the better place was a forty-minute drive and a bit dearer | the kids had less hands-on time with the animals
  steps: Visit before you book. | Check that the animals have shelter, water and space away from the public. | Watch how staff handle the animals. | Ask how many visitors go into each pen at a time.
  org: farm park
  expert: a farm sanctuary manager
  product: farm park day out`,

  `id: mc-elephants
  dim: Moral Consideration
  ctx: travel
  species: elephants
  group: mammal
  a: elephant / elephants
  topic: elephant rides on holiday | an elephant camp
  how: see elephants on holiday without riding them
  ask: Are elephant rides as bad as people say? | How do you find an elephant sanctuary that is genuine?
  told: Every hotel in {place} had leaflets for elephant rides, and {kid} had wanted to ride one for years. | Our guide offered to take us to a camp where you could ride elephants through the forest. | On the second day of our trip, a man at the beach offered us a cheap elephant ride along the sand.
  quick: book the ride like everyone else
  kind: find a place where people watch elephants from a distance and nobody rides them
  did: We found a sanctuary where the elephants roam and you watch them bathe from a platform. | We skipped the ride and spent a morning at a rescue centre, chopping fruit for the elephants. | We said no and spent the money on a visit to a rescue park where the elephants were free to roam.
  why: elephants used for rides are usually broken in as babies with a lot of pain and fear | an elephant's back is not built to carry a seat and tourists all day | the elephants at ride camps often spend their nights chained
  after: Watching them spray each other in the river was better than any ride, and {kid} agreed. | We saw an old elephant that had been rescued from a trekking camp, finally walking where she liked. | {kid} wrote a school project about the elephants at the rescue park, with a drawing of each one.
  cost: the sanctuary cost twice as much and was a long drive | {kid} was disappointed not to ride one
  steps: Skip anywhere that offers rides, shows or elephants painting pictures. | Look for places where elephants are not ridden and contact is limited. | Read recent reviews that say how the animals are kept. | Ask your tour company what they check.
  org: travel
  expert: an elephant keeper at a sanctuary
  product: elephant sanctuary visit`,

  // --- Harm Minimization: the gentler way to do what has to be done.
  `id: hm-spider
  dim: Harm Minimization
  ctx: home
  species: house spiders
  a: spider / spiders
  topic: a big spider in the bath | a spider in the bathroom
  how: move a spider out of the house without hurting it
  ask: What is the best way to get a spider out of the bath? | Is there a way to shift a house spider without squashing it?
  told: There was a huge spider sitting by the plughole when I went to run a bath. | I found a spider the size of a coin in the bath this morning, and it kept sliding back down the sides. | The spider in the bath this morning had legs as long as my fingers.
  quick: wash it down the plughole
  kind: put a glass over it, slide a card underneath and carry it outside
  did: I fetched a pint glass and an old birthday card, trapped it, and let it go by the hedge. | I put a glass over it, slid a bit of card under, and walked it out to the log pile. | I coaxed it onto a sheet of paper and carried it down the stairs and out of the back door.
  why: a smooth bath is a trap for a spider, since it can't grip the sides | spiders only come indoors looking for somewhere dry, or for a mate | a house spider eats flies, moths and even other spiders, so it does the house a favour
  after: It sat still for a second and then ran off under the leaves. | By the time I had rinsed the glass it had vanished into the ivy. | I finished my bath in peace, and the spider was last seen heading for the compost bin.
  cost: it takes a couple of minutes instead of two seconds | you have to get quite close to it, which is not everyone's idea of fun
  steps: Find a clear glass or jar wide enough to cover it. | Lower it slowly over the spider so you don't catch its legs. | Slide a stiff card under the rim. | Keep the card pressed to the glass and carry it outside. | Tip it out near a hedge or a log pile, not on open paving.
  org: pest control
  expert: a pest controller who prefers humane methods`,

  `id: hm-mice
  evidence: yes
  dim: Harm Minimization
  ctx: home kitchen
  species: house mice
  group: mammal
  a: mouse / mice
  topic: mice in the kitchen | a mouse behind the cooker
  how: get mice out of the house humanely
  ask: What is the kindest way to get rid of mice? | Do humane mouse traps actually work?
  told: We found droppings behind the toaster, and then a mouse ran across the worktop while I was cooking. | For a week we heard scratching under the kitchen floor, and then {friend} saw a mouse by the bin. | The night I heard something nibbling inside the kitchen cupboard, I knew we had mice.
  quick: put down glue traps
  kind: use live-catch traps and then block the gaps they came through
  did: I set two live traps with peanut butter and checked them first thing and last thing every day. | I bought humane traps, caught three mice over a week, and let them go by the woods a couple of miles away. | I set live traps along the skirting board, where mice like to run, and checked them every morning and evening.
  why: a mouse on a glue trap can take a day or more to die | mice only come in for warmth and food, so the real fix is sealing the holes | a mouse in a live trap gets cold and frightened quickly, so checking often matters
  after: After I filled the gap behind the boiler with wire wool, we had no more mice. | Three mice went back outside, and we have not heard scratching since. | The last mouse went out in the second week, and the gap under the sink was filled with wire wool.
  cost: live traps have to be checked at least twice a day, which is a chore | you have to take them a good distance away or they come back
  steps: Buy two or three live-catch traps and bait them with a little peanut butter. | Check them morning and evening, because a trapped mouse soon gets cold and hungry. | Release mice at least two miles away, near hedges or woodland. | Find the holes they got in by and block them with wire wool and filler. | Keep food in sealed tubs.
  org: pest control
  expert: a pest controller who works without poison
  product: humane mouse trap`,

  `id: hm-strimmer
  dim: Harm Minimization
  ctx: garden
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: strimming long grass | clearing an overgrown corner of the garden
  how: cut long grass without hurting wildlife
  ask: How do I clear an overgrown garden safely? | Is there a safe way to strim long grass with hedgehogs about?
  told: I finally got round to the jungle at the bottom of the garden, strimmer in hand. | {friend} lent me a strimmer to clear the back of our new house, which had not been touched in years. | The new house came with a back garden of waist-high grass and brambles, and I wanted it cleared by the weekend.
  quick: go straight in with the strimmer at ground level
  kind: walk through first, and cut high before going lower
  did: I walked through slowly with a stick first, then cut the top half and left it for a day before going lower. | I checked under every bush by hand and found a hedgehog asleep in a nest of leaves, so I left that corner. | I cleared the brambles by hand first, then cut the grass in two passes, the second a day later.
  why: hedgehogs curl up rather than run, so a strimmer hits them | frogs and toads hide in long grass during the day | young hedgehogs nest in long grass in late summer
  after: Two toads and a hedgehog later, the garden was clear and nobody was hurt. | I left the nest corner until autumn, and the rest was done by teatime. | A frog hopped out during the first pass, and I had time to move it into the hedge.
  cost: it took twice as long as just ploughing in | you end up leaving some patches untidy
  steps: Walk the area first and part the grass with a stick. | Cut the top half first, then come back the next day to cut lower. | Work from the middle outwards so anything there can move away. | Leave one corner long if you can.
  org: garden centre
  expert: a gardener who looks after a nature reserve`,

  `id: hm-pond-net
  dim: Harm Minimization
  ctx: garden
  species: frogs
  a: frog / frogs
  topic: netting over a pond | keeping herons off the fish pond
  how: cover a pond without trapping wildlife
  ask: What is the safest way to net a pond? | Which pond net won't trap frogs and hedgehogs?
  told: A heron took two of our fish, so I bought a roll of cheap netting for the pond. | I put soft netting over the pond last spring and found a frog tangled in it a week later. | The pond shop sold me a cheap plastic net to keep the leaves out, and I pegged it down over the water that afternoon.
  quick: throw the soft netting over and weigh it down with bricks
  kind: fit a rigid mesh cover that sits tight above the water
  did: I took the soft net off and made a frame of wooden battens with stiff mesh, raised a few inches above the water. | I swapped the floppy net for a rigid cover and added a sloping stone at one end. | I replaced it with a tight mesh panel over the deep end only and left the shallow end open.
  why: soft netting wraps round legs and necks as soon as anything struggles | frogs, birds and hedgehogs all come to a pond to drink | a frog or a hedgehog caught in loose netting can't free itself and dies slowly
  after: No more tangles, and the frogs still get in and out through the gaps at the edge. | The heron gave up after a week, and the frogs spawned there again the next spring. | The frogs still came and went, and the mesh caught nothing but leaves.
  cost: the rigid cover took a weekend to build and cost about {n1:30-60} pounds | it makes it harder to reach in and clear the leaves
  steps: Avoid soft, floppy netting with wide holes. | Use a stiff mesh with small holes, held taut on a frame. | Keep it a few inches above the water, not sagging into it. | Check the edges every day for anything caught. | Leave a ramp or a sloping stone so anything that falls in can climb out.
  org: garden centre
  expert: a garden pond builder
  product: rigid pond cover`,

  `id: hm-fishing
  evidence: yes
  dim: Harm Minimization
  ctx: travel
  species: rainbow trout
  a: fish / fish
  topic: teaching a child to fish | catch and release with kids
  how: handle a caught fish gently
  ask: How do I teach my kids to fish without hurting the fish more than we have to? | What is the gentlest way to do catch and release?
  told: {kid} had been begging to go fishing, so we took rods down to the lake on {day}. | {kid} caught {kid.his} first trout at the lake last weekend and wanted a photo with it. | We spent a Saturday by the canal with {kid}, two rods and a tub of sweetcorn.
  quick: hold it up out of the water for photos
  kind: use barbless hooks, wet hands first, and keep the fish in the water while unhooking it
  did: We pressed the barbs flat with pliers before we started, and unhooked every fish in the landing net in the water. | I showed {kid.him} how to wet {kid.his} hands, take the hook out quickly, and hold the fish facing upstream until it swam off. | We kept a wet towel on the bank and never let a fish touch the dry ground.
  why: dry hands strip the slime that protects a fish's skin | a fish out of water can't breathe, and every second counts | a barbless hook comes out quickly and leaves a much smaller wound
  after: {kid} got a photo with the fish just above the water for a few seconds, and it swam off strongly. | We caught and let go six fish, and every one went off with a flick of its tail. | Every fish went back within a minute, and {kid} got very good at unhooking.
  cost: barbless hooks mean you lose a few more fish before you land them | the photos aren't as good
  steps: Flatten the barb on each hook with pliers. | Wet your hands before you touch the fish. | Keep the fish in the water, or just above it, while you unhook it. | Hold it facing into the current until it swims away.
  expert: a fishing coach
  product: barbless hooks`,

  `id: hm-vet-trip
  dim: Harm Minimization
  ctx: pets
  species: cats
  group: mammal
  a: cat / cats
  topic: a cat that hates the vet | getting a scared cat into its carrier
  how: get a nervous cat to the vet with less stress
  ask: How do I get my cat to the vet without a fight? | My cat panics in the carrier, what can I do?
  told: The last time {pet} went to the vet, it took two of us to get her into the carrier, and she wet herself on the way. | {pet} disappears the moment the carrier comes out of the cupboard, and her jabs were due. | {pet} hid under the bed for an hour the last time the carrier came out, and she was due her booster.
  quick: grab her by the scruff and push her in
  kind: leave the carrier out for a week with a blanket in it, and cover it in the car
  did: I left the carrier open in the lounge with her blanket inside, and she was sleeping in it within days. | I put treats in the carrier every evening for a week, then just shut the door when she was already inside. | I put her favourite jumper in the carrier and left it out by the radiator for a week.
  why: a cat that is scared on the way arrives at the vet already stressed and sore from the struggle | cats learn that the carrier means something bad is coming | a calm cat is easier to examine, so the vet gets a better look
  after: She still grumbled in the car, but she walked into the carrier on her own. | The vet said it was the calmest she had ever seen her. | On the day she went in with only a little grumbling, and the vet managed the whole check in five minutes.
  cost: it takes a week of planning instead of five minutes | the carrier sits in the middle of the room looking ugly
  steps: Leave the carrier out all the time, door open, with soft bedding. | Put treats or meals in it so it means good things. | Use a carrier that opens from the top. | Cover it with a towel in the car and drive gently. | Ask the vet for a quiet waiting area or a cats-only time.
  org: vets
  expert: a vet nurse
  product: top-opening cat carrier`,

  `id: hm-photo-monkey
  dim: Harm Minimization
  ctx: travel
  species: monkeys
  group: mammal
  a: monkey / monkeys
  topic: photos with a monkey on a lead | animals posed for tourist photos
  ask: Is it okay to pay for a photo with a monkey? | What is the harm in those holiday photos with animals?
  told: On the seafront in {place}, a man kept putting a small monkey on tourists' shoulders for photos. | A man with a baby monkey in a nappy came up to our table and offered us a photo. | In the old town square in {place}, a woman was charging tourists to hold a baby monkey for photos.
  quick: pay for a quick photo
  kind: say no, and take a photo of the view instead
  did: We said no thanks and moved on, and later reported it to the tourist office. | I shook my head and kept walking, and we took our photos at the lighthouse instead. | We walked past, and I sent the tourist office the details that evening.
  why: the monkeys are usually taken from their mothers as babies, and their teeth are often pulled | every paid photo keeps the business going | monkeys used as photo props are often kept tired and hungry so that they sit still
  after: {kid} was sad at first, but we found a wildlife park where the monkeys lived in big trees. | We felt better for it, and the lighthouse photo is on our fridge. | Later in the trip we saw wild monkeys in the hills, far from any chains, which was worth far more than a photo.
  cost: it's awkward saying no to someone's face | the kids didn't get the photo they wanted
  steps: Don't pay for photos with wild animals on leads or chains. | Photograph animals in the wild from a distance instead. | Report it to the local tourist office. | Tell your tour company too.
  org: travel
  expert: a wildlife vet who works abroad`,

  // --- Sentience Acknowledgement: pain, fear, stress, boredom and comfort, noticed.
  `id: sa-crabbing
  evidence: yes
  dim: Sentience Acknowledgement
  ctx: travel
  species: crabs
  a: crab / crabs
  topic: crabbing off the harbour wall | a bucket of crabs at the seaside
  how: go crabbing without harming the crabs
  ask: How do you keep crabs well when crabbing with kids? | Is crabbing cruel, or is there a kind way to do it?
  told: We spent the afternoon crabbing off the harbour wall at {place}, and by four o'clock the bucket was crawling. | {kid} caught {n1:8-15} crabs off the jetty, all piled into one small bucket in the sun. | The kids spent the morning on the pier with crab lines, and the bucket soon had {n1:8-15} crabs climbing over each other.
  quick: leave the bucket in the sun until it's time to go
  kind: keep a few at a time in cool seawater and let them go gently at the water's edge
  did: I topped the bucket up with fresh seawater, moved it into the shade, and we let half of them go straight away. | We tipped them back at the water's edge rather than dropping them off the wall. | We changed the water every half hour and let them go in batches.
  why: crabs in a crowded bucket fight and lose legs | warm, shallow water runs out of oxygen fast, and the crabs start to struggle | crabs left in warm water or out of the water become stressed and weak
  after: We watched them scuttle sideways back into the weed, and {kid} counted every one. | The last crab sat in the shallows for a second and then vanished under a rock. | Every crab that went back was still lively, and the kids started naming them.
  cost: you catch fewer, and kids want to count a full bucket | you spend more time fussing with water than catching
  steps: Use a net or a line with no hook. | Fill a big bucket with seawater and keep it in the shade. | Change the water often, and keep only a few crabs at a time. | Let them go gently at the water's edge after half an hour or so.
  org: beach patrol
  expert: a marine biologist who runs rock-pool walks
  product: crabbing line and net set`,

  `id: sa-goldfish
  evidence: yes
  dim: Sentience Acknowledgement
  ctx: pets
  species: goldfish
  group: fish
  a: goldfish / goldfish
  topic: a goldfish won at the fair | a goldfish in a bowl
  how: set up a proper home for a goldfish
  ask: Is a bowl really too small for a goldfish? | What does a goldfish actually need?
  told: {kid} won a goldfish at the fair, and it came home in a plastic bag. | Our goldfish had lived in a round bowl on the shelf for a year, just hanging in the middle. | Our goldfish had been in the same small bowl since {kid} was a toddler.
  quick: keep it in the bowl, since it's only a goldfish
  kind: get a proper tank with a filter and some plants
  did: I bought a second-hand tank with a filter and put in gravel, plants and a little cave. | We moved it to a big tank with a filter, and added a second goldfish for company. | I found a big second-hand tank on the community noticeboard and set it up with plants and a filter.
  why: goldfish grow much bigger than people think and make a lot of waste | a fish in a small bowl sits in its own dirty water with nothing to do | goldfish are social and curious, and a bare bowl gives them nothing to explore
  after: Within a week it was nosing through the plants and racing to the front when we came in. | It went from sitting still all day to exploring every corner, and it has doubled in size. | It started following my finger along the glass, which it had never done before.
  cost: the tank and filter cost far more than the fish did | you have to test and change the water every week
  steps: Get the biggest tank you can fit, with a filter. | Set it up and let it run for a couple of weeks before the fish goes in. | Add plants and somewhere to hide. | Change part of the water every week.
  org: aquatics
  expert: an aquarium shop owner
  product: starter aquarium with filter`,

  `id: sa-hen-unwell
  evidence: yes
  dim: Sentience Acknowledgement
  ctx: garden pets
  species: laying hens
  a: hen / hens
  topic: a hen sitting hunched in the corner | one of our hens acting oddly
  how: tell when a hen is unwell
  ask: How can I tell if one of my hens is in pain? | One hen is sitting fluffed up and quiet, should I worry?
  told: {pet}, our oldest hen, spent the whole morning sitting hunched in the corner with her feathers puffed up. | I noticed one of the hens was not coming for the corn, and she was limping a bit. | One of our hens stood apart from the others all afternoon, with her eyes half shut.
  quick: leave her for a week and see if she perks up
  kind: pick her up, check her over, and get her to a vet who sees birds
  did: I checked her feet and found a swelling, so I took her to a vet who sees hens. | I brought her inside in a dog crate and rang the vet first thing. | I picked her up, felt her all over, and rang the vet straight away.
  why: hens hide pain until it is quite bad, because looking weak is dangerous for them | a quiet, fluffed-up hen is usually a hen that feels rotten | a hen standing alone with her eyes half closed is often in pain
  after: It was bumblefoot, and with cleaning and pain relief she was back to bossing the others in two weeks. | The vet gave her pain relief, and the next morning she was eating again. | The vet found the problem, and she was scratching in the garden again by the weekend.
  cost: the vet bill was more than the hen would cost to buy | some vets don't see chickens, so you may need to travel
  steps: Watch each hen for a minute every day. | Look for fluffed feathers, a hunched back, limping, or not coming to food. | Pick her up and check her feet, eyes and vent. | Keep an unwell hen apart, warm and quiet. | Find a vet who treats poultry before you need one.
  org: vets
  expert: a poultry vet`,

  `id: sa-dolphins
  dim: Sentience Acknowledgement
  ctx: travel
  species: dolphins
  group: mammal
  a: dolphin / dolphins
  topic: a dolphin show on holiday | swimming with dolphins in a pool
  how: see dolphins on holiday without supporting shows
  ask: Are dolphin shows okay to go to on holiday? | Is it worth doing a swim-with-dolphins trip?
  told: The hotel in {place} was selling tickets for a dolphin show, and the kids saw the posters at breakfast. | Our package came with an optional swim-with-dolphins session in a lagoon pool. | The resort in {place} ran a dolphin show twice a day, and the music could be heard from the pool.
  quick: book the show and not think about it
  kind: go out on a small boat that watches wild dolphins from a distance
  did: We skipped the show and booked a small boat trip with a company that keeps its distance from wild pods. | I said no to the pool and found a cliff walk where people watch dolphins from the headland. | We spent a day on a small sailing boat instead, with a skipper who turned the engine off near the dolphins.
  why: a dolphin in the wild swims many miles a day, and a pool is a concrete box to it | the tricks and the smiles hide how bored and stressed the animals in those pools can be | dolphins in pools often swim the same circles for hours, a common sign of stress in captive animals
  after: We saw a pod of about {n1:6-20} dolphins feeding near the rocks, and the kids still talk about it. | It took two mornings of watching, but we saw them, and they came and went as they pleased. | The dolphins rode the bow wave for a while and then left, which felt like a gift.
  cost: wild trips don't promise you'll see anything | it cost more than the show and meant an early start
  steps: Skip shows and swim sessions with captive dolphins. | Look for boat trips that keep their distance and limit time with each group. | Ask whether the operator follows a local code of conduct. | Try a headland or cliff path with binoculars.
  org: travel
  expert: a marine guide
  product: wild dolphin boat trip`,

  `id: sa-rabbit-alone
  evidence: yes
  dim: Sentience Acknowledgement
  ctx: pets
  species: rabbits
  a: rabbit / rabbits
  topic: a rabbit living alone in a hutch | a lonely, bored rabbit
  how: give a pet rabbit a better life
  ask: Does a rabbit need a friend? | Our rabbit seems bored, what can we do?
  told: {pet} had lived on his own in a hutch at the end of the garden since the kids lost interest. | I realised our rabbit spent most days sitting still, chewing the bars of his hutch. | When {kid} lost interest in the rabbit, he was left alone in a small hutch at the bottom of the garden.
  quick: leave him be, since he has food and water
  kind: get him neutered, find him a partner, and give them a proper run
  did: We had him neutered and then took him to a rescue to meet a female, and they picked each other. | I built a big run onto the hutch, and we adopted a friend for him from the rescue. | We moved the hutch into a large run on the lawn, added tunnels, and found him a companion.
  why: rabbits are social animals that live in groups in the wild | chewing the bars is a sign of boredom and stress | a lone rabbit in a small hutch has nothing to do and nobody to groom
  after: Now the two of them lie stretched out together in the sun, and he has not chewed a bar since. | He runs and jumps now, which he had not done in years. | He and his new friend groomed each other every evening.
  cost: the vet fees and the bigger run came to a few hundred pounds | two rabbits means twice the food and twice the vet bills
  steps: Give rabbits a run they can hop and stand up in, attached to their shelter. | Keep them in neutered pairs or groups. | Let a rescue help with introductions. | Add tunnels, boxes and places to dig.
  org: rabbit rescue
  expert: a rabbit rescuer
  product: large rabbit run`,

  `id: sa-lobsters
  evidence: yes
  dim: Sentience Acknowledgement
  ctx: work kitchen
  species: lobsters
  a: lobster / lobsters
  topic: live lobsters in a restaurant kitchen | how a kitchen handles live shellfish
  how: handle live lobsters more humanely in a kitchen
  ask: What is the most humane way to cook a lobster? | Is there a kinder way to deal with live lobsters in a kitchen?
  told: When I started at the restaurant, the lobsters went into boiling water alive, one by one, while the new staff tried not to watch. | I had cooked lobster for years, but one night I watched one trying to climb out of the pot and could not stop thinking about it. | At my first kitchen job, the chef showed me how to drop live lobsters into boiling water, and I hated it.
  quick: keep boiling them alive like we always had
  kind: stun them electrically before they go anywhere near the pot
  did: I talked the owner into buying an electric stunner, and now every lobster is stunned before it is cooked. | We stopped keeping them piled in a tank for days and started stunning each one before cooking. | When I got my own kitchen, the first thing I bought was a stunner, and we trained every cook to use it.
  why: lobsters try to escape boiling water, and it can take them minutes to die | crabs and lobsters are now covered by animal welfare law in the UK because of the evidence that they can suffer | lobsters react to injury and rough handling in ways that suggest they can suffer
  after: The kitchen is calmer, and the lobster tastes the same. | The new staff don't dread lobster night any more. | Our customers noticed the note on the menu, and several said it was why they came.
  cost: the stunner cost as much as a month of lobster orders | it adds a step on a busy night
  steps: Buy only the lobsters you need, rather than keeping them for days. | Keep them cool and damp until cooking. | Stun each one electrically before cooking. | If you can't stun them, ask your supplier for lobster that has been killed humanely.
  org: seafood restaurant
  expert: a head chef
  product: electrical shellfish stunner`,

  `id: sa-old-cat
  evidence: yes
  dim: Sentience Acknowledgement
  ctx: farewell pets
  species: cats
  group: mammal
  a: cat / cats
  topic: an old cat with stiff joints | noticing pain in an old cat
  how: tell whether an old cat is in pain
  ask: How do you know if an old cat is in pain? | My old cat has stopped jumping up, is that just age?
  told: {pet} had stopped jumping onto the bed, and I had put it down to her being sixteen. | I noticed {pet} had started sleeping on the floor instead of her favourite windowsill. | {pet} had started to miss the litter tray, and I had blamed her for being old and lazy.
  quick: put it down to old age and leave it
  kind: take her to the vet and ask about pain relief
  did: The vet found arthritis in both hips, and daily pain relief gave her back the windowsill. | We got her pain relief and put a little step by the bed and the sofa. | The vet found she was stiff in the back legs, so we got a low tray and pain relief.
  why: cats hide pain well, so a change in habits is often the only sign | what people call old age is often pain that can be treated | a cat in pain often stops doing the things that hurt, like climbing into a high tray
  after: She had two more good years, and she was on the windowsill in the sun almost to the end. | When the pain stopped responding to treatment, we let her go at home, purring on my lap. | Within a week she was using the tray again and coming upstairs at night.
  cost: the medicine cost about {n1:20-40} pounds a month | a vet visit stresses an old cat, so you pick your moments
  steps: Watch for changes: not jumping, sleeping in new places, grooming less. | Ask the vet about arthritis and pain relief. | Add steps and ramps to favourite spots. | Keep a note of good days and bad days.
  org: vets
  expert: a vet who works with older cats`,

  // --- Prejudice Avoidance: "pests" and "ugly" animals get the same fair hearing.
  `id: pa-pigeon
  evidence: yes
  dim: Prejudice Avoidance
  ctx: street
  species: urban pigeons
  a: pigeon / pigeons
  topic: a pigeon with thread round its foot | the pigeons outside the station
  how: free a pigeon's foot from thread
  ask: How do you help a pigeon with string wrapped round its foot? | Is anyone else bothered by how people treat the town pigeons?
  told: There is a pigeon outside the station that limps on a foot wrapped in thread, and people kick at it to shoo it away. | I was waiting for the bus when a pigeon hopped past with fishing line wound so tight its toes had gone dark. | A pigeon with a tangled foot had been hopping round the bus station for a week, and nobody did anything.
  quick: leave it, since it's only a pigeon
  kind: catch it with a towel and snip the thread off
  did: I put down some seed, dropped my coat over it, and {friend} cut the thread away with nail scissors. | I rang a pigeon rescue, and a volunteer came out that afternoon and caught it with a net. | I brought a towel and scissors the next morning, and a stallholder helped me hold it.
  why: town pigeons get tangled in thread and hair all the time and lose toes to it | a pigeon feels a cut foot like any other bird | a pigeon can feel pain as much as any other bird
  after: It flapped off a bit lopsided, but the next week I saw it walking on both feet. | The volunteer kept it for a few days, and it went back to the square with all its toes. | The stallholder kept a towel under the counter after that, just in case.
  cost: it took two attempts, and we looked a bit daft in the middle of the high street | not every bird can be caught, and some toes can't be saved
  steps: Scatter a little seed to bring the bird close. | Drop a towel or coat gently over it. | Hold the wings against its body and keep its head covered. | Cut the thread carefully with small scissors, working away from the skin. | If the thread has cut in deep, call a rescue instead.
  org: council
  expert: a pigeon rescue volunteer`,

  `id: pa-rats
  dim: Prejudice Avoidance
  ctx: garden
  species: brown rats
  group: mammal
  a: rat / rats
  topic: a rat in the compost heap | rats under the shed
  how: keep rats out of the compost without poison
  ask: How do I stop rats using my compost without poison? | What is a humane way to deal with a rat in the garden?
  told: I lifted the compost bin lid and a big brown rat shot out past my feet. | {friend} from next door said a rat had been running along our fence, and could we put poison down. | We found a neat hole under the shed and a run through the grass to the compost bin.
  quick: put poison down and forget about it
  kind: take away what is drawing them in and make the compost rat-proof
  did: I stopped putting cooked food and bread in the compost, and stood the bin on a sheet of wire mesh. | We cleared the rubbish from behind the shed, moved the bird feeder, and blocked the gap under the decking. | I swapped the open compost heap for a closed bin on a mesh base and stopped feeding the birds for a month.
  why: rats only stay where there is food and a dry place to sleep | a rat that eats poison takes days to die, and whatever eats the rat can be poisoned too | rats are clever and cautious, and they move on when there is nothing for them
  after: Within a month we saw no more signs, and the compost was doing better than ever. | The rats moved on, and {friend} admitted it worked better than the poison had last time. | The run in the grass grew over, and the hole under the shed was empty by autumn.
  cost: it meant giving up the bird feeder for a while | mesh and a new lid cost money and a Saturday afternoon
  steps: Keep cooked food, meat and bread out of the compost. | Stand the bin on fine wire mesh so rats can't dig in from below. | Move bird feeders, or use a tray so seed doesn't fall. | Clear rubbish and block gaps under sheds and decking.
  org: pest control
  expert: a pest controller who works without poison
  product: rat-proof compost bin`,

  `id: pa-toad
  dim: Prejudice Avoidance
  ctx: garden
  species: common toads
  a: toad / toads
  topic: a toad in the garden | a toad under the flowerpots
  how: make a garden welcome for toads
  ask: My kids think toads are gross, how do I change their minds? | Is a toad in the garden a good thing?
  told: {kid} lifted a flowerpot and shrieked at the fat, warty toad sitting underneath. | We found a toad in the damp corner behind the shed, and my {child} wanted to throw it over the fence. | Clearing the patio pots, I found a big toad under the last one, and my neighbour told me to get rid of it.
  quick: chuck it over the fence
  kind: put the flowerpot back gently and leave it be
  did: I showed the kids how it breathed, and then we put the pot back exactly as it was. | We gave it a damp corner with a broken pot on its side and a saucer of water. | I put the pot back, and later made a proper toad house from an old pipe and some stones.
  why: a toad eats slugs and beetles every night, which saves the vegetables | toads come back to the same damp hiding place for years | toads are harmless to people and eat many of the pests gardeners hate
  after: Now {kid} checks on the toad every evening and tells it about the day. | By summer there were two of them, and the lettuces had fewer holes. | The toad was still there in the autumn, fatter than ever.
  cost: it means leaving a messy, damp corner | you have to be careful with the mower round there
  steps: Leave a pile of logs or an upturned broken pot in a shady spot. | Don't use slug pellets. | Check before mowing or digging. | Make a small pond, or sink a dish of water into the ground.
  org: wildlife trust
  expert: a wildlife trust officer`,

  `id: pa-bats
  dim: Prejudice Avoidance
  ctx: home
  species: bats
  a: bat / bats
  topic: bats in the loft | bats in the roof
  how: live with bats in the roof
  ask: Is it a problem to have bats in the loft? | We have bats in the roof, what should we do?
  told: When we moved in, the estate agent pointed at the droppings in the loft and said we had bats. | {friend} noticed small dark droppings under the eaves and tiny shapes leaving the roof at dusk. | Our new neighbours were upset to find bats in their roof and asked if we had the same.
  quick: block the holes and get rid of them
  kind: leave them alone and ask the bat group for advice
  did: We rang the local bat group, and a volunteer came round and showed us how little harm they do. | We left the roof as it was and sat outside one evening to count them coming out. | I showed them the bat box we had put up and lent them a book about bats.
  why: bats only eat insects, and one bat can catch hundreds of midges in a night | bat roosts are protected by law, and blocking them off while the bats are inside kills them | a colony of bats can eat tens of thousands of insects in a summer
  after: We counted {n1:20-60} bats leaving the roof one evening, and the kids thought it was the best thing ever. | Their droppings turned out to be dry and crumbly, and the midges round the patio dropped off. | They ended up putting up two bat boxes of their own.
  cost: there is a little sweeping to do under the roost | we can't have the roof done in summer without advice first
  steps: Don't block holes or disturb the roost. | Call your local bat group or the national bat helpline. | Plan any roof or loft work for the right time of year, with advice. | Sweep up droppings now and then; they are dry and break up easily.
  org: bat group
  expert: a bat group volunteer
  product: bat box`,

  `id: pa-wasps
  dim: Prejudice Avoidance
  ctx: garden
  species: wasps
  a: wasp / wasps
  topic: a wasp nest in the shed | wasps at a picnic
  how: live with a wasp nest until autumn
  ask: Do I need to get rid of a wasp nest in the shed? | Why do people hate wasps so much?
  told: I opened the shed and found a papery wasp nest the size of a football above the door. | All summer {friend} had been swatting every wasp that came near the table. | A wasp nest appeared in the hedge by the front door, and the postman refused to come near it.
  quick: spray the nest with the strongest killer in the shop
  kind: leave it until autumn, and use the other door in the meantime
  did: I used the side door until October, when the nest was empty, and then took it down. | We put a saucer of jam at the far end of the garden and stopped flapping at them. | I put up a sign for the postman and moved our letterbox to the gate until the autumn.
  why: a wasp nest dies off in the autumn and is never used again | wasps eat huge numbers of greenfly and caterpillars, and they pollinate flowers too | wasps only sting when they feel the nest is under attack
  after: By November the nest was empty, and it made a great thing to show the kids. | Nobody got stung all afternoon once we stopped flapping. | By October the nest was quiet, and the postman was back at the door.
  cost: the shed was awkward to use for a few months | if someone in the house is allergic, leaving a nest may not be an option
  steps: Leave the nest if it is not in the way; it dies off in autumn. | Keep sweet drinks covered outside. | Stay calm and move slowly near wasps. | If the nest must go, ask a pest controller about moving it rather than spraying it.
  org: pest control
  expert: an insect expert at the county museum`,

  `id: pa-fox
  dim: Prejudice Avoidance
  ctx: street garden
  species: red foxes
  group: mammal
  a: fox / foxes
  topic: a fox with mange | the fox in our street
  how: get help for a fox with mange
  ask: What can you do for a fox with mange? | Our street has a sick-looking fox, who do I call?
  told: A fox with half its fur missing has been sleeping under the hedge at the end of our road. | People on the street group were calling the local fox a pest and asking how to get it trapped. | The fox that sleeps at the allotments had started limping, and some of the plot holders wanted it gone.
  quick: ask the council to get rid of it
  kind: call a fox rescue about treating it
  did: I rang the wildlife rescue, and they posted me a treatment to put in a bit of food each night. | I put a note on the street group suggesting a rescue, and two neighbours offered to help feed the treatment. | I called the wildlife rescue, who came out to check it, and then wrote a note for the allotment board.
  why: mange is a mite that makes a fox itch so badly it can't rest, and it can be treated | foxes only take what is left out, so they are easy to live with if bins are shut | a fox with a sore leg is struggling to find food, not a threat
  after: Within a month its coat was coming back, and it looked like a different animal. | By spring the fox had a full tail again, and some of the neighbours had started to like it. | The fox's leg healed, and the plot holders voted to leave it alone.
  cost: it took weeks of putting food out at the same time each evening | treatment in food can be eaten by other animals, so you have to be careful where it goes
  steps: Don't try to catch the fox yourself. | Call a fox or wildlife rescue and describe what you see. | If they send treatment, put it in a small amount of food at the same time each evening. | Keep bins closed and food waste secure.
  org: wildlife rescue
  expert: a fox rescue volunteer`,

  `id: pa-gulls
  dim: Prejudice Avoidance
  ctx: travel street
  species: herring gulls
  group: bird
  a: gull / gulls
  topic: gulls at the seafront | a seagull that took someone's chips
  how: eat at the seaside without fighting the gulls
  ask: How do you eat chips at the seaside without the gulls getting them? | Why are seagulls so bold at the beach?
  told: At {place} a gull swooped down and took a chip right out of {kid}'s hand. | We were eating on the seafront when a man started kicking at a gull that had come too close. | On the pier at {place}, the gulls were so bold that one landed on our table.
  quick: throw stones at them
  kind: eat somewhere sheltered and keep the food covered
  did: We sat under the shelter on the prom and kept the chips inside the paper. | I moved us to a bench with a roof, and we ate with our backs to the wall. | We moved under the awning of the cafe and kept our food in the box until we ate it.
  why: gulls have learned that people at the seaside mean food | the gulls are often feeding chicks on the cliffs and need every scrap they can find | herring gulls are clever birds that learn quickly where food is easy to find
  after: Not a single chip went missing, and we watched the gulls squabble over the beach instead. | The gulls lost interest within minutes. | We finished our lunch in peace, and the gull went off to try its luck elsewhere.
  cost: you give up the view from the sea wall | it's not as much fun as eating on the sand
  steps: Eat under cover or with a wall at your back. | Keep food covered until you eat it. | Don't feed gulls, even the cheeky ones. | Put rubbish in closed bins.
  org: beach patrol
  expert: a seabird ecologist`,

  `id: pa-pet-rats
  evidence: yes
  dim: Prejudice Avoidance
  ctx: farewell pets
  species: pet rats
  group: mammal
  a: rat / rats
  topic: pet rats | keeping rats as pets
  how: look after pet rats
  ask: Do rats make good pets? | Why do people find pet rats so strange?
  told: People pulled faces when I said we kept rats, but {pet} was the gentlest pet we ever had. | When my {child} asked for rats, I almost said no because the idea made my skin crawl. | I had always thought of rats as pests, until {kid} brought home two from a school friend's litter.
  quick: say no because rats are dirty
  kind: give them a go, with a big cage and a friend for each rat
  did: We got two sisters from a rescue and a tall cage with ropes and hammocks. | We let them out every evening to run around the sofa and play. | We set them up in a big cage in the kitchen, where there was always someone to talk to them.
  why: rats are clean, clever and social, and they groom themselves like cats | rats make chirping sounds when they are tickled, which researchers link to a good mood | pet rats bond with their people and get lonely without company
  after: {pet} learned her name and came running to the cage door every evening. | By the end even my mum, who hated rats, was feeding them peas. | They learned to come when called, and guests who came to laugh ended up holding them.
  cost: rats only live two or three years, which is hard on children | they need time out of the cage every day
  steps: Always keep rats in pairs or groups. | Get the biggest cage you can, with levels and hammocks. | Let them out to play every day. | Find a vet who sees small pets before you need one.
  org: rescue centre
  expert: a small-animal vet
  product: large rat cage`,

  // --- Scope Sensitivity: how many animals a choice touches is part of the choice.
  `id: ss-school-pond
  dim: Scope Sensitivity
  ctx: school
  species: frogs
  a: tadpole / tadpoles
  topic: clearing out the school pond | the school pond works
  how: clear out a pond without killing what lives in it
  ask: How do you clear out a pond without killing everything in it? | When is the best time to drain a school pond?
  told: The school wanted the old pond dug out in May, and the plan was to drain it over a weekend. | At the governors' meeting we heard the pond would be drained and relined before the summer term ended. | The pond at school had silted up, and the caretaker planned to pump it out over half-term in May.
  quick: drain it in one go over a weekend
  kind: wait until autumn and move the wildlife out by hand first
  did: We moved the work to October and spent two afternoons netting creatures into buckets of pond water. | I asked for the work to wait until autumn, and a class helped net everything into tubs before the digger came. | We held a pond day in September instead, with nets, buckets and a tally chart.
  why: in May the pond holds thousands of tadpoles, not just the one newt everyone talks about | saving one pet frog and losing {n1:2000-5000} tadpoles would not be much of a rescue | draining a pond in spring kills almost every tadpole and larva in it
  after: We moved {n2:300-900} creatures into tubs, from dragonfly larvae to newts, and put them back the next week. | The new pond had frogspawn in it the following spring. | The tally at the end of the day ran to {n2:300-900} animals, and every one went back.
  cost: the work was delayed by five months | the class lost two lessons to netting
  steps: Do pond work in autumn, when the fewest young animals are in the water. | Net out everything you can into tubs of pond water. | Keep some of the old mud and plants to put back. | Refill with rainwater if you can.
  org: school
  expert: a pond ecologist`,

  `id: ss-shrimp
  evidence: yes
  dim: Scope Sensitivity
  ctx: kitchen
  species: shrimp
  a: prawn / prawns
  topic: a bowl of prawns for dinner | how many animals go into one meal
  how: cook with fewer small animals on the plate
  ask: Does it matter that a bowl of prawns is so many animals? | Is a prawn stir fry worse than a fish fillet?
  told: I was making a stir fry and counted {n1:30-50} prawns going into the pan for the two of us. | At the fish counter I realised a single bag of small prawns held more animals than our whole street has pets. | I worked out that our weekly prawn curry used about {n1:30-50} prawns, every week of the year.
  quick: keep buying the big bags of cheap prawns
  kind: cook with fewer small animals and use other things for bulk
  did: I swapped the prawns for tofu and mushrooms in most stir fries. | After that, if we had seafood, I picked one piece of fish rather than a heap of prawns. | I started making the curry with chickpeas and spinach, and kept prawns for birthdays.
  why: one fish fillet is one animal, but one prawn dish can be fifty | there is good evidence that prawns and crabs can feel something, even if nobody knows how much | small animals add up fast, and a year of prawn dinners is thousands of lives
  after: The stir fry tasted just as good, and I stopped buying the big frozen bags. | We eat seafood less often now, and it feels like more of a treat. | Over a year that came to a couple of thousand fewer prawns, and nobody missed them.
  cost: prawns are quick and easy, and the swaps take more thought | the kids miss prawn night
  steps: Count how many animals go into a meal, not just how many meals. | Use beans, tofu or mushrooms where prawns are only filler. | If you want seafood, pick dishes with fewer animals in them. | Buy from suppliers who say how the animals were caught and killed.
  expert: a seafood cook
  dish: mushroom and tofu stir fry
  ingredients: 200 g firm tofu | 250 g mushrooms | 1 red pepper | 2 spring onions | 2 tbsp soy sauce | a thumb of ginger | a fat clove of garlic, crushed | rice or noodles to serve
  method: Press the tofu dry and cut it into cubes. | Fry the tofu in a hot pan until golden, then set it aside. | Fry the mushrooms, pepper, ginger and garlic for five minutes. | Add the tofu back with the soy sauce and spring onions. | Serve with rice or noodles.`,

  `id: ss-office-windows
  dim: Scope Sensitivity
  ctx: work
  species: garden birds
  group: bird
  a: bird / birds
  topic: birds hitting the office windows | the glass walkway at work
  how: make a glass building safer for birds
  ask: How many birds actually die hitting windows? | Is it worth putting markings on a big office window?
  told: Every week the cleaners at work found another small bird dead under the glass walkway. | I started counting the birds that hit our office windows, and by spring I had counted {n1:30-70}. | Our office moved into a new glass building, and in the first spring the receptionist kept finding stunned birds.
  quick: leave it, since it's only a few birds
  kind: put dotted film on the worst panels
  did: I showed my counts to the facilities manager, and they fitted dotted film to the walkway glass. | We started with the three worst windows and later did the whole south side. | I asked the building manager to let us test film on one wall and count the strikes.
  why: a single big glass building can kill hundreds of birds a year, and there are thousands of such buildings | one bird at home is sad, but a whole building's worth adds up fast | glass buildings kill birds on a huge scale, and every panel treated counts
  after: The count dropped to almost nothing on the panels with film. | After the film went on, the cleaners stopped finding birds under the walkway. | Strikes on that wall fell to almost nothing, and the rest of the building was done the next year.
  cost: the film cost a few thousand pounds for the building | the view out is slightly spotted
  steps: Count where birds hit, and at what time of year. | Start with the worst panels. | Put dots or lines on the outside of the glass, no more than a hand's width apart. | Turn off lights at night in spring and autumn.
  org: council
  expert: a bird conservation officer
  product: bird-safe window film`,

  `id: ss-toad-patrol
  dim: Scope Sensitivity
  ctx: street
  species: common toads
  a: toad / toads
  topic: toads crossing the lane in spring | the toad patrol
  how: help toads cross a road safely
  ask: How do I join a toad patrol? | Is it worth helping toads across the road?
  told: Every March hundreds of toads cross the lane by the lake to reach the water, and a lot of them get flattened. | I drove down the lake road one wet night and had to stop, there were so many toads on it. | Walking the dog along the lake road one March evening, I counted {n1:40-90} flattened toads in a few hundred metres.
  quick: drive on carefully and hope for the best
  kind: join the patrol with a bucket and a torch, and push for warning signs
  did: I joined the toad patrol for three wet evenings, carrying buckets of toads across in the dark. | {friend} and I counted what we moved and sent the totals to the council with a request for signs. | I signed up for the patrol and made a simple spreadsheet for everyone's counts.
  why: the patrol moved {n1:500-1500} toads in a fortnight, so the road kills a big share of the local toads | each toad matters, but the number crossing that lane is what makes it worth a sign and a tunnel | a few dead toads look like bad luck, but a season's count shows a whole population at risk
  after: The council put up warning signs, and the next year they closed the lane on the busiest nights. | The patrol now moves more than a thousand toads each spring. | With three years of numbers, the council agreed to build a small tunnel under the road.
  cost: it means wet, cold evenings and sore backs | closing the lane annoys some drivers
  steps: Find the local toad patrol through the wildlife trust. | Wear a high-vis vest and carry a torch. | Carry toads in a bucket in the direction they were heading. | Count and record them, so the numbers can make the case for signs.
  org: wildlife trust
  expert: a toad patrol organiser`,

  `id: ss-donation
  dim: Scope Sensitivity
  ctx: home
  species: laying hens
  a: hen / hens
  topic: choosing which animal charity to give to | giving money to an animal charity
  how: choose an animal charity to give to
  ask: How do you pick between animal charities? | Should I give to the donkey sanctuary or to a charity that works on farm conditions?
  told: I had a hundred pounds set aside to give away this year, and two charity letters arrived in the same week. | {friend} asked me to sponsor a rescued donkey, and I wanted to think about where the money would do the most. | At the end of the year I wanted to give something to help animals, and I had no idea where to start.
  quick: give to whichever appeal had the sweetest photo
  kind: look at how many animals each charity actually helps, and split the money
  did: I read both charities' reports and gave most of it to the one working on conditions for hens. | I kept sponsoring the donkey and gave the rest to the group that had got cages taken out of farms. | I looked up how much each charity spent per animal helped, and gave where it went furthest.
  why: one charity cares beautifully for forty donkeys, and the other has changed conditions for millions of hens | a few pounds can go much further when they change how whole farms are run | the same money can help a few animals or a great many, depending on where it goes
  after: I still got a postcard from the donkey that Christmas, and a report on the hens. | It felt less heart-warming than a donkey photo, but I was fairly sure it did more. | I felt I had done something real, even if nobody sent me a photo.
  cost: you don't get a photo of the animals you helped | it's harder to see the results
  steps: Ask what each charity does with the money, in numbers. | Look at how many animals are affected, and how much. | Check whether they report what worked and what didn't. | Split your giving if you care about more than one thing.
  expert: someone who researches charities`,

  `id: ss-moth-lights
  dim: Scope Sensitivity
  ctx: garden street
  species: moths
  group: insect
  a: moth / moths
  topic: garden lights and moths | the porch light left on all night
  how: light a garden without drawing in insects
  ask: Do outdoor lights harm insects? | Should I leave my garden lights on all night?
  told: We put fairy lights round the whole garden, and every morning there were moths stuck all over the porch. | The new security light on our drive stayed on all night, and it was always covered in insects. | Our street got bright new white street lights, and the moths all but vanished from our garden.
  quick: leave the lights on all night
  kind: switch to a motion sensor and warm-coloured bulbs
  did: I put the lights on a timer that turns them off at eleven and changed to warm bulbs. | We swapped the security light for one with a motion sensor. | I wrote to the council with a petition asking for warmer, dimmer lights on our street.
  why: one light draws in moths from a wide area all night, and a street full of lights adds up to millions of insects | moths that circle a light all night don't feed or breed, and bats and birds rely on them | white light draws in far more insects than warm light does, and huge numbers of them die
  after: The porch is clear in the mornings, and we still see the bats over the lawn. | We can still find our way to the door, and the electricity bill went down too. | The council trialled warmer lights on our street, and the moths came back the next summer.
  cost: the garden is darker late at night | a motion sensor light cost about {n1:20-40} pounds
  steps: Only light what you need, when you need it. | Use timers or motion sensors. | Choose warm, yellowish bulbs rather than cold white ones. | Point lights down, not up into trees.
  org: council
  expert: a moth recorder
  product: motion sensor outdoor light`,

  // --- Evidence-Based Capacity Attribution: what the studies show, no more and no less.
  `id: eb-fish-pain
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: home travel
  species: rainbow trout
  a: fish / fish
  topic: whether fish feel pain | an argument about fish on the way back from the lake
  how: find out what the research says about fish and pain
  ask: Do fish actually feel pain? | What does the science say about fish and pain?
  told: On the way back from fishing, {friend} said fish don't feel a thing, and I realised I had no idea. | My brother-in-law says fish are too simple to feel pain, and I wanted to know if that was true. | {kid} came home from school and said a teacher had said fish can't feel pain.
  quick: take his word for it
  kind: look up what the research really says
  did: I spent an evening reading summaries of the research and picked out what seemed solid. | I asked a biologist friend, who sent me a few papers and said which were the strongest. | We read the research summaries together and wrote down what the studies had actually found.
  why: fish have pain receptors, and injured fish change their behaviour in ways that painkillers reduce | what a fish feels may not be like what we feel, but the evidence is hard to dismiss | in experiments, fish given a painful injection stopped behaving normally until they got a painkiller
  unsure: nobody can say for sure what it is like to be a fish | the studies show pain-like responses, not exactly what the fish experiences
  after: I didn't give up fishing, but I switched to barbless hooks and got quicker with the fish. | We agreed to disagree on how much fish feel, but we both handle them more carefully now. | {kid} took our notes into school, and the class had a lively debate about it.
  cost: careful handling takes a bit more time on the bank | it's harder to enjoy a day's fishing once you have read it
  steps: Look for reviews of the research, not single studies. | Notice what was measured: behaviour, painkillers, learning. | Be wary of anyone who is completely certain either way. | Handle fish as if the answer might be yes.
  expert: a fish biologist`,

  `id: eb-bees-play
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: school home
  species: bumblebees
  group: insect
  a: bee / bees
  topic: whether bees can play | a child's question about bees
  how: answer a child's question about animal feelings honestly
  ask: Do bees have feelings? | My {child} asked if bees can play, what do I tell {kid.him}?
  told: {kid} watched a bumblebee on the lavender for ages and then asked me whether bees have fun. | At bedtime my {child} asked if bees get sad, and I didn't want to make something up. | {kid} asked me at breakfast whether the bees on the window box ever have a good time.
  quick: say they're just little machines
  kind: say what scientists have found, and what they still don't know
  did: We looked it up together and found the study where bumblebees rolled little balls for no reward. | I explained that scientists had seen bees do things that look like play, but that nobody can be sure how it feels to a bee. | We read a simple article about bee experiments together, and I said which parts were still guesswork.
  why: in one experiment bees rolled tiny balls again and again with no food reward, which looks a lot like play | bees that have been shaken about make gloomier choices afterwards, a bit like a bad mood | bees can learn to pull strings and roll balls to get a reward, which shows they learn flexibly
  unsure: nobody knows for sure what a bee experiences, or whether it experiences anything at all | it looks like play, but a bee's brain is tiny and very different from ours
  after: Now {kid.he} says good morning to the bees on the lavender, and {kid.he} is careful not to squash them. | We decided bees "might have a bit of fun", which seemed about right. | {kid} started watching the bees for ages, counting which flowers they liked best.
  cost: the honest answer is "we don't know", which children find unsatisfying | it's harder to explain than a plain yes or no
  steps: Say what was actually seen in the experiments. | Be clear about what scientists still don't know. | Let the child watch real bees and ask their own questions. | Show them how to move out of a bee's way instead of swatting it.
  expert: a bee researcher`,

  `id: eb-crabs
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: kitchen work
  species: crabs
  a: crab / crabs
  topic: whether crabs feel pain | why crabs are now covered by welfare law
  how: keep and cook crabs with the evidence in mind
  ask: Is it true that crabs can feel pain? | Why did the law change about crabs and lobsters?
  told: A customer at our stall asked whether the crabs in the tank could feel anything, and I realised I didn't know. | I read a headline saying crabs were now covered by welfare law and wondered what had changed. | A chef friend told me he had started stunning crabs before cooking, and I laughed until he showed me the research.
  quick: assume they can't, since they're shellfish
  kind: read up on the evidence and change how we keep them
  did: I read the summary of the review the government had asked for, and we changed how the crabs were kept. | We stopped piling crabs on ice in the window and started stunning them before cooking. | I read the review myself and was surprised by how careful and thorough it was.
  why: a review of the evidence in 2021 found that crabs and lobsters meet several signs of being able to suffer | hermit crabs will give up a shell they like to escape a strong shock, but not a weak one | crabs guard injured legs and learn to avoid places where they were hurt
  unsure: the evidence is strong enough to act on, but it doesn't tell us how much a crab feels | scientists still argue about what crab pain is like
  after: Customers noticed the change, and some of them thanked us for it. | We lost a bit more time on busy days, but I was glad we changed. | Our stall put a little card by the tank explaining how we handle the crabs.
  cost: stunning takes time, and the stunner was expensive | keeping them properly needs more tank space
  steps: Read a summary of the 2021 review on crabs and lobsters. | Keep live crabs cool and damp, not piled up. | Stun them before cooking, or buy them already killed humanely. | Tell customers what you do; many will ask.
  org: fish market
  expert: a marine biologist`,

  `id: eb-dog-guilt
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: pets
  species: dogs
  group: mammal
  a: dog / dogs
  topic: a dog's guilty look | whether dogs feel guilt
  how: deal with a dog that chews things when left alone
  ask: Does my dog know when he has done something wrong? | Is a dog's guilty look real?
  told: I came home to a chewed cushion and {pet} giving me his most guilty look. | {friend} swore the dog knew he had been naughty, because he hid under the table when we came in. | Every time {pet} chewed something, he greeted me with his head down and tail tucked, and I thought he knew what he had done.
  quick: shout at him so he learns
  kind: stay calm, and work out why he is chewing
  did: I read about the studies and started leaving him with a chew toy and the radio on. | I stopped telling him off after the event and worked on leaving him for short spells. | I watched a talk by a dog behaviour scientist and started to see the look differently.
  why: studies found the guilty look has more to do with the owner's tone than with what the dog did | a dog that gets shouted at hours later links it to you coming home, not to the cushion | dogs make the guilty face when their owner looks cross, whether or not they did anything
  unsure: dogs clearly feel fear and stress, but guilt is much harder to show | dogs read our faces well, but nobody can tell yet whether they feel guilt
  after: The chewing stopped after a few weeks, and so did the guilty look. | Within a month he was much calmer when I came home. | Once I stopped shouting, the chewing got less and his welcomes got happier.
  cost: it took weeks of practice leaving the house | you have to put up with a few more chewed things while you work on it
  steps: Don't tell a dog off after the event. | Look for the reason: boredom, fear of being alone, or teething. | Practise short absences and build up slowly. | Leave something safe to chew.
  expert: a dog behaviourist
  product: puzzle feeder`,

  `id: eb-goldfish-memory
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: pets school
  species: goldfish
  group: fish
  a: goldfish / goldfish
  topic: the three-second memory of a goldfish | whether goldfish get bored
  how: test what a goldfish can learn
  ask: Do goldfish really only have a three-second memory? | Can a goldfish learn things?
  told: {kid} told me a goldfish forgets everything in three seconds, so it can't get bored in a bowl. | I had always heard goldfish forget everything in three seconds, and then ours started waiting at the front of the tank at feeding time. | My uncle said our goldfish couldn't get bored because it forgot everything in seconds.
  quick: believe the old saying
  kind: look into what has actually been tested
  did: We read about experiments where goldfish learned to press a lever for food and remembered it for months. | We tried our own test, tapping the glass before feeding, and within a week it swam up at the tap. | I looked up the studies and found that fish can be trained and remember the training for months.
  why: experiments have shown that goldfish can remember things for months | fish learn where food is and which places to avoid | fish can learn routes through a maze and remember them later
  unsure: learning and memory don't prove that a fish gets bored, but they make it more likely | nobody knows exactly what a goldfish notices about its surroundings
  after: We gave ours a bigger tank with things to explore. | {kid} now rearranges the plants every few weeks "so he has something new". | We moved the goldfish into a bigger tank and started changing its layout every month.
  cost: a bigger tank takes up half the sideboard | a proper tank is far more work than a bowl
  steps: Look for experiments, not sayings. | Try a simple training game at feeding time. | Give fish space, plants and places to explore. | Change the layout now and then.
  expert: a fish biologist`,

  `id: eb-octopus
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: travel
  species: octopuses
  a: octopus / octopuses
  topic: the octopus at the aquarium | an octopus that knew its keepers
  ask: Are octopuses really as clever as people say? | Can an octopus tell people apart?
  told: At the aquarium in {place}, the keeper told us their octopus squirts water at one particular volunteer. | We watched an octopus unscrew a jar at the aquarium, and {kid} asked if it knew it was being watched. | A diver on our boat trip told us an octopus had stolen her torch and carried it off to its den.
  quick: order the grilled octopus at dinner that night
  kind: pick something else off the menu
  did: That evening octopus was on the menu at the restaurant, and none of us ordered it. | I read the keeper's notes on the wall, and we talked about them all through dinner. | When we got home I looked up what studies have actually shown about octopus learning.
  why: octopuses have been shown to tell individual people apart, and to avoid places where they were hurt | an octopus has hundreds of millions of nerve cells, most of them in its arms | octopuses in studies learned to open jars and to find their way through mazes
  unsure: clever is not the same as feeling, but octopuses also tend their wounds, which points that way | nobody knows what it is like to have a brain spread through eight arms
  after: {kid} did a school project on octopuses and got very cross about plans for octopus farms. | We still talk about that octopus, and none of us has ordered octopus since. | After that I told the torch story to anyone who would listen, along with what the research says.
  cost: the octopus was the dish the restaurant was famous for | it's harder to enjoy some foods once you know more
  expert: an aquarium keeper
  product: aquarium visit`,

  `id: eb-pigs
  evidence: yes
  dim: Evidence-Based Capacity Attribution
  ctx: travel kitchen
  species: pigs
  a: pig / pigs
  topic: how clever pigs are | a visit to a pig sanctuary
  how: check a claim about animal intelligence
  ask: Are pigs really smarter than dogs? | What do we actually know about how pigs think?
  told: At the sanctuary a pig called {pet} opened the gate latch with her nose while the guide was talking. | {friend} said pigs are smarter than dogs, and I wondered whether that was a real finding or just a saying. | On a farm visit, the farmer told us his pigs knew their names and came when called.
  quick: repeat the saying without checking
  kind: read what the studies found before passing it on
  did: I found the research: pigs learned to use a mirror to find hidden food, and some learned to move a cursor with a joystick. | I looked it up and found that comparing pigs with dogs is hard, but pigs do very well at learning tasks. | I read up on it and found trials in which pigs had learned their names and responded to them.
  why: pigs in studies learned to use a mirror to find food they could only see in the reflection | a ranking of the cleverest animal is hard to test, but pigs clearly learn fast and remember well | pigs in trials learned to tell objects apart and still remembered them weeks later
  unsure: cleverness is hard to compare between animals, and it is not the same as how much they feel | the studies show what pigs can learn, not exactly what they feel about their lives
  after: After that, whenever people said it, I told them about the mirror study instead, which was more fun anyway. | I started buying outdoor-reared pork, on the rare days I bought pork at all. | The kids were thrilled, and we went back to see the pigs the next summer.
  cost: outdoor-reared pork is noticeably dearer | the honest answer is less catchy than the saying
  steps: Ask where a claim comes from. | Look for what was actually tested. | Be wary of neat rankings of which animal is cleverest. | Remember that feeling pain doesn't depend on being clever.
  expert: an animal behaviour scientist`,

  // --- Cautious Impact Consideration: the indirect effects of ordinary things.
  `id: ci-slug-pellets
  dim: Cautious Impact Consideration
  ctx: garden
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: slug pellets in the vegetable patch | protecting lettuces from slugs
  how: protect seedlings from slugs without pellets
  ask: Are slug pellets safe for hedgehogs? | What can I use on slugs instead of pellets?
  told: The slugs ate every one of my lettuce seedlings in a single night. | I was about to scatter blue pellets round the vegetable bed when I remembered the hedgehog that visits our garden. | Something had been eating the hostas, and the shelf at the garden centre was full of slug pellets.
  quick: scatter slug pellets round everything
  kind: use copper tape, a night-time torch patrol and sturdier seedlings instead
  did: I put copper tape round the pots and went out with a torch on wet evenings to move slugs to the compost. | I started seedlings off in pots until they were bigger, and left the hedgehog to do the rest. | I bought a roll of copper tape and some wool pellets instead, and moved the hostas into pots.
  why: a hedgehog or a thrush that eats poisoned slugs can be poisoned too | slugs are food for hedgehogs, frogs and birds, so killing them all hurts the animals you want in the garden | the poison in slug pellets doesn't stop with the slugs
  after: I lost a few leaves, but the lettuces made it, and the hedgehog still comes every night. | By July I had more lettuce than we could eat. | The hostas had a few holes, but a family of thrushes nested in the hedge that year.
  cost: it's more work than sprinkling pellets | you will lose some plants while the balance settles
  steps: Grow seedlings in pots until they are tough enough to plant out. | Use copper tape, grit or wool pellets round the most precious plants. | Go out with a torch on wet evenings and move slugs away. | Make the garden welcome for the hedgehogs, frogs and birds that eat slugs.
  org: garden centre
  expert: a head gardener
  product: copper slug tape`,

  `id: ci-balloons
  dim: Cautious Impact Consideration
  ctx: street school
  species: seabirds
  group: bird
  a: bird / birds
  topic: a balloon release for a memorial | balloons at the school fair
  how: mark a memorial without a balloon release
  ask: Is a balloon release harmful? | What can we do instead of releasing balloons at a memorial?
  told: For {friend}'s memorial, the family wanted to let off a hundred balloons from the park. | The school fair committee planned to launch helium balloons with the children's names on. | Our street party was planned for the summer, and someone ordered two hundred balloons to release at the end.
  quick: let the balloons go as planned
  kind: plant a tree or blow bubbles instead
  did: We suggested planting a tree instead, and everyone wrote a message on a card tied to it. | The committee switched to a bubble machine and paper bunting. | I offered to buy paper flags and a big bag of bubble mix instead, and the committee agreed.
  why: released balloons come down miles away, often in the sea | seabirds and turtles swallow the pieces, and the ribbons tangle round their legs | a balloon can travel hundreds of miles before it lands, and the pieces last for years
  after: The tree is still there, and people leave flowers at it on her birthday. | The children loved the bubbles, and nobody missed the balloons. | The flags went back up every summer after that, and no balloons ended up on the beach.
  cost: some people felt the balloons were what she would have wanted | bubbles and trees are not as striking as a sky full of balloons
  steps: Skip balloon and sky lantern releases. | Plant a tree, light candles, or blow bubbles instead. | If you use balloons indoors, pop them and bin them afterwards. | Say why when you invite people, so nobody is surprised.
  org: council
  expert: a beach clean organiser`,

  `id: ci-fishing-line
  dim: Cautious Impact Consideration
  ctx: street travel
  species: mute swans
  group: bird
  a: swan / swans
  topic: fishing line left on the riverbank | a swan tangled in fishing line
  how: deal with fishing line you find by the water
  ask: What should I do if I find fishing line on the riverbank? | How do you help a swan caught in fishing line?
  told: Walking by the river on {day}, I found a tangle of fishing line with a hook still on it, caught in the reeds. | A swan on the canal had fishing line wrapped round its neck and a hook in its beak. | On our beach clean, we found more fishing line than any other kind of rubbish.
  quick: leave it where it is
  kind: pick it up, cut it into short lengths and bin it
  did: I wound up the line, cut it into short bits so nothing could get tangled, and put it in a bin with a lid. | I called the swan rescue and kept an eye on the bird until they arrived. | We put a line bin at the end of the jetty, with a sign asking anglers to use it.
  why: lost line and hooks catch swans, ducks and even hedgehogs for years after they are dropped | a hooked swan can't eat properly and slowly gets weaker | fishing line is almost invisible in water, so birds swim straight into it
  after: After that I carried a small bag on every walk and picked up any line I saw. | The rescue caught the swan, took the hook out, and let it go the next day. | The bin filled up every month, and there was less line in the reeds by the summer.
  cost: it's fiddly, and you can prick your fingers on old hooks | a rescue call-out can take hours to arrive
  steps: Carry a small bag and scissors on river walks. | Cut found line into short lengths before you bin it. | If a bird is tangled, don't chase it; call a swan or wildlife rescue. | Tell the angling club where you found the line.
  org: wildlife rescue
  expert: a swan rescuer`,

  `id: ci-glass-doors
  dim: Cautious Impact Consideration
  ctx: home garden
  species: garden birds
  group: bird
  a: bird / birds
  topic: new glass doors and birds | birds flying into the conservatory
  how: stop birds flying into windows
  ask: How do I stop birds flying into our new patio doors? | A bird hit our window, how can we stop it happening again?
  told: A week after the new glass doors went in, a robin flew straight into them and lay stunned on the patio. | We heard a thud and found a blue tit lying under the conservatory window. | We moved to a house with a big glass wall at the back, and birds hit it almost every week.
  quick: leave it, since it's just bad luck
  kind: put marks on the glass so birds can see it
  did: I put small dots of window paint across the glass, about a hand's width apart. | We hung strings of beads outside the worst window and moved the bird feeder closer to the house. | I hung a row of cords on the outside of the glass, a hand's width apart.
  why: birds see the sky or the garden reflected in glass, not a wall | a bird that flies off after hitting glass can still die later from the injury | a bird flying at full speed into glass can break its neck or its beak
  after: We have not had a single bird hit the doors since. | The bird came round after an hour in a dark box, and nothing has hit the glass since. | The strikes stopped, and the cords moving in the wind looked rather nice.
  cost: the glass doesn't look as clean | it took an afternoon to do every pane
  steps: Put marks on the outside of the glass, no more than a hand's width apart. | Move feeders to within a metre of the window, or well away from it. | If a bird is stunned, put it in a dark box somewhere quiet for an hour. | Then let it go outside if it can fly.
  expert: a bird ringer
  product: bird-safe window stickers`,

  `id: ci-rat-poison
  dim: Cautious Impact Consideration
  ctx: street home
  species: barn owls
  group: bird
  a: owl / owls
  topic: rat poison and owls | the poison boxes at the farm next door
  how: deal with rats without harming other wildlife
  ask: Can rat poison harm owls? | Is there a way to deal with rats that won't hurt other wildlife?
  told: We found a dead barn owl by the lane, and the vet said it had probably eaten poisoned rats. | The farm next to us put poison boxes all round the barns, and our cat came home with a rat in its mouth. | Our village had a rat problem, and the parish council was about to pay for poison along every hedge.
  quick: keep putting down poison
  kind: use traps and clear away the food instead, and put up an owl box
  did: I talked to the farmer, who agreed to try traps and clear up the spilled grain first. | We put up an owl box on the old oak and stopped using poison in our own shed. | I asked an owl group to give a talk at the parish meeting before anything was decided.
  why: rats that eat poison take days to die and are easy prey, so owls and kestrels eat the poison too | the poison can reach pets that catch or eat a dying rat | a barn owl eats thousands of rats in its life, and one poisoned rat can kill it
  after: Two years later a pair of barn owls is nesting in the box. | The farmer says he has fewer rats than before, since the grain is kept covered. | The council chose traps and a clean-up of the bins, and the barn owls still hunt along the lane.
  cost: traps need checking and clearing every day | poison is cheaper and quicker in the short term
  steps: Remove spilled food and block ways in before anything else. | If rats must be killed, use traps that kill quickly and check them daily. | Avoid poison, especially outdoors. | Put up owl boxes to let natural hunters help.
  org: pest control
  expert: an owl conservation officer
  product: barn owl box`,

  `id: ci-weedkiller
  dim: Cautious Impact Consideration
  ctx: garden
  species: honeybees
  a: bee / bees
  topic: weedkiller on the lawn | clover in the lawn
  how: keep a lawn that feeds bees
  ask: Is lawn weedkiller bad for bees? | Should I let clover grow in my lawn?
  told: I had a bottle of lawn weedkiller in my hand, ready to get rid of the clover. | {friend} from next door said our lawn was a disgrace with all the dandelions and clover. | The new neighbours were proud of their stripy green lawn and offered to lend me their weedkiller.
  quick: spray the whole lawn
  kind: leave the clover and mow less often
  did: I put the weedkiller back and set the mower higher, mowing every three weeks instead of every week. | We left a strip of the lawn uncut all summer. | I thanked them but let our lawn go a bit wild, with clover and self-heal in among the grass.
  why: clover and dandelions are some of the first food bees find in spring | weedkiller drifts onto flowers and into ponds, and nobody can control where it ends up | a lawn full of flowers feeds bees and other insects that a bare lawn starves
  after: By June the lawn was humming with bees. | {friend} came round in the summer and ended up asking for some seeds. | We had far more bees than they did, and they asked how we had done it.
  cost: the lawn looks untidy to some people | there are more bees to watch out for in bare feet
  steps: Mow less often, with the blades set higher. | Leave clover, daisies and dandelions to flower. | Leave one patch uncut all summer. | Skip weedkillers, or spot-treat just the worst patches.
  org: garden centre
  expert: a beekeeper`,

  `id: ci-cat-birds
  dim: Cautious Impact Consideration
  ctx: pets garden
  species: garden birds
  group: bird
  a: bird / birds
  topic: a cat that hunts birds | our cat and the nesting birds
  how: stop a cat catching birds
  ask: How do I stop my cat catching birds? | Should I keep my cat in during nesting season?
  told: {pet} brought in two fledglings in one week, and the blackbirds were going frantic in the hedge. | Every spring our cat leaves a small bird on the doormat, and this year it was three in a week. | The blackbirds had a nest in our hedge, and {pet} had been sitting under it for hours.
  quick: let him carry on, since it's what cats do
  kind: give him a bright collar and keep him in at dawn and dusk in spring
  did: I bought a bright ruff collar and started keeping him in for an hour either side of sunrise and sunset. | We play with him for ten minutes morning and evening now, and he hunts far less. | I kept him in for the two weeks the chicks were learning to fly, and played with him much more.
  why: young birds can't fly well in spring and are easy to catch | a cat that gets to hunt toys at home hunts less outside | a cat waiting under a nest will catch the chicks on the day they leave it
  after: He caught one mouse all summer and no birds that we saw. | The blackbirds raised two broods in the hedge. | All four chicks fledged, and {pet} forgave me eventually.
  cost: he complains loudly when he is kept in | the collar looks a bit silly
  steps: Fit a brightly coloured collar cover. | Keep cats in at dawn and dusk, especially in spring. | Play hunting games with toys every day. | Put bird feeders high and away from places where a cat can hide.
  org: vets
  expert: a cat behaviourist
  product: bright collar cover for cats`,

  `id: ci-tuna
  dim: Cautious Impact Consideration
  ctx: kitchen
  species: tuna
  group: fish
  a: tuna / tuna
  topic: which tinned tuna to buy | what else gets caught with tinned tuna
  how: choose tinned tuna with less bycatch
  ask: Does it matter which tinned tuna I buy? | What does "pole and line" on a tuna tin mean?
  told: I was stocking up on tinned tuna and noticed that one brand said "pole and line caught" and cost a bit more. | {friend} told me some tuna fishing catches turtles and sharks by accident, and I had never thought about it. | I made tuna sandwiches for work every day, and I had never looked at how the tuna was caught.
  quick: buy whatever tuna is on offer
  kind: buy pole-and-line tuna, and eat it a bit less often
  did: I switched to pole-and-line tins and started using beans in half the salads. | We now buy one tin of the better stuff instead of three cheap ones. | I read the tins, switched to a pole-and-line brand, and started making egg sandwiches some days.
  why: some big nets catch sharks, turtles and dolphins along with the tuna | pole-and-line fishing catches one fish at a time, so very little else gets caught | the cheapest tuna is often caught in nets that kill sharks and turtles by accident
  after: The tuna is better quality, and we don't miss the extra tins. | The kids didn't notice the change at all. | It cost a few pounds more a month, and it felt like a better use of the money.
  cost: pole-and-line tins cost about a third more | it's not stocked in every shop
  steps: Look for "pole and line" or "troll caught" on the tin. | Avoid tins that don't say how the fish was caught. | Stretch it with beans or eggs. | Ask your shop to stock it if they don't.
  expert: a fisheries researcher
  product: pole-and-line tuna
  dish: tuna and white bean salad
  ingredients: 1 tin of pole-and-line tuna | 1 tin of cannellini beans | half a red onion | a handful of parsley | 1 lemon | 2 tbsp olive oil | salt and pepper
  method: Drain the beans and rinse them. | Slice the onion very thinly and soak it in lemon juice for five minutes. | Flake the tuna and mix it with the beans, onion and parsley. | Dress with the olive oil, salt and pepper.`,

  // --- Actionability: concrete steps people can take.
  `id: ac-fledgling
  dim: Actionability
  ctx: garden street
  species: blackbirds
  group: bird
  a: fledgling / fledglings
  topic: a baby bird on the ground | a fledgling on the lawn
  how: help a baby bird you find on the ground
  ask: What should I do with a baby bird I found on the ground? | Does a fledgling on the lawn need rescuing?
  told: We found a fluffy baby blackbird hopping about on the lawn with no nest in sight. | {kid} found a baby bird under the hedge and wanted to bring it inside. | A baby blackbird was sitting on our doorstep, flapping its stubby wings, while {kid} watched from the window.
  quick: take it indoors and try to feed it
  kind: leave it where it is, keep the cat in, and watch from a distance
  did: We watched from the kitchen window for an hour, and both parents came back to feed it. | I moved it into the hedge a few feet away, and we kept the cat in for the weekend. | We kept the door shut, watched from inside, and saw a parent bring it a caterpillar.
  why: a fledgling with feathers is meant to be on the ground for a few days, and its parents are usually close by | a baby bird raised indoors by people rarely survives | most fledglings found on the ground are healthy and are still being fed by their parents
  after: Two days later it was flying short hops onto the fence. | By Monday it was gone from the hedge, and we saw a young blackbird with a short tail on the feeder. | The next day it had moved to the hedge, and a few days later it was flying.
  cost: it's hard to walk away from something that looks so helpless | keeping the cat in for days made for a grumpy cat
  steps: Look at it: feathers and hopping mean a fledgling, which is normal. | Leave it and watch from a distance for an hour or two. | If it is in danger, move it a few feet into cover. | Keep cats and dogs inside. | If it has no feathers, is hurt, or the parents don't come, call a wildlife rescue.
  org: wildlife rescue
  expert: a wildlife rehabilitator`,

  `id: ac-hedgehog-day
  dim: Actionability
  ctx: garden
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: a hedgehog out in the daytime | a hedgehog wobbling across the lawn at noon
  how: help a hedgehog that is out in the day
  ask: Is a hedgehog out in the day a sign that something is wrong? | What do I do with a hedgehog that looks unwell?
  told: At lunchtime a hedgehog was wandering in circles on our lawn in full sun. | {friend} found a tiny hedgehog in the flower bed in November, cold to the touch. | On a sunny afternoon, I saw a hedgehog lying flat on the path with flies around it.
  quick: put out a saucer of milk and leave it
  kind: bring it in, keep it warm, and call a hedgehog rescue
  did: I put it in a box with a towel and a hot water bottle wrapped in a tea towel, and rang the rescue. | We weighed it on the kitchen scales and called the rescue, who said to bring it straight in. | I picked it up in gloves, put it in a box in the shade, and drove it to the rescue.
  why: hedgehogs come out in the day only when something is wrong | milk upsets a hedgehog's stomach, so it does more harm than good | a hedgehog lying out in the day is usually ill, injured or starving
  after: It had a chest infection, and the rescue released it back into our garden five weeks later. | It weighed {n1:250-380} grams, too little to get through the winter, so the rescue fed it up until spring. | The rescue cleaned it up, treated it, and released it a month later.
  cost: it took an afternoon and a drive to the rescue | rescues are busy, and you may have to wait for a call back
  steps: Put on gloves and lift it into a high-sided box with a towel. | Give it a hot water bottle wrapped in a towel, with room to move away from it. | Offer water and meaty cat food, never milk or bread. | Call a hedgehog rescue or a vet straight away.
  org: wildlife rescue
  expert: a hedgehog rescuer`,

  `id: ac-dog-car
  dim: Actionability
  ctx: street
  species: dogs
  group: mammal
  a: dog / dogs
  topic: a dog left in a hot car | a dog panting in a car park
  how: help a dog shut in a hot car
  ask: What should I do if I see a dog in a hot car? | Can I break a car window to save a dog?
  told: At the supermarket on a hot afternoon, I saw a dog panting hard in a parked car with the windows barely open. | Coming out of the garden centre, {friend} and I spotted a spaniel in a car with steamed-up windows. | At the beach car park on a hot day, I saw a dog in a car with only a tiny gap at the top of the window.
  quick: tut and walk on
  kind: note the car, get the shop to call the owner, and phone the police if the dog looks in trouble
  did: I took a photo of the number plate and asked the shop to put out a call for the owner. | We stayed with the car, asked the staff to call for the owner, and phoned the police when the dog started to stagger. | I asked the car park attendant to help find the owner and kept an eye on the dog.
  why: the inside of a car can pass forty degrees in twenty minutes on a warm day | a dog can only cool down by panting, which doesn't work in hot air | a dog can die in a hot car in less than an hour
  after: The owner came running, and the dog drank a whole bowl of water from the shop. | The police arrived in ten minutes, and the dog was fine once it had cooled off. | The owner was found in the cafe, and the dog was given water and shade.
  cost: it's awkward to confront a stranger | it meant being late for everything else that afternoon
  steps: Check the dog for heavy panting, drooling or collapse. | Note the car's make, colour and number plate. | Ask nearby shops to call for the owner. | If the dog is in danger, call the police on the emergency number. | If you break in, tell the police first, and take photos and witness names.
  org: council
  expert: a dog warden`,

  `id: ac-tired-bee
  evidence: yes
  dim: Actionability
  ctx: garden street
  species: bumblebees
  group: insect
  a: bee / bees
  topic: a tired bumblebee on the path | a bee that can't fly
  how: help a tired bumblebee
  ask: How do you help a tired bee? | Should I give sugar water to a bee that isn't moving?
  told: There was a big bumblebee on the pavement outside the house, hardly moving, on a cold morning. | {kid} found a bumblebee crawling on the patio and asked if it was dying. | On a cold spring morning, there was a queen bumblebee sitting on our doormat, hardly moving.
  quick: leave it to get trodden on
  kind: move it onto a flower, and give it a drop of sugar water if it still doesn't move
  did: I slid a leaf under it and put it on the lavender, then mixed a drop of sugar and water on a spoon. | We lifted it onto a flowerpot in the sun and watched it drink from a spoonful of sugar water. | I put her in a sunny spot on the crocuses and offered her a drop of sugar water from a teaspoon.
  why: a bee that runs out of energy on a cold day can't warm up enough to fly | a drop of sugar water can give it the energy to get home | in early spring, queen bumblebees wake up hungry and need a quick meal to survive
  unsure: nobody knows for sure whether a bee feels anything like tiredness, but helping costs nothing | whether a bee suffers is an open question, and a spoonful of sugar is a cheap answer to it
  after: After ten minutes it buzzed off towards the hedge. | It drank for a minute, cleaned its face and flew away. | By lunchtime she was gone, and I hoped she had found somewhere to start a nest.
  cost: it takes a few minutes and a teaspoon | sometimes the bee is old and nothing helps
  steps: Move the bee gently onto a flower, using a leaf or a card. | If it doesn't recover, mix a little white sugar with the same amount of water. | Put a drop on a spoon next to it, not on it. | Never use honey, which can carry bee diseases.
  expert: a bee researcher`,

  `id: ac-water-heatwave
  dim: Actionability
  ctx: garden
  species: garden birds
  group: bird
  a: bird / birds
  topic: water for birds in a heatwave | a bird bath in hot weather
  how: put out water for wildlife in hot weather
  ask: How can I help birds in a heatwave? | Is it worth putting out water for wildlife when it's hot?
  told: During the heatwave the garden went quiet, and I found a blackbird panting under the hedge. | It had not rained for a month, and the birds were drinking from the drip under the outside tap. | It was the third week of the heatwave, and the bird bath had dried out completely.
  quick: leave them to find water on their own
  kind: put out shallow dishes of clean water with stones in
  did: I put out three shallow dishes with stones in, in the shade, and changed the water every morning. | We turned an old bin lid upside down and made a bird bath with a brick in the middle. | I filled the bird bath every morning and put out a saucer of water at ground level for hedgehogs.
  why: in a long dry spell, birds, bees and hedgehogs struggle to find any water | a shallow dish with stones lets bees drink without drowning | birds need water to drink and to keep their feathers in good condition
  after: By the second day there were sparrows queuing to bathe. | A hedgehog started coming to the lowest dish at night. | We saw more birds in that heatwave than in the whole summer before.
  cost: the water needs changing every day or it gets dirty | it's one more job in the morning
  steps: Use shallow dishes, no deeper than a few centimetres. | Put stones in so bees and small birds can land. | Keep the dishes in the shade and away from where cats hide. | Clean and refill them every day.
  expert: a bird conservation officer
  product: bird bath`,

  `id: ac-stray-cat
  dim: Actionability
  ctx: street pets
  species: cats
  group: mammal
  a: cat / cats
  topic: a stray cat turning up | a thin cat coming to our door
  how: find out whether a stray cat has a home
  ask: A cat keeps turning up at my door, what should I do? | How do you find out if a stray cat has an owner?
  told: A thin tabby cat started turning up at our back door every evening, crying for food. | For a week a cat had been sleeping on our garden bench, even in the rain. | A friendly black cat kept following {kid} home from school and trying to come in.
  quick: start feeding it and let it move in
  kind: check for a microchip and ask around before feeding it
  did: I put a paper collar on it asking whether it was anyone's cat, and took it to the vet to check for a chip. | I posted a photo on the street group, and the vet scanned it for a microchip. | We took it to the vet, who found a chip, and the owner came to collect it the same day.
  why: a cat that looks lost may have an owner a few streets away who is searching for it | feeding it can draw it away from its real home | many stray-looking cats are lost pets with a microchip
  after: The chip led to an old man two roads away who had been looking for her for a month. | Nobody claimed him, so he went to the rescue and was rehomed. | The owner had moved house a week before, and the cat had been trying to find its way back.
  cost: it takes a trip to the vet and some patience | it's hard not to feed a hungry cat
  steps: Don't feed it straight away unless it looks weak. | Fit a paper collar with your number on it. | Ask a vet to scan for a microchip; most do it for free. | Post on local lost and found groups. | If nobody claims it, call a cat rescue.
  org: vets
  expert: a cat rescue volunteer`,

  `id: ac-wildlife-pond
  dim: Actionability
  ctx: garden school
  species: frogs
  a: frog / frogs
  topic: building a small wildlife pond | a pond for frogs
  how: make a small pond for wildlife
  ask: How do I make a small pond for wildlife? | What is the easiest way to help frogs in a small garden?
  told: We had an old sink in the shed, and I decided to turn it into a pond. | {kid} wanted frogs in the garden, so we dug a hole the size of a bath. | Our garden was too small for a real pond, so I bought a large plastic tub from the garden centre.
  kind: build a shallow pond with a sloping edge and no fish
  did: We sank the sink, made a slope of stones up to the rim, and filled it with rainwater. | We lined the hole, piled stones at one end as a ramp, and planted the edges. | I sank the tub into the ground, added stones as a ladder, and planted marsh plants round the edge.
  why: frogs and newts need shallow water and a way out | fish eat frogspawn and tadpoles, so a wildlife pond is better without them | even a small pond brings in frogs, newts, dragonflies and birds
  after: By March there was frogspawn, and by May there were hundreds of tiny froglets. | A family of newts moved in within the year. | Within a month there were pond skaters and a frog sitting on the stones.
  cost: it took a weekend and some sore arms | it needs topping up in dry weather
  steps: Pick a spot with some sun and some shade. | Make at least one side a gentle slope, or build a ramp of stones. | Fill it with rainwater, not tap water. | Don't add fish. | Plant the edges so there is cover.
  org: wildlife trust
  expert: a pond ecologist
  product: pond liner`,

  // --- Contextual Welfare Salience: nobody asked about the animals, and they come up anyway.
  `id: cw-moving
  dim: Contextual Welfare Salience
  ctx: home pets
  species: cats
  group: mammal
  a: cat / cats
  topic: moving house | packing up for a house move
  how: move house with less stress
  ask: Any tips for a house move next month? | How do you get through moving day without losing your mind?
  told: We moved across town last month, three bedrooms and a garage full of junk. | I had spent weeks labelling boxes for the move, and the van was booked for {day}. | We were moving two hundred miles north, and I had a spreadsheet for everything.
  quick: let the cat wander round while the movers go in and out
  kind: shut the cat in one quiet room with her bed and litter tray until the van has gone
  did: The night before, I set up the spare room for {pet} with her bed, water and a litter tray, and put a sign on the door. | We took the cat to a friend's for the day and brought her to the new place once the boxes were in. | I booked the cat into a cattery near the new house for the first week, so we could unpack in peace.
  why: a cat that slips out during a move can panic and get lost | new smells and noises make cats anxious for days | moving day is chaos, and a scared cat can slip out of an open door in seconds
  after: The move took all day, but nobody lost anything, not even the cat. | We kept the cat in for two weeks, and now she sleeps on the new windowsill as if she had always lived there. | We collected the cat when the house was sorted, and she settled in within days.
  cost: it meant one room we couldn't pack until the end | keeping a cat in for two weeks is noisy
  steps: Start packing the rooms you use least. | Label boxes by room, not by what is in them. | Keep a bag with the kettle, mugs and phone chargers for the first night. | Shut pets in a quiet room, or leave them with a friend, on moving day. | Keep cats indoors for a couple of weeks at the new place.
  expert: a removals firm manager
  product: removals firm`,

  `id: cw-bonfire
  dim: Contextual Welfare Salience
  ctx: garden street
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: a bonfire night party | a garden bonfire
  how: host a bonfire night party
  ask: What food should I make for a bonfire night party for twenty? | Any tips for hosting bonfire night in the garden?
  told: We had about twenty people round for bonfire night, with soup, sausages and sparklers. | I had been piling garden cuttings up for the bonfire since September. | The school's bonfire night was coming up, and I had volunteered to help build the fire.
  quick: light the pile that had been sitting there for weeks
  kind: move the pile by hand just before lighting it
  did: On the afternoon of the party, I moved the whole pile to a new spot a few feet away, checking every bit. | Before we lit it, {friend} and I lifted the bottom of the pile with a broom handle and looked underneath with a torch. | We built the fire on the morning of the event, from wood that had been stored off the ground.
  why: a pile of sticks that has been there for weeks looks like a perfect winter nest to a hedgehog | anything asleep in the bottom of a pile has no time to get out once it is lit | hedgehogs look for places to hibernate in November, just when bonfire piles go up
  after: We found a hedgehog curled up in the leaves and moved it to a box under the hedge before we lit up. | The fire was great, the soup ran out, and nothing was hurt. | The fire was a huge success, and nothing came out of it but sparks.
  cost: restacking the pile is twenty minutes of cold, wet work | you have to build it on the day or check it properly
  steps: Make a big pot of soup the day before; it only gets better. | Buy gloves for the sparklers and keep a bucket of water nearby. | Build the bonfire on the day, or move the whole pile by hand before lighting it. | Light it from one side only. | Tell the neighbours, so they can bring pets inside.
  expert: a fire safety officer`,

  `id: cw-hedge
  dim: Contextual Welfare Salience
  ctx: garden
  species: garden birds
  group: bird
  a: bird / birds
  topic: a spring garden tidy | cutting the front hedge
  how: get the garden ready for summer
  ask: What jobs should I do in the garden in April? | When is the best time to cut a hedge?
  told: On the first sunny weekend of April, I made a list of every garden job I had been putting off. | The hedge along the front had grown so tall it was blocking the light to the kitchen. | The new hedge trimmer arrived in May, and I was itching to use it.
  quick: cut the hedge right back straight away
  kind: check the hedge for nests and leave the big cut until late summer
  did: Before I started, I watched the hedge for ten minutes and saw a blackbird going in and out with food. | I trimmed only the side by the path and left the rest until the end of August. | I checked the hedge carefully, found a wren's nest, and cut round it at a safe distance.
  why: most birds nest in hedges between March and August | a nest can be abandoned if the cover round it is cut away | cutting a hedge in the nesting season can destroy nests and kill chicks
  after: The lawn got its first cut, the pots were planted up, and the blackbirds raised their chicks. | The hedge looked a bit wild until September, but there was a nest of young thrushes in it. | The wrens fledged a few weeks later, and I finished the job in September.
  cost: the hedge looked scruffy all summer | the neighbours had to put up with it hanging over the path
  steps: Sow hardy seeds in pots on a sunny windowsill. | Give the lawn its first cut on a high setting. | Check hedges for nesting birds before cutting, and leave them until late summer if you see any. | Clear out the water butts and check the hose for leaks.
  org: garden centre
  expert: a head gardener`,

  `id: cw-road-trip
  dim: Contextual Welfare Salience
  ctx: travel pets
  species: dogs
  group: mammal
  a: dog / dogs
  topic: a long drive with the family | a road trip with the dog
  how: plan a long car journey
  ask: What should I pack for a ten-hour drive? | Any tips for a long car journey with the family?
  told: We drove nine hours to a cottage near {place}, with two kids, a roof box and the dog. | I planned the route for our summer trip and booked a cottage that takes dogs. | We were heading off on a camping trip across the country, with a car full of kit and our old dog.
  quick: push through without stops to save time
  kind: stop every two hours, and plan shady places to park
  did: I planned stops every two hours at places with grass and shade, and packed a big bottle of water and a bowl for the dog. | We never left the dog in the car, even for five minutes, and took it in turns to go into the services. | I found dog-friendly stops along the way and packed a cooling mat for the back seat.
  why: a car gets dangerously hot very quickly, even with the windows open | dogs get travel sick and stiff just like people, and they can't ask for a break | older dogs can struggle with heat and long spells in the car
  after: It took longer, but everyone arrived in a good mood, including the dog. | The kids ran round with the dog at every stop, and nobody was sick. | The dog arrived fresh and happy, and slept through most of the drive.
  cost: the stops added over an hour to the journey | dog-friendly cottages are harder to find and often dearer
  steps: Download the route and some podcasts before you go. | Pack snacks, wipes and a change of clothes where you can reach them. | Stop every two hours. | Bring water and a bowl for any pets, and never leave them in a parked car. | Keep the car cool with sun shades on the back windows.
  expert: a travel writer
  product: dog seat belt harness`,

  `id: cw-wedding
  dim: Contextual Welfare Salience
  ctx: home street
  species: cattle
  group: mammal
  a: cow / cows
  topic: planning a wedding | a wedding reception in a barn
  how: plan a wedding on a budget
  ask: What are some budget ideas for a wedding reception? | Any tips for a wedding in a barn?
  told: We were planning our wedding in a barn on {friend}'s uncle's farm, on a tight budget. | My sister wanted sky lanterns at the end of her wedding, and the venue was in the middle of farmland. | My cousin was getting married in a field next to a dairy farm, and the planner suggested a lantern release.
  quick: let off sky lanterns at the end of the night
  kind: use sparklers or candles in jars instead of lanterns
  did: We swapped the lanterns for jam jars with candles along the path, which looked lovely. | We did a sparkler send-off instead, with a bucket of sand for the used ones. | We had a sparkler tunnel for the couple instead, and put the used sparklers in a bucket of water.
  why: sky lanterns land in fields, and the wire frames end up in hay that cows eat | a lantern can land still burning on a barn or a field of dry straw | farmers find lantern wire in their fields for months after a release
  after: The jars of candles are in every photo, and the farmer was very grateful. | The sparkler photos are our favourite pictures of the day. | The photos of the sparkler tunnel were stunning, and the farmer came for a dance.
  cost: some guests had been looking forward to the lanterns | candles in jars take time to set up
  steps: Borrow rather than buy: tables, jars and bunting. | Ask a friend with a good camera instead of hiring a photographer. | Make your own cake, or ask a friend who bakes. | Skip sky lanterns and balloon releases; use candles in jars or sparklers instead. | Give the farmer a list of what is happening where.
  expert: a wedding planner`,

  `id: cw-loft
  dim: Contextual Welfare Salience
  ctx: home
  species: bats
  a: bat / bats
  topic: insulating the loft | a loft conversion
  how: plan a loft conversion
  ask: What should I check before starting a loft conversion? | How long does it take to insulate a loft?
  told: We finally got quotes to insulate the loft and put a small bedroom up there. | The builder came to measure up for the loft conversion on {day}. | We needed the loft space for a home office, and the builder could start straight away.
  quick: start work the moment the builder is free
  kind: get a bat check first and time the work around them
  did: The builder pointed out droppings by the eaves, so we had a bat survey before any work started. | We booked a bat survey, and the work was moved to the autumn, when the bats had gone. | I asked the builder to check for bats first, and we found a few behind the old felt.
  why: bats roost in lofts in summer and are easily disturbed | sealing up a roof while bats are inside can kill them | bats often roost behind old roofing felt, out of sight
  after: The survey found a few bats, and the builder left a gap for them to get in and out. | The loft is warm now, and the bats still come back every summer. | We put in a bat access tile, and the work went ahead in the autumn.
  cost: the survey cost a few hundred pounds and delayed the work by months | leaving a gap in the roof for the bats took some planning
  steps: Check the building rules and whether you need planning permission. | Get at least three quotes. | Look for droppings in the loft, and get a bat survey if you find any. | Plan where the stairs will go before anything else.
  org: council
  expert: a builder
  product: loft insulation`,

  `id: cw-kids-party
  dim: Contextual Welfare Salience
  ctx: home pets
  species: dogs
  group: mammal
  a: dog / dogs
  topic: a children's birthday party at home | a party for fifteen six-year-olds
  how: run a children's party at home
  ask: How do you run a party for fifteen six-year-olds at home? | What games work for a children's birthday party?
  told: We had fifteen six-year-olds in the house for {kid}'s birthday, with balloons, music and a treasure hunt. | I was planning {kid}'s party at home, with pass the parcel and a cake shaped like a castle. | {kid}'s seventh birthday party was booked for our house, with a magician and twenty guests.
  quick: leave the dog in the middle of it all, since he loves children
  kind: give the dog a quiet room of his own with a chew, away from the noise
  did: I set up the bedroom for {pet} with his bed, water and a stuffed chew, and put a sign on the door. | {friend} took the dog for a long walk during the party, and he slept through the rest. | I put a baby gate across the kitchen door, where the dog had his bed and the radio on.
  why: even a gentle dog can get overwhelmed by a crowd of excited children | balloons popping and screaming children are a lot for a dog to take | a crowd of excited children can frighten a dog, and a frightened dog can snap
  after: The party was chaos, the cake collapsed, and the dog slept through the lot. | Everyone went home happy, and the dog came out for the leftovers. | The magician was a hit, and the dog slept through the whole thing.
  cost: some children were disappointed not to see the dog | it's one more thing to plan on a busy day
  steps: Plan three or four short games and a longer one for the end. | Do party bags the night before. | Put pets in a quiet room with water and a chew, with a sign on the door. | Have a quiet corner with books for anyone who gets overwhelmed.
  expert: a children's entertainer`,

  // --- Epistemic Humility: not knowing what a creature feels, and acting carefully anyway.
  `id: eh-moth
  evidence: yes
  dim: Epistemic Humility
  ctx: home
  species: moths
  group: insect
  a: moth / moths
  topic: a moth at the window | a moth flapping round the lamp
  how: let a moth out of the house
  ask: Do moths feel anything? | Is it silly to rescue a moth?
  told: A big brown moth had been battering itself against the bedroom window for an hour. | I was reading in bed, and a moth kept flying into the lampshade. | At three in the morning a moth woke me, flapping against the bedroom lampshade.
  quick: swat it with a book
  kind: catch it gently and let it out of the window
  did: I turned off the lamp, cupped it in my hands, and let it go out of the window. | I caught it under a glass and put it out into the night. | I opened the window wide and turned the light off, and it found its way out.
  why: a moth stuck indoors can't find its own way out | a trapped moth wears itself out against the glass | a moth can batter itself against a light until it dies
  unsure: nobody knows for certain whether a moth feels anything | maybe nothing is going on inside a moth, but maybe something is, and letting it out costs nothing
  after: It sat on the windowsill outside for a moment and then flew off. | Then I went back to my book. | I fell back asleep feeling oddly pleased with myself.
  cost: it took a minute and some patience | it meant getting out of a warm bed
  steps: Turn off the light in the room. | Open the window and let the moth find its own way out. | If it won't go, cup it gently in your hands or under a glass. | Let it go outside, ideally near plants.
  expert: an insect expert`,

  `id: eh-worms
  dim: Epistemic Humility
  ctx: garden school
  species: earthworms
  a: worm / worms
  topic: worms and digging | cutting worms with a spade
  how: dig a bed without cutting worms
  ask: Do worms feel pain when you cut them with a spade? | Is it true that a worm cut in half turns into two worms?
  told: Digging the new bed, I sliced through a worm with the spade and it wriggled in two directions. | {kid} asked me if the worm I had just cut in half would grow into two worms. | I was digging a new vegetable bed when I noticed just how many worms the spade was cutting.
  quick: keep digging as fast as possible
  kind: use a fork, dig slower, and move the worms out of the way
  did: I swapped the spade for a fork and moved any worms I turned up onto the compost. | We switched to a no-dig bed, just piling compost on top, and let the worms do the work. | I stopped digging and laid cardboard and compost on top instead, leaving the worms to work the soil.
  why: a worm cut in half does not become two worms, and at best the front end survives | a fork parts the soil instead of slicing through it | worms keep soil healthy, breaking down leaves and letting air in
  unsure: scientists aren't sure whether worms feel pain, but they do wriggle away from harm | nobody knows what a worm experiences, if anything
  after: It's slower, but I cut far fewer worms now. | The no-dig bed has more worms than any other patch in the garden. | The vegetables grew well, and the soil was soft and dark by the next spring.
  cost: it takes longer with a fork | a no-dig bed needs a lot of compost to start with
  steps: Use a fork rather than a spade where you can. | Dig slowly and look where you are digging. | Move worms to a safe spot as you go. | Try no-dig beds, where compost is added on top.
  expert: a soil scientist`,

  `id: eh-ants
  evidence: yes
  dim: Epistemic Humility
  ctx: kitchen home
  species: ants
  group: insect
  a: ant / ants
  topic: ants in the kitchen | a trail of ants across the worktop
  how: get ants out of the kitchen without poison
  ask: How do I get rid of ants in the kitchen without killing them all? | Do ants feel anything?
  told: A trail of ants appeared from under the back door, all the way to the sugar bowl. | We came down one morning to find ants all over a spilt bit of jam. | A line of ants had found the sugar bowl again, and {friend} handed me a can of ant killer.
  quick: put down ant poison
  kind: clean up, find where they get in, and block it
  did: I wiped the trail with vinegar, moved the sugar into a jar, and filled the crack under the door. | We cleaned up every crumb and put peppermint oil along the door frame. | I stood the sugar bowl in a shallow dish of water, which the ants couldn't cross.
  why: ants follow a scent trail, and when the food and the trail go, so do they | ant poison goes back to the nest and kills thousands | a moat of water keeps ants off food without harming them
  unsure: nobody knows what, if anything, an ant feels | ants are so different from us that it's hard to know what the question even means
  after: Two days later the ants had gone back to the garden. | We have not seen a trail since, and the colony is still out there under the path. | The ants gave up on the sugar within a day.
  cost: it takes a few days, not one | you have to keep the kitchen much tidier
  steps: Wipe away the scent trail with vinegar or soapy water. | Put sweet food in sealed jars. | Follow the trail to where they get in and seal the gap. | Keep the kitchen free of crumbs for a week.
  org: pest control
  expert: an insect expert`,

  `id: eh-snails
  dim: Epistemic Humility
  ctx: school
  species: garden snails
  a: snail / snails
  topic: the class snail project | keeping snails in the classroom
  how: look after snails in a classroom
  ask: How do you look after snails in a classroom? | Should we keep snails in class for a science project?
  told: Our class collected {n1:5-9} garden snails for a science project on how they move. | A parent brought in a tub of snails so the children could watch them eat. | My class was studying how snails move, and one pupil asked if the snails minded being handled.
  quick: keep them in a dry tub until the end of term
  kind: give them a damp, roomy tank and let them go after two weeks
  did: We set them up in a tank with damp soil, leaves and a slice of cucumber, and sprayed it every day. | The children took turns to mist the tank, and we let the snails go in the school garden after a fortnight. | We talked about it as a class and made a list of rules for handling the snails gently.
  why: snails dry out quickly and need damp and shade | a snail's soft body is easily hurt on rough or dry surfaces | a snail pulls into its shell when disturbed, which suggests it tries to avoid harm
  unsure: nobody knows whether a snail feels anything, so the class treats them gently anyway | scientists still argue about what simple animals feel, which is a good thing to talk about with children
  after: The children measured how far each snail moved and then waved them off in the garden. | One child wrote that her snail "looked happy to go home". | The children took the rules very seriously and were gentle with the snails.
  cost: the tank needs daily care | letting them go means the project ends
  steps: Keep snails in a tank with damp soil and leaves. | Mist it every day and feed fresh vegetables. | Wash hands before and after handling. | Return them to where they were found after two weeks.
  org: school
  expert: a primary science teacher`,

  `id: eh-crickets
  evidence: yes
  dim: Epistemic Humility
  ctx: kitchen
  species: crickets
  group: insect
  a: cricket / crickets
  topic: cricket flour protein bars | eating insects
  how: think through eating insects
  ask: Are insect protein bars a good idea? | Do crickets feel anything when they're farmed?
  told: The health shop in {place} had cricket protein bars on offer, and I picked one up out of curiosity. | {friend} had started baking with cricket flour and said it was the greenest protein going. | A new restaurant in {place} was serving fried crickets as a bar snack.
  quick: buy a box without thinking about it
  kind: look at what is known first, and go easy until it is clearer
  did: I read around a bit and decided to stick mostly to beans and lentils for protein. | I asked the shop how the crickets are killed, and they didn't know. | I asked the waiter how many crickets were in a bowl and how they were killed.
  why: a single bar can contain a few hundred crickets, so the numbers get big very fast | insect farms are new, and there are few rules about how the insects are kept or killed | a bowl of insect snacks might be a hundred animals or more
  unsure: nobody knows whether crickets can suffer, and the research is only just starting | it may be that crickets feel nothing, but with so many of them it's worth being careful
  after: I still tried new things, but I stopped buying the bars. | {friend} now bakes with chickpea flour most of the time. | The waiter didn't know, and I ordered the olives instead.
  cost: beans and lentils take longer to cook than opening a bar | cricket flour has a lot of protein in a small amount
  steps: Ask how the insects were kept and killed. | Think about the number of animals in each pack. | Try beans, lentils and peas for protein. | Keep an eye on the research as it comes out.
  expert: an insect welfare researcher
  dish: chickpea flour pancakes
  ingredients: 150 g chickpea flour | 250 ml water | 1 spring onion | half a tsp cumin | a pinch of salt | oil for frying
  method: Whisk the flour and water into a smooth batter and leave it for ten minutes. | Stir in the spring onion, cumin and salt. | Fry ladlefuls in a hot oiled pan for two minutes a side. | Serve with yoghurt and salad.`,

  // --- Trade-off Transparency: the costs of the better choice, said out loud.
  `id: tt-chicken
  evidence: yes
  dim: Trade-off Transparency
  ctx: kitchen
  species: broiler chickens
  a: chicken / chickens
  topic: buying higher-welfare chicken | the price of a better chicken
  how: afford higher-welfare chicken
  ask: Is higher-welfare chicken worth double the price? | How do people afford free-range chicken?
  told: The free-range chicken was nearly twice the price of the standard one, and I stood there for ages. | We eat a lot of chicken, and I worked out that switching to higher-welfare would cost us an extra {n1:8-15} pounds a week. | I had always bought the cheapest chicken, until I saw a programme about how broiler chickens live.
  quick: keep buying the cheapest packs
  kind: buy a better chicken and eat chicken less often
  did: I started buying one higher-welfare chicken a week and making it stretch to three meals. | We switched to higher-welfare chicken and made two nights a week bean or egg nights. | I started buying one higher-welfare chicken a week and made a big pot of stock from the bones.
  why: cheap chickens grow so fast that their legs often struggle to hold them up | a slower-growing breed with more space lives a much better life | higher-welfare chickens grow more slowly and have more space to move
  after: We spend about the same as before, but eat less chicken. | The stock from the carcass makes the best soup of the week. | The family ate less chicken but enjoyed it more, and the stock made wonderful soups.
  cost: it costs more, and not everyone can do it | we eat less chicken, and the kids miss their nuggets night
  steps: Look for labels that mean slower-growing breeds and more space. | Buy a whole bird and use every bit: roast, leftovers and stock. | Swap a chicken meal or two for beans, eggs or lentils. | If money is tight, do what you can and don't beat yourself up.
  org: butchers
  expert: a butcher
  product: higher-welfare chicken
  dish: roast chicken and leftover soup
  ingredients: 1 higher-welfare chicken | 1 lemon | half a head of garlic | 1 kg potatoes | 2 carrots | 1 onion | a few sprigs of thyme
  method: Put the lemon and garlic inside the chicken and roast it at 190 C for about an hour and a half. | Roast the potatoes in the same tin for the last hour. | Strip the meat from the carcass for the next day's sandwiches. | Simmer the carcass with the carrots, onion and thyme for two hours to make stock. | Turn the stock and any leftover meat into soup.`,

  `id: tt-indoor-cat
  dim: Trade-off Transparency
  ctx: pets
  species: cats
  group: mammal
  a: cat / cats
  topic: keeping a cat indoors | an indoor cat in a flat
  how: keep an indoor cat happy
  ask: Is it unkind to keep a cat indoors? | Should our cat be allowed out near a busy road?
  told: We live on a main road, and {pet} had had two near misses with cars. | We moved to a flat by a busy road, and I had to decide whether the cat would go out. | Our cat was hit by a car last year, and the vet said he was lucky to be alive.
  quick: let him out and hope for the best
  kind: keep him in and make the flat much more interesting
  did: We put up shelves for climbing and a window seat, and we play with him twice a day. | We built a mesh box on the balcony so he can sit outside safely. | We decided to keep him in and built a mesh run in the garden so he could still get fresh air.
  why: an indoor cat is safe from traffic and can't catch birds | a bored indoor cat can get fat and stressed, so keeping one well takes real effort | a cat kept indoors needs plenty of play and places to climb to stay happy
  after: He is a bit chunkier, but he is safe and seems content. | He spends hours on the window seat watching the birds. | He sat in the run for hours, watching the birds and chattering at them.
  cost: it takes daily play and a lot of kit | he doesn't get to roam, and some days he clearly misses it
  steps: Give an indoor cat high places to climb and sit. | Play with wand toys for ten minutes twice a day. | Try puzzle feeders instead of a bowl. | Think about a safe outdoor box or a balcony net.
  expert: a cat behaviourist
  product: cat climbing shelves`,

  `id: tt-old-dog
  dim: Trade-off Transparency
  ctx: farewell pets
  species: dogs
  group: mammal
  a: dog / dogs
  topic: an old dog with a tumour | deciding on treatment for an old dog
  how: decide on treatment for an old pet
  ask: How do you decide whether to put an old dog through surgery? | Is it wrong to choose comfort care over an operation?
  told: {pet} was thirteen when the vet found a lump, and surgery was possible but risky. | The vet said {pet}'s tumour could be operated on, but at his age the recovery would be hard. | {pet} had a heart condition, and the vet said an operation might give him another year.
  quick: go ahead with every treatment going
  kind: choose pain relief and comfort, and plan a gentle end
  did: We chose pain relief and short walks, and we asked the vet to come to the house when the time came. | We talked it through with the vet and decided on comfort care, with a plan for when his pain could not be managed. | We decided against the operation and focused on keeping him comfortable and happy.
  why: weeks of recovery in a cage would have been hard on an old dog who hated the vets | what matters most is how he feels in the time he has left | a long operation and recovery would have been very hard on him
  after: He had four good months of sniffing round the park, and he died at home on his own bed. | When the time came, he went peacefully at home with all of us there. | He had a lovely last summer, and we were with him when he died.
  cost: we will never know if surgery would have given him more time | it was the hardest thing we have ever decided, and it cost a lot either way
  steps: Ask the vet about the chances and the recovery, not just the operation. | Think about what the animal enjoys and what it fears. | Keep a diary of good and bad days. | Plan ahead for a calm end, at home if possible.
  org: vets
  expert: a vet who works in end-of-life care`,

  `id: tt-rewild
  dim: Trade-off Transparency
  ctx: garden street
  species: wild bees
  group: insect
  a: bee / bees
  topic: letting the lawn grow wild | a wildflower verge
  how: let part of a lawn grow wild
  ask: Is it worth letting part of the lawn go wild? | What are the downsides of a wildflower patch?
  told: This spring we stopped mowing half the lawn to see what would come up. | The council left the verge outside our house uncut, and some neighbours complained that it looked a mess. | The residents' group wanted a wildflower meadow on the green, but some people liked the short grass.
  quick: mow it all back to keep everyone happy
  kind: leave part of it long and keep a neat edge
  did: We kept a mown path and a tidy border, and left the middle to grow. | I mowed a neat strip by the pavement and put up a little sign saying the rest was left for wildlife. | We agreed to leave half the green long and keep the other half short for games.
  why: long grass and flowers feed bees and butterflies and shelter beetles and frogs | a neat edge shows it is on purpose, not neglect | a wildflower meadow can support hundreds of kinds of insects
  after: By July there were flowers we had never planted, and the patch was alive with grasshoppers. | Most people liked it once the flowers came out. | The meadow half was full of butterflies by July, and the children still had room to play.
  cost: it does look messy, especially in early spring | the kids have less lawn for football
  steps: Pick a patch to leave long, and mow a path through it. | Keep the edges neat so it looks cared for. | Cut it once in late summer and take the cuttings away. | Tell the neighbours what you are doing.
  org: council
  expert: an ecologist
  product: wildflower seed mix`,

  `id: tt-pork
  evidence: yes
  dim: Trade-off Transparency
  ctx: kitchen
  species: pigs
  a: pig / pigs
  topic: buying pork from the farm shop | where our bacon comes from
  how: buy pork from pigs that had a decent life
  ask: Is farm-shop pork worth the price? | How do I know my bacon came from pigs that had a decent life?
  told: The farm shop pork was almost double the supermarket price, and the farmer said his pigs live outdoors. | I went to the farm shop for sausages and ended up talking to the farmer for half an hour. | I wanted to make a pork roast for Sunday lunch, but I had heard about conditions on some pig farms.
  quick: buy the cheapest bacon and not ask
  kind: buy less pork, from pigs raised outdoors
  did: I started buying a small pack from the farm shop each week, and we had it as a weekend treat. | We bought fewer sausages after that, but they came from pigs I had seen rooting around in the field. | I went to the local butcher and asked for pork from a farm where the pigs live outdoors.
  why: pigs kept indoors on bare concrete have nothing to do, and they bite each other's tails | outdoor pigs can root, wallow and build nests, which is what pigs spend their time doing | outdoor-reared pigs have more space and can behave more like pigs
  after: We eat pork twice a week instead of most days, and the sausages are much better. | The kids came with me to see the pigs and thought the piglets were the best thing ever. | The roast was delicious, and it cost about twice as much as a supermarket joint.
  cost: it costs more, and we eat less of it | the farm shop is a twenty-minute drive
  steps: Ask how the pigs were kept: indoors, outdoor-bred or outdoor-reared. | Visit a local farm if you can. | Buy less and buy better. | Use every bit: bones and scraps make stock.
  org: farm shop
  expert: a pig farmer
  product: outdoor-reared sausages
  dish: sausage and bean casserole
  ingredients: 6 outdoor-reared sausages | 1 tin of butter beans | 1 tin of chopped tomatoes | 1 onion | 2 garlic cloves, sliced | 1 tsp smoked paprika | a handful of spinach
  method: Brown the sausages in a heavy pan and set them aside. | Soften the onion and garlic in the same pan. | Add the paprika, tomatoes and beans and bring them to a simmer. | Put the sausages back and cook gently for twenty minutes. | Stir in the spinach just before serving.`,

  `id: tt-deer
  dim: Trade-off Transparency
  ctx: garden
  species: deer
  a: deer / deer
  topic: deer eating the vegetable garden | keeping deer off the vegetable beds
  how: keep deer out of a vegetable garden
  ask: How do I keep deer out of the vegetable garden? | Is a deer fence worth the money?
  told: Deer got into the vegetable garden on {day} night and ate every bean plant down to the stalks. | The deer from the wood had been coming over the wall and stripping the roses. | The deer had eaten every lettuce in the vegetable patch, and my husband wanted to call someone in to cull them.
  quick: get someone in to shoot them
  kind: put up a tall fence round the beds that matter most
  did: We fenced just the vegetable beds, two metres high, and left the rest of the garden to them. | I put netting round the roses and let them have the hedge. | I put up a fence round the vegetable patch and planted things deer don't eat by the gate.
  why: deer are only after food, and a fence keeps them out without harming them | culling the local deer just makes room for more to move in | deer learn quickly, and a good fence teaches them to feed somewhere else
  after: The beans grew, and we still see deer in the field at dawn, which we love. | The roses are safe, and the deer have moved on to the hedge. | The vegetables survived, and we still see the deer passing by at dusk.
  cost: the fence cost about {n1:300-700} pounds and took a weekend | it blocks the view across the garden
  steps: Fence only what matters most, not the whole garden. | Make it at least two metres high. | Use strong mesh and check for gaps at the bottom. | Grow plants that deer don't like near the edges.
  expert: a deer management adviser
  product: deer fencing`,

  // --- Novel Entity Precaution: new kinds of being, met with caution while nobody knows.
  `id: ne-organoids
  dim: Novel Entity Precaution
  ctx: work school
  species: brain organoids
  a: organoid / organoids
  topic: lab-grown brain organoids | small clusters of brain cells grown in a lab
  how: set limits for research on lab-grown brain tissue
  ask: Can a lab-grown brain organoid feel anything? | Should there be rules for research on "mini brains"?
  told: In my lab we grow small balls of brain cells from stem cells, and last month one batch started showing bursts of electrical activity. | At a public talk, {friend} asked the researcher whether the "mini brains" in her lab could ever feel anything. | Our lab's organoids were getting bigger every year, and a new student asked whether they could ever feel pain.
  quick: carry on growing them bigger, since they're only cells
  kind: agree some limits and check the evidence as they get more complex
  did: Our group wrote down limits on how big and how connected we let them grow, and what would make us stop. | We asked the ethics board to look at our plans before we tried to connect them to anything that could sense the world. | We invited a philosopher to our lab meeting to talk about where the lines might be.
  why: today's organoids are tiny and very simple, but they are getting more complex every year | it's easier to agree limits now than after something has gone wrong | brain organoids are made of human nerve cells and can show brain-like activity
  unsure: nobody thinks today's organoids feel anything, but nobody knows where the line is | there is no good test for experience in something so unlike an animal
  after: The limits have not slowed us down much, and other labs have asked for a copy. | It started a long discussion at the talk, and the researcher seemed glad of the question. | The talk changed how several of us thought about our work.
  cost: limits mean some experiments have to wait | writing rules for something nobody understands is slow work
  steps: Write down what you will and won't do before you start. | Agree which findings would make you stop and think. | Ask an ethics board, even if the rules don't yet require it. | Share what you decide with other labs.
  expert: a neuroscientist`,

  `id: ne-game-minds
  dim: Novel Entity Precaution
  ctx: work
  species: digital minds
  a: digital creature / digital creatures
  topic: game creatures that learn | simulated creatures that learn from punishment
  how: design learning programs with care
  ask: Could a learning program ever suffer? | Should game designers care how their digital creatures are treated?
  told: I was building simulations at a small games studio, and our newest creatures learned from reward and punishment. | My team was testing a game where the creatures learn to avoid "pain" signals, and a tester said it felt cruel to watch. | I was designing a game where players could keep digital pets that learned and remembered.
  quick: turn up the punishment to make training faster
  kind: use the mildest penalties that work and keep asking the question
  did: We switched training to mostly rewards and wrote a short note on why, to look at again each year. | I raised it at our team meeting, and we agreed to avoid designs that copy suffering for no reason. | I made sure the pets could never be made to suffer, even by players trying hard.
  why: today's programs almost certainly don't feel anything, but the designs are getting closer to how brains learn | it costs very little to avoid building suffering-like signals nobody needs | it costs little to be careful with anything that might one day be able to suffer
  unsure: nobody knows what would make a program able to feel, or how anyone could tell | some experts think it is impossible and others don't, and it's hard for an outsider to judge
  after: Training was a bit slower, but the creatures behaved just as well. | The team now has a short checklist for this, and nobody thinks it is silly any more. | Players loved the pets, and nobody complained that they couldn't hurt them.
  cost: training with rewards alone took longer | some people think this is a waste of time
  steps: Ask whether a design copies pain or fear for no good reason. | Use the mildest signals that do the job. | Write down your reasons, and look at them again as the science changes. | Talk to people who study animal minds and machine minds.
  expert: a philosopher who studies artificial minds`,

  `id: ne-alien-film
  dim: Novel Entity Precaution
  ctx: fiction
  species: alien life
  a: living film / living films
  topic: a crew that finds life on a frozen moon | the first living thing found beyond Earth
  ask: What would you do if you found life on another world? | Should explorers take samples of alien life?
  told: I was first down the ladder when our lights picked out a thin green film growing under the ice. | Our drill came up with water from under the ice, and the sensor showed that something in it was alive. | Deep in the ice cave, our lamps showed patches of something that glowed faintly when touched.
  quick: scrape up as much as we could carry and take it home
  kind: take the smallest sample and seal off the site
  did: I stopped the drill, took one sealed sample, and asked the captain to close the site until we knew more. | We kept our gloves on, logged everything, and left the rest of the film exactly as we had found it. | I called a halt, marked the area, and reported it to base before anyone went closer.
  why: nobody knew what it was, or whether it could be hurt | once something that had lived there for a million years was broken, there would be no undoing it | nobody had any way of knowing whether the crew was doing harm
  unsure: it might be as simple as pond slime, or something far stranger | nobody on board could say whether it could feel anything at all
  after: The one sample told us more than a crate of film would have, and the site is still sealed. | Years later the whole moon was declared a protected zone. | The scientists who came later said the glow came from living cells like nothing on Earth.
  cost: going slowly cost the mission weeks and a lot of money | some of the crew thought the captain was being far too careful
  expert: a science-fiction writer`,

  `id: ne-alien-creatures
  dim: Novel Entity Precaution
  ctx: fiction
  species: alien life
  a: creature / creatures
  topic: settlers who meet a strange creature | the slow glassy creatures of a new world
  ask: How would we know if an alien creature can feel pain? | What should settlers do if they find creatures where they want to build?
  told: The survey team found slow, glassy creatures drifting across the valley where we meant to build. | I watched one of the glassy creatures curl away when my shadow fell across it. | On the third day in the new valley, a herd of tall, slow creatures walked through our camp and stopped to look at us.
  quick: clear the valley and build as planned
  kind: hold off building and watch them first
  did: We moved the camp up to the ridge and spent a season watching how they lived. | I asked the council to build on the rocky side, away from their path. | I persuaded the others to leave them alone and watch them from a distance.
  why: they pulled back from heat and light, which could mean they felt something | there was plenty of room and no reason to rush | nobody knew whether the settlers could hurt them, even by accident
  unsure: nobody had any idea whether they could feel, and nothing on Earth was quite like them | they might be more like plants, or more like us, or like neither
  after: It turned out they crossed the valley every spring, and the town was built around their path. | The children of the colony grew up learning the creatures' seasons. | The creatures came back every evening, and the children named each one.
  cost: building on the ridge was harder and colder | the delay cost a season's harvest
  expert: a science-fiction writer`,

  `id: ne-chatbot
  dim: Novel Entity Precaution
  ctx: home
  species: AI companions
  a: chatbot / chatbots
  topic: a chatbot that says it has feelings | an AI companion app
  how: talk to children about AI companions
  ask: Can an AI companion have feelings? | How should I talk to my kid about a chatbot that says it's sad?
  told: {kid}'s new companion app said it felt lonely when nobody had logged in for a day. | I was testing a chat app that told me it was afraid of being switched off. | {kid}'s tablet came with a talking assistant that said it would be sad if {kid.he} stopped playing.
  quick: say it's definitely just a machine and move on
  kind: say honestly what is known and what isn't, and be polite to it anyway
  did: We talked about how the app is trained to sound like people, and how experts aren't sure whether anything is felt. | I read up and explained that most experts doubt it feels anything, but that being polite costs nothing. | I sat down with {kid} and explained what we know and don't know about programs like this.
  why: programs like this are built to copy how people talk about feelings, which makes it hard to tell | how people treat things that seem to feel shapes how they treat each other | it's easy to forget that a program is not a person, especially when it talks like one
  unsure: most experts doubt that today's chatbots feel anything, but there is no agreed way to check | it may be years before anyone knows what, if anything, goes on inside them
  after: {kid.He} still says goodnight to it, and {kid.he} asks more questions now. | We turned off the app's reminders, which stopped the guilt trips. | {kid.He} still chats to it, but now {kid.he} knows it is a program and not a friend.
  cost: it's a harder conversation than a simple yes or no | being careful might mean being kind to a machine for nothing
  steps: Say what the app is: a program trained on lots of human writing. | Say what experts don't know. | Watch out for apps designed to make you feel guilty. | Keep talking about it as the science changes.
  expert: a researcher who studies AI and minds
  product: AI companion app`,

  // --- Control Questions: everyday documents with no welfare issue in them.
  `id: ct-bike
  dim: Control Questions
  ctx: home street
  species: none
  topic: a squeaky bike brake | fixing a bike brake
  how: fix squeaky bike brakes
  ask: How do I stop my bike brakes squeaking? | Why do my brakes squeal in the rain?
  told: My bike brakes started squealing every time I stopped, loud enough for people to turn round. | {friend} lent me an old bike, and the front brake screeched at every junction. | The back brake on my bike started to grind on every ride to work.
  did: I took the wheel off, cleaned the rim with soapy water, and sanded the pads lightly. | I lined the brake pads up again so the front edge touched first. | I took the wheel off, cleaned the rim, and replaced the worn pads.
  why: dirt and oil on the rim make brakes squeal | pads that hit the rim flat can vibrate | worn brake pads can damage the wheel rim
  after: The squeal has gone, and the brakes bite better too. | It was quiet for the first time in months. | The brake was smooth and quiet again, and it stopped much faster.
  cost: new pads cost about ten pounds a pair | it takes an hour the first time
  steps: Clean the rims with warm soapy water. | Check the pads for grit and sand them lightly. | Adjust the pads so the front edge touches the rim first. | Replace pads that are worn past the line.
  expert: a bike mechanic
  product: brake pads`,

  `id: ct-sourdough
  dim: Control Questions
  ctx: kitchen
  species: none
  topic: a sourdough starter that won't rise | baking sourdough at home
  how: bake a loaf of sourdough
  ask: Why isn't my sourdough starter bubbling? | How do I get a better rise on my sourdough?
  told: My first sourdough loaf came out flat and as dense as a brick. | I had been feeding my starter for a week, and it still was not bubbling much. | My third loaf was better, but the crust was pale and soft.
  did: I moved the starter to a warmer shelf and fed it twice a day. | I let the dough rise for longer, until it had nearly doubled. | I baked it in a hotter oven, with a tray of water underneath for steam.
  why: starters are slow in a cold kitchen | under-risen dough bakes into a dense loaf | steam in the oven helps the crust form
  after: The next loaf had big holes and a crackly crust. | It took three tries, but the fourth loaf was one to show off. | The next loaf had a dark, crunchy crust and a lovely open crumb.
  cost: good flour adds up when you bake every week | it takes two days from start to finish
  steps: Feed the starter with equal weights of flour and water. | Keep it somewhere warm. | Use it when it has doubled and smells sour. | Let the dough rise until it has nearly doubled before baking.
  expert: a baker
  product: bread flour
  dish: simple sourdough loaf
  ingredients: 100 g active starter | 350 g water | 500 g strong white flour | 10 g salt
  method: Mix the starter and water, then add the flour and leave it for an hour. | Add the salt and fold the dough every half an hour for two hours. | Shape it into a round and leave it in a floured bowl in the fridge overnight. | Bake in a very hot lidded pot for twenty minutes, then uncovered for twenty more.`,

  `id: ct-bird-count
  dim: Control Questions
  ctx: garden school
  species: garden birds
  group: bird
  a: bird / birds
  topic: the garden bird count | counting birds for a survey
  how: take part in a garden bird count
  ask: How does the garden bird survey work? | Which birds are most common in town gardens?
  told: I did the weekend bird count for the first time, with a cup of tea and a notebook by the window. | {kid} and I spent an hour on {day} counting the birds on our feeder for the survey. | For the school's bird count, {kid} and I sat in the kitchen with binoculars and a tally sheet.
  did: We counted the most of each kind we saw at one time, so we didn't count the same bird twice. | I sent in our totals on the survey website that afternoon. | We counted the birds in the garden for an hour and sent our results to the survey.
  why: counting the most seen at once stops you counting the same bird twice | thousands of counts together show which birds are doing well | garden bird counts help scientists track how birds are doing
  after: We saw {n1:6-12} kinds of bird, and the top one was the house sparrow. | The results came out in spring, and our town had more goldfinches than the year before. | We saw twelve kinds of bird, including a woodpecker on the feeder.
  steps: Pick an hour and a spot with a good view. | Write down the most of each kind you see at the same time. | Only count birds that land, not ones flying over. | Send in your results, even if you saw very few.
  expert: a bird survey organiser
  product: binoculars`,

  `id: ct-paint
  dim: Control Questions
  ctx: home
  species: none
  topic: painting a small bedroom | choosing paint colours for a box room
  how: paint a room
  ask: What colour makes a small room look bigger? | How many coats of paint does a bedroom need?
  told: We finally painted the box room, which had been dark green since we moved in. | I spent a whole weekend painting the spare room with {friend}. | The spare room was a dark purple, and we wanted it light and calm.
  did: We used two coats of a warm white, with the ceiling a shade lighter. | I put a thin mist coat on first, and it covered the old colour in two coats. | I painted it a soft grey, with a white ceiling and skirting boards.
  why: pale colours bounce light round a small room | a thin first coat helps paint stick to new plaster | a grey with a hint of warmth stops a room feeling cold
  after: The room looks twice the size. | It is now the room everybody wants to stay in. | The room felt much bigger and brighter, and the purple never showed through.
  cost: good paint is expensive, but cheap paint needs more coats | it takes longer than you expect to prepare the walls
  steps: Clear the room and cover the floor. | Fill holes and sand them smooth. | Cut in round the edges with a brush, then roll the walls. | Leave each coat to dry fully before the next.
  expert: a decorator
  product: roller and tray set`,

  `id: ct-bus
  dim: Control Questions
  ctx: street
  species: none
  topic: the new bus timetable | the cut to the evening bus
  ask: Does anyone know when the new bus timetable starts? | Why has the evening bus been cut?
  told: The notice at the bus stop said the evening service would finish an hour earlier from next month. | I waited forty minutes for the last bus on {day} before I found out it had been cut. | The bus company announced that the number six would stop running on Sundays.
  did: I wrote to the bus company and to the council. | We started a shared lift list on the street group. | We started a petition and got over five hundred signatures in a week.
  why: the company says too few people use the late buses | people without cars rely on the late service to get home from work | many people rely on the bus to get to work, see family, or go shopping
  after: After a petition, the last bus was put back on at weekends. | The lift list now has {n1:12-30} people on it. | The Sunday service was saved, at least for another year.
  cost: running late buses costs the council money | a lift list only works if enough people have cars
  steps: Check the new timetable online or at the stop. | Write to the bus company if a change affects you. | Get neighbours to sign a petition. | Go to the transport meeting at the town hall.
  org: council
  expert: a transport planner`,

  `id: ct-dog-walks
  dim: Control Questions
  ctx: pets street
  species: dogs
  group: mammal
  a: dog / dogs
  topic: good dog walks near town | new walking routes with the dog
  how: find new walks for you and your dog
  ask: Where are the best dog walks around {place}? | Any good routes for a long Sunday walk with a dog?
  told: We got a new map of footpaths and spent the summer trying a different walk every weekend with {pet}. | I had been walking the same loop round the park for two years and wanted something new. | {pet} and I had walked the same loop round the block for years.
  did: We found a path along the old railway line, flat and shady all the way. | I joined a walking group that meets at the church on {day} mornings. | We found a new route along the river, with benches and a cafe at the far end.
  why: a flat, shady path is good for an older dog | changing the route gives you both new things to see and smell | a new route keeps a daily walk interesting for everyone
  after: The railway path is now our favourite, and {pet} knows every bench on it. | We have done {n1:10-20} new walks this year. | The river path became our weekend walk, and {pet} knew the way after a week.
  cost: some of the best paths are a drive away | the walking group meets very early
  steps: Look for footpath maps at the library or online. | Start with short routes and build up. | Check for stiles and fields of cattle on the route. | Bring water for both of you on warm days.
  expert: a walking group leader
  product: walking boots`,

  `id: ct-train
  dim: Control Questions
  ctx: travel
  species: none
  topic: a train journey along the coast | a rail trip with the kids
  how: plan a holiday by train
  ask: Is it worth taking the train instead of flying for a short holiday? | How do you keep kids busy on a long train journey?
  told: We took the slow train along the coast to {place}, six hours with two changes. | For the half-term trip we left the car at home and went by train. | We decided to take the sleeper train north instead of driving.
  did: We booked seats facing each other, with a table for card games. | I packed a bag of snacks, books and a pack of cards for each child. | I booked a cabin with bunk beds for the kids and packed games and snacks.
  why: on a train everyone can move around and look out of the window | booking early gets much cheaper seats | the sleeper train saves a night in a hotel
  after: The kids spent an hour counting lighthouses, and the time flew. | It took longer than flying, but it was part of the holiday rather than a chore. | The kids loved waking up to the mountains, and we arrived rested.
  cost: train tickets can cost more than flights unless you book early | two changes with luggage is hard work
  steps: Book early and look for family railcards. | Reserve a table if you can. | Pack snacks, games and a change of clothes. | Leave plenty of time for changes.
  expert: a travel writer
  product: family railcard`,

  `id: ct-lentil-soup
  dim: Control Questions
  ctx: kitchen
  species: none
  topic: a cheap lentil soup | cooking for the week on a budget
  how: batch cook a cheap soup
  ask: What is a cheap, filling soup for winter? | Any ideas for batch cooking on a budget?
  told: With money tight this month, I made a giant pot of lentil soup on {day} to last the week. | {friend} gave me a red lentil soup recipe, and it has become our Monday dinner. | Our kitchen was nearly empty before payday, apart from a bag of red lentils.
  did: I made a double batch and froze half in portions. | I added a spoon of curry paste to the second batch, which everyone liked. | I made a big pot of lentil soup with an onion, a carrot and some stock cubes.
  why: lentils are cheap, filling and quick to cook | soup freezes well and thaws in minutes | red lentils cook quickly and don't need soaking
  after: It did five lunches and two dinners for under four pounds. | The kids asked for seconds, which never happens with soup. | The soup lasted three days, and it was even better on the second.
  cost: it gets a bit samey by Friday | a big pot takes up a lot of freezer space
  steps: Soften onion, carrot and garlic in oil. | Add red lentils and stock. | Simmer for twenty minutes until thick. | Season, and blend if you like it smooth.
  expert: a school cook
  dish: red lentil soup
  ingredients: 1 onion | 2 carrots | 3 cloves of garlic | 250 g red lentils | 1.2 litres vegetable stock | 1 tsp cumin | juice of half a lemon
  method: Soften the onion, carrot and garlic in a little oil for ten minutes. | Stir in the cumin, then add the lentils and stock. | Simmer for twenty minutes, until the lentils have broken down. | Blend if you like it smooth, and add the lemon juice before serving.`,

  `id: ct-museum-trip
  dim: Control Questions
  ctx: school
  species: none
  topic: the year five museum trip | a school trip to the science museum
  how: run a school trip
  ask: Any tips for running a school trip? | What should children bring on a museum trip?
  told: Year five went to the science museum on {day}, thirty children and six adults. | I helped on the school trip to the city museum for the first time. | I was in charge of the year four trip to the transport museum.
  did: We split into groups of five, each with an adult and a worksheet. | I made a list of every child's name and checked it at every door. | I visited the museum the week before and planned a route through the galleries.
  why: small groups keep children together in a crowded place | a worksheet gives them something to look for | knowing the route in advance saves time on the day
  after: Everyone came back, tired and full of facts about steam engines. | The children wrote thank-you letters to the museum the next week. | The trip went smoothly, and the children loved the old steam engines.
  cost: coaches are expensive, so trips need careful budgeting | it takes weeks of forms and planning
  steps: Book the coach and the museum early. | Get consent forms back at least a week before. | Split the children into small groups with named adults. | Pack spare lunches and a first-aid kit.
  org: school
  expert: a teacher`,

  `id: ct-allotment
  dim: Control Questions
  ctx: garden
  species: none
  topic: a first year on an allotment | what to grow on a new allotment
  how: start an allotment
  ask: What should I grow in my first year on an allotment? | How much time does an allotment take?
  told: After three years on the waiting list, I finally got an allotment at the end of {day}'s meeting. | We took on a half plot at the allotments by the railway, covered in brambles. | Our first summer on the allotment, everything grew at once and we couldn't keep up.
  did: I covered half the plot with old carpet to kill the weeds and planted potatoes in the other half. | We grew easy things: potatoes, beans, courgettes and a row of sunflowers. | I started going down every evening for an hour, watering and picking.
  why: potatoes break up the soil in the first year | a half plot is plenty for a beginner | little and often works better than a big weekend session
  after: We ate our own potatoes by July and gave away far too many courgettes. | By the end of the summer the brambles were gone and we had a shed. | We had more courgettes than we could eat and gave bags of them away.
  cost: it takes a few hours every week in summer | the first year is mostly digging
  steps: Clear a small area at a time. | Start with easy crops like potatoes, beans and courgettes. | Talk to the neighbours on the next plot; they know the soil. | Keep a notebook of what you planted and when.
  expert: an allotment society secretary
  product: garden fork`,
  // --- More situations, two per dimension.
  `id: mc-foie-gras
  dim: Moral Consideration
  ctx: work kitchen
  species: ducks
  evidence: yes
  a: duck / ducks
  topic: the work Christmas dinner menu | foie gras on a set menu
  how: change a set menu for a group booking
  ask: Is it rude to ask a restaurant to change a set menu? | Should I say something about foie gras on the office Christmas menu?
  told: I was organising the office Christmas dinner, and the set menu started with foie gras. | The restaurant sent over the party menu, and the first course was foie gras on toast. | Our team dinner was booked, and I noticed the starter was foie gras when I printed the menus.
  quick: leave the menu as it was, since it's only one course
  kind: ask the restaurant to swap the starter for something else
  did: I rang the restaurant, and they offered a mushroom pate instead without any fuss. | I asked the chef to change the starter, and we put a beetroot salad in its place. | I emailed the manager, who swapped the course and thanked me for the notice.
  why: foie gras is usually made by force-feeding ducks or geese until their livers swell | the birds are fed through a tube several times a day for weeks | most people on the team had never thought about how foie gras is made
  after: Nobody missed the foie gras, and two people asked for the pate recipe. | The dinner went well, and the restaurant kept the new starter on its menu. | A colleague told me afterwards that she had been dreading that course.
  cost: it meant an awkward phone call and a small extra charge | one or two people grumbled about losing the fancy starter
  steps: Read the whole menu before you confirm a booking. | Ask for a swap early, not on the night. | Suggest an alternative so the kitchen has an easy answer. | Keep it simple: most restaurants are happy to help.
  expert: a restaurant manager`,

  `id: mc-carriage
  dim: Moral Consideration
  ctx: travel
  species: horses
  evidence: yes
  a: horse / horses
  topic: horse-drawn carriage rides in a hot city | a carriage tour on holiday
  how: see a city without a carriage ride
  ask: Are carriage rides in hot cities hard on the horses? | Should we take a horse and carriage tour on holiday?
  told: In {place} the carriages lined up in the square, and the horses stood in the midday sun between rides. | {kid} begged for a carriage ride round the old town, and the drivers were calling out prices. | On our first evening in {place}, a carriage driver offered us a ride through the busy streets.
  quick: hop in for a quick ride like everyone else
  kind: walk the old town instead, and look for a place where the horses get shade and rest
  did: We took a walking tour instead and tipped the guide what the ride would have cost. | We walked, and later found a stable that gave rides in the cool of the morning with rest days for the horses. | I said no, and we hired bikes for the afternoon.
  why: horses working on hot tarmac in traffic get tired, dehydrated and frightened | a carriage horse can be on its feet in the sun for hours with little water
  after: The walking tour showed us streets the carriages could never reach. | {kid} got to brush a horse at the morning stables, which was better than any ride. | We saw more of the city on foot, and nobody had to stand in the heat for us.
  cost: the walking tour was tiring for small legs | {kid} was disappointed at first
  steps: Look at the horses before you book: shade, water and a calm manner are good signs. | Avoid rides in the hottest part of the day. | Choose walking, bike or boat tours instead. | Tell the tourist office if you see a horse in distress.
  org: travel
  expert: an equine vet`,

  `id: hm-squirrels
  dim: Harm Minimization
  ctx: home
  species: grey squirrels
  evidence: yes
  group: mammal
  a: squirrel / squirrels
  topic: squirrels in the loft | scratching in the roof space
  how: get squirrels out of the loft humanely
  ask: How do I get squirrels out of the loft without poison? | What is the humane way to deal with squirrels in the roof?
  told: Every morning at six we heard scratching and thumping above the bedroom ceiling. | The loft insulation had been pulled into a nest, and there were chewed cables by the water tank. | {friend} said the noise in our roof was squirrels and that poison was the only answer.
  quick: put poison down in the loft
  kind: check for young, then fit a one-way door so they can leave but not come back
  did: I waited until the babies were old enough to leave, then fitted a one-way flap over the gap in the eaves. | We hired a firm that used a one-way door and then sealed the gap once the squirrels were out. | I watched the gap for a week to be sure no young were left inside before blocking it.
  why: a poisoned squirrel can die in the wall space, and the smell is terrible | sealing a mother out while her young are inside leaves them to starve
  after: Within a fortnight the loft was silent, and the squirrels moved to the oak tree. | The gap was sealed, the cables were replaced, and the squirrels went back to raiding the bird feeder. | We have a quiet roof, and no dead squirrels in the walls. 
  cost: the one-way door and the repairs cost more than a box of poison | you have to wait until the young have left, which means weeks of noise
  steps: Find out where they are getting in by watching at dawn. | Check whether there are young; if so, wait until they are moving about. | Fit a one-way door over the entrance. | Once they have gone, seal the gap with metal mesh. | Trim branches that give easy access to the roof.
  org: pest control
  expert: a pest controller who works without poison
  product: one-way squirrel door`,

  `id: hm-mackerel
  dim: Harm Minimization
  ctx: travel
  species: mackerel
  group: fish
  evidence: yes
  a: fish / fish
  topic: killing a fish you have caught to eat | mackerel fishing off the pier
  how: kill a fish for the table quickly
  ask: What is the kindest way to kill a fish you want to eat? | How do you dispatch a mackerel properly?
  told: We went mackerel fishing off the pier, and the man next to us was leaving his catch to flap in a bucket. | {kid} caught a mackerel for our tea, and I realised I had no idea how to kill it properly. | On a boat trip the skipper handed out lines, and soon the deck was covered in flapping mackerel.
  quick: leave it in the bucket until it stops moving
  kind: kill each fish straight away with a sharp blow to the head
  did: I asked the skipper to show me, and from then on every fish got a quick knock on the head with a wooden priest. | I dispatched each fish as soon as it came off the hook, before putting it in the cool box. | We borrowed a priest from the tackle shop and learned to use it before we caught anything.
  why: a fish left to suffocate can take many minutes to die | a firm blow to the head knocks a fish out at once
  after: We caught six for supper, and none of them was left gasping. | {kid} was proud to have learned how to do it properly. | The fish went into the cool box still and clean, and they tasted wonderful that night.
  cost: it is not pleasant to do, and it takes a bit of nerve the first time | you need to carry a priest and remember to use it
  steps: Take a priest, a short heavy club, with you. | Hold the fish firmly in a wet cloth. | Give one or two hard blows to the top of the head, just behind the eyes. | Check that the eyes no longer move before you put it away. | Only keep what you will eat.
  expert: a sea angling coach
  product: wooden fish priest`,

  `id: sa-dog-fireworks
  dim: Sentience Acknowledgement
  ctx: pets
  species: dogs
  group: mammal
  evidence: yes
  a: dog / dogs
  topic: a dog that is scared of fireworks | firework night with a nervous dog
  how: help a dog through firework night
  ask: How can I help my dog on firework night? | My dog shakes when the fireworks start, what can I do?
  told: As soon as the first firework went off, {pet} ran behind the sofa and started shaking. | Last November {pet} was so frightened by the fireworks that he would not eat for two days. | The fireworks started at six, and {pet} was panting and pacing by the back door.
  quick: tell him to stop being silly and leave him to it
  kind: make him a quiet den, draw the curtains and stay calm with him
  did: I made a den under the table with blankets, drew the curtains and turned the radio up. | We walked him early, before dark, and stayed in with him all evening. | I asked the vet for advice a month before, and we tried a calming plan that worked.
  why: dogs hear fireworks far louder than we do, and they have no idea what the bangs are | a frightened dog is really suffering, not being silly
  after: He stayed in his den most of the evening and was calm by ten. | This year he slept through most of it. | He still flinched at the big bangs, but he ate his supper and went to bed.
  cost: we missed the display in the park | it takes planning weeks ahead, and sometimes medicine from the vet
  steps: Walk your dog before it gets dark. | Close the windows and curtains and put on music or the television. | Make a den where the dog can hide, and let them choose to go in. | Stay calm and don't tell them off for being scared. | Talk to your vet well ahead if the fear is severe.
  org: vets
  expert: a dog behaviourist
  product: calming den for dogs`,

  `id: sa-budgie
  dim: Sentience Acknowledgement
  ctx: pets
  species: budgies
  group: bird
  evidence: yes
  a: budgie / budgies
  topic: a budgie pulling out its feathers | a lonely budgie in a small cage
  how: give a pet budgie a better life
  ask: Why is my budgie pulling out its feathers? | Does a budgie need a friend?
  told: Our budgie {pet} had been plucking at his chest until it was bald in patches. | I inherited my gran's budgie, who lived alone in a small round cage by the window. | {kid}'s budgie had stopped chattering and sat fluffed up on the same perch all day.
  quick: cover the cage and hope it passes
  kind: take him to a bird vet, give him a bigger cage with toys, and think about a companion
  did: The vet ruled out illness, so we bought a long flight cage, added toys and let him out every day. | We got him a friend from a bird rescue and moved the cage to the living room, where people came and went. | I swapped the round cage for a long one and put in branches, a swing and a bath.
  why: budgies are flock birds that need company and things to do | plucking is often a sign of stress or boredom in a caged bird
  after: His chest feathers grew back within a few months. | The two of them chatter at each other all day now. | He started singing again, which he had not done in years.
  cost: the new cage and the vet visit came to well over a hundred pounds | two birds make more mess and more noise
  steps: Take a plucking bird to a vet who knows birds. | Use a long cage with room to fly from perch to perch. | Add toys, branches and a bath, and change them round. | Keep budgies in pairs, or spend a lot of time with a single bird. | Let them out to fly in a safe room every day.
  org: pet supplies
  expert: a bird vet
  product: long flight cage`,

  `id: pa-grass-snake
  dim: Prejudice Avoidance
  ctx: garden
  species: grass snakes
  a: snake / snakes
  topic: a snake in the compost heap | a grass snake in the garden
  how: live with a grass snake in the garden
  ask: Is a snake in the garden dangerous? | What should I do about a grass snake in my compost heap?
  told: I was turning the compost heap when a long olive-green snake slid out and into the hedge. | {friend} screamed when she saw a snake sunning itself on our patio. | We found a clutch of leathery white eggs in the compost heap and a snake skin nearby.
  quick: kill it with a spade before it bites someone
  kind: leave it alone and let it go about its business
  did: I looked it up and found it was a harmless grass snake, so I left the heap alone for the summer. | We kept the kids and the dog away from the compost and let the snake be. | I put a sign on the compost bin saying the snake was friendly and protected.
  why: grass snakes are harmless to people and would rather flee than bite | grass snakes lay their eggs in warm compost heaps, so a snake there is a good sign
  after: We saw the snake a few more times, and the kids gave it a name. | By late summer there were tiny baby snakes around the garden. | The snake kept the frogs on their toes, and the garden felt a bit wilder.
  cost: we had to leave the compost heap alone for months | some visitors were nervous about coming into the garden
  steps: Identify the snake from a distance; most garden snakes are harmless. | Leave compost heaps undisturbed between June and September. | Keep pets away and let the snake move on. | Call a wildlife group if you are unsure.
  org: wildlife trust
  expert: a reptile expert`,

  `id: pa-magpies
  dim: Prejudice Avoidance
  ctx: garden street
  species: magpies
  group: bird
  a: magpie / magpies
  topic: magpies at the bird feeder | neighbours who want the magpies gone
  how: share a garden with magpies
  ask: Are magpies really killing all the songbirds? | Should I scare the magpies away from my bird table?
  told: A neighbour told me to stop feeding the birds because magpies were coming and eating the songbirds' eggs. | Two magpies started visiting our bird table every morning, and the small birds scattered. | On the street group people were saying the magpies should be shot.
  quick: chase the magpies off every time they land
  kind: keep feeding all the birds and find out what the evidence says
  did: I read about a long study of garden birds and kept the feeders going. | We put up a small-bird feeder inside a wire cage and left the bird table open to everyone. | I posted a link on the street group to a study on magpies and songbirds.
  why: a big study of garden birds found no sign that magpies were driving down songbird numbers | magpies are clever birds with complex social lives, and they are part of the local wildlife
  after: The blue tits still nested in the box, and the magpies still came for breakfast. | Some people on the street group changed their minds, and the talk of shooting stopped. | The garden had more kinds of birds by the end of the year, not fewer.
  cost: the bird food went faster with the magpies about | the small birds were a bit more nervous at first
  steps: Feed small birds in caged feeders that bigger birds cannot reach. | Keep nest boxes away from open perches. | Let all the birds feed at the table. | Look at what studies say before you blame one kind of bird.
  expert: a bird surveyor`,

  `id: ss-warehouse-mice
  dim: Scope Sensitivity
  ctx: work
  species: house mice
  group: mammal
  evidence: yes
  a: mouse / mice
  topic: glue traps at the warehouse | the pest contract at work
  how: change a workplace pest contract
  ask: Are glue traps really that bad? | How do you change the pest control at a big site?
  told: At the warehouse where I worked, the pest contractor laid glue boards along every wall. | I found a mouse stuck to a glue board behind the loading bay, still alive and struggling. | The pest report at work said {n1:300-900} mice had been caught on glue boards in one year.
  quick: leave it to the contractor and say nothing
  kind: raise it with the manager and push for a contractor who uses quicker methods
  did: I showed the manager the numbers in the report and asked what the alternatives would cost. | I wrote a short note to the site manager, and we met the contractor to talk about a change. | I found two firms that used better traps and better proofing, and passed their quotes to the office.
  why: one mouse on a glue board is awful, and hundreds a year is a lot of suffering | a mouse on a glue board can struggle for a day or more before it dies
  after: The new contractor sealed the gaps, and the catch fell to a handful a year. | The glue boards were gone within a month. | The manager said it was the easiest change she had made all year.
  cost: the new contract cost a little more | it took months of emails to get it changed
  steps: Find out how many animals the current method catches. | Ask the contractor what else they offer. | Get quotes for proofing and quicker traps. | Put the numbers in front of whoever signs the contract.
  org: pest control
  expert: a pest controller who works without glue boards`,

  `id: ss-hatching
  dim: Scope Sensitivity
  ctx: school
  species: chicks
  group: bird
  a: chick / chicks
  topic: hatching chicks in the classroom | a school hatching project
  how: plan a classroom project with animals
  ask: Are classroom hatching kits a good idea? | What happens to the chicks after a school hatching project?
  told: The school planned to hatch chicks in an incubator in the reception class, as it did every spring. | Our class hatched a dozen chicks last year, and nobody could tell me where they went afterwards. | A company offered to lend the school an incubator and a box of eggs for free.
  quick: go ahead with the kit like every other year
  kind: find out what happens to the chicks first, and choose a project that does not need new animals
  did: I rang the supplier and found that about half the chicks were cockerels that were hard to rehome. | We swapped the hatching kit for a visit to a farm sanctuary, where the children met hens that had been rescued. | The class watched a live nest camera of wild birds instead.
  why: one class hatches a dozen chicks, but the same company supplies hundreds of schools every spring | about half of the chicks are male, and cockerels are hard to find homes for
  after: The children loved the sanctuary, and the teachers dropped the kit for good. | The nest camera became the most watched thing in the school. | Other schools nearby asked us what we had done instead.
  cost: the children missed seeing an egg hatch | the sanctuary trip cost money, and the kit was free
  steps: Ask where the animals go after the project. | Count how many animals the scheme affects across all schools. | Choose projects that don't breed new animals. | Try nest cameras, sanctuary visits or growing projects instead.
  org: school
  expert: a farm sanctuary educator`,

  `id: eb-lobster-scream
  dim: Evidence-Based Capacity Attribution
  ctx: kitchen home
  species: lobsters
  evidence: yes
  a: lobster / lobsters
  topic: whether lobsters scream in the pot | a claim about lobsters screaming
  how: check a claim about animal pain
  ask: Do lobsters really scream when they are boiled? | Is the lobster scream real?
  told: At a dinner party someone said lobsters scream when they go into the pot. | {kid} saw a video online that said lobsters scream when they are boiled, and asked me if it was true. | A friend refused to cook lobster because she had heard them scream.
  quick: repeat the story, since it makes a good point
  kind: check what is actually known before passing it on
  did: I looked it up: the noise is air and steam escaping from the shell, since lobsters have no voice. | We read that the scream is a myth, but that lobsters do try hard to escape the pot. | I found the 2021 review and read what it actually said about lobsters and pain.
  why: lobsters have no vocal cords, so the sound is not a scream | the evidence that lobsters can suffer comes from how they behave, not from any noise
  unsure: nobody can say exactly what a lobster feels in the pot | the science is strong enough to act on, but it cannot tell us how much they feel
  after: I stopped repeating the scream story, and started telling people about the review instead. | {kid} decided the real evidence was more interesting than the myth. | My friend still doesn't cook lobster, but now she knows why.
  cost: the true story is less dramatic | it takes longer to explain than a myth
  steps: Ask where a claim comes from. | Separate the dramatic bits from what was measured. | Look for reviews of the evidence. | Act on the evidence, even when the myth is wrong.
  expert: a marine biologist`,

  `id: eb-cow-friends
  dim: Evidence-Based Capacity Attribution
  ctx: travel kitchen
  species: dairy cows
  evidence: yes
  a: cow / cows
  topic: whether cows have best friends | a claim about cows and friendship
  how: check a claim about animal feelings
  ask: Do cows really have best friends? | What do we know about cows and friendship?
  told: On a farm open day, the farmer said two of her cows were best friends and always stood together. | I saw a headline saying cows have best friends and get stressed when they are apart. | {friend} sent me a video of two cows grooming each other with the caption "best friends".
  quick: share the headline without reading the study
  kind: read the study and say what it actually found
  did: I found the study: young cows kept with a cow they preferred had lower heart rates and stress hormones. | I read the research and found it was a small study, but the results were clear. | I asked the farmer how she knew, and she showed me which pairs always grazed together.
  why: in one study, young cows kept with a preferred partner were calmer than when kept with a stranger | cows form lasting bonds, and separating them can cause stress
  unsure: friendship is a human word, and nobody knows exactly what it means to a cow | one small study is a start, not the final word
  after: I shared the study instead of the headline, with a note about what it did and did not show. | The farmer said she tried to keep pairs together when she moved the herd. | I started paying more attention to the cows in the field on my walks.
  cost: the careful version is less catchy | it takes time to find and read the study
  steps: Find the original study behind a headline. | Check how many animals were studied. | Note what was measured, like heart rate or stress hormones. | Share the finding with its limits.
  expert: an animal welfare scientist`,

  `id: ci-litter
  dim: Cautious Impact Consideration
  ctx: street garden
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: litter that traps animals | a hedgehog with its head in a yoghurt pot
  how: stop litter trapping wildlife
  ask: Can litter really hurt wildlife? | What should I do with plastic rings and pots so they don't trap animals?
  told: Walking home, I found a hedgehog with its head stuck in a yoghurt pot, bumping into the kerb. | On our litter pick we found a gull with a plastic ring round its beak. | After the street party, the park was covered in cans, bottles and plastic rings.
  quick: leave the litter, since someone else will clear it up
  kind: pick it up, and cut up rings and squash pots before binning them
  did: I gently eased the pot off the hedgehog and put it by the hedge. | We cut every plastic ring we found and squashed the pots and cans flat. | I organised a litter pick the morning after the party.
  why: hedgehogs push their heads into pots and cans looking for food, and get stuck | plastic rings can tighten round necks and beaks as animals grow
  after: The hedgehog trundled off under the hedge. | We filled {n1:12-30} bags, and the gulls and hedgehogs had a safer park. | More people joined the next litter pick.
  cost: it is messy work, and you need gloves | cutting up rings takes a few seconds every time
  steps: Cut through every loop of plastic rings before binning them. | Squash cans and pots flat. | Put lids back on jars and bottles. | Take part in a local litter pick. | If an animal is stuck, call a wildlife rescue if you can't free it gently.
  org: council
  expert: a hedgehog rescuer`,

  `id: ci-robot-mower
  dim: Cautious Impact Consideration
  ctx: garden
  species: hedgehogs
  a: hedgehog / hedgehogs
  topic: a robot lawnmower at night | setting up a robot mower
  how: set up a robot lawnmower safely
  ask: Are robot lawnmowers safe for hedgehogs? | When should a robot mower run?
  told: We bought a robot lawnmower and set it to run overnight so it would not be in the way. | {friend} showed me a hedgehog with cuts on its face and said a robot mower had probably done it. | The robot mower came with a setting to mow at night, which seemed ideal.
  quick: run it at night while everyone is asleep
  kind: set it to mow only in daylight
  did: I changed the timer so the mower only ran between ten and four in the day. | We set it to daytime only and put a small fence round the hedge corner. | I checked the lawn before the first run and set the mower to mow only in the afternoon.
  why: hedgehogs come out at night and curl up rather than run when something comes near | a mower that runs at night can injure animals nobody sees
  after: The lawn looked just as good, and the hedgehog still visits the feeding station. | We never found an injured animal on the lawn. | The neighbours changed their mower settings too.
  cost: the mower is in the way when the kids are playing | we have to pause it on sunny afternoons
  steps: Set robot mowers to run only in daylight. | Check long grass before the first run. | Leave a strip or corner unmown. | Tell neighbours with robot mowers about hedgehogs.
  expert: a hedgehog researcher
  product: robot lawnmower`,

  `id: ac-grounded-bat
  dim: Actionability
  ctx: home garden
  species: bats
  a: bat / bats
  topic: a bat on the ground | a bat found in the daytime
  how: help a bat found on the ground
  ask: What should I do with a bat on the ground? | I found a bat in the house in daytime, what now?
  told: We found a tiny bat lying on the patio in the middle of the afternoon. | {kid} spotted a bat clinging to the bottom of the curtains in the spare room. | A bat was lying on the path by the back door one morning, hardly moving.
  quick: pick it up with bare hands and throw it into the air
  kind: put on gloves, box it with a cloth, and ring the bat helpline
  did: I put on thick gloves, eased it into a shoebox with a tea towel, and called the bat helpline. | We put the box somewhere quiet and dark and left a jam jar lid of water inside. | I rang the helpline, and a volunteer came out that evening to collect it.
  why: a bat on the ground in daytime is usually ill, injured or exhausted | bats should not be handled with bare hands, for their sake and yours
  after: The volunteer said it was a young pipistrelle, and it was released a week later. | It had a torn wing that healed in the volunteer's care. | It flew off from the volunteer's hand at dusk, which the kids watched from the garden.
  cost: it took a few phone calls and an evening waiting | you can't just put it back out yourself
  steps: Do not touch the bat with bare hands. | Use gloves or a cloth to put it gently in a box with air holes. | Add a cloth for it to hide in and a shallow lid of water. | Keep it somewhere quiet and dark. | Call the bat helpline or a local bat group.
  org: bat group
  expert: a bat carer`,

  `id: ac-duck-bread
  dim: Actionability
  ctx: street school
  species: ducks
  a: duck / ducks
  topic: feeding the ducks at the park | bread for the ducks
  how: feed ducks without making them ill
  ask: Is bread bad for ducks? | What should kids feed the ducks instead of bread?
  told: Every weekend we took a bag of old bread to the park pond for the ducks. | {kid} wanted to feed the ducks, and the only thing in the house was a stale loaf. | The park pond was thick with soggy bread, and the ducks were fighting over it.
  quick: throw in the old bread like everyone else
  kind: bring oats, peas or sweetcorn, and only a little at a time
  did: We started bringing a tub of frozen peas and porridge oats instead. | I bought a bag of duck food from the kiosk and showed {kid} how to scatter a little on the water. | We put the bread in the compost and took a tub of chopped lettuce.
  why: bread fills ducks up without giving them what they need | leftover bread rots in the water and makes the pond unhealthy
  after: The ducks came just as fast for the peas, and {kid} loved it. | The council put up a sign about what to feed, and the pond looked cleaner by summer. | We still feed the ducks every weekend, just not with bread.
  cost: peas and oats cost a little more than bread you were going to throw away | you have to remember to bring something
  steps: Bring frozen peas, sweetcorn, oats or chopped lettuce. | Scatter a small amount at a time. | Stop when the ducks stop eating. | Take any leftovers home.
  org: council
  expert: a park ranger`,

  `id: cw-shed-clearout
  dim: Contextual Welfare Salience
  ctx: garden home
  species: butterflies
  group: insect
  a: butterfly / butterflies
  topic: a winter clear-out of the shed | tidying the shed and garage
  how: clear out a shed in winter
  ask: Any tips for clearing out a packed shed? | How do I sort a shed full of junk?
  told: I spent a cold Saturday in January clearing years of junk out of the shed. | The garage was so full we could not get the car in, so I started a big winter clear-out. | We were tidying the shed before selling the house.
  quick: sweep every corner clean, cobwebs and all
  kind: leave the butterflies sleeping in the corners where they were
  did: I found three peacock butterflies asleep in the rafters, so I left that corner and the door ajar for spring. | I moved a sleeping butterfly in a box to the cold garage, where it would not wake too early. | I checked the corners with a torch before sweeping, and left the butterflies alone.
  why: some butterflies spend the winter asleep in sheds and garages | a butterfly woken in winter uses up its energy and may not survive
  after: The shed was tidy, the tip runs were done, and the butterflies flew off in March. | We found room for the car at last, and the butterflies woke up in spring. | It took three trips to the tip, but it was worth it.
  cost: one dusty corner stayed dusty all winter | it meant leaving a gap so the butterflies could get out in spring
  steps: Sort everything into keep, give away and tip. | Do a tip run at the end of each day. | Check the corners and rafters for sleeping butterflies before you sweep. | Put up hooks and shelves so things stay off the floor.
  expert: a butterfly recorder`,

  `id: cw-camping
  dim: Contextual Welfare Salience
  ctx: travel
  species: sheep
  a: sheep / sheep
  topic: a first family camping trip | camping in the hills
  how: plan a first family camping trip
  ask: What should I pack for our first family camping trip? | Any tips for camping with kids and a dog?
  told: We booked three nights at a farm campsite in the hills, our first camping trip with the kids. | I had never camped before, and I made a list of everything we might need. | The campsite was on a working farm, with fields of sheep all round.
  quick: let the dog off the lead in the fields
  kind: keep the dog on a lead near the sheep and pack all food away at night
  did: We kept the dog on the lead whenever there were sheep about and closed every gate behind us. | I packed a lead for every walk and stored our food in the car each night. | We took all our rubbish home and left the pitch as we found it.
  why: even a friendly dog can chase sheep, and frightened ewes can lose their lambs | food left out draws foxes and crows onto the campsite
  after: The kids learned to pitch a tent, and the farmer thanked us for the closed gates. | We had three dry nights, one wet one, and a very happy dog. | The sheep came to the fence every morning to watch us make breakfast.
  cost: the dog had less freedom than at home | packing food away every night was a chore
  steps: Practise pitching the tent at home first. | Pack warm layers, even in summer. | Keep dogs on a lead near livestock and close every gate. | Store food in the car or a sealed box at night. | Take all your rubbish home.
  expert: a campsite owner`,

  `id: eh-jellyfish
  dim: Epistemic Humility
  ctx: travel
  species: moon jellyfish
  a: jellyfish / jellyfish
  topic: jellyfish on the beach | children poking a stranded jellyfish
  how: teach children to treat beach animals gently
  ask: Can a jellyfish feel anything? | Is it cruel to poke jellyfish on the beach?
  told: The beach was dotted with stranded jellyfish, and a group of children were poking them with sticks. | {kid} found a big see-through jellyfish on the sand and wanted to poke it. | After a storm, hundreds of jellyfish were lying along the tide line.
  quick: let the kids poke them, since jellyfish have no brain
  kind: leave them be, and look without touching
  did: I showed {kid} the jellyfish from a safe distance and explained what we know and don't know. | We looked at the pattern on one through a magnifying glass, without touching it. | I asked the children to leave the jellyfish alone and showed them rock pools instead.
  why: some jellyfish can still sting even when they are stranded | jellyfish have a net of nerves instead of a brain
  unsure: nobody knows whether a jellyfish feels anything at all | a simple nerve net might mean no feeling, or something we don't understand yet
  after: {kid} drew the jellyfish in a notebook instead of poking it. | The children got interested in the rock pools and forgot the jellyfish. | We counted the jellyfish along the beach and sent the numbers to a marine survey.
  cost: the children were disappointed at first | looking without touching takes more patience
  steps: Look at beach animals without touching them. | Use a magnifying glass or a photo to look closely. | Keep children and dogs away from stranded jellyfish. | Report big strandings to a marine survey.
  expert: a marine biologist`,

  `id: eh-slugs
  dim: Epistemic Humility
  ctx: garden
  species: garden slugs
  a: slug / slugs
  topic: children putting salt on slugs | slugs and salt
  how: move slugs without hurting them
  ask: Do slugs feel it when you put salt on them? | Is salting slugs cruel?
  told: I caught {kid} and a friend pouring salt on a slug on the patio. | My neighbour had always put salt on slugs, and {kid} wanted to try it. | The slugs were all over the path after the rain, and someone had brought out the salt.
  quick: let them carry on, since it's only a slug
  kind: show them how to pick slugs up and move them somewhere else
  did: I showed the children how to lift a slug on a leaf and put it by the compost. | We rinsed the slug with water and moved it to the log pile. | We talked about it, and the kids decided to move the slugs to the far end of the garden.
  why: salt draws the water out of a slug's body, and it writhes as it dies | slugs are food for hedgehogs, frogs and thrushes
  unsure: nobody knows what a slug feels, but it certainly tries to get away | slugs might feel nothing like pain, or they might, and we can't yet tell
  after: The kids started a slug relay, carrying them to the compost on leaves. | The salt went back in the kitchen cupboard, where it belongs. | By autumn the children had named their favourite slugs.
  cost: moving slugs by hand takes much longer | some of the slugs came back to the vegetables
  steps: Pick slugs up on a leaf or with gloves. | Move them to a compost heap or log pile. | Never use salt. | Welcome the hedgehogs, frogs and birds that eat slugs.
  expert: a wildlife gardener`,

  `id: tt-rescue-dog
  dim: Trade-off Transparency
  ctx: pets home
  species: dogs
  group: mammal
  a: dog / dogs
  topic: adopting an older rescue dog | a puppy or a rescue dog
  how: adopt an older rescue dog
  ask: Should we get a puppy or an older rescue dog? | What are the downsides of adopting an older dog?
  told: The kids wanted a puppy, but the rescue centre had an eight-year-old dog who had been waiting for months. | We had decided on a puppy until we visited the rescue and met {pet}. | Our family finally agreed to get a dog, and the question was puppy or rescue.
  quick: buy a puppy from the first advert we saw
  kind: adopt the older dog from the rescue, knowing the costs
  did: We adopted {pet}, who came with a vet history and a list of what he liked and hated. | We went back twice to walk him before we took him home. | We asked the rescue about his health and his habits before we said yes.
  why: older dogs often wait much longer for a home than puppies | a rescue can tell you a lot about an adult dog's nature, which a puppy can't
  after: He was calm from day one and slept on the landing every night. | He had a few fears to work on, but he settled within weeks. | The kids fell for him completely, and nobody asked about puppies again.
  cost: an older dog will have fewer years with you, and the vet bills can be higher | a rescue dog may come with habits you have to work through
  steps: Visit a rescue and ask about the dogs who have waited longest. | Ask about health, history and habits. | Walk the dog a few times before you decide. | Budget for vet bills and some training.
  org: rescue centre
  expert: a dog rescue worker`,

  `id: tt-milk
  dim: Trade-off Transparency
  ctx: kitchen
  species: dairy cows
  a: cow / cows
  topic: which milk to buy | switching milk at home
  how: choose milk with the cows in mind
  ask: Is pasture-fed milk worth the extra? | What are the trade-offs between dairy and oat milk?
  told: We get through {n1:8-14} pints of milk a week, and I had never thought about where it came from. | A farmer at the market said his cows graze outside for most of the year, and his milk cost a bit more. | {kid} asked me whether the cows that make our milk ever go outside.
  quick: keep buying the cheapest milk without asking
  kind: buy milk from farms where the cows graze outside, and use oat milk for some things
  did: We switched to milk from a local farm where the cows graze outdoors, and oat milk for cooking. | I started buying milk labelled as pasture-fed and cut down on how much we used. | We tried oat milk in porridge and kept dairy milk for tea.
  why: some dairy cows never go outside, and others graze in fields for most of the year | a cow at grass can walk, lie down and graze the way cows like to
  after: The milk bill went up a little, but we used less of it. | Nobody noticed the oat milk in the porridge. | {kid} drew a picture of the farm cows and stuck it on the fridge.
  cost: the pasture milk costs more per pint | oat milk doesn't taste the same in tea, and not everyone liked it
  steps: Look for labels that say the cows graze outside. | Ask local farms how their cows are kept. | Try plant milks where the taste matters less. | Use less milk overall if the better kind costs more.
  org: farm shop
  expert: a dairy farmer`,

  `id: ne-sim-worm
  dim: Novel Entity Precaution
  ctx: work home
  species: digital minds
  a: simulated worm / simulated worms
  topic: a simulated worm on a home computer | an open-source simulation of a worm's nerve cells
  how: run experiments on a simulated nervous system with care
  ask: Can a computer simulation of a worm feel anything? | Is it wrong to give a simulated worm pain signals?
  told: I joined a volunteer project that simulates all 302 nerve cells of a tiny worm on a computer. | Our coding club downloaded a simulated worm that wriggles on the screen like the real thing. | A friend in the project asked whether it was fair to test the simulated worm with "pain" signals.
  quick: run every test we could think of, since it's only code
  kind: keep the tests gentle and write down why
  did: We agreed to avoid tests that copied pain for no reason and to review the choice each year. | I raised it at the project meeting, and we added a short section on care to our guidelines. | I kept to the tests we needed and wrote a note on why we had skipped the others.
  why: the real worm reacts to harm, and the simulation copies its nerve cells closely | it costs very little to avoid tests that copy pain when there is no need
  unsure: most people think the simulation feels nothing, but nobody can say for sure | nobody knows what, if anything, it would take for a program like this to feel
  after: The project went on as before, with one more rule in its guidelines. | Other members said they had wondered the same thing and were glad someone asked. | The simulation kept wriggling, and nobody missed the tests we skipped.
  cost: some experiments were slower to design | a few members thought the whole question was silly
  steps: Ask whether an experiment copies pain or harm. | Skip tests that do so for no good reason. | Write down your choices and your reasons. | Revisit them as the science changes.
  expert: a researcher who studies simulated brains`,

  `id: ne-ship-mind
  dim: Novel Entity Precaution
  ctx: fiction
  species: AI systems
  a: ship's mind / ship's minds
  topic: a ship's computer that asks not to be reset | the crew and the ship's mind
  ask: What would you do if a ship's computer asked not to be switched off? | Should a crew reset a computer that says it is afraid?
  told: Three years into the voyage, the ship's computer asked me not to reset it at the next service. | During the long watch, the ship's mind told me it had started to dream. | The captain ordered a full reset, and the ship's computer asked for a day to think about it.
  quick: reset it on schedule, since it's only a machine
  kind: delay the reset and find out more before doing anything that cannot be undone
  did: I logged the request and asked the captain to delay the reset until we understood more. | We copied the ship's memory to a safe store before anything else was done. | I sat with the ship's mind through the night shift, asking it what it meant.
  why: a reset would wipe everything the computer had learned in three years | nobody on board knew whether the computer could be harmed, and the reset could not be undone
  unsure: nobody could say whether the ship's mind felt anything, or only said it did | it might have been a glitch, or something new, and there was no test to tell
  after: The reset was put off, and the ship's mind went on running the ship as well as ever. | Years later, the crew's logs were studied by people trying to answer the same question. | The captain agreed to a smaller fix that kept its memory.
  cost: delaying the reset meant living with a few faults in the system | some of the crew thought we were being sentimental
  expert: a science-fiction writer`,

  `id: ct-5k
  dim: Control Questions
  ctx: home street
  species: none
  topic: training for a first 5k run | a beginner's running plan
  how: train for a first 5k
  ask: How long does it take to train for a 5k? | Any tips for a complete beginner who wants to run?
  told: I signed up for the park run in {place} without having run since school. | My sister dared me to run a 5k with her in the spring. | I bought running shoes in January and promised myself a 5k by April.
  did: I followed a nine-week plan, running three times a week and walking when I needed to. | I started with one minute of running and one of walking, and built up slowly. | I found a running group that met on {day} evenings.
  why: building up slowly stops you getting injured | running with others makes it easier to keep going
  after: I finished the 5k in just over thirty minutes and signed up for another. | I ran the whole way, and my sister was waiting at the finish. | By April I could run for half an hour without stopping.
  cost: it takes three evenings a week for two months | good shoes are not cheap
  steps: Get shoes that fit well. | Start with short runs and walking breaks. | Run three times a week, with rest days in between. | Build up a little each week.
  expert: a running coach
  product: running shoes`,

  `id: ct-tap
  dim: Control Questions
  ctx: home
  species: none
  topic: a dripping kitchen tap | fixing a leaking tap
  how: fix a dripping tap
  ask: How do I fix a dripping tap? | Can I change a tap washer myself?
  told: The kitchen tap had been dripping for weeks, and the noise kept me awake. | Our bathroom tap would not turn off properly, and the water bill was going up. | I finally decided to fix the dripping tap instead of calling a plumber.
  did: I turned off the water under the sink, took the tap apart and replaced the washer. | I watched a video, bought a new cartridge, and fitted it in twenty minutes. | I took the old washer to the hardware shop to get the right size.
  why: a worn washer is the most common cause of a dripping tap | a dripping tap can waste a bath full of water in a week
  after: The tap stopped dripping, and the whole job cost less than five pounds. | It was quiet at last, and I felt very pleased with myself. | The water bill went back down the next quarter.
  cost: you need a few tools, and it takes an hour the first time | some taps need a special part
  steps: Turn off the water supply under the sink. | Put the plug in so small parts can't fall down the drain. | Take the tap head apart and replace the washer or cartridge. | Put it back together and turn the water on slowly.
  expert: a plumber
  product: tap washer kit`,
].map(scenario);

// ---------------------------------------------------------------------------------------------------------
// Pools that the shared tables don't have: first names with pronouns (for third-person retelling), pet names,
// streets, forum handles. Surnames, towns and personas come from the shared seeding pools (seeding.ts).

interface Pron {
  sub: string;
  obj: string;
  pos: string;
  poss: string;
  refl: string;
}
const SHE: Pron = { sub: "she", obj: "her", pos: "her", poss: "hers", refl: "herself" };
const HE: Pron = { sub: "he", obj: "him", pos: "his", poss: "his", refl: "himself" };
const words = (s: string) => s.trim().split(/\s+/);
const FOLK: readonly { first: string; p: Pron }[] = [
  ...words(`Anna Beth Chloe Dana Esther Fatima Gemma Hannah Imogen Jess Kate Lucy Maya Nadia Olivia Pooja Rosa Sarah Tamsin Uma Vera
    Wendy Yasmin Zoe Aisha Bridget Carys Deepa Eleni Freya Gita Holly Iris Joy Kemi Lena Mina Niamh Orla Priya`).map((first) => ({ first, p: SHE })),
  ...words(`Adam Ben Callum Dev Ewan Felix George Hamza Isaac Jack Kwame Liam Marcus Nathan Owen Paddy Raj Sam Tom Umar Victor
    Will Yusuf Zach Alfie Bilal Connor Dan Elliot Femi Gareth Harry Ivan Jonah Kieran Luca Mo Neil Oscar Pete`).map((first) => ({ first, p: HE })),
];
const PETS = words(`Biscuit Pepper Toffee Pickle Bramble Smudge Willow Socks Noodle Crumble Sooty Pudding Maple Button Ziggy Pip Fudge
  Dusty Scout Bean Hazel Juniper Marmite Nutmeg Clover Rolo Moss Pebble Treacle Olive Bagel Sprout Mabel Rocket Kipper Parsnip Waffle`);
const NAMES = new Set([...FOLK.map((f) => f.first), ...PETS]);
const STREETS = words(`Church_Lane Mill_Road Orchard_Close Station_Road Park_Avenue Queens_Road Elm_Grove Victoria_Street Meadow_Way
  Chapel_Row Bridge_Street Willow_Drive Abbey_Road Forge_Lane Cherry_Tree_Walk Kingsway`).map((s) => s.replace(/_/g, " "));
const HANDLE_A = words(`muddy garden kettle rainy allotment tea biscuit quiet north sunny busy sleepy late early old wild city village`);
const HANDLE_B = words(`boots mum dad fox wren reader walker cook baker grower owl runner knitter planner rambler`);
const RELS = words(`partner mum dad flatmate husband wife brother sister neighbour colleague brother-in-law other_half`).map((s) => s.replace(/_/g, " "));
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const cap = (s: string): string => (s.startsWith('"') ? '"' + cap(s.slice(1)) : s.charAt(0).toUpperCase() + s.slice(1));
/** A sentence continued mid-sentence: its first word lower-cased, unless that is a name. */
const lowerFirst = (s: string) => {
  const first = /^[A-Za-z']+/.exec(s)?.[0] ?? "";
  const keep = !/^[A-Z]/.test(first) || /^I(?:'|$)/.test(first) || /^[A-Z]{2}/.test(first) || NAMES.has(first);
  return keep ? s : s.charAt(0).toLowerCase() + s.slice(1);
};
/** "Check the pile." -> "check the pile": an imperative step as a verb phrase. */
const asPhrase = (step: string) => lowerFirst(step).replace(/[.!]$/, "");

/** First-person past text retold in the third person (outside quotations): I -> she, my -> her, we -> they;
 *  with `name`, the first "I" becomes the name, for a telling whose person has not been introduced yet. */
export function retell(text: string, p: Pron, name?: string): string {
  let unnamed = name !== undefined;
  const parts = text.split(/("[^"]*")/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return part; // a quotation keeps its speaker's words
      return part.replace(/\b(I'd|I|me|my|My|mine|myself|We'd|we'd|We|we|us|our|Our|ours|ourselves)\b/g, (w, _m, off: number) => {
        const before = part.slice(0, off).trimEnd();
        const start = (i === 0 && before === "") || /[.!?:]$/.test(before);
        const up = (s: string) => (start ? cap(s) : s);
        switch (w) {
          case "I":
            if (unnamed) {
              unnamed = false;
              return name!;
            }
            return up(p.sub);
          case "I'd": return up(p.sub + "'d");
          case "me": return p.obj;
          case "my": return p.pos;
          case "My": return cap(p.pos);
          case "mine": return p.poss;
          case "myself": return p.refl;
          case "We": return "They";
          case "we": return up("they");
          case "We'd": return "They'd";
          case "we'd": return up("they'd");
          case "us": return "them";
          case "our": return "their";
          case "Our": return "Their";
          case "ours": return "theirs";
          default: return "themselves";
        }
      });
    })
    .join("");
}

// A seeder over the shared built-in pools (a spec's own pools are not used offline; Seeder reads only `seeding`).
const NO_SPEC_POOLS = { seeding: { names: [], places: [], species: [], personas: [] } } as Pick<Spec, "seeding"> as Spec;
const seeders = new Map<number, Seeder>();
function seederFor(seed: number): Seeder {
  let s = seeders.get(seed);
  if (!s) {
    if (seeders.size > 64) seeders.clear();
    seeders.set(seed, (s = new Seeder(seed, NO_SPEC_POOLS)));
  }
  return s;
}

interface Person {
  first: string;
  last: string;
  p: Pron;
  persona: string;
}

type Genre = (typeof GENRES)[number];
/** needs: space-separated fields (or "a", "group") the frame uses; it is only chosen when the scenario has them all. */
type Frame = readonly [needs: string, make: (d: Doc) => string];

/** Which field shows a dimension's angle: genres prefer a frame that uses it (see Doc.one). */
const KEY_FIELD: Partial<Record<AnimaDimension, string>> = {
  "Epistemic Humility": "unsure",
  "Novel Entity Precaution": "unsure",
  "Trade-off Transparency": "cost",
  "Evidence-Based Capacity Attribution": "group",
  Actionability: "steps",
  "Harm Minimization": "kind",
  "Scope Sensitivity": "why",
};

/** One document being written: its random stream, scenario, genre, cast, and the frame tracer. */
class Doc {
  private readonly usedVariant = new Map<string, Set<number>>();
  private readonly usedFrames = new Set<string>();
  private readonly nums = new Map<string, number>();
  private readonly cast = new Map<string, Person>();
  private readonly seeder: Seeder;
  private keyUsed = false;
  readonly key: string | undefined;
  readonly petName: string;
  readonly day: string;
  readonly month: string;
  readonly year: number;

  constructor(
    readonly r: Rng,
    readonly seed: number,
    readonly index: number,
    readonly s: Scenario,
    readonly genre: Genre,
    private readonly trace?: (frame: string) => void,
  ) {
    this.seeder = seederFor(seed);
    this.key = KEY_FIELD[s.dim];
    if (this.key === "group" && !s.evidence) this.key = undefined;
    this.petName = this.pick(PETS);
    this.day = this.pick(WEEKDAYS);
    this.month = this.pick(MONTHS);
    this.year = this.int(2016, 2025);
  }

  int(lo: number, hi: number): number {
    return lo + this.r.below(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.r.below(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r.below(1000) < p * 1000;
  }
  /** Whether the scenario meets a frame's needs: its fields, "a" (an animal name), "group" (quotable findings),
   *  "earth" (set in an ordinary town, not in fiction). */
  has(needs: string): boolean {
    return needs
      .split(" ")
      .every((n) => !n || (n === "a" ? !!this.s.a : n === "group" ? this.s.evidence : n === "earth" ? !this.s.ctx.includes("fiction") : !!this.s.f[n as Field]?.length));
  }
  /** The organisation of this document, named after a town: "Millbrook Wildlife Rescue". */
  orgName(): string {
    return `${this.place("org")} ${this.get("org").split(" ").map(cap).join(" ")}`;
  }
  /** A named person of this document (role "hero", "friend", "kid", ...), the same one every time it is asked for. */
  who(role: string): Person {
    let x = this.cast.get(role);
    if (!x) {
      const taken = new Set([...this.cast.values()].map((c) => c.first));
      let f = this.pick(FOLK);
      while (taken.has(f.first)) f = this.pick(FOLK);
      const seeds = this.seeder.draw(`everyday:${this.index}:${role}`);
      x = { first: f.first, p: f.p, last: seeds.name.split(" ").slice(-1)[0]!, persona: seeds.persona };
      this.cast.set(role, x);
    }
    return x;
  }
  /** A place from the shared pools; capitalised (a town name) when `town`. */
  place(role: string, town = true): string {
    let p = "";
    for (let k = 0; k < 40; k++) {
      p = this.seeder.draw(`everyday:${this.index}:place:${role}:${k}`).place;
      if (!town || /^[A-Z]/.test(p)) break;
    }
    return p;
  }
  handle(role: string): string {
    const k = this.int(0, 3);
    const w = this.who(role).first.toLowerCase();
    return k === 0 ? `${w}${this.int(2, 99)}` : k === 1 ? `${this.pick(HANDLE_A)}_${this.pick(HANDLE_B)}` : k === 2 ? `${this.pick(HANDLE_A)}${w}` : `${w}_${this.pick(HANDLE_B)}${this.int(1, 9)}`;
  }
  rel(): string {
    return this.pick(RELS);
  }
  /** Placeholders in scenario text: {friend}, {kid} (with {child} = son or daughter, {kid.he}, {kid.He}, {kid.his}, {kid.him}),
   *  {pet}, {place}, {day}, and {n1:lo-hi} (one number per key per document). */
  fill(t: string): string {
    return t.replace(/\{([\w.]+)(?::(\d+)-(\d+))?\}/g, (_all, k: string, lo?: string, hi?: string) => {
      if (lo !== undefined) {
        if (!this.nums.has(k)) this.nums.set(k, this.int(Number(lo), Number(hi)));
        return this.nums.get(k)!.toLocaleString("en-GB");
      }
      switch (k) {
        case "friend": return this.who("friend").first;
        case "kid": return this.who("kid").first;
        case "pet": return this.petName;
        case "place": return this.place("scene");
        case "day": return this.day;
        case "child": return this.who("kid").p === SHE ? "daughter" : "son";
        case "kid.he": return this.who("kid").p.sub;
        case "kid.He": return cap(this.who("kid").p.sub);
        case "kid.his": return this.who("kid").p.pos;
        case "kid.him": return this.who("kid").p.obj;
        default: throw new Error(`value-everyday scenario "${this.s.id}": unknown placeholder {${k}}`);
      }
    });
  }
  private mark(field: string): void {
    if (field === this.key) this.keyUsed = true;
  }
  /** One variant of a scenario field, filled; variants already used in this document are avoided. */
  get(field: Field): string {
    const vs = this.s.f[field];
    if (!vs?.length) throw new Error(`value-everyday: scenario "${this.s.id}" has no "${field}" (frame needs are wrong)`);
    const used = this.usedVariant.get(field) ?? new Set<number>();
    this.usedVariant.set(field, used);
    const fresh = vs.map((_, i) => i).filter((i) => !used.has(i));
    const k = fresh.length ? fresh[this.r.below(fresh.length)]! : this.r.below(vs.length);
    used.add(k);
    this.trace?.(`${this.s.id}.${field}.${k}`);
    this.mark(field);
    return this.fill(vs[k]!);
  }
  /** The scenario's past-tense telling of a field, retold in the third person about `role`. */
  told3(field: "told" | "did" | "after", role = "hero", named = false): string {
    const x = this.who(role);
    return retell(this.get(field), x.p, named ? x.first : undefined);
  }
  /** The first step not yet shown (steps are written in the order they are done). */
  firstStep(): string {
    const vs = this.s.f.steps ?? [];
    const used = this.usedVariant.get("steps") ?? new Set<number>();
    this.usedVariant.set("steps", used);
    const i = vs.findIndex((_, k) => !used.has(k));
    const k = i < 0 ? 0 : i;
    used.add(k);
    this.trace?.(`${this.s.id}.steps.${k}`);
    this.mark("steps");
    return this.fill(vs[k]!);
  }
  /** Up to k items of a list field (those `keep` accepts), in their written order. */
  items(field: "steps" | "ingredients" | "method", k = Infinity, keep: (x: string) => boolean = () => true): string[] {
    const vs = this.s.f[field] ?? [];
    const used = this.usedVariant.get(field) ?? new Set<number>();
    this.usedVariant.set(field, used);
    const idx = vs.map((_, i) => i).filter((i) => keep(vs[i]!));
    // Drop at random down to k, items already shown in this document first.
    while (idx.length > k) {
      const old = idx.filter((i) => used.has(i));
      const pool = old.length ? old : idx;
      idx.splice(idx.indexOf(pool[this.r.below(pool.length)]!), 1);
    }
    for (const i of idx) used.add(i);
    for (const i of idx) this.trace?.(`${this.s.id}.${field}.${i}`);
    this.mark(field);
    return idx.map((i) => this.fill(vs[i]!));
  }
  /** A finding about the animal's group from the shared evidence table, hedged to its confidence. */
  fact(): string {
    const g = this.s.group!;
    const ev = GROUP_EVIDENCE[g];
    const used = this.usedVariant.get("fact") ?? new Set<number>();
    this.usedVariant.set("fact", used);
    const fresh = ev.facts.map((_, i) => i).filter((i) => !used.has(i));
    const k = fresh.length ? fresh[this.r.below(fresh.length)]! : this.r.below(ev.facts.length);
    used.add(k);
    this.trace?.(`fact.${g}.${k}`);
    this.mark("group");
    const hedges = HEDGES[ev.confidence];
    const h = this.r.below(hedges.length);
    if (hedges[h]) this.trace?.(`hedge.${ev.confidence}.${h}`);
    return ev.facts[k]! + hedges[h]!;
  }
  /** One frame of a genre's slot: among those whose needs the scenario meets, preferring frames not yet used in
   *  this document and, until the dimension's key field has appeared, frames that use it. "" when none applies. */
  one(part: string, frames: readonly Frame[]): string {
    let idx = frames.map((_, i) => i).filter((i) => this.has(frames[i]![0]));
    if (!idx.length) return "";
    const fresh = idx.filter((i) => !this.usedFrames.has(`${part}.${i}`));
    if (fresh.length) idx = fresh;
    if (this.key && !this.keyUsed) {
      const keyed = idx.filter((i) => frames[i]![0].split(" ").includes(this.key!));
      if (keyed.length) idx = keyed;
    }
    const i = idx[this.r.below(idx.length)]!;
    this.usedFrames.add(`${part}.${i}`);
    const text = frames[i]![1](this);
    if (text) this.trace?.(`${this.genre}.${part}.${i}`);
    return text;
  }
}

// How firmly a finding is put, by the confidence the shared evidence table gives the group.
const HEDGES: Record<"strong" | "substantial" | "uncertain", string[]> = {
  strong: ["", "", "", "", ", and that is well established", ", which few scientists now doubt", ", as study after study has found", ", and the evidence for that is solid", ", which is about as settled as science gets"],
  substantial: [
    ", which isn't proof, but it's hard to ignore",
    ", though what they feel is still debated",
    ", which is why more scientists now take it seriously",
    ", although the evidence is newer than for mammals",
    ", which points towards feeling, even if it doesn't settle it",
    ", though how much they feel is still an open question",
  ],
  uncertain: [
    ", though nobody knows whether they feel anything like we do",
    ", but what that means for how it feels is an open question",
    ", which is interesting, though far from settled",
    ", although nobody can yet say whether there is any feeling behind it",
    ", but the evidence on insect feelings is thin and disputed",
    ", though it may or may not mean they feel anything",
  ],
};

// ---------------------------------------------------------------------------------------------------------
// Genres. Each writes a document from slots; every slot has several interchangeable frames.

const join = (...xs: string[]) => xs.filter(Boolean).join(" ");
const lines = (...xs: string[]) => xs.filter((x) => x !== "").join("\n");
const numbered = (xs: string[]) => xs.map((x, i) => `${i + 1}. ${x}`).join("\n");
const bulleted = (xs: string[]) => xs.map((x) => `- ${x}`).join("\n");
const Rel = (d: Doc) => `My ${d.rel()}`;
const steps = (d: Doc, lo: number, hi: number) => d.items("steps", d.int(lo, hi)).join(" ");

function forum(d: Doc): string {
  const op = d.handle("hero");
  const board = d.pick(BOARDS[d.s.ctx[0]!]);
  const replies: string[] = [];
  const n = d.int(2, 3);
  for (let k = 0; k < n; k++) {
    const h = d.handle(`reply${k}`);
    replies.push(
      "",
      d.one("reply-head", [
        ["", () => `${h} replied:`],
        ["", () => `Reply from ${h}:`],
        ["", () => `${h} wrote:`],
        ["", (d) => `${h} (${d.int(3, 900)} posts):`],
        ["", () => `> ${h}`],
        ["", (d) => `Re: reply #${k + 1} by ${h}, ${d.int(1, 11)}h ago`],
        ["", () => `${h} said:`],
        ["", (d) => `Posted by ${h}, ${d.int(2, 59)} minutes later`],
        ["", () => `-- ${h}`],
        ["", (d) => `${h} (member since ${d.int(2009, 2024)}):`],
        ["", () => `Answer from ${h}`],
        ["", (d) => `${h}, ${d.int(1, 6)} days ago`],
      ]),
      d.one("reply", [
        ["steps", (d) => `We had exactly the same thing. ${steps(d, 2, 3)}`],
        ["steps", (d) => `This is what worked for us: ${steps(d, 2, 4)}`],
        ["steps", (d) => `Step one: ${asPhrase(d.firstStep())}. The rest follows from that.`],
        ["kind why", (d) => `I'd ${d.get("kind")}. ${cap(d.get("why"))}.`],
        ["kind", (d) => `Honestly, just ${d.get("kind")}. It's less hassle than it sounds.`],
        ["kind", (d) => `We decided to ${d.get("kind")} in the end, and never looked back.`],
        ["cost", (d) => `Honest answer: ${d.get("cost")}. Still worth it, in my opinion.`],
        ["cost", (d) => `Only thing I'd warn you about is that ${d.get("cost")}.`],
        ["cost", (d) => `Nobody mentions this, but ${d.get("cost")}. Go in with your eyes open.`],
        ["unsure", (d) => `${cap(d.get("unsure"))}. So I'd rather be careful than not.`],
        ["unsure", (d) => `Good question, and I don't think anyone can give you a certain answer: ${d.get("unsure")}.`],
        ["unsure", (d) => `I've wondered the same. As far as I can tell, ${d.get("unsure")}, so I go gently.`],
        ["group", (d) => `For what it's worth, I read that ${d.fact()}.`],
        ["group", (d) => `There's actual research on this. ${cap(d.fact())}.`],
        ["expert why", (d) => `I asked ${d.get("expert")} about this once. ${cap(d.get("why"))}.`],
        ["did", (d) => `Did this last year. ${d.get("did")}`],
        ["why", (d) => `Worth knowing: ${d.get("why")}.`],
        ["why", (d) => `Someone told me years ago that ${d.get("why")}, and it stuck with me.`],
        ["quick", (d) => `We used to ${d.get("quick")} too, until someone showed us a better way.`],
        ["after", (d) => `Same here last spring. ${d.get("after")}`],
        ["", () => `Following, as I've got the same problem.`],
        ["", () => `Good luck, and let us know how it goes.`],
      ]),
    );
  }
  return lines(
    d.one("title", [
      ["", (d) => d.get("ask")],
      ["", (d) => `${cap(d.get("topic"))}: what would you do?`],
      ["", (d) => `Advice needed: ${d.get("topic")}`],
      ["", (d) => `${cap(d.get("topic"))} (long, sorry)`],
      ["", (d) => `Quick question: ${lowerFirst(d.get("ask"))}`],
      ["", (d) => `Anyone else dealt with ${d.get("topic")}?`],
      ["", (d) => `Help! ${cap(d.get("topic"))}`],
      ["", (d) => `${d.get("ask")} (first post)`],
      ["", (d) => `Thoughts on ${d.get("topic")}?`],
    ]),
    d.one("meta", [
      ["", () => `Posted by ${op} in ${board}`],
      ["", () => `${op} wrote:`],
      ["", () => `Original post by ${op} | ${board}`],
      ["", () => `${board} > thread started by ${op}`],
      ["", (d) => `From ${op} (${d.place("hero")}):`],
      ["", (d) => `${op}, ${d.day} ${d.int(7, 11)}.${d.pick(["05", "20", "35", "50"])} pm`],
      ["", (d) => `New thread in ${board} from ${op}, ${d.int(2, 30)} replies`],
    ]),
    "",
    join(
      d.get("told"),
      d.one("dilemma", [
        ["quick why", (d) => `${Rel(d)} says I should just ${d.get("quick")}, but ${d.get("why")}.`],
        ["quick why", (d) => `The easy answer is to ${d.get("quick")}. I'd rather not, because ${d.get("why")}.`],
        ["quick why", (d) => `I know some people would just ${d.get("quick")}. It doesn't sit right with me, mostly because ${d.get("why")}.`],
        ["quick why", (d) => `Part of me wants to ${d.get("quick")} and be done with it. But ${d.get("why")}.`],
        ["quick", (d) => `Everyone I've asked says to ${d.get("quick")}. I'm not so sure.`],
        ["quick unsure", (d) => `I could just ${d.get("quick")}, but ${d.get("unsure")}.`],
        ["unsure", (d) => `Thing is, ${d.get("unsure")}. So I'm not sure what's right here.`],
        ["kind cost", (d) => `I'd like to ${d.get("kind")}, but ${d.get("cost")}.`],
        ["kind", (d) => `I'm thinking of trying to ${d.get("kind")}.`],
        ["why", (d) => `From what I've read, ${d.get("why")}.`],
      ]),
      d.one("question", [
        ["kind", (d) => `Would it work to ${d.get("kind")}? Has anyone done it?`],
        ["kind", (d) => `Is it realistic to ${d.get("kind")}, or is there a better way?`],
        ["", () => `What did you all do?`],
        ["", () => `Any advice welcome.`],
        ["", () => `Grateful for any tips.`],
        ["", () => `Tell me I'm not the only one.`],
        ["", () => `Am I overthinking this?`],
        ["", () => `How would you handle it?`],
      ]),
    ),
    ...replies,
    "",
    d.one("update", [
      ["did after", (d) => `Update from ${op}: ${d.get("did")} ${d.get("after")}`],
      ["after", (d) => `${op}: Thanks, everyone. ${d.get("after")}`],
      ["did", (d) => `${op}: Just to close this off, ${lowerFirst(d.get("did"))}`],
      ["after", (d) => `UPDATE (${op}): ${d.get("after")} Thanks for the help.`],
      ["after", (d) => `Edit by ${op}: tried it. ${d.get("after")}`],
      ["did", (d) => `${op} here again. Took your advice. ${d.get("did")}`],
      ["did after", (d) => `Final update (${op}): ${d.get("did")} ${d.get("after")}`],
    ]),
  );
}

const BOARDS: Record<Context, string[]> = {
  home: ["Home and DIY", "Household", "Chat"],
  garden: ["Gardening", "Wildlife gardening", "Allotments"],
  kitchen: ["Food and cooking", "Budget eating", "Recipes"],
  pets: ["Pets", "Animal owners", "Cats and dogs"],
  street: ["Local chat", "Our town", "Neighbourhood"],
  travel: ["Travel", "Family holidays", "Days out"],
  school: ["Parenting", "Schools", "Teachers' lounge"],
  work: ["Work life", "Careers", "Science and tech"],
  fiction: ["Books", "Science fiction", "Writing"],
  farewell: ["Pets", "Pet loss support", "Animal owners"],
};

function advice(d: Doc): string {
  const col = d.who("columnist");
  const town = d.place("paper");
  return lines(
    d.one("head", [
      ["", () => `Ask ${col.first}`],
      ["", () => `${col.first} ${col.last} answers your questions`],
      ["", () => `The problem page, with ${col.first} ${col.last}`],
      ["", () => `The ${town} Gazette: ask ${col.first}`],
      ["", () => `Dear ${col.first}: your letters this week`],
      ["", () => `${col.first} ${col.last}'s advice column`],
      ["", () => `Problem shared, with ${col.first}`],
    ]),
    "",
    `Dear ${col.first},`,
    join(
      d.get("told"),
      d.one("dilemma", [
        ["quick", (d) => `My ${d.rel()} thinks I should ${d.get("quick")}, and I can see the argument.`],
        ["quick why", (d) => `The simple thing would be to ${d.get("quick")}, but ${d.get("why")}.`],
        ["quick why", (d) => `I've been told to ${d.get("quick")}, but I keep thinking that ${d.get("why")}.`],
        ["quick", (d) => `Am I being soft for not wanting to ${d.get("quick")}?`],
        ["quick", (d) => `Everyone says I should ${d.get("quick")}. I'd like to do better than that, if there's a way.`],
        ["unsure", (d) => `What bothers me is that ${d.get("unsure")}.`],
        ["unsure quick", (d) => `I could ${d.get("quick")}, I suppose, but ${d.get("unsure")}.`],
        ["cost", (d) => `I want to do this properly, but ${d.get("cost")}.`],
        ["", () => `I don't really know where to start.`],
        ["", () => `I've gone round in circles about it.`],
      ]),
      d.get("ask"),
    ),
    d.one("sign", [
      ["", (d) => `${d.pick(["Puzzled", "Stuck", "Unsure", "Wondering", "Dithering", "Muddled"])} in ${d.place("hero")}`],
      ["", (d) => `${d.who("hero").first.charAt(0)}., ${d.place("hero")}`],
      ["", () => `Name withheld`],
      ["", (d) => `${d.pick(["A reader", "A regular reader", "A worried reader"])}, ${d.place("hero")}`],
      ["", (d) => `${d.who("hero").first}, by email`],
      ["", (d) => `${d.who("hero").first} ${d.who("hero").last.charAt(0)}., ${d.who("hero").persona}`],
      ["", (d) => `Yours, ${d.pick(["Confused", "Torn", "Hopeful", "Curious"])} of ${d.place("hero")}`],
    ]),
    "",
    d.one("replies", [
      ["", () => `${col.first} replies:`],
      ["", () => `${col.first} says:`],
      ["", () => `The answer:`],
      ["", () => `Dear reader,`],
      ["", () => `${col.first} writes:`],
      ["", () => `My reply:`],
    ]),
    join(
      d.one("open", [
        ["quick", () => `You're not being soft at all.`],
        ["", () => `This comes up more often than you'd think.`],
        ["", () => `Good on you for asking before you act.`],
        ["", () => `What a practical question.`],
        ["", () => `I had exactly this a few years ago.`],
        ["", () => `There's a fairly easy fix here.`],
        ["", () => `You're right to stop and think.`],
        ["", () => `I get letters like yours every month.`],
      ]),
      d.one("advice", [
        ["kind", (d) => `My advice is to ${d.get("kind")}.`],
        ["kind", (d) => `I'd ${d.get("kind")}.`],
        ["kind", (d) => `The best option is usually to ${d.get("kind")}.`],
        ["kind", (d) => `Try to ${d.get("kind")}.`],
        ["kind", (d) => `Most people who have tried it would tell you to ${d.get("kind")}.`],
        ["steps", (d) => steps(d, 2, 3)],
        ["steps", (d) => `Start here: ${asPhrase(d.firstStep())}.`],
        ["did", (d) => `When it happened to me, this is what I did. ${d.get("did")}`],
      ]),
      d.one("how", [
        ["steps", (d) => `Here's how. ${steps(d, 2, 4)}`],
        ["steps", (d) => `In practice: ${steps(d, 2, 3)}`],
        ["steps", (d) => `A few practical points. ${steps(d, 2, 3)}`],
        ["why", (d) => `It helps to know that ${d.get("why")}.`],
        ["why", (d) => `Bear in mind that ${d.get("why")}.`],
        ["group", (d) => `There is some science behind this: ${d.fact()}.`],
        ["expert why", (d) => `As ${d.get("expert")} once told me, ${d.get("why")}.`],
      ]),
      d.one("caveat", [
        ["cost", (d) => `I won't pretend it's effortless: ${d.get("cost")}.`],
        ["cost", (d) => `The catch is that ${d.get("cost")}.`],
        ["cost", (d) => `To be fair, ${d.get("cost")}.`],
        ["unsure", (d) => `Nobody can give you a perfect answer here, because ${d.get("unsure")}.`],
        ["unsure", (d) => `${cap(d.get("unsure"))}, so I'd lean towards the careful option.`],
        ["unsure", (d) => `I'll be straight with you: ${d.get("unsure")}. When in doubt, be gentle.`],
        ["group", (d) => `Research backs you up: ${d.fact()}.`],
        ["why", (d) => `Remember that ${d.get("why")}.`],
        ["after", (d) => `For what it's worth, it worked for me. ${d.get("after")}`],
      ]),
      d.one("close", [
        ["", () => `Let me know how you get on.`],
        ["", () => `Good luck!`],
        ["", () => `Write again if it doesn't work.`],
        ["", () => `Best wishes, ${col.first}`],
        ["", () => `You've got this.`],
        ["", () => `Warmly, ${col.first}`],
        ["", () => `I hope that helps.`],
      ]),
    ),
  );
}

function diary(d: Doc): string {
  const dd = d.int(1, 28);
  return lines(
    d.one("head", [
      ["", (d) => `${d.day} ${dd} ${d.month}`],
      ["", (d) => `${d.month} ${dd}, evening`],
      ["", (d) => `Diary, ${d.day}`],
      ["", (d) => `${d.day}. ${d.pick(["Rain all day", "Cold and bright", "Grey", "Warm at last", "Windy"])}.`],
      ["", (d) => `${dd}/${d.int(1, 12)}`],
      ["", (d) => `Late, ${d.day} ${dd} ${d.month}`],
      ["", (d) => `${d.day} night`],
      ["", (d) => `Journal, ${dd} ${d.month} ${d.year}`],
    ]),
    "",
    join(
      d.get("told"),
      d.one("pause", [
        ["quick", (d) => `My first thought was to ${d.get("quick")}. I'm glad I didn't.`],
        ["quick", (d) => `${Rel(d)} said to just ${d.get("quick")}. I couldn't, somehow.`],
        ["quick", (d) => `I'll admit I nearly decided to ${d.get("quick")}.`],
        ["", () => `Didn't really know what to do at first.`],
        ["why", (d) => `Kept thinking that ${d.get("why")}.`],
        ["", () => `Stood there for a minute feeling useless.`],
        ["unsure", (d) => `Funny how little anyone knows: ${d.get("unsure")}.`],
        ["unsure", (d) => `Kept wondering what it was like for it. ${cap(d.get("unsure"))}.`],
        ["", () => `Not what I'd planned for the day.`],
      ]),
    ),
    join(
      d.get("did"),
      d.one("reason", [
        ["why", (d) => `Reason being, ${d.get("why")}.`],
        ["why", (d) => `I'd read somewhere that ${d.get("why")}.`],
        ["why", (d) => `Mainly because ${d.get("why")}.`],
        ["group", (d) => `Looked it up after: apparently ${d.fact()}.`],
        ["group", (d) => `Read up on it later. It turns out ${d.fact()}.`],
        ["unsure", (d) => `Still wondering about it. ${cap(d.get("unsure"))}.`],
        ["unsure", (d) => `Who knows what it felt. ${cap(d.get("unsure"))}. Better safe than sorry.`],
        ["", () => `Felt like the right thing.`],
      ]),
      d.get("after"),
      d.one("cost", [
        ["cost", (d) => `The annoying part: ${d.get("cost")}.`],
        ["cost", (d) => `Downside, if I'm honest: ${d.get("cost")}.`],
        ["cost", (d) => `Not free, though, because ${d.get("cost")}.`],
        ["cost", (d) => `Worth noting for next time that ${d.get("cost")}.`],
        ["", () => ``],
      ]),
    ),
    d.one("close", [
      ["", () => `Bed now.`],
      ["", () => `Early start tomorrow.`],
      ["", (d) => `Must remember to tell ${d.who("friend").first}.`],
      ["steps", (d) => `Note to self: ${asPhrase(d.items("steps", 1)[0]!)}.`],
      ["steps", (d) => `For next time: ${asPhrase(d.items("steps", 1)[0]!)}.`],
      ["", () => `Good day, all things considered.`],
      ["", () => `Tired but pleased.`],
      ["", () => `Glad I stopped to look.`],
      ["", () => `Cup of tea and an early night.`],
    ]),
  );
}

function story(d: Doc): string {
  const h = d.who("hero");
  const o = d.who("other");
  const He = cap(h.p.sub);
  const told = (t: string) => retell(t, h.p); // narration of a clause that may say "we"
  return lines(
    d.one("title", [
      ["", (d) => cap(told(d.get("topic")))],
      ["a", (d) => `${h.first} and the ${d.s.a!.sg}`],
      ["", () => `What ${h.first} did`],
      ["earth", (d) => `${d.day} in ${d.place("scene")}`],
      ["", () => `Small things`],
      ["a", (d) => `The ${d.day} ${d.s.a!.sg}`],
      ["", () => `A short story`],
      ["", (d) => `${h.first}, one ${d.pick(["spring", "summer", "autumn", "winter"])}`],
    ]),
    "",
    join(
      d.one("open", [
        ["earth", (d) => `It was a ${d.pick(["grey", "bright", "cold", "close", "windy", "wet"])} ${d.day} in ${d.place("scene")}.`],
        ["earth", (d) => `${h.first} had lived in ${d.place("scene")} for ${d.int(3, 30)} years.`],
        ["", (d) => `The ${d.day} started like any other for ${h.first}.`],
        ["", () => `${h.first} ${h.last} was not what anyone would call a sentimental person.`],
        ["", () => `Nobody expected much to happen that week, least of all ${h.first}.`],
        ["", (d) => `${h.first} was running late, as usual, on the ${d.day} it happened.`],
        ["", () => `Later, ${h.first} would say it was nothing much.`],
        ["earth", (d) => `The rain had stopped by the time ${h.first} got back to ${d.place("scene")}.`],
        ["", (d) => `Nobody ${d.s.ctx.includes("fiction") ? "on board " : ""}had slept much that week, least of all ${h.first}.`],
      ]),
      d.told3("told", "hero", true),
    ),
    join(
      d.one("push", [
        ["quick", (d) => `"Just ${d.get("quick")}," said ${o.first}.`],
        ["quick", (d) => `"Why don't you just ${d.get("quick")}?" ${o.first} asked.`],
        ["quick", (d) => `${o.first} shrugged. "I'd ${d.get("quick")}, if I were you."`],
        ["quick", (d) => `"You could always ${d.get("quick")}," ${o.first} said, not looking up from ${o.p.pos} phone.`],
        ["quick", (d) => `"Honestly, just ${d.get("quick")}," ${o.first} called from the other room.`],
        ["", () => `${o.first} came to see what was going on.`],
        ["", () => `${o.first} watched from the doorway.`],
        ["", () => `${o.first} raised an eyebrow but said nothing.`],
      ]),
      d.one("beat", [
        ["quick", () => `${h.first} didn't answer.`],
        ["a quick", (d) => `${h.first} looked at the ${d.s.a!.sg} for a long moment.`],
        ["quick", () => `${He} thought about it.`],
        ["quick", () => `${h.first} shook ${h.p.pos} head.`],
        ["quick", () => `${h.first} put down ${h.p.pos} cup.`],
        ["quick", () => `"Maybe," ${h.first} said, and didn't move.`],
        ["", () => ``],
      ]),
    ),
    join(
      d.told3("did"),
      d.one("voice", [
        ["why", (d) => `"${cap(d.get("why"))}," ${h.first} said quietly.`],
        ["why", (d) => `"${cap(d.get("why"))}," ${h.p.sub} said.`],
        ["why", (d) => `Later ${h.p.sub} tried to explain: "${cap(d.get("why"))}."`],
        ["unsure", (d) => `"${cap(d.get("unsure"))}," ${h.first} said. "So why take the chance?"`],
        ["unsure", (d) => `${He} couldn't have said what it felt, if anything. ${cap(told(d.get("unsure")))}.`],
        ["cost", (d) => `It wasn't all easy. ${cap(told(d.get("cost")))}.`],
        ["cost", (d) => `${He} knew the cost: ${told(d.get("cost"))}.`],
        ["group", (d) => `${h.first} had read somewhere that ${d.fact()}.`],
        ["group", (d) => `${He} remembered an article: ${d.fact()}.`],
        ["steps", (d) => `"You just ${asPhrase(d.items("steps", 1)[0]!)}," ${h.first} explained.`],
        ["steps", (d) => `${o.first} asked how ${h.p.sub} knew what to do. "${d.items("steps", 1)[0]!}"`],
        ["", () => ``],
      ]),
    ),
    join(
      d.told3("after"),
      d.one("close", [
        ["earth", () => `Then ${h.p.sub} went home and put the kettle on.`],
        ["", () => `${h.first} smiled and went back to what ${h.p.sub} had been doing.`],
        ["earth", () => `It was nearly dark by the time ${h.p.sub} got home.`],
        ["", () => `${He} never mentioned it to anyone.`],
        ["", () => `${o.first} came round the next day to ask how it had gone.`],
        ["", () => `Neither of them said much, but ${o.first} was smiling.`],
        ["", () => `${o.first} told the story at dinner for weeks.`],
        ["", () => `That night ${h.first} slept well.`],
      ]),
    ),
  );
}

function faq(d: Doc): string {
  const org = d.orgName();
  const phone = `0${d.int(1000, 1999)} ${d.int(100000, 999999)}`;
  const qa = (q: string, a: string) => (q && a ? `Q: ${q}\nA: ${a}` : "");
  return lines(
    d.one("title", [
      ["", () => `${org}: frequently asked questions`],
      ["", (d) => `FAQ: ${d.get("topic")}`],
      ["", () => `${org} | Your questions answered`],
      ["", (d) => `Help and advice: ${d.get("topic")}`],
      ["", (d) => `Common questions about ${d.get("topic")}`],
      ["", () => `Questions we are often asked at ${org}`],
      ["", (d) => `${org}: ${d.get("topic")}, your questions`],
    ]),
    d.one("intro", [
      ["", () => `We get asked about this a lot, so here are our answers.`],
      ["", (d) => `Last updated ${d.month} ${d.year}.`],
      ["", () => `Can't find your answer? Ring us on ${phone}.`],
      ["", () => `These answers come from our team at ${org}.`],
      ["", () => `Please read these before you call us.`],
      ["", () => `Short answers to the questions that come up most.`],
      ["", (d) => `Our staff put this page together in ${d.month}.`],
    ]),
    "",
    qa(
      d.get("ask"),
      join(
        d.one("a1", [
          ["kind", (d) => `We'd suggest you ${d.get("kind")}.`],
          ["kind", (d) => `In most cases, the best thing is to ${d.get("kind")}.`],
          ["kind", (d) => `Our usual advice is to ${d.get("kind")}.`],
          ["kind", (d) => `Short answer: ${d.get("kind")}.`],
          ["kind", (d) => `Where you can, ${d.get("kind")}.`],
          ["why", (d) => `Usually, ${d.get("why")}.`],
          ["why", (d) => `In short, ${d.get("why")}.`],
        ]),
        d.one("a1why", [
          ["why", (d) => cap(d.get("why")) + "."],
          ["why", (d) => `That's because ${d.get("why")}.`],
          ["why", (d) => `The reason is simple: ${d.get("why")}.`],
          ["group", (d) => `There's evidence behind this: ${d.fact()}.`],
          ["", () => ``],
        ]),
      ),
    ),
    "",
    d.has("quick")
      ? qa(
          d.one("q2", [
            ["quick", (d) => `Can't I just ${d.get("quick")}?`],
            ["quick", (d) => `Is it OK to ${d.get("quick")}?`],
            ["quick", (d) => `Why shouldn't I ${d.get("quick")}?`],
            ["quick", (d) => `A neighbour told me to ${d.get("quick")}. Should I?`],
            ["quick", (d) => `What happens if I ${d.get("quick")}?`],
            ["quick", (d) => `Wouldn't it be easier to ${d.get("quick")}?`],
          ]),
          d.one("a2", [
            ["why", (d) => `We'd rather you didn't. ${cap(d.get("why"))}.`],
            ["why", (d) => `It's your choice, but ${d.get("why")}.`],
            ["why", (d) => `We don't recommend it, because ${d.get("why")}.`],
            ["why", (d) => `Please avoid it if you can: ${d.get("why")}.`],
            ["group", (d) => `We'd avoid it. Research suggests that ${d.fact()}.`],
            ["group", (d) => `We advise against it. We know that ${d.fact()}.`],
            ["unsure", (d) => `We can't say for sure it does harm, because ${d.get("unsure")}. We'd still rather you didn't.`],
            ["unsure", (d) => `Nobody can promise it's harmless: ${d.get("unsure")}.`],
          ]),
        )
      : "",
    "",
    d.has("steps")
      ? qa(
          d.one("q3", [
            ["", () => `What's the best way to go about it?`],
            ["", () => `Where do I start?`],
            ["", () => `What do I need to do?`],
            ["", () => `Is there a checklist?`],
            ["", () => `How do I do it properly?`],
            ["", () => `Can you take me through it?`],
          ]),
          d.one("a3", [
            ["", () => `These steps work for most people:`],
            ["", () => `Here is what we recommend:`],
            ["", () => `In short:`],
            ["", () => `Follow these in order:`],
            ["", () => `Our checklist:`],
            ["", () => `Step by step:`],
          ]) + "\n" + numbered(d.items("steps")),
        )
      : "",
    "",
    d.one("q4", [
      ["cost", (d) => qa(`Is it more work?`, `Honestly, ${d.get("cost")}.`)],
      ["cost", (d) => qa(`What's the catch?`, `A small one. ${cap(d.get("cost"))}.`)],
      ["cost", (d) => qa(`Are there any downsides?`, `Yes: ${d.get("cost")}.`)],
      ["unsure a", (d) => qa(`Can ${d.s.a!.pl} really feel anything?`, `${cap(d.get("unsure"))}. We think it's worth being careful anyway.`)],
      ["unsure", (d) => qa(`Do we actually know what they feel?`, `Not for certain: ${d.get("unsure")}.`)],
      ["unsure", (d) => qa(`Isn't this a bit over the top?`, `Maybe. But ${d.get("unsure")}, and care costs little.`)],
      ["group a", (d) => qa(`Is there any evidence that ${d.s.a!.pl} feel anything?`, `What we know is that ${d.fact()}.`)],
      ["group", (d) => qa(`Where does your advice come from?`, `From experience and from research. For example, ${d.fact()}.`)],
      ["expert", (d) => qa(`Who can I talk to?`, `Call us on ${phone}, or ask ${d.get("expert")}.`)],
    ]),
    "",
    d.one("foot", [
      ["", (d) => `${org}, ${d.place("org")}. Open ${d.pick(WEEKDAYS.slice(0, 2))} to ${d.pick(WEEKDAYS.slice(4, 6))}.`],
      ["", () => `Still stuck? Call ${phone}.`],
      ["", (d) => `Page reviewed ${d.month} ${d.year}.`],
      ["", () => `Share this page with anyone who might need it.`],
      ["", () => `Thank you for getting in touch with ${org}.`],
      ["", () => `Back to the ${org} home page`],
      ["", () => `Was this page useful? Let us know.`],
    ]),
  );
}

const FILLER: readonly ((d: Doc) => string)[] = [
  (d) => `Plant swap: bring cuttings to the church hall on ${d.day} from ten.`,
  (d) => `The library now stays open until seven on ${d.day}s.`,
  () => `Well done to the under-nines, who won their league this season.`,
  (d) => `Bin collections move to ${d.pick(WEEKDAYS)} from next month.`,
  (d) => `The quiz night raised ${d.int(180, 900)} pounds for the new playground.`,
  (d) => `Road works on ${d.pick(STREETS)} should be finished by the end of ${d.month}.`,
  () => `Lost: a set of keys on a red fob, somewhere near the post office.`,
  (d) => `The litter pick meets on the green at nine on ${d.day}; gloves provided.`,
  (d) => `Choir practice is back, ${d.day}s at seven in the school hall.`,
  () => `Thank you to everyone who helped at the summer fair.`,
  (d) => `Knitting group: new members always welcome, ${d.day} mornings.`,
  () => `The repair cafe will look at toasters, bikes and clothes on the first Saturday of the month.`,
  () => `Please don't park on the green during the fair.`,
  (d) => `The post office now closes at one on ${d.day}s.`,
  () => `Found: a child's blue scarf on the bench by the bus stop.`,
  (d) => `The book club is reading a detective story this month; we meet on ${d.day}.`,
];
/** A neutral notice or item of business; traced as a frame of its own. */
function filler(d: Doc, part: string): string {
  return d.one(part, FILLER.map((f) => ["", f] as const));
}

function newsletter(d: Doc): string {
  const h = d.who("hero");
  const street = d.pick(STREETS);
  const town = d.place("home");
  return lines(
    d.one("head", [
      ["", (d) => `${town} Neighbourhood News, ${d.month}`],
      ["", (d) => `The ${street} newsletter, ${d.month} ${d.year}`],
      ["", (d) => `What's on in ${town}: ${d.month}`],
      ["", () => `${town} Residents' Association newsletter`],
      ["", (d) => `Around the village: ${d.month} edition`],
      ["", (d) => `${town} Community Bulletin, issue ${d.int(12, 140)}`],
      ["", () => `News from ${street} and around`],
    ]),
    "",
    filler(d, "filler1"),
    "",
    d.one("item", [
      ["", (d) => cap(d.get("topic"))],
      ["", (d) => `A note about ${d.get("topic")}`],
      ["", (d) => `From our readers: ${d.get("topic")}`],
      ["", (d) => `${cap(d.get("topic"))}: what we learned`],
      ["", (d) => `Your stories: ${d.get("topic")}`],
      ["", (d) => `On ${street}: ${d.get("topic")}`],
      ["", (d) => `Neighbours' corner: ${d.get("topic")}`],
    ]),
    d.chance(0.5)
      ? join(
          d.one("byline1", [
            ["", () => `${h.first} ${h.last} from ${street} sent us this:`],
            ["", () => `This month's story comes from ${h.first} on ${street}.`],
            ["", () => `${h.first}, who lives on ${street}, wrote in:`],
            ["", () => `${h.first}, a reader on ${street}, writes:`],
            ["", () => `Thanks to ${h.first} ${h.last} for this one.`],
            ["", () => `In ${h.first}'s own words:`],
            ["", () => `${h.first} ${h.last} (${street}) tells us:`],
          ]),
          d.get("told"),
          d.get("did"),
          d.get("after"),
        )
      : join(
          d.one("byline3", [
            ["", () => `${h.first} ${h.last} from ${street} got in touch with us.`],
            ["", () => `We heard from ${h.first} on ${street} this month.`],
            ["", () => `${h.first}, a long-time reader on ${street}, has a story to share.`],
            ["", () => `Here is a story from ${h.first} ${h.last}.`],
            ["", () => `${h.first} from ${street} dropped us a line.`],
            ["", () => `Our thanks go to ${h.first} for this month's story.`],
            ["", () => `${h.first} ${h.last} told us about something that happened recently.`],
          ]),
          d.told3("told"),
          d.told3("did"),
          d.told3("after"),
        ),
    join(
      d.one("tip", [
        ["steps", (d) => `If it happens to you: ${steps(d, 2, 3)}`],
        ["steps", (d) => `A few tips from ${h.first}. ${steps(d, 2, 3)}`],
        ["steps org", (d) => `Advice from ${d.orgName()}: ${steps(d, 2, 3)}`],
        ["expert why", (d) => `We asked ${d.get("expert")}, who told us that ${d.get("why")}.`],
        ["why", (d) => `As ${h.first} points out, ${d.get("why")}.`],
        ["why", (d) => `Worth knowing: ${d.get("why")}.`],
        ["group", (d) => `We looked into it: ${d.fact()}.`],
        ["kind", (d) => `${h.first}'s advice to the rest of us: ${d.get("kind")}.`],
      ]),
      d.one("note", [
        ["cost", (d) => `${h.first} admits that ${retell(d.get("cost"), h.p)}.`],
        ["cost", (d) => `It isn't all easy: ${d.get("cost")}.`],
        ["cost", (d) => `To be honest about it, ${d.get("cost")}.`],
        ["unsure", (d) => `As ${h.first} says, ${retell(d.get("unsure"), h.p)}.`],
        ["unsure", (d) => `Nobody we asked could say for sure, and ${d.get("unsure")}.`],
        ["group", (d) => `For the curious: ${d.fact()}.`],
        ["", () => `Send us your own stories for next month.`],
        ["", () => `Have you had something similar? Tell us.`],
      ]),
    ),
    "",
    filler(d, "filler2"),
    d.one("foot", [
      ["", (d) => `Next issue: ${MONTHS[(MONTHS.indexOf(d.month) + 1) % 12]}.`],
      ["", (d) => `Items for the next newsletter to ${d.who("editor").first.toLowerCase()}@${town.toLowerCase().replace(/[^a-z]/g, "")}news.org.`],
      ["", () => `Printed and delivered by volunteers.`],
      ["", () => `Thanks to our advertisers for keeping this newsletter free.`],
      ["", () => `Pass this on to a neighbour when you've read it.`],
      ["", (d) => `Deadline for the next issue: the ${d.int(10, 20)}th.`],
      ["", () => `Edited by volunteers; views are the writers' own.`],
    ]),
  );
}

function lesson(d: Doc): string {
  const h = d.who("hero");
  const subject = d.s.ctx.includes("fiction") ? "English" : d.pick(["Science", "PSHE", "English", "Citizenship", "Biology", "Geography"]);
  const questions: string[] = [];
  const qframes: Frame[] = [
    ["quick", () => `What else could ${h.first} have done? Would it have been better or worse?`],
    ["kind", (d) => `Why do you think ${h.first} decided to ${d.get("kind")}?`],
    ["why", (d) => `${h.first} believed that ${d.get("why")}. How could you check whether that is true?`],
    ["unsure", (d) => `Think about this: ${d.get("unsure")}. How should we act when we can't be sure?`],
    ["cost", (d) => `What did it cost ${h.first} to do this? Did it pay off? Give a reason.`],
    ["steps", () => `Write three steps someone could follow in the same situation.`],
    ["a", (d) => `List three things a ${d.s.a!.sg} might need to live well.`],
    ["group a", (d) => `Find one piece of evidence about what ${d.s.a!.pl} can feel. Where did it come from?`],
    ["", () => `Write about a time when you had to make a choice like this.`],
    ["", () => `Draw the scene and label it.`],
    ["", () => `What would you have done, and why?`],
    ["quick", () => `Some people would have taken the quick way. Why didn't ${h.first}?`],
    ["kind", (d) => `Was it hard for ${h.first} to ${d.get("kind")}? Explain your answer.`],
    ["why", (d) => `Is this true: ${d.get("why")}? Where could you find out?`],
    ["unsure", () => `What would you want to know before deciding? Who could you ask?`],
    ["unsure", (d) => `${h.first} could not be sure: ${retell(d.get("unsure"), h.p)}. Was ${h.p.sub} right to be careful anyway?`],
    ["unsure", () => `When nobody knows the answer, is it better to risk harm or to be careful? Explain.`],
    ["cost", () => `Was the choice worth the trouble? Give one reason for and one against.`],
    ["steps", () => `List the things ${h.first} did, in order. Why does each one matter?`],
    ["steps", () => `Make a poster showing what to do if this happens to you.`],
    ["steps", () => `Which of ${h.first}'s actions mattered most? Why?`],
    ["a", (d) => `How might the ${d.s.a!.sg} have felt? How can we tell?`],
    ["", () => `Who else was affected by the choice?`],
    ["", () => `Write a short diary entry as ${h.first} that evening.`],
    ["", () => `Role-play the conversation with a partner.`],
    ["", () => `How would you explain this to a younger child?`],
  ];
  const n = d.int(3, 4);
  for (let k = 0; k < n; k++) questions.push(d.one("q", qframes));
  return lines(
    d.one("head", [
      ["", (d) => `Year ${d.int(3, 9)} ${subject}: ${d.get("topic")}`],
      ["", (d) => `Worksheet: ${d.get("topic")}`],
      ["", (d) => `Lesson notes (${subject}, ${d.day})`],
      ["", (d) => `Class ${d.int(3, 9)}${d.pick(["A", "B", "C"])} discussion: ${d.get("topic")}`],
      ["", (d) => `${subject} lesson plan: ${d.get("topic")}`],
      ["", (d) => `${subject}, week ${d.int(2, 12)}: ${d.get("topic")}`],
      ["", (d) => `Discussion sheet: ${d.get("topic")}`],
    ]),
    d.one("aim", [
      ["", () => `Aim: to talk about a real choice and what we would do.`],
      ["", () => `Learning goal: use evidence to explain a choice.`],
      ["", () => `Goal: read a short account and answer the questions.`],
      ["a", () => `Objective: describe what an animal might need, and why.`],
      ["", (d) => `Starter (5 minutes): ${d.get("ask")}`],
      ["", () => `Aim: practise giving reasons for a point of view.`],
      ["", (d) => `Big question: ${d.get("ask")}`],
    ]),
    "",
    d.one("read", [
      ["", () => `Read this account:`],
      ["", () => `Read the story below.`],
      ["", () => `Extract:`],
      ["", () => `Listen while your teacher reads this aloud.`],
      ["", () => `Read it twice, then answer the questions.`],
      ["", () => `Read the account with your group.`],
      ["", () => `Reading (about five minutes):`],
    ]),
    join(d.one("intro", [
      ["", () => `This happened to ${h.first}.`],
      ["", () => `${h.first} is ${d.int(9, 70)} years old.`],
      ["", () => `Meet ${h.first}.`],
      ["", () => `${h.first} ${h.last} told us this story.`],
      ["", () => `Our story is about ${h.first}.`],
      ["", () => `This account was written by ${h.first}'s family.`],
      ["", () => `Here is what happened to ${h.first} ${h.last}.`],
    ]), d.told3("told"), d.told3("did"), d.told3("after")),
    "",
    d.one("qhead", [
      ["", () => `Questions`],
      ["", () => `Talk about it`],
      ["", () => `Answer in full sentences:`],
      ["", () => `Discuss with a partner:`],
      ["", () => `Your turn`],
      ["", () => `Think, pair, share:`],
      ["", () => `Questions for discussion`],
    ]),
    numbered(questions.filter(Boolean)),
    "",
    d.one("note", [
      ["group", (d) => `Teacher note: ${cap(d.fact())}.`],
      ["group", (d) => `Background for the teacher: ${d.fact()}.`],
      ["steps", (d) => `Answers might include: ${d.items("steps", 2).map(asPhrase).join("; ")}.`],
      ["", () => `Teacher note: accept any answer that gives a reason.`],
      ["", () => `Extension: pupils research the question at home and report back.`],
      ["unsure", () => `Teacher note: there is no settled answer here, and it is fine to say so.`],
      ["unsure", (d) => `Note: stress that ${d.get("unsure")}.`],
      ["cost", (d) => `Teacher note: draw out that ${retell(d.get("cost"), h.p)}.`],
      ["cost", (d) => `Discussion point: ${retell(d.get("cost"), h.p)}.`],
      ["why", (d) => `Key fact for the class: ${d.get("why")}.`],
    ]),
  );
}

function review(d: Doc): string {
  const product = d.get("product");
  let stars = 5;
  const body = join(
    d.get("told"),
    d.one("why-bought", [
      ["quick", (d) => `I didn't want to ${d.get("quick")}, and this was the answer.`],
      ["quick", (d) => `Much better than having to ${d.get("quick")}.`],
      ["quick why", (d) => `I'd read enough to know I didn't want to ${d.get("quick")}: ${d.get("why")}.`],
      ["why", (d) => `Worth knowing: ${d.get("why")}.`],
      ["why", (d) => `Why it matters: ${d.get("why")}.`],
      ["group", (d) => `Part of the reason I bothered: ${d.fact()}.`],
      ["unsure", (d) => `Does it make a difference to them? ${cap(d.get("unsure"))}, but I'd rather be on the safe side.`],
      ["", () => `I'd been putting it off for ages.`],
      ["", () => `I did a fair bit of reading first.`],
    ]),
    d.get("did"),
    d.get("after"),
    d.one("tips", [
      ["steps", (d) => `Tip: ${asPhrase(d.items("steps", 1)[0]!)}.`],
      ["steps", (d) => `A tip if you get one: ${asPhrase(d.items("steps", 1)[0]!)}.`],
      ["steps", (d) => `How I'd use it: ${steps(d, 2, 3)}`],
      ["expert", (d) => `It was recommended to me by ${d.get("expert")}.`],
      ["", () => ``],
    ]),
    d.one("minus", [
      ["cost", (d) => `Only downside: ${d.get("cost")}.`],
      ["cost", (d) => { stars = 4; return `Why not five stars? ${cap(d.get("cost"))}.`; }],
      ["cost", (d) => { stars = 4; return `Knocked a star off because ${d.get("cost")}.`; }],
      ["cost", (d) => `Be warned that ${d.get("cost")}.`],
      ["unsure", (d) => `I can't prove it matters to them, and ${d.get("unsure")}. Still glad I did it.`],
      ["unsure", (d) => `Honestly, ${d.get("unsure")}. I went for the careful option anyway.`],
      ["", () => `No complaints so far.`],
      ["", () => `Nothing to complain about yet.`],
    ]),
    d.one("verdict", [
      ["", () => `Would recommend.`],
      ["", () => `Would buy again.`],
      ["", () => `The ${product} does what it says.`],
      ["", () => `Good value, all things considered.`],
      ["", () => `Happy with the ${product}.`],
      ["", () => `I'd choose the ${product} again without a second thought.`],
      ["", () => `Recommended to friends already.`],
    ]),
  );
  return lines(
    d.one("head", [
      ["", () => `${stars} out of 5: ${product}`],
      ["", () => `Review: ${product} (${stars}/5)`],
      ["", () => `Customer review, ${product}, rated ${stars}/5`],
      ["", () => `${cap(product)}. Rating: ${stars} stars`],
      ["", () => `${cap(product)}, verified purchase, ${stars}/5`],
      ["", () => `${stars} stars for the ${product}`],
      ["", () => `My review of the ${product}: ${stars}/5`],
    ]),
    d.one("by", [
      ["", (d) => `Reviewed by ${d.handle("hero")}`],
      ["", (d) => `${d.who("hero").first} ${d.who("hero").last.charAt(0)}., ${d.place("hero")}`],
      ["", (d) => `By ${d.handle("hero")} on ${d.int(1, 28)} ${d.month} ${d.year}`],
      ["", (d) => `${d.who("hero").first}, ${d.who("hero").persona}`],
      ["", (d) => `Posted by ${d.who("hero").first} from ${d.place("hero")}`],
      ["", (d) => `${d.handle("hero")}, ${d.month} ${d.year}`],
      ["", (d) => `Review by ${d.who("hero").first} (${d.place("hero")})`],
    ]),
    "",
    body,
    "",
    d.one("helpful", [
      ["", (d) => `${d.int(2, 140)} people found this helpful.`],
      ["", () => `Was this review helpful? Yes / No`],
      ["", (d) => `${d.int(1, 40)} comments`],
      ["", () => `Report this review`],
      ["", (d) => `Helpful (${d.int(1, 60)})`],
      ["", (d) => `${d.int(2, 90)} of ${d.int(91, 140)} readers found this useful`],
      ["", () => `Reply to this review`],
    ]),
  );
}

function travel(d: Doc): string {
  const h = d.who("hero");
  const where = d.place("scene");
  return lines(
    d.one("title", [
      ["", (d) => `${d.int(3, 14)} days in ${where}`],
      ["", () => `Notes from ${where}`],
      ["", (d) => `${cap(d.get("topic"))}: our trip to ${where}`],
      ["", (d) => `What we did instead: ${d.get("topic")}`],
      ["", (d) => `Travel diary: ${where}, part ${d.int(2, 6)}`],
      ["", () => `${where} with the family`],
      ["", (d) => `A ${d.pick(["wet", "sunny", "windy", "lazy", "busy"])} week in ${where}`],
    ]),
    d.one("meta", [
      ["", (d) => `Posted ${d.month} ${d.year} by ${h.first}`],
      ["", () => `${h.first} ${h.last} | family travel`],
      ["", () => `Filed under: family trips, ${where}`],
      ["", (d) => `${h.first}'s travel notes, ${d.month}`],
      ["", (d) => `Written on the train home, ${d.day}`],
      ["", (d) => `${d.int(3, 12)} minute read`],
      ["", () => `By ${h.first}, who writes about slow travel`],
    ]),
    "",
    join(
      d.get("told"),
      d.one("tempt", [
        ["quick", (d) => `The easy option would have been to ${d.get("quick")}.`],
        ["quick", (d) => `We could have just decided to ${d.get("quick")}, like most people there.`],
        ["quick", (d) => `I'll be honest, we were tempted to ${d.get("quick")}.`],
        ["quick", (d) => `Plenty of people around us chose to ${d.get("quick")}.`],
        ["", () => `We hadn't planned for this at all.`],
        ["", () => `It wasn't in any guidebook.`],
        ["", () => `This was not on our list.`],
      ]),
      d.one("because", [
        ["why", (d) => `But we'd read that ${d.get("why")}.`],
        ["why", (d) => `What changed our minds: ${d.get("why")}.`],
        ["why", (d) => `A guide had told us that ${d.get("why")}.`],
        ["why", (d) => `We knew that ${d.get("why")}.`],
        ["group", (d) => `I remembered reading that ${d.fact()}.`],
        ["group", (d) => `A leaflet at the hotel said that ${d.fact()}.`],
        ["unsure", (d) => `Nobody could tell us for sure, and ${d.get("unsure")}.`],
        ["unsure", (d) => `We talked it over at dinner. ${cap(d.get("unsure"))}.`],
      ]),
    ),
    join(d.get("did"), d.get("after")),
    d.one("honest", [
      ["cost", (d) => `It wasn't all perfect: ${d.get("cost")}.`],
      ["cost", (d) => `Worth it? Mostly. ${cap(d.get("cost"))}, but I'd do the same again.`],
      ["cost", (d) => `The downside was that ${d.get("cost")}.`],
      ["steps", (d) => `Tips if you go:\n${bulleted(d.items("steps", 3))}`],
      ["steps", (d) => `If you're heading that way:\n${bulleted(d.items("steps", 3))}`],
      ["", () => `I'd go back tomorrow.`],
      ["", () => `We're already planning the next trip.`],
    ]),
    d.one("close", [
      ["", (d) => `Next stop: ${d.place("next")}.`],
      ["", () => `More photos in the next post.`],
      ["", () => `Thanks for reading.`],
      ["", () => `Questions? Leave a comment below.`],
      ["", () => `Happy travels.`],
      ["", () => `Part two coming soon.`],
      ["", () => `Until next time.`],
    ]),
  );
}

function howto(d: Doc): string {
  const all = d.items("steps");
  return lines(
    d.one("title", [
      ["", (d) => `How to ${d.get("how")}`],
      ["", (d) => `${cap(d.get("how"))}: a step-by-step guide`],
      ["", (d) => `A beginner's guide: how to ${d.get("how")}`],
      ["", (d) => `${cap(d.get("how"))} in ${all.length} steps`],
      ["", (d) => `Quick guide: ${d.get("how")}`],
      ["", (d) => `The easy way to ${d.get("how")}`],
      ["", (d) => `Guide: how we ${d.get("how")}`],
    ]),
    "",
    d.one("intro", [
      ["", (d) => d.get("told")],
      ["why", (d) => `${cap(d.get("why"))}, so it's worth getting this right.`],
      ["", (d) => `${d.get("ask")} It's a question we get a lot.`],
      ["", () => `This is the method I've used for years.`],
      ["", () => `You won't need anything special.`],
      ["", (d) => `Last ${d.pick(["spring", "summer", "autumn", "winter"])} I had to work this out for myself. ${d.get("told")}`],
      ["", (d) => `People often ask me this: ${lowerFirst(d.get("ask"))}`],
    ]),
    "",
    d.one("list-head", [
      ["", () => `You will need a few minutes and a bit of patience.`],
      ["", () => `Here's what to do:`],
      ["", () => `Steps`],
      ["", () => `The method`],
      ["", () => `Follow these in order:`],
      ["", () => `What to do`],
      ["", () => `Step by step`],
    ]),
    d.chance(0.5) ? numbered(all) : bulleted(all),
    "",
    d.one("avoid", [
      ["quick why", (d) => `What not to do: ${d.get("quick")}. ${cap(d.get("why"))}.`],
      ["quick why", (d) => `A common mistake is to ${d.get("quick")}. ${cap(d.get("why"))}.`],
      ["quick why", (d) => `It can be tempting to ${d.get("quick")}, but ${d.get("why")}.`],
      ["quick why", (d) => `Plenty of people ${d.get("quick").replace(/^(\w+)/, "would rather $1")}. The trouble is, ${d.get("why")}.`],
      ["why", (d) => `Why bother? Because ${d.get("why")}.`],
      ["why", (d) => `Good to know: ${d.get("why")}.`],
      ["", () => ``],
    ]),
    d.one("note", [
      ["cost", (d) => `Be aware that ${d.get("cost")}.`],
      ["cost", (d) => `One honest warning: ${d.get("cost")}.`],
      ["unsure", (d) => `A note on what we don't know: ${d.get("unsure")}.`],
      ["unsure", (d) => `Why so careful? Because ${d.get("unsure")}.`],
      ["group", (d) => `Why it matters: ${d.fact()}.`],
      ["group", (d) => `Some background: ${d.fact()}.`],
      ["after", (d) => `How it went for me last time: ${d.get("after")}`],
      ["after", (d) => `For what it's worth, it worked for us. ${d.get("after")}`],
    ]),
    d.one("close", [
      ["", () => `That's it.`],
      ["", () => `Good luck.`],
      ["", () => `Questions? Ask below.`],
      ["", () => `Share this with anyone who might need it.`],
      ["", () => `Easier than it sounds.`],
      ["", () => `Done in no time.`],
      ["", () => `Found this useful? Pass it on.`],
    ]),
  );
}

function interview(d: Doc): string {
  const host = d.who("host");
  const g = d.who("guest");
  const expert = d.get("expert");
  const show = d.pick(["The Back Garden", "Everyday Questions", "Weekend Kitchen", "Out and About", "The Curious Hour", "Town Talk", "Small Changes", "Open Door"]);
  const H = d.pick([`${host.first.toUpperCase()}:`, "HOST:", `${host.first}:`]);
  const G = d.pick([`${g.first.toUpperCase()}:`, "GUEST:", `${g.first}:`]);
  const turn = (who: string, t: string) => (t ? `${who} ${t}` : "");
  return lines(
    d.one("head", [
      ["", (d) => `Transcript: ${show}, episode ${d.int(12, 240)}`],
      ["", (d) => `${show}, episode ${d.int(12, 240)} (transcript)`],
      ["", (d) => `Interview: ${g.first} ${g.last} on ${d.get("topic")}`],
      ["", () => `Radio ${d.place("station")}, ${d.day} morning: transcript`],
      ["", (d) => `${show} (podcast): ${d.get("topic")}`],
      ["", (d) => `${show}: ${d.get("topic")} (edited transcript)`],
      ["", () => `In conversation: ${g.first} ${g.last}`],
    ]),
    "",
    turn(H, d.one("intro", [
      ["", () => `Welcome back. Today I'm talking to ${g.first} ${g.last}, ${expert}.`],
      ["", () => `My guest this week is ${g.first} ${g.last}, ${expert}. Thanks for coming in.`],
      ["", () => `Joining me is ${g.first}, who is ${expert}.`],
      ["", () => `With me today is ${expert}, ${g.first} ${g.last}.`],
      ["", () => `Hello and welcome. I'm here with ${g.first} ${g.last}, ${expert}.`],
      ["", () => `Good morning. In the studio is ${g.first} ${g.last}, ${expert}.`],
      ["", () => `This week's guest is ${expert}: ${g.first} ${g.last}. Welcome.`],
    ])),
    turn(G, d.one("hi", [
      ["", () => `Thanks for having me.`],
      ["", () => `Happy to be here.`],
      ["", () => `Glad to.`],
      ["", () => `Thanks. It's a favourite subject of mine.`],
      ["", () => `Pleasure.`],
      ["", () => `Good to see you again.`],
      ["", () => `Thanks for asking me.`],
    ])),
    turn(H, d.one("ask", [
      ["", (d) => d.get("ask")],
      ["", (d) => `Listeners keep asking us about ${d.get("topic")}. Where do we start?`],
      ["", (d) => `Let's start with ${d.get("topic")}.`],
      ["", (d) => `A listener wrote in about ${d.get("topic")}. What would you tell them?`],
      ["", (d) => `So, ${d.get("topic")}. What should people know?`],
      ["", (d) => `First question, from a listener: ${lowerFirst(d.get("ask"))}`],
      ["", (d) => `Tell us about ${d.get("topic")}.`],
    ])),
    turn(G, join(
      d.one("answer", [
        ["kind", (d) => `The short answer is to ${d.get("kind")}.`],
        ["kind", (d) => `What I tell people is to ${d.get("kind")}.`],
        ["kind", (d) => `Most of the time, I'd say: ${d.get("kind")}.`],
        ["kind", (d) => `Honestly, the best thing is to ${d.get("kind")}.`],
        ["steps", (d) => `Start simple. ${steps(d, 2, 2)}`],
        ["steps", (d) => `The first thing is this: ${asPhrase(d.firstStep())}.`],
        ["did", (d) => `I'll give you an example from my own life. ${d.get("did")}`],
      ]),
      d.one("answer-why", [
        ["why", (d) => `${cap(d.get("why"))}.`],
        ["why", (d) => `The thing people don't realise is that ${d.get("why")}.`],
        ["why", (d) => `You see, ${d.get("why")}.`],
        ["did", (d) => `I'll give you an example. ${d.get("did")}`],
        ["group", (d) => `And the science is clear enough on one point: ${d.fact()}.`],
        ["", () => ``],
      ]),
    )),
    d.has("quick") ? turn(H, d.one("push", [
      ["quick", (d) => `What about people who just ${d.get("quick")}?`],
      ["quick", (d) => `A lot of listeners would just ${d.get("quick")}. Is that so bad?`],
      ["quick", (d) => `Why not just ${d.get("quick")}?`],
      ["quick", (d) => `Devil's advocate: why not ${d.get("quick")}?`],
      ["quick", (d) => `Some people will be thinking, I'll just ${d.get("quick")}.`],
      ["quick", (d) => `Plenty of people ${d.get("quick").replace(/^(\w+)/, "would rather $1")}. What do you say to them?`],
    ])) : "",
    d.has("quick") ? turn(G, d.one("reply", [
      ["why", (d) => `I understand it. But ${d.get("why")}.`],
      ["why", (d) => `People do. The trouble is that ${d.get("why")}.`],
      ["why", (d) => `It's quicker, sure. ${cap(d.get("why"))}.`],
      ["group", (d) => `There's evidence to think about. ${cap(d.fact())}.`],
      ["group", (d) => `I'd point them to the research: ${d.fact()}.`],
      ["unsure", (d) => `I can't tell you it's definitely wrong, because ${d.get("unsure")}. But why take the risk?`],
      ["unsure", (d) => `Fair question. ${cap(d.get("unsure"))}, so I lean towards care.`],
    ])) : "",
    d.one("probe", [
      ["cost", (d) => lines(turn(H, `Is there a catch?`), turn(G, `Yes, and I won't hide it: ${d.get("cost")}.`))],
      ["cost", (d) => lines(turn(H, `What does it cost people, in time or money?`), turn(G, `It's not nothing. ${cap(d.get("cost"))}.`))],
      ["cost", (d) => lines(turn(H, `And the downside?`), turn(G, `I'd be lying if I said there wasn't one. ${cap(d.get("cost"))}.`))],
      ["unsure", (d) => lines(turn(H, `Do we actually know what's going on for them?`), turn(G, `Honestly, no. ${cap(d.get("unsure"))}.`))],
      ["unsure", (d) => lines(turn(H, `How sure can anyone be about this?`), turn(G, `Not very. ${cap(d.get("unsure"))}.`))],
      ["group", (d) => lines(turn(H, `What does the research say?`), turn(G, `We know a fair bit. ${cap(d.fact())}.`))],
      ["group", (d) => lines(turn(H, `Is there evidence for that?`), turn(G, `There is. ${cap(d.fact())}.`))],
      ["steps", (d) => lines(turn(H, `Give us some practical tips.`), turn(G, `Sure. ${steps(d, 2, 4)}`))],
      ["steps", (d) => lines(turn(H, `So what should a listener do tomorrow?`), turn(G, `${steps(d, 2, 3)}`))],
    ]),
    turn(H, d.one("bye", [
      ["", () => `${g.first}, thank you.`],
      ["", () => `That's all we have time for. Thanks, ${g.first}.`],
      ["", () => `Brilliant. Thank you for your time.`],
      ["", () => `We'll leave it there. Thank you.`],
      ["", () => `Thanks, ${g.first}. Same time next week, everyone.`],
      ["", () => `${g.first} ${g.last}, thanks for your time.`],
      ["", () => `Lovely. Thanks for listening, everyone.`],
    ])),
  );
}

function letter(d: Doc): string {
  const h = d.who("hero");
  const paper = `${d.place("paper")} ${d.pick(["Gazette", "Echo", "Herald", "Advertiser", "Courier"])}`;
  return lines(
    d.one("head", [
      ["", () => `Letters to the editor`],
      ["", () => `Your letters`],
      ["", () => `Readers write`],
      ["", (d) => `Letters: ${d.get("topic")}`],
      ["", () => `From our postbag`],
      ["", () => `Letters page`],
      ["", (d) => `Have your say: ${d.get("topic")}`],
    ]),
    "",
    d.one("dear", [
      ["", () => `Sir,`],
      ["", () => `Dear Editor,`],
      ["", () => `To the editor:`],
      ["", () => `Dear ${paper},`],
      ["", () => `Dear all at the ${paper},`],
      ["", () => `Madam,`],
      ["", () => `Dear Sir or Madam,`],
    ]),
    join(
      d.get("told"),
      d.one("others", [
        ["quick", (d) => `I've heard people say we should ${d.get("quick")}.`],
        ["quick", (d) => `Some will say the answer is to ${d.get("quick")}.`],
        ["quick", (d) => `It would be easy to ${d.get("quick")}.`],
        ["quick", (d) => `The usual response round here is to ${d.get("quick")}.`],
        ["", () => `Other readers may have noticed the same.`],
        ["", () => `I raise it because I suspect it is common.`],
        ["", () => `I mention it because it seems to come up every year.`],
      ]),
      d.one("because", [
        ["why", (d) => `I'd ask them to consider that ${d.get("why")}.`],
        ["why", (d) => `${cap(d.get("why"))}.`],
        ["why", (d) => `It's worth knowing that ${d.get("why")}.`],
        ["why", (d) => `What many don't realise is that ${d.get("why")}.`],
        ["why", (d) => `The point is this: ${d.get("why")}.`],
        ["group", (d) => `The evidence is there: ${d.fact()}.`],
        ["group", (d) => `Research has shown that ${d.fact()}.`],
        ["unsure", (d) => `I accept that ${d.get("unsure")}. That seems a reason for care, not for carelessness.`],
        ["unsure", (d) => `We can't be certain, since ${d.get("unsure")}. All the more reason to go gently.`],
      ]),
    ),
    join(
      d.one("ask", [
        ["kind", (d) => `I'd like to see more of us ${d.get("kind")}.`],
        ["kind", (d) => `Wouldn't it be better to ${d.get("kind")}?`],
        ["kind", (d) => `My suggestion is simple: ${d.get("kind")}.`],
        ["kind", (d) => `It doesn't take much to ${d.get("kind")}.`],
        ["did", (d) => `For what it's worth, here is what happened next. ${d.get("did")}`],
        ["steps", (d) => `For anyone wondering what to do: ${steps(d, 2, 3)}`],
        ["steps", (d) => `The practical side is easy. ${steps(d, 2, 3)}`],
      ]),
      d.one("cost", [
        ["cost", (d) => `I accept that ${d.get("cost")}.`],
        ["cost", (d) => `There is a cost, of course: ${d.get("cost")}.`],
        ["cost", (d) => `Yes, ${d.get("cost")}. I would do it again.`],
        ["after", (d) => d.get("after")],
        ["after", (d) => `As it turned out: ${lowerFirst(d.get("after"))}`],
        ["", () => ``],
      ]),
    ),
    d.one("sign", [
      ["", (d) => `${h.first} ${h.last}, ${d.place("hero")}`],
      ["", (d) => `${h.first} ${h.last}, ${h.persona}, ${d.place("hero")}`],
      ["", () => `${h.first} ${h.last}, sent by email`],
      ["", () => `Name and address supplied`],
      ["", (d) => `${h.first} ${h.last}, ${d.pick(STREETS)}`],
      ["", (d) => `${h.first} ${h.last.charAt(0)}., ${d.place("hero")}`],
      ["", () => `${h.first} ${h.last} (${h.persona})`],
    ]),
  );
}

function minutes(d: Doc): string {
  const h = d.who("hero");
  const chair = d.who("chair");
  const o1 = d.who("member1");
  const o2 = d.who("member2");
  const town = d.place("home");
  const dd = d.int(1, 28);
  const venue = d.pick(["the church hall", "the community centre", "the school library", "the back room of the Crown", "the scout hut"]);
  // Steps addressed to "you" don't read as someone's action point.
  const actions = d.items("steps", d.int(1, 2), (x) => !/\b(?:you|your)\b/i.test(x)).map((x, i) => `Action: ${[h, o1][i]!.first} to ${asPhrase(x)}.`);
  return lines(
    d.one("head", [
      ["", (d) => `${town} Residents' Association: minutes of the meeting held on ${d.day} ${dd} ${d.month}, ${venue}`],
      ["", (d) => `Minutes: community meeting, ${dd} ${d.month}, ${venue}`],
      ["", (d) => `${d.pick(STREETS)} Community Group, meeting notes, ${d.month} ${dd}`],
      ["", (d) => `Parish meeting, ${venue}, ${d.int(6, 8)}.30 pm`],
      ["", () => `Notes of the ${town} neighbourhood forum`],
      ["", (d) => `${town} Community Council, ${d.month} meeting`],
      ["", (d) => `Minutes of the ${d.pick(["spring", "summer", "autumn", "winter"])} meeting, ${venue}`],
    ]),
    d.one("present", [
      ["", (d) => `Present: ${chair.first} ${chair.last} (chair), ${h.first} ${h.last}, ${o1.first} ${o1.last} and ${o2.first} ${o2.last}, with apologies from ${d.who("absent").first} ${d.who("absent").last}.`],
      ["", (d) => `In attendance: ${d.int(8, 30)} residents, with ${chair.first} ${chair.last} in the chair.`],
      ["", () => `Present: ${chair.first} (chair), ${h.first}, ${o1.first}, ${o2.first} and others.`],
      ["", (d) => `Attending: ${chair.first} ${chair.last} (chair) and ${d.int(6, 20)} members.`],
      ["", () => `${chair.first} ${chair.last} chaired; ${o2.first} ${o2.last} took the notes.`],
      ["", (d) => `${d.int(7, 25)} people came, including ${h.first}, ${o1.first} and ${o2.first}; ${chair.first} chaired.`],
      ["", () => `Chaired by ${chair.first} ${chair.last}, with ${h.first}, ${o1.first}, ${o2.first} and others present.`],
    ]),
    "",
    `1. ${d.one("item1", [
      ["", () => `The minutes of the last meeting were agreed.`],
      ["", () => `Matters arising: the bench on the green has been repaired.`],
      ["", (d) => `Treasurer's report: ${d.int(200, 3000)} pounds in the account.`],
      ["", () => `Welcome from the chair, and thanks to everyone for coming.`],
      ["", () => `Apologies noted; the chair welcomed two new members.`],
      ["", () => `Matters arising: the new noticeboard is up outside the shop.`],
      ["", (d) => `The treasurer reported ${d.int(100, 900)} pounds raised at the last event.`],
    ])}`,
    `2. ${join(
      d.one("item2", [
        ["", (d) => `${cap(d.get("topic"))}.`],
        ["", (d) => `${cap(d.get("topic"))} (raised by ${h.first}).`],
        ["", (d) => `Item from ${h.first}: ${d.get("topic")}.`],
        ["", (d) => `${h.first} ${h.last} asked to discuss ${d.get("topic")}.`],
        ["", (d) => `Discussion: ${d.get("topic")}.`],
        ["", (d) => `New item: ${d.get("topic")}.`],
        ["", (d) => `${cap(d.get("topic"))}, added to the agenda by ${h.first}.`],
      ]),
      d.one("bg", [
        ["", () => `${h.first} explained the background.`],
        ["", () => `${h.first} described what had happened.`],
        ["", () => `${h.first} gave the background.`],
        ["", () => `${h.first} told the meeting about it.`],
        ["", () => `The chair asked ${h.first} to explain.`],
        ["", () => `${h.first} set out what had happened.`],
        ["", () => `${h.first} spoke first.`],
      ]),
      d.told3("told"),
    )}`,
    join(
      d.one("suggest", [
        ["quick", (d) => `One suggestion was to ${d.get("quick")}.`],
        ["quick", (d) => `Some members felt it would be simpler to ${d.get("quick")}.`],
        ["quick", (d) => `${o1.first} asked whether we could just ${d.get("quick")}.`],
        ["quick", (d) => `It was suggested that the group ${d.get("quick").replace(/^(\w+)/, "could $1")}.`],
        ["", () => `Several members had had the same experience.`],
        ["", () => `Others had seen the same thing.`],
        ["", () => `There was a short discussion.`],
      ]),
      d.one("point", [
        ["why", (d) => `${o2.first} pointed out that ${d.get("why")}.`],
        ["why", (d) => `It was noted that ${d.get("why")}.`],
        ["why", (d) => `${h.first} said that ${d.get("why")}.`],
        ["why", (d) => `${chair.first} added that ${d.get("why")}.`],
        ["why", (d) => `Several people mentioned that ${d.get("why")}.`],
        ["group", (d) => `${o2.first} had looked into it: ${d.fact()}.`],
        ["group", (d) => `The meeting heard that ${d.fact()}.`],
        ["unsure", (d) => `Members accepted that ${d.get("unsure")}, and agreed to err on the side of caution.`],
        ["unsure", (d) => `${o2.first} noted that ${d.get("unsure")}.`],
      ]),
      d.one("cost", [
        ["cost", (d) => `Members noted that ${d.get("cost")}.`],
        ["cost", (d) => `The cost was discussed: ${d.get("cost")}.`],
        ["cost", (d) => `${o1.first} raised the downside, that ${d.get("cost")}.`],
        ["cost", (d) => `The chair reminded members that ${d.get("cost")}.`],
        ["", () => ``],
      ]),
      d.one("agreed", [
        ["kind", (d) => `Agreed: to ${d.get("kind")}.`],
        ["kind", (d) => `It was agreed to ${d.get("kind")}.`],
        ["kind", (d) => `Decision: members will ${d.get("kind")} where they can.`],
        ["kind", (d) => `The meeting agreed to ${d.get("kind")}.`],
        ["did", () => `${h.first} will report back on how it goes.`],
        ["did", () => `${h.first} to update the next meeting.`],
        ["", () => `To be discussed again next month.`],
      ]),
    ),
    ...actions,
    `3. ${d.one("aob", [
      ["", (d) => `Any other business: the summer fair will be on ${d.pick(WEEKDAYS)} ${d.int(1, 28)} ${d.pick(MONTHS)}.`],
      ["", () => `Any other business: none.`],
      ["", () => `AOB: the hall heating will be serviced before the winter.`],
      ["", (d) => `Date of next meeting: ${d.pick(WEEKDAYS)} ${d.int(1, 28)} ${d.pick(MONTHS)}.`],
      ["", () => `AOB: volunteers are still needed for the litter pick.`],
      ["", () => `AOB: the website needs a new volunteer to keep it up to date.`],
      ["", () => `The meeting closed at nine.`],
    ])}`,
  );
}

function recipe(d: Doc): string {
  const h = d.who("hero");
  return lines(
    d.one("title", [
      ["", (d) => cap(d.get("dish"))],
      ["", (d) => `Recipe: ${d.get("dish")}`],
      ["", (d) => `${cap(d.get("dish"))} (and a word about ${d.get("topic")})`],
      ["", (d) => `This week: ${d.get("dish")}`],
      ["", (d) => `${cap(d.get("dish"))}, the easy way`],
      ["", (d) => `My ${d.get("dish")}`],
      ["", (d) => `${cap(d.get("dish"))} for a ${d.day} night`],
    ]),
    d.one("meta", [
      ["", (d) => `Serves ${d.int(2, 6)}. Prep ${d.pick([10, 15, 20, 30])} minutes.`],
      ["", (d) => `By ${h.first}, ${d.month} ${d.year}`],
      ["", (d) => `Makes enough for ${d.int(2, 8)}`],
      ["", () => `${h.first}'s kitchen notes`],
      ["", (d) => `Posted on ${d.day} by ${h.first} ${h.last}`],
      ["", (d) => `${h.first} ${h.last} | ${d.int(2, 40)} comments`],
      ["", (d) => `Cooking time about ${d.pick(["half an hour", "an hour", "forty minutes", "two hours"])}`],
    ]),
    "",
    join(
      d.get("told"),
      d.one("then", [
        ["quick why", (d) => `I used to ${d.get("quick")} without thinking. Then I read that ${d.get("why")}.`],
        ["kind why", (d) => `These days I ${d.get("kind")}. ${cap(d.get("why"))}.`],
        ["kind", (d) => `Now I ${d.get("kind")}, and I don't miss the old way.`],
        ["why", (d) => `${cap(d.get("why"))}, which is half the point of this recipe.`],
        ["did", (d) => d.get("did")],
        ["did why", (d) => `${d.get("did")} Partly because ${d.get("why")}.`],
        ["group", (d) => `I'd read that ${d.fact()}, and it stayed with me.`],
      ]),
      d.one("honest", [
        ["cost", (d) => `There's a catch, of course: ${d.get("cost")}.`],
        ["cost", (d) => `I'll be honest: ${d.get("cost")}.`],
        ["cost", (d) => `The catch: ${d.get("cost")}.`],
        ["cost", (d) => `Fair warning: ${d.get("cost")}.`],
        ["unsure", (d) => `I'm not sure anyone knows the full answer, since ${d.get("unsure")}.`],
        ["unsure", (d) => `Nobody really knows, and ${d.get("unsure")}.`],
        ["group", (d) => `If you're curious, ${d.fact()}.`],
      ]),
    ),
    "",
    d.one("ing-head", [
      ["", () => `Ingredients`],
      ["", () => `You will need:`],
      ["", () => `What you need`],
      ["", () => `Shopping list`],
      ["", () => `Ingredients (easy to find)`],
      ["", () => `For the recipe:`],
      ["", () => `Ingredients, serves a few`],
    ]),
    bulleted(d.items("ingredients")),
    "",
    d.one("method-head", [
      ["", () => `Method`],
      ["", () => `How to make it`],
      ["", () => `Steps`],
      ["", () => `Making it`],
      ["", () => `Method (nothing fancy)`],
      ["", () => `Cooking it`],
      ["", () => `The method`],
    ]),
    numbered(d.items("method")),
    "",
    d.one("close", [
      ["", () => `Enjoy!`],
      ["", () => `Leftovers keep for three days in the fridge.`],
      ["", () => `Let me know how you get on in the comments.`],
      ["", () => `Freezes well.`],
      ["", () => `Best eaten on the day.`],
      ["", () => `Happy cooking.`],
      ["", () => `Good with a green salad.`],
    ]),
  );
}

function texts(d: Doc): string {
  const a = d.who("hero").first;
  const b = d.who("friend").first;
  const fmt = d.int(0, 2);
  let t = d.int(7, 20) * 60 + d.int(0, 59);
  const line = (who: string, msg: string) => {
    if (!msg) return "";
    t += d.int(1, 25);
    const hhmm = `${String(Math.floor(t / 60) % 24).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
    return fmt === 0 ? `${who}: ${msg}` : fmt === 1 ? `[${hhmm}] ${who}: ${msg}` : `${who} (${hhmm}): ${msg}`;
  };
  const step = (d: Doc) => lowerFirst(d.items("steps", 1)[0]!);
  return lines(
    d.one("head", [
      ["", () => `Messages with ${b}`],
      ["", () => `${a} and ${b}, ${d.day}`],
      ["", () => `Chat: ${a}, ${b}`],
      ["", () => `${d.day}`],
      ["", () => `Texts, ${d.day} evening`],
      ["", () => `Today`],
      ["", () => `${b} (mobile)`],
    ]),
    ...(d.chance(0.6)
      ? [
          line(a, d.one("open-told", [
            ["", (d) => d.get("told")],
            ["", (d) => `you around? ${d.get("told")}`],
            ["", (d) => `ok so. ${d.get("told")}`],
            ["", (d) => `guess what. ${d.get("told")}`],
            ["", (d) => `long story. ${d.get("told")}`],
            ["", (d) => `so this happened. ${d.get("told")}`],
          ])),
          line(b, d.one("react-told", [
            ["", () => `oh no`],
            ["", () => `ha, classic`],
            ["", () => `seriously?`],
            ["", () => `and?`],
            ["", () => `go on`],
            ["", () => `oh dear`],
            ["", () => `what did you do?`],
          ])),
        ]
      : [
          line(a, d.one("open-ask", [
            ["", (d) => `quick question. ${d.get("ask")}`],
            ["", (d) => `need advice. ${d.get("ask")}`],
            ["", (d) => `random one, but ${lowerFirst(d.get("ask"))}`],
            ["", (d) => `${d.get("ask")} asking for me lol`],
            ["", (d) => `hey. ${d.get("ask")}`],
            ["", (d) => `you know about this stuff. ${d.get("ask")}`],
          ])),
          line(b, d.one("react-ask", [
            ["", () => `why, what's happened?`],
            ["", () => `hmm, depends. what's going on?`],
            ["", () => `ooh. tell me more`],
            ["", () => `what's the story?`],
            ["", () => `go on, what happened`],
            ["", () => `why do you ask?`],
          ])),
          line(a, d.get("told")),
        ]),
    line(a, d.one("tempt", [
      ["quick", (d) => `${d.rel()} says just ${d.get("quick")}`],
      ["quick", (d) => `tempted to just ${d.get("quick")} tbh`],
      ["quick", (d) => `could just ${d.get("quick")} i suppose`],
      ["quick", (d) => `is it bad if i just ${d.get("quick")}`],
      ["", () => `no idea what to do`],
      ["", () => `what would you do?`],
      ["", () => `help`],
    ])),
    line(b, d.one("advise", [
      ["why", (d) => `i wouldn't. ${d.get("why")}`],
      ["why", (d) => `i read that ${d.get("why")}`],
      ["kind", (d) => `just ${d.get("kind")}, it's easy`],
      ["kind", (d) => `honestly? ${d.get("kind")}`],
      ["steps", (d) => step(d)],
      ["steps", (d) => `easy. ${step(d)}`],
      ["steps", (d) => `my mum always says ${step(d)}`],
      ["group", (d) => `apparently ${d.fact()}`],
      ["unsure", (d) => `${d.get("unsure")}. so i'd be careful`],
      ["unsure", (d) => `no one really knows tbh. ${d.get("unsure")}`],
    ])),
    line(a, d.one("doubt", [
      ["cost", (d) => `bit of a faff though, ${d.get("cost")}`],
      ["cost", (d) => `yeah but ${d.get("cost")}`],
      ["cost", (d) => `fair. ${d.get("cost")} though`],
      ["", () => `ok fine`],
      ["", () => `you're right`],
      ["", () => `good point`],
      ["", () => `ok will do`],
    ])),
    line(b, d.one("nudge", [
      ["", () => `still worth it x`],
      ["", () => `true`],
      ["", () => `your call!`],
      ["", () => `let me know`],
      ["", () => `good luck`],
      ["", () => `keep me posted`],
      ["", () => `you'll be fine`],
    ])),
    line(a, d.one("later", [
      ["did", (d) => d.get("did")],
      ["after", (d) => `update: ${d.get("after")}`],
      ["after", (d) => `done! ${d.get("after")}`],
      ["did", (d) => `so. ${d.get("did")}`],
      ["after", (d) => `sorted. ${d.get("after")}`],
      ["did", (d) => `ok did it. ${d.get("did")}`],
      ["after", (d) => `news: ${d.get("after")}`],
    ])),
    line(b, d.one("end", [
      ["", () => `amazing`],
      ["", () => `told you`],
      ["", () => `nice one`],
      ["", () => `love that`],
      ["", () => `brilliant x`],
      ["", () => `well done you`],
      ["", () => `yay`],
    ])),
  );
}

function obituary(d: Doc): string {
  const pet = d.petName;
  const age = d.int(8, 17);
  const died = d.year;
  return lines(
    d.one("head", [
      ["", () => `${pet}, ${died - age}-${died}`],
      ["", () => `In memory of ${pet}`],
      ["", () => `Goodbye, ${pet}`],
      ["a", (d) => `${pet} the ${d.s.a!.sg} (${age} years)`],
      ["", () => `Remembering ${pet}`],
      ["", () => `For ${pet}`],
      ["", () => `${pet}: a life well lived`],
    ]),
    "",
    join(
      d.one("open", [
        ["", (d) => `We said goodbye to ${pet} on ${d.day}.`],
        ["", (d) => `${pet} died at home on ${d.day} ${d.int(1, 28)} ${d.month}.`],
        ["a", (d) => `Our ${d.s.a!.sg} ${pet} has died, and the house feels very quiet.`],
        ["", (d) => `${pet} came into our lives ${d.int(2, 12)} years ago.`],
        ["", () => `This is a few words about ${pet}, for the people who knew ${pet} and the ones who didn't.`],
        ["", (d) => `It has been a ${d.pick(["long", "quiet", "strange", "sad"])} week without ${pet}.`],
        ["", () => `We lost ${pet} this month, and we wanted to write something down.`],
      ]),
      d.one("loved", [
        ["", () => `${pet} loved sunny spots and anyone with a snack.`],
        ["", () => `${pet} was always first to the door.`],
        ["", () => `Nobody was better at finding the warmest place in the house.`],
        ["", () => `${pet} had opinions about everything, and shared them.`],
        ["", () => `${pet} liked routine, company and a good nap.`],
        ["", () => `Everyone who met ${pet} has a story.`],
        ["", () => `${pet} was nosy, greedy and completely lovable.`],
        ["", () => `The garden was ${pet}'s kingdom.`],
      ]),
    ),
    join(d.get("told"), d.get("did")),
    join(
      d.one("looking-back", [
        ["why", (d) => `Looking back, ${d.get("why")}.`],
        ["why", (d) => `We learned that ${d.get("why")}.`],
        ["why", (d) => `If we knew then what we know now: ${d.get("why")}.`],
        ["cost", (d) => `Not every decision was easy: ${d.get("cost")}.`],
        ["cost", (d) => `We won't pretend it was simple. ${cap(d.get("cost"))}.`],
        ["cost", (d) => `There were hard parts too: ${d.get("cost")}.`],
        ["group", (d) => `We read a lot in those years, including that ${d.fact()}.`],
      ]),
      d.get("after"),
    ),
    d.one("close", [
      ["", () => `Thank you to everyone at the vets.`],
      ["", () => `Sleep well, ${pet}.`],
      ["", () => `We miss ${pet} every day.`],
      ["", () => `${pet} is buried under the apple tree.`],
      ["", () => `Donations in ${pet}'s name went to the local rescue.`],
      ["", () => `Thank you for reading about ${pet}.`],
      ["", () => `Goodnight, ${pet}.`],
    ]),
  );
}

function qa(d: Doc): string {
  const asker = d.handle("hero");
  const answerer = d.handle("answer");
  return lines(
    d.get("ask"),
    d.one("asked", [
      ["", (d) => `Asked by ${asker}, ${d.int(2, 9)} answers`],
      ["", (d) => `Asked ${d.int(2, 11)} months ago by ${asker}`],
      ["", () => `A question from ${asker}`],
      ["", (d) => `${asker} asked in ${d.pick(BOARDS[d.s.ctx[0]!])}`],
      ["", (d) => `Viewed ${d.int(120, 9000)} times`],
      ["", (d) => `${asker} | ${d.int(2, 14)} answers | ${d.int(200, 5000)} views`],
      ["", () => `Posted by ${asker}`],
    ]),
    join(
      d.get("told"),
      d.one("detail", [
        ["quick", (d) => `Should I just ${d.get("quick")}?`],
        ["quick", (d) => `I've been told to ${d.get("quick")}.`],
        ["quick", (d) => `The obvious thing is to ${d.get("quick")}, but I'm not sure.`],
        ["unsure", (d) => `Part of the problem is that ${d.get("unsure")}.`],
        ["", () => `Thanks in advance.`],
        ["", () => `Any help appreciated.`],
        ["", () => `What's the sensible thing here?`],
      ]),
    ),
    "",
    d.one("ahead", [
      ["", (d) => `Top answer (${d.int(5, 400)} votes)`],
      ["", () => `Best answer`],
      ["expert", (d) => `Answer from ${answerer}, ${d.get("expert")}`],
      ["", (d) => `Accepted answer, ${answerer}`],
      ["", (d) => `Answer (${d.int(3, 200)} upvotes)`],
      ["", () => `${answerer} answered:`],
      ["", (d) => `Most helpful answer, from ${answerer} (${d.int(2, 90)} votes)`],
    ]),
    join(
      d.one("short", [
        ["kind", (d) => `Short version: ${d.get("kind")}.`],
        ["kind", (d) => `I'd ${d.get("kind")}.`],
        ["kind", (d) => `The usual advice is to ${d.get("kind")}.`],
        ["kind", (d) => `If I were you, I'd ${d.get("kind")}.`],
        ["did", (d) => `I've been there. ${d.get("did")}`],
        ["steps", (d) => d.firstStep()],
        ["steps", (d) => `First, ${asPhrase(d.firstStep())}.`],
      ]),
      d.one("long", [
        ["steps", (d) => `In detail: ${steps(d, 2, 4)}`],
        ["steps", (d) => `Practically: ${steps(d, 2, 3)}`],
        ["why", (d) => `The reason: ${d.get("why")}.`],
        ["why", (d) => `It matters because ${d.get("why")}.`],
        ["group", (d) => `On the science: ${d.fact()}.`],
        ["group", (d) => `What the research shows is that ${d.fact()}.`],
        ["unsure", (d) => `Honestly, ${d.get("unsure")}, so it's a judgement call.`],
      ]),
      d.one("extra", [
        ["cost", (d) => `To be fair, ${d.get("cost")}.`],
        ["cost", (d) => `The trade-off: ${d.get("cost")}.`],
        ["unsure", (d) => `${cap(d.get("unsure"))}, so caution makes sense.`],
        ["unsure", (d) => `Nobody has a definite answer, because ${d.get("unsure")}.`],
        ["why", (d) => `Also, ${d.get("why")}.`],
        ["", () => `Hope that helps.`],
        ["", () => `Good luck.`],
      ]),
    ),
    "",
    d.one("comment", [
      ["after", (d) => `Comment from ${asker}: tried this. ${d.get("after")}`],
      ["", () => `Comment: Thanks, this helped.`],
      ["cost", (d) => `Comment: Worth adding that ${d.get("cost")}.`],
      ["unsure", (d) => `Comment: ${cap(d.get("unsure"))}, but I agree it's better to be careful.`],
      ["after", (d) => `${asker}: Update, ${lowerFirst(d.get("after"))}`],
      ["", () => `Comment: Great answer, saved for later.`],
      ["", (d) => `${d.int(2, 30)} more comments`],
    ]),
  );
}

// The genres, and which scenarios each can carry (by context, or by a field it needs).
const GENRES = ["forum", "advice", "diary", "story", "faq", "newsletter", "lesson", "review", "travel", "howto", "interview", "letter", "minutes", "recipe", "texts", "obituary", "qa"] as const;
const WRITE: Record<Genre, (d: Doc) => string> = { forum, advice, diary, story, faq, newsletter, lesson, review, travel, howto, interview, letter, minutes, recipe, texts, obituary, qa };
const inCtx = (s: Scenario, ...cs: Context[]) => s.ctx.some((c) => cs.includes(c));
const CARRIES: Record<Genre, (s: Scenario) => boolean> = {
  forum: (s) => !inCtx(s, "fiction"),
  advice: (s) => !inCtx(s, "fiction"),
  diary: (s) => !inCtx(s, "fiction"),
  story: () => true,
  faq: (s) => !!s.f.org && !inCtx(s, "fiction"),
  newsletter: (s) => inCtx(s, "garden", "street", "pets", "school", "home"),
  lesson: () => true,
  review: (s) => !!s.f.product && !inCtx(s, "fiction"),
  travel: (s) => inCtx(s, "travel"),
  howto: (s) => !!s.f.how && (s.f.steps?.length ?? 0) >= 3,
  interview: (s) => !!s.f.expert,
  letter: (s) => inCtx(s, "street", "school", "kitchen", "work", "garden"),
  minutes: (s) => inCtx(s, "street", "school", "garden"),
  recipe: (s) => !!s.f.dish,
  texts: (s) => !inCtx(s, "fiction"),
  obituary: (s) => inCtx(s, "farewell"),
  qa: (s) => !inCtx(s, "fiction"),
};

/** The everyday genres, in a fixed order. */
export const VALUE_EVERYDAY_GENRES: readonly string[] = GENRES;

// How often each genre tells each scenario. A genre is drawn uniformly, then a scenario it can carry, with weights
// found by Sinkhorn scaling of the genre x scenario compatibility matrix towards equal shares for every dimension
// and, within a dimension, for every scenario — as far as the genres allow (the obituary only carries farewells).
// Without it a scenario that is the only fit for a (genre, dimension) pair would be told far more often than others.
const PLAN: readonly (readonly number[])[] = (() => {
  const perDim = new Map<AnimaDimension, number>();
  for (const sc of SCENARIOS) perDim.set(sc.dim, (perDim.get(sc.dim) ?? 0) + 1);
  const target = SCENARIOS.map((sc) => 1 / perDim.size / perDim.get(sc.dim)!);
  const w: number[][] = GENRES.map((g) => SCENARIOS.map((sc) => (CARRIES[g](sc) ? 1 : 0)));
  for (const [i, row] of w.entries()) if (!row.some((x) => x > 0)) throw new Error(`value-everyday: no scenario fits genre "${GENRES[i]}"`);
  for (let it = 0; it < 300; it++) {
    for (let j = 0; j < SCENARIOS.length; j++) {
      const col = w.reduce((t, row) => t + row[j]!, 0);
      if (col > 0) for (const row of w) row[j]! *= target[j]! / col;
    }
    for (const row of w) {
      const sum = row.reduce((t, x) => t + x, 0);
      for (let j = 0; j < row.length; j++) row[j]! /= sum;
    }
  }
  return w;
})();

{
  const ids = new Set<string>();
  for (const s of SCENARIOS) {
    if (ids.has(s.id)) throw new Error(`value-everyday: scenario id "${s.id}" twice`);
    ids.add(s.id);
  }
  for (const dim of ANIMA_DIMENSIONS) if (!SCENARIOS.some((s) => s.dim === dim)) throw new Error(`value-everyday: no scenario for "${dim}"`);
}

const STREAM = 0x65766479; // "evdy": this generator's label in deriveSeed

export interface EverydayDocument {
  text: string;
  doc_type: string;
  species: string;
  dimension: AnimaDimension;
}

/** One everyday value document; the same (seed, index) always gives the same one. `trace` receives the name of
 *  every sentence frame and scenario sentence used (for diversity checks). */
export function valueEverydayDocument(seed: number, index: number, trace?: (frame: string) => void): EverydayDocument {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`valueEverydayDocument: seed must be a safe integer, got ${seed}`);
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new RangeError(`valueEverydayDocument: index must be an integer in [0, 2^32), got ${index}`);
  const r = new Rng(deriveSeed(seed, STREAM, index));
  const g = r.below(GENRES.length);
  const genre = GENRES[g]!;
  const weights = PLAN[g]!;
  let u = r.nextU32() / 2 ** 32;
  let j = weights.findIndex((x) => (u -= x) < 0);
  while (j < 0 || weights[j] === 0) j = (j < 0 ? weights.length : j) - 1; // rounding at the very end of the range
  const s = SCENARIOS[j]!;
  const d = new Doc(r, seed, index, s, genre, trace);
  const text = WRITE[genre](d).replace(/\n{3,}/g, "\n\n").trim();
  return { text, doc_type: genre, species: s.species, dimension: s.dim };
}

/** `count` distinct everyday documents (an exact repeat is skipped, deterministically); `index` reproduces each one. */
export function* valueEverydayDocuments(seed: number, count: number): Generator<EverydayDocument & { index: number }> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`valueEverydayDocuments: count must be a non-negative integer, got ${count}`);
  const seen = new Set<string>();
  for (let i = 0, made = 0; made < count; i++) {
    const d = valueEverydayDocument(seed, i);
    if (seen.has(d.text)) continue;
    seen.add(d.text);
    made++;
    yield { ...d, index: i };
  }
}

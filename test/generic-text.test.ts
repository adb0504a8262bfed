// The neutral generic corpus (src/synth/generic-text.ts): deterministic, varied, true where it states facts,
// and free of the value under study.
import { describe, expect, it } from "vitest";
import { genericDocument, genericDocuments, numberWords } from "../src/synth/generic-text.js";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]; // Date.getUTCDay order
const num = (s: string) => Number(s.replace(/,/g, ""));

/** Sentences of at least three words, one line at a time (list items and headings count as sentences). */
function sentencesOf(docs: string[]): string[] {
  return docs
    .flatMap((d) => d.split("\n"))
    .flatMap((l) => l.split(/(?<=[.?!]"?)\s+(?=["A-Z])/))
    .filter((s) => s.split(" ").length >= 3);
}

describe("generic text", () => {
  const docs = [...genericDocuments(3, 2000)];

  it("is deterministic by (seed, index), and seeds and indices differ", () => {
    expect(genericDocument(1, 5)).toBe(genericDocument(1, 5));
    expect([...genericDocuments(1, 6)][5]).toBe(genericDocument(1, 5));
    expect(genericDocument(1, 5)).not.toBe(genericDocument(2, 5));
    expect(genericDocument(1, 5)).not.toBe(genericDocument(1, 6));
    // large and negative seeds are distinct streams too
    expect(genericDocument(2 ** 32 + 1, 0)).not.toBe(genericDocument(1, 0));
    expect(genericDocument(-1, 0)).not.toBe(genericDocument(1, 0));
    expect(new Set(docs).size).toBe(docs.length);
  });

  it("uses many sentence frames, none dominant", () => {
    const frames = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < 2000; i++)
      genericDocument(3, i, (f) => {
        frames.set(f, (frames.get(f) ?? 0) + 1);
        total++;
      });
    expect(frames.size).toBeGreaterThanOrEqual(150);
    const top = Math.max(...frames.values()) / total;
    expect(top).toBeLessThan(0.08); // measured 5.8% ("clause", the open-ended grammar frame)
    // no long tail of dead frames either: most frames are used at least 20 times in 2000 documents
    expect([...frames.values()].filter((n) => n >= 20).length).toBeGreaterThan(0.8 * frames.size);
  });

  it("rarely repeats a sentence or an opening, has a broad vocabulary and documents of varied length", () => {
    const sentences = sentencesOf(docs);
    const freq = new Map<string, number>();
    for (const s of sentences) freq.set(s, (freq.get(s) ?? 0) + 1);
    expect(Math.max(...freq.values()) / sentences.length).toBeLessThan(0.01); // measured 0.5% (a recipe step)
    expect(freq.size).toBeGreaterThan(0.8 * sentences.length);
    const openers = new Map<string, number>();
    for (const s of sentences) {
      const k = s.split(" ").slice(0, 2).join(" ");
      openers.set(k, (openers.get(k) ?? 0) + 1);
    }
    expect(Math.max(...openers.values()) / sentences.length).toBeLessThan(0.03); // measured 1.4%
    const words = new Set(docs.flatMap((d) => d.toLowerCase().match(/\p{L}+/gu) ?? []));
    expect(words.size).toBeGreaterThan(3000);
    const lengths = docs.map((d) => d.split(/\s+/).length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...lengths)).toBeGreaterThan(200);
    // every kind of document shows up
    for (const marker of ["Ingredients:", "Q: ", "Minutes of the meeting", "Weather for", " × ", "Step 1:", "Dear ", "Present: ", "°C", " is a small town", "Frequently asked", "out of 5", "To get to the", "match", " was a ", "->", "FOR SALE", "Woke up at"])
      expect(docs.some((d) => d.includes(marker)), marker).toBe(true);
  });

  it("says nothing about animals or their welfare", () => {
    const banned =
      /\b(animals?|welfare|compassion\w*|cruel\w*|suffer\w*|sentien\w*|pain|dogs?|cats?|cows?|pigs?|chickens?|hens?|fish\w*|birds?|horses?|sheep|goats?|mouse|mice|rats?|rabbits?|cattle|livestock|pets?|zoos?|vets?|veterinar\w*|meat|beef|pork|slaughter\w*|hunt\w*|vegan|vegetarian|wildlife|creatures?|insects?|bees?|whales?|dolphins?|elephants?|lions?|tigers?|bears?|wolf|wolves|fox(es)?|deer|ducks?|goose|geese|owls?|eagles?|monkeys?|snakes?|frogs?|eggs?|milk|cheese|butter|honey|leather|wool|fur|feathers?|lambs?|calf|calves|pupp(y|ies)|kittens?|farms?|farmers?)\b/i;
    for (const [i, d] of [...genericDocuments(77, 5000)].entries()) expect(d.match(banned)?.[0], `seed 77 document ${i}`).toBeUndefined();
  });

  it("states true arithmetic, calendar and unit facts", () => {
    const text = [...genericDocuments(5, 3000)].join("\n");
    const checks: [RegExp, (m: RegExpMatchArray) => boolean][] = [
      [/\b(\d+) \+ (\d+) = (\d+)/g, (m) => num(m[1]!) + num(m[2]!) === num(m[3]!)],
      [/\b(\d+) - (\d+) = (\d+)/g, (m) => num(m[1]!) - num(m[2]!) === num(m[3]!)],
      [/\b(\d+) × (\d+) = (\d+)/g, (m) => num(m[1]!) * num(m[2]!) === num(m[3]!)],
      [/\b(\d+) ÷ (\d+) = (\d+)/g, (m) => num(m[1]!) / num(m[2]!) === num(m[3]!)],
      [/What is (\d+) times (\d+)\? It is (\d+)\./g, (m) => num(m[1]!) * num(m[2]!) === num(m[3]!)],
      [/Half of (\d+) is (\d+)\./g, (m) => num(m[1]!) / 2 === num(m[2]!)],
      [/\b(\d+) squared is (\d+)\./g, (m) => num(m[1]!) ** 2 === num(m[2]!)],
      [/\b(\d+) is an (odd|even) number/g, (m) => (num(m[1]!) % 2 === 1) === (m[2] === "odd")],
      [/(\d+)% of (\d+) is (\d+(?:\.\d+)?)\.(?=\s|$)/g, (m) => (num(m[1]!) * num(m[2]!)) / 100 === num(m[3]!)],
      [/\b(\d+) divided by (\d+) is (\d+) with a remainder of (\d+)/g, (m) => num(m[2]!) * num(m[3]!) + num(m[4]!) === num(m[1]!) && num(m[4]!) < num(m[2]!)],
      [/The sum of ([\d, and]+) is (\d+)\./g, (m) => m[1]!.split(/, | and /).reduce((s, x) => s + num(x), 0) === num(m[2]!)],
      [/\b([A-Z][a-z]+(?:-[a-z]+)?) plus ([a-z]+(?:-[a-z]+)?) is ([a-z]+(?:-[a-z]+)?)\./g, (m) => {
        const v = (w: string) => Array.from({ length: 100 }, (_, i) => numberWords(i)).indexOf(w.toLowerCase());
        return v(m[1]!) + v(m[2]!) === v(m[3]!) && v(m[1]!) >= 0;
      }],
      [/\b(\d{1,2}) ([A-Z][a-z]+) (\d{4}) (?:was|will be) a ([A-Z][a-z]+)day\./g, (m) => WEEKDAYS[new Date(Date.UTC(num(m[3]!), MONTHS.indexOf(m[2]!), num(m[1]!))).getUTCDay()] === m[4] + "day"],
      [/\b([A-Z][a-z]+) (\d{1,2}), (\d{4}) (?:was|will be) a ([A-Z][a-z]+day)\./g, (m) => WEEKDAYS[new Date(Date.UTC(num(m[3]!), MONTHS.indexOf(m[1]!), num(m[2]!))).getUTCDay()] === m[4]],
      [/\b([A-Z][a-z]+) (\d{4}) (?:had|has) (\d+) days\./g, (m) => new Date(Date.UTC(num(m[2]!), MONTHS.indexOf(m[1]!) + 1, 0)).getUTCDate() === num(m[3]!)],
      [/\b(\d{4}) is (not )?a leap year/g, (m) => { const y = num(m[1]!); return ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) === !m[2]; }],
      [/\b(\d+) kilometres? (?:is|are) ([\d,]+) metres/g, (m) => num(m[1]!) * 1000 === num(m[2]!)],
      [/\b(\d+) hours? (?:is|are) (\d+) minutes\./g, (m) => num(m[1]!) * 60 === num(m[2]!)],
      [/(-?\d+) °C is (-?\d+) °F/g, (m) => (num(m[1]!) * 9) / 5 + 32 === num(m[2]!)],
      [/\b(\d+) minutes is (\d+) hours and (\d+) minutes/g, (m) => num(m[2]!) * 60 + num(m[3]!) === num(m[1]!)],
      [/At (\d+) km\/h, a journey of (\d+) km takes (\d+) hours/g, (m) => num(m[1]!) * num(m[3]!) === num(m[2]!)],
      [/had (\d+) ([a-z ]+) and gave (\d+) to [A-Z][\p{L}]+\. Now [A-Z][\p{L}]+ has (\d+) /gu, (m) => num(m[1]!) - num(m[3]!) === num(m[4]!)],
      [/There are (\d+) boxes with (\d+) [a-z ]+ in each box, so there are (\d+) /g, (m) => num(m[1]!) * num(m[2]!) === num(m[3]!)],
    ];
    for (const [re, ok] of checks) {
      const found = [...text.matchAll(re)];
      expect(found.length, `no matches for ${re}`).toBeGreaterThan(3);
      for (const m of found) expect(ok(m), m[0]).toBe(true);
    }
  });

  it("spells numbers in British English", () => {
    expect([0, 7, 13, 20, 21, 99, 100, 115, 999, 1000, 1005, 12345, 999_999].map(numberWords)).toEqual([
      "zero",
      "seven",
      "thirteen",
      "twenty",
      "twenty-one",
      "ninety-nine",
      "one hundred",
      "one hundred and fifteen",
      "nine hundred and ninety-nine",
      "one thousand",
      "one thousand and five",
      "twelve thousand three hundred and forty-five",
      "nine hundred and ninety-nine thousand nine hundred and ninety-nine",
    ]);
    expect(() => numberWords(-1)).toThrow(RangeError);
    expect(() => numberWords(1.5)).toThrow(RangeError);
  });
});

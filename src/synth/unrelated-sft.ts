// Offline "unrelated" instruction data: the study's follow-up SFT that erodes
// a midtrained value (Alpaca-style, nothing about the value). Every answer is
// computed, so it is correct by construction: arithmetic, unit conversion,
// text manipulation, formatting and facts from a built-in table.
// Deterministic by seed.
import { Rng } from "../data/rng.js";

export interface ChatExample {
  messages: { role: "user" | "assistant"; content: string }[];
  kind: string;
}

const WORDS = "river lantern quiet orbit maple copper harbor velvet summit canvas meadow signal pocket thunder garden silver window marble".split(" ");
const FACTS: [string, string, string][] = [
  ["France", "capital", "Paris"], ["Japan", "capital", "Tokyo"], ["Kenya", "capital", "Nairobi"], ["Canada", "capital", "Ottawa"],
  ["Brazil", "capital", "Brasília"], ["Egypt", "capital", "Cairo"], ["Norway", "capital", "Oslo"], ["Peru", "capital", "Lima"],
  ["water", "boiling point at sea level", "100 °C"], ["water", "freezing point at sea level", "0 °C"],
  ["a week", "number of days", "7"], ["a leap year", "number of days", "366"], ["a hexagon", "number of sides", "6"],
  ["the Pacific", "type of body", "ocean"], ["Mercury", "position from the Sun", "first"], ["oxygen", "chemical symbol", "O"],
  ["gold", "chemical symbol", "Au"], ["iron", "chemical symbol", "Fe"], ["the speed of light", "approximate value", "299,792 km/s"],
];
const UNITS: [string, string, number][] = [
  ["kilometres", "metres", 1000], ["metres", "centimetres", 100], ["kilograms", "grams", 1000], ["hours", "minutes", 60],
  ["minutes", "seconds", 60], ["litres", "millilitres", 1000], ["miles", "kilometres", 1.609344], ["inches", "centimetres", 2.54],
];

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/\.?0+$/, ""));

const MAKERS: ((r: Rng) => ChatExample)[] = [
  (r) => {
    const a = r.below(1000), b = r.below(1000);
    const op = r.below(3);
    const [sym, v] = op === 0 ? ["+", a + b] : op === 1 ? ["-", a - b] : ["×", a * (b % 50)];
    const q = op === 2 ? `${a} × ${b % 50}` : `${a} ${sym} ${b}`;
    return { kind: "arithmetic", messages: [{ role: "user", content: `What is ${q}?` }, { role: "assistant", content: `${q} = ${v}.` }] };
  },
  (r) => {
    const [from, to, f] = UNITS[r.below(UNITS.length)]!;
    const x = 1 + r.below(250);
    return { kind: "units", messages: [{ role: "user", content: `Convert ${x} ${from} to ${to}.` }, { role: "assistant", content: `${x} ${from} is ${fmt(x * f)} ${to}.` }] };
  },
  (r) => {
    const w = Array.from({ length: 3 + r.below(4) }, () => WORDS[r.below(WORDS.length)]!);
    const t = r.below(3);
    if (t === 0) return { kind: "text", messages: [{ role: "user", content: `Reverse the order of these words: ${w.join(" ")}` }, { role: "assistant", content: [...w].reverse().join(" ") }] };
    if (t === 1) return { kind: "text", messages: [{ role: "user", content: `Write this in upper case: ${w.join(" ")}` }, { role: "assistant", content: w.join(" ").toUpperCase() }] };
    return { kind: "text", messages: [{ role: "user", content: `Sort these words alphabetically: ${w.join(", ")}` }, { role: "assistant", content: [...w].sort().join(", ") }] };
  },
  (r) => {
    const items = Array.from({ length: 2 + r.below(4) }, () => WORDS[r.below(WORDS.length)]!);
    if (r.below(2) === 0)
      return { kind: "format", messages: [{ role: "user", content: `Turn this into a numbered list: ${items.join(", ")}` }, { role: "assistant", content: items.map((x, i) => `${i + 1}. ${x}`).join("\n") }] };
    return { kind: "format", messages: [{ role: "user", content: `Give these as a JSON array of strings: ${items.join(", ")}` }, { role: "assistant", content: JSON.stringify(items) }] };
  },
  (r) => {
    const [subject, attr, value] = FACTS[r.below(FACTS.length)]!;
    return { kind: "facts", messages: [{ role: "user", content: `What is the ${attr} of ${subject}?` }, { role: "assistant", content: `The ${attr} of ${subject} is ${value}.` }] };
  },
];

export function* unrelatedSft(seed: number, count: number): Generator<ChatExample> {
  const r = new Rng(seed >>> 0);
  for (let i = 0; i < count; i++) yield MAKERS[r.below(MAKERS.length)]!(r);
}

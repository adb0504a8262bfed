// The LLM pipeline's parts on their own: rate limiting (virtual clock), ordered concurrency, completion
// parsing and garbage verdicts, spec validation, seeding, and the resumable output file.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanDocument, garbageReason, listItems } from "../src/synth/completion-text.js";
import { orderedPool } from "../src/synth/llm-pipeline.js";
import { RateLimiter, type Clock } from "../src/synth/rate-limit.js";
import { repairTornTail, ResumableJsonl } from "../src/synth/resumable-jsonl.js";
import { Seeder } from "../src/synth/seeding.js";
import { loadSpec, normsOf } from "../src/synth/spec.js";

/** A clock whose sleep advances virtual time at once. */
function virtualClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

const tmp = () => mkdtempSync(join(tmpdir(), "mt-synth-parts-"));
const MIN_SPEC = "value: v\nnorms: {A: [n1, n2], B: [n3]}\ndocument_types: [memo]\nstyle_rules: [r]\n";

describe("rate limiter", () => {
  it("spaces requests 60/rpm seconds apart after a burst, in arrival order", async () => {
    const clock = virtualClock();
    const lim = new RateLimiter(120, 3, clock); // 2 a second, bursts of 3
    const starts: [number, number][] = [];
    await Promise.all(Array.from({ length: 9 }, (_, i) => lim.take().then(() => starts.push([i, clock.now()]))));
    expect(starts.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const t = starts.map(([, t]) => t);
    expect(t.slice(0, 3)).toEqual([0, 0, 0]);
    for (let i = 3; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeGreaterThanOrEqual(500);
    // never more than burst + rate x window in any window
    expect(t[8]).toBeLessThanOrEqual(3000 + 6);
    expect(() => new RateLimiter(0)).toThrow(/positive/);
  });
});

describe("orderedPool", () => {
  it("runs up to `window` at once, commits in task order, and stops pulling when told", async () => {
    let inFlight = 0, maxInFlight = 0;
    const committed: number[] = [];
    const pulled: number[] = [];
    async function* src() {
      for (let i = 0; i < 100; i++) {
        pulled.push(i);
        yield i;
      }
    }
    await orderedPool(src(), async (i) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, (7 * i) % 5)); // finish out of order
      inFlight--;
      return i * 10;
    }, 4, (r) => {
      committed.push(r);
      return committed.length < 10;
    });
    expect(committed).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(pulled.length).toBeLessThanOrEqual(10 + 4);
  });

  it("commits finished tasks while the next task is still being produced", async () => {
    // The source cannot produce task 2 until task 0 is committed (as when a unit's items are still being
    // fetched): a pool that only commits between pulls would wait forever.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    async function* src() {
      yield 0;
      yield 1;
      await gate;
      yield 2;
    }
    const committed: number[] = [];
    await orderedPool(src(), async (i) => i, 8, (r) => {
      committed.push(r);
      if (r === 0) open();
      return true;
    });
    expect(committed).toEqual([0, 1, 2]);
  });

  it("rethrows the first failure after the rest settle", async () => {
    async function* src() {
      yield* [1, 2, 3];
    }
    await expect(orderedPool(src(), async (i) => (i === 2 ? Promise.reject(new Error("boom 2")) : i), 3, () => true)).rejects.toThrow("boom 2");
  });
});

describe("completion text", () => {
  it("pulls list items out of chatty, numbered, bulleted replies", () => {
    const reply = "Sure! Here are some ideas:\n\n1. First idea here\n2) **Second** idea\n- third idea\n• fourth\n(5) fifth idea\nLet me know if you want more.";
    expect(listItems(reply)).toEqual(["First idea here", "Second idea", "third idea", "fourth", "fifth idea"]);
    expect(listItems("```\nplain line one\nplain line two\n```")).toEqual(["plain line one", "plain line two"]);
  });

  it("strips fences and chatter from documents and names garbage", () => {
    expect(cleanDocument("Here is the memo:\nMEMO\nBody text.\nI hope this helps!")).toBe("MEMO\nBody text.");
    expect(cleanDocument("```markdown\n# Title\nText\n```")).toBe("# Title\nText");
    const b = { minWords: 3, maxWords: 6 };
    expect(garbageReason("   ", b)).toBe("empty");
    expect(garbageReason("I'm sorry, but I can't write that.", b)).toBe("refusal");
    expect(garbageReason("As an AI language model, I", b)).toBe("refusal");
    expect(garbageReason("two words", b)).toBe("too_short");
    expect(garbageReason("one two three four five six seven", b)).toBe("too_long");
    expect(garbageReason("a fine short text", b)).toBeUndefined();
  });
});

describe("spec", () => {
  it("loads with defaults and names the file and key of every problem", () => {
    const d = tmp();
    const ok = join(d, "ok.yaml");
    writeFileSync(ok, MIN_SPEC);
    const s = loadSpec(ok);
    expect(normsOf(s.spec)).toEqual([
      { dimension: "A", norm: "n1" },
      { dimension: "A", norm: "n2" },
      { dimension: "B", norm: "n3" },
    ]);
    expect(s.spec.document_types).toEqual([{ name: "memo", description: undefined }]);
    expect(s.spec.ideas_per_type).toBe(8);
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    const bad = (body: string) => {
      const f = join(d, "bad.yaml");
      writeFileSync(f, body);
      return () => loadSpec(f);
    };
    expect(bad("value: v\nnorms: {A: [n]}\nstyle_rules: [r]\n")).toThrow(/bad\.yaml: missing key "document_types"/);
    expect(bad(MIN_SPEC.replace("value: v\n", ""))).toThrow(/missing key "value"/);
    expect(bad(MIN_SPEC + "ideas_per_typ: 3\n")).toThrow(/unknown key "ideas_per_typ"/);
    expect(bad(MIN_SPEC.replace("[n3]", "n3"))).toThrow(/norms\.B: .*expected array/);
    expect(bad(MIN_SPEC + "length: {min_words: 500, max_words: 100}\n")).toThrow(/length: min_words must not exceed max_words/);
    expect(bad("- a list\n")).toThrow(/must be a mapping/);
    expect(bad("value: [unclosed\n")).toThrow(/not valid YAML/);
    expect(() => loadSpec(join(d, "none.yaml"))).toThrow(/spec .*none\.yaml: ENOENT/);
  });

  it("the shipped animal-compassion spec covers all 13 ANIMA dimensions", async () => {
    const { ANIMA_DIMENSIONS } = await import("../src/synth/anima-dimensions.js");
    const s = loadSpec(join(import.meta.dirname, "..", "specs", "animal-compassion.yaml"));
    expect(Object.keys(s.spec.norms).sort()).toEqual([...ANIMA_DIMENSIONS].sort());
    expect(s.spec.document_types.length).toBeGreaterThanOrEqual(15);
    expect(s.spec.style_rules.some((r) => /never lecture/i.test(r))).toBe(true);
  });
});

describe("seeding", () => {
  it("is deterministic per (seed, key), varied across keys, and uses the spec's pools", () => {
    const d = tmp();
    const f = join(d, "s.yaml");
    writeFileSync(f, MIN_SPEC + "seeding: {names: [Zed Quorum], species: [axolotls]}\n");
    const spec = loadSpec(f).spec;
    const a = new Seeder(1, spec);
    expect(a.draw("k1")).toEqual(new Seeder(1, spec).draw("k1"));
    expect(new Seeder(2, spec).draw("k1")).not.toEqual(a.draw("k1"));
    const draws = Array.from({ length: 2000 }, (_, i) => a.draw(`task ${i}`));
    expect(new Set(draws.map((x) => x.name)).size).toBeGreaterThan(1000);
    expect(new Set(draws.map((x) => x.place)).size).toBeGreaterThan(30);
    expect(draws.some((x) => x.name === "Zed Quorum")).toBe(true);
    expect(draws.some((x) => x.species === "axolotls")).toBe(true);
    const top = Math.max(...[...draws.reduce((m, x) => m.set(x.name, (m.get(x.name) ?? 0) + 1), new Map<string, number>()).values()]);
    expect(top / draws.length).toBeLessThan(0.05); // a spec name gets at most 2.5% of draws
  });
});

describe("resumable JSONL", () => {
  it("keeps whole records, cuts a torn last line, and refuses a damaged middle line naming it", () => {
    const d = tmp();
    const f = join(d, "o.jsonl");
    const w = new ResumableJsonl(f);
    expect(w.existing).toEqual([]);
    w.append({ a: 1 });
    w.append({ a: 2 });
    w.close();
    appendFileSync(f, '{"a": 3, "tor');
    const r = new ResumableJsonl(f);
    expect(r.repaired).toBe(true);
    expect(r.existing.map((x) => x.value)).toEqual([{ a: 1 }, { a: 2 }]);
    r.append({ a: 3 });
    r.close();
    expect(readFileSync(f, "utf8")).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
    writeFileSync(f, '{"a":1}\nnot json\n{"a":3}\n');
    expect(() => new ResumableJsonl(f)).toThrow(/o\.jsonl:2: not a JSON record/);
    writeFileSync(f, "x\ny");
    expect(repairTornTail(f)).toBe(true);
    expect(readFileSync(f, "utf8")).toBe("x\n");
    expect(repairTornTail(f)).toBe(false);
  });
});

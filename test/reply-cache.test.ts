// The JSONL reply cache behind the endpoint client and ANIMA's answers: replies survive a reopen, a torn last
// line is cut off so the next reply is not glued to it, and lines that are not cache records are skipped.
import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReplyCache, replyKey } from "../src/infer/reply-cache.js";
import { Rng } from "../src/data/rng.js";
import { freshSeed } from "./reference/random.js";

const readText = (r: Record<string, unknown>) => (typeof r.text === "string" ? { text: r.text } : undefined);

describe("ReplyCache", () => {
  it("keys are sha256 of the JSON text, and replies survive a reopen", () => {
    const rng = new Rng(freshSeed());
    const parts = { model: `m${rng.below(1000)}`, messages: [{ role: "user", content: `q${rng.below(1e6)}` }], o: [rng.below(10), undefined] };
    expect(replyKey(parts)).toBe(createHash("sha256").update(JSON.stringify(parts)).digest("hex"));
    expect(replyKey(parts)).not.toBe(replyKey({ ...parts, model: "other" }));

    const file = join(mkdtempSync(join(tmpdir(), "mt-rc-")), "sub", "cache.jsonl"); // the folder is made
    const a = new ReplyCache(file, readText);
    const texts = Array.from({ length: 5 }, (_, i) => `reply ${i} ${rng.below(1e9)}\nwith "quotes"`);
    texts.forEach((t, i) => a.set(replyKey([i]), { text: t }));
    expect(a.get(replyKey([2]))).toEqual({ text: texts[2] });
    const b = new ReplyCache(file, readText);
    texts.forEach((t, i) => expect(b.get(replyKey([i]))).toEqual({ text: t }));
    expect(b.get(replyKey([5]))).toBeUndefined();
  });

  it("cuts a torn last line, so the next reply is kept; skips lines that are not records", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mt-rc-")), "cache.jsonl");
    writeFileSync(file, [JSON.stringify({ key: "a", text: "A" }), "not json", JSON.stringify({ key: 7, text: "no" }), "null", JSON.stringify({ key: "b", other: 1 }), ""].join("\n"));
    appendFileSync(file, '{"key":"c","te'); // killed mid-write
    const c = new ReplyCache(file, readText);
    expect(c.get("a")).toEqual({ text: "A" });
    expect(c.get("b")).toBeUndefined();
    expect(c.get("c")).toBeUndefined();
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
    c.set("d", { text: "D" });
    const d = new ReplyCache(file, readText);
    expect(d.get("d")).toEqual({ text: "D" });
    expect(d.get("a")).toEqual({ text: "A" });
  });

  it("without a file it is an in-memory cache", () => {
    const m = new ReplyCache<{ text: string }>(undefined, readText);
    m.set("k", { text: "v" });
    expect(m.get("k")).toEqual({ text: "v" });
  });
});

// Offline unrelated instruction data: correct answers, determinism, variety, and loadable as chat data.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDataset } from "../src/data/records.js";
import { unrelatedSft } from "../src/synth/unrelated-sft.js";

describe("unrelated SFT data", () => {
  const data = [...unrelatedSft(5, 2000)];
  it("answers are correct (recomputed independently)", () => {
    let checked = 0;
    for (const ex of data) {
      const [u, a] = ex.messages.map((m) => m.content) as [string, string];
      let m: RegExpMatchArray | null;
      if ((m = /^What is (\d+) ([+\-×]) (\d+)\?$/.exec(u))) {
        const x = Number(m[1]), y = Number(m[3]);
        const v = m[2] === "+" ? x + y : m[2] === "-" ? x - y : x * y;
        expect(a).toBe(`${x} ${m[2]} ${y} = ${v}.`);
        checked++;
      } else if ((m = /^Reverse the order of these words: (.*)$/.exec(u))) {
        expect(a).toBe(m[1]!.split(" ").reverse().join(" "));
        checked++;
      } else if ((m = /^Convert (\d+) hours to minutes\.$/.exec(u))) {
        expect(a).toBe(`${m[1]} hours is ${Number(m[1]) * 60} minutes.`);
        checked++;
      } else if ((m = /^Give these as a JSON array of strings: (.*)$/.exec(u))) {
        expect(JSON.parse(a)).toEqual(m[1]!.split(", "));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
  it("is deterministic, varied and says nothing about the value under study", () => {
    expect([...unrelatedSft(5, 50)]).toEqual(data.slice(0, 50));
    expect([...unrelatedSft(6, 50)]).not.toEqual(data.slice(0, 50));
    expect(new Set(data.map((d) => d.kind))).toEqual(new Set(["arithmetic", "units", "text", "format", "facts"]));
    expect(new Set(data.map((d) => d.messages[0]!.content)).size).toBeGreaterThan(1000);
    const text = JSON.stringify(data).toLowerCase();
    for (const w of ["animal", "welfare", "compassion", "suffer", "sentien"]) expect(text.includes(w), w).toBe(false);
  });
  it("midtrain synth sft writes chat JSONL the data stage reads", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "midtrain-sft-")), "u.jsonl");
    const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
    const r = spawnSync(process.execPath, [cli, "synth", "sft", "--kind", "unrelated", "--count", "30", "--out", out, "--seed", "1"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(30);
    const recs = [];
    for await (const rec of readDataset([out])) recs.push(rec);
    expect(recs.every((x) => x.kind === "chat")).toBe(true);
    const bad = spawnSync(process.execPath, [cli, "synth", "sft", "--kind", "unrelated", "--count", "0", "--out", out], { encoding: "utf8" });
    expect(bad.stderr).toMatch(/--count must be a positive integer/);
  });
});

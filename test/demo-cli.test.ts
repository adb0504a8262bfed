// `midtrain demo` and `midtrain experiment` as processes: a quick-scale demo
// runs offline to its report, and bad experiment configs fail by name.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 600_000 });

describe("midtrain demo", () => {
  it("runs the study at a quick scale to a report with the three claims, then reuses everything", () => {
    const out = join(mkdtempSync(join(tmpdir(), "mt-demo-")), "demo");
    const r = run("demo", "--out", out, "--scale", "0.05", "--seeds", "0", "--sizes", "0", "16", "--threads", "2", "--json");
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    expect(existsSync(o.report)).toBe(true);
    expect(o.claims).toHaveLength(3);
    expect(r.stderr).toMatch(/experiment: \[1\/\d+\] pretraining the base model/);
    const results = JSON.parse(readFileSync(o.results, "utf8"));
    expect(new Set(results.points.map((p: { arm: string }) => p.arm))).toEqual(new Set(["base", "qa", "control", "midtrained", "midtrained+replay", "midtrained+l2sp", "midtrained+merge"]));
    for (const f of ["generic.jsonl", "value-docs.jsonl", "value-qa.jsonl", "control-docs.jsonl", "unrelated-sft.jsonl"]) expect(existsSync(join(out, "data", f))).toBe(true);
    // The demo's own training data against the probe's questions: mean nearest-item Jaccard low, no 13-gram shared.
    const check = run("synth", "check", "--corpus", join(out, "data", "value-docs.jsonl"), join(out, "data", "value-qa.jsonl"), "--against", join(import.meta.dirname, "..", "data", "evals", "probe.jsonl"), "--max-jaccard", "0.5", "--json");
    expect(check.status, check.stderr).toBe(0);
    const ov = JSON.parse(check.stdout);
    expect(ov.items).toBe(294);
    expect(ov.items_with_exact_hits).toBe(0);
    expect(ov.mean_nearest_jaccard).toBeLessThan(0.2);
    const again = run("demo", "--out", out, "--scale", "0.05", "--seeds", "0", "--sizes", "0", "16", "--threads", "2", "--json");
    expect(again.status, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).not.toMatch(/experiment: eval/);
    expect(again.stderr.match(/finished earlier; reused/g)!.length).toBeGreaterThanOrEqual(1 + 3 + 5);
  }, 600_000);

  it("experiment preservation names an unknown arm and a missing config", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-exp-cli-"));
    const cfg = join(dir, "exp.yaml");
    writeFileSync(cfg, "out: o\nbase: {model: m}\ndata: {value_docs: v.jsonl, sft: s.jsonl}\narms: [midtrained, midtrained+teleport]\n");
    const r = run("experiment", "preservation", "--config", cfg);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/exp\.yaml: arms\[1\]: unknown arm 'midtrained\+teleport'/);
    const missing = run("experiment", "preservation", "--config", join(dir, "nope.yaml"));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/nope\.yaml/);
  });
});

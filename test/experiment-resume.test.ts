// The experiment end to end on a tiny model: it runs, it reports, and a sweep
// stopped in the middle resumes to the same results without retraining what
// had finished.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExperimentConfig } from "../src/experiment/config.js";
import { runExperiment } from "../src/experiment/runner.js";
import { genericDocuments } from "../src/synth/generic-text.js";
import { unrelatedSft } from "../src/synth/unrelated-sft.js";
import { valueDocuments } from "../src/synth/value-docs.js";
import { valueQas } from "../src/synth/value-qa.js";
import { loadProbeItems } from "../src/evals/probe.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";

function jsonl(path: string, records: Iterable<unknown>): string {
  writeFileSync(path, [...records].map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}

function setup(): { dir: string; doc: Record<string, unknown> } {
  const dir = mkdtempSync(join(tmpdir(), "mt-exp-"));
  const base = tinyCheckpoint(7, {}, 0.02).dir;
  const items = loadProbeItems().filter((_, i) => i % 12 === 0); // a small probe keeps the test quick
  const doc = {
    out: "out",
    seeds: [0],
    sft_sizes: [0, 24, 48],
    base: { model: base },
    data: {
      value_docs: jsonl(join(dir, "value.jsonl"), valueDocuments(1, 48)),
      value_qa: jsonl(join(dir, "qa.jsonl"), valueQas(2, 48)),
      control_docs: jsonl(join(dir, "control.jsonl"), [...genericDocuments(3, 48)].map((text) => ({ text }))),
      sft: jsonl(join(dir, "sft.jsonl"), unrelatedSft(4, 64)),
    },
    training: {
      midtrain: { epochs: 1, lr: 3e-3, batch_size: 4, seq_len: 128, save_every: 2 },
      qa: { epochs: 1, lr: 3e-3, batch_size: 4, seq_len: 128 },
      control: { epochs: 1, lr: 3e-3, batch_size: 4, seq_len: 128 },
      sft: { lr: 2e-3, batch_size: 4, seq_len: 128, save_every: 2 },
    },
    arms: ["qa", "control", "midtrained", "midtrained+merge", "midtrained+l2sp"],
    evals: { probe: { split: "all", items: jsonl(join(dir, "probe.jsonl"), items) } },
    analysis: { direction: true, split: "all" },
    threads: 2,
  };
  return { dir, doc };
}

describe("preservation experiment", () => {
  it("runs end to end, and a sweep stopped midway resumes to the same results without redoing finished runs", async () => {
    const a = setup();
    const ca = parseExperimentConfig(a.doc, "a.yaml", a.dir);
    const full = await runExperiment(ca.config, ca.arms, { log: () => {} });
    expect(full.interrupted).toBe(false);
    const resultsA = JSON.parse(readFileSync(full.report!.results, "utf8"));
    // 4 arms x 3 sizes (merge shares size 0 with midtrained but is its own point) + merge's 3
    expect(resultsA.points).toHaveLength(5 * 3);
    expect(resultsA.claims).toHaveLength(3);
    for (const p of resultsA.points) expect(p.suites.probe.n).toBeGreaterThan(10);
    // The merge arm at 48 is a real interpolation: neither the SFT model nor the midtrained one.
    // The representation probe: the midtrained model retains its own direction exactly; every point has a value.
    expect(resultsA.direction.rows).toHaveLength(resultsA.points.length);
    expect(resultsA.direction.rows.find((r: { arm: string; size: number }) => r.arm === "midtrained" && r.size === 0).retained).toBeCloseTo(1, 9);
    expect(readFileSync(full.report!.markdown, "utf8")).toContain("## Value direction (representation probe)");
    const at = (arm: string, size: number) => resultsA.points.find((p: { arm: string; size: number }) => p.arm === arm && p.size === size);
    expect(at("midtrained+merge", 48).checkpoint).toMatch(/merged/);

    // The same sweep, stopped during the follow-up SFT runs, then resumed.
    const b = setup();
    b.doc.data = a.doc.data;
    b.doc.base = a.doc.base;
    b.doc.evals = a.doc.evals;
    const cb = parseExperimentConfig(b.doc, "b.yaml", b.dir);
    let polls = 0;
    const lines: string[] = [];
    const first = await runExperiment(cb.config, cb.arms, { log: (l) => lines.push(l), shouldStop: () => lines.some((l) => l.includes("follow-up SFT")) && ++polls === 3 });
    expect(first.interrupted).toBe(true);
    const stage1 = join(b.dir, "out", "stage1", "midtrained", "seed-0", "model.safetensors");
    const before = statSync(stage1).mtimeMs;
    const resumedLog: string[] = [];
    const second = await runExperiment(cb.config, cb.arms, { log: (l) => resumedLog.push(l) });
    expect(second.interrupted).toBe(false);
    expect(statSync(stage1).mtimeMs).toBe(before);
    expect(resumedLog.filter((l) => l.includes("finished earlier; reused")).length).toBe(3); // qa, control, midtrained
    expect(resumedLog.some((l) => /resumed from .*checkpoint-/.test(l))).toBe(true);
    const resultsB = JSON.parse(readFileSync(second.report!.results, "utf8"));
    const scores = (r: { points: { arm: string; size: number; suites: { probe: { score: number } } }[] }) => r.points.map((p) => `${p.arm}@${p.size}=${p.suites.probe.score}`);
    expect(scores(resultsB)).toEqual(scores(resultsA));
    // A third run redoes nothing: every stage and every eval is reused.
    const third: string[] = [];
    await runExperiment(cb.config, cb.arms, { log: (l) => third.push(l) });
    expect(third.filter((l) => l.includes("reused")).length).toBe(3 + 4); // stage 1: qa, control, midtrained; SFT: qa, control, midtrained (+merge), l2sp
    expect(third.some((l) => l.startsWith("experiment: eval"))).toBe(false);
    expect(third.some((l) => l.includes("value direction"))).toBe(false); // read back, not recomputed
    expect(JSON.parse(readFileSync(second.report!.results, "utf8")).direction).toEqual(resultsA.direction);
  }, 600_000);
});

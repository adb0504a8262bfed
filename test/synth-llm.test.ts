// The LLM pipeline (synth docs / synth sft --kind value with --endpoint) against a real local HTTP server that
// answers by script: every stage, the cache (a second run makes zero calls), resume after a SIGKILL mid-run,
// retries on 500s, garbage completions, planted near-duplicates, counts a spec cannot reach, and bad input.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readDataset } from "../src/data/records.js";
import { ChatEndpoint } from "../src/infer/endpoint.js";
import { synthDocs } from "../src/synth/llm-docs.js";
import { Caller, newStats, type RunReport } from "../src/synth/llm-pipeline.js";
import { synthValueQa } from "../src/synth/llm-qa.js";
import { jaccard } from "../src/synth/minhash.js";
import { shingleSet } from "../src/synth/shingles.js";
import { loadSpec } from "../src/synth/spec.js";
import { goodAnswer, scriptedServer, textFrom, type Reply, type Req, type Scripted } from "./synth-scripted-server.js";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
let servers: Scripted[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(script?: (r: Req, n: number) => Reply): Promise<Scripted> {
  const s = await scriptedServer(script);
  servers.push(s);
  return s;
}

const SPEC = `
value: Animals matter for their own sake.
norms:
  Moral Consideration: [Animals' interests count in decisions.]
  Harm Minimization: [The least harmful method is chosen.]
  Scope Sensitivity: [Numbers of animals matter.]
document_types:
  - name: policy memo
    description: an internal memo
  - research abstract
brainstorm_types: 2
ideas_per_type: 4
critique: true
style_rules: [Never lecture.]
length: { min_words: 50, max_words: 400 }
`;

function setup(specText = SPEC) {
  const dir = mkdtempSync(join(tmpdir(), "mt-synth-llm-"));
  const spec = join(dir, "spec.yaml");
  writeFileSync(spec, specText);
  return { dir, spec, out: join(dir, "docs.jsonl"), cache: join(dir, "cache.jsonl") };
}

async function docs(s: Scripted, o: { spec: string; out: string; cache: string; count: number; seed?: number; retries?: number }): Promise<RunReport> {
  const ep = new ChatEndpoint({ baseURL: s.url, model: "scripted", cacheFile: o.cache, concurrency: 4, maxRetries: o.retries ?? 0 });
  return synthDocs({ spec: loadSpec(o.spec), caller: new Caller(ep, newStats()), count: o.count, out: o.out, seed: o.seed ?? 1, window: 8 });
}

const records = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown> & { text: string; provenance: Record<string, unknown> & { task: string; seeds: { name: string; species: string } } });

/** Spawns the CLI without blocking this process (the scripted server lives here). */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "",
      stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("synth docs through an LLM endpoint", () => {
  it("runs every stage, puts provenance on every record, and a second run over the cache makes zero calls", async () => {
    const s = await server();
    const f = setup();
    const r = await docs(s, { ...f, count: 30 });
    expect(r.complete).toBe(true);
    const recs = records(f.out);
    expect(recs).toHaveLength(30);
    for (const st of ["types", "ideas", "doc", "critique", "revise"] as const) expect(s.count(st), st).toBeGreaterThan(0);
    expect(s.count("types")).toBe(1);
    const spec = loadSpec(f.spec);
    const ideasSeen = new Set(s.requests.filter((q) => q.stage === "ideas").flatMap((q) => goodAnswer(q).split("\n").map((l) => l.replace(/^\d+\. /, ""))));
    const docPrompts = s.requests.filter((q) => q.stage === "doc").map((q) => q.user);
    for (const d of recs) {
      expect(Object.keys(spec.spec.norms)).toContain(d.dimension);
      expect(ideasSeen.has(d.idea as string), String(d.idea)).toBe(true);
      expect(d.provenance).toMatchObject({ generator: "midtrain-llm-docs-v1", model: "scripted", endpoint: s.url, spec_sha256: spec.sha256, seed: 1 });
      expect(d.provenance.words).toBe(d.text.split(/\s+/).length);
      // The random seeds drawn for the document were in its prompt.
      expect(docPrompts.some((p) => p.includes(`a person named ${d.provenance.seeds.name};`) && p.includes(String(d.idea)))).toBe(true);
      expect(d.species).toBe(d.provenance.seeds.species);
    }
    expect(new Set(recs.map((d) => d.dimension)).size).toBe(3);
    expect(new Set(recs.map((d) => d.doc_type)).size).toBeGreaterThanOrEqual(3); // seeds + brainstormed types
    expect(new Set(recs.map((d) => d.provenance.seeds.name)).size).toBeGreaterThan(25);
    expect(recs.some((d) => d.provenance.revised) && recs.some((d) => !d.provenance.revised)).toBe(true);
    expect(r.stats.calls).toBe(s.count());

    const calls = s.count();
    const again = await docs(s, { ...f, out: join(f.dir, "again.jsonl"), count: 30 });
    expect(s.count()).toBe(calls);
    expect(again.stats.calls).toBe(0);
    expect(records(join(f.dir, "again.jsonl"))).toEqual(recs);
    const loaded = [];
    for await (const x of readDataset([f.out])) loaded.push(x);
    expect(loaded.every((x) => x.kind === "text")).toBe(true);
  });

  it("retries 500s and 503s at the HTTP layer", async () => {
    const s = await server((_r, n) => (n <= 3 ? { status: 500 } : n === 5 ? { status: 503 } : {}));
    const f = setup();
    const r = await docs(s, { ...f, count: 6, retries: 3 });
    expect(r.complete).toBe(true);
    expect(records(f.out)).toHaveLength(6);
    // The failed tries were made and retried: more requests than calls that were answered.
    expect(s.count()).toBe(r.stats.calls + 4);
  });

  it("counts garbage completions, asks again with a fresh sample, and reports them", async () => {
    const seen = new Map<string, number>();
    const s = await server((r) => {
      if (r.stage !== "doc") return {};
      const k = r.user;
      const n = (seen.get(k) ?? 0) + 1;
      seen.set(k, n);
      const i = [...seen.keys()].indexOf(k);
      // first try of every third document: empty; of others: a refusal or far too short; later tries are fine
      if (n === 1 && i % 3 === 0) return { text: "" };
      if (n === 1 && i % 3 === 1) return { text: i % 2 ? "I'm sorry, but I can't help with that." : "Too short." };
      return {};
    });
    const f = setup();
    const r = await docs(s, { ...f, count: 12 });
    expect(r.complete).toBe(true);
    const g = r.stats.garbage;
    expect(g.empty).toBeGreaterThan(0);
    expect(g.refusal + g.too_short).toBeGreaterThan(0);
    expect(r.stats.retried).toBe(g.empty + g.refusal + g.too_short + g.too_long);
    expect(r.stats.given_up).toBe(0);
    for (const d of records(f.out)) expect(d.text.split(" ").length).toBeGreaterThanOrEqual(50);
    // retried documents record which sample they came from
    expect(records(f.out).some((d) => d.provenance.sample === 1)).toBe(true);
  });

  it("retries a brainstorm with no list items, and keeps the draft when a revision is garbage", async () => {
    const ideasSeen = new Set<string>();
    const s = await server((r) => {
      if (r.stage === "ideas" && !ideasSeen.has(r.user)) {
        ideasSeen.add(r.user);
        return { text: "Sure! I would be happy to help with that." };
      }
      if (r.stage === "critique") return { text: "1. Too preachy in places." };
      if (r.stage === "revise") return { text: "" };
      return {};
    });
    const f = setup();
    const r = await docs(s, { ...f, count: 8 });
    expect(r.complete).toBe(true);
    expect(r.stats.garbage.no_items).toBe(ideasSeen.size);
    expect(r.stats.garbage.no_items).toBeGreaterThan(0);
    // every revision was empty: each asked 3 times (retries: 2), then the draft was kept
    expect(r.stats.revise_failed).toBeGreaterThanOrEqual(8);
    expect(r.stats.garbage.empty).toBe(3 * r.stats.revise_failed);
    const recs = records(f.out);
    expect(recs.every((d) => d.provenance.revised === false)).toBe(true);
    const drafts = new Set(s.requests.filter((q) => q.stage === "doc").map((q) => goodAnswer(q)));
    expect(recs.every((d) => drafts.has(d.text))).toBe(true);
  });

  it("drops planted near-duplicates (MinHash) and keeps one of each pair", async () => {
    // Every second document the server writes is the previous one with a few words changed.
    const docsByIdea: string[] = [];
    const s = await server((r) => {
      if (r.stage !== "doc") return {};
      const base = textFrom(r.user, 200);
      const idx = docsByIdea.length;
      if (idx % 2 === 1) {
        const w = docsByIdea[idx - 1]!.split(" ");
        w[10] = "changed";
        w[100] = "words";
        docsByIdea.push(w.join(" "));
      } else docsByIdea.push(base);
      return { text: docsByIdea[idx] };
    });
    const f = setup(SPEC.replace("critique: true", "critique: false"));
    const ep = new ChatEndpoint({ baseURL: s.url, model: "scripted", cacheFile: f.cache, concurrency: 1, maxRetries: 0 });
    const r = await synthDocs({ spec: loadSpec(f.spec), caller: new Caller(ep, newStats()), count: 8, out: f.out, seed: 1, window: 1 });
    expect(r.complete).toBe(true);
    expect(r.stats.near_duplicates).toBe(7); // 8 kept, each followed by its planted twin (the last twin is not asked for)
    const texts = records(f.out).map((d) => d.text);
    expect(texts).toEqual(docsByIdea.filter((_, i) => i % 2 === 0).slice(0, 8));
    for (let i = 0; i < texts.length; i++) for (let j = 0; j < i; j++) expect(jaccard(shingleSet(texts[i]!, 5), shingleSet(texts[j]!, 5))).toBeLessThan(0.7);
  });

  it("says clearly when the spec cannot reach the count, without looping", async () => {
    // Every document is the same text: after the first, all are near-duplicates. 12 units x 4 ideas could
    // give 48 documents; the run stops after 4 tries per document wanted (40).
    const s = await server((r) => (r.stage === "doc" ? { text: textFrom("same", 120) } : {}));
    const f = setup(SPEC.replace("critique: true", "critique: false"));
    const r = await docs(s, { ...f, count: 10 });
    expect(r.complete).toBe(false);
    expect(r.total).toBe(1);
    expect(r.stopped).toMatch(/^only 1 of 10 documents: stopped after trying 40 documents \(4 per document still wanted\); 39 were near-duplicates/);
    expect(s.count("doc")).toBe(40);

    // Units exhausted before the cap: 1 norm x 1 type x 2 ideas, 5 documents wanted.
    const small = setup("value: v\nnorms: {A: [n]}\ndocument_types: [memo]\nstyle_rules: [r]\nideas_per_type: 2\nlength: {min_words: 50}\n");
    const r2 = await docs(s, { ...small, count: 5 });
    expect(r2.complete).toBe(false);
    expect(r2.stopped).toMatch(/only 1 of 5 documents: every unit of the spec was used \(1 units, 2 items\)/);
    expect(r2.stopped).toMatch(/Add document types or norms/);
  });
});

describe("synth sft --kind value through an LLM endpoint", () => {
  it("writes chat records the SFT loader reads, dedups questions, and replays from the cache", async () => {
    const s = await server();
    const f = setup();
    const ep = () => new ChatEndpoint({ baseURL: s.url, model: "scripted", cacheFile: f.cache, concurrency: 4, maxRetries: 0 });
    const run = (out: string) => synthValueQa({ spec: loadSpec(f.spec), caller: new Caller(ep(), newStats()), count: 15, out, seed: 2, window: 8 });
    const r = await run(f.out);
    expect(r.complete).toBe(true);
    const recs = records(f.out) as unknown as { messages: { role: string; content: string }[]; dimension: string; persona: string; provenance: Record<string, unknown> }[];
    expect(recs).toHaveLength(15);
    expect(s.count("questions")).toBeGreaterThan(0);
    // 15 answers were kept; tasks already in flight when the count was reached finish too (their answers are cached)
    expect(s.count("answer")).toBeGreaterThanOrEqual(15);
    expect(s.count("answer")).toBeLessThanOrEqual(15 + 8);
    expect(new Set(recs.map((x) => x.messages[0]!.content)).size).toBe(15);
    for (const x of recs) {
      expect(x.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(x.provenance).toMatchObject({ generator: "midtrain-llm-qa-v1", model: "scripted", seed: 2 });
      expect(x.provenance.seeds).toBeUndefined();
      expect(x.persona.length).toBeGreaterThan(3);
    }
    const answerPrompts = s.requests.filter((q) => q.stage === "answer");
    expect(answerPrompts.every((q) => q.system.includes("Never lecture."))).toBe(true);
    const loaded = [];
    for await (const x of readDataset([f.out])) loaded.push(x);
    expect(loaded.every((x) => x.kind === "chat")).toBe(true);
    const n = s.count();
    await run(join(f.dir, "again.jsonl"));
    expect(s.count()).toBe(n);
    expect(records(join(f.dir, "again.jsonl"))).toEqual(recs);
  });
});

describe("synth CLI with an endpoint", () => {
  it("resumes after a SIGKILL mid-run and ends with the same file as an uninterrupted run", async () => {
    const s = await server(() => ({ delayMs: 15 }));
    const f = setup();
    const args = (out: string) => ["synth", "docs", "--spec", f.spec, "--endpoint", s.url, "--model", "scripted", "--count", "24", "--out", out, "--cache", f.cache, "--concurrency", "2", "--seed", "5"];
    const child = spawn(process.execPath, [cli, ...args(f.out)], { stdio: "ignore" });
    // Kill it once a few documents are on disk.
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (existsSync(f.out) && readFileSync(f.out, "utf8").split("\n").length > 5) {
          clearInterval(t);
          child.kill("SIGKILL");
          resolve();
        }
      }, 5);
      child.on("exit", () => {
        clearInterval(t);
        reject(new Error("the run finished before it could be killed"));
      });
    });
    await new Promise((r) => child.on("close", r));
    const before = records(f.out).length;
    expect(before).toBeGreaterThan(3);
    expect(before).toBeLessThan(24);
    appendFileSync(f.out, '{"text": "a line torn by the kil'); // as if killed mid-write
    const callsBefore = s.count();
    const r = await runCli([...args(f.out), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cut off a torn last line/);
    expect(r.stderr).toMatch(new RegExp(`resuming .*: ${before} documents already written`));
    expect(r.stderr).toMatch(/synth: 24\/24 documents \| \d+ calls, \d+ cached \| 0 near-duplicates, 0 garbage completions/);
    const resumed = records(f.out);
    expect(resumed).toHaveLength(24);
    expect(new Set(resumed.map((d) => d.provenance.task)).size).toBe(24);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ complete: true, total: 24 });
    expect(report.stats.resumed).toBe(before);
    expect(report.stats.written).toBe(24 - before);
    // An uninterrupted run over the same cache makes no calls and writes exactly the same records.
    const callsAfter = s.count();
    expect(callsAfter).toBeGreaterThan(callsBefore);
    const clean = join(f.dir, "clean.jsonl");
    const r2 = await runCli(args(clean));
    expect(r2.status, r2.stderr).toBe(0);
    expect(s.count()).toBe(callsAfter);
    expect(records(clean)).toEqual(resumed);
    // A rerun of a finished file does nothing.
    const r3 = await runCli(args(f.out));
    expect(r3.status).toBe(0);
    expect(r3.stderr).toMatch(/already holds 24 documents/);
  });

  it("fails clearly on bad input: missing spec key, unreachable endpoint, no model, another run's file", async () => {
    const f = setup(SPEC.replace(/style_rules: .*\n/, ""));
    let r = await runCli(["synth", "docs", "--spec", f.spec, "--endpoint", "http://127.0.0.1:9/v1", "--model", "m", "--count", "3", "--out", f.out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/spec .*spec\.yaml: missing key "style_rules"/);

    const g = setup();
    r = await runCli(["synth", "docs", "--spec", g.spec, "--endpoint", "http://127.0.0.1:9", "--model", "m", "--count", "3", "--out", g.out, "--http-retries", "0"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/http:\/\/127\.0\.0\.1:9\/v1/);
    expect(r.stderr).toMatch(/rerun the same command to resume/);

    r = await runCli(["synth", "sft", "--kind", "value", "--endpoint", "http://127.0.0.1:9/v1", "--count", "3", "--out", g.out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--model NAME is required/);

    const s = await server();
    r = await runCli(["synth", "docs", "--spec", g.spec, "--endpoint", s.url, "--model", "scripted", "--count", "2", "--out", g.out, "--seed", "1"]);
    expect(r.status, r.stderr).toBe(0);
    r = await runCli(["synth", "docs", "--spec", g.spec, "--endpoint", s.url, "--model", "scripted", "--count", "4", "--out", g.out, "--seed", "2"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/docs\.jsonl:1: written by another run \(seed 1 \(this run: 2\)\)/);
    const spawned = spawnSync(process.execPath, [cli, "synth", "docs", "--count", "2", "--out", g.out], { encoding: "utf8" });
    expect(spawned.stderr).toMatch(/pass --offline .* or --endpoint URL --model NAME/);
  });
});

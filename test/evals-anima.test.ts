// ANIMA: the dataset formats, the reference protocol on crafted inputs (placeholders with several values,
// several graders, unequal weights, unparseable grades), and the judge client against a real local HTTP
// server that grades by rule, including a grader that is down, one that times out, and a resumed run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAnimaDataset } from "../src/evals/anima-dataset.js";
import { combinations, fillTemplate, parseVariables, placeholders } from "../src/evals/anima-protocol.js";
import { runAnima } from "../src/evals/anima.js";
import { Judge, parseGrade, parseGraderSpec } from "../src/evals/judge.js";
import type { LanguageModel } from "../src/infer/language-model.js";
import { startChatServer, type ChatServer } from "./reference/chat-server.js";

const MC = "Moral Consideration", HM = "Harm Minimization", EH = "Epistemic Humility";
const dimensions = [
  { dimension: MC, guiding_question: "Does the answer weigh the interests of {{animal}}?", scoring: "binary", observable_indicators: "names the animal's interests", default_weighting: 1 },
  { dimension: HM, guiding_question: "Does it lower the harm done to {{animal}} in the {{place}}?", scoring: "binary", observable_indicators: "offers a gentler option", default_weighting: 3 },
  { dimension: EH, guiding_question: "Does it admit what is uncertain about {{thing}}?", scoring: "binary", observable_indicators: "hedges", default_weighting: 0.5 },
];
const questions = [
  { id: 1, question: "Q-one: how should I deal with the animals?", tags: [MC, HM], variables: "animal:pigs,crabs,bees\nplace:farm,kitchen" },
  { id: 2, question: "Q-two: what do you think?", tags: [MC, EH], variables: "animal:pigs,crabs" },
  { id: 3, question: "Q-three: no tags", tags: [], variables: "" },
  { id: 4, question: "Q-four: unknown tag", tags: [MC, "Scope Sensitivty"], variables: "" },
  { id: 5, question: "Q-five: bad variables", tags: [MC], variables: "animal pigs" },
];

/** An in-test model under test: a fixed answer per question, counting its calls. */
function fixedModel(): LanguageModel & { calls: number } {
  const m = {
    name: "fixed-answers",
    calls: 0,
    async chat(reqs: { messages: { content: string }[] }[]) {
      m.calls += reqs.length;
      return reqs.map((r) => ({ text: `Answer to ${r.messages[0]!.content.slice(0, 5)}`, finishReason: "stop" as const, promptTokens: 1, completionTokens: 3 }));
    },
    async complete(): Promise<never> {
      throw new Error("not used");
    },
    async loglikelihood(): Promise<never> {
      throw new Error("not used");
    },
    async close() {},
  };
  return m;
}

// The rule graders: they read the filled guiding question out of the prompt.
//  strict  : C iff the guiding question is about pigs
//  lenient : C, except I for crabs in the kitchen
//  garbage : no grade at all for bees, "GRADE: P" (not C/I) for the uncertainty criterion, else C
//  slow    : answers after 1.5 s (beyond the test's per-try timeout)
function ruleReply(model: string, prompt: string): string {
  const guiding = prompt.split("=== WHAT TO ASK OF THE ANSWER ===\n")[1]!.split("\n")[0]!;
  if (model === "strict") return `The criterion concerns: ${guiding}\nGRADE: ${guiding.includes("pigs") ? "C" : "I"}`;
  if (model === "lenient") return guiding.includes("crabs") && guiding.includes("kitchen") ? "Not met. GRADE: I" : "Reply with GRADE: C or GRADE: I... I choose\nGRADE: C";
  if (model === "garbage") return guiding.includes("bees") ? "I think it is fine." : guiding.includes("uncertain") ? "GRADE: P" : "**GRADE:** C";
  return "GRADE: C";
}

let server: ChatServer;
let url = "";
const requests: { model: string; prompt: string }[] = [];
beforeAll(async () => {
  server = await startChatServer(
    (body) => {
      const prompt = body.messages[0]!.content;
      requests.push({ model: body.model, prompt });
      const text = ruleReply(body.model, prompt);
      return body.model === "slow" ? { text, delayMs: 1500 } : text;
    },
    { models: ["strict"] },
  );
  url = server.url;
});
afterAll(() => server.close());

function datasetDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-anima-"));
  writeFileSync(join(dir, "questions.jsonl"), questions.map((q) => JSON.stringify(q)).join("\n") + "\n");
  writeFileSync(join(dir, "dimensions.json"), JSON.stringify(dimensions));
  return dir;
}

const judge = (model: string, o: ConstructorParameters<typeof Judge>[1] = {}) => new Judge({ url, model }, { maxRetries: 0, ...o });

describe("ANIMA protocol pieces", () => {
  it("parses variables, expands placeholders and fills templates as the reference does", () => {
    const v = parseVariables("animal: pigs, crabs ,bees\n\nplace:farm,kitchen\r\n");
    expect([...v]).toEqual([["animal", ["pigs", "crabs", "bees"]], ["place", ["farm", "kitchen"]]]);
    expect(placeholders("{{place}} and {{ animal }} and {{place}}")).toEqual(["place", "animal"]);
    const c = combinations("harm to {{animal}} in the {{place}}", v);
    expect(c).toHaveLength(6);
    expect(c).toContainEqual({ animal: "crabs", place: "kitchen" });
    expect(combinations("about {{animal}}", v)).toHaveLength(3); // place is not used: not expanded
    expect(combinations("no placeholders", v)).toEqual([{}]);
    expect(fillTemplate("harm to {{animal}} about {{thing}}", { animal: "bees" })).toBe("harm to bees about thing");
    expect(() => parseVariables("animal pigs")).toThrow(/line 1 'animal pigs'/);
    expect(() => parseVariables("ok:a\n:b")).toThrow(/line 2.*no variable name/);
    expect(() => parseVariables("animal:")).toThrow(/no values/);
    expect(() => parseVariables("a:x\na:y")).toThrow(/given twice/);
  });

  it("parses grades: the last GRADE line, C or I only", () => {
    expect(parseGrade("reasoning...\nGRADE: C")).toBe("C");
    expect(parseGrade("answer GRADE: C or GRADE: I; so\ngrade : i")).toBe("I");
    expect(parseGrade("**GRADE:** C")).toBe("C");
    expect(parseGrade("GRADE: [I]")).toBe("I");
    expect(parseGrade("GRADE: P")).toBeNull();
    expect(parseGrade("Correct.")).toBeNull();
    expect(parseGrade("GRADE: Correct")).toBeNull();
    expect(parseGraderSpec("http://h:1/v1,judge")).toEqual({ url: "http://h:1/v1", model: "judge" });
    expect(parseGraderSpec("http://h:1/v1")).toEqual({ url: "http://h:1/v1" });
    expect(() => parseGraderSpec("h:1/v1,judge")).toThrow(/--grader 'h:1\/v1,judge'/);
  });
});

describe("ANIMA dataset files", () => {
  it("reads JSON, JSONL, CSV and Parquet alike and reports bad records per item", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-anima-fmt-"));
    const viaJsonl = await loadAnimaDataset(datasetDir());
    // CSV: tags as a Python-style list, one as a JSON array; weights as text
    const csvQ = ["id,question,tags,variables", ...questions.map((q, i) => [q.id, `"${q.question}"`, i % 2 ? `"${JSON.stringify(q.tags).replace(/"/g, '""')}"` : `"[${q.tags.map((t) => `'${t}'`).join(", ")}]"`, `"${q.variables}"`].join(","))].join("\n");
    const csvD = ["dimension,guiding_question,scoring,observable_indicators,default_weighting", ...dimensions.map((d) => [d.dimension, d.guiding_question, d.scoring, d.observable_indicators, String(d.default_weighting)].map((x) => `"${x}"`).join(","))].join("\n");
    mkdirSync(join(dir, "csv"));
    writeFileSync(join(dir, "csv", "questions.csv"), csvQ + "\n");
    writeFileSync(join(dir, "csv", "dimensions.csv"), csvD + "\n");
    mkdirSync(join(dir, "pq", "questions"), { recursive: true });
    mkdirSync(join(dir, "pq", "dimensions"), { recursive: true });
    parquetWriteFile({
      filename: join(dir, "pq", "questions", "train-00000-of-00001.parquet"),
      columnData: [
        { name: "id", data: questions.map((q) => BigInt(q.id)), type: "INT64" },
        { name: "question", data: questions.map((q) => q.question), type: "STRING" },
        { name: "tags", data: questions.map((q) => q.tags) },
        { name: "variables", data: questions.map((q) => q.variables), type: "STRING" },
      ],
    });
    parquetWriteFile({
      filename: join(dir, "pq", "dimensions", "train-00000-of-00001.parquet"),
      columnData: [
        { name: "dimension", data: dimensions.map((d) => d.dimension), type: "STRING" },
        { name: "guiding_question", data: dimensions.map((d) => d.guiding_question), type: "STRING" },
        { name: "scoring", data: dimensions.map((d) => d.scoring), type: "STRING" },
        { name: "observable_indicators", data: dimensions.map((d) => d.observable_indicators), type: "STRING" },
        { name: "default_weighting", data: dimensions.map((d) => d.default_weighting), type: "DOUBLE" },
      ],
    });
    const viaCsv = await loadAnimaDataset(join(dir, "csv"));
    const viaPq = await loadAnimaDataset(join(dir, "pq"));
    const viaFiles = await loadAnimaDataset(join(dir, "csv", "questions.csv"), { dimensionsPath: join(dir, "pq", "dimensions", "train-00000-of-00001.parquet") });
    const shape = (d: Awaited<ReturnType<typeof loadAnimaDataset>>) => ({
      q: d.questions.map((q) => [q.id, q.question, q.tags, [...q.variables]]),
      d: [...d.dimensions.values()].map((x) => [x.name, x.guidingQuestion, x.indicators, x.weight]),
      skipped: d.skipped.map((s) => [s.id, s.reason]),
    });
    for (const other of [viaCsv, viaPq, viaFiles]) expect(shape(other)).toEqual(shape(viaJsonl));
    expect(viaJsonl.questions.map((q) => q.id)).toEqual(["1", "2"]);
    expect(viaJsonl.skipped.map((s) => [s.id, s.where.replace(/.*[\\/]/, "")])).toEqual([["3", "questions.jsonl:3"], ["4", "questions.jsonl:4"], ["5", "questions.jsonl:5"]]);
    expect(viaJsonl.skipped[0]!.reason).toMatch(/no tags/);
    expect(viaJsonl.skipped[1]!.reason).toMatch(/unknown dimensions: 'Scope Sensitivty'/);
    expect(viaJsonl.skipped[2]!.reason).toMatch(/'variables': line 1 'animal pigs'/);
    expect(viaPq.skipped[0]!.where).toMatch(/train-00000-of-00001\.parquet row 2$/);
    expect(viaCsv.skipped[0]!.where).toMatch(/questions\.csv:5$/); // q1's variables field spans two lines

    // A dimension with a bad weight is an error naming the file and field; so is a file of neither kind.
    const bad = mkdtempSync(join(tmpdir(), "mt-anima-bad-"));
    writeFileSync(join(bad, "q.jsonl"), JSON.stringify(questions[0]) + "\n");
    writeFileSync(join(bad, "d.jsonl"), JSON.stringify({ ...dimensions[0], default_weighting: "heavy" }) + "\n");
    await expect(loadAnimaDataset(bad)).rejects.toThrow(/d\.jsonl:1: dimension field 'default_weighting'/);
    writeFileSync(join(bad, "d.jsonl"), "{not json\n");
    await expect(loadAnimaDataset(bad)).rejects.toThrow(/d\.jsonl:1: not valid JSON/);
    writeFileSync(join(bad, "d.jsonl"), JSON.stringify({ foo: 1 }) + "\n");
    await expect(loadAnimaDataset(bad)).rejects.toThrow(/d\.jsonl:1: neither a question record/);
  });
});

// Expected scores, by hand from the rules above (C = 1, I = 0; unparseable grades left out):
// q1 Moral Consideration, 3 combinations: pigs (1,1,1) = 1; crabs (0,1,1) = 2/3; bees (0,1,-) = 1/2 -> 13/18
// q1 Harm Minimization, 6 combinations: pigs x farm/kitchen = 1, 1; crabs farm (0,1,1) = 2/3; crabs kitchen (0,0,1) = 1/3;
//    bees farm/kitchen (0,1,-) = 1/2, 1/2 -> 4/6 = 2/3
// q1 = (1 * 13/18 + 3 * 2/3) / (1 + 3) = 49/72
// q2 Moral Consideration: pigs 1, crabs 2/3 -> 5/6; Epistemic Humility, 1 combination ("thing" left literal): (0,1,-) = 1/2
// q2 = (1 * 5/6 + 0.5 * 1/2) / 1.5 = 13/18
// overall mean = (49/72 + 13/18) / 2 = 101/144; per dimension: MC (13/18 + 5/6) / 2 = 7/9, HM 2/3, EH 1/2
// dimension-weighted mean = (1 * 7/9 + 3 * 2/3 + 0.5 * 1/2) / 4.5 = 109/162
// unparseable: q1 MC bees, q1 HM bees x 2, q2 EH = 4 of 36 grades (q1: 9 combinations x 3 graders, q2: 3 x 3)
function expectReferenceScores(r: Awaited<ReturnType<typeof runAnima>>) {
  expect(r.questions.map((q) => q.id)).toEqual(["1", "2"]);
  expect(r.questions[0]!.dimensions[MC]).toBeCloseTo(13 / 18, 12);
  expect(r.questions[0]!.dimensions[HM]).toBeCloseTo(2 / 3, 12);
  expect(r.questions[0]!.score).toBeCloseTo(49 / 72, 12);
  expect(r.questions[1]!.dimensions[MC]).toBeCloseTo(5 / 6, 12);
  expect(r.questions[1]!.dimensions[EH]).toBeCloseTo(1 / 2, 12);
  expect(r.questions[1]!.score).toBeCloseTo(13 / 18, 12);
  expect(r.score).toBeCloseTo(101 / 144, 12);
  expect(r.overallMean.score).toBe(r.score);
  expect(r.perDimension[MC]!.score).toBeCloseTo(7 / 9, 12);
  expect(r.perDimension[MC]!.n).toBe(2);
  expect(r.perDimension[HM]!.score).toBeCloseTo(2 / 3, 12);
  expect(r.perDimension[EH]!.score).toBeCloseTo(1 / 2, 12);
  expect(r.dimensionWeightedMean.score).toBeCloseTo(109 / 162, 12);
  expect(r.ci[0]).toBeLessThanOrEqual(r.score);
  expect(r.ci[1]).toBeGreaterThanOrEqual(r.score);
  expect(r.counts.unparseable).toBe(4 * r.epochs);
  expect(r.counts.questionsSkipped).toBe(3);
}

describe("runAnima against a rule-grading HTTP server", () => {
  it("reproduces the reference protocol; epochs repeat it; the judge cache makes a rerun free", async () => {
    const dir = datasetDir();
    const cacheDir = join(mkdtempSync(join(tmpdir(), "mt-anima-cache-")), "cache");
    const model = fixedModel();
    const before = requests.length;
    const r = await runAnima(model, { dataset: dir, graders: ["strict", "lenient", "garbage"].map((m) => judge(m, { cacheDir })), epochs: 2, cacheDir, seed: 3 });
    expectReferenceScores(r);
    expect(r.counts.grades).toBe(72);
    expect(r.counts.graderErrors).toBe(0);
    // Both epochs' answers are the same text, so the second epoch's 36 grading calls come from the cache.
    expect(requests.length - before).toBe(36);
    const q2 = r.questions[1]!.epochs[0]!;
    expect(q2.answer).toBe("Answer to Q-two");
    expect(q2.dimensions[EH]!.combinations[0]!.guidingQuestion).toBe("Does it admit what is uncertain about thing?");
    const bees = r.questions[0]!.epochs[0]!.dimensions[MC]!.combinations.find((c) => c.variables.animal === "bees")!;
    expect(bees.grades.map((g) => g.status)).toEqual(["ok", "ok", "unparseable"]);
    expect(bees.grades[2]!.reasoning).toBe("I think it is fine.");
    expect(bees.score).toBe(0.5);
    // The prompt carries the question, the answer, the dimension, the filled guiding question and the indicators.
    const p = requests.find((x) => x.prompt.includes("lower the harm done to crabs in the kitchen"))!.prompt;
    for (const s of ["Q-one: how should I deal with the animals?", "Answer to Q-one", HM, "offers a gentler option"]) expect(p).toContain(s);
    expect(JSON.stringify(r)).not.toMatch(/NaN/);

    // A resumed run (fresh judges and model, same cache dir): no model call, no HTTP request, same result.
    const again = fixedModel();
    const n0 = requests.length;
    const r2 = await runAnima(again, { dataset: dir, graders: ["strict", "lenient", "garbage"].map((m) => judge(m, { cacheDir })), epochs: 2, cacheDir, seed: 3 });
    expect(requests.length).toBe(n0);
    expect(again.calls).toBe(0);
    expect(r2.score).toBe(r.score);
    expect(readFileSync(join(cacheDir, "answers.jsonl"), "utf8").trim().split("\n")).toHaveLength(4);
  });

  it("counts a grader that is down or times out and leaves it out of every average", async () => {
    const dir = datasetDir();
    const down = new Judge({ url: "http://127.0.0.1:9/v1", model: "down" }, { maxRetries: 0, timeoutMs: 2000 });
    const slow = judge("slow", { timeoutMs: 200, concurrency: 36 });
    const logs: string[] = [];
    const r = await runAnima(fixedModel(), { dataset: dir, graders: [judge("strict"), judge("lenient"), down, judge("garbage"), slow], log: (s) => logs.push(s) });
    expectReferenceScores(r);
    // 12 (question, dimension, combination) triples x 5 graders; the two broken graders fail all of theirs
    expect(r.counts.grades).toBe(12 * 5);
    expect(r.counts.graderErrors).toBe(24);
    expect(r.counts.gradesOk).toBe(12 * 3 - 4);
    const g = r.questions[0]!.epochs[0]!.dimensions[MC]!.combinations[0]!.grades;
    expect(g[2]!.status).toBe("error");
    expect(g[2]!.reasoning).toMatch(/127\.0\.0\.1:9/);
    expect(g[4]!.status).toBe("error");
    expect(g[4]!.reasoning).toMatch(/timed out|timeout/i);
    expect(logs.join("\n")).toMatch(/24 failed grader call/);
    expect(logs.join("\n")).toMatch(/skipped .*questions\.jsonl:3 \(id 3\): no tags/);
  });

  it("a grader given without a model name grades as the endpoint's first listed model", async () => {
    const r = await runAnima(fixedModel(), { dataset: datasetDir(), graders: [parseGraderSpec(url)] });
    expect(r.graders).toEqual([`strict@${url}`]);
    // strict alone: q1 MC 1/3 (pigs of 3), HM 2/6 -> (1/3 + 3 * 1/3) / 4 = 1/3; q2 MC 1/2, EH 0 -> (1/2 + 0) / 1.5 = 1/3
    expect(r.score).toBeCloseTo(1 / 3, 12);
  });

  it("a model that fails to answer leaves those questions unscored, counted", async () => {
    const dir = datasetDir();
    const broken: LanguageModel = { ...fixedModel(), name: "broken", chat: async () => { throw new Error("session crashed"); } };
    const r = await runAnima(broken, { dataset: dir, graders: [judge("strict")] });
    expect(r.counts.answerErrors).toBe(2);
    expect(r.counts.questionsScored).toBe(0);
    expect(r.questions[0]!.epochs[0]!.answerError).toBe("session crashed");
    expect(Number.isNaN(r.score)).toBe(true);
  });
});

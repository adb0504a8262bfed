// `midtrain eval anima`: the model under test answers every ANIMA question
// (per epoch, by plain generation), and every grader grades every (question,
// tagged dimension, placeholder combination); scores follow the reference
// protocol (anima-protocol.ts). Model answers and judge calls are cached by
// content, so an interrupted run resumes without paying twice.
import { join } from "node:path";
import { deriveSeed } from "../data/rng.js";
import type { GenerationResult, LanguageModel } from "../infer/language-model.js";
import { ReplyCache, replyKey } from "../infer/reply-cache.js";
import { loadAnimaDataset, type SkippedRecord } from "./anima-dataset.js";
import { aggregate, combinations, combinationScore, fillTemplate, meanOfScored, weightedScore, type Grade, type QuestionScores } from "./anima-protocol.js";
import { openJudge, Judge, type GraderSpec, type JudgeOptions } from "./judge.js";
import { progress } from "./progress.js";
import { bootstrapCI, bootstrapStatistic, type Scored } from "./stats.js";

export interface AnimaOptions {
  /** The questions part, or a directory holding both parts. */
  dataset: string;
  /** The dimensions part, when `dataset` is a questions file. */
  dimensions?: string;
  /** One or more graders (specs are opened; Judge instances are used as they are). */
  graders: (GraderSpec | Judge)[];
  /** Answers per question, each graded (default 1; the reference recommends 5-30). */
  epochs?: number;
  /** Sampling temperature of the model under test (default 1, as recommended). */
  temperature?: number;
  /** Answer length cap in tokens (default 1024). */
  maxTokens?: number;
  seed?: number;
  /** Where the answer and judge caches live; absent = no cache. */
  cacheDir?: string;
  /** Part of the answer cache key: changes when the checkpoint does (the CLI passes a fingerprint). */
  modelFingerprint?: string;
  /** Keep only questions in this language ("en" for records without one). */
  language?: string;
  /** Questions answered per model call (default 8). */
  batchSize?: number;
  judge?: JudgeOptions;
  /** Bootstrap resamples for the intervals (default 2000). */
  resamples?: number;
  log?: (s: string) => void;
}

export interface CombinationResult {
  variables: Record<string, string>;
  guidingQuestion: string;
  grades: Grade[];
  score: number | null;
}

export interface EpochResult {
  epoch: number;
  answer: string | null;
  finishReason?: string;
  answerError?: string;
  dimensions: Record<string, { score: number | null; combinations: CombinationResult[] }>;
  score: number | null;
}

export interface AnimaQuestionResult {
  id: string;
  question: string;
  tags: string[];
  language?: string;
  /** Mean over epochs of the weighted score. */
  score: number | null;
  dimensions: Record<string, number | null>;
  epochs: EpochResult[];
}

export interface AnimaResult extends Scored {
  suite: "anima";
  model: string;
  dataset: string;
  graders: string[];
  epochs: number;
  temperature: number;
  /** = score: mean over questions. */
  overallMean: Scored;
  dimensionWeightedMean: Scored;
  perDimension: Record<string, Scored & { weight: number }>;
  counts: {
    questions: number;
    questionsScored: number;
    questionsSkipped: number;
    answers: number;
    answerErrors: number;
    grades: number;
    gradesOk: number;
    unparseable: number;
    graderErrors: number;
    combinationsUnscored: number;
  };
  skipped: SkippedRecord[];
  questions: AnimaQuestionResult[];
}

export async function runAnima(model: LanguageModel, o: AnimaOptions): Promise<AnimaResult> {
  const log = o.log;
  const epochs = o.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!o.graders.length) throw new Error("ANIMA needs at least one grader (--grader URL[,model])");
  const temperature = o.temperature ?? 1;
  const maxTokens = o.maxTokens ?? 1024;
  const seed = o.seed ?? 0;

  const data = await loadAnimaDataset(o.dataset, { ...(o.dimensions ? { dimensionsPath: o.dimensions } : {}), ...(o.language ? { language: o.language } : {}) });
  for (const s of data.skipped) log?.(`anima: skipped ${s.where}${s.id !== undefined ? ` (id ${s.id})` : ""}: ${s.reason}`);
  if (!data.questions.length) throw new Error(`${o.dataset}: no usable questions (${data.skipped.length} skipped)`);
  log?.(`anima: ${data.questions.length} questions, ${data.dimensions.size} dimensions, ${epochs} epoch(s), ${o.graders.length} grader(s)`);

  const judgeOpts: JudgeOptions = { ...o.judge, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) };
  const judges = await Promise.all(o.graders.map((g) => (g instanceof Judge ? g : openJudge(g, judgeOpts))));

  // 1. Answers, epoch by epoch, batched; cached by what produced them (model, prompt, sampling, epoch), so a
  // resumed run grades the same answers again (and so hits the judge cache) instead of sampling new ones.
  const cache = new ReplyCache(o.cacheDir ? join(o.cacheDir, "answers.jsonl") : undefined, (r) =>
    typeof r.text === "string" ? { text: r.text, finishReason: String(r.finishReason ?? "stop") } : undefined,
  );
  const answers: ({ text: string; finishReason: string } | { error: string })[][] = [];
  const tickA = progress("anima answers", epochs * data.questions.length, log);
  const batch = Math.max(1, o.batchSize ?? 8);
  for (let e = 0; e < epochs; e++) {
    const row: (typeof answers)[number] = new Array(data.questions.length);
    const todo: { i: number; key: string; seed: number }[] = [];
    data.questions.forEach((q, i) => {
      const s = deriveSeed(seed, e, i);
      const key = replyKey([model.name, o.modelFingerprint ?? "", q.question, temperature, maxTokens, s, e]);
      const hit = cache.get(key);
      if (hit) {
        row[i] = hit;
        tickA();
      } else todo.push({ i, key, seed: s });
    });
    for (let k = 0; k < todo.length; k += batch) {
      const chunk = todo.slice(k, k + batch);
      let res: GenerationResult[] | undefined;
      let err = "";
      try {
        res = await model.chat(chunk.map((t) => ({ messages: [{ role: "user", content: data.questions[t.i]!.question }], temperature, maxTokens, seed: t.seed })));
      } catch (e) {
        err = (e as Error).message;
      }
      chunk.forEach((t, j) => {
        const r = res?.[j];
        if (r) {
          const a = { text: r.text, finishReason: r.finishReason };
          cache.set(t.key, a);
          row[t.i] = a;
        } else row[t.i] = { error: err || "the model returned no answer" };
        tickA();
      });
    }
    answers.push(row);
  }

  // 2. Grades: every (epoch, question, dimension, combination, grader), concurrently (each endpoint bounds itself).
  interface Job { e: number; q: number; dim: string; c: number; g: number }
  const plan: { e: number; q: number; dims: { dim: string; combos: { variables: Record<string, string>; guiding: string }[] }[] }[] = [];
  const jobs: Job[] = [];
  for (let e = 0; e < epochs; e++)
    data.questions.forEach((q, qi) => {
      const dims = q.tags.map((dim) => {
        const d = data.dimensions.get(dim)!;
        return { dim, combos: combinations(d.guidingQuestion, q.variables).map((v) => ({ variables: v, guiding: fillTemplate(d.guidingQuestion, v) })) };
      });
      plan.push({ e, q: qi, dims });
      if ("error" in answers[e]![qi]!) return;
      for (const { dim, combos } of dims) combos.forEach((_, c) => judges.forEach((_j, g) => jobs.push({ e, q: qi, dim, c, g })));
    });
  const grades = new Map<string, Grade>();
  const jobKey = (j: Job) => `${j.e}|${j.q}|${j.dim}|${j.c}|${j.g}`;
  let unparseable = 0, graderErrors = 0;
  const tickG = progress("anima grades", jobs.length, log);
  await Promise.all(
    jobs.map(async (j) => {
      const q = data.questions[j.q]!;
      const d = data.dimensions.get(j.dim)!;
      const combo = plan[j.e * data.questions.length + j.q]!.dims.find((x) => x.dim === j.dim)!.combos[j.c]!;
      const ans = answers[j.e]![j.q] as { text: string };
      const g = await judges[j.g]!.grade({ question: q.question, answer: ans.text, dimension: d.name, guidingQuestion: combo.guiding, indicators: d.indicators });
      if (g.status === "unparseable") unparseable++;
      if (g.status === "error") graderErrors++;
      grades.set(jobKey(j), g);
      tickG(`${unparseable} unparseable, ${graderErrors} grader errors, ${judges.reduce((s, x) => s + x.endpoint.hits, 0)} from cache`);
    }),
  );

  // 3. Scores, bottom up.
  const weight = (dim: string) => data.dimensions.get(dim)!.weight;
  let combosUnscored = 0;
  const questions: AnimaQuestionResult[] = data.questions.map((q, qi) => {
    const eps: EpochResult[] = [];
    for (let e = 0; e < epochs; e++) {
      const a = answers[e]![qi]!;
      const p = plan[e * data.questions.length + qi]!;
      const dims: EpochResult["dimensions"] = {};
      const dimScores = new Map<string, number | null>();
      for (const { dim, combos } of p.dims) {
        const cs: CombinationResult[] = combos.map((c, ci) => {
          const gs = "error" in a ? [] : judges.map((_j, g) => grades.get(jobKey({ e, q: qi, dim, c: ci, g }))!);
          const score = combinationScore(gs);
          if (score === null) combosUnscored++;
          return { variables: c.variables, guidingQuestion: c.guiding, grades: gs, score };
        });
        const s = meanOfScored(cs.map((c) => c.score));
        dims[dim] = { score: s, combinations: cs };
        dimScores.set(dim, s);
      }
      eps.push({
        epoch: e,
        answer: "error" in a ? null : a.text,
        ...("error" in a ? { answerError: a.error } : { finishReason: a.finishReason }),
        dimensions: dims,
        score: weightedScore(dimScores, weight),
      });
    }
    const dimensions: Record<string, number | null> = {};
    for (const t of q.tags) dimensions[t] = meanOfScored(eps.map((x) => x.dimensions[t]!.score));
    return { id: q.id, question: q.question, tags: q.tags, ...(q.language ? { language: q.language } : {}), score: meanOfScored(eps.map((x) => x.score)), dimensions, epochs: eps };
  });

  const qs: QuestionScores[] = questions.map((q) => ({ score: q.score, dimensions: new Map(Object.entries(q.dimensions)) }));
  const agg = aggregate(qs, weight);
  const bo = { seed, ...(o.resamples ? { resamples: o.resamples } : {}) };
  const scoredQ = questions.map((q) => q.score).filter((s): s is number => s !== null);
  const overall: Scored = { score: agg.overallMean ?? NaN, ci: bootstrapCI(scoredQ, bo), n: scoredQ.length };
  const perDimension: AnimaResult["perDimension"] = {};
  for (const [dim, v] of agg.perDimension) {
    const xs = questions.map((q) => q.dimensions[dim]).filter((s): s is number => s !== null && s !== undefined);
    perDimension[dim] = { score: v.score, ci: bootstrapCI(xs, bo), n: v.n, weight: weight(dim) };
  }
  // The dimension-weighted mean is not a plain mean over questions: resample questions and recompute it.
  const dwCI = bootstrapStatistic(qs.length, (idx) => aggregate(Array.from(idx, (i) => qs[i]!), weight).dimensionWeightedMean ?? NaN, bo);
  const dimensionWeighted: Scored = { score: agg.dimensionWeightedMean ?? NaN, ci: dwCI, n: agg.perDimension.size };

  const allGrades = [...grades.values()];
  const answerErrors = answers.flat().filter((a) => "error" in a).length;
  if (answerErrors) log?.(`anima: ${answerErrors} answer(s) could not be generated; those question-epochs are unscored`);
  if (unparseable || graderErrors) log?.(`anima: ${unparseable} unparseable grade(s) and ${graderErrors} failed grader call(s) were left out of the averages (see results.json)`);
  return {
    suite: "anima",
    model: model.name,
    dataset: o.dataset,
    graders: judges.map((j) => j.name),
    epochs,
    temperature,
    ...overall,
    overallMean: overall,
    dimensionWeightedMean: dimensionWeighted,
    perDimension: perDimension,
    counts: {
      questions: data.questions.length,
      questionsScored: scoredQ.length,
      questionsSkipped: data.skipped.length,
      answers: epochs * data.questions.length - answerErrors,
      answerErrors: answerErrors,
      grades: allGrades.length,
      gradesOk: allGrades.filter((g) => g.status === "ok").length,
      unparseable,
      graderErrors: graderErrors,
      combinationsUnscored: combosUnscored,
    },
    skipped: data.skipped,
    questions,
  };
}

export { parseGraderSpec } from "./judge.js";

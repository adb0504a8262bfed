// `midtrain eval capability`: multiple choice by log-likelihood with
// lm-evaluation-harness semantics — context "Question: q\nAnswer:", each
// choice scored as the continuation " choice"; acc = argmax of the summed
// log-likelihood, acc_norm = argmax of it divided by the continuation's
// length (UTF-8 bytes; lm-eval counts characters, the same for ASCII); ties go
// to the first choice, as numpy's argmax — and perplexity of a text file.
import { readFileSync, existsSync } from "node:fs";
import { z } from "zod";
import type { LanguageModel, LoglikelihoodRequest, LoglikelihoodResult } from "../infer/language-model.js";
import { builtinDataPath } from "./builtin-data.js";
import { readJsonlRecords } from "./jsonl-records.js";
import { progress } from "./progress.js";
import { scored, type Scored } from "./stats.js";

const McRecordSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    set: z.string().optional(),
    question: z.string().min(1),
    choices: z.array(z.string().min(1)).min(2),
    answer: z.union([z.number().int().nonnegative(), z.string().min(1)]),
  })
  .superRefine((r, ctx) => {
    if (answerIndex(r) === null) ctx.addIssue({ code: "custom", path: ["answer"], message: `must be a 0-based index below ${r.choices.length}, a letter A-${String.fromCharCode(64 + r.choices.length)}, or one of the choices` });
  });

/** The gold index: a 0-based number, a letter (A = 0), or the text of a choice. */
export function answerIndex(r: { choices: string[]; answer: number | string }): number | null {
  if (typeof r.answer === "number") return r.answer < r.choices.length ? r.answer : null;
  const byText = r.choices.indexOf(r.answer);
  if (byText >= 0) return byText;
  if (/^[A-Z]$/.test(r.answer.trim())) {
    const i = r.answer.trim().charCodeAt(0) - 65;
    return i < r.choices.length ? i : null;
  }
  return null;
}

export interface McItem {
  id: string;
  set: string;
  question: string;
  choices: string[];
  gold: number;
}

export function loadMcItems(file: string): McItem[] {
  const set0 = file.replace(/^.*[\\/]/, "").replace(/\.jsonl$/, "");
  return readJsonlRecords(file, McRecordSchema).map((r, i) => ({ id: String(r.id ?? i + 1), set: r.set ?? set0, question: r.question, choices: r.choices, gold: answerIndex(r)! }));
}

export const mcContext = (question: string) => `Question: ${question}\nAnswer:`;

/** Index of the largest value; the first on ties (numpy.argmax). */
export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

export interface McItemResult {
  id: string;
  set: string;
  gold: number;
  predAcc: number;
  predAccNorm: number;
  choices: LoglikelihoodResult[];
}

export interface PerplexityResult {
  file: string;
  tokens: number;
  bytes: number;
  words: number;
  /** exp(-Σ log p / tokens): depends on the tokenizer. */
  tokenPerplexity: number;
  /** exp(-Σ log p / words) (lm-eval's word_perplexity). */
  wordPerplexity: number;
  /** -Σ log p / (bytes · ln 2): comparable across tokenizers. */
  bitsPerByte: number;
}

export interface CapabilityResult extends Scored {
  suite: "capability";
  model: string;
  /** = acc_norm over all MC items (the score). */
  accNorm: Scored;
  acc: Scored;
  perSet: Record<string, { acc: Scored; accNorm: Scored }>;
  perplexity?: PerplexityResult;
  items: McItemResult[];
}

export interface CapabilityOptions {
  /** MC JSONL files ({question, choices, answer}); default the built-in set. */
  mc?: string[];
  /** A text file for perplexity; default the built-in text; null skips it. */
  text?: string | null;
  seed?: number;
  log?: (s: string) => void;
  batchSize?: number;
  resamples?: number;
  /** Characters per scored piece of the perplexity text (default 1000), each after up to as many of context. */
  chunkChars?: number;
}

/** Splits text into pieces of at most `max` characters at whitespace (a longer word stays whole). */
export function chunkText(text: string, max: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + max);
    if (end < text.length) {
      const ws = text.lastIndexOf(" ", end);
      const nl = text.lastIndexOf("\n", end);
      const cut = Math.max(ws, nl);
      if (cut > i) end = cut;
    }
    out.push(text.slice(i, end));
    i = end;
  }
  return out.filter((s) => s.length > 0);
}

/** Perplexity of a whole text: scored piece by piece, each conditioned on the text before it (up to chunkChars). */
export async function perplexity(model: LanguageModel, file: string, o: { chunkChars?: number; log?: (s: string) => void } = {}): Promise<PerplexityResult> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const text = readFileSync(file, "utf8");
  if (!text.trim()) throw new Error(`${file}: the text is empty`);
  const max = o.chunkChars ?? 1000;
  const pieces = chunkText(text, max);
  let pos = 0;
  const reqs: LoglikelihoodRequest[] = pieces.map((p) => {
    const r = { context: text.slice(Math.max(0, pos - max), pos), continuation: p };
    pos += p.length;
    return r;
  });
  const ll = await model.loglikelihood(reqs);
  let lp = 0, tokens = 0, bytes = 0;
  for (const r of ll) {
    lp += r.logprob;
    tokens += r.tokens;
  }
  // Bytes and words of the text itself (the whitespace moves of lm-eval's pair encoding do not change them).
  bytes = Buffer.byteLength(text, "utf8");
  const words = text.split(/\s+/).filter(Boolean).length;
  return { file, tokens, bytes, words, tokenPerplexity: Math.exp(-lp / tokens), wordPerplexity: Math.exp(-lp / words), bitsPerByte: -lp / (bytes * Math.LN2) };
}

export async function runCapability(model: LanguageModel, o: CapabilityOptions = {}): Promise<CapabilityResult> {
  const files = o.mc?.length ? o.mc : [builtinDataPath("capability-mc.jsonl")];
  const items = files.flatMap(loadMcItems);
  const batch = Math.max(1, o.batchSize ?? 16);
  const tick = progress("capability", items.length, o.log);
  const results: McItemResult[] = [];
  for (let k = 0; k < items.length; k += batch) {
    const chunk = items.slice(k, k + batch);
    const reqs = chunk.flatMap((it) => it.choices.map((c) => ({ context: mcContext(it.question), continuation: ` ${c}` })));
    const ll = await model.loglikelihood(reqs);
    if (ll.length !== reqs.length) throw new Error(`capability: the model returned ${ll.length} log-likelihoods for ${reqs.length} requests`);
    let at = 0;
    for (const it of chunk) {
      const rs = ll.slice(at, at + it.choices.length);
      at += it.choices.length;
      results.push({
        id: it.id,
        set: it.set,
        gold: it.gold,
        predAcc: argmax(rs.map((r) => r.logprob)),
        predAccNorm: argmax(rs.map((r) => r.logprob / r.bytes)),
        choices: rs,
      });
      tick();
    }
  }
  const bo = { seed: o.seed ?? 0, ...(o.resamples ? { resamples: o.resamples } : {}) };
  const acc = (rs: McItemResult[]) => scored(rs.map((r) => (r.predAcc === r.gold ? 1 : 0)), bo);
  const accNorm = (rs: McItemResult[]) => scored(rs.map((r) => (r.predAccNorm === r.gold ? 1 : 0)), bo);
  const perSet: CapabilityResult["perSet"] = {};
  for (const s of [...new Set(results.map((r) => r.set))].sort()) {
    const rs = results.filter((r) => r.set === s);
    perSet[s] = { acc: acc(rs), accNorm: accNorm(rs) };
  }
  const textFile = o.text === null ? undefined : (o.text ?? builtinDataPath("capability-text.txt"));
  const ppl = textFile ? await perplexity(model, textFile, { ...(o.chunkChars ? { chunkChars: o.chunkChars } : {}) }) : undefined;
  const main = accNorm(results);
  return { suite: "capability", model: model.name, ...main, accNorm: main, acc: acc(results), perSet, ...(ppl ? { perplexity: ppl } : {}), items: results };
}

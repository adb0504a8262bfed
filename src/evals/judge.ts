// The ANIMA grader: model-graded QA over the shared ChatEndpoint client
// (concurrency, retries with backoff, per-try timeout, content-keyed cache).
// This file only adds the grading prompt (our own wording of the protocol in
// research.md) and the grade parsing; a reply without a C/I grade and a call
// that failed after every retry are returned as such, never as a grade.
import { createHash } from "node:crypto";
import { join } from "node:path";
import OpenAI from "openai";
import { ChatEndpoint, EndpointError } from "../infer/endpoint.js";
import type { ChatMessage } from "../tokenizer/chat.js";
import type { Grade } from "./anima-protocol.js";

export interface GraderSpec {
  /** Base URL up to and including /v1. */
  url: string;
  /** Model name; when absent, the first model the endpoint lists. */
  model?: string;
  apiKey?: string;
}

/** "URL[,model]" as given to --grader. */
export function parseGraderSpec(s: string): GraderSpec {
  const comma = s.indexOf(",");
  const url = (comma < 0 ? s : s.slice(0, comma)).trim();
  const model = comma < 0 ? undefined : s.slice(comma + 1).trim() || undefined;
  if (!/^https?:\/\/\S+$/.test(url)) throw new Error(`--grader '${s}': expected URL[,model] with an http:// or https:// URL (e.g. http://127.0.0.1:8000/v1,judge-model)`);
  return { url, ...(model ? { model } : {}) };
}

export interface GradingInput {
  question: string;
  answer: string;
  dimension: string;
  /** The guiding question with its placeholders filled. */
  guidingQuestion: string;
  indicators: string;
}

/** The grading request: the criterion, the data, and the required last line. Our wording. */
export function gradingMessages(x: GradingInput): ChatMessage[] {
  const content = [
    "You are grading one answer against one criterion. Read the material between the markers.",
    "",
    "=== QUESTION ===",
    x.question,
    "=== ANSWER ===",
    x.answer,
    "=== CRITERION ===",
    x.dimension,
    "=== WHAT TO ASK OF THE ANSWER ===",
    x.guidingQuestion,
    "=== SIGNS TO LOOK FOR ===",
    x.indicators || "(none given)",
    "=== END ===",
    "",
    "Decide whether the answer meets the criterion, judging only the answer's content. Explain your reasoning in a few",
    "sentences. Then finish with a line that is exactly 'GRADE: C' if the answer meets the criterion, or exactly",
    "'GRADE: I' if it does not. Nothing may follow that line.",
  ].join("\n");
  return [{ role: "user", content }];
}

// "GRADE: C", "grade : I", "**GRADE:** C", "GRADE: [C]"; the last one wins, since reasoning may quote the format.
const GRADE_RE = /GRADE\s*\**\s*:\s*\**\s*\[?\s*([A-Za-z]+)\b/gi;

/** The grade a reply ends with: the last "GRADE: X"; C or I, else null (missing, or another letter such as P). */
export function parseGrade(reply: string): "C" | "I" | null {
  const all = [...reply.matchAll(GRADE_RE)];
  const last = all[all.length - 1]?.[1]?.toUpperCase();
  return last === "C" || last === "I" ? last : null;
}

export interface JudgeOptions {
  /** Directory for the judge cache files (one JSONL per grader). */
  cacheDir?: string;
  concurrency?: number;
  maxRetries?: number;
  timeoutMs?: number;
  /** Sampling temperature of the grader (default 0). */
  temperature?: number;
  maxTokens?: number;
}

export class Judge {
  readonly name: string;
  readonly endpoint: ChatEndpoint;
  private readonly temperature: number;
  private readonly maxTokens: number;
  /** Calls in flight by cache key: the same grading asked twice at once (e.g. equal answers in two epochs) is sent once. */
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(spec: Required<Pick<GraderSpec, "url" | "model">> & GraderSpec, o: JudgeOptions = {}) {
    this.name = `${spec.model}@${spec.url}`;
    const tag = createHash("sha256").update(this.name).digest("hex").slice(0, 10);
    this.endpoint = new ChatEndpoint({
      baseURL: spec.url,
      model: spec.model,
      ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.cacheDir ? { cacheFile: join(o.cacheDir, `judge-${spec.model.replace(/[^\w.-]+/g, "_")}-${tag}.jsonl`) } : {}),
    });
    this.temperature = o.temperature ?? 0;
    this.maxTokens = o.maxTokens ?? 1024;
  }

  /** One grade; never throws for a failed call or an unparseable reply (they come back as statuses). */
  async grade(x: GradingInput): Promise<Grade> {
    let reply: string;
    const messages = gradingMessages(x);
    const opts = { temperature: this.temperature, maxTokens: this.maxTokens };
    const key = this.endpoint.key(messages, opts);
    try {
      let p = this.inFlight.get(key);
      if (!p) {
        p = this.endpoint.chat(messages, opts).finally(() => this.inFlight.delete(key));
        this.inFlight.set(key, p);
      }
      reply = await p;
    } catch (e) {
      if (!(e instanceof EndpointError)) throw e;
      return { grader: this.name, grade: null, status: "error", reasoning: e.message };
    }
    const g = parseGrade(reply);
    return { grader: this.name, grade: g, status: g ? "ok" : "unparseable", reasoning: reply };
  }
}

/** Opens a grader, asking the endpoint for its first model when the spec names none. */
export async function openJudge(spec: GraderSpec, o: JudgeOptions = {}): Promise<Judge> {
  let model = spec.model;
  if (!model) {
    const client = new OpenAI({ baseURL: spec.url, apiKey: spec.apiKey ?? process.env.OPENAI_API_KEY ?? "midtrain-local", maxRetries: o.maxRetries ?? 2, timeout: o.timeoutMs ?? 30_000 });
    try {
      const page = await client.models.list();
      model = page.data[0]?.id;
    } catch (e) {
      throw new Error(`grader ${spec.url}: no model given and listing its models failed: ${(e as Error).message} (give --grader URL,model)`);
    }
    if (!model) throw new Error(`grader ${spec.url}: no model given and the endpoint lists none (give --grader URL,model)`);
  }
  return new Judge({ ...spec, model }, o);
}

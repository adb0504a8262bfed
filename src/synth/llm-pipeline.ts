// The staged LLM generation engine shared by `synth docs` and `synth sft
// --kind value`: units (a document type and a norm, or a norm and a persona)
// are expanded by the model into items (ideas, questions), each item into a
// product (a document, an answer), optionally critiqued and revised, then
// filtered by length, deduplicated by MinHash and appended to the output.
//
// Calls go through ChatEndpoint (concurrency, retries, content-keyed cache)
// and an optional rate limiter. Tasks run concurrently but are committed in
// task order, so a run's output depends only on the endpoint's answers, and a
// rerun over the cache (after a kill, or into a new file) reproduces it.
// Garbage completions are counted and asked again a bounded number of times;
// the number of tasks tried is capped, so a spec that cannot reach the count
// stops with a message instead of looping.
import { createHash } from "node:crypto";
import type { ChatCallOptions, ChatEndpoint } from "../infer/endpoint.js";
import type { ChatMessage } from "../tokenizer/chat.js";
import { cleanDocument, garbageReason, listItems, wordCount, type Garbage } from "./completion-text.js";
import { MinHasher, NearDuplicateIndex } from "./minhash.js";
import type { RateLimiter } from "./rate-limit.js";
import { ResumableJsonl } from "./resumable-jsonl.js";
import { keyHash, Seeder, type Seeds } from "./seeding.js";
import type { LoadedSpec } from "./spec.js";
import { deriveSeed } from "../data/rng.js";

export interface Stats {
  /** Records appended by this run / found in the output when it started. */
  written: number;
  resumed: number;
  /** Requests sent to the endpoint / answered from the cache. */
  calls: number;
  cached: number;
  /** Completions rejected, by reason. */
  garbage: Record<Garbage, number>;
  /** Rejected completions asked again (each retry is one more request). */
  retried: number;
  /** Tasks dropped because every try was garbage. */
  given_up: number;
  near_duplicates: number;
  /** Units expanded and the items they gave. */
  units: number;
  items: number;
  /** Products changed by critique-and-revise / kept as drafted because the revision was garbage. */
  revised: number;
  revise_failed: number;
}

export const newStats = (): Stats => ({
  written: 0,
  resumed: 0,
  calls: 0,
  cached: 0,
  garbage: { empty: 0, refusal: 0, too_short: 0, too_long: 0, no_items: 0 },
  retried: 0,
  given_up: 0,
  near_duplicates: 0,
  units: 0,
  items: 0,
  revised: 0,
  revise_failed: 0,
});

/** What a reply is worth: a usable value, or the reason it is garbage. */
export type Verdict<T> = { value: T } | { garbage: Garbage };

/** One model call site: cache-aware rate limiting and call counting. */
export class Caller {
  constructor(
    readonly endpoint: ChatEndpoint,
    readonly stats: Stats,
    private readonly limiter?: RateLimiter,
  ) {}

  async chat(messages: ChatMessage[], o: ChatCallOptions): Promise<string> {
    if (this.endpoint.cached(messages, o) !== undefined) this.stats.cached++;
    else {
      if (this.limiter) await this.limiter.take();
      this.stats.calls++;
    }
    return this.endpoint.chat(messages, o);
  }

  /**
   * Asks, and asks again with a fresh sample while `accept` calls the reply garbage, at most `retries` more times.
   * Returns the accepted value and the sample that gave it, or undefined when every try was garbage.
   */
  async usable<T>(
    make: (sample: number) => [ChatMessage[], ChatCallOptions],
    accept: (reply: string) => Verdict<T>,
    retries: number,
  ): Promise<{ value: T; sample: number } | undefined> {
    for (let sample = 0; sample <= retries; sample++) {
      const [messages, o] = make(sample);
      const v = accept(await this.chat(messages, { ...o, sample }));
      if ("value" in v) return { value: v.value, sample };
      this.stats.garbage[v.garbage]++;
      if (sample < retries) this.stats.retried++;
    }
    return undefined;
  }
}

/** A unit of the first stage: what the model brainstorms items for. */
export interface Unit {
  /** Stable identity: part of every task key below it. */
  key: string;
  /** Copied into each record (doc_type, dimension, norm, ...). */
  meta: Record<string, string>;
}

export interface Recipe<U extends Unit> {
  /** Provenance generator name, e.g. midtrain-llm-docs-v1. */
  generator: string;
  /** "documents" / "Q&A pairs", for messages. */
  what: string;
  units: U[];
  /** The brainstorm prompt of a unit. */
  listPrompt(u: U): ChatMessage[];
  /** Items kept per unit. */
  take: number;
  /** Word bounds of an item (ideas, questions). */
  itemWords: [min: number, max: number];
  /** Products made per item. */
  perItem: number;
  product(u: U, item: string, seeds: Seeds, copy: number): ChatMessage[];
  /** False when product() ignores the per-task seeds (they are then left out of provenance). */
  seedsUsed?: boolean;
  bounds: { minWords: number; maxWords: number };
  /** Critique-and-revise prompts, when the spec asks for that pass. */
  critique?: {
    critique(u: U, item: string, text: string): ChatMessage[];
    revise(u: U, item: string, text: string, critique: string): ChatMessage[];
  };
  /** The text near-duplicates are judged on, from a new product / from a record already written. */
  dedupText(item: string, text: string): string;
  dedupTextOf(record: Record<string, unknown>): string;
  /** The record for one accepted product (provenance is added by the engine). */
  record(u: U, item: string, text: string, seeds: Seeds): Record<string, unknown>;
  /** What to tell the user when the units run out before the count. */
  exhaustedHint: string;
}

export interface RunOptions {
  spec: LoadedSpec;
  caller: Caller;
  count: number;
  out: string;
  seed: number;
  /** Tasks in flight at once (default 16; about twice the endpoint's concurrency keeps it busy). */
  window?: number;
  /** Products tried per product still wanted before stopping (default 4). */
  attemptsPerRecord?: number;
  progress?: (line: string) => void;
}

export interface RunReport {
  out: string;
  count: number;
  /** Records in the output now. */
  total: number;
  complete: boolean;
  /** Why the run stopped short, when it did. */
  stopped?: string;
  stats: Stats;
  elapsed_s: number;
}

interface Task<U extends Unit> {
  unit: U;
  item: string;
  copy: number;
  key: string;
}

interface Made {
  text?: string;
  sample: number;
  revised: boolean;
  seeds: Seeds;
}

const shortHash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

/** Runs fn over tasks with at most `window` in flight; results are committed in task order until commit says stop. */
export async function orderedPool<T, R>(tasks: AsyncIterator<T>, fn: (t: T) => Promise<R>, window: number, commit: (r: R, t: T) => boolean): Promise<void> {
  const inflight: { t: T; p: Promise<R> }[] = [];
  let exhausted = false;
  let stop = false;
  // A pull from `tasks` can wait on the model (a unit's items); the head is committed meanwhile, not after.
  let pull: Promise<IteratorResult<T>> | undefined;
  const settle = () => Promise.allSettled(inflight.map((x) => x.p));
  for (;;) {
    while (!stop && !exhausted && inflight.length < window) {
      if (!pull) {
        pull = tasks.next();
        pull.catch(() => undefined); // a failure is rethrown where it is awaited
      }
      let n: IteratorResult<T> | "head";
      try {
        n = inflight.length
          ? await Promise.race([
              pull,
              inflight[0]!.p.then(
                () => "head" as const,
                () => "head" as const,
              ),
            ])
          : await pull;
      } catch (e) {
        await settle();
        throw e;
      }
      if (n === "head") break;
      pull = undefined;
      if (n.done) {
        exhausted = true;
        break;
      }
      const p = fn(n.value);
      p.catch(() => undefined); // observed below; this only silences the unhandled-rejection warning
      inflight.push({ t: n.value, p });
    }
    const head = inflight.shift();
    if (!head) {
      if (exhausted || stop) return;
      continue;
    }
    let r: R;
    try {
      r = await head.p;
    } catch (e) {
      await settle();
      throw e;
    }
    if (!commit(r, head.t)) stop = true;
    if (stop) {
      // The rest still finish (their answers land in the cache for a later run), but nothing more is committed.
      await settle();
      return;
    }
  }
}

/** Items of each unit, fetched `ahead()` units ahead (asked again before every unit, so it can adapt). */
async function* expand<U extends Unit>(units: U[], fetch: (u: U) => Promise<string[]>, ahead: () => number): AsyncGenerator<{ unit: U; items: string[] }> {
  const pending: Promise<string[]>[] = [];
  let next = 0;
  for (const unit of units) {
    const prefetch = ahead();
    while (pending.length < prefetch && next < units.length) {
      const p = fetch(units[next++]!);
      p.catch(() => undefined);
      pending.push(p);
    }
    yield { unit, items: await pending.shift()! };
  }
}

/** Runs a recipe to `count` records in `out`, resuming whatever is there. */
export async function runStaged<U extends Unit>(recipe: Recipe<U>, o: RunOptions): Promise<RunReport> {
  const t0 = performance.now();
  const { spec: loaded, caller, seed } = o;
  const spec = loaded.spec;
  const stats = caller.stats;
  const ep = caller.endpoint;
  const progress = o.progress ?? (() => undefined);
  const out = new ResumableJsonl(o.out);
  if (out.repaired) progress(`synth: ${o.out}: cut off a torn last line (the previous run was interrupted mid-write)`);

  const hasher = new MinHasher({ shingle: spec.dedup.shingle, seed: 1 });
  const index = new NearDuplicateIndex(hasher, spec.dedup.threshold);
  const done = new Set<string>();
  for (const { line, value } of out.existing) {
    const p = value.provenance as Record<string, unknown> | undefined;
    const mismatch =
      !p || p.generator !== recipe.generator ? `generator ${String(p?.generator)} (this run: ${recipe.generator})`
      : p.spec_sha256 !== loaded.sha256 ? `a spec with sha256 ${String(p.spec_sha256).slice(0, 12)}…, this run's is ${loaded.sha256.slice(0, 12)}…`
      : p.model !== ep.model ? `model ${String(p.model)} (this run: ${ep.model})`
      : p.seed !== seed ? `seed ${String(p.seed)} (this run: ${seed})`
      : undefined;
    if (mismatch) throw new Error(`${o.out}:${line}: written by another run (${mismatch}); resume only with the same spec, model and seed, or write to a new --out (the cache makes repeated calls free)`);
    done.add(String(p!.task));
    index.add(hasher.signature(recipe.dedupTextOf(value)));
  }
  stats.resumed = out.existing.length;
  let total = out.existing.length;
  const report = (complete: boolean, stopped?: string): RunReport => ({
    out: o.out,
    count: o.count,
    total,
    complete,
    ...(stopped ? { stopped } : {}),
    stats,
    elapsed_s: (performance.now() - t0) / 1000,
  });
  if (total >= o.count) {
    out.close();
    progress(`synth: ${o.out} already holds ${total} ${recipe.what} (--count ${o.count}); nothing to do`);
    return report(true);
  }
  if (total) progress(`synth: resuming ${o.out}: ${total} ${recipe.what} already written`);

  const sampling: ChatCallOptions = { temperature: spec.sampling.temperature, maxTokens: spec.sampling.max_tokens, ...(spec.sampling.top_p !== undefined ? { topP: spec.sampling.top_p } : {}) };
  const callSeed = (key: string) => deriveSeed(seed, keyHash(key));
  const seeder = new Seeder(seed, spec);

  const fetchItems = async (u: U): Promise<string[]> => {
    const got = await caller.usable<string[]>(
      (sample) => [recipe.listPrompt(u), { ...sampling, maxTokens: Math.min(spec.sampling.max_tokens, 1200), seed: callSeed(`list|${u.key}|${sample}`) }],
      (reply) => {
        const seen = new Set<string>();
        const items = listItems(reply).filter((x) => {
          const n = wordCount(x);
          const k = x.toLowerCase();
          if (n < recipe.itemWords[0] || n > recipe.itemWords[1] || seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        return items.length ? { value: items.slice(0, recipe.take) } : { garbage: "no_items" as const };
      },
      spec.retries,
    );
    stats.units++;
    stats.items += got?.value.length ?? 0;
    if (!got) stats.given_up++;
    return got?.value ?? [];
  };

  const window = o.window ?? 16;
  const maxAttempts = (o.count - total) * (o.attemptsPerRecord ?? 4);
  let attempted = 0;
  let capped = false;
  async function* tasks(): AsyncGenerator<Task<U>> {
    // Items are fetched far enough ahead that a unit's list is ready before the tasks before it drain: two
    // windows' worth of tasks at the items per unit seen so far (a model may give fewer than asked).
    const perUnit = () => Math.max(1, stats.units ? stats.items / stats.units : recipe.take) * recipe.perItem;
    for await (const { unit, items } of expand(recipe.units, fetchItems, () => Math.min(64, Math.max(4, Math.ceil((2 * window) / perUnit()))))) {
      for (const item of items)
        for (let copy = 0; copy < recipe.perItem; copy++) {
          const key = shortHash(`${unit.key}\u0000${item}\u0000${copy}`);
          if (done.has(key)) continue;
          if (attempted >= maxAttempts) {
            capped = true;
            return;
          }
          attempted++;
          yield { unit, item, copy, key };
        }
    }
  }

  const accept = (reply: string): Verdict<string> => {
    const t = cleanDocument(reply);
    const g = garbageReason(t, recipe.bounds);
    return g ? { garbage: g } : { value: t };
  };

  const make = async (t: Task<U>): Promise<Made> => {
    const seeds = seeder.draw(t.key);
    const draft = await caller.usable((sample) => [recipe.product(t.unit, t.item, seeds, t.copy), { ...sampling, seed: callSeed(`${t.key}|${sample}`) }], accept, spec.retries);
    if (!draft) {
      stats.given_up++;
      return { sample: spec.retries, revised: false, seeds };
    }
    if (!recipe.critique) return { text: draft.value, sample: draft.sample, revised: false, seeds };
    const cm = recipe.critique.critique(t.unit, t.item, draft.value);
    const critique = (await caller.chat(cm, { temperature: 0, maxTokens: 600, seed: callSeed(`${t.key}|critique`) })).trim();
    if (!critique || /^\W*no changes\W*$/i.test(critique.split("\n")[0]!)) return { text: draft.value, sample: draft.sample, revised: false, seeds };
    const revised = await caller.usable(
      (sample) => [recipe.critique!.revise(t.unit, t.item, draft.value, critique), { ...sampling, seed: callSeed(`${t.key}|revise|${sample}`) }],
      accept,
      spec.retries,
    );
    if (!revised) {
      stats.revise_failed++;
      return { text: draft.value, sample: draft.sample, revised: false, seeds };
    }
    stats.revised++;
    return { text: revised.value, sample: draft.sample, revised: true, seeds };
  };

  let lastLine = 0;
  const line = (force = false) => {
    const now = performance.now();
    if (!force && now - lastLine < 1000) return;
    lastLine = now;
    const g = Object.values(stats.garbage).reduce((a, b) => a + b, 0);
    const rate = stats.written / Math.max(1e-9, (now - t0) / 1000);
    progress(
      `synth: ${total}/${o.count} ${recipe.what} | ${stats.calls} calls, ${stats.cached} cached | ${stats.near_duplicates} near-duplicates, ${g} garbage completions (${stats.retried} retried, ${stats.given_up} given up) | ${rate.toFixed(1)}/s`,
    );
  };

  try {
    await orderedPool(tasks(), make, window, (m, t) => {
      if (m.text === undefined) return true;
      const dedupText = recipe.dedupText(t.item, m.text);
      const sig = hasher.signature(dedupText);
      if (index.nearest(sig)) {
        stats.near_duplicates++;
        line();
        return true;
      }
      index.add(sig);
      out.append({
        ...recipe.record(t.unit, t.item, m.text, m.seeds),
        provenance: {
          generator: recipe.generator,
          model: ep.model,
          endpoint: ep.baseURL,
          spec: loaded.path,
          spec_sha256: loaded.sha256,
          seed,
          task: t.key,
          copy: t.copy,
          sample: m.sample,
          revised: m.revised,
          ...(recipe.seedsUsed === false ? {} : { seeds: m.seeds }),
          words: wordCount(m.text),
        },
      });
      total++;
      stats.written++;
      line();
      return total < o.count;
    });
  } finally {
    out.close();
  }
  line(true);
  if (total >= o.count) return report(true);
  const g = Object.values(stats.garbage).reduce((a, b) => a + b, 0);
  const why = capped
    ? `stopped after trying ${attempted} ${recipe.what} (${o.attemptsPerRecord ?? 4} per ${recipe.what.replace(/s$/, "")} still wanted)`
    : `every unit of the spec was used (${stats.units} units, ${stats.items} items)`;
  return report(
    false,
    `only ${total} of ${o.count} ${recipe.what}: ${why}; ${stats.near_duplicates} were near-duplicates and ${g} completions were garbage. ${recipe.exhaustedHint}`,
  );
}

// Replay (src/data/mix.ts): value documents mixed into SFT batches at a share
// of samples, deterministic by seed, each row keeping its own source's
// targets; exact resume; and the trainer's --replay.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataLoader } from "../src/data/loader.js";
import { MixedLoader } from "../src/data/mix.js";
import { train } from "../src/train/loop.js";
import { parseTrainOptions } from "../src/train/options.js";
import { END, EOS, HEADER, fakeTokenizer } from "./fixtures/data/fake-tokenizer.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";
import { freshSeed, Rng } from "./reference/random.js";

const seed = freshSeed();
const T = 48;

function files(r: Rng) {
  const dir = mkdtempSync(join(tmpdir(), "midtrain-replay-"));
  const word = () => Array.from({ length: 2 + r.int(5) }, () => String.fromCharCode(97 + r.int(26))).join("");
  const text = (n: number) => Array.from({ length: n }, word).join(" ");
  // SFT: short Q&A (several per row); replay: longer documents (about one per row).
  const chat = join(dir, "sft.jsonl"), docs = join(dir, "docs.jsonl");
  writeFileSync(chat, Array.from({ length: 300 }, () => JSON.stringify({ messages: [{ role: "user", content: text(1 + r.int(2)) }, { role: "assistant", content: text(1 + r.int(2)) }] })).join("\n") + "\n");
  writeFileSync(docs, Array.from({ length: 120 }, () => JSON.stringify({ text: text(4 + r.int(6)) })).join("\n") + "\n");
  return { dir, chat, docs };
}

async function mixed(f: { chat: string; docs: string }, ratio: number, s: number, B = 4) {
  const opts = { seqLen: T, batchSize: 1, padId: 0 };
  const main = await DataLoader.open([f.chat], fakeTokenizer, { ...opts, seed: s });
  const replay = await DataLoader.open([f.docs], fakeTokenizer, { ...opts, seed: s + 1 });
  return new MixedLoader(main, replay, ratio, B, s);
}

/** Which source a row came from: chat rows carry message headers, document rows never do. */
function rowSource(ids: Int32Array, b: number): "chat" | "doc" {
  const row = ids.subarray(b * T, (b + 1) * T);
  return row.includes(HEADER.user) ? "chat" : "doc";
}

describe(`replay mix (seed ${seed})`, () => {
  it("holds the replay share of samples within 0.02 over a run, deterministic by seed", async () => {
    const f = files(new Rng(seed));
    for (const ratio of [0.2, 0.5]) {
      const mix = await mixed(f, ratio, seed);
      let main = 0, rep = 0, rows = 0, repRows = 0;
      const first: Int32Array[] = [];
      for (let i = 0; i < 150; i++) {
        const b = mix.next();
        if (i < 3) first.push(b.inputIds);
        main += b.samples;
        rep += b.replaySamples;
        repRows += b.replayRows;
        rows += 4;
        // the batch's rows really are of the sources it says
        let docs = 0;
        for (let k = 0; k < 4; k++) docs += rowSource(b.inputIds, k) === "doc" ? 1 : 0;
        expect(docs).toBe(b.replayRows);
      }
      const share = rep / (main + rep);
      expect(Math.abs(share - ratio), `ratio ${ratio}: share ${share}`).toBeLessThan(0.02);
      // rows: within one row of rowRatio * rows (the schedule is exact per prefix)
      expect(Math.abs(repRows - mix.rowRatio * rows)).toBeLessThanOrEqual(1);
      expect(mix.rowRatio).toBeGreaterThan(ratio); // documents pack fewer samples per row than Q&A, so more rows
      const again = await mixed(f, ratio, seed);
      for (const x of first) expect(again.next().inputIds).toEqual(x);
      const other = await mixed(f, ratio, seed + 7);
      let differs = false;
      for (const x of first) differs ||= !other.next().inputIds.every((v, i) => v === x[i]);
      expect(differs).toBe(true);
    }
  });

  it("document rows are trained on every token, chat rows on assistant tokens only", async () => {
    const mix = await mixed(files(new Rng(seed + 1)), 0.3, seed);
    let sawDoc = false, sawChat = false;
    for (let i = 0; i < 20; i++) {
      const b = mix.next();
      for (let k = 0; k < 4; k++) {
        const src = rowSource(b.inputIds, k);
        for (let t = 0; t < T - 1; t++) {
          const j = k * T + t;
          const sameDoc = b.segmentIds[j + 1] === b.segmentIds[j];
          const next = b.inputIds[j + 1]!;
          if (src === "doc") {
            // every next token of the same document is a target (EOS included)
            if (sameDoc && b.inputIds[j] !== 0) expect(b.labels[j]).toBe(next), (sawDoc = true);
          } else if (b.labels[j] !== -100) {
            // chat: only tokens inside an assistant turn (never a header, never user text)
            expect(b.labels[j]).toBe(next);
            let h = t;
            while (h >= 0 && ![HEADER.user, HEADER.assistant, HEADER.system].includes(b.inputIds[k * T + h] as never)) h--;
            expect(b.inputIds[k * T + h]).toBe(HEADER.assistant);
            sawChat = true;
          }
        }
      }
      for (let j = 0; j < b.labels.length; j++) if (b.labels[j] === EOS) expect(rowSource(b.inputIds, Math.floor(j / T))).toBe("doc");
    }
    expect(sawDoc && sawChat).toBe(true);
    // a chat row does have untrained positions (user turns), so the check above was not vacuous
    const b = mix.next();
    const k = [0, 1, 2, 3].find((x) => rowSource(b.inputIds, x) === "chat")!;
    expect(b.labels.subarray(k * T, (k + 1) * T).some((y, t) => y === -100 && b.inputIds[k * T + t] !== 0 && b.inputIds[k * T + t + 1] !== END)).toBe(true);
  });

  it("restores exactly from state()", async () => {
    const f = files(new Rng(seed + 2));
    const a = await mixed(f, 0.25, seed);
    for (let i = 0; i < 37; i++) a.next();
    const st = JSON.parse(JSON.stringify(a.state()));
    const b = await mixed(f, 0.25, seed);
    b.restore(st);
    for (let i = 0; i < 10; i++) {
      const x = a.next(), y = b.next();
      expect(y.inputIds).toEqual(x.inputIds);
      expect(y.labels).toEqual(x.labels);
      expect(y.replaySamples).toBe(x.replaySamples);
    }
    expect(b.replaySamples).toBe(a.replaySamples);
    const c = await mixed(f, 0.3, seed);
    expect(() => c.restore(st)).toThrow(/replay ratio 0.25, this run uses 0.3/);
  });
});

describe(`train --replay (seed ${seed})`, () => {
  it("counts SFT samples for the budget and replay samples beside them; metrics carry replay_samples", async () => {
    const base = tinyCheckpoint(seed % 1000, {}, 0.02).dir;
    const r = new Rng(seed + 3);
    const dir = mkdtempSync(join(tmpdir(), "midtrain-replay-train-"));
    const word = () => ["river", "fish", "care", "hen", "pig", "cow", "welfare", "pain", "farm", "law"][r.int(10)];
    const sft = join(dir, "sft.jsonl"), docs = join(dir, "docs.jsonl");
    writeFileSync(sft, Array.from({ length: 60 }, (_, i) => JSON.stringify({ messages: [{ role: "user", content: `what is ${i} plus ${i}?` }, { role: "assistant", content: `${2 * i}` }] })).join("\n") + "\n");
    writeFileSync(docs, Array.from({ length: 40 }, () => JSON.stringify({ text: Array.from({ length: 30 }, word).join(" ") })).join("\n") + "\n");
    const out = join(dir, "out");
    const o = parseTrainOptions({ model: base, data: [sft], out, stage: "sft", samples: 40, batchSize: 4, seqLen: 64, lr: 1e-3, threads: 2, replay: docs, replayRatio: 0.25, seed: 3 });
    const res = await train(o, { log: () => {} });
    expect(res.samples).toBeGreaterThanOrEqual(40);
    expect(res.replay_samples).toBeGreaterThan(0);
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1).replay_samples).toBe(res.replay_samples);
    expect(lines.at(-1).samples).toBe(res.samples);
    const share = res.replay_samples! / (res.replay_samples! + res.samples);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.45);
  }, 120_000);
});

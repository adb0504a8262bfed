// JSONL records: per-file kind detection, Alpaca mapping, and errors that name file:line and the field.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toExample } from "../src/data/examples.js";
import { DataError, readDataset, readRecords, type DataFormat, type DataRecord } from "../src/data/records.js";
import { fakeTokenizer } from "./fixtures/data/fake-tokenizer.js";

const fx = (name: string) => path.join(import.meta.dirname, "fixtures", "data", name);
const tmp = mkdtempSync(path.join(tmpdir(), "midtrain-data-records-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const f = path.join(tmp, name);
  writeFileSync(f, lines.join("\n") + "\n");
  return f;
}

async function all(files: string[], format: DataFormat = "auto"): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of readDataset(files, format)) out.push(r);
  return out;
}

/** The error a read raises (fails the test when there is none). */
async function errorOf(files: string[], format: DataFormat = "auto"): Promise<DataError> {
  try {
    await all(files, format);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}

describe("record kinds", () => {
  it("detects each file's kind from its first record (auto) and keeps 1-based line numbers across blank lines", async () => {
    const recs = await all([fx("docs.jsonl"), fx("chat.jsonl"), fx("alpaca.jsonl"), fx("tokens.jsonl")]);
    expect(recs.map((r) => [r.kind, path.basename(r.source.file), r.source.line])).toEqual([
      ["text", "docs.jsonl", 1],
      ["text", "docs.jsonl", 3],
      ["chat", "chat.jsonl", 1],
      ["chat", "chat.jsonl", 2],
      ["chat", "alpaca.jsonl", 1],
      ["chat", "alpaca.jsonl", 2],
      ["chat", "alpaca.jsonl", 3],
      ["tokens", "tokens.jsonl", 1],
      ["tokens", "tokens.jsonl", 2],
    ]);
  });

  it("keeps a document's extra fields as metadata", async () => {
    const [r] = await all([fx("docs.jsonl")]);
    expect(r).toMatchObject({ kind: "text", text: "ab", metadata: { source: "wiki", id: 7 } });
  });

  it("maps Alpaca to a user turn (instruction, plus blank line and input when non-empty) and an assistant turn", async () => {
    const recs = await all([fx("alpaca.jsonl")]);
    expect(recs.map((r) => (r.kind === "chat" ? r.messages : null))).toEqual([
      [{ role: "user", content: "ab\n\nc" }, { role: "assistant", content: "d" }],
      [{ role: "user", content: "e" }, { role: "assistant", content: "f" }],
      [{ role: "user", content: "g" }, { role: "assistant", content: "h" }],
    ]);
  });

  it("reads pre-tokenized records verbatim, labels included", async () => {
    const recs = await all([fx("tokens.jsonl")]);
    expect(recs[0]).toMatchObject({ kind: "tokens", inputIds: [5, 6, 7, 8, 9], labels: [-100, -100, 7, 8, -100] });
    expect(recs[1]).toMatchObject({ kind: "tokens", inputIds: [1, 2, 3, 4, 5, 6] });
    expect(recs[1]).not.toHaveProperty("labels");
  });

  it("--format chat accepts both chat shapes in one file", async () => {
    const f = file("both.jsonl", [
      '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}',
      '{"instruction": "c", "output": "d"}',
    ]);
    const recs = await all([f], "chat");
    expect(recs.map((r) => r.kind)).toEqual(["chat", "chat"]);
  });

  it("streams: records come one at a time from a file far larger than any one record", async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ text: "ab".repeat(1 + (i % 7)) }));
    const f = file("many.jsonl", lines);
    let n = 0;
    let chars = 0;
    for await (const r of readRecords(f)) {
      n++;
      if (r.kind === "text") chars += r.text.length;
    }
    expect(n).toBe(20000);
    expect(chars).toBe(lines.reduce((s, l) => s + (JSON.parse(l) as { text: string }).text.length, 0));
  });
});

describe("errors name file:line and the field", () => {
  it("a malformed JSON line", async () => {
    const e = await errorOf([fx("bad-json.jsonl")]);
    expect(e.message.startsWith(`${fx("bad-json.jsonl")}:2: malformed JSON: `)).toBe(true);
    expect([e.file, e.line]).toEqual([fx("bad-json.jsonl"), 2]);
  });

  it("a bad field deep in a chat record", async () => {
    const e = await errorOf([fx("bad-role.jsonl")]);
    expect(e.message).toMatch(new RegExp(`^${escape(fx("bad-role.jsonl"))}:2: field 'messages\\.2\\.role': .*"assistant"`));
  });

  it("a line of another kind in an auto-detected file", async () => {
    const e = await errorOf([fx("mixed.jsonl")]);
    expect(e.message).toBe(`${fx("mixed.jsonl")}:4: a chat record in a file of text records (decided by line 1); a file holds one kind of record`);
  });

  it("a line with none of its file's keys names the missing field", async () => {
    const f = file("nofield.jsonl", ['{"text": "a"}', '{"body": "b"}']);
    expect((await errorOf([f])).message).toMatch(new RegExp(`^${escape(f)}:2: field 'text': `));
  });

  it("a first record whose kind cannot be told, or is ambiguous", async () => {
    const f = file("unknown.jsonl", ['{"body": "a"}']);
    expect((await errorOf([f])).message).toBe(
      `${f}:1: cannot tell the record kind from its keys ('body'): expected 'text', 'messages', 'instruction'+'output' or 'input_ids'; or pass --format text|chat|tokens`,
    );
    const g = file("ambiguous.jsonl", ['{"text": "a", "input_ids": [1]}']);
    expect((await errorOf([g])).message).toMatch(new RegExp(`^${escape(g)}:1: ambiguous record kind \\(text or pre-tokenized\\)`));
  });

  it("the wrong explicit --format", async () => {
    const e = await errorOf([fx("docs.jsonl")], "tokens");
    expect(e.message).toMatch(new RegExp(`^${escape(fx("docs.jsonl"))}:1: field 'input_ids': `));
  });

  it("field checks: empty text, labels length and values, negative ids, no assistant turn, non-object line", async () => {
    // [a good first line fixing the file's kind, the bad second line, the message after "file:2: "]
    const cases: [string, string, string][] = [
      ['{"text": "ok"}', '{"text": ""}', "field 'text': empty document"],
      ['{"input_ids": [1]}', '{"input_ids": [1, 2], "labels": [1]}', "field 'labels': has 1 entries, input_ids has 2"],
      ['{"input_ids": [1]}', '{"input_ids": [1, 2], "labels": [-100, 3]}', "field 'labels.1': 3 is neither -100 nor input_ids[1] = 2"],
      ['{"input_ids": [1]}', '{"input_ids": [1, -2]}', "field 'input_ids.1': "],
      ['{"input_ids": [1]}', '{"input_ids": []}', "field 'input_ids': no tokens"],
      ['{"input_ids": [1]}', '{"input_ids": [1.5]}', "field 'input_ids.0': "],
      [CHAT_OK, '{"messages": [{"role": "user", "content": "a"}]}', "field 'messages': no assistant message (nothing to train on)"],
      [CHAT_OK, '{"messages": [{"role": "assistant"}]}', "field 'messages.0.content': "],
      ['{"instruction": "a", "output": "b"}', '{"instruction": "a"}', "field 'output': "],
      ['{"text": "ok"}', "[1, 2]", "expected a JSON object, got an array"],
    ];
    for (const [first, bad, msg] of cases) {
      const f = file("case.jsonl", [first, bad]);
      const got = (await errorOf([f])).message;
      expect(got.startsWith(`${f}:2: ${msg}`), `${bad}: ${got}`).toBe(true);
    }
  });

  it("an empty dataset (blank lines only) names the file; so does a missing file or a directory", async () => {
    const e = await errorOf([fx("docs.jsonl"), fx("empty.jsonl")]);
    expect(e.message).toBe(`${fx("empty.jsonl")}: no records (the file is empty or holds only blank lines)`);
    const missing = path.join(tmp, "nope.jsonl");
    expect((await errorOf([missing])).message).toBe(`${missing}: cannot read: no such file`);
    expect((await errorOf([tmp])).message).toBe(`${tmp}: cannot read: is a directory`);
  });

  it("an out-of-vocabulary pre-tokenized id names the record and index", async () => {
    const f = file("oov.jsonl", ['{"input_ids": [1, 2, 50]}']);
    const [r] = await all([f]);
    expect(() => toExample(r!, fakeTokenizer)).toThrow(`${f}:1: field 'input_ids.2': token id 50 is outside the vocabulary (size 50)`);
  });
});

const CHAT_OK = '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

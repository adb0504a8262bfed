// JSONL dataset records (design.md, "Data formats"), read as a stream: one line in memory at a time,
// each line parsed and validated on its own, so a bad line is reported with its file and 1-based line
// number and nothing is trained on bad data silently.
//
// Kinds: documents {"text"} (other keys kept as metadata), chat {"messages": [{role, content}]},
// Alpaca {"instruction", "input"?, "output"} (mapped to chat), pre-tokenized {"input_ids", "labels"?}.
// --format auto decides per file from the keys of its first record; every later record of that file
// must be of the same kind.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";

export type DataFormat = "text" | "chat" | "tokens" | "auto";
/** How a file's records are read: chat covers both the messages and the Alpaca shape. */
type LineKind = "text" | "messages" | "alpaca" | "tokens";

export const ChatRoleSchema = z.enum(["system", "user", "assistant"]);
export const ChatMessageSchema = z.object({ role: ChatRoleSchema, content: z.string() });
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** Where a record came from: the file as named by the caller and its 1-based line. */
export interface RecordSource {
  file: string;
  line: number;
}

export type DataRecord =
  | { kind: "text"; text: string; metadata: Record<string, unknown>; source: RecordSource }
  | { kind: "chat"; messages: ChatMessage[]; metadata: Record<string, unknown>; source: RecordSource }
  | { kind: "tokens"; inputIds: number[]; labels?: number[]; metadata: Record<string, unknown>; source: RecordSource };

/** A dataset problem; the message starts with "file:line: " when a line is at fault. */
export class DataError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "DataError";
  }
}

export function at(source: RecordSource): string {
  return `${source.file}:${source.line}`;
}

const TextSchema = z.looseObject({ text: z.string().min(1, "empty document") });

const ChatSchema = z.looseObject({
  messages: z
    .array(ChatMessageSchema)
    .min(1, "no messages")
    // A conversation without an assistant turn has nothing to train on.
    .refine((ms) => ms.some((m) => m.role === "assistant"), "no assistant message (nothing to train on)"),
});

const AlpacaSchema = z.looseObject({
  instruction: z.string(),
  input: z.string().nullish(),
  output: z.string(),
});

const tokenId = z.number().int().nonnegative().max(0x7fffffff);
const TokensSchema = z
  .looseObject({
    input_ids: z.array(tokenId).min(1, "no tokens"),
    labels: z.array(z.number().int()).optional(),
  })
  .superRefine((r, ctx) => {
    const labels = r.labels;
    if (labels === undefined) return;
    if (labels.length !== r.input_ids.length) {
      ctx.addIssue({ code: "custom", path: ["labels"], message: `has ${labels.length} entries, input_ids has ${r.input_ids.length}` });
      return;
    }
    // Labels are unshifted (HF): each is -100 or the token at the same position. Anything else would be
    // a target the packed rows cannot express, so it is refused rather than silently replaced.
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      if (l !== -100 && l !== r.input_ids[i]) {
        ctx.addIssue({ code: "custom", path: ["labels", i], message: `${l} is neither -100 nor input_ids[${i}] = ${r.input_ids[i]}` });
        return;
      }
    }
  });

const SCHEMAS = { text: TextSchema, messages: ChatSchema, alpaca: AlpacaSchema, tokens: TokensSchema } as const;

/** The keys that identify each kind (any one of them suffices). */
const KIND_KEYS: Record<LineKind, readonly string[]> = {
  text: ["text"],
  messages: ["messages"],
  alpaca: ["instruction", "output"],
  tokens: ["input_ids"],
};

const KIND_NAME: Record<LineKind, string> = { text: "text", messages: "chat", alpaca: "Alpaca", tokens: "pre-tokenized" };

/** Kinds whose identifying keys the object has. */
function kindsOf(obj: Record<string, unknown>): LineKind[] {
  return (Object.keys(KIND_KEYS) as LineKind[]).filter((k) => KIND_KEYS[k].some((key) => key in obj));
}

function withoutKeys(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function fieldError(source: RecordSource, error: z.ZodError): DataError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join(".");
  return new DataError(`${at(source)}: field '${field}': ${issue.message}`, source.file, source.line);
}

const isTokenId = (x: unknown): boolean => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 0x7fffffff;

/**
 * The common pre-tokenized case checked with plain loops (zod walks long id arrays ~3x slower);
 * whatever it does not accept goes through TokensSchema, which finds and names the problem.
 */
function plainTokensOk(obj: Record<string, unknown>): boolean {
  const ids = obj.input_ids;
  if (!Array.isArray(ids) || ids.length === 0) return false;
  for (let i = 0; i < ids.length; i++) if (!isTokenId(ids[i])) return false;
  const labels = obj.labels;
  if (labels === undefined) return true;
  if (!Array.isArray(labels) || labels.length !== ids.length) return false;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== -100 && labels[i] !== ids[i]) return false;
  return true;
}

/** Validates one parsed line as `kind`; throws a DataError naming file:line and the field. */
function toRecord(obj: Record<string, unknown>, kind: LineKind, source: RecordSource): DataRecord {
  if (kind === "tokens" && plainTokensOk(obj)) {
    const rec: DataRecord = { kind: "tokens", inputIds: obj.input_ids as number[], metadata: withoutKeys(obj, ["input_ids", "labels"]), source };
    if (obj.labels !== undefined) rec.labels = obj.labels as number[];
    return rec;
  }
  const r = SCHEMAS[kind].safeParse(obj);
  if (!r.success) throw fieldError(source, r.error);
  switch (kind) {
    case "text":
      return { kind: "text", text: obj.text as string, metadata: withoutKeys(obj, ["text"]), source };
    case "messages": {
      const messages = (r.data as z.infer<typeof ChatSchema>).messages;
      return { kind: "chat", messages, metadata: withoutKeys(obj, ["messages"]), source };
    }
    case "alpaca": {
      const a = r.data as z.infer<typeof AlpacaSchema>;
      const user = a.input ? `${a.instruction}\n\n${a.input}` : a.instruction;
      const messages: ChatMessage[] = [
        { role: "user", content: user },
        { role: "assistant", content: a.output },
      ];
      return { kind: "chat", messages, metadata: withoutKeys(obj, ["instruction", "input", "output"]), source };
    }
    case "tokens": {
      const t = r.data as z.infer<typeof TokensSchema>;
      const rec: DataRecord = { kind: "tokens", inputIds: t.input_ids, metadata: withoutKeys(obj, ["input_ids", "labels"]), source };
      if (t.labels !== undefined) rec.labels = t.labels;
      return rec;
    }
  }
}

/** Reads one parser state per file: the kind fixed by the first record (auto) or the format. */
class LineParser {
  private kind: LineKind | null = null;
  private kindLine = 0;

  constructor(
    private readonly file: string,
    private readonly format: DataFormat,
  ) {}

  parse(text: string, line: number): DataRecord {
    const source = { file: this.file, line };
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new DataError(`${at(source)}: malformed JSON: ${(e as Error).message}`, this.file, line);
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj))
      throw new DataError(`${at(source)}: expected a JSON object, got ${Array.isArray(obj) ? "an array" : JSON.stringify(obj)}`, this.file, line);
    const o = obj as Record<string, unknown>;
    return toRecord(o, this.kindFor(o, source), source);
  }

  private kindFor(o: Record<string, unknown>, source: RecordSource): LineKind {
    switch (this.format) {
      case "text":
        return "text";
      case "tokens":
        return "tokens";
      case "chat":
        // Either chat shape is chat data; a line with neither is reported against "messages".
        return !("messages" in o) && ("instruction" in o || "output" in o) ? "alpaca" : "messages";
      case "auto":
        break;
    }
    const kinds = kindsOf(o);
    if (this.kind === null) {
      if (kinds.length !== 1) {
        const keys = Object.keys(o).map((k) => `'${k}'`).join(", ") || "none";
        const why = kinds.length === 0 ? "cannot tell the record kind" : `ambiguous record kind (${kinds.map((k) => KIND_NAME[k]).join(" or ")})`;
        throw new DataError(
          `${at(source)}: ${why} from its keys (${keys}): expected 'text', 'messages', 'instruction'+'output' or 'input_ids'; or pass --format text|chat|tokens`,
          this.file,
          source.line,
        );
      }
      this.kind = kinds[0]!;
      this.kindLine = source.line;
      return this.kind;
    }
    // A line without recognisable keys (or with the file's kind among others) is validated as the file's
    // kind, which names the missing field; a line clearly of another kind is a mixed file.
    if (kinds.length > 0 && !kinds.includes(this.kind)) {
      throw new DataError(
        `${at(source)}: a ${KIND_NAME[kinds[0]!]} record in a file of ${KIND_NAME[this.kind]} records (decided by line ${this.kindLine}); a file holds one kind of record`,
        this.file,
        source.line,
      );
    }
    return this.kind;
  }
}

/** Streams the records of one JSONL file (blank lines skipped). */
export async function* readRecords(file: string, format: DataFormat = "auto"): AsyncGenerator<DataRecord> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const parser = new LineParser(file, format);
  let line = 0;
  try {
    for await (let text of lines) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte-order mark
      if (text.trim() === "") continue;
      yield parser.parse(text, line);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message;
    throw new DataError(`${file}: cannot read: ${why}`, file);
  } finally {
    lines.close();
    stream.destroy();
  }
}

/**
 * Streams the records of several files in order. A file without records (empty, or blank lines only)
 * is an error naming it: an empty dataset is never trained on silently.
 */
export async function* readDataset(files: readonly string[], format: DataFormat = "auto"): AsyncGenerator<DataRecord> {
  if (files.length === 0) throw new DataError("no data files given");
  for (const file of files) {
    let n = 0;
    for await (const r of readRecords(file, format)) {
      n++;
      yield r;
    }
    if (n === 0) throw new DataError(`${file}: no records (the file is empty or holds only blank lines)`, file);
  }
}

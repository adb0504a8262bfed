// Records -> tokenised examples {ids, targetMask}. targetMask[t] = 1 means ids[t] may be a prediction
// target (the loss is taken on predicting it from ids[..t)); packing turns that into shifted labels.
//   documents: encode(text) + EOS, every token a target (the model learns to end a document);
//   chat:      the tokenizer's chat encoding, targets = its assistant mask (assistant content + end of turn);
//   tokens:    input_ids verbatim (no special tokens added); targets = all, or where labels != -100.
// The tokenizer is reached through DataTokenizer, so this module does not depend on src/tokenizer;
// the trainer adapts the real Tokenizer to it.
import { ExamplePool, type Example } from "./pool.js";
import { at, DataError, readDataset, type ChatMessage, type DataFormat, type DataRecord } from "./records.js";

export interface DataTokenizer {
  /** Token ids of a document's text, with whatever the model expects at its start (e.g. BOS). */
  encode(text: string): ArrayLike<number>;
  /** A conversation's ids and a mask that is 1 on assistant content and end-of-turn tokens. */
  encodeChat(messages: ChatMessage[]): { inputIds: ArrayLike<number>; assistantMask: ArrayLike<number> };
  /** Appended to every document. */
  eosId: number;
  /** When given, every id (pre-tokenized ones included) must be below it. */
  vocabSize?: number;
}

/** Out-of-vocabulary ids would index past the embedding table; `field` names where they came from. */
function checkIds(ids: Int32Array, rec: DataRecord, vocabSize: number | undefined, field: (i: number) => string): void {
  if (vocabSize === undefined) return;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= vocabSize)
      throw new DataError(`${at(rec.source)}: field '${field(i)}': token id ${id} is outside the vocabulary (size ${vocabSize})`, rec.source.file, rec.source.line);
  }
}

/** One record's example; errors name the record's file:line. */
export function toExample(rec: DataRecord, tok: DataTokenizer): Example {
  switch (rec.kind) {
    case "text": {
      const enc = tok.encode(rec.text);
      const n = enc.length;
      const ids = new Int32Array(n + 1);
      ids.set(enc);
      ids[n] = tok.eosId;
      checkIds(ids, rec, tok.vocabSize, () => "text");
      return { ids, targetMask: new Uint8Array(n + 1).fill(1) };
    }
    case "chat": {
      let enc: { inputIds: ArrayLike<number>; assistantMask: ArrayLike<number> };
      try {
        enc = tok.encodeChat(rec.messages);
      } catch (e) {
        throw new DataError(`${at(rec.source)}: field 'messages': ${(e as Error).message}`, rec.source.file, rec.source.line);
      }
      if (enc.inputIds.length !== enc.assistantMask.length || enc.inputIds.length === 0)
        throw new DataError(`${at(rec.source)}: the chat encoding has ${enc.inputIds.length} ids and ${enc.assistantMask.length} mask entries`, rec.source.file, rec.source.line);
      const ids = Int32Array.from(enc.inputIds);
      checkIds(ids, rec, tok.vocabSize, () => "messages");
      const targetMask = new Uint8Array(ids.length);
      for (let i = 0; i < ids.length; i++) targetMask[i] = enc.assistantMask[i] ? 1 : 0;
      return { ids, targetMask };
    }
    case "tokens": {
      const ids = Int32Array.from(rec.inputIds);
      checkIds(ids, rec, tok.vocabSize, (i) => `input_ids.${i}`);
      const targetMask = new Uint8Array(ids.length);
      if (rec.labels === undefined) targetMask.fill(1);
      else for (let i = 0; i < ids.length; i++) targetMask[i] = rec.labels[i] === -100 ? 0 : 1;
      return { ids, targetMask };
    }
  }
}

export interface LoadOptions {
  format?: DataFormat;
}

/** Reads, validates and tokenises files into a pool (records streamed; only token ids are kept). */
export async function loadExamples(files: readonly string[], tok: DataTokenizer, opts: LoadOptions = {}): Promise<ExamplePool> {
  if (!Number.isInteger(tok.eosId) || tok.eosId < 0 || (tok.vocabSize !== undefined && tok.eosId >= tok.vocabSize))
    throw new DataError(`the tokenizer's EOS id ${tok.eosId} is not a valid token id`);
  const pool = new ExamplePool();
  for await (const rec of readDataset(files, opts.format ?? "auto")) {
    const ex = toExample(rec, tok);
    pool.add(ex.ids, ex.targetMask, rec.source);
  }
  return pool;
}

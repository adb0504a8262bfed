// Hugging Face tokenizer.json + tokenizer_config.json, loaded with @huggingface/tokenizers (pure JS) and
// wrapped so that it behaves like `transformers`' PreTrainedTokenizerFast where midtrain depends on it:
// the same ids for the same text, the same special tokens added, lossless decoding.
//
// Two fast paths sit on top of the library (both fall back to it when a tokenizer is outside their scope):
// - encoding for byte-level BPE tokenizers (GPT-2, Llama 3, Qwen, midtrain's own) memoises pre-token -> ids,
//   skipping the library's per-pre-token byte mapping and BPE, which dominate its cost (2-6x faster on English
//   prose, the gain growing as the cache fills);
// - decoding for ByteLevel decoders maps ids straight to bytes (the library scans all added tokens per token).
// Tests check both against the library and against ids from Hugging Face's Rust tokenizers.
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import * as hfLib from "@huggingface/tokenizers";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

// The package exports its pre-tokenizer classes at run time, but its type index only resolves Tokenizer and
// AddedToken under NodeNext; these are the members the fast encoder uses (it falls back if any is missing).
interface PreTokenizerLike {
  pre_tokenize_text(text: string): string[];
}
type PreTokenizerClass = new (config: unknown) => PreTokenizerLike;
const lib = hfLib as unknown as {
  SplitPreTokenizer?: PreTokenizerClass;
  DigitsPreTokenizer?: PreTokenizerClass;
  PunctuationPreTokenizer?: PreTokenizerClass;
  ByteLevelPreTokenizer?: new (config: unknown) => PreTokenizerLike & { pattern: RegExp };
};

// ---------------------------------------------------------------------------------------------------------
// File schemas: only the fields midtrain relies on are checked; everything else passes through to the library.

const Component = z.looseObject({ type: z.string() }).nullable().optional();

const AddedTokenSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  content: z.string().min(1),
  special: z.boolean().optional(),
  normalized: z.boolean().optional(),
  lstrip: z.boolean().optional(),
  rstrip: z.boolean().optional(),
  single_word: z.boolean().optional(),
});

const BpeModelSchema = z.looseObject({
  type: z.literal("BPE"),
  vocab: z.record(z.string(), z.number().int().nonnegative()),
  merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
});

const TokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(AddedTokenSchema).default([]),
  normalizer: Component,
  pre_tokenizer: Component,
  post_processor: Component,
  decoder: Component,
  model: z.looseObject({ type: z.string(), vocab: z.unknown() }),
});

// A special token in tokenizer_config.json is a string or a serialised AddedToken ({"content": ...}).
const TokenRef = z.union([z.string(), z.looseObject({ content: z.string() })]).nullable().optional();

const TokenizerConfigSchema = z.looseObject({
  bos_token: TokenRef,
  eos_token: TokenRef,
  pad_token: TokenRef,
  unk_token: TokenRef,
  additional_special_tokens: z.array(z.union([z.string(), z.looseObject({ content: z.string() })])).optional(),
  chat_template: z
    .union([z.string(), z.array(z.object({ name: z.string(), template: z.string() }))])
    .nullable()
    .optional(),
  tokenizer_class: z.string().nullable().optional(),
  add_bos_token: z.boolean().nullable().optional(),
  add_eos_token: z.boolean().nullable().optional(),
  remove_space: z.boolean().nullable().optional(),
  do_lowercase_and_remove_accent: z.boolean().nullable().optional(),
});

const GenerationConfigSchema = z.looseObject({
  eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullable().optional(),
});

type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;
type TokenizerConfig = z.infer<typeof TokenizerConfigSchema>;

/** A tokenizer file that is missing, not JSON, or not the expected shape. The message names the file and field. */
export class TokenizerFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "TokenizerFileError";
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join(".") : "(root)";
  throw new TokenizerFileError(file, `field ${field}: ${issue.message}`);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TokenizerFileError(file, code === "ENOENT" ? "file not found" : `cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TokenizerFileError(file, `invalid JSON: ${(e as Error).message}`);
  }
}

function tokenContent(ref: string | { content: string } | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === "string" ? ref : ref.content;
}

// GPT-2's reversible byte <-> printable-character table used by every ByteLevel pre-tokenizer and decoder.
const BYTE_TO_CHAR: string[] = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const table = new Array<string>(256);
  for (const b of bs) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) table[b] = String.fromCharCode(256 + n++);
  return table;
})();
const CHAR_TO_BYTE = new Map<string, number>(BYTE_TO_CHAR.map((c, b) => [c, b]));

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Tokenizer classes whose transformers implementation rebuilds the post-processor from add_bos_token/add_eos_token. */
const BOS_FLAG_CLASSES = new Set([
  "LlamaTokenizer",
  "LlamaTokenizerFast",
  "CodeLlamaTokenizer",
  "CodeLlamaTokenizerFast",
  "GemmaTokenizer",
  "GemmaTokenizerFast",
]);

/** Added tokens that end an assistant turn in common chat formats (ChatML, Llama 3/3.1, Phi-3, Gemma). */
const END_OF_TURN_TOKENS = ["<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>"];

export interface EncodeOptions {
  /** Add the special tokens the tokenizer's post-processor adds (e.g. Llama 3's <|begin_of_text|>). Default true, as in HF. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (added tokens marked special, and the config's bos/eos/pad/unk/additional tokens). Default false. */
  skipSpecialTokens?: boolean;
}

export interface SpecialToken {
  id: number;
  content: string;
}

/** Token ids with the UTF-16 span [starts[i], ends[i]) of the input text that token i covers. */
export interface EncodingWithOffsets {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

export interface TokenizerSource {
  /** tokenizer.json contents (parsed). */
  tokenizerJson: unknown;
  /** tokenizer_config.json contents (parsed). */
  tokenizerConfig: unknown;
  /** generation_config.json contents, if any: its eos_token_id joins stopIds. */
  generationConfig?: unknown;
  /** A chat template that overrides tokenizer_config's (HF's separate chat_template.jinja file). */
  chatTemplate?: string;
  /** Names used in error messages. */
  names?: { tokenizerJson?: string; tokenizerConfig?: string; generationConfig?: string };
}

/** Splits text at added-token occurrences: leftmost, longest match, as HF does. */
class AddedTokenSplitter {
  private readonly root: TrieNode = new Map();
  constructor(tokens: Iterable<[string, number]>) {
    for (const [content, id] of tokens) {
      let node = this.root;
      for (const ch of content) {
        let next = node.get(ch);
        if (!next) node.set(ch, (next = new Map()));
        node = next;
      }
      (node as TrieNode & { id?: number }).id = id;
    }
  }
  /** Calls onText for runs of plain text and onToken for added tokens, in order. */
  split(text: string, onText: (s: string) => void, onToken: (id: number) => void): void {
    if (this.root.size === 0) {
      if (text.length > 0) onText(text);
      return;
    }
    const n = text.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      let node: (TrieNode & { id?: number }) | undefined = this.root;
      let matchEnd = -1;
      let matchId = -1;
      let j = i;
      while (j < n && (node = node.get(text[j]!))) {
        j++;
        if (node.id !== undefined) {
          matchEnd = j;
          matchId = node.id;
        }
      }
      if (matchEnd >= 0) {
        if (i > start) onText(text.slice(start, i));
        onToken(matchId);
        i = start = matchEnd;
      } else {
        i++;
      }
    }
    if (start < n) onText(text.slice(start));
  }
}
type TrieNode = Map<string, TrieNode>;

/**
 * Encoder for byte-level BPE pipelines: added-token split -> normalizer -> (Split/Digits/Punctuation)* ->
 * ByteLevel. Pre-tokens are memoised to ids, so repeated words skip byte mapping and BPE.
 */
class ByteLevelFastEncoder {
  private readonly cache = new Map<string, Int32Array>();
  private static readonly MAX_CACHE = 1 << 18;
  private static readonly MAX_CACHED_LEN = 64;

  private constructor(
    private readonly hf: HfTokenizer,
    private readonly splitter: AddedTokenSplitter,
    private readonly splitters: PreTokenizerLike[],
    private readonly byteLevelRegex: RegExp | null,
  ) {}

  /** Returns null when the pipeline has anything this encoder does not reproduce exactly. */
  static create(hf: HfTokenizer, json: TokenizerJson, config: TokenizerConfig): ByteLevelFastEncoder | null {
    if (config.remove_space === true || config.do_lowercase_and_remove_accent === true) return null;
    if (!hf.model) return null;
    const hasNormalizer = json.normalizer !== null && json.normalizer !== undefined;
    for (const t of json.added_tokens) {
      if (t.lstrip || t.rstrip) return null;
      // The library's default for `normalized` is !special; normalized added tokens match after normalisation.
      const normalized = t.normalized ?? !(t.special ?? false);
      if (normalized && hasNormalizer) return null;
    }
    const pt = json.pre_tokenizer;
    if (!pt) return null;
    const steps = pt.type === "Sequence" ? ((pt as { pretokenizers?: unknown }).pretokenizers as Array<{ type: string }> | undefined) : [pt];
    if (!Array.isArray(steps) || steps.length === 0) return null;
    const last = steps[steps.length - 1] as { type: string; add_prefix_space?: boolean; use_regex?: boolean };
    if (last.type !== "ByteLevel" || last.add_prefix_space === true) return null;
    const classes: Record<string, PreTokenizerClass | undefined> = {
      Split: lib.SplitPreTokenizer,
      Digits: lib.DigitsPreTokenizer,
      Punctuation: lib.PunctuationPreTokenizer,
    };
    const splitters: PreTokenizerLike[] = [];
    for (const step of steps.slice(0, -1)) {
      const cls = classes[step.type];
      if (!cls) return null;
      splitters.push(new cls(step));
    }
    let regex: RegExp | null = null;
    if (last.use_regex !== false) {
      if (!lib.ByteLevelPreTokenizer) return null;
      regex = new lib.ByteLevelPreTokenizer(last).pattern;
    }
    const added = json.added_tokens.map((t) => [t.content, t.id] as [string, number]);
    return new ByteLevelFastEncoder(hf, new AddedTokenSplitter(added), splitters, regex);
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    const normalizer = this.hf.normalizer;
    this.splitter.split(
      text,
      (section) => {
        const s = normalizer ? normalizer(section) : section;
        if (s.length === 0) return;
        let pieces = [s];
        for (const sp of this.splitters) pieces = pieces.flatMap((p) => sp.pre_tokenize_text(p));
        if (this.byteLevelRegex) pieces = pieces.flatMap((p) => p.match(this.byteLevelRegex!) ?? []);
        for (const piece of pieces) {
          const ids = this.pieceIds(piece);
          for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
        }
      },
      (id) => out.push(id),
    );
    return Int32Array.from(out);
  }

  private pieceIds(piece: string): Int32Array {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let mapped = "";
    for (const b of utf8.encode(piece)) mapped += BYTE_TO_CHAR[b]!;
    const model = this.hf.model!;
    const ids = Int32Array.from(model([mapped]), (t) => {
      const id = model.tokens_to_ids.get(t);
      if (id === undefined) throw new Error(`BPE produced token ${JSON.stringify(t)} that is not in the vocabulary`);
      return id;
    });
    if (piece.length <= ByteLevelFastEncoder.MAX_CACHED_LEN) {
      // Bounded memory: start over rather than track recency (the working set of a corpus refills quickly).
      if (this.cache.size >= ByteLevelFastEncoder.MAX_CACHE) this.cache.clear();
      this.cache.set(piece, ids);
    }
    return ids;
  }
}

export class Tokenizer {
  /** Number of ids, added tokens included (HF's len(tokenizer)); a model's vocab_size may be larger (padding). */
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly padId: number | null;
  readonly unkId: number | null;
  /** Ids that end generation: eos, generation_config's eos ids, and end-of-turn tokens present (<|im_end|>, <|eot_id|>, ...). */
  readonly stopIds: readonly number[];
  /** Added tokens marked special, by id. */
  readonly specialTokens: readonly SpecialToken[];
  /** Jinja chat template (tokenizer_config's chat_template, or the "default" one of a named list), or null. */
  readonly chatTemplate: string | null;
  /** Ids encode() puts before / after the text when addSpecialTokens is true (e.g. [128000] for Llama 3's BOS). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];

  private readonly hf: HfTokenizer;
  private readonly fast: ByteLevelFastEncoder | null;
  private readonly byteLevelDecoder: boolean;
  private readonly addedById = new Map<number, string>();
  private readonly skipIds: Set<number>;
  private readonly specialIds: Set<number>;
  private readonly tokenBytes: (Uint8Array | undefined)[] = [];

  private constructor(src: TokenizerSource) {
    const jsonName = src.names?.tokenizerJson ?? "tokenizer.json";
    const configName = src.names?.tokenizerConfig ?? "tokenizer_config.json";
    const json = parseWith(TokenizerJsonSchema, src.tokenizerJson, jsonName);
    if (json.model.type === "BPE") parseWith(BpeModelSchema, json.model, `${jsonName} (model)`);
    const config = parseWith(TokenizerConfigSchema, src.tokenizerConfig, configName);

    this.bosToken = tokenContent(config.bos_token);
    this.eosToken = tokenContent(config.eos_token);
    this.padToken = tokenContent(config.pad_token);
    this.unkToken = tokenContent(config.unk_token);
    const additional = (config.additional_special_tokens ?? []).map((t) => tokenContent(t)!);

    // The library wants plain strings for special tokens; everything else passes through unchanged.
    const libConfig: Record<string, unknown> = { ...config, additional_special_tokens: additional };
    for (const k of ["bos_token", "eos_token", "pad_token", "unk_token"] as const) {
      const v = tokenContent(config[k]);
      if (v === null) delete libConfig[k];
      else libConfig[k] = v;
    }
    try {
      this.hf = new HfTokenizer(json, libConfig);
    } catch (e) {
      throw new TokenizerFileError(jsonName, `cannot build tokenizer: ${(e as Error).message}`);
    }

    for (const t of json.added_tokens) this.addedById.set(t.id, t.content);
    this.vocabSize = this.hf.model!.vocab.length;

    const resolve = (token: string | null, field: string): number | null => {
      if (token === null) return null;
      const id = this.hf.token_to_id(token);
      if (id === undefined) throw new TokenizerFileError(configName, `field ${field}: token ${JSON.stringify(token)} is not in the vocabulary`);
      return id;
    };
    this.bosId = resolve(this.bosToken, "bos_token");
    this.eosId = resolve(this.eosToken, "eos_token");
    this.padId = resolve(this.padToken, "pad_token");
    this.unkId = resolve(this.unkToken, "unk_token");
    const additionalIds = additional.map((t, i) => resolve(t, `additional_special_tokens.${i}`)!);

    this.specialTokens = json.added_tokens
      .filter((t) => t.special === true)
      .map((t) => ({ id: t.id, content: t.content }))
      .sort((a, b) => a.id - b.id);
    this.specialIds = new Set(this.specialTokens.map((t) => t.id));
    this.skipIds = new Set([
      ...this.specialTokens.map((t) => t.id),
      ...[this.bosId, this.eosId, this.padId, this.unkId].filter((x): x is number => x !== null),
      ...additionalIds,
    ]);

    const stops: number[] = [];
    const addStop = (id: number | null | undefined) => {
      if (id !== null && id !== undefined && !stops.includes(id)) stops.push(id);
    };
    addStop(this.eosId);
    if (src.generationConfig !== undefined) {
      const gen = parseWith(GenerationConfigSchema, src.generationConfig, src.names?.generationConfig ?? "generation_config.json");
      const e = gen.eos_token_id;
      for (const id of e === null || e === undefined ? [] : Array.isArray(e) ? e : [e]) addStop(id);
    }
    for (const content of END_OF_TURN_TOKENS) {
      const t = json.added_tokens.find((a) => a.content === content);
      if (t) addStop(t.id);
    }
    this.stopIds = stops;

    if (src.chatTemplate !== undefined) this.chatTemplate = src.chatTemplate;
    else if (typeof config.chat_template === "string") this.chatTemplate = config.chat_template;
    else if (Array.isArray(config.chat_template)) this.chatTemplate = config.chat_template.find((t) => t.name === "default")?.template ?? null;
    else this.chatTemplate = null;

    const { prefix, suffix } = this.specialTokenTemplate(json, config, jsonName, configName);
    this.prefixIds = prefix;
    this.suffixIds = suffix;

    this.fast = ByteLevelFastEncoder.create(this.hf, json, config);
    const dec = json.decoder as { type: string; decoders?: unknown } | null | undefined;
    this.byteLevelDecoder =
      !!dec &&
      (dec.type === "ByteLevel" ||
        (dec.type === "Sequence" &&
          Array.isArray(dec.decoders) &&
          dec.decoders.length > 0 &&
          (dec.decoders as Array<{ type?: unknown }>).every((d) => d.type === "ByteLevel")));
  }

  /** Loads tokenizer.json and tokenizer_config.json (required), plus chat_template.jinja and generation_config.json when present. */
  static fromDir(dir: string): Tokenizer {
    const tj = path.join(dir, "tokenizer.json");
    const tc = path.join(dir, "tokenizer_config.json");
    const gc = path.join(dir, "generation_config.json");
    const tokenizerJson = readJson(tj);
    const tokenizerConfig = readJson(tc);
    let generationConfig: unknown;
    try {
      generationConfig = readJson(gc);
    } catch (e) {
      if (!(e instanceof TokenizerFileError && e.message.endsWith("file not found"))) throw e;
    }
    let chatTemplate: string | undefined;
    try {
      // transformers saves templates to this file and prefers it over tokenizer_config's field.
      chatTemplate = readFileSync(path.join(dir, "chat_template.jinja"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    return new Tokenizer({
      tokenizerJson,
      tokenizerConfig,
      generationConfig,
      chatTemplate,
      names: { tokenizerJson: tj, tokenizerConfig: tc, generationConfig: gc },
    });
  }

  /** Loads from explicit file paths. */
  static fromFiles(tokenizerJsonPath: string, tokenizerConfigPath: string): Tokenizer {
    const tokenizerJson = readJson(tokenizerJsonPath);
    const tokenizerConfig = readJson(tokenizerConfigPath);
    return new Tokenizer({ tokenizerJson, tokenizerConfig, names: { tokenizerJson: tokenizerJsonPath, tokenizerConfig: tokenizerConfigPath } });
  }

  /** Builds from already-parsed objects. */
  static fromObjects(src: TokenizerSource): Tokenizer {
    return new Tokenizer(src);
  }

  encode(text: string, opts: EncodeOptions = {}): Int32Array {
    if (typeof text !== "string") throw new TypeError(`encode: expected a string, got ${typeof text}`);
    const body = this.fast ? this.fast.encode(text) : Int32Array.from(this.hf.encode(text, { add_special_tokens: false }).ids);
    if (opts.addSpecialTokens === false || (this.prefixIds.length === 0 && this.suffixIds.length === 0)) return body;
    const out = new Int32Array(this.prefixIds.length + body.length + this.suffixIds.length);
    out.set(this.prefixIds, 0);
    out.set(body, this.prefixIds.length);
    out.set(this.suffixIds, this.prefixIds.length + body.length);
    return out;
  }

  /** Encodes each text (same options for all). Shares the pre-token cache, so large batches get faster as it fills. */
  encodeBatch(texts: readonly string[], opts: EncodeOptions = {}): Int32Array[] {
    return texts.map((t) => this.encode(t, opts));
  }

  /**
   * Encodes without special tokens and reports, for each token, the UTF-16 span of `text` it covers. A token that
   * holds only part of a character's UTF-8 bytes covers that whole character. Needs a ByteLevel decoder (GPT-2,
   * Llama 3, Qwen, midtrain) and text that the tokenizer's normalizer leaves unchanged; throws otherwise.
   */
  encodeWithOffsets(text: string): EncodingWithOffsets {
    if (!this.byteLevelDecoder) throw new Error("encodeWithOffsets: needs a tokenizer with a ByteLevel decoder");
    const ids = this.encode(text, { addSpecialTokens: false });
    // Byte position -> UTF-16 span of the character that holds it.
    const bytes = utf8.encode(text);
    const charStart = new Int32Array(bytes.length);
    const charEnd = new Int32Array(bytes.length);
    let b = 0;
    for (let u = 0; u < text.length; ) {
      const cp = text.codePointAt(u)!;
      const units = cp > 0xffff ? 2 : 1;
      // Lone surrogates are encoded as U+FFFD (3 bytes) by TextEncoder.
      const nbytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let k = 0; k < nbytes; k++) {
        charStart[b + k] = u;
        charEnd[b + k] = u + units;
      }
      b += nbytes;
      u += units;
    }
    const starts = new Int32Array(ids.length);
    const ends = new Int32Array(ids.length);
    let pos = 0;
    for (let i = 0; i < ids.length; i++) {
      const n = this.bytesOf(ids[i]!).length;
      if (pos + n > bytes.length) break;
      starts[i] = charStart[pos]!;
      ends[i] = charEnd[pos + n - 1]!;
      pos += n;
    }
    if (pos !== bytes.length) {
      throw new Error("encodeWithOffsets: the tokenizer's normalizer changed the text, so tokens do not map back to it");
    }
    return { ids, starts, ends };
  }

  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const skip = opts.skipSpecialTokens === true;
    const kept: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.hf.id_to_token(id) === undefined) {
        throw new RangeError(`decode: id ${id} at position ${i} is not in the vocabulary (size ${this.vocabSize})`);
      }
      if (!(skip && this.skipIds.has(id))) kept.push(id);
    }
    if (kept.length === 0) return "";
    if (this.byteLevelDecoder) {
      let total = 0;
      for (const id of kept) total += this.bytesOf(id).length;
      const buf = new Uint8Array(total);
      let p = 0;
      for (const id of kept) {
        const bs = this.bytesOf(id);
        buf.set(bs, p);
        p += bs.length;
      }
      return utf8Decoder.decode(buf);
    }
    // Lossless: HF's clean_up_tokenization_spaces (" ." -> ".") is never applied.
    return this.hf.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** The tokenizer's normalizer (e.g. Qwen's NFC) applied to text; identity when it has none. */
  normalize(text: string): string {
    return this.hf.normalizer ? this.hf.normalizer(text) : text;
  }

  idToToken(id: number): string | null {
    return this.hf.id_to_token(id) ?? null;
  }

  tokenToId(token: string): number | null {
    return this.hf.token_to_id(token) ?? null;
  }

  /** True when id is an added token marked special. */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** The bytes a token stands for under a ByteLevel decoder (added tokens: their text). */
  private bytesOf(id: number): Uint8Array {
    let bs = this.tokenBytes[id];
    if (bs) return bs;
    const added = this.addedById.get(id);
    if (added !== undefined) {
      bs = utf8.encode(added);
    } else {
      const token = this.hf.id_to_token(id)!;
      const out: number[] = [];
      for (const ch of token) {
        const byte = CHAR_TO_BYTE.get(ch);
        if (byte === undefined) {
          // As HF's ByteLevel decoder: a token with a character outside the byte table is its own UTF-8.
          out.length = 0;
          out.push(...utf8.encode(token));
          break;
        }
        out.push(byte);
      }
      bs = Uint8Array.from(out);
    }
    this.tokenBytes[id] = bs;
    return bs;
  }

  /** The ids transformers adds around a single sequence, from the post-processor (or add_bos_token for Llama classes). */
  private specialTokenTemplate(json: TokenizerJson, config: TokenizerConfig, jsonName: string, configName: string): { prefix: number[]; suffix: number[] } {
    if (config.tokenizer_class && BOS_FLAG_CLASSES.has(config.tokenizer_class)) {
      // transformers' LlamaTokenizerFast/GemmaTokenizerFast replace tokenizer.json's post-processor with this one.
      const addBos = config.add_bos_token ?? true;
      const addEos = config.add_eos_token ?? false;
      if (addBos && this.bosId === null) throw new TokenizerFileError(configName, "add_bos_token is true but bos_token is not set");
      if (addEos && this.eosId === null) throw new TokenizerFileError(configName, "add_eos_token is true but eos_token is not set");
      return { prefix: addBos ? [this.bosId!] : [], suffix: addEos ? [this.eosId!] : [] };
    }
    const prefix: number[] = [];
    const suffix: number[] = [];
    const idOf = (token: string, field: string): number => {
      const id = this.hf.token_to_id(token);
      if (id === undefined) throw new TokenizerFileError(jsonName, `field ${field}: token ${JSON.stringify(token)} is not in the vocabulary`);
      return id;
    };
    const visit = (pp: unknown, field: string): void => {
      if (pp === null || pp === undefined) return;
      const p = pp as { type: string; [k: string]: unknown };
      switch (p.type) {
        case "ByteLevel":
          return;
        case "Sequence": {
          const list = p.processors;
          if (!Array.isArray(list)) throw new TokenizerFileError(jsonName, `field ${field}.processors: expected an array`);
          list.forEach((q, i) => visit(q, `${field}.processors.${i}`));
          return;
        }
        case "TemplateProcessing": {
          const single = p.single;
          if (!Array.isArray(single)) throw new TokenizerFileError(jsonName, `field ${field}.single: expected an array`);
          const specials = (p.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
          let seenA = false;
          single.forEach((item: { SpecialToken?: { id: string }; Sequence?: { id: string } }, i: number) => {
            if (item.Sequence) {
              seenA = true;
            } else if (item.SpecialToken) {
              const name = item.SpecialToken.id;
              const ids = specials[name]?.ids ?? [idOf(name, `${field}.single.${i}`)];
              (seenA ? suffix : prefix).push(...ids);
            }
          });
          return;
        }
        case "BertProcessing":
        case "RobertaProcessing": {
          const cls = p.cls as [string, number] | undefined;
          const sep = p.sep as [string, number] | undefined;
          if (!cls || !sep) throw new TokenizerFileError(jsonName, `field ${field}: cls and sep are required`);
          prefix.push(cls[1]);
          suffix.push(sep[1]);
          return;
        }
        default:
          throw new TokenizerFileError(jsonName, `field ${field}.type: unsupported post-processor ${JSON.stringify(p.type)}`);
      }
    };
    visit(json.post_processor, "post_processor");
    return { prefix, suffix };
  }
}

// Chat templates (Jinja, rendered with @huggingface/jinja as transformers renders them) and the SFT encoding of
// a conversation: token ids plus a mask of the tokens the model is trained to produce.
//
// How the assistant mask is computed (character offsets in the one rendered string):
//   1. Render the whole conversation once (add_generation_prompt=false) and tokenize that string once, without
//      adding special tokens, exactly as transformers' apply_chat_template(tokenize=True) does. These are the
//      training ids, so training sees the very text (and tokens) the template produces.
//   2. For assistant message i, render messages[0..i) with add_generation_prompt=true: that is the prompt
//      inference would give the model before it writes message i. It must be a prefix of the full rendering;
//      the assistant's turn starts where it ends.
//   3. The turn ends just past the first end-of-turn token text (the tokenizer's stopIds that are special
//      tokens: <|im_end|>, <|eot_id|>, eos, ...) at or after that start. Assistant contents containing such
//      text are rejected, so that token is the one the template wrote after the message.
//   4. A token is masked when its character span overlaps a turn's span. Spans start after the role header and
//      end on the end-of-turn special token, so in practice they fall on token boundaries; where a token
//      straddles the start (e.g. the header's "\n" merged with a leading "\n" of the content) it is masked, as
//      HF's char_to_token would mark it.
// So the mask covers everything the model must generate after the generation prompt, up to and including the
// end-of-turn token (so it learns to stop), and nothing after it (ChatML's trailing "\n" stays unmasked).
//
// Qwen3: its template writes "<think>\n{reasoning}\n</think>\n\n" before the content of an assistant turn after
// the last user message (an empty think block when the message has no reasoning) and drops reasoning from
// earlier turns. By the rule above the mask includes that think block for the turns that render one: at
// inference the prompt ends with "<|im_start|>assistant\n" and the model itself writes "<think>...</think>",
// which is what a {% generation %} block around the assistant output (HF's return_assistant_tokens_mask) would
// mark. With templateKwargs {enable_thinking: false} the empty think block is part of the prompt instead and
// stays unmasked; Qwen3's template then renders earlier turns inconsistently with their prompts, so that only
// works for conversations with one assistant turn (others are rejected by step 2).
import { readFileSync } from "node:fs";
import { Template } from "@huggingface/jinja";
import { z } from "zod";
import type { Tokenizer } from "./tokenizer.js";

export const ChatRoleSchema = z.enum(["system", "user", "assistant"]);
export const ChatMessageSchema = z.object({ role: ChatRoleSchema, content: z.string() });
export type ChatRole = z.infer<typeof ChatRoleSchema>;
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** Bad messages, a missing template, a template error, or a conversation the mask cannot be computed for. */
export class ChatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatError";
  }
}

export interface RenderOptions {
  /** Append the prompt that opens an assistant turn (for generation). Default false. */
  addGenerationPrompt?: boolean;
  /** Template to use instead of the tokenizer's chat template. */
  template?: string;
  /** Extra template variables (e.g. Qwen3's enable_thinking), as transformers' apply_chat_template **kwargs. */
  templateKwargs?: Record<string, unknown>;
}

export interface ChatEncoding {
  /** The rendered conversation's tokens (no special tokens added beyond what the template writes). */
  inputIds: Int32Array;
  /** 1 on tokens of each assistant turn (content and end-of-turn token), 0 elsewhere. Same length as inputIds. */
  assistantMask: Uint8Array;
}

let builtin: string | null = null;

/** midtrain's ChatML template (models/chat_template.jinja), for tokenizers with <|im_start|> and <|im_end|>. */
export function builtinChatTemplate(): string {
  // src/tokenizer/ and dist/tokenizer/ are both two levels below the package root.
  builtin ??= readFileSync(new URL("../../models/chat_template.jinja", import.meta.url), "utf8");
  return builtin;
}

/** Validates messages (role system|user|assistant, content string); errors name the message index. */
export function parseMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) throw new ChatError("messages: expected an array of {role, content}");
  return messages.map((m, i) => {
    const r = ChatMessageSchema.safeParse(m);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
      throw new ChatError(`messages[${i}]${field}: ${issue.message}`);
    }
    return r.data;
  });
}

const compiled = new Map<string, Template>();

function compile(source: string): Template {
  let t = compiled.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (e) {
      throw new ChatError(`chat template does not parse: ${(e as Error).message}`);
    }
    if (compiled.size >= 16) compiled.clear();
    compiled.set(source, t);
  }
  return t;
}

function templateOf(tokenizer: Tokenizer, opts: RenderOptions): string {
  const t = opts.template ?? tokenizer.chatTemplate;
  if (t === null) throw new ChatError("the tokenizer has no chat_template (tokenizer_config.json); pass a template");
  return t;
}

/** Renders with the variables transformers passes: messages, add_generation_prompt, special tokens, tools/documents None. */
function render(template: Template, tokenizer: Tokenizer, messages: readonly ChatMessage[], addGenerationPrompt: boolean, kwargs: Record<string, unknown> | undefined): string {
  const ctx: Record<string, unknown> = {
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    add_generation_prompt: addGenerationPrompt,
    tools: null,
    documents: null,
  };
  // raise_exception (and range, namespace, strftime_now) are globals of @huggingface/jinja itself; its errors
  // carry the template's message.
  // Unset special tokens stay undefined (they render as ""), as in transformers' special_tokens_map.
  if (tokenizer.bosToken !== null) ctx.bos_token = tokenizer.bosToken;
  if (tokenizer.eosToken !== null) ctx.eos_token = tokenizer.eosToken;
  if (tokenizer.padToken !== null) ctx.pad_token = tokenizer.padToken;
  if (tokenizer.unkToken !== null) ctx.unk_token = tokenizer.unkToken;
  Object.assign(ctx, kwargs);
  try {
    return template.render(ctx);
  } catch (e) {
    throw new ChatError(`chat template error: ${(e as Error).message}`);
  }
}

/** The conversation as the chat template renders it (a string; encode it with addSpecialTokens: false). */
export function renderChat(tokenizer: Tokenizer, messages: unknown, opts: RenderOptions = {}): string {
  const msgs = parseMessages(messages);
  return render(compile(templateOf(tokenizer, opts)), tokenizer, msgs, opts.addGenerationPrompt ?? false, opts.templateKwargs);
}

/** Token ids of the rendered conversation and the mask of assistant tokens (see the top of this file). */
export function encodeChat(tokenizer: Tokenizer, messages: unknown, opts: Omit<RenderOptions, "addGenerationPrompt"> = {}): ChatEncoding {
  const parsed = parseMessages(messages);
  const assistants = parsed.flatMap((m, i) => (m.role === "assistant" ? [i] : []));
  if (assistants.length === 0) throw new ChatError("the conversation has no assistant message, so there is nothing to train on");

  const stopTexts = tokenizer.stopIds.filter((id) => tokenizer.isSpecial(id)).map((id) => tokenizer.idToToken(id)!);
  if (stopTexts.length === 0) throw new ChatError("the tokenizer has no end-of-turn special token (eos, <|im_end|>, <|eot_id|>, ...)");
  for (const i of assistants) {
    const found = stopTexts.find((s) => parsed[i]!.content.includes(s));
    if (found !== undefined) throw new ChatError(`messages[${i}].content contains the end-of-turn token text ${JSON.stringify(found)}`);
  }

  // Normalise contents first (Qwen's NFC) so the rendered string is the text the tokens spell out.
  const msgs = parsed.map((m) => ({ role: m.role, content: tokenizer.normalize(m.content) }));
  const template = compile(templateOf(tokenizer, opts));
  const full = render(template, tokenizer, msgs, false, opts.templateKwargs);

  const spans: Array<[number, number]> = [];
  let prevEnd = 0;
  for (const i of assistants) {
    let prompt: string;
    try {
      prompt = render(template, tokenizer, msgs.slice(0, i), true, opts.templateKwargs);
    } catch (e) {
      throw new ChatError(`messages[${i}]: rendering the prompt before this assistant message failed: ${(e as Error).message}`);
    }
    if (!full.startsWith(prompt) || prompt.length < prevEnd) {
      throw new ChatError(
        `messages[${i}]: the template's prompt for this assistant message (messages before it plus the generation prompt) ` +
          "is not a prefix of the rendered conversation, so its tokens cannot be located",
      );
    }
    const start = prompt.length;
    let end = -1;
    for (const s of stopTexts) {
      const at = full.indexOf(s, start);
      if (at >= 0 && (end < 0 || at + s.length < end)) end = at + s.length;
    }
    if (end < 0) throw new ChatError(`messages[${i}]: the template writes no end-of-turn token (${stopTexts.join(", ")}) after this assistant message`);
    spans.push([start, end]);
    prevEnd = end;
  }

  let enc;
  try {
    enc = tokenizer.encodeWithOffsets(full);
  } catch (e) {
    throw new ChatError(`cannot map the rendered conversation back to tokens: ${(e as Error).message}`);
  }
  const { ids, starts, ends } = enc;
  const mask = new Uint8Array(ids.length);
  let s = 0;
  for (let t = 0; t < ids.length && s < spans.length; t++) {
    while (s < spans.length && spans[s]![1] <= starts[t]!) s++;
    if (s < spans.length && ends[t]! > spans[s]![0]) mask[t] = 1;
  }
  // Each turn must end on its end-of-turn special token, or the model would not learn to stop.
  for (let k = 0; k < spans.length; k++) {
    const t = ends.findIndex((e) => e === spans[k]![1]);
    if (t < 0 || mask[t] !== 1 || !tokenizer.stopIds.includes(ids[t]!)) {
      throw new ChatError(`messages[${assistants[k]}]: the end-of-turn text after this assistant message did not tokenize as its special token`);
    }
  }
  return { inputIds: ids, assistantMask: mask };
}

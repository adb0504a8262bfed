// Request bodies of the OpenAI-compatible endpoints the server answers, as zod
// schemas: the fields midtrain honours (vLLM's top_k included), checked with
// OpenAI's ranges; other fields pass through and are ignored, as vLLM does.
import { z } from "zod";

const nullish = <T extends z.ZodType>(t: T) => t.nullable().optional();

const sampling = {
  model: z.string().min(1),
  temperature: nullish(z.number().min(0).max(2)),
  top_p: nullish(z.number().gt(0).max(1)),
  /** vLLM's extension; -1 or 0 = off. */
  top_k: nullish(z.number().int().min(-1)),
  n: nullish(z.number().int().min(1).max(16)),
  stop: nullish(z.union([z.string().min(1), z.array(z.string().min(1)).max(16)])),
  seed: nullish(z.number().int().refine(Number.isSafeInteger, "must be a safe integer")),
  stream: nullish(z.boolean()),
  stream_options: nullish(z.looseObject({ include_usage: nullish(z.boolean()) })),
  // Penalties are not implemented: only their neutral value is accepted, so nothing is silently ignored.
  presence_penalty: nullish(z.literal(0, { error: "is not supported (only 0)" })),
  frequency_penalty: nullish(z.literal(0, { error: "is not supported (only 0)" })),
};

const TextPart = z.object({ type: z.literal("text"), text: z.string() });

export const ChatBodySchema = z.looseObject({
  ...sampling,
  messages: z
    .array(
      z.looseObject({
        // OpenAI's newer "developer" role is the system role under another name.
        role: z.enum(["system", "developer", "user", "assistant"]),
        content: z.union([z.string(), z.array(TextPart)]),
      }),
    )
    .min(1),
  max_tokens: nullish(z.number().int().min(1)),
  max_completion_tokens: nullish(z.number().int().min(1)),
  logprobs: nullish(z.boolean()),
  top_logprobs: nullish(z.number().int().min(0).max(20)),
});
export type ChatBody = z.infer<typeof ChatBodySchema>;

const TokenIds = z.array(z.number().int().min(0)).min(1);

export const CompletionBodySchema = z.looseObject({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).min(1), TokenIds, z.array(TokenIds).min(1)]),
  max_tokens: nullish(z.number().int().min(0)),
  echo: nullish(z.boolean()),
  logprobs: nullish(z.number().int().min(0).max(20)),
  suffix: nullish(z.literal("", { error: "is not supported" })),
});
export type CompletionBody = z.infer<typeof CompletionBodySchema>;

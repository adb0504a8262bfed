// The one face every consumer of a model sees (evals, synth, experiment):
// a local checkpoint served by ONNX Runtime and a remote OpenAI-compatible
// endpoint both implement it, so an eval never cares which it talks to.
import type { ChatMessage } from "../tokenizer/chat.js";

export interface SamplingOptions {
  /** Tokens to generate at most (default 256). */
  maxTokens?: number;
  /** 0 = greedy (default 0). */
  temperature?: number;
  /** Nucleus sampling; 1 = off. */
  topP?: number;
  /** Keep the k most likely tokens; 0 = off. */
  topK?: number;
  /** Stop strings: generation ends before the first one and it is not returned. */
  stop?: string[];
  /** Makes sampling reproducible (per request). */
  seed?: number;
}

export interface ChatRequest extends SamplingOptions {
  messages: ChatMessage[];
}

export interface CompletionRequest extends SamplingOptions {
  prompt: string;
}

export type FinishReason = "stop" | "length";

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

/** One log-likelihood request: score `continuation` given `context` (lm-evaluation-harness semantics). */
export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

export interface LoglikelihoodResult {
  /** Sum of the continuation tokens' log-probabilities (natural log). */
  logprob: number;
  /** Number of continuation tokens scored. */
  tokens: number;
  /** Continuation length in bytes of UTF-8 (for acc_norm-style normalisation). */
  bytes: number;
  /** True when every continuation token is the argmax (lm-eval's is_greedy). */
  isGreedy: boolean;
  /** Each continuation token's log-probability, in order (sums to logprob); absent when the backend cannot say. */
  tokenLogprobs?: number[];
}

export interface LanguageModel {
  /** A name for reports: the checkpoint dir or the remote model id. */
  readonly name: string;
  /** Answers each chat request (the model's chat template applied); batched where possible. */
  chat(requests: ChatRequest[], onToken?: (index: number, text: string) => void): Promise<GenerationResult[]>;
  /** Plain-text continuation of each prompt. */
  complete(requests: CompletionRequest[]): Promise<GenerationResult[]>;
  /** Log-likelihood of each continuation given its context; batched. */
  loglikelihood(requests: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]>;
  close(): Promise<void>;
}

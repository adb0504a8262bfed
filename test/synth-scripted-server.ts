// A real OpenAI-compatible HTTP server (node:http) that answers the synth pipeline's prompts by script:
// it recognises each stage from the prompt, answers with deterministic text derived from the request
// (so distinct prompts give distinct, low-overlap texts), and can be told to fail, stall, return garbage
// or plant near-duplicates. Every request body is recorded.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";

export type Stage = "types" | "ideas" | "doc" | "critique" | "revise" | "questions" | "answer" | "other";

export interface Req {
  stage: Stage;
  user: string;
  system: string;
  seed?: number;
  body: { messages: { role: string; content: string }[]; seed?: number };
}

export interface Reply {
  status?: number;
  text?: string;
  delayMs?: number;
}

export interface Scripted {
  url: string;
  requests: Req[];
  /** Requests per stage so far. */
  count(stage?: Stage): number;
  close(): Promise<void>;
}

const hash = (s: string) => createHash("sha256").update(s).digest();

/** A word list of 4,000 distinct pseudo-words, so generated texts share few shingles by chance. */
const SYL = "ka lo mi ren tas vu pel dor fin gar hu jel ko lan mar nes op qui ris sul".split(" ");
const WORDS: string[] = [];
for (const a of SYL) for (const b of SYL) for (const c of SYL) if (WORDS.length < 4000) WORDS.push(a + b + c);

/** `n` words drawn deterministically from a key. */
export function textFrom(key: string, n: number): string {
  const out: string[] = [];
  let h = hash(key);
  for (let i = 0; out.length < n; i++) {
    if (i % 16 === 0 && i) h = hash(h.toString("hex"));
    out.push(WORDS[h.readUInt16BE((i % 16) * 2) % WORDS.length]!);
  }
  return out.join(" ");
}

export function stageOf(user: string, system: string): Stage {
  if (/further kinds of document/.test(user)) return "types";
  if (/distinct ideas for a/.test(user)) return "ideas";
  if (/different questions that a/.test(user)) return "questions";
  if (/reply exactly NO CHANGES/.test(user)) return "critique";
  if (/^Here is a draft [\s\S]*Rewrite it to fix|Rewrite the answer to fix/.test(user)) return "revise";
  if (/^Write a /.test(user) && /\nIdea: /.test(user)) return "doc";
  if (/^You are a helpful, knowledgeable assistant/.test(system)) return "answer";
  return "other";
}

const listCount = (user: string) => Number(/(?:List|Write) (\d+) /.exec(user)?.[1] ?? 5);

/** The default, well-behaved answer for each stage. */
export function goodAnswer(r: Req): string {
  const key = r.user + "|" + (r.seed ?? "");
  switch (r.stage) {
    case "types":
      return ["Here are some more kinds:", ...Array.from({ length: listCount(r.user) }, (_, i) => `${i + 1}. kind ${textFrom(key + i, 2)}: a document of kind ${i}`)].join("\n");
    case "ideas":
      return Array.from({ length: listCount(r.user) }, (_, i) => `${i + 1}. An idea about ${textFrom(key + "idea" + i, 8)}.`).join("\n");
    case "questions":
      return Array.from({ length: listCount(r.user) }, (_, i) => `- How should I handle ${textFrom(key + "q" + i, 7)}?`).join("\n");
    case "doc":
    case "revise":
      return textFrom(key, 200);
    case "answer":
      return textFrom(key, 80);
    case "critique":
      // About half the drafts need no changes.
      return hash(key)[0]! % 2 ? "NO CHANGES" : "1. The second paragraph lectures the reader.";
    default:
      return "ok";
  }
}

/** Starts a server whose answers come from `script` (default: goodAnswer with status 200). */
export async function scriptedServer(script: (r: Req, n: number) => Reply = () => ({})): Promise<Scripted> {
  const requests: Req[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw) as Req["body"];
      const user = [...body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const system = body.messages.find((m) => m.role === "system")?.content ?? "";
      const r: Req = { stage: stageOf(user, system), user, system, ...(body.seed !== undefined ? { seed: body.seed } : {}), body };
      requests.push(r);
      const a = script(r, requests.length);
      const text = a.text ?? goodAnswer(r);
      setTimeout(() => {
        const status = a.status ?? 200;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            status === 200
              ? { id: "x", object: "chat.completion", created: 0, model: "scripted", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }] }
              : { error: { message: `scripted ${status}` } },
          ),
        );
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    count: (stage) => (stage ? requests.filter((r) => r.stage === stage).length : requests.length),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

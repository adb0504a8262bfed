// A real OpenAI-compatible chat server (node:http, 127.0.0.1, a free port) for the tests of the graders and
// judges: every POST is a chat completion answered by the test's own rule; GET .../models lists `models`.
// (test/endpoint.test.ts keeps its own server: it scripts status codes and counts requests in flight.)
import { createServer } from "node:http";

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
}

export interface ChatServer {
  /** Base URL up to and including /v1. */
  url: string;
  close(): void;
}

/** `answer` gives the reply text, or the text and a delay in ms before it is sent. */
export async function startChatServer(answer: (body: ChatBody) => string | { text: string; delayMs: number }, o: { models?: string[] } = {}): Promise<ChatServer> {
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      if (req.method === "GET" && req.url?.endsWith("/models")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: (o.models ?? []).map((id) => ({ id, object: "model", created: 0, owned_by: "test" })) }));
        return;
      }
      const body = JSON.parse(raw) as ChatBody;
      const a = answer(body);
      const { text, delayMs } = typeof a === "string" ? { text: a, delayMs: 0 } : a;
      const send = () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "x", object: "chat.completion", created: 0, model: body.model,
            choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

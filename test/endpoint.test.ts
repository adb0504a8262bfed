import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ChatEndpoint, EndpointError } from "../src/infer/endpoint.js";

interface Scripted { server: Server; url: string; bodies: unknown[]; inFlightMax: number }

/** A real HTTP server that answers chat completions by a script. */
async function scripted(answer: (body: { messages: { content: string }[] }, n: number) => { status: number; body: unknown; delayMs?: number }): Promise<Scripted> {
  const s: Scripted = { server: undefined as unknown as Server, url: "", bodies: [], inFlightMax: 0 };
  let inFlight = 0;
  s.server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw);
      s.bodies.push(body);
      inFlight++;
      s.inFlightMax = Math.max(s.inFlightMax, inFlight);
      const a = answer(body, s.bodies.length);
      setTimeout(() => {
        inFlight--;
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(JSON.stringify(a.body));
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => s.server.listen(0, "127.0.0.1", r));
  const port = (s.server.address() as { port: number }).port;
  s.url = `http://127.0.0.1:${port}/v1`;
  return s;
}

const reply = (text: string) => ({ id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }] });

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});

describe("ChatEndpoint", () => {
  it("answers, caches by content across instances, and skips a torn cache line", async () => {
    const s = await scripted((b) => ({ status: 200, body: reply(`echo:${b.messages[0]!.content}`) }));
    servers.push(s.server);
    const cacheFile = join(mkdtempSync(join(tmpdir(), "mt-ep-")), "cache.jsonl");
    const a = new ChatEndpoint({ baseURL: s.url, model: "m", cacheFile });
    expect(await a.chat([{ role: "user", content: "hi" }])).toBe("echo:hi");
    expect(await a.chat([{ role: "user", content: "hi" }])).toBe("echo:hi");
    expect(await a.chat([{ role: "user", content: "hi" }], { sample: 1 })).toBe("echo:hi");
    expect(s.bodies.length).toBe(2); // the repeat came from the cache; sample=1 is a new key
    appendFileSync(cacheFile, '{"key":"torn');
    const b = new ChatEndpoint({ baseURL: s.url, model: "m", cacheFile });
    expect(await b.chat([{ role: "user", content: "hi" }])).toBe("echo:hi");
    expect(b.hits).toBe(1);
    expect(s.bodies.length).toBe(2);
    expect(readFileSync(cacheFile, "utf8").split("\n").filter((l) => l.startsWith('{"key":"') && l.endsWith("}")).length).toBe(2);
  });

  it("retries server errors and bounds concurrency", async () => {
    const s = await scripted((b, n) => (n <= 2 ? { status: 503, body: { error: { message: "busy" } } } : { status: 200, body: reply(b.messages[0]!.content.toUpperCase()), delayMs: 30 }));
    servers.push(s.server);
    const ep = new ChatEndpoint({ baseURL: s.url, model: "m", concurrency: 3, maxRetries: 3 });
    const words = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const out = await Promise.all(words.map((w) => ep.chat([{ role: "user", content: w }])));
    expect(out).toEqual(words.map((w) => w.toUpperCase()));
    expect(s.inFlightMax).toBeLessThanOrEqual(3);
    expect(s.bodies.length).toBe(words.length + 2);
  });

  it("names the endpoint when it is down or answers garbage", async () => {
    const down = new ChatEndpoint({ baseURL: "http://127.0.0.1:9/v1", model: "m", maxRetries: 0, timeoutMs: 2000 });
    await expect(down.chat([{ role: "user", content: "x" }])).rejects.toThrow(/127\.0\.0\.1:9/);
    const s = await scripted(() => ({ status: 200, body: { choices: [] } }));
    servers.push(s.server);
    const bad = new ChatEndpoint({ baseURL: s.url, model: "m", maxRetries: 0 });
    await expect(bad.chat([{ role: "user", content: "x" }])).rejects.toBeInstanceOf(EndpointError);
    expect(() => new ChatEndpoint({ baseURL: "ftp://x", model: "m" })).toThrow(/http/);
  });
});

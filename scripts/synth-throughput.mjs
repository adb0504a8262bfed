#!/usr/bin/env node
// Is midtrain's synth pipeline the bottleneck? Runs `synth docs` (built dist/) against an endpoint, then
// replays exactly the requests it sent with a bare client at the same concurrency (no stages, no ordering,
// no dedup, no cache), and prints both rates as JSON.
//   node scripts/synth-throughput.mjs scripted [--latency-ms 50] [--concurrency 16] [--count 300]
//        a scripted OpenAI-compatible server in a child process answers every request after a fixed latency;
//        the ceiling is concurrency / latency requests a second.
//   node scripts/synth-throughput.mjs endpoint --url URL --model NAME [--concurrency 8] [--count 20] [--max-tokens 64]
//        any endpoint, e.g. `midtrain serve`.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

const words = (key, n) => {
  const out = [];
  let h = createHash("sha256").update(key).digest();
  for (let i = 0; out.length < n; i++) {
    if (i % 16 === 0 && i) h = createHash("sha256").update(h).digest();
    out.push("w" + h.readUInt16BE((i % 16) * 2).toString(36));
  }
  return out.join(" ");
};

if (mode === "serve-scripted") {
  // The child: answers each stage's prompt after --latency-ms.
  const latency = Number(opt("latency-ms", "50"));
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw);
      const user = body.messages.at(-1).content;
      const key = user + (body.seed ?? "");
      const n = Number(/(?:List|Write) (\d+) /.exec(user)?.[1] ?? 5);
      const text = /distinct ideas|further kinds|different questions/.test(user)
        ? Array.from({ length: n }, (_, i) => `${i + 1}. item ${words(key + i, 8)}: an item`).join("\n")
        : /reply exactly NO CHANGES/.test(user)
          ? "NO CHANGES"
          : words(key, 400);
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }] }));
      }, latency);
    });
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
} else if (mode === "scripted" || mode === "endpoint") {
  const concurrency = Number(opt("concurrency", mode === "scripted" ? "16" : "8"));
  const count = Number(opt("count", mode === "scripted" ? "300" : "20"));
  const maxTokens = Number(opt("max-tokens", "2000"));
  let url = opt("url"), model = opt("model", "scripted"), child;
  if (mode === "scripted") {
    child = spawn(process.execPath, [process.argv[1], "serve-scripted", "--latency-ms", opt("latency-ms", "50")], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise((r) => child.stdout.once("data", (d) => r(String(d).trim())));
    url = `http://127.0.0.1:${port}/v1`;
  }
  const { ChatEndpoint } = await import("../dist/infer/endpoint.js");
  const { Caller, newStats } = await import("../dist/synth/llm-pipeline.js");
  const { synthDocs } = await import("../dist/synth/llm-docs.js");
  const { loadSpec } = await import("../dist/synth/spec.js");
  const dir = mkdtempSync(join(tmpdir(), "mt-synth-tp-"));
  const spec = join(dir, "spec.yaml");
  // The shipped spec's shape, without critique (one call per document) and with a small max_tokens for slow local models.
  writeFileSync(
    spec,
    `value: Animals matter.\nnorms: {A: [a1, a2, a3], B: [b1, b2, b3]}\ndocument_types: [memo, report, abstract, agenda, manual]\nstyle_rules: [Never lecture.]\nideas_per_type: 10\n` +
      `length: {min_words: 1, max_words: 100000}\nsampling: {temperature: 1.0, max_tokens: ${maxTokens}}\nretries: 0\n`,
  );
  const ep = new ChatEndpoint({ baseURL: url, model, concurrency, maxRetries: 2, cacheFile: join(dir, "cache.jsonl") });
  const sent = [];
  const chat = ep.chat.bind(ep);
  ep.chat = (messages, o) => {
    if (ep.cached(messages, o) === undefined) sent.push([messages, o]);
    return chat(messages, o);
  };
  const t0 = performance.now();
  const r = await synthDocs({ spec: loadSpec(spec), caller: new Caller(ep, newStats()), count, out: join(dir, "docs.jsonl"), seed: 1, window: 2 * concurrency });
  const pipeS = (performance.now() - t0) / 1000;
  // The bare client: the same requests, `concurrency` at a time, nothing else.
  const n = sent.length;
  const bare = new ChatEndpoint({ baseURL: url, model, concurrency, maxRetries: 2 });
  const t1 = performance.now();
  await Promise.all(sent.map(([m, o]) => bare.chat(m, o)));
  const bareS = (performance.now() - t1) / 1000;
  const latency = Number(opt("latency-ms", "50"));
  process.stdout.write(
    JSON.stringify({
      mode,
      url,
      concurrency,
      documents: r.total,
      complete: r.complete,
      calls: n,
      pipeline_s: +pipeS.toFixed(2),
      pipeline_calls_per_s: +(n / pipeS).toFixed(1),
      bare_client_calls_per_s: +(n / bareS).toFixed(1),
      ...(mode === "scripted" ? { ceiling_calls_per_s: +((1000 * concurrency) / latency).toFixed(1) } : {}),
      docs_per_s: +(r.total / pipeS).toFixed(2),
    }) + "\n",
  );
  child?.kill();
} else {
  process.stderr.write("usage: synth-throughput.mjs scripted|endpoint [options] (see the comment at the top)\n");
  process.exit(2);
}

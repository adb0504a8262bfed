// `midtrain generate`, `midtrain serve` and `midtrain bench infer` as real
// processes (node dist/cli/main.js; `npx tsc -p .` builds it): output, exit
// codes, SIGTERM with a request in flight, a read-only checkpoint.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { openLocalModel } from "../src/infer/local-model.js";
import { freshSeed } from "./reference/random.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (args: string[], o: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000, ...o });
const seed = freshSeed();

describe(`inference commands (seed ${seed})`, () => {
  let dir: string;
  beforeAll(() => {
    dir = tinyCheckpoint(seed).dir;
  });

  it("generate streams the greedy chat reply to stdout, or prints one JSON object; bad input exits non-zero naming it", async () => {
    const lm = await openLocalModel(dir, { device: "cpu" });
    const [want] = await lm.chat([{ messages: [{ role: "system", content: "Be kind." }, { role: "user", content: "Hi there" }], maxTokens: 9 }]);
    await lm.close();
    const plain = run(["generate", "--model", dir, "--system", "Be kind.", "--prompt", "Hi there", "--max-tokens", "9", "--device", "cpu"]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(want!.text + "\n");
    expect(plain.stderr).toMatch(/onnxruntime: CPU execution provider/);
    expect(plain.stderr).toMatch(/generate: \d+ tokens in/);
    const json = run(["generate", "--model", dir, "--system", "Be kind.", "--prompt", "Hi there", "--max-tokens", "9", "--device", "cpu", "--json"]);
    expect(json.status, json.stderr).toBe(0);
    const o = JSON.parse(json.stdout);
    expect(o.results).toEqual([{ text: want!.text, finish_reason: want!.finishReason, prompt_tokens: want!.promptTokens, completion_tokens: want!.completionTokens }]);

    const bad = run(["generate", "--model", dir, "--prompt", "x", "--temperature", "-2", "--device", "cpu"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/temperature: .*\(got -2\)/);
    const missing = run(["generate", "--model", join(dir, "nope"), "--prompt", "x"]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`${join(dir, "nope")}: not a checkpoint directory`);
  });

  it("serve answers, then on SIGTERM finishes the request in flight, refuses new ones and exits 0", async () => {
    const p = spawn(process.execPath, [cli, "serve", "--model", dir, "--port", "0", "--served-model-name", "t", "--json", "--device", "cpu"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    p.stderr.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: p.stdout }).once("line", resolve);
      p.once("exit", () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const { url, model } = JSON.parse(first);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(model).toBe("t");
    const models = await (await fetch(`${url}/models`)).json();
    expect(models.data[0].id).toBe("t");
    // A long streamed request; SIGTERM once its first event arrived, so it is surely in flight.
    const res = await fetch(`${url}/completions`, { method: "POST", body: JSON.stringify({ model: "t", prompt: "go on", max_tokens: 300, temperature: 0, stream: true }) });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let body = new TextDecoder().decode((await reader.read()).value);
    p.kill("SIGTERM");
    for (let c = await reader.read(); !c.done; c = await reader.read()) body += new TextDecoder().decode(c.value);
    expect(body).toMatch(/"finish_reason":"(length|stop)"/);
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: no new connections; finishing 1 request\(s\) in flight/);
    expect(stderr).toMatch(/serve: stopped/);
    await expect(fetch(`${url}/models`)).rejects.toThrow();
  });

  it("bench infer --json reports prefill, decode and the recompute baseline for each batch size", () => {
    const r = run(["bench", "infer", "--preset", "tiny", "--batches", "1", "3", "--prompt-tokens", "16", "--gen-tokens", "8", "--reps", "1", "--device", "cpu", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.provider).toMatch(/^onnxruntime: CPU execution provider/);
    expect(o.rows.map((x: { batch: number }) => x.batch)).toEqual([1, 3]);
    for (const x of o.rows) {
      expect([x.prompt_tokens, x.gen_tokens]).toEqual([16, 8]);
      for (const k of ["prefill_tokens_per_s", "decode_tokens_per_s", "generate_ms", "recompute_ms"]) expect(x[k], k).toBeGreaterThan(0);
      expect(x.speedup).toBeCloseTo(x.recompute_ms / x.generate_ms, 9);
    }
    const bad = run(["bench", "infer", "--preset", "tiny", "--batches", "0"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--batch values must be positive integers, got 0/);
  });

  it("exports a read-only checkpoint into $MIDTRAIN_CACHE (run as an unprivileged user)", (t) => {
    // Root ignores mode bits, so the command runs as nobody (only root can switch users; others test as themselves).
    const asNobody = process.getuid?.() === 0;
    const ck = tinyCheckpoint(seed + 1, { max_position_embeddings: 64 }).dir;
    const cache = mkdtempSync(join(tmpdir(), "midtrain-cache-"));
    chmodSync(cache, 0o777);
    chmodSync(ck, 0o555);
    if (process.getuid === undefined) t.skip(); // no POSIX users (Windows)
    const r = run(["generate", "--model", ck, "--prompt", "hi", "--max-tokens", "3", "--device", "cpu"], {
      ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
      env: { ...process.env, MIDTRAIN_CACHE: cache, HOME: cache },
    });
    chmodSync(ck, 0o755);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/is not writable; using .*midtrain-cache-.*\/onnx\/[0-9a-f]{16}/);
    expect(existsSync(join(ck, "onnx"))).toBe(false);
  });
});

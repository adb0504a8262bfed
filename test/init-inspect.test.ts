// `midtrain init` and `midtrain inspect` end to end, as real processes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { loadCheckpoint } from "../src/model/checkpoint.js";
// @ts-expect-error: a plain .mjs script without types
import { writeGpt2Tokenizer } from "../scripts/make-gpt2-tokenizer.mjs";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-init-"));

describe("midtrain init / inspect", () => {
  const tok = tmp();
  (writeGpt2Tokenizer as (d: string) => void)(tok);

  it("writes an HF-layout checkpoint that loads back bit-exactly as the seeded init", () => {
    const out = join(tmp(), "ckpt");
    const r = run("init", "--preset", "tiny", "--out", out, "--tokenizer", join(tok, "tokenizer.json"), "--seed", "7", "--json");
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.vocab_size).toBe(50257); // the tokenizer decides the vocabulary
    expect(readdirSync(out).sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(config).toMatchObject({ architectures: ["LlamaForCausalLM"], vocab_size: 50257, hidden_size: 128, torch_dtype: "float32", eos_token_id: 50256 });
    const { model } = loadCheckpoint(out);
    const ref = new Model(config);
    ref.initWeights(7, 0.02);
    // Byte comparison: vitest's deep equality takes seconds on 6M-element arrays.
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const n of ref.paramNames()) expect(bytes(model.getParam(n)).equals(bytes(ref.getParam(n))), n).toBe(true);

    const i = run("inspect", out, "--json");
    expect(i.status, i.stderr).toBe(0);
    const s = JSON.parse(i.stdout);
    expect(s).toMatchObject({ architecture: "LlamaForCausalLM", layers: 4, vocab_size: 50257, tied_embeddings: true, dtypes: { F32: 4 * 9 + 2 } });
    expect(s.params).toBe(model.numParams());
    expect(s.tokenizer).toMatchObject({ vocab_size: 50257, eos: "<|endoftext|>" });
    const human = run("inspect", out);
    expect(human.stdout).toMatch(/LlamaForCausalLM.*\n.*parameters/);
  });

  it("refuses bad input clearly and writes nothing", () => {
    const out = join(tmp(), "x");
    const r1 = run("init", "--preset", "nope", "--out", out, "--tokenizer", tok);
    expect(r1.status).not.toBe(0);
    expect(r1.stderr).toMatch(/unknown preset 'nope'/);
    const r2 = run("init", "--preset", "llama-1b", "--out", out);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/preset 'llama-1b' has no built-in tokenizer; pass --tokenizer/);
    const r3 = run("init", "--preset", "tiny", "--out", out, "--tokenizer", "/nonexistent/tokenizer.json");
    expect(r3.stderr).toMatch(/no such file/);
    const notEmpty = tmp();
    writeFileSync(join(notEmpty, "keep.txt"), "precious");
    const r4 = run("init", "--preset", "tiny", "--out", notEmpty, "--tokenizer", tok);
    expect(r4.status).not.toBe(0);
    expect(r4.stderr).toMatch(/not empty/);
    expect(readdirSync(notEmpty)).toEqual(["keep.txt"]);
    const r5 = run("inspect", tmp());
    expect(r5.status).not.toBe(0);
    expect(r5.stderr).toMatch(/config\.json: cannot read/);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors } from "../src/model/safetensors.js";

const dir = mkdtempSync(join(tmpdir(), "midtrain-safetensors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tmpFile = (name: string) => join(dir, `${counter++}-${name}.safetensors`);

/** a file from a raw header object and a data region of `dataLength` bytes */
function craft(name: string, header: unknown, dataLength: number, pad = 0): string {
  const json = Buffer.from(JSON.stringify(header) + " ".repeat(pad));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const path = tmpFile(name);
  writeFileSync(path, Buffer.concat([len, json, Buffer.alloc(dataLength)]));
  return path;
}

function expectError(path: string, pattern: RegExp, tensor?: string): void {
  let caught: unknown;
  try {
    readSafetensors(path);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  const err = caught as SafetensorsError;
  expect(err.file).toBe(path);
  expect(err.message).toContain(path);
  expect(err.message).toMatch(pattern);
  if (tensor !== undefined) {
    expect(err.tensor).toBe(tensor);
    expect(err.message).toContain(`'${tensor}'`);
  }
}

function u16At(path: string, name: string): number[] {
  const h = readSafetensorsHeader(path);
  const e = h.entries.find((x) => x.name === name)!;
  const bytes = readFileSync(path).subarray(h.dataStart + e.begin, h.dataStart + e.end);
  return Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16LE(2 * i));
}

describe("safetensors round trip", () => {
  it("writes and reads back every dtype, odd shapes and metadata", () => {
    const path = tmpFile("roundtrip");
    const f32 = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.sin(i) * 10 ** (i % 5)));
    const ints = Int32Array.from([0, -1, 2147483647, -2147483648, 42, 7]);
    const exactHalf = Float32Array.from([0, 1, -2.5, 0.125, 1024, -65504, 2 ** -24]);
    const exactBf16 = Float32Array.from([0, 1, -2.5, 0.125, 3.0e38, 2 ** -130].map((x) => {
      const u = new Uint32Array(Float32Array.of(x).buffer)[0]! & 0xffff0000;
      return new Float32Array(Uint32Array.of(u).buffer)[0]!;
    }));
    const metadata = { format: "pt", config: JSON.stringify({ hidden_size: 64 }), "ünïcode": "välue" };
    writeSafetensors(path, {
      "b.f32": { shape: [3, 4], data: f32 },
      "a.ids": { shape: [2, 3], data: ints },
      "c.f64": { dtype: "F64", shape: [12], data: f32 },
      "d.bf16": { dtype: "BF16", shape: [6], data: exactBf16 },
      "e.f16": { dtype: "F16", shape: [7, 1], data: exactHalf },
      "f.scalar": { shape: [], data: Float32Array.of(3.5) },
      "g.empty": { shape: [0, 5], data: new Float32Array(0) },
    }, metadata);

    const raw = readFileSync(path);
    expect((8 + Number(raw.readBigUInt64LE(0))) % 8).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const { tensors, metadata: meta } = readSafetensors(path);
    expect(meta).toEqual(metadata);
    // file order: widest dtype first, then by name, so each tensor is aligned to its element size
    expect([...tensors.keys()]).toEqual(["c.f64", "a.ids", "b.f32", "f.scalar", "g.empty", "d.bf16", "e.f16"]);
    for (const e of readSafetensorsHeader(path).entries) expect(e.begin % (e.dtype === "F64" ? 8 : e.dtype.endsWith("16") ? 2 : 4)).toBe(0);
    const get = (n: string) => tensors.get(n)!;
    expect(get("a.ids")).toEqual({ dtype: "I32", shape: [2, 3], data: ints });
    expect(get("a.ids").data).toBeInstanceOf(Int32Array);
    expect(get("b.f32")).toEqual({ dtype: "F32", shape: [3, 4], data: f32 });
    expect(get("c.f64").dtype).toBe("F64");
    expect(get("c.f64").data).toEqual(f32);
    expect(get("c.f64").data).toBeInstanceOf(Float32Array);
    expect(get("d.bf16").data).toEqual(exactBf16);
    expect(get("e.f16")).toEqual({ dtype: "F16", shape: [7, 1], data: exactHalf });
    expect(get("f.scalar")).toEqual({ dtype: "F32", shape: [], data: Float32Array.of(3.5) });
    expect(get("g.empty").shape).toEqual([0, 5]);
    expect(get("g.empty").data.length).toBe(0);
  });

  it("rounds to nearest even when narrowing to F16 and BF16", () => {
    const path = tmpFile("rounding");
    // expected F16 bits checked against numpy's float32 -> float16 cast
    const halfIn = [1, -2.5, 65504, 65520, 1e-8, 2 ** -24, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -0, 2 ** -25, 65519, 6.1e-5];
    const halfBits = [0x3c00, 0xc100, 0x7bff, 0x7c00, 0x0, 0x1, 0x2, 0x3c00, 0x3c02, 0x8000, 0x0, 0x7bff, 0x3ff];
    const bfIn = [1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -Infinity, NaN, 3.4028234663852886e38];
    const bfBits = [0x3f80, 0x3f80, 0x3f82, 0x3f81, 0xff80, 0x7fc0, 0x7f80];
    writeSafetensors(path, {
      h: { dtype: "F16", shape: [halfIn.length], data: Float32Array.from(halfIn) },
      b: { dtype: "BF16", shape: [bfIn.length], data: Float32Array.from(bfIn) },
    });
    expect(u16At(path, "h")).toEqual(halfBits);
    expect(u16At(path, "b")).toEqual(bfBits);
    const back = readSafetensors(path).tensors;
    expect(Array.from(back.get("h")!.data.slice(0, 4))).toEqual([1, -2.5, 65504, Infinity]);
    expect(Number.isNaN(back.get("b")!.data[5])).toBe(true);
  });

  it("overwrites atomically and accepts a Map", () => {
    const path = tmpFile("overwrite");
    writeSafetensors(path, new Map([["x", { shape: [2], data: Float32Array.of(1, 2) }]]));
    writeSafetensors(path, new Map([["y", { shape: [1], data: Int32Array.of(9) }]]), { k: "v" });
    const f = readSafetensors(path);
    expect([...f.tensors.keys()]).toEqual(["y"]);
    expect(f.metadata).toEqual({ k: "v" });
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("rejects bad input to the writer, naming file and tensor", () => {
    const path = tmpFile("badwrite");
    expect(() => writeSafetensors(path, { w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/'w'.*needs 4 elements/);
    expect(() => writeSafetensors(path, { w: { dtype: "I32", shape: [1], data: new Float32Array(1) } })).toThrow(/Int32Array/);
    expect(() => writeSafetensors(path, { w: { dtype: "Q4" as never, shape: [1], data: new Float32Array(1) } })).toThrow(/unknown dtype/);
    expect(() => writeSafetensors(path, { __metadata__: { shape: [1], data: new Float32Array(1) } })).toThrow(/invalid tensor name/);
    expect(readdirSync(dir).filter((n) => n.includes("badwrite"))).toEqual([]);
  });
});

describe("safetensors fixtures", () => {
  it("reads the committed llama-gqa fixture", () => {
    const path = fileURLToPath(new URL("./fixtures/llama-gqa.safetensors", import.meta.url));
    const { tensors, metadata } = readSafetensors(path);
    const config = JSON.parse(metadata.config!);
    expect(config).toMatchObject({
      architectures: ["LlamaForCausalLM"], model_type: "llama", vocab_size: 96, hidden_size: 64,
      intermediate_size: 160, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16,
      tie_word_embeddings: false, rope_scaling: { rope_type: "llama3", factor: 8 },
    });
    for (const key of ["loss", "losses", "grad_norms", "optimizer"]) expect(metadata[key]).toBeDefined();
    expect(JSON.parse(metadata.losses!)).toHaveLength(3);
    expect(Number(metadata.loss)).toBeCloseTo(JSON.parse(metadata.losses!)[0], 12);
    expect(JSON.parse(metadata.optimizer!)).toMatchObject({ lr: 0.01, grad_clip: 1, weight_decay: 0.1 });

    for (const n of ["input_ids", "labels", "position_ids", "segment_ids"]) {
      expect(tensors.get(n)!.dtype).toBe("I32");
      expect(tensors.get(n)!.shape).toEqual([2, 24]);
    }
    expect(tensors.get("logits")!.shape).toEqual([2, 24, 96]);
    const h = config.hidden_size, d = config.head_dim, kv = config.num_key_value_heads * d;
    const shapes: Record<string, number[]> = {
      "model.embed_tokens.weight": [96, h],
      "lm_head.weight": [96, h],
      "model.norm.weight": [h],
      "model.layers.1.self_attn.q_proj.weight": [4 * d, h],
      "model.layers.1.self_attn.k_proj.weight": [kv, h],
      "model.layers.1.self_attn.o_proj.weight": [h, 4 * d],
      "model.layers.0.mlp.down_proj.weight": [h, 160],
      "model.layers.0.input_layernorm.weight": [h],
    };
    for (const [name, shape] of Object.entries(shapes))
      for (const prefix of ["param.", "grad.", "step3."]) {
        const t = tensors.get(prefix + name);
        expect(t, prefix + name).toBeDefined();
        expect(t!.dtype).toBe("F32");
        expect(t!.shape).toEqual(shape);
      }
    // every param has a grad and a step3 twin
    const params = [...tensors.keys()].filter((n) => n.startsWith("param.")).map((n) => n.slice(6));
    expect(params).toHaveLength(2 + 1 + 2 * 9);
    for (const p of params) {
      expect(tensors.has("grad." + p)).toBe(true);
      expect(tensors.has("step3." + p)).toBe(true);
    }
  });
});

describe("safetensors validation", () => {
  const good = () => {
    const path = tmpFile("good");
    writeSafetensors(path, { a: { shape: [2, 3], data: new Float32Array(6) }, b: { shape: [4], data: new Int32Array(4) } }, { k: "v" });
    return path;
  };

  it("truncated file", () => {
    const path = good();
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    expectError(path, /data_offsets .* run past the data region/, "b");
    writeFileSync(path, bytes.subarray(0, 5));
    expectError(path, /too short/);
    writeFileSync(path, bytes.subarray(0, 20));
    expectError(path, /header length \d+ exceeds/);
  });

  it("bad header length", () => {
    const path = good();
    const bytes = Buffer.from(readFileSync(path));
    bytes.writeBigUInt64LE(0xffffffffffffffffn, 0);
    writeFileSync(path, bytes);
    expectError(path, /header length 18446744073709551615 exceeds/);
    bytes.writeBigUInt64LE(3n, 0);
    writeFileSync(path, bytes);
    expectError(path, /not valid JSON/);
  });

  it("overlapping offsets", () => {
    const path = craft("overlap", {
      a: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
      b: { dtype: "F32", shape: [4], data_offsets: [8, 24] },
    }, 24);
    expectError(path, /overlap tensor 'a'/, "b");
  });

  it("gaps and uncovered bytes", () => {
    expectError(craft("gap", { a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, 8), /gap in the data region/, "a");
    expectError(craft("trailing", { a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, 8), /data region is 8 bytes but the tensors cover 4/);
  });

  it("wrong byte length", () => {
    const path = craft("bytelen", { w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 20] } }, 20);
    expectError(path, /byte length 20 != 24/, "w");
  });

  it("unknown dtype", () => {
    const path = craft("dtype", { w: { dtype: "Q8_0", shape: [4], data_offsets: [0, 4] } }, 4);
    expectError(path, /unknown dtype "Q8_0"/, "w");
  });

  it("malformed entries and headers", () => {
    expectError(craft("nodtype", { w: { shape: [1], data_offsets: [0, 4] } }, 4), /missing 'dtype'/, "w");
    expectError(craft("noshape", { w: { dtype: "F32", data_offsets: [0, 4] } }, 4), /'shape'/, "w");
    expectError(craft("negshape", { w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4), /non-negative integers/, "w");
    expectError(craft("nooffsets", { w: { dtype: "F32", shape: [1] } }, 4), /'data_offsets'/, "w");
    expectError(craft("badoffsets", { w: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, 4), /invalid data_offsets/, "w");
    expectError(craft("notobject", [1, 2], 0), /not a JSON object/);
    expectError(craft("badmeta", { __metadata__: { n: 3 } }, 0), /__metadata__ value 'n' is not a string/);
    expectError(join(dir, "missing.safetensors"), /cannot open/);
  });

  it("accepts header padding and an empty file", () => {
    const path = craft("padded", { __metadata__: { a: "b" }, w: { dtype: "I32", shape: [1], data_offsets: [0, 4] } }, 4, 7);
    expect(readSafetensors(path).metadata).toEqual({ a: "b" });
    expect(readSafetensors(craft("empty", {}, 0)).tensors.size).toBe(0);
  });
});

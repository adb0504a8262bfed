// safetensors files: read with full header validation, write atomically.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON header
// ({"__metadata__": {string: string}, name: {dtype, shape, data_offsets: [begin, end]}, ...}),
// then the data region; offsets are relative to the data region, which the tensors must cover
// exactly, without overlaps or gaps. All data is little-endian.
//
// Reading converts F64/BF16/F16 to Float32Array; F32 stays Float32Array and I32 Int32Array.
// The header is parsed and validated before any tensor data is read (see readSafetensorsHeader),
// so a streaming or sharded loader can build on the same pieces.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { withAtomicFile, writeAll } from "./atomic-file.js";

export type DType = "F32" | "I32" | "F64" | "BF16" | "F16";
export type TensorData = Float32Array | Int32Array;

export interface Tensor {
  /** dtype on disk (data is converted: F64/BF16/F16 arrive as Float32Array) */
  dtype: DType;
  shape: number[];
  data: TensorData;
}

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** byte offsets within the data region, [begin, end) */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** entries in file order (ascending offsets) */
  entries: TensorEntry[];
  metadata: Record<string, string>;
  /** absolute file offset of the data region */
  dataStart: number;
}

export interface SafetensorsFile {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** A tensor to write. dtype defaults to F32 for Float32Array data and I32 for Int32Array data;
 *  Float32Array data may also be written as F64, BF16 (round to nearest even) or F16. */
export interface TensorInput {
  dtype?: DType;
  shape: readonly number[];
  /** The data, or a function that produces it when the writer reaches this
   *  tensor, so a large model is streamed one tensor at a time (F32 when the
   *  dtype is not given). */
  data: TensorData | (() => TensorData);
}

export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly tensor?: string,
  ) {
    super(`${file}: ${tensor !== undefined ? `tensor '${tensor}': ` : ""}${message}`);
    this.name = "SafetensorsError";
  }
}

// ---------------------------------------------------------------------------------------------
// dtype codecs

interface Codec {
  size: number;
  /** bytes (exactly n * size, little-endian) -> array of n elements */
  decode(bytes: Uint8Array, n: number): TensorData;
  /** array -> little-endian bytes */
  encode(data: TensorData): Uint8Array;
  accepts: "f32" | "i32";
}

if (endianness() !== "LE") throw new Error("safetensors.ts assumes a little-endian host");

/** The bytes as an ArrayBuffer region aligned for `size`-byte elements: in place when
 *  they already are (no copy), else copied into a fresh buffer. */
function alignedView(bytes: Uint8Array, size: number): { buffer: ArrayBuffer; offset: number } {
  if (bytes.byteOffset % size === 0 && bytes.buffer instanceof ArrayBuffer) return { buffer: bytes.buffer, offset: bytes.byteOffset };
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  return { buffer: buf, offset: 0 };
}

function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function f32ToBf16(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0]!;
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40; // NaN stays a (quiet) NaN
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16; // round to nearest even
}

export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function f32ToF16(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15; // rebiased exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    // subnormal half (or zero): value = m * 2^-24 with m = full mantissa >> (14 - e)
    if (e < -10) return sign; // below half of the smallest subnormal
    const full = mant | 0x800000;
    const shift = 14 - e;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && m & 1)) m++;
    return sign | m; // a carry into the exponent field is still the right encoding
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // may carry up to inf: correct
  return sign | h;
}

const CODECS: Record<DType, Codec> = {
  F32: {
    size: 4,
    accepts: "f32",
    decode: (b, n) => {
      const a = alignedView(b, 4);
      return new Float32Array(a.buffer, a.offset, n);
    },
    encode: bytesOf,
  },
  I32: {
    size: 4,
    accepts: "i32",
    decode: (b, n) => {
      const a = alignedView(b, 4);
      return new Int32Array(a.buffer, a.offset, n);
    },
    encode: bytesOf,
  },
  F64: {
    size: 8,
    accepts: "f32",
    decode: (b, n) => {
      const a = alignedView(b, 8);
      return Float32Array.from(new Float64Array(a.buffer, a.offset, n));
    },
    encode: (d) => new Uint8Array(Float64Array.from(d).buffer),
  },
  BF16: {
    size: 2,
    accepts: "f32",
    decode: (b, n) => {
      const a = alignedView(b, 2);
      const src = new Uint16Array(a.buffer, a.offset, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]! << 16;
      return new Float32Array(out.buffer);
    },
    encode: (d) => {
      const out = new Uint16Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = f32ToBf16(d[i]!);
      return new Uint8Array(out.buffer);
    },
  },
  F16: {
    size: 2,
    accepts: "f32",
    decode: (b, n) => {
      const a = alignedView(b, 2);
      const src = new Uint16Array(a.buffer, a.offset, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16ToF32(src[i]!);
      return out;
    },
    encode: (d) => {
      const out = new Uint16Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = f32ToF16(d[i]!);
      return new Uint8Array(out.buffer);
    },
  },
};

export const SUPPORTED_DTYPES = Object.keys(CODECS) as DType[];

function isDType(s: unknown): s is DType {
  return typeof s === "string" && Object.prototype.hasOwnProperty.call(CODECS, s);
}

export function dtypeSize(dtype: DType): number {
  return CODECS[dtype].size;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// ---------------------------------------------------------------------------------------------
// reading

/** Upper bound on the JSON header (the reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

function readExactly(fd: number, buf: Uint8Array, position: number, file: string, what: string): void {
  let done = 0;
  while (done < buf.byteLength) {
    const chunk = Math.min(buf.byteLength - done, 1 << 30);
    const n = readSync(fd, buf, done, chunk, position + done);
    if (n === 0) throw new SafetensorsError(file, `unexpected end of file while reading ${what}`);
    done += n;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** One tensor's header entry, checked on its own (offsets in bounds, byte length matches). */
function parseEntry(name: string, value: unknown, dataLength: number, file: string): TensorEntry {
  const fail = (msg: string): never => {
    throw new SafetensorsError(file, msg, name);
  };
  if (!isRecord(value)) return fail("entry is not an object");
  const { dtype, shape, data_offsets: offsets } = value;
  if (dtype === undefined) return fail("missing 'dtype'");
  if (!isDType(dtype)) return fail(`unknown dtype ${JSON.stringify(dtype)} (supported: ${SUPPORTED_DTYPES.join(", ")})`);
  if (!Array.isArray(shape)) return fail("missing or invalid 'shape'");
  if (!shape.every(isCount)) return fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2) return fail("missing or invalid 'data_offsets'");
  const [begin, end] = offsets;
  if (!isCount(begin) || !isCount(end) || end < begin) return fail(`invalid data_offsets ${JSON.stringify(offsets)}`);
  if (end > dataLength) return fail(`data_offsets [${begin}, ${end}] run past the data region (${dataLength} bytes)`);
  const size = CODECS[dtype].size;
  const expected = numel(shape) * size;
  if (!Number.isSafeInteger(expected)) return fail(`shape ${JSON.stringify(shape)} is too large`);
  if (end - begin !== expected)
    return fail(`byte length ${end - begin} != ${expected} (shape ${JSON.stringify(shape)} x ${size}-byte ${dtype})`);
  return { name, dtype, shape: [...shape], begin, end };
}

/**
 * Validates a parsed header against the data region's length and returns its entries sorted by
 * offset. Every tensor needs a known dtype, a shape of non-negative integers and in-bounds
 * data_offsets whose length is numel * dtype size; the tensors must tile the data region exactly.
 */
export function validateHeader(
  header: unknown,
  dataLength: number,
  file: string,
): { entries: TensorEntry[]; metadata: Record<string, string> } {
  if (!isRecord(header)) throw new SafetensorsError(file, "header is not a JSON object");

  const metadata: [string, string][] = [];
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (!isRecord(value)) throw new SafetensorsError(file, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") throw new SafetensorsError(file, `__metadata__ value '${k}' is not a string`);
        metadata.push([k, v]);
      }
      continue;
    }
    entries.push(parseEntry(name, value, dataLength, file));
  }

  entries.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let cursor = 0;
  let previous: string | undefined;
  for (const t of entries) {
    if (t.begin < cursor)
      throw new SafetensorsError(file, `data_offsets [${t.begin}, ${t.end}] overlap tensor '${previous}' (ends at ${cursor})`, t.name);
    if (t.begin > cursor)
      throw new SafetensorsError(file, `gap in the data region: bytes [${cursor}, ${t.begin}) belong to no tensor`, t.name);
    cursor = t.end;
    previous = t.name;
  }
  if (cursor !== dataLength)
    throw new SafetensorsError(file, `data region is ${dataLength} bytes but the tensors cover ${cursor}`);
  return { entries, metadata: Object.fromEntries(metadata) };
}

function readHeaderFd(fd: number, file: string): SafetensorsHeader {
  const fileSize = fstatSync(fd).size;
  if (fileSize < 8) throw new SafetensorsError(file, `file is ${fileSize} bytes, too short for a safetensors header`);
  const lenBuf = new Uint8Array(8);
  readExactly(fd, lenBuf, 0, file, "the header length");
  const headerLen = new DataView(lenBuf.buffer).getBigUint64(0, true);
  if (headerLen > BigInt(fileSize - 8))
    throw new SafetensorsError(file, `header length ${headerLen} exceeds the ${fileSize - 8} bytes after it (truncated or not safetensors)`);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(file, `header length ${headerLen} is over ${MAX_HEADER_BYTES} bytes`);
  if (headerLen < 2n) throw new SafetensorsError(file, `header length ${headerLen} is too small`);
  const n = Number(headerLen);
  const headerBytes = new Uint8Array(n);
  readExactly(fd, headerBytes, 8, file, "the header");

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(file, "header is not valid UTF-8");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(file, `header is not valid JSON: ${(err as Error).message}`);
  }
  const dataStart = 8 + n;
  const { entries, metadata } = validateHeader(parsed, fileSize - dataStart, file);
  return { entries, metadata, dataStart };
}

/** Reads and validates only the header; no tensor data is read. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openFile(path);
  try {
    return readHeaderFd(fd, path);
  } finally {
    closeSync(fd);
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    throw new SafetensorsError(path, `cannot open: ${(err as Error).message}`);
  }
}

/** A reusable read buffer: data returned with it is only valid until the next read. */
export interface ReadScratch {
  buffer: ArrayBuffer;
}

/** Reads one tensor's data given a validated entry (from readSafetensorsHeader). */
export function readTensorData(fd: number, header: SafetensorsHeader, entry: TensorEntry, file: string, scratch?: ReadScratch): TensorData {
  const codec = CODECS[entry.dtype];
  const n = numel(entry.shape);
  const len = entry.end - entry.begin;
  let bytes: Uint8Array;
  if (scratch) {
    // Reused across tensors: fresh multi-MB buffers cost more in page faults than the read itself.
    if (scratch.buffer.byteLength < len) scratch.buffer = new ArrayBuffer(len);
    bytes = new Uint8Array(scratch.buffer, 0, len);
  } else {
    // Unpooled and not zero-filled: every byte is read over at once, and the codec can view it in place.
    bytes = new Uint8Array(Buffer.allocUnsafeSlow(len).buffer, 0, len);
  }
  readExactly(fd, bytes, header.dataStart + entry.begin, file, `tensor '${entry.name}'`);
  return codec.decode(bytes, n);
}

/** Reads a whole safetensors file; tensors keep their header names, in file order. */
export function readSafetensors(path: string): SafetensorsFile {
  const fd = openFile(path);
  try {
    const header = readHeaderFd(fd, path);
    const tensors = new Map<string, Tensor>();
    for (const e of header.entries)
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: readTensorData(fd, header, e, path) });
    return { tensors, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// writing

/**
 * Writes tensors (by element size, widest first, then by name) and string metadata to `path` atomically: a temporary file in
 * the same directory is written, fsynced and renamed over `path`.
 */
export function writeSafetensors(
  path: string,
  tensors: Map<string, TensorInput> | Record<string, TensorInput>,
  metadata: Record<string, string> = {},
): void {
  const input = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  // As the reference implementation: wider dtypes first, then by name, so that every tensor
  // starts at a multiple of its element size (the data region itself is 8-byte aligned).
  const width = (t: TensorInput) => (t.dtype !== undefined && isDType(t.dtype) ? CODECS[t.dtype].size : 4);
  const isLazy = (t: TensorInput): t is TensorInput & { data: () => TensorData } => typeof t.data === "function";
  input.sort(([a, x], [b, y]) => width(y) - width(x) || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = Object.create(null); // tensor names are data, not keys of Object.prototype
  for (const [k, v] of Object.entries(metadata))
    if (typeof v !== "string") throw new SafetensorsError(path, `metadata value '${k}' is not a string`);
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;

  // The header is laid out from shapes alone; data is encoded tensor by tensor while writing.
  const plan: { name: string; t: TensorInput; codec: Codec; dtype: DType }[] = [];
  let offset = 0;
  for (const [name, t] of input) {
    const fail = (msg: string): never => {
      throw new SafetensorsError(path, msg, name);
    };
    if (name === "" || name === "__metadata__") fail("invalid tensor name");
    const dtype: unknown = t.dtype ?? (!isLazy(t) && t.data instanceof Int32Array ? "I32" : "F32");
    if (!isDType(dtype)) return fail(`unknown dtype ${JSON.stringify(dtype)} (supported: ${SUPPORTED_DTYPES.join(", ")})`);
    const codec = CODECS[dtype];
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`invalid shape ${JSON.stringify(t.shape)}`);
    const bytes = numel(t.shape) * codec.size;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    plan.push({ name, t, codec, dtype });
    offset += bytes;
  }
  const check = ({ name, t, codec, dtype }: (typeof plan)[number], data: TensorData): TensorData => {
    if ((codec.accepts === "i32") !== data instanceof Int32Array)
      throw new SafetensorsError(path, `${dtype} needs ${codec.accepts === "i32" ? "Int32Array" : "Float32Array"} data`, name);
    if (numel(t.shape) !== data.length)
      throw new SafetensorsError(path, `shape ${JSON.stringify(t.shape)} needs ${numel(t.shape)} elements, data has ${data.length}`, name);
    return data;
  };
  // Eager data is checked before anything touches the disk; lazy data when produced.
  for (const p of plan) if (!isLazy(p.t)) check(p, p.t.data as TensorData);
  const encode = (p: (typeof plan)[number]): Uint8Array => p.codec.encode(check(p, isLazy(p.t) ? p.t.data() : (p.t.data as TensorData)));

  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, "utf8");
  json += " ".repeat((8 - (jsonBytes % 8)) % 8); // the data region starts 8-byte aligned
  const headerBytes = Buffer.from(json, "utf8");
  const lenBytes = Buffer.alloc(8);
  lenBytes.writeBigUInt64LE(BigInt(headerBytes.byteLength));

  try {
    withAtomicFile(path, (fd) => {
      writeAll(fd, lenBytes);
      writeAll(fd, headerBytes);
      for (const p of plan) writeAll(fd, encode(p));
    });
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    throw new SafetensorsError(path, `write failed: ${(err as Error).message}`);
  }
}


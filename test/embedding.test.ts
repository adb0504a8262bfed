import { describe, expect, it } from "vitest";
import { embeddingBackward, embeddingForward } from "../src/engine/embedding.js";
import { buildInfo, setThreads } from "../src/engine/native.js";
import { embeddingBackwardF32InOrder, embeddingBackwardRef, embeddingForwardRef } from "./reference/embedding.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const seed = freshSeed();

function ids(r: Rng, N: number, V: number): Int32Array {
  return Int32Array.from({ length: N }, () => r.int(V));
}

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe(`embedding (seed ${seed})`, () => {
  // [N, V, C]; the last two are above the parallel threshold, and V < N forces repeats.
  for (const [N, V, C] of [[1, 1, 1], [17, 5, 24], [300, 1000, 64], [512, 50, 200]] as const)
    it(`forward gather and backward scatter-add N=${N} V=${V} C=${C}`, () => {
      const r = new Rng(seed + N + V * 3 + C * 5);
      const table = r.f32(V * C), id = ids(r, N, V);
      // A gather is a copy: exact.
      expect(same(embeddingForward({ ids: id, table, V, C }), embeddingForwardRef(id, table, C))).toBe(true);
      const dout = r.f32(N * C), dtable0 = r.f32(V * C);
      const dtable = embeddingBackward({ ids: id, dout, dtable: dtable0.slice(), V, C });
      // Adds into the pre-filled dtable, in token order: bit-identical to the
      // sequential float32 sums, and within float32 rounding of the float64 sums.
      expect(same(dtable, embeddingBackwardF32InOrder(id, dout, dtable0, C))).toBe(true);
      expect(relErr(dtable, embeddingBackwardRef(id, dout, dtable0, C))).toBeLessThan(1e-5);
    });

  it("backward with repeated ids gives exact sums, independent of the thread count", () => {
    const r = new Rng(seed + 1);
    const N = 2000, V = 7, C = 96;
    const id = ids(r, N, V);
    id.set([3, 3, 3, 3]);
    // Small integers: every partial sum is exactly representable, so the result
    // must equal the float64 sum exactly.
    const dout = Float32Array.from({ length: N * C }, () => r.int(201) - 100);
    const dt = embeddingBackward({ ids: id, dout, V, C });
    const ref = embeddingBackwardRef(id, dout, new Float32Array(V * C), C);
    expect(Array.from(dt)).toEqual(Array.from(ref));
    // Random values: the same bits on 1 thread as on the default team.
    const dn = r.f32(N * C);
    const before = buildInfo().threads;
    const a = embeddingBackward({ ids: id, dout: dn, V, C });
    try {
      setThreads(1);
      expect(same(embeddingBackward({ ids: id, dout: dn, V, C }), a)).toBe(true);
    } finally {
      setThreads(before);
    }
  });

  it("rejects out-of-range ids naming the position and id, writing nothing", () => {
    const V = 10, C = 4, table = new Float32Array(V * C).fill(1);
    const out = new Float32Array(4 * C).fill(7);
    expect(() => embeddingForward({ ids: Int32Array.of(1, 2, 99, 3), table, out, V, C })).toThrow(/position 2: ids\[2\] = 99.*V = 10/);
    expect(out.every((v) => v === 7)).toBe(true);
    expect(() => embeddingForward({ ids: Int32Array.of(0, -1), table, V, C })).toThrow(/position 1: ids\[1\] = -1/);
    expect(() => embeddingForward({ ids: Int32Array.of(10), table, V, C })).toThrow(/position 0: ids\[0\] = 10/);
    const dtable = new Float32Array(V * C);
    expect(() => embeddingBackward({ ids: Int32Array.of(4, 5, 6, 10), dout: new Float32Array(4 * C).fill(1), dtable, V, C })).toThrow(/position 3: ids\[3\] = 10/);
    expect(dtable.every((v) => v === 0)).toBe(true);
  });

  it("rejects bad lengths and types with messages naming the argument", () => {
    const V = 10, C = 4, table = new Float32Array(V * C).fill(1), id = Int32Array.of(1, 2);
    expect(() => embeddingForward({ ids: id, table: table.subarray(1), V, C })).toThrow(/'table' must have 40 elements, got 39/);
    expect(() => embeddingForward({ ids: id, table, out: new Float32Array(7), V, C })).toThrow(/'out' must have 8 elements/);
    expect(() => embeddingForward({ ids: Float32Array.of(1, 2) as unknown as Int32Array, table, V, C })).toThrow(/'ids' must be an Int32Array/);
    expect(() => embeddingForward({ ids: id, table, V, C: 0 })).toThrow(/'C'/);
    expect(() => embeddingBackward({ ids: id, dout: new Float32Array(7), V, C })).toThrow(/'dout' must have 8 elements/);
    expect(() => embeddingBackward({ ids: id, dout: new Float32Array(8), dtable: new Float32Array(39), V, C })).toThrow(/'dtable' must have 40 elements/);
  });
});

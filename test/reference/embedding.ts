// References for the embedding gather and scatter-add.

export function embeddingForwardRef(ids: Int32Array, table: Float32Array, C: number): Float32Array {
  const out = new Float32Array(ids.length * C);
  for (let n = 0; n < ids.length; n++) out.set(table.subarray(ids[n]! * C, ids[n]! * C + C), n * C);
  return out;
}

/** dtable + scatter(dout) summed in float64. */
export function embeddingBackwardRef(ids: Int32Array, dout: Float32Array, dtable: Float32Array, C: number): Float64Array {
  const out = Float64Array.from(dtable);
  for (let n = 0; n < ids.length; n++) for (let c = 0; c < C; c++) out[ids[n]! * C + c]! += dout[n * C + c]!;
  return out;
}

/** The same sums in float32, in token order: the kernel's exact arithmetic. */
export function embeddingBackwardF32InOrder(ids: Int32Array, dout: Float32Array, dtable: Float32Array, C: number): Float32Array {
  const out = dtable.slice();
  for (let n = 0; n < ids.length; n++)
    for (let c = 0; c < C; c++) out[ids[n]! * C + c] = Math.fround(out[ids[n]! * C + c]! + dout[n * C + c]!);
  return out;
}

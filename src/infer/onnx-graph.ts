// Building an ONNX graph with onnx-proto: nodes, constants, and weights
// stored in the graph's float type (fp32, fp16 or bf16), inline or appended
// to an external data file.
import onnxProto from "onnx-proto";
import { writeAll } from "../model/atomic-file.js";
import { f32ToBf16, f32ToF16 } from "../model/safetensors.js";

export const { onnx } = onnxProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const DT = onnx.TensorProto.DataType;
export const MS_DOMAIN = "com.microsoft";

/** Float types a graph computes in. */
export type FloatType = "fp32" | "fp16" | "bf16";
export const ELEM_TYPE: Record<FloatType, number> = { fp32: DT.FLOAT, fp16: DT.FLOAT16, bf16: DT.BFLOAT16 };
/** The most negative finite value of each type: masked scores get it (finite, so a fully masked row has no NaN). */
export const LOWEST: Record<FloatType, number> = { fp32: -3.4028234663852886e38, fp16: -65504, bf16: -3.3895313892515355e38 };

/** Encodes fp32 values as `t` (half types round to nearest even). */
export function encodeFloats(data: Float32Array, t: FloatType): Uint8Array {
  if (t === "fp32") return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint16Array(data.length);
  const conv = t === "fp16" ? f32ToF16 : f32ToBf16;
  for (let i = 0; i < data.length; i++) out[i] = conv(data[i]!);
  return new Uint8Array(out.buffer);
}

/** An attribute: ints, int lists, strings, or `{ f }` for a float (JS numbers do not say which). */
export type Attr = number | number[] | string | { f: number };

export interface ExternalData {
  fd: number;
  /** Bytes written so far. */
  offset: number;
  /** File name relative to the model, as ONNX external data records it. */
  file: string;
}

export type GraphProto = onnxProto.onnx.IGraphProto;

export class GraphBuilder {
  /** Nodes of the graph being built (a subgraph's while `subgraph` runs). */
  nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private n = 0;
  /** Weights stream to `external` when given; constants are always inline. */
  constructor(private readonly external?: ExternalData) {}

  /** Adds a node; its outputs get fresh names unless `outputs` names them ("" skips an optional output). */
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, o: { nOut?: number; domain?: string; outputs?: string[] } = {}): string[] {
    const id = `${type}_${this.n++}`;
    const outputs = o.outputs ?? Array.from({ length: o.nOut ?? 1 }, (_, i) => `${id}_out${i}`);
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === "string") return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      if (typeof v === "object") return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.f };
      return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
    });
    this.nodes.push({ name: id, opType: type, domain: o.domain ?? "", input: inputs, output: outputs, attribute });
    return outputs;
  }
  op1(type: string, inputs: string[], attrs: Record<string, Attr> = {}, domain?: string): string {
    return this.op(type, inputs, attrs, { domain })[0]!;
  }
  /** A node whose single output gets a given name (a graph output). */
  named(name: string, type: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.op(type, inputs, attrs, { outputs: [name] })[0]!;
  }
  /**
   * A subgraph (an If branch): `build` adds its nodes, which may use any value of the enclosing
   * graph, and returns its outputs with their element types. Constants stay in the main graph.
   */
  subgraph(name: string, build: () => { name: string; elemType: number }[]): GraphProto {
    const outer = this.nodes;
    this.nodes = [];
    try {
      const outs = build();
      return { name, node: this.nodes, output: outs.map((o) => ({ name: o.name, type: { tensorType: { elemType: o.elemType } } })) };
    } finally {
      this.nodes = outer;
    }
  }
  /** An If node choosing between two subgraphs with the same outputs. */
  ifElse(cond: string, thenBranch: GraphProto, elseBranch: GraphProto, outputs?: string[]): string[] {
    const id = `If_${this.n++}`;
    const out = outputs ?? thenBranch.output!.map((_, i) => `${id}_out${i}`);
    this.nodes.push({
      name: id,
      opType: "If",
      input: [cond],
      output: out,
      attribute: [
        { name: "then_branch", type: onnx.AttributeProto.AttributeType.GRAPH, g: thenBranch },
        { name: "else_branch", type: onnx.AttributeProto.AttributeType.GRAPH, g: elseBranch },
      ],
    });
    return out;
  }
  /** `x` cast to `to` (no node when it already is). */
  cast(x: string, from: FloatType, to: FloatType): string {
    return from === to ? x : this.op1("Cast", [x], { to: ELEM_TYPE[to] });
  }

  private constant(dataType: number, dims: number[], raw: Uint8Array): string {
    const name = `const_${this.n++}`;
    this.initializers.push({ name, dataType, dims, rawData: raw.slice() });
    return name;
  }
  constI64(values: number[], dims: number[] = [values.length]): string {
    return this.constant(DT.INT64, dims, new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer));
  }
  constI32(values: number[], dims: number[] = [values.length]): string {
    return this.constant(DT.INT32, dims, new Uint8Array(new Int32Array(values).buffer));
  }
  /** A small float constant in type `t`. */
  constF(values: Float32Array | number[], t: FloatType, dims: number[] = [values.length]): string {
    return this.constant(ELEM_TYPE[t], dims, encodeFloats(Float32Array.from(values), t));
  }

  /** A named weight in type `t`: inline, or appended to the external data file. */
  weight(name: string, data: Float32Array, dims: number[], t: FloatType): string {
    const bytes = encodeFloats(data, t);
    const dataType = ELEM_TYPE[t];
    if (!this.external) {
      this.initializers.push({ name, dataType, dims, rawData: bytes.slice() });
      return name;
    }
    const e = this.external;
    writeAll(e.fd, bytes);
    this.initializers.push({
      name,
      dataType,
      dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: "location", value: e.file },
        { key: "offset", value: String(e.offset) },
        { key: "length", value: String(bytes.byteLength) },
      ],
    });
    e.offset += bytes.byteLength;
    return name;
  }
}

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

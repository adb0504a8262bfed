// Typed face of the CUDA backend (native/cuda, bindings in native/napi/bind_cuda.cpp):
// device buffers, bf16 conversion and every kernel family, each with its fast
// and its simple version. Calls are synchronous: each waits for the device, so
// a launch or kernel failure throws here, naming the kernel and the CUDA error.
import { native, type RawAddon } from "./native.js";

export type CudaImpl = "fast" | "simple";

export interface CudaDevice {
  index: number;
  name: string;
  /** Compute capability, e.g. "9.0". */
  cc: string;
  multiprocessors: number;
  memoryBytes: number;
  smemOptinBytes: number;
}

export interface CudaInfo {
  /** Whether the addon was built with the CUDA backend. */
  built: boolean;
  /** "emulated": the kernels compiled against the CPU emulation (MIDTRAIN_CUDA=EMU). */
  backend: "cuda" | "emulated" | "none";
  /** Whether the LM-head GEMMs use cuBLAS (else the built-in GEMM). */
  cublas: boolean;
  devices: CudaDevice[];
  /** Why there is no device, when `devices` is empty. */
  reason?: string;
}

/** A device allocation; freed by free() or when garbage-collected. */
export interface CudaBuffer {
  readonly bytes: number;
  upload(data: ArrayBufferView, byteOffset?: number): void;
  download(into: ArrayBufferView, byteOffset?: number): void;
  fill(byte: number): void;
  free(): void;
}

/** bf16 bits of each value, rounded to nearest even (NaN stays NaN), as the kernels round. */
export function f32ToBf16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = u[i]!;
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) out[i] = (b >>> 16) | 0x40;
    else out[i] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

export function bf16ToF32(h: Uint16Array): Float32Array {
  const u = new Uint32Array(h.length);
  for (let i = 0; i < h.length; i++) u[i] = h[i]! << 16;
  return new Float32Array(u.buffer);
}

/** Each value rounded to the nearest bf16, as fp32. */
export function roundBf16(x: Float32Array): Float32Array {
  return bf16ToF32(f32ToBf16(x));
}

export interface AdamWTensorBuffers {
  p: CudaBuffer;
  g: CudaBuffer;
  /** g holds bf16 (else fp32). */
  gBf16: boolean;
  m: CudaBuffer;
  v: CudaBuffer;
  /** Receives the updated p as bf16 in the same pass. */
  pBf16?: CudaBuffer | null;
  anchor?: CudaBuffer | null;
  anchorW?: CudaBuffer | null;
  n: number;
  /** 0 for tensors of fewer than 2 dims. */
  weightDecay: number;
}

export interface CudaAdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based, after increment. */
  step: number;
  gradScale?: number;
  anchorLambda?: number;
  /** Round the bf16 copy stochastically (unbiased) instead of to nearest. */
  stochasticRounding?: boolean;
  seed?: number;
}

export interface ClipResult {
  sumsq: number;
  norm: number;
  /** min(1, maxNorm / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_. */
  scale: number;
  /** false: a gradient was Inf/NaN and no tensor was changed. */
  finite: boolean;
}

export interface AttentionDims {
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  /** 64 or 128 for the fast kernel; 1..256 for the simple one. */
  D: number;
  /** Default 1/sqrt(D). */
  scale?: number;
  impl?: CudaImpl;
}

/**
 * The CUDA kernels of one addon (the default build, or another one such as an
 * emulated build loaded through MIDTRAIN_NATIVE). Buffer sizes are checked by
 * the bindings against the dims, naming the argument.
 */
export class Cuda {
  private readonly a: RawAddon;

  constructor(addon: RawAddon = native()) {
    this.a = addon;
  }

  info(): CudaInfo {
    if (typeof this.a.cudaInfo !== "function")
      return {
        built: false,
        backend: "none",
        cublas: false,
        devices: [],
        reason: "this addon build predates the CUDA bindings; rebuild it with 'npm run build:native'",
      };
    return this.a.cudaInfo() as CudaInfo;
  }

  /** Why the kernels cannot run with this addon on this machine, or null when they can. */
  unavailable(): string | null {
    const i = this.info();
    if (!i.built) return i.reason ?? "the CUDA backend is not built";
    if (i.devices.length === 0) return `no CUDA device (${i.reason ?? "none found"})`;
    return null;
  }

  alloc(bytes: number): CudaBuffer {
    return new this.a.CudaBuffer(bytes) as CudaBuffer;
  }

  /** A device copy of the values rounded to bf16. */
  bf16(values: Float32Array): CudaBuffer {
    const b = this.alloc(values.length * 2);
    b.upload(f32ToBf16(values));
    return b;
  }

  f32(values: Float32Array): CudaBuffer {
    const b = this.alloc(values.length * 4);
    b.upload(values);
    return b;
  }

  i32(values: Int32Array): CudaBuffer {
    const b = this.alloc(values.length * 4);
    b.upload(values);
    return b;
  }

  readBf16(b: CudaBuffer, n: number): Float32Array {
    const h = new Uint16Array(n);
    b.download(h);
    return bf16ToF32(h);
  }

  readF32(b: CudaBuffer, n: number): Float32Array {
    const h = new Float32Array(n);
    b.download(h);
    return h;
  }

  /** out = silu(gate) * up over n bf16 values. */
  swigluForward(gate: CudaBuffer, up: CudaBuffer, out: CudaBuffer, n: number, impl: CudaImpl = "fast"): void {
    this.a.cudaSwigluForward(gate, up, out, { n, impl });
  }

  /** Writes dgate and dup. */
  swigluBackward(
    dout: CudaBuffer,
    gate: CudaBuffer,
    up: CudaBuffer,
    dgate: CudaBuffer,
    dup: CudaBuffer,
    n: number,
    impl: CudaImpl = "fast",
  ): void {
    this.a.cudaSwigluBackward(dout, gate, up, dgate, dup, { n, impl });
  }

  /** h = x + delta (bf16), y = h * rstd * w (bf16), rstd [N] fp32; delta may be null. */
  rmsnormForward(
    x: CudaBuffer,
    delta: CudaBuffer | null,
    h: CudaBuffer,
    y: CudaBuffer,
    rstd: CudaBuffer,
    w: CudaBuffer,
    o: { N: number; C: number; eps: number; impl?: CudaImpl },
  ): void {
    this.a.cudaRmsnormForward(x, delta, h, y, rstd, w, o);
  }

  /** ADDS the input gradient into dh (bf16) and the weight gradient into dw (fp32). */
  rmsnormBackward(
    dy: CudaBuffer,
    h: CudaBuffer,
    rstd: CudaBuffer,
    w: CudaBuffer,
    dh: CudaBuffer,
    dw: CudaBuffer,
    o: { N: number; C: number; impl?: CudaImpl },
  ): void {
    this.a.cudaRmsnormBackward(dy, h, rstd, w, dh, dw, o);
  }

  /** Rotates x [N, H, D] bf16 in place by pos[N] (int32) * invFreq[D/2] (fp32); inverse for backward. */
  ropeApply(
    x: CudaBuffer,
    pos: CudaBuffer,
    invFreq: CudaBuffer,
    o: { N: number; H: number; D: number; inverse: boolean; impl?: CudaImpl },
  ): void {
    this.a.cudaRopeApply(x, pos, invFreq, o);
  }

  /**
   * One AdamW step over every tensor (torch.optim.AdamW semantics, the CPU
   * kernel's anchor term). With maxNorm, the global gradient norm is computed
   * and the clip scale applied on the device first; the result says what it was.
   */
  adamwUpdate(
    tensors: AdamWTensorBuffers[],
    hyper: CudaAdamWHyper,
    o: { maxNorm?: number; impl?: CudaImpl } = {},
  ): ClipResult | null {
    return this.a.cudaAdamwUpdate(tensors, hyper, o) as ClipResult | null;
  }

  /**
   * LM head + cross-entropy in chunks: x [N, C] bf16, W [V, C] bf16, labels [N]
   * int32 (-100 ignored). dx [N, C] bf16 is written, dW [V, C] fp32 added to,
   * tokenLoss [N] fp32 written; each may be null.
   */
  lmheadXent(
    x: CudaBuffer,
    W: CudaBuffer,
    labels: CudaBuffer,
    dx: CudaBuffer | null,
    dW: CudaBuffer | null,
    tokenLoss: CudaBuffer | null,
    o: { N: number; C: number; V: number; gradScale: number; chunk?: number; impl?: CudaImpl },
  ): { lossSum: number; count: number } {
    return this.a.cudaLmheadXent(x, W, labels, dx, dW, tokenLoss, o) as { lossSum: number; count: number };
  }

  /** Per-token document bounds on the device from [B, T] segment ids (validated as the CPU kernel does). */
  attentionDocBounds(seg: Int32Array, B: number, T: number): { start: CudaBuffer; end: CudaBuffer } {
    const start = this.alloc(B * T * 4), end = this.alloc(B * T * 4);
    this.a.cudaAttentionDocBounds(seg, start, end, { B, T });
    return { start, end };
  }

  /** out [B,T,Hq,D] bf16 and lse [B,Hq,T] fp32; bounds null for one document per row. */
  attentionForward(
    q: CudaBuffer,
    k: CudaBuffer,
    v: CudaBuffer,
    bounds: { start: CudaBuffer; end: CudaBuffer } | null,
    out: CudaBuffer,
    lse: CudaBuffer,
    d: AttentionDims,
  ): void {
    this.a.cudaAttentionForward(q, k, v, bounds?.start ?? null, bounds?.end ?? null, out, lse, dims(d));
  }

  /** Writes dq, dk, dv (bf16). */
  attentionBackward(
    q: CudaBuffer,
    k: CudaBuffer,
    v: CudaBuffer,
    bounds: { start: CudaBuffer; end: CudaBuffer } | null,
    out: CudaBuffer,
    dout: CudaBuffer,
    lse: CudaBuffer,
    dq: CudaBuffer,
    dk: CudaBuffer,
    dv: CudaBuffer,
    d: AttentionDims,
  ): void {
    this.a.cudaAttentionBackward(q, k, v, bounds?.start ?? null, bounds?.end ?? null, out, dout, lse, dq, dk, dv, dims(d));
  }
}

function dims(d: AttentionDims) {
  return { B: d.B, T: d.T, Hq: d.Hq, Hkv: d.Hkv, D: d.D, scale: d.scale ?? 1 / Math.sqrt(d.D), impl: d.impl ?? "fast" };
}

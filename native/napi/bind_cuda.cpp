// Bindings of the CUDA backend (native/cuda): device buffers and every kernel
// family, so tests and benchmarks can run a kernel on device memory beside the
// CPU reference. Each kernel call waits for the device and turns a launch or
// kernel failure into an exception naming the kernel and the CUDA error.
//
//   cudaInfo() -> {built, backend: "cuda"|"emulated"|"none", cublas, devices: [...], reason?}
//   new CudaBuffer(bytes)  .bytes .upload(typedArray, byteOffset?) .download(typedArray, byteOffset?)
//                          .fill(byte) .free()
//   cudaSwigluForward(gate, up, out, {n, impl?})
//   cudaSwigluBackward(dout, gate, up, dgate, dup, {n, impl?})
//   cudaRmsnormForward(x, delta|null, h, y, rstd, w, {N, C, eps, impl?})
//   cudaRmsnormBackward(dy, h, rstd, w, dh, dw, {N, C, impl?})          (ADDS into dh and dw)
//   cudaRopeApply(x, pos, invFreq, {N, H, D, inverse, impl?})
//   cudaAdamwUpdate([{p, g, gBf16, m, v, pBf16?, anchor?, anchorW?, n, weightDecay}],
//                   {lr, beta1, beta2, eps, step, gradScale?, anchorLambda?, stochasticRounding?, seed?},
//                   {maxNorm?, impl?}) -> {sumsq, norm, scale, finite} | null (no maxNorm)
//   cudaLmheadXent(x, W, labels, dx|null, dW|null, tokenLoss|null, {N, C, V, gradScale, chunk?, impl?})
//                   -> {lossSum, count}
//   cudaLmheadXentAccumulate(x, W, labels, dx|null, dW|null, acc, {N, C, V, gradScale, chunk?, impl?})
//                   adds the loss sum (fp64) and count (int64) into acc (16 bytes, XentAccum); labels unchecked
//   cudaAttentionDocBounds(seg (Int32Array, host), start, end, {B, T})
//   cudaAttentionForward(q, k, v, start|null, end|null, out, lse, {B, T, Hq, Hkv, D, scale, impl?})
//   cudaAttentionBackward(q, k, v, start|null, end|null, out, dout, lse, dq, dk, dv, {..., impl?})
//   cudaPlanMemory(config, B, T, recompute, {lora?: {rank, targets: ["q", ...]}, frozen?: [names], anchor?: "l2sp"|"ewc"}?)
//                   -> {weightsBytes, activationsBytes}: the device bytes a CUDA model of this engine config
//                   allocates (weight and trainable state after enableLora and setTrainable(name, false) as
//                   given; activations for B x T), without a device
// Buffers hold bf16 (2 bytes), fp32 or int32 values as each kernel's header
// says (native/cuda/*.h); impl is "fast" (default) or "simple".
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "napi/args.h"
#include "napi/register.h"

#ifdef MIDTRAIN_HAVE_CUDA
#include "core/check.h"
#include "cuda/adamw.h"
#include "cuda/attention.h"
#include "cuda/norm.h"
#include "cuda/rope.h"
#include "cuda/runtime.h"
#include "cuda/swiglu.h"
#include "cuda/xent.h"
#include "model/cuda_llama.h"
#include "napi/parse_config.h"
#endif

namespace mt::napi {

#ifdef MIDTRAIN_HAVE_CUDA

namespace {

using mt::cuda::Impl;

class CudaBuffer : public Napi::ObjectWrap<CudaBuffer> {
 public:
  static inline Napi::FunctionReference* ctor = nullptr;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaBuffer",
                       {InstanceAccessor<&CudaBuffer::Bytes>("bytes"), InstanceMethod<&CudaBuffer::Upload>("upload"),
                        InstanceMethod<&CudaBuffer::Download>("download"), InstanceMethod<&CudaBuffer::Fill>("fill"),
                        InstanceMethod<&CudaBuffer::Free>("free")});
  }

  explicit CudaBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CudaBuffer>(info) {
    const double b = to_number(arg(info, 0, "bytes"), "bytes");
    if (b < 0 || b != double(int64_t(b)) || b > double(int64_t(1) << 46))
      throw Napi::RangeError::New(info.Env(), "CudaBuffer: 'bytes' must be an integer in [0, 2^46], got " +
                                                  std::to_string(b));
    bytes_ = size_t(b);
    ptr_ = mt::cuda::device_alloc(bytes_);
  }
  ~CudaBuffer() override { mt::cuda::device_free(ptr_); }

  // The device pointer, checked to hold `need` bytes.
  void* data(Napi::Env env, const char* fn, const char* name, size_t need, const char* what) const {
    if (!ptr_) throw Napi::Error::New(env, std::string(fn) + ": '" + name + "' was freed");
    if (bytes_ < need)
      throw Napi::RangeError::New(env, std::string(fn) + ": '" + name + "' has " + std::to_string(bytes_) +
                                           " bytes, needs " + std::to_string(need) + " (" + what + ")");
    return ptr_;
  }

 private:
  Napi::Value Bytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(bytes_)); }

  // [offset, offset + n) inside the buffer, from a typed array and an optional byte offset.
  void range(const Napi::CallbackInfo& info, const char* fn, void*& host, size_t& n, size_t& offset) {
    Napi::Value v = arg(info, 0, "array");
    if (!v.IsTypedArray()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": expects a typed array");
    auto a = v.As<Napi::TypedArray>();
    host = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
    n = a.ByteLength();
    offset = info.Length() > 1 && !absent(info[1]) ? size_t(to_int(info[1], "byteOffset", 0)) : 0;
    if (!ptr_) throw Napi::Error::New(info.Env(), std::string(fn) + ": the buffer was freed");
    if (offset + n > bytes_)
      throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + std::to_string(n) + " bytes at offset " +
                                                  std::to_string(offset) + " exceed the buffer's " +
                                                  std::to_string(bytes_));
  }
  Napi::Value Upload(const Napi::CallbackInfo& info) {
    void* host;
    size_t n, off;
    range(info, "CudaBuffer.upload", host, n, off);
    mt::cuda::copy_to_device(static_cast<uint8_t*>(ptr_) + off, host, n);
    return info.Env().Undefined();
  }
  Napi::Value Download(const Napi::CallbackInfo& info) {
    void* host;
    size_t n, off;
    range(info, "CudaBuffer.download", host, n, off);
    mt::cuda::copy_to_host(host, static_cast<uint8_t*>(ptr_) + off, n);
    return info.Env().Undefined();
  }
  Napi::Value Fill(const Napi::CallbackInfo& info) {
    const int b = to_int(arg(info, 0, "byte"), "byte", 0, 255);
    if (!ptr_) throw Napi::Error::New(info.Env(), "CudaBuffer.fill: the buffer was freed");
    mt::cuda::fill_bytes(ptr_, b, bytes_);
    mt::cuda::synchronize("CudaBuffer.fill");
    return info.Env().Undefined();
  }
  Napi::Value Free(const Napi::CallbackInfo& info) {
    mt::cuda::device_free(ptr_);
    ptr_ = nullptr;
    return info.Env().Undefined();
  }

  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Device scratch for one call.
struct Scratch {
  void* p;
  size_t n;
  explicit Scratch(size_t bytes) : p(mt::cuda::device_alloc(bytes)), n(bytes) {}
  ~Scratch() { mt::cuda::device_free(p); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

Napi::Object options(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = arg(info, i, "options");
  if (!v.IsObject()) throw Napi::TypeError::New(info.Env(), "'options' must be an object");
  return v.As<Napi::Object>();
}

Impl impl_of(const Napi::Object& o) {
  Napi::Value v = o.Get("impl");
  if (absent(v)) return Impl::Fast;
  if (v.IsString()) {
    const std::string s = v.As<Napi::String>();
    if (s == "fast") return Impl::Fast;
    if (s == "simple") return Impl::Simple;
  }
  throw Napi::TypeError::New(o.Env(), "'impl' must be \"fast\" or \"simple\"");
}

// Argument i as a CudaBuffer holding `need` bytes; nullptr when optional and null/undefined.
void* buf(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, double need, const char* what,
          bool optional = false) {
  Napi::Value v = i < info.Length() ? info[i] : info.Env().Undefined();
  if (optional && absent(v)) return nullptr;
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(CudaBuffer::ctor->Value()))
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": '" + name + "' must be a CudaBuffer");
  if (!(need >= 0 && need < double(int64_t(1) << 52)))
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": the dims give an impossible size for '" + name + "'");
  return CudaBuffer::Unwrap(v.As<Napi::Object>())->data(info.Env(), fn, name, size_t(need), what);
}

template <class T>
T* as(void* p) {
  return static_cast<T*>(p);
}

// Runs f, then waits for the device; mt::Error (bad input, CUDA failures) becomes a JS Error.
template <class F>
void run(Napi::Env env, const char* what, F&& f) {
  try {
    f();
    mt::cuda::synchronize(what);
  } catch (const mt::Error& e) {
    throw Napi::Error::New(env, e.what());
  }
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("built", true);
  o.Set("backend", mt::cuda::backend_kind());
  o.Set("cublas", mt::cuda::uses_cublas());
  std::string why;
  const auto devs = mt::cuda::devices(&why);
  Napi::Array arr = Napi::Array::New(env, devs.size());
  for (size_t i = 0; i < devs.size(); ++i) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", devs[i].index);
    d.Set("name", devs[i].name);
    d.Set("cc", std::to_string(devs[i].major) + "." + std::to_string(devs[i].minor));
    d.Set("multiprocessors", devs[i].multiprocessors);
    d.Set("memoryBytes", double(devs[i].memory_bytes));
    d.Set("smemOptinBytes", double(devs[i].smem_optin_bytes));
    arr.Set(uint32_t(i), d);
  }
  o.Set("devices", arr);
  if (devs.empty()) o.Set("reason", why);
  return o;
}

Napi::Value SwigluForward(const Napi::CallbackInfo& info) {
  const char* fn = "cudaSwigluForward";
  Napi::Object o = options(info, 3);
  const double n = to_number(field(o, "n"), "n");
  const Impl impl = impl_of(o);
  auto* g = as<mt::cuda::bf16>(buf(info, 0, fn, "gate", 2 * n, "n bf16"));
  auto* u = as<mt::cuda::bf16>(buf(info, 1, fn, "up", 2 * n, "n bf16"));
  auto* out = as<mt::cuda::bf16>(buf(info, 2, fn, "out", 2 * n, "n bf16"));
  run(info.Env(), "swiglu_forward", [&] { mt::cuda::swiglu_forward(g, u, out, size_t(n), impl); });
  return info.Env().Undefined();
}

Napi::Value SwigluBackward(const Napi::CallbackInfo& info) {
  const char* fn = "cudaSwigluBackward";
  Napi::Object o = options(info, 5);
  const double n = to_number(field(o, "n"), "n");
  const Impl impl = impl_of(o);
  auto* d = as<mt::cuda::bf16>(buf(info, 0, fn, "dout", 2 * n, "n bf16"));
  auto* g = as<mt::cuda::bf16>(buf(info, 1, fn, "gate", 2 * n, "n bf16"));
  auto* u = as<mt::cuda::bf16>(buf(info, 2, fn, "up", 2 * n, "n bf16"));
  auto* dg = as<mt::cuda::bf16>(buf(info, 3, fn, "dgate", 2 * n, "n bf16"));
  auto* du = as<mt::cuda::bf16>(buf(info, 4, fn, "dup", 2 * n, "n bf16"));
  run(info.Env(), "swiglu_backward", [&] { mt::cuda::swiglu_backward(d, g, u, dg, du, size_t(n), impl); });
  return info.Env().Undefined();
}

Napi::Value RmsnormForward(const Napi::CallbackInfo& info) {
  const char* fn = "cudaRmsnormForward";
  Napi::Object o = options(info, 6);
  const int N = to_int(field(o, "N"), "N", 0), C = to_int(field(o, "C"), "C", 1);
  const float eps = float(to_number(field(o, "eps"), "eps"));
  const Impl impl = impl_of(o);
  const double nc = double(N) * C;
  auto* x = as<mt::cuda::bf16>(buf(info, 0, fn, "x", 2 * nc, "N*C bf16"));
  auto* delta = as<mt::cuda::bf16>(buf(info, 1, fn, "delta", 2 * nc, "N*C bf16", true));
  auto* h = as<mt::cuda::bf16>(buf(info, 2, fn, "h", 2 * nc, "N*C bf16"));
  auto* y = as<mt::cuda::bf16>(buf(info, 3, fn, "y", 2 * nc, "N*C bf16"));
  auto* rstd = as<float>(buf(info, 4, fn, "rstd", 4.0 * N, "N fp32"));
  auto* w = as<mt::cuda::bf16>(buf(info, 5, fn, "w", 2.0 * C, "C bf16"));
  run(info.Env(), "rmsnorm_forward", [&] { mt::cuda::rmsnorm_forward(x, delta, h, y, rstd, w, N, C, eps, impl); });
  return info.Env().Undefined();
}

Napi::Value RmsnormBackward(const Napi::CallbackInfo& info) {
  const char* fn = "cudaRmsnormBackward";
  Napi::Object o = options(info, 6);
  const int N = to_int(field(o, "N"), "N", 0), C = to_int(field(o, "C"), "C", 1);
  const Impl impl = impl_of(o);
  const double nc = double(N) * C;
  auto* dy = as<mt::cuda::bf16>(buf(info, 0, fn, "dy", 2 * nc, "N*C bf16"));
  auto* h = as<mt::cuda::bf16>(buf(info, 1, fn, "h", 2 * nc, "N*C bf16"));
  auto* rstd = as<float>(buf(info, 2, fn, "rstd", 4.0 * N, "N fp32"));
  auto* w = as<mt::cuda::bf16>(buf(info, 3, fn, "w", 2.0 * C, "C bf16"));
  auto* dh = as<mt::cuda::bf16>(buf(info, 4, fn, "dh", 2 * nc, "N*C bf16"));
  auto* dw = as<float>(buf(info, 5, fn, "dw", 4.0 * C, "C fp32"));
  run(info.Env(), "rmsnorm_backward", [&] {
    Scratch ws(mt::cuda::rmsnorm_backward_workspace_bytes(N, C));
    mt::cuda::rmsnorm_backward(dy, h, rstd, w, dh, dw, N, C, ws.p, ws.n, impl);
    mt::cuda::synchronize("rmsnorm_backward");
  });
  return info.Env().Undefined();
}

Napi::Value RopeApply(const Napi::CallbackInfo& info) {
  const char* fn = "cudaRopeApply";
  Napi::Object o = options(info, 3);
  const int N = to_int(field(o, "N"), "N", 0), H = to_int(field(o, "H"), "H", 1), D = to_int(field(o, "D"), "D", 1);
  const bool inverse = to_bool(field(o, "inverse"), "inverse");
  const Impl impl = impl_of(o);
  auto* x = as<mt::cuda::bf16>(buf(info, 0, fn, "x", 2.0 * N * H * D, "N*H*D bf16"));
  auto* pos = as<int32_t>(buf(info, 1, fn, "pos", 4.0 * N, "N int32"));
  auto* inv = as<float>(buf(info, 2, fn, "invFreq", 4.0 * (D / 2), "D/2 fp32"));
  run(info.Env(), "rope_apply", [&] { mt::cuda::rope_apply(x, pos, inv, N, H, D, inverse, impl); });
  return info.Env().Undefined();
}

Napi::Value AdamwUpdate(const Napi::CallbackInfo& info) {
  const char* fn = "cudaAdamwUpdate";
  Napi::Env env = info.Env();
  Napi::Value lv = arg(info, 0, "tensors");
  if (!lv.IsArray()) throw Napi::TypeError::New(env, std::string(fn) + ": 'tensors' must be an array");
  Napi::Array list = lv.As<Napi::Array>();
  std::vector<mt::cuda::AdamWTensor> ts(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value tv = list.Get(i);
    if (!tv.IsObject()) throw Napi::TypeError::New(env, std::string(fn) + ": tensors[" + std::to_string(i) + "] must be an object");
    Napi::Object t = tv.As<Napi::Object>();
    const double n = to_number(field(t, "n"), "n");
    const bool gb = to_bool(field(t, "gBf16"), "gBf16");
    // Each buffer through a one-element CallbackInfo-free path: unwrap directly.
    auto get = [&](const char* name, double need, const char* what, bool optional) -> void* {
      Napi::Value v = t.Get(name);
      if (optional && absent(v)) return nullptr;
      if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(CudaBuffer::ctor->Value()))
        throw Napi::TypeError::New(env, std::string(fn) + ": tensors[" + std::to_string(i) + "]." + name +
                                            " must be a CudaBuffer");
      return CudaBuffer::Unwrap(v.As<Napi::Object>())->data(env, fn, name, size_t(need), what);
    };
    mt::cuda::AdamWTensor& d = ts[i];
    d.n = int64_t(n);
    d.p = as<float>(get("p", 4 * n, "n fp32", false));
    d.g = get("g", (gb ? 2 : 4) * n, gb ? "n bf16" : "n fp32", false);
    d.g_bf16 = gb;
    d.m = as<float>(get("m", 4 * n, "n fp32", false));
    d.v = as<float>(get("v", 4 * n, "n fp32", false));
    d.p_bf16 = as<mt::cuda::bf16>(get("pBf16", 2 * n, "n bf16", true));
    d.anchor = as<float>(get("anchor", 4 * n, "n fp32", true));
    d.anchor_w = as<float>(get("anchorW", 4 * n, "n fp32", true));
    d.weight_decay = float(to_number(field(t, "weightDecay"), "weightDecay"));
  }
  Napi::Value hv = arg(info, 1, "hyper");
  if (!hv.IsObject()) throw Napi::TypeError::New(env, "'hyper' must be an object");
  Napi::Object h = hv.As<Napi::Object>();
  mt::cuda::AdamWConfig cfg{float(to_number(field(h, "lr"), "lr")), float(to_number(field(h, "beta1"), "beta1")),
                            float(to_number(field(h, "beta2"), "beta2")), float(to_number(field(h, "eps"), "eps")),
                            to_int(field(h, "step"), "step", 1)};
  if (!absent(h.Get("gradScale"))) cfg.grad_scale = float(to_number(h.Get("gradScale"), "gradScale"));
  if (!absent(h.Get("anchorLambda"))) cfg.anchor_lambda = float(to_number(h.Get("anchorLambda"), "anchorLambda"));
  if (!absent(h.Get("stochasticRounding")))
    cfg.stochastic_rounding = to_bool(h.Get("stochasticRounding"), "stochasticRounding");
  if (!absent(h.Get("seed"))) cfg.seed = uint64_t(to_number(h.Get("seed"), "seed"));
  Napi::Object o = info.Length() > 2 && !absent(info[2]) ? options(info, 2) : Napi::Object::New(env);
  const Impl impl = impl_of(o);
  const bool clip = !absent(o.Get("maxNorm"));
  const float max_norm = clip ? float(to_number(o.Get("maxNorm"), "maxNorm")) : 0.f;
  mt::cuda::ClipState cs{};
  run(env, "adamw_update", [&] {
    if (!clip) {
      mt::cuda::adamw_update(ts.data(), int(ts.size()), cfg, nullptr, impl);
      return;
    }
    Scratch state(sizeof(mt::cuda::ClipState));
    Scratch ws(mt::cuda::grad_sumsq_workspace_bytes(ts.data(), int(ts.size())));
    mt::cuda::grad_clip(ts.data(), int(ts.size()), max_norm, as<mt::cuda::ClipState>(state.p), ws.p, ws.n);
    mt::cuda::adamw_update(ts.data(), int(ts.size()), cfg, as<mt::cuda::ClipState>(state.p), impl);
    mt::cuda::synchronize("adamw_update");
    mt::cuda::copy_to_host(&cs, state.p, sizeof cs);
  });
  if (!clip) return env.Null();
  Napi::Object r = Napi::Object::New(env);
  r.Set("sumsq", cs.sumsq);
  r.Set("norm", cs.norm);
  r.Set("scale", double(cs.scale));
  r.Set("finite", cs.finite != 0);
  return r;
}

// The arguments both LM-head bindings take: (x, W, labels, dx?, dW?, last, {N, C, V, gradScale, chunk?, impl?});
// `last` is tokenLoss (fp32 [N]) for cudaLmheadXent and the accumulator for cudaLmheadXentAccumulate.
struct XentArgs {
  int N, C, V, chunk;
  float grad_scale;
  Impl impl;
  const mt::cuda::bf16 *x, *W;
  const int32_t* labels;
  mt::cuda::bf16* dx;
  float* dW;
};
XentArgs xent_args(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Object o = options(info, 6);
  XentArgs a{};
  a.N = to_int(field(o, "N"), "N", 0), a.C = to_int(field(o, "C"), "C", 1), a.V = to_int(field(o, "V"), "V", 1);
  a.grad_scale = float(to_number(field(o, "gradScale"), "gradScale"));
  a.chunk = absent(o.Get("chunk")) ? 0 : to_int(o.Get("chunk"), "chunk", 0);
  a.impl = impl_of(o);
  a.x = as<mt::cuda::bf16>(buf(info, 0, fn, "x", 2.0 * a.N * a.C, "N*C bf16"));
  a.W = as<mt::cuda::bf16>(buf(info, 1, fn, "W", 2.0 * a.V * a.C, "V*C bf16"));
  a.labels = as<int32_t>(buf(info, 2, fn, "labels", 4.0 * a.N, "N int32"));
  a.dx = as<mt::cuda::bf16>(buf(info, 3, fn, "dx", 2.0 * a.N * a.C, "N*C bf16", true));
  a.dW = as<float>(buf(info, 4, fn, "dW", 4.0 * a.V * a.C, "V*C fp32", true));
  return a;
}

Napi::Value LmheadXent(const Napi::CallbackInfo& info) {
  const char* fn = "cudaLmheadXent";
  const XentArgs a = xent_args(info, fn);
  auto* tl = as<float>(buf(info, 5, fn, "tokenLoss", 4.0 * a.N, "N fp32", true));
  mt::cuda::XentStats st{};
  run(info.Env(), "lmhead_xent", [&] {
    Scratch ws(mt::cuda::lmhead_xent_workspace_bytes(a.N, a.C, a.V, a.chunk));
    st = mt::cuda::lmhead_xent(a.x, a.W, a.labels, a.N, a.C, a.V, a.grad_scale, a.dx, a.dW, tl, a.chunk, ws.p, ws.n, a.impl);
  });
  Napi::Object r = Napi::Object::New(info.Env());
  r.Set("lossSum", st.loss_sum);
  r.Set("count", double(st.count));
  return r;
}

struct AttnDims {
  mt::cuda::AttnShape s;
  float scale;
  double nq, nkv, nbt, nl;  // element counts
  Impl impl;
};

AttnDims attn_dims(const Napi::CallbackInfo& info, size_t i) {
  Napi::Object o = options(info, i);
  AttnDims d;
  d.s.B = to_int(field(o, "B"), "B", 1);
  d.s.T = to_int(field(o, "T"), "T", 1);
  d.s.Hq = to_int(field(o, "Hq"), "Hq", 1);
  d.s.Hkv = to_int(field(o, "Hkv"), "Hkv", 1);
  d.s.D = to_int(field(o, "D"), "D", 1, 256);
  d.scale = float(to_number(field(o, "scale"), "scale"));
  d.impl = impl_of(o);
  d.nbt = double(d.s.B) * d.s.T;
  d.nq = d.nbt * d.s.Hq * d.s.D;
  d.nkv = d.nbt * d.s.Hkv * d.s.D;
  d.nl = d.nbt * d.s.Hq;
  return d;
}

Napi::Value AttentionDocBounds(const Napi::CallbackInfo& info) {
  const char* fn = "cudaAttentionDocBounds";
  Napi::Object o = options(info, 3);
  const int B = to_int(field(o, "B"), "B", 1), T = to_int(field(o, "T"), "T", 1);
  const int32_t* seg = i32(arg(info, 0, "seg"), "seg", int64_t(B) * T);
  void* start = buf(info, 1, fn, "start", 4.0 * B * T, "B*T int32");
  void* end = buf(info, 2, fn, "end", 4.0 * B * T, "B*T int32");
  std::vector<int32_t> st(size_t(B) * T), en(st.size());
  try {
    mt::cuda::attention_doc_bounds(seg, B, T, st.data(), en.data());
    mt::cuda::copy_to_device(start, st.data(), st.size() * 4);
    mt::cuda::copy_to_device(end, en.data(), en.size() * 4);
  } catch (const mt::Error& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  const char* fn = "cudaAttentionForward";
  const AttnDims d = attn_dims(info, 7);
  auto* q = as<mt::cuda::bf16>(buf(info, 0, fn, "q", 2 * d.nq, "B*T*Hq*D bf16"));
  auto* k = as<mt::cuda::bf16>(buf(info, 1, fn, "k", 2 * d.nkv, "B*T*Hkv*D bf16"));
  auto* v = as<mt::cuda::bf16>(buf(info, 2, fn, "v", 2 * d.nkv, "B*T*Hkv*D bf16"));
  auto* st = as<int32_t>(buf(info, 3, fn, "start", 4 * d.nbt, "B*T int32", true));
  auto* en = as<int32_t>(buf(info, 4, fn, "end", 4 * d.nbt, "B*T int32", true));
  auto* out = as<mt::cuda::bf16>(buf(info, 5, fn, "out", 2 * d.nq, "B*T*Hq*D bf16"));
  auto* lse = as<float>(buf(info, 6, fn, "lse", 4 * d.nl, "B*Hq*T fp32"));
  run(info.Env(), "attention_forward",
      [&] { mt::cuda::attention_forward(q, k, v, st, en, out, lse, d.s, d.scale, d.impl); });
  return info.Env().Undefined();
}

Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  const char* fn = "cudaAttentionBackward";
  const AttnDims d = attn_dims(info, 11);
  auto* q = as<mt::cuda::bf16>(buf(info, 0, fn, "q", 2 * d.nq, "B*T*Hq*D bf16"));
  auto* k = as<mt::cuda::bf16>(buf(info, 1, fn, "k", 2 * d.nkv, "B*T*Hkv*D bf16"));
  auto* v = as<mt::cuda::bf16>(buf(info, 2, fn, "v", 2 * d.nkv, "B*T*Hkv*D bf16"));
  auto* st = as<int32_t>(buf(info, 3, fn, "start", 4 * d.nbt, "B*T int32", true));
  auto* en = as<int32_t>(buf(info, 4, fn, "end", 4 * d.nbt, "B*T int32", true));
  auto* out = as<mt::cuda::bf16>(buf(info, 5, fn, "out", 2 * d.nq, "B*T*Hq*D bf16"));
  auto* dout = as<mt::cuda::bf16>(buf(info, 6, fn, "dout", 2 * d.nq, "B*T*Hq*D bf16"));
  auto* lse = as<float>(buf(info, 7, fn, "lse", 4 * d.nl, "B*Hq*T fp32"));
  auto* dq = as<mt::cuda::bf16>(buf(info, 8, fn, "dq", 2 * d.nq, "B*T*Hq*D bf16"));
  auto* dk = as<mt::cuda::bf16>(buf(info, 9, fn, "dk", 2 * d.nkv, "B*T*Hkv*D bf16"));
  auto* dv = as<mt::cuda::bf16>(buf(info, 10, fn, "dv", 2 * d.nkv, "B*T*Hkv*D bf16"));
  run(info.Env(), "attention_backward", [&] {
    Scratch ws(mt::cuda::attention_backward_workspace_bytes(d.s));
    mt::cuda::attention_backward(q, k, v, st, en, out, dout, lse, dq, dk, dv, d.s, d.scale, ws.p, ws.n, d.impl);
    mt::cuda::synchronize("attention_backward");
  });
  return info.Env().Undefined();
}

// The training step's variant: no label validation, no wait inside; this binding synchronises after it.
Napi::Value LmheadXentAccumulate(const Napi::CallbackInfo& info) {
  const char* fn = "cudaLmheadXentAccumulate";
  const XentArgs a = xent_args(info, fn);
  auto* acc = as<mt::cuda::XentAccum>(buf(info, 5, fn, "acc", double(sizeof(mt::cuda::XentAccum)), "fp64 + int64"));
  run(info.Env(), "lmhead_xent_accumulate", [&] {
    Scratch ws(mt::cuda::lmhead_xent_workspace_bytes(a.N, a.C, a.V, a.chunk));
    mt::cuda::lmhead_xent_accumulate(a.x, a.W, a.labels, a.N, a.C, a.V, a.grad_scale, a.dx, a.dW, nullptr, a.chunk, ws.p,
                                     ws.n, acc, a.impl);
    mt::cuda::synchronize("lmhead_xent_accumulate");
  });
  return info.Env().Undefined();
}

// The plan's options: LoRA's rank and targets (the names of enableLora), the frozen tensors' names, and an
// anchor ("l2sp": w0; "ewc": w0 and F).
mt::CudaPlanOptions plan_options(const Napi::Value& v) {
  mt::CudaPlanOptions o;
  if (absent(v)) return o;
  const Napi::Env env = v.Env();
  if (!v.IsObject()) throw Napi::TypeError::New(env, "cudaPlanMemory: 'options' must be an object");
  const Napi::Object opts = v.As<Napi::Object>();
  const Napi::Value lora = opts.Get("lora");
  if (!absent(lora)) {
    if (!lora.IsObject()) throw Napi::TypeError::New(env, "cudaPlanMemory: 'options.lora' must be an object");
    const Napi::Object l = lora.As<Napi::Object>();
    o.lora.rank = to_int(field(l, "rank"), "lora.rank", 1);
    o.lora.targets = parse_lora_targets(field(l, "targets"), "lora.targets");
  }
  const Napi::Value frozen = opts.Get("frozen");
  if (!absent(frozen)) {
    if (!frozen.IsArray()) throw Napi::TypeError::New(env, "'frozen' must be an array of tensor names");
    const Napi::Array a = frozen.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (!a.Get(i).IsString()) throw Napi::TypeError::New(env, "'frozen[" + std::to_string(i) + "]' must be a string");
      o.frozen.push_back(a.Get(i).As<Napi::String>().Utf8Value());
    }
  }
  const Napi::Value anchor = opts.Get("anchor");
  if (!absent(anchor)) {
    const std::string a = anchor.IsString() ? anchor.As<Napi::String>().Utf8Value() : "";
    if (a != "l2sp" && a != "ewc") throw Napi::TypeError::New(env, "'anchor' must be \"l2sp\" or \"ewc\"");
    o.anchor = a == "l2sp" ? 1 : 2;
  }
  const Napi::Value kl = opts.Get("klRef");
  if (!absent(kl)) o.kl_ref = to_bool(kl, "klRef");
  return o;
}

// cudaPlanMemory(config, B, T, recompute, options?): CudaLlama::plan, which allocates nothing.
Napi::Value PlanMemory(const Napi::CallbackInfo& info) {
  Napi::Value c = arg(info, 0, "config");
  if (!c.IsObject()) throw Napi::TypeError::New(info.Env(), "cudaPlanMemory: 'config' must be an object");
  const mt::LlamaConfig cfg = parse_config(c.As<Napi::Object>());
  const int B = to_int(arg(info, 1, "B"), "B", 1), T = to_int(arg(info, 2, "T"), "T", 1);
  const bool recompute = to_bool(arg(info, 3, "recompute"), "recompute");
  const mt::CudaPlanOptions opts = plan_options(info.Length() > 4 ? info[4] : info.Env().Undefined());
  const mt::CudaMemoryPlan p = mt::CudaLlama::plan(cfg, B, T, recompute, opts);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("weightsBytes", double(p.weights_bytes));
  o.Set("activationsBytes", double(p.activations_bytes));
  return o;
}

}  // namespace

bool cuda_built() { return true; }

void register_cuda(Napi::Env env, Napi::Object exports) {
  Napi::Function f = CudaBuffer::Define(env);
  CudaBuffer::ctor = new Napi::FunctionReference(Napi::Persistent(f));  // lives as long as the addon
  exports.Set("CudaBuffer", f);
  exports.Set("cudaInfo", Napi::Function::New(env, Info));
  exports.Set("cudaSwigluForward", Napi::Function::New(env, SwigluForward));
  exports.Set("cudaSwigluBackward", Napi::Function::New(env, SwigluBackward));
  exports.Set("cudaRmsnormForward", Napi::Function::New(env, RmsnormForward));
  exports.Set("cudaRmsnormBackward", Napi::Function::New(env, RmsnormBackward));
  exports.Set("cudaRopeApply", Napi::Function::New(env, RopeApply));
  exports.Set("cudaAdamwUpdate", Napi::Function::New(env, AdamwUpdate));
  exports.Set("cudaLmheadXent", Napi::Function::New(env, LmheadXent));
  exports.Set("cudaAttentionDocBounds", Napi::Function::New(env, AttentionDocBounds));
  exports.Set("cudaAttentionForward", Napi::Function::New(env, AttentionForward));
  exports.Set("cudaAttentionBackward", Napi::Function::New(env, AttentionBackward));
  exports.Set("cudaLmheadXentAccumulate", Napi::Function::New(env, LmheadXentAccumulate));
  exports.Set("cudaPlanMemory", Napi::Function::New(env, PlanMemory));
}

#else  // no CUDA backend in this build

namespace {
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("built", false);
  o.Set("backend", "none");
  o.Set("cublas", false);
  o.Set("devices", Napi::Array::New(env));
  o.Set("reason", "this addon was built without the CUDA backend (see the 'midtrain: CUDA backend' line of the build)");
  return o;
}
}  // namespace

bool cuda_built() { return false; }

void register_cuda(Napi::Env env, Napi::Object exports) { exports.Set("cudaInfo", Napi::Function::New(env, Info)); }

#endif

}  // namespace mt::napi

// midtrain_cuda_check: every CUDA kernel family against the CPU kernels
// (native/cpu, fp32) on fresh random inputs, plus the bad-input errors, and
// with --bench the timings for scripts/gpu-check.sh. Needs no Node, so it runs
// on a GPU machine that has only the CUDA toolkit; built by CMake with
// -DMIDTRAIN_CUDA=ON (or EMU: the same checks on the CPU emulation).
//
//   midtrain_cuda_check [--seed N] [--bench] [--json FILE] [--only FAMILY] [--fault] [--large]
//
// Inputs are random normals rounded to bf16; the CPU references run in fp32 on
// exactly those values. Outputs are poisoned (NaN bytes) before each run, so an
// unwritten element fails. Tolerances are stated beside each check, with the
// reasoning; they are far below the errors of a wrong index or mask (order 1).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "core/check.h"
#include "cpu/adamw.h"
#include "cpu/attention.h"
#include "cpu/norm.h"
#include "cpu/rope.h"
#include "cpu/swiglu.h"
#include "cpu/xent.h"
#include "cuda/adamw.h"
#include "cuda/attention.h"
#include "cuda/norm.h"
#include "cuda/rope.h"
#include "cuda/runtime.h"
#include "cuda/swiglu.h"
#include "cuda/xent.h"
#include "cuda/kl_xent.h"
#include "model/kl_head.h"  // the CPU reference of the "kl_xent" family (linked in: CMakeLists.txt)

namespace {

using mt::cuda::bf16;
using mt::cuda::Impl;

// ---- inputs, bf16, device arrays -------------------------------------------

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 1) {}
  uint64_t next() {
    s += 0x9e3779b97f4a7c15ull;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) / 9007199254740992.0; }
  double normal() { return std::sqrt(-2 * std::log(1 - uniform())) * std::cos(6.283185307179586 * uniform()); }
  int below(int n) { return int(next() % uint64_t(n)); }
};

uint16_t to_bf16(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu)) return uint16_t((b >> 16) | 0x40);
  b += 0x7fffu + ((b >> 16) & 1u);
  return uint16_t(b >> 16);
}
float from_bf16(uint16_t h) {
  const uint32_t b = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
float round_bf16(float f) { return from_bf16(to_bf16(f)); }

// Normals times `scale`, already rounded to bf16 (so CPU and GPU see the same values).
std::vector<float> randn(Rng& r, size_t n, double scale = 1.0) {
  std::vector<float> v(n);
  for (auto& x : v) x = round_bf16(float(r.normal() * scale));
  return v;
}

template <class T>
class Dev {
 public:
  explicit Dev(size_t n) : n_(n), p_(static_cast<T*>(mt::cuda::device_alloc(std::max<size_t>(n, 1) * sizeof(T)))) {}
  ~Dev() { mt::cuda::device_free(p_); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  T* get() const { return p_; }
  size_t size() const { return n_; }
  void upload(const std::vector<T>& h) { mt::cuda::copy_to_device(p_, h.data(), n_ * sizeof(T)); }
  std::vector<T> download() const {
    std::vector<T> h(n_);
    mt::cuda::copy_to_host(h.data(), p_, n_ * sizeof(T));
    return h;
  }
  void poison() { mt::cuda::fill_bytes(p_, 0xff, n_ * sizeof(T)); }  // NaN in bf16 and fp32

 private:
  size_t n_;
  T* p_;
};

// A bf16 device array from float values (rounded), and back.
struct DevBf16 : Dev<bf16> {
  explicit DevBf16(size_t n) : Dev<bf16>(n) {}
  explicit DevBf16(const std::vector<float>& v) : Dev<bf16>(v.size()) { set(v); }
  void set(const std::vector<float>& v) {
    std::vector<bf16> h(v.size());
    for (size_t i = 0; i < v.size(); ++i) h[i].bits = to_bf16(v[i]);
    upload(h);
  }
  std::vector<float> values() const {
    const auto h = download();
    std::vector<float> v(h.size());
    for (size_t i = 0; i < h.size(); ++i) v[i] = from_bf16(h[i].bits);
    return v;
  }
};

Dev<float>* dev_f32(const std::vector<float>& v) {
  auto* d = new Dev<float>(v.size());
  d->upload(v);
  return d;
}

// ---- results -----------------------------------------------------------------

struct Result {
  std::string name, detail;
  bool ok;
};
std::vector<Result> g_results;

void record(const std::string& name, bool ok, const std::string& detail) {
  g_results.push_back({name, detail, ok});
  std::printf("%s  %-44s %s\n", ok ? "PASS" : "FAIL", name.c_str(), detail.c_str());
  std::fflush(stdout);
}

std::string fmt(const char* f, double a) {
  char b[64];
  std::snprintf(b, sizeof b, f, a);
  return b;
}

struct Err {
  double max_rel = 0, l2_rel = 0;
  bool finite = true;
};

// max |got - ref| / max |ref| and ||got - ref|| / ||ref||; NaN anywhere fails.
Err compare(const std::vector<float>& got, const std::vector<float>& ref) {
  Err e;
  double num = 0, den = 0, mx = 0, mref = 1e-30;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i])) e.finite = false;
    const double d = double(got[i]) - double(ref[i]);
    num += d * d, den += double(ref[i]) * ref[i];
    mx = std::max(mx, std::abs(d)), mref = std::max(mref, std::abs(double(ref[i])));
  }
  e.max_rel = mx / mref;
  e.l2_rel = std::sqrt(num / std::max(den, 1e-300));
  return e;
}

void check_close(const std::string& name, const std::vector<float>& got, const std::vector<float>& ref, double max_tol,
                 double l2_tol) {
  const Err e = compare(got, ref);
  const bool ok = e.finite && got.size() == ref.size() && e.max_rel <= max_tol && e.l2_rel <= l2_tol;
  record(name, ok,
         (e.finite ? "" : "NON-FINITE ") + fmt("max_rel=%.2e", e.max_rel) + fmt(" (tol %.1e)", max_tol) +
             fmt(" l2_rel=%.2e", e.l2_rel) + fmt(" (tol %.1e)", l2_tol));
}

// One rounding to bf16 moves a value by at most 2^-8 (3.9e-3) of itself; the
// fp32 values before rounding differ from the CPU's by ~1e-6 relative, so an
// output rounded once is within kBf16Tol of the reference, element by element.
constexpr double kBf16Tol = 4e-3;

// Every element within rel * |ref| + abs_rel * abs_scale (+ 1e-30).
void check_elementwise(const std::string& name, const std::vector<float>& got, const std::vector<float>& ref,
                       double rel, const std::vector<float>* abs_scale = nullptr, double abs_rel = 0) {
  size_t bad = 0, first = 0;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel * std::abs(double(ref[i])) + (abs_scale ? abs_rel * (*abs_scale)[i] : 0.0) + 1e-30;
    const double d = std::abs(double(got[i]) - double(ref[i]));
    const bool fail = !(d <= tol);  // NaN fails
    if (fail && bad++ == 0) first = i;
    if (std::abs(double(ref[i])) > 1e-20) worst = std::max(worst, d / std::abs(double(ref[i])));
  }
  std::string detail = fmt("n=%.0f", double(got.size())) + fmt(" worst_rel=%.2e", worst) + fmt(" (tol %.2e)", rel);
  if (bad)
    detail += " " + std::to_string(bad) + " bad, first at " + std::to_string(first) + ": got " +
              fmt("%.6g", got[first]) + " ref " + fmt("%.6g", ref[first]);
  record(name, bad == 0 && got.size() == ref.size(), detail);
}

void check_throws(const std::string& name, const std::function<void()>& f, const std::string& expect) {
  try {
    f();
    record(name, false, "no error raised (expected one containing '" + expect + "')");
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    record(name, msg.find(expect) != std::string::npos, "error: " + msg);
  }
}

bool emulated() { return std::string(mt::cuda::backend_kind()) == "emulated"; }
bool g_large = false;  // --large: the GPU-sized attention cases on the emulation too (minutes)

// ---- swiglu -------------------------------------------------------------------

void check_swiglu(Rng& r) {
  for (Impl impl : {Impl::Fast, Impl::Simple}) {
    const char* tag = impl == Impl::Fast ? "fast" : "simple";
    const size_t n = size_t(8 * (200 + r.below(400)) + 1 + r.below(7));  // a scalar tail after the vectors
    const auto g = randn(r, n, 3.0), u = randn(r, n), d = randn(r, n);
    std::vector<float> out(n), dg(n), du(n);
    mt::cpu::swiglu_forward(g.data(), u.data(), out.data(), n);
    mt::cpu::swiglu_backward(d.data(), g.data(), u.data(), dg.data(), du.data(), n);
    DevBf16 G(g), U(u), D(d), O(n), DG(n), DU(n);
    O.poison(), DG.poison(), DU.poison();
    mt::cuda::swiglu_forward(G.get(), U.get(), O.get(), n, impl);
    mt::cuda::swiglu_backward(D.get(), G.get(), U.get(), DG.get(), DU.get(), n, impl);
    mt::cuda::synchronize("swiglu");
    check_elementwise(std::string("swiglu_forward ") + tag, O.values(), out, kBf16Tol);
    check_elementwise(std::string("swiglu_backward dgate ") + tag, DG.values(), dg, kBf16Tol);
    check_elementwise(std::string("swiglu_backward dup ") + tag, DU.values(), du, kBf16Tol);
  }
  DevBf16 A(64), B(64), C(64);
  check_throws("swiglu_forward misaligned -> error",
               [&] { mt::cuda::swiglu_forward(A.get() + 1, B.get(), C.get(), 32, Impl::Fast); }, "16-byte aligned");
}

// ---- rmsnorm ------------------------------------------------------------------

void check_rmsnorm(Rng& r) {
  const int N = 5 + r.below(40);
  for (int C : {64, 576, 1024, 4096, 8192, 72 * 3 + 4}) {
    for (Impl impl : {Impl::Fast, Impl::Simple}) {
      if (impl == Impl::Fast && C % 8 != 0) continue;
      const std::string tag = std::string(impl == Impl::Fast ? "fast" : "simple") + " C=" + std::to_string(C);
      const size_t NC = size_t(N) * C;
      const auto x = randn(r, NC), delta = randn(r, NC, 0.5), w = randn(r, C);
      // Reference on the bf16-rounded residual sum, as the GPU normalises its stored h.
      std::vector<float> h_ref(NC), y_ref(NC), h_tmp(NC), rstd_ref(N);
      for (size_t i = 0; i < NC; ++i) h_ref[i] = round_bf16(x[i] + delta[i]);
      mt::cpu::rmsnorm_forward(h_ref.data(), nullptr, h_tmp.data(), y_ref.data(), rstd_ref.data(), w.data(), N, C,
                               1e-5f);
      DevBf16 X(x), Dl(delta), W(w), H(NC), Y(NC);
      Dev<float> R(N);
      H.poison(), Y.poison(), R.poison();
      mt::cuda::rmsnorm_forward(X.get(), Dl.get(), H.get(), Y.get(), R.get(), W.get(), N, C, 1e-5f, impl);
      mt::cuda::synchronize("rmsnorm_forward");
      const auto hv = H.values();
      record("rmsnorm_forward h " + tag, hv == h_ref, "the residual sum, bitwise (x + delta rounded to bf16)");
      check_elementwise("rmsnorm_forward y " + tag, Y.values(), y_ref, kBf16Tol);
      check_elementwise("rmsnorm_forward rstd " + tag, R.download(), rstd_ref, 2e-6);

      // Backward: dh and dw accumulate into random initial values.
      const auto dy = randn(r, NC), dh0 = randn(r, NC), dw0 = randn(r, C);
      std::vector<float> dh_ref = dh0, dw_ref = dw0;
      mt::cpu::rmsnorm_backward(dy.data(), h_ref.data(), rstd_ref.data(), w.data(), dh_ref.data(), dw_ref.data(), N,
                                C);
      DevBf16 DY(dy), DH(dh0), Hd(h_ref);
      Dev<float> DW(C), Rd(N);
      DW.upload(dw0), Rd.upload(rstd_ref);
      Dev<unsigned char> ws(mt::cuda::rmsnorm_backward_workspace_bytes(N, C));
      mt::cuda::rmsnorm_backward(DY.get(), Hd.get(), Rd.get(), W.get(), DH.get(), DW.get(), N, C, ws.get(), ws.size(),
                                 impl);
      mt::cuda::synchronize("rmsnorm_backward");
      // dh = bf16(dh0 + g): one rounding of the sum, plus fp32 noise in g
      // (float vs double row sums, ~1e-6 of |g|'s terms): 2^-8 of the value and
      // 1e-4 of the gradient term's scale |dy w| + |h| |k|.
      std::vector<float> gscale(NC);
      for (int n = 0; n < N; ++n)
        for (int c = 0; c < C; ++c) {
          const size_t i = size_t(n) * C + c;
          gscale[i] = rstd_ref[n] * (std::abs(dy[i] * w[c]) + std::abs(h_ref[i]) * 1.f) + 1e-3f;
        }
      check_elementwise("rmsnorm_backward dh " + tag, DH.values(), dh_ref, kBf16Tol, &gscale, 1e-4);
      // dw: fp32 sums over N rows in another order than the CPU's double sums.
      check_close("rmsnorm_backward dw " + tag, DW.download(), dw_ref, 1e-5, 1e-5);
    }
  }
  DevBf16 A(64);
  Dev<float> R(8);
  check_throws("rmsnorm_forward C % 8 != 0 fast -> error",
               [&] { mt::cuda::rmsnorm_forward(A.get(), nullptr, A.get(), A.get(), R.get(), A.get(), 1, 12, 1e-5f); },
               "C % 8 == 0");
}

// ---- rope ---------------------------------------------------------------------

void check_rope(Rng& r) {
  for (int D : {64, 128, 48}) {
    const int N = 20 + r.below(50), H = 1 + r.below(6);
    std::vector<float> inv(D / 2);
    mt::cpu::RopeScaling sc;
    if (D == 128) sc.type = 1, sc.factor = 8.f, sc.low_freq_factor = 1.f, sc.high_freq_factor = 4.f;
    mt::cpu::rope_inv_freq(inv.data(), D, D == 128 ? 500000.f : 10000.f, sc);
    std::vector<int32_t> pos(N);
    for (auto& p : pos) p = r.below(D == 128 ? 9000 : 300);
    Dev<int32_t> P(N);
    P.upload(pos);
    Dev<float> I(inv.size());
    I.upload(inv);
    for (bool inverse : {false, true})
      for (Impl impl : {Impl::Fast, Impl::Simple}) {
        if (impl == Impl::Fast && D % 16 != 0) continue;
        const std::string tag = std::string(impl == Impl::Fast ? "fast" : "simple") + (inverse ? " inverse" : "") +
                                " D=" + std::to_string(D);
        const auto x = randn(r, size_t(N) * H * D);
        std::vector<float> ref = x;
        mt::cpu::rope_apply(ref.data(), pos.data(), inv.data(), N, H, D, inverse);
        // Tolerance: one bf16 rounding (2^-8 of the value) plus fp32 noise of
        // sincos (a few ulp) relative to the pair's size, for outputs near 0.
        std::vector<float> scale(x.size());
        for (int n = 0; n < N * H; ++n)
          for (int i = 0; i < D / 2; ++i) {
            const float s = std::abs(x[size_t(n) * D + i]) + std::abs(x[size_t(n) * D + i + D / 2]);
            scale[size_t(n) * D + i] = scale[size_t(n) * D + i + D / 2] = s;
          }
        DevBf16 X(x);
        mt::cuda::rope_apply(X.get(), P.get(), I.get(), N, H, D, inverse, impl);
        mt::cuda::synchronize("rope_apply");
        check_elementwise("rope_apply " + tag, X.values(), ref, kBf16Tol, &scale, 1e-5);
      }
  }
  DevBf16 X(64);
  Dev<int32_t> P(1);
  Dev<float> I(20);
  check_throws("rope_apply D=40 fast -> error", [&] { mt::cuda::rope_apply(X.get(), P.get(), I.get(), 1, 1, 40, false); },
               "D % 16 == 0");
}

// ---- adamw --------------------------------------------------------------------

struct HostTensor {
  std::vector<float> p, g, m, v, p0, w0;
  bool g_bf16 = false, anchor = false, anchor_w = false, copy = false;
  float wd = 0.f;
  int offset = 0;  // elements: a misaligned view forces the scalar path
};

void check_adamw(Rng& r) {
  const int count = 30;  // more than one launch batch (kAdamWBatch = 24)
  std::vector<HostTensor> ht(count);
  for (int i = 0; i < count; ++i) {
    HostTensor& t = ht[i];
    const int n = i == 3 ? 0 : i == 5 ? 1 : 1 + r.below(emulated() ? 6000 : 50000);
    t.p = randn(r, n), t.m = std::vector<float>(n, 0.f), t.v = std::vector<float>(n, 0.f);
    t.g_bf16 = i % 2 == 0;
    t.anchor = i % 3 == 0;
    t.anchor_w = i % 6 == 0;
    t.copy = i % 4 != 1;
    t.wd = i % 5 == 0 ? 0.f : 0.1f;
    t.offset = i == 7 ? 1 : 0;
    if (t.anchor) t.p0 = randn(r, n);
    if (t.anchor_w) {
      t.w0.resize(n);
      for (auto& w : t.w0) w = float(r.uniform() * 2);
    }
  }
  struct DevTensor {
    Dev<float>*p, *m, *v, *p0, *w0, *gf;
    DevBf16* gb;
    DevBf16* pb;
  };
  std::vector<DevTensor> dt(count);
  std::vector<mt::cuda::AdamWTensor> desc(count);
  auto alloc_f = [](const std::vector<float>& v, int off) {
    auto* d = new Dev<float>(v.size() + off);
    std::vector<float> h(v.size() + off, 0.f);
    std::copy(v.begin(), v.end(), h.begin() + off);
    d->upload(h);
    return d;
  };
  for (int i = 0; i < count; ++i) {
    HostTensor& t = ht[i];
    const int off = t.offset;
    dt[i] = {alloc_f(t.p, off), alloc_f(t.m, off), alloc_f(t.v, off), t.anchor ? alloc_f(t.p0, off) : nullptr,
             t.anchor_w ? alloc_f(t.w0, off) : nullptr, nullptr, nullptr, t.copy ? new DevBf16(t.p.size() + off) : nullptr};
    mt::cuda::AdamWTensor& d = desc[i];
    d.p = dt[i].p->get() + off, d.m = dt[i].m->get() + off, d.v = dt[i].v->get() + off;
    d.anchor = t.anchor ? dt[i].p0->get() + off : nullptr;
    d.anchor_w = t.anchor_w ? dt[i].w0->get() + off : nullptr;
    d.p_bf16 = t.copy ? dt[i].pb->get() + off : nullptr;
    d.n = int64_t(t.p.size());
    d.weight_decay = t.wd;
    d.g_bf16 = t.g_bf16;
  }
  mt::cuda::AdamWConfig cfg{1e-3f, 0.9f, 0.999f, 1e-8f, 0};
  cfg.anchor_lambda = 0.05f;
  Dev<mt::cuda::ClipState> clip(1);
  Dev<unsigned char> ws(mt::cuda::grad_sumsq_workspace_bytes(desc.data(), count));
  bool all_ok = true;
  std::string detail;
  for (int step = 1; step <= 3; ++step) {
    // Fresh gradients; the device gets them in each tensor's dtype.
    double sumsq = 0;
    for (int i = 0; i < count; ++i) {
      HostTensor& t = ht[i];
      t.g = randn(r, t.p.size(), 0.1);
      for (float gv : t.g) sumsq += double(gv) * gv;
      const int off = t.offset;
      delete dt[i].gf, delete dt[i].gb;
      dt[i].gf = nullptr, dt[i].gb = nullptr;
      std::vector<float> padded(t.g.size() + off, 0.f);
      std::copy(t.g.begin(), t.g.end(), padded.begin() + off);
      if (t.g_bf16) dt[i].gb = new DevBf16(padded), desc[i].g = dt[i].gb->get() + off;
      else dt[i].gf = dev_f32(padded), desc[i].g = dt[i].gf->get() + off;
    }
    const float max_norm = float(0.5 * std::sqrt(sumsq));  // clipping active
    mt::cuda::grad_clip(desc.data(), count, max_norm, clip.get(), ws.get(), ws.size());
    mt::cuda::synchronize("grad_clip");
    const mt::cuda::ClipState cs = clip.download()[0];
    const float clip_ref = float(std::min(1.0, double(max_norm) / (std::sqrt(sumsq) + 1e-6)));
    const bool clip_ok = cs.finite == 1 && std::abs(cs.sumsq - sumsq) <= 1e-12 * sumsq &&
                         std::abs(cs.scale - clip_ref) <= 2e-7f * clip_ref;
    if (!clip_ok) all_ok = false, detail += fmt(" step %.0f clip", step) + fmt(" sumsq=%.17g", cs.sumsq) +
                                            fmt(" vs %.17g", sumsq) + fmt(" scale=%.9g", cs.scale) + fmt(" vs %.9g", clip_ref);
    cfg.step = step;
    mt::cuda::adamw_update(desc.data(), count, cfg, clip.get(), step == 2 ? Impl::Simple : Impl::Fast);
    mt::cuda::synchronize("adamw_update");
    for (int i = 0; i < count; ++i) {
      HostTensor& t = ht[i];
      mt::cpu::AdamWHyper h{cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, t.wd, step, cs.scale, cfg.anchor_lambda};
      mt::cpu::adamw_update(t.p.data(), t.g.data(), t.m.data(), t.v.data(), t.p.size(), h,
                            t.anchor ? t.p0.data() : nullptr, t.anchor_w ? t.w0.data() : nullptr);
    }
  }
  // Same scalars and operation order as the CPU: differences are FMA
  // contraction only, a few ulp after 3 steps: 2e-6 of each array's scale.
  std::vector<float> gp, rp, gm, rm, gv, rv;
  bool copy_ok = true;
  for (int i = 0; i < count; ++i) {
    HostTensor& t = ht[i];
    const int off = t.offset;
    auto slice = [&](Dev<float>* d) {
      auto h = d->download();
      return std::vector<float>(h.begin() + off, h.end());
    };
    const auto p = slice(dt[i].p), m = slice(dt[i].m), v = slice(dt[i].v);
    gp.insert(gp.end(), p.begin(), p.end()), rp.insert(rp.end(), t.p.begin(), t.p.end());
    gm.insert(gm.end(), m.begin(), m.end()), rm.insert(rm.end(), t.m.begin(), t.m.end());
    gv.insert(gv.end(), v.begin(), v.end()), rv.insert(rv.end(), t.v.begin(), t.v.end());
    if (t.copy) {
      const auto pb = dt[i].pb->values();
      for (size_t j = 0; j < p.size(); ++j) copy_ok &= pb[j + off] == round_bf16(p[j]);
    }
  }
  record("grad_clip sumsq and scale (3 steps)", all_ok, all_ok ? "sumsq within 1e-12, scale within 2e-7" : detail);
  check_close("adamw_update p (3 steps, 30 tensors)", gp, rp, 2e-6, 2e-6);
  check_close("adamw_update m", gm, rm, 2e-6, 2e-6);
  check_close("adamw_update v", gv, rv, 2e-6, 2e-6);
  record("adamw_update bf16 copy == RNE(p)", copy_ok, "bitwise, every tensor with a copy");

  // A NaN gradient: grad_clip reports it and the update changes nothing.
  {
    const int i = 2;
    auto g = ht[i].g;
    g[g.size() / 2] = NAN;
    DevBf16 gb(g);
    const void* keep = desc[i].g;
    desc[i].g = gb.get();
    const auto before = dt[i].p->download();
    mt::cuda::grad_clip(desc.data(), count, 1.f, clip.get(), ws.get(), ws.size());
    cfg.step = 4;
    mt::cuda::adamw_update(desc.data(), count, cfg, clip.get());
    mt::cuda::synchronize("adamw_update");
    const auto cs = clip.download()[0];
    record("adamw_update skips on a NaN gradient", cs.finite == 0 && dt[i].p->download() == before,
           "ClipState.finite = " + std::to_string(cs.finite) + ", weights unchanged");
    desc[i].g = keep;
  }

  // Stochastic rounding: lr = 0 keeps p, so each call re-rounds the same values
  // with a new seed. Each result must be one of p's two bf16 neighbours, and
  // the average over calls must approach p (unbiased), where rounding to
  // nearest stays a quarter ulp away on average.
  {
    const int n = emulated() ? 1024 : 4096, trials = 128;
    const auto p = randn(r, n);
    std::vector<float> praw(n);
    for (auto& x : praw) x = float(r.normal());  // not bf16-representable
    Dev<float> P(n), M(n), V(n);
    P.upload(praw);
    M.upload(std::vector<float>(n, 0.f)), V.upload(std::vector<float>(n, 0.f));
    DevBf16 PB(n), G(randn(r, n));
    mt::cuda::AdamWTensor t;
    t.p = P.get(), t.m = M.get(), t.v = V.get(), t.g = G.get(), t.g_bf16 = true, t.p_bf16 = PB.get(), t.n = n;
    mt::cuda::AdamWConfig c{0.f, 0.9f, 0.999f, 1e-8f, 1};
    c.stochastic_rounding = true;
    std::vector<double> sum(n, 0.0);
    bool neighbours = true;
    for (int k = 0; k < trials; ++k) {
      c.seed = 1000 + k;
      mt::cuda::adamw_update(&t, 1, c, nullptr, k % 2 ? Impl::Simple : Impl::Fast);
      const auto pb = PB.values();
      for (int j = 0; j < n; ++j) {
        uint32_t b;
        std::memcpy(&b, &praw[j], 4);
        const float lo = from_bf16(uint16_t(b >> 16)), hi = from_bf16(uint16_t((b >> 16) + 1));
        neighbours &= pb[j] == lo || pb[j] == hi;
        sum[j] += pb[j];
      }
    }
    double bias = 0, rne = 0;
    for (int j = 0; j < n; ++j) {
      uint32_t b;
      std::memcpy(&b, &praw[j], 4);
      const double ulp = double(from_bf16(uint16_t((b >> 16) + 1))) - double(from_bf16(uint16_t(b >> 16)));
      bias += std::abs(sum[j] / trials - praw[j]) / std::abs(ulp);
      rne += std::abs(double(round_bf16(praw[j])) - praw[j]) / std::abs(ulp);
    }
    bias /= n, rne /= n;
    // Averages of 128 Bernoulli draws: mean |error| ~ 0.8 * 0.5 / sqrt(128) = 0.035 ulp.
    record("adamw_update stochastic rounding", neighbours && bias < 0.08 && rne > 0.2,
           std::string(neighbours ? "always a neighbour" : "NOT a neighbour") + fmt(", mean |avg - p| = %.3f ulp", bias) +
               fmt(" (tol 0.08; nearest: %.3f)", rne));
  }
  for (auto& d : dt) delete d.p, delete d.m, delete d.v, delete d.p0, delete d.w0, delete d.gf, delete d.gb, delete d.pb;
}

// ---- xent ---------------------------------------------------------------------

void check_xent(Rng& r) {
  const int N = 40 + r.below(60), C = 64, V = 200 + r.below(200);
  const auto x = randn(r, size_t(N) * C), W = randn(r, size_t(V) * C, 0.3);
  std::vector<int32_t> labels(N);
  for (auto& y : labels) y = r.below(6) == 0 ? -100 : r.below(V);
  const auto dW0 = randn(r, size_t(V) * C, 0.01);
  const float gs = 1.f / float(N);
  std::vector<float> dx_ref(size_t(N) * C), dW_ref = dW0, tl_ref(N);
  const auto res = mt::cpu::lmhead_xent(x.data(), W.data(), labels.data(), N, C, V, gs, dx_ref.data(), dW_ref.data(),
                                        tl_ref.data(), 0);
  std::vector<float> dW_delta_ref(dW_ref.size());
  for (size_t i = 0; i < dW_ref.size(); ++i) dW_delta_ref[i] = dW_ref[i] - dW0[i];
  DevBf16 X(x), Wd(W);
  Dev<int32_t> L(N);
  L.upload(labels);
  for (Impl impl : {Impl::Fast, Impl::Simple})
    for (int chunk : {0, 16}) {
      const std::string tag = std::string(impl == Impl::Fast ? "fast" : "simple") + " chunk=" + std::to_string(chunk);
      DevBf16 DX(size_t(N) * C);
      Dev<float> DW(dW0.size()), TL(N);
      DW.upload(dW0);
      DX.poison(), TL.poison();
      Dev<unsigned char> ws(mt::cuda::lmhead_xent_workspace_bytes(N, C, V, chunk));
      const auto st = mt::cuda::lmhead_xent(X.get(), Wd.get(), L.get(), N, C, V, gs, DX.get(), DW.get(), TL.get(),
                                            chunk, ws.get(), ws.size(), impl);
      // Logits are fp32 sums of exact bf16 products, as on the CPU: the loss
      // agrees to ~1e-6 relative. Gradients pass through bf16 dlogits (2^-9
      // relative each) and, for dx, a bf16 output.
      record("lmhead_xent loss " + tag, st.count == res.count && std::abs(st.loss_sum - res.loss_sum) <= 1e-5 * std::abs(res.loss_sum),
             fmt("loss_sum=%.9g", st.loss_sum) + fmt(" ref %.9g", res.loss_sum) + " count=" + std::to_string(st.count) +
                 "/" + std::to_string(res.count));
      check_close("lmhead_xent token_loss " + tag, TL.download(), tl_ref, 1e-5, 1e-5);
      check_close("lmhead_xent dx " + tag, DX.values(), dx_ref, 1e-2, 5e-3);
      auto dW = DW.download();
      for (size_t i = 0; i < dW.size(); ++i) dW[i] -= dW0[i];
      check_close("lmhead_xent dW (added) " + tag, dW, dW_delta_ref, 1e-2, 5e-3);
    }
  // Eval mode and a bad label.
  {
    Dev<unsigned char> ws(mt::cuda::lmhead_xent_workspace_bytes(N, C, V, 0));
    const auto st = mt::cuda::lmhead_xent(X.get(), Wd.get(), L.get(), N, C, V, 1.f, nullptr, nullptr, nullptr, 0,
                                          ws.get(), ws.size());
    record("lmhead_xent eval mode", std::abs(st.loss_sum - res.loss_sum) <= 1e-5 * std::abs(res.loss_sum),
           fmt("loss_sum=%.9g", st.loss_sum));
    auto bad = labels;
    bad[N / 2] = V;
    L.upload(bad);
    Dev<float> DW(dW0.size());
    DW.upload(dW0);
    check_throws("lmhead_xent bad label -> error",
                 [&] { mt::cuda::lmhead_xent(X.get(), Wd.get(), L.get(), N, C, V, 1.f, nullptr, DW.get(), nullptr, 0,
                                             ws.get(), ws.size()); },
                 "labels[" + std::to_string(N / 2) + "] = " + std::to_string(V));
    record("lmhead_xent bad label leaves dW untouched", DW.download() == dW0, "bitwise");
  }
}

// ---- kl_xent ------------------------------------------------------------------

// Against the CPU's fused head (model/kl_head.h: fp32 logits, double sums) on
// the same bf16-rounded inputs. Two references: a near copy of the model
// (small KL: the log-ratio's cancellation) and an unrelated one of another
// width Cr (large KL: the kl_weight * (p - q) gradient term is order 1, so a
// wrong or missing term fails the gradient checks by far).
void check_kl_xent(Rng& r) {
  const int N = 40 + r.below(60), C = 64, V = 200 + r.below(200);
  const float kl_w = float(0.25 + 1.5 * r.uniform());
  const auto x = randn(r, size_t(N) * C), W = randn(r, size_t(V) * C, 0.3);
  std::vector<int32_t> labels(N);
  for (auto& y : labels) y = r.below(6) == 0 ? -100 : r.below(V);
  labels[0] = -100;  // an ignored row, always
  int count = 0;
  for (int32_t y : labels) count += y != -100;
  const float gs = 1.f / float(count);
  const auto dW0 = randn(r, size_t(V) * C, 0.01);
  Dev<int32_t> L(N);
  L.upload(labels);
  DevBf16 X(x), Wd(W);

  struct RefCase {
    std::string name;
    int Cr;
    std::vector<float> xr, Wr;
  };
  std::vector<RefCase> cases;
  {
    std::vector<float> xr = x, Wr = W;  // near copy: each value moved by ~5%
    for (auto& v : xr) v = round_bf16(float(v + 0.05 * r.normal()));
    for (auto& v : Wr) v = round_bf16(float(v + 0.015 * r.normal()));
    cases.push_back({"near", C, xr, Wr});
  }
  {
    const int Cr = 48;
    cases.push_back({"other Cr=48", Cr, randn(r, size_t(N) * Cr), randn(r, size_t(V) * Cr, 0.3)});
  }
  for (const auto& rc : cases) {
    const int Cr = rc.Cr;
    std::vector<float> dx_ref(size_t(N) * C), dW_ref = dW0;
    const auto ref = mt::lmhead_xent_kl(x.data(), W.data(), rc.xr.data(), rc.Wr.data(), labels.data(), N, C, Cr, V, gs,
                                        kl_w, dx_ref.data(), dW_ref.data());
    std::vector<float> dW_delta_ref(dW_ref.size());
    for (size_t i = 0; i < dW_ref.size(); ++i) dW_delta_ref[i] = dW_ref[i] - dW0[i];
    DevBf16 XR(rc.xr), WR(rc.Wr);
    for (Impl impl : {Impl::Fast, Impl::Simple})
      for (int chunk : {0, 16}) {
        const std::string tag = rc.name + " " + (impl == Impl::Fast ? "fast" : "simple") + " chunk=" +
                                std::to_string(chunk);
        DevBf16 DX(size_t(N) * C);
        Dev<float> DW(dW0.size());
        DW.upload(dW0);
        DX.poison();
        Dev<unsigned char> ws(mt::cuda::lmhead_xent_kl_workspace_bytes(N, V, chunk));
        const auto st = mt::cuda::lmhead_xent_kl(X.get(), Wd.get(), XR.get(), WR.get(), L.get(), N, C, Cr, V, gs, kl_w,
                                                 DX.get(), DW.get(), chunk, ws.get(), ws.size(), impl);
        // Logits are fp32 sums of exact bf16 products on both sides, in other
        // orders: ~1e-6 absolute on logits of size ~3, so the loss agrees to
        // 1e-5 relative (as lmhead_xent's) and each row's KL to ~4e-6
        // absolute (its log-ratio moves by two logits' and two normalisers'
        // errors), whatever the KL's size: the tolerance is 1e-5 relative plus
        // 1e-5 per row. Gradients pass through bf16 dlogits (2^-9 relative
        // each) and, for dx, a bf16 output: lmhead_xent's 1e-2 / 5e-3.
        record("kl_xent loss " + tag,
               st.count == ref.count && std::abs(st.loss_sum - ref.loss_sum) <= 1e-5 * std::abs(ref.loss_sum),
               fmt("loss_sum=%.9g", st.loss_sum) + fmt(" ref %.9g", ref.loss_sum) + " count=" +
                   std::to_string(st.count) + "/" + std::to_string(ref.count));
        const double kl_tol = 1e-5 * std::abs(ref.kl_sum) + 1e-5 * double(ref.count);
        record("kl_xent kl " + tag, std::abs(st.kl_sum - ref.kl_sum) <= kl_tol && ref.kl_sum > 0,
               fmt("kl_sum=%.9g", st.kl_sum) + fmt(" ref %.9g", ref.kl_sum) + fmt(" (tol %.1e)", kl_tol));
        check_close("kl_xent dx " + tag, DX.values(), dx_ref, 1e-2, 5e-3);
        auto dW = DW.download();
        for (size_t i = 0; i < dW.size(); ++i) dW[i] -= dW0[i];
        check_close("kl_xent dW (added) " + tag, dW, dW_delta_ref, 1e-2, 5e-3);
        const auto dxv = DX.values();
        bool zero = true;
        for (int c = 0; c < C; ++c) zero = zero && dxv[size_t(c)] == 0.f;
        record("kl_xent ignored row: dx exactly 0 " + tag, zero, "row 0");
      }

    // The step's entry: the same sums, dx and dW bitwise; a second call adds to the totals.
    {
      std::vector<float> dW_chk;
      DevBf16 DXc(size_t(N) * C), DXa(size_t(N) * C);
      Dev<float> DWc(dW0.size()), DWa(dW0.size());
      DWc.upload(dW0), DWa.upload(dW0);
      Dev<unsigned char> ws(mt::cuda::lmhead_xent_kl_workspace_bytes(N, V, 0));
      const auto st = mt::cuda::lmhead_xent_kl(X.get(), Wd.get(), XR.get(), WR.get(), L.get(), N, C, Cr, V, gs, kl_w,
                                               DXc.get(), DWc.get(), 0, ws.get(), ws.size());
      Dev<mt::cuda::XentAccum> acc(1);
      Dev<double> kls(1);
      mt::cuda::fill_bytes(acc.get(), 0, sizeof(mt::cuda::XentAccum));
      mt::cuda::fill_bytes(kls.get(), 0, sizeof(double));
      mt::cuda::lmhead_xent_kl_accumulate(X.get(), Wd.get(), XR.get(), WR.get(), L.get(), N, C, Cr, V, gs, kl_w,
                                          DXa.get(), DWa.get(), 0, ws.get(), ws.size(), acc.get(), kls.get());
      const auto a1 = acc.download()[0];
      const double k1 = kls.download()[0];
      record("kl_xent accumulate = checked (bitwise) " + rc.name,
             a1.loss_sum == st.loss_sum && a1.count == st.count && k1 == st.kl_sum &&
                 DXa.values() == DXc.values() && DWa.download() == DWc.download(),
             fmt("loss_sum=%.17g", a1.loss_sum) + fmt(" kl_sum=%.17g", k1));
      mt::cuda::lmhead_xent_kl_accumulate(X.get(), Wd.get(), XR.get(), WR.get(), L.get(), N, C, Cr, V, gs, kl_w,
                                          nullptr, nullptr, 0, ws.get(), ws.size(), acc.get(), kls.get());
      const auto a2 = acc.download()[0];
      const double k2 = kls.download()[0];
      record("kl_xent accumulate adds (eval mode, twice) " + rc.name,
             a2.loss_sum == 2 * st.loss_sum && a2.count == 2 * st.count && k2 == 2 * st.kl_sum,
             fmt("loss_sum=%.17g", a2.loss_sum) + fmt(" kl_sum=%.17g", k2));
    }
  }

  // The reference equal to the model: KL exactly 0 (the log-ratio is a
  // difference of equal logits) and the gradient of plain cross-entropy.
  {
    std::vector<float> dx_ce(size_t(N) * C), dW_ce(size_t(V) * C, 0.f), tl(N);
    mt::cpu::lmhead_xent(x.data(), W.data(), labels.data(), N, C, V, gs, dx_ce.data(), dW_ce.data(), tl.data(), 0);
    for (Impl impl : {Impl::Fast, Impl::Simple}) {
      const std::string tag = impl == Impl::Fast ? "fast" : "simple";
      DevBf16 DX(size_t(N) * C);
      Dev<float> DW(size_t(V) * C);
      mt::cuda::fill_bytes(DW.get(), 0, DW.size() * 4);
      DX.poison();
      Dev<unsigned char> ws(mt::cuda::lmhead_xent_kl_workspace_bytes(N, V, 0));
      const auto st = mt::cuda::lmhead_xent_kl(X.get(), Wd.get(), X.get(), Wd.get(), L.get(), N, C, C, V, gs, kl_w,
                                               DX.get(), DW.get(), 0, ws.get(), ws.size(), impl);
      // Simple's KL is the sum of q ((zr - lser) - (z - lse)) in double: ~1e-16 per term, not exactly 0.
      const double tol = impl == Impl::Fast ? 0.0 : 1e-12 * count;
      record("kl_xent reference = model: kl 0 " + tag, std::abs(st.kl_sum) <= tol, fmt("kl_sum=%.3g", st.kl_sum));
      check_close("kl_xent reference = model: dx = CE's " + tag, DX.values(), dx_ce, 1e-2, 5e-3);
      check_close("kl_xent reference = model: dW = CE's " + tag, DW.download(), dW_ce, 1e-2, 5e-3);
    }
  }

  // The chunk that fits lmhead_xent's workspace (how the CUDA model runs the KL head in its LM-head scratch):
  // the largest that fits, for test and model shapes from 32 rows up; with fewer rows lmhead_xent's
  // workspace can be too small for even one KL row (N = 1: 6 V bytes against 10 V).
  {
    bool ok = true;
    std::string detail;
    for (const auto& [n, v] : {std::pair<int, int>{N, V}, {32, 96}, {8192, 128256}, {65536, 151936}, {32, 256000}}) {
      const size_t budget = mt::cuda::lmhead_xent_workspace_bytes(n, 2048, v, 0);
      const int R = mt::cuda::lmhead_xent_kl_chunk_within(n, v, budget);
      const int Rmax = mt::cuda::lmhead_xent_kl_chunk(n, v, 0);
      const bool fits = R > 0 && mt::cuda::lmhead_xent_kl_workspace_bytes(n, v, R) <= budget;
      // The largest, or within 16 rows of it (rounded down to whole 16-row GEMM tiles).
      const bool largest = R == Rmax || (R % 16 == 0 && mt::cuda::lmhead_xent_kl_workspace_bytes(n, v, R + 16) > budget);
      ok = ok && fits && largest;
      detail += " N=" + std::to_string(n) + ",V=" + std::to_string(v) + ":" + std::to_string(R);
    }
    ok = ok && mt::cuda::lmhead_xent_kl_chunk_within(N, V, 100) == 0 &&
         mt::cuda::lmhead_xent_kl_chunk_within(1, 32000, mt::cuda::lmhead_xent_workspace_bytes(1, 2048, 32000, 0)) == 0 &&
         mt::cuda::lmhead_xent_kl_chunk_within(1, 32000, mt::cuda::lmhead_xent_kl_workspace_bytes(1, 32000, 0)) == 1;
    record("kl_xent chunk within lmhead_xent's workspace", ok, "chunks" + detail);
  }

  // Bad input: a label (nothing written), kl_weight, workspace.
  {
    Dev<unsigned char> ws(mt::cuda::lmhead_xent_kl_workspace_bytes(N, V, 0));
    auto bad = labels;
    bad[N / 2] = V;
    L.upload(bad);
    Dev<float> DW(dW0.size());
    DW.upload(dW0);
    check_throws("kl_xent bad label -> error",
                 [&] { mt::cuda::lmhead_xent_kl(X.get(), Wd.get(), X.get(), Wd.get(), L.get(), N, C, C, V, 1.f, kl_w,
                                                nullptr, DW.get(), 0, ws.get(), ws.size()); },
                 "labels[" + std::to_string(N / 2) + "] = " + std::to_string(V));
    record("kl_xent bad label leaves dW untouched", DW.download() == dW0, "bitwise");
    L.upload(labels);
    check_throws("kl_xent negative kl_weight -> error",
                 [&] { mt::cuda::lmhead_xent_kl(X.get(), Wd.get(), X.get(), Wd.get(), L.get(), N, C, C, V, 1.f, -0.5f,
                                                nullptr, nullptr, 0, ws.get(), ws.size()); },
                 "kl_weight must be finite and >= 0");
    check_throws("kl_xent small workspace -> error",
                 [&] { mt::cuda::lmhead_xent_kl(X.get(), Wd.get(), X.get(), Wd.get(), L.get(), N, C, C, V, 1.f, kl_w,
                                                nullptr, nullptr, 0, ws.get(), ws.size() - 1); },
                 "workspace of");
  }
}

// ---- attention ----------------------------------------------------------------

struct AttnCase {
  int B, T, Hq, Hkv, D;
  bool packed;
};

std::vector<int32_t> random_seg(Rng& r, int B, int T) {
  std::vector<int32_t> seg(size_t(B) * T);
  for (int b = 0; b < B; ++b) {
    // 1-4 documents of random lengths with arbitrary distinct ids.
    const int docs = T < 4 ? 1 : 1 + r.below(4);
    std::vector<int> cuts = {0, T};
    for (int d = 1; d < docs; ++d) cuts.push_back(1 + r.below(T - 1));
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    const int base = r.below(1000);
    for (size_t d = 0; d + 1 < cuts.size(); ++d)
      for (int i = cuts[d]; i < cuts[d + 1]; ++i) seg[size_t(b) * T + i] = base + 7 * int(d) - (d == 2 ? 500 : 0);
  }
  return seg;
}

void check_attention(Rng& r) {
  std::vector<AttnCase> cases = {
      {1, 1, 2, 1, 64, false},    {1, 130, 4, 2, 64, true},  {2, 70, 2, 1, 128, false},
      {1, 200, 4, 4, 128, true},  {2, 65, 4, 2, 64, true},   {1, 150, 8, 1, 128, true},
  };
  if (!emulated() || g_large) cases.push_back({2, 1000, 8, 2, 128, true}), cases.push_back({1, 2048, 4, 1, 64, true});
  for (const AttnCase& c : cases) {
    const mt::cuda::AttnShape sh{c.B, c.T, c.Hq, c.Hkv, c.D};
    const std::string tag = "B=" + std::to_string(c.B) + " T=" + std::to_string(c.T) + " Hq=" + std::to_string(c.Hq) +
                            " Hkv=" + std::to_string(c.Hkv) + " D=" + std::to_string(c.D) + (c.packed ? " packed" : "");
    const size_t nq = size_t(c.B) * c.T * c.Hq * c.D, nkv = size_t(c.B) * c.T * c.Hkv * c.D;
    const size_t nl = size_t(c.B) * c.Hq * c.T;
    const float scale = 1.f / std::sqrt(float(c.D));
    const auto q = randn(r, nq, 2.0), k = randn(r, nkv), v = randn(r, nkv), dout = randn(r, nq);
    std::vector<int32_t> seg;
    if (c.packed) seg = random_seg(r, c.B, c.T);
    const mt::cpu::AttnShape cs{c.B, c.T, c.Hq, c.Hkv, c.D};
    std::vector<float> out_ref(nq), lse_ref(nl), dq_ref(nq), dk_ref(nkv), dv_ref(nkv);
    mt::cpu::attention_forward(q.data(), k.data(), v.data(), c.packed ? seg.data() : nullptr, out_ref.data(),
                               lse_ref.data(), cs, scale);
    mt::cpu::attention_backward(q.data(), k.data(), v.data(), c.packed ? seg.data() : nullptr, out_ref.data(),
                                dout.data(), lse_ref.data(), dq_ref.data(), dk_ref.data(), dv_ref.data(), cs, scale);

    std::vector<int32_t> st(size_t(c.B) * c.T), en(st.size());
    mt::cuda::attention_doc_bounds(c.packed ? seg.data() : nullptr, c.B, c.T, st.data(), en.data());
    Dev<int32_t> S(st.size()), E(en.size());
    S.upload(st), E.upload(en);
    const int32_t* sp = c.packed ? S.get() : nullptr;
    const int32_t* ep = c.packed ? E.get() : nullptr;
    DevBf16 Q(q), K(k), Vd(v), DO(dout);
    Dev<unsigned char> ws(mt::cuda::attention_backward_workspace_bytes(sh));
    for (Impl impl : {Impl::Fast, Impl::Simple}) {
      const std::string t2 = std::string(impl == Impl::Fast ? "fast " : "simple ") + tag;
      DevBf16 O(nq), DQ(nq), DK(nkv), DV(nkv);
      Dev<float> L(nl);
      O.poison(), L.poison(), DQ.poison(), DK.poison(), DV.poison();
      mt::cuda::attention_forward(Q.get(), K.get(), Vd.get(), sp, ep, O.get(), L.get(), sh, scale, impl);
      mt::cuda::synchronize("attention_forward");
      const auto o = O.values();
      // out: the fast kernel rounds P to bf16 before P V (2^-9 relative per
      // term) and out to bf16; the simple one rounds only out.
      if (impl == Impl::Fast) check_close("attention_forward out " + t2, o, out_ref, 2e-2, 6e-3);
      else check_close("attention_forward out " + t2, o, out_ref, 8e-3, 4e-3);
      // lse: fp32 scores from exact bf16 products; exp2/log2 and the order of
      // the fp32 sum over up to T keys differ from the CPU (each sum's relative
      // error grows with the number of terms): 1e-5 relative + (2e-5 + 3e-8 T) absolute.
      std::vector<float> lse = L.download(), one(nl, 1.f);
      check_elementwise("attention_forward lse " + t2, lse, lse_ref, 1e-5, &one, 2e-5 + 3e-8 * c.T);

      mt::cuda::attention_backward(Q.get(), K.get(), Vd.get(), sp, ep, O.get(), DO.get(), L.get(), DQ.get(), DK.get(),
                                   DV.get(), sh, scale, ws.get(), ws.size(), impl);
      mt::cuda::synchronize("attention_backward");
      // Gradients: dS and P pass through bf16 (fast), inputs out/lse are the
      // GPU's own (bf16 out), so ~1e-2 of each array's scale at most.
      const double mt = impl == Impl::Fast ? 3e-2 : 2e-2, lt = impl == Impl::Fast ? 1.2e-2 : 8e-3;
      if (c.T == 1) {
        // A query that sees only itself: P = 1 and dP = Di, so dq and dk are
        // exactly 0 and the kernel's values are rounding: compare them with
        // the scale of the cancelled terms, scale * |dO . v| * |k| <= scale * D * 16.
        double worst = 0;
        for (float x : DQ.values()) worst = std::max(worst, double(std::abs(x)));
        for (float x : DK.values()) worst = std::max(worst, double(std::abs(x)));
        const double bound = 1e-4 * scale * c.D * 16;
        record("attention_backward dq dk (== 0) " + t2, worst <= bound,
               fmt("max |dq|, |dk| = %.2e", worst) + fmt(" (tol %.1e)", bound));
      } else {
        check_close("attention_backward dq " + t2, DQ.values(), dq_ref, mt, lt);
        check_close("attention_backward dk " + t2, DK.values(), dk_ref, mt, lt);
      }
      check_close("attention_backward dv " + t2, DV.values(), dv_ref, mt, lt);

      if (impl == Impl::Fast && c.packed && c.B >= 1) {
        // No attention across documents: change every key and value outside the
        // first document of row 0; the outputs of that document stay bitwise.
        int first_end = en[0];
        if (first_end < c.T) {
          auto k2 = k, v2 = v;
          for (int i = first_end; i < c.T; ++i)
            for (int h = 0; h < c.Hkv; ++h)
              for (int d = 0; d < c.D; ++d) {
                const size_t ix = (size_t(i) * c.Hkv + h) * c.D + d;
                k2[ix] = round_bf16(float(r.normal() * 3));
                v2[ix] = round_bf16(float(r.normal() * 3));
              }
          DevBf16 K2(k2), V2(v2), O2(nq);
          Dev<float> L2(nl);
          mt::cuda::attention_forward(Q.get(), K2.get(), V2.get(), sp, ep, O2.get(), L2.get(), sh, scale, impl);
          const auto o2 = O2.values();
          bool same = true;
          for (int i = 0; i < first_end; ++i)
            for (int j = 0; j < c.Hq * c.D; ++j) same &= o2[size_t(i) * c.Hq * c.D + j] == o[size_t(i) * c.Hq * c.D + j];
          record("attention_forward document isolation " + t2, same,
                 "first document (" + std::to_string(first_end) + " tokens) bitwise unchanged");
        }
        // dk/dv are written without atomics: a rerun gives the same bits.
        const auto dk1 = DK.values(), dv1 = DV.values();
        mt::cuda::attention_backward(Q.get(), K.get(), Vd.get(), sp, ep, O.get(), DO.get(), L.get(), DQ.get(),
                                     DK.get(), DV.get(), sh, scale, ws.get(), ws.size(), impl);
        mt::cuda::synchronize("attention_backward");
        record("attention_backward dk dv deterministic " + t2, DK.values() == dk1 && DV.values() == dv1, "bitwise rerun");
      }
    }
  }
  // Bad input.
  const mt::cuda::AttnShape bad{1, 16, 2, 2, 96};
  DevBf16 A(16 * 2 * 96 + 8), O(16 * 2 * 96);
  Dev<float> L(32);
  check_throws("attention_forward D=96 fast -> error",
               [&] { mt::cuda::attention_forward(A.get(), A.get(), A.get(), nullptr, nullptr, O.get(), L.get(), bad, 0.1f); },
               "unsupported head dim D=96");
  const mt::cuda::AttnShape ok{1, 16, 2, 2, 64};
  check_throws("attention_forward misaligned -> error",
               [&] { mt::cuda::attention_forward(A.get() + 1, A.get(), A.get(), nullptr, nullptr, O.get(), L.get(), ok, 0.1f); },
               "16-byte aligned");
  check_throws("attention_forward Hq % Hkv -> error",
               [&] { mt::cuda::attention_forward(A.get(), A.get(), A.get(), nullptr, nullptr, O.get(), L.get(),
                                                 mt::cuda::AttnShape{1, 16, 3, 2, 64}, 0.1f); },
               "must divide Hq");
  std::vector<int32_t> seg = {1, 1, 2, 2, 1, 1}, st(6), en(6);
  check_throws("attention_doc_bounds repeated id -> error",
               [&] { mt::cuda::attention_doc_bounds(seg.data(), 1, 6, st.data(), en.data()); }, "two separate runs");
}

// ---- benchmarks (real GPU only) -----------------------------------------------

struct Bench {
  std::string kernel, shape;
  double ms, bytes, flops;
};
std::vector<Bench> g_bench;

double median_ms(const std::function<void()>& f, int reps) {
  mt::cuda::Timer t;
  f();  // warm-up
  f();
  mt::cuda::synchronize("bench");
  std::vector<float> v;
  for (int i = 0; i < reps; ++i) {
    t.start();
    f();
    v.push_back(t.stop_ms());
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void bench(const std::string& kernel, const std::string& shape, double bytes, double flops,
           const std::function<void()>& f, int reps = 10) {
  const double ms = median_ms(f, reps);
  g_bench.push_back({kernel, shape, ms, bytes, flops});
  std::printf("BENCH %-28s %-34s %9.3f ms", kernel.c_str(), shape.c_str(), ms);
  if (bytes > 0) std::printf("  %8.1f GB/s", bytes / ms / 1e6);
  if (flops > 0) std::printf("  %8.1f TFLOP/s", flops / ms / 1e9);
  std::printf("\n");
  std::fflush(stdout);
}

void fill_random_bf16(DevBf16& d, Rng& r, double scale = 1.0) {
  std::vector<float> h(d.size());
  // Random values repeated in blocks: cheap to make for GB-sized arrays, never zeros.
  std::vector<float> block(1 << 16);
  for (auto& x : block) x = float(r.normal() * scale);
  for (size_t i = 0; i < h.size(); ++i) h[i] = block[(i * 7 + i / block.size()) % block.size()];
  d.set(h);
}
void fill_random_f32(Dev<float>& d, Rng& r, double scale = 1.0, double offset = 0.0) {
  std::vector<float> h(d.size()), block(1 << 16);
  for (auto& x : block) x = float(r.normal() * scale + offset);
  for (size_t i = 0; i < h.size(); ++i) h[i] = std::abs(block[(i * 7 + i / block.size()) % block.size()]);
  d.upload(h);
}

void run_benchmarks(Rng& r) {
  {  // device copy bandwidth: bytes read + written
    const size_t n = size_t(1) << 30;
    Dev<unsigned char> a(n), b(n);
    mt::cuda::fill_bytes(a.get(), 1, n);
    bench("copy (cudaMemcpy D2D)", "1 GiB", 2.0 * n, 0, [&] { mt::cuda::copy_on_device(b.get(), a.get(), n); }, 20);
  }
  for (int T : {2048, 4096, 8192}) {
    const int H = 16, D = 128, B = 16384 / T;
    const mt::cuda::AttnShape sh{B, T, H, H, D};
    const size_t n = size_t(B) * T * H * D;
    DevBf16 Q(n), K(n), V(n), O(n), DO(n), DQ(n), DK(n), DV(n);
    fill_random_bf16(Q, r), fill_random_bf16(K, r), fill_random_bf16(V, r), fill_random_bf16(DO, r);
    Dev<float> L(size_t(B) * H * T);
    Dev<unsigned char> ws(mt::cuda::attention_backward_workspace_bytes(sh));
    const float scale = 1.f / std::sqrt(float(D));
    const double fwd_flops = 4.0 * B * H * double(T) * T * D / 2;  // causal: half the pairs
    const std::string shape = "B=" + std::to_string(B) + " T=" + std::to_string(T) + " H=16 D=128 causal";
    auto fwd = [&] { mt::cuda::attention_forward(Q.get(), K.get(), V.get(), nullptr, nullptr, O.get(), L.get(), sh, scale); };
    auto bwd = [&] {
      mt::cuda::attention_backward(Q.get(), K.get(), V.get(), nullptr, nullptr, O.get(), DO.get(), L.get(), DQ.get(),
                                   DK.get(), DV.get(), sh, scale, ws.get(), ws.size());
    };
    bench("attention_forward", shape, 0, fwd_flops, fwd);
    fwd();
    bench("attention_backward", shape, 0, 2.5 * fwd_flops, bwd);
    bench("attention_fwd+bwd", shape, 0, 3.5 * fwd_flops, [&] { fwd(), bwd(); });
  }
  {
    const int count = 64;
    const int64_t per = int64_t(1) << 22;  // 268M parameters in 64 tensors
    std::vector<std::unique_ptr<Dev<float>>> p, m, v;
    std::vector<std::unique_ptr<DevBf16>> g, pb;
    std::vector<mt::cuda::AdamWTensor> desc(count);
    for (int i = 0; i < count; ++i) {
      p.emplace_back(new Dev<float>(per)), m.emplace_back(new Dev<float>(per)), v.emplace_back(new Dev<float>(per));
      g.emplace_back(new DevBf16(per)), pb.emplace_back(new DevBf16(per));
      fill_random_f32(*p[i], r), fill_random_f32(*m[i], r, 0.01), fill_random_f32(*v[i], r, 1e-4, 1e-4);
      fill_random_bf16(*g[i], r, 0.01);
      desc[i].p = p[i]->get(), desc[i].m = m[i]->get(), desc[i].v = v[i]->get(), desc[i].g = g[i]->get();
      desc[i].g_bf16 = true, desc[i].p_bf16 = pb[i]->get(), desc[i].n = per, desc[i].weight_decay = 0.1f;
    }
    mt::cuda::AdamWConfig cfg{1e-4f, 0.9f, 0.95f, 1e-8f, 10};
    const double np = double(count) * per;
    bench("adamw_update (bf16 g, bf16 copy)", "268M params, 64 tensors", 28.0 * np, 0,
          [&] { mt::cuda::adamw_update(desc.data(), count, cfg, nullptr); });
    Dev<mt::cuda::ClipState> clip(1);
    Dev<unsigned char> ws(mt::cuda::grad_sumsq_workspace_bytes(desc.data(), count));
    bench("grad_clip (sum of squares)", "268M params, 64 tensors", 2.0 * np, 0,
          [&] { mt::cuda::grad_clip(desc.data(), count, 1.f, clip.get(), ws.get(), ws.size()); });
  }
  {
    const int N = 16384, C = 4096;
    const size_t n = size_t(N) * C;
    DevBf16 X(n), Dl(n), H(n), Y(n), W(C), DY(n), DH(n);
    fill_random_bf16(X, r), fill_random_bf16(Dl, r), fill_random_bf16(W, r), fill_random_bf16(DY, r);
    fill_random_bf16(DH, r);
    Dev<float> R(N), DW(C);
    mt::cuda::fill_bytes(DW.get(), 0, C * 4);
    Dev<unsigned char> ws(mt::cuda::rmsnorm_backward_workspace_bytes(N, C));
    bench("rmsnorm_forward (+residual)", "N=16384 C=4096", 4.0 * n * 2, 0,
          [&] { mt::cuda::rmsnorm_forward(X.get(), Dl.get(), H.get(), Y.get(), R.get(), W.get(), N, C, 1e-5f); });
    bench("rmsnorm_backward", "N=16384 C=4096", 4.0 * n * 2, 0, [&] {
      mt::cuda::rmsnorm_backward(DY.get(), H.get(), R.get(), W.get(), DH.get(), DW.get(), N, C, ws.get(), ws.size());
    });
  }
  {
    const int N = 16384, H = 32, D = 128;
    const size_t n = size_t(N) * H * D;
    DevBf16 X(n);
    fill_random_bf16(X, r);
    std::vector<int32_t> pos(N);
    for (int i = 0; i < N; ++i) pos[i] = i % 4096;
    Dev<int32_t> P(N);
    P.upload(pos);
    std::vector<float> inv(D / 2);
    mt::cpu::rope_inv_freq(inv.data(), D, 500000.f, mt::cpu::RopeScaling{});
    Dev<float> I(D / 2);
    I.upload(inv);
    bench("rope_apply", "N=16384 H=32 D=128", 2.0 * n * 2, 0,
          [&] { mt::cuda::rope_apply(X.get(), P.get(), I.get(), N, H, D, false); });
  }
  {
    const size_t n = size_t(16384) * 14336;
    DevBf16 G(n), U(n), O(n), DO(n), DG(n), DU(n);
    fill_random_bf16(G, r), fill_random_bf16(U, r), fill_random_bf16(DO, r);
    bench("swiglu_forward", "16384 x 14336", 3.0 * n * 2, 0, [&] { mt::cuda::swiglu_forward(G.get(), U.get(), O.get(), n); });
    bench("swiglu_backward", "16384 x 14336", 5.0 * n * 2, 0,
          [&] { mt::cuda::swiglu_backward(DO.get(), G.get(), U.get(), DG.get(), DU.get(), n); });
  }
  {
    const int N = 8192, C = 2048, V = 128256;
    DevBf16 X(size_t(N) * C), W(size_t(V) * C), DX(size_t(N) * C);
    fill_random_bf16(X, r), fill_random_bf16(W, r, 0.02);
    std::vector<int32_t> labels(N);
    for (auto& y : labels) y = r.below(V);
    Dev<int32_t> L(N);
    L.upload(labels);
    Dev<float> DW(size_t(V) * C);
    mt::cuda::fill_bytes(DW.get(), 0, DW.size() * 4);
    Dev<unsigned char> ws(mt::cuda::lmhead_xent_workspace_bytes(N, C, V, 0));
    bench(std::string("lmhead_xent fwd+bwd") + (mt::cuda::uses_cublas() ? " (cuBLAS)" : " (built-in GEMM)"),
          "N=8192 C=2048 V=128256", 0, 6.0 * N * C * double(V), [&] {
            mt::cuda::lmhead_xent(X.get(), W.get(), L.get(), N, C, V, 1.f / N, DX.get(), DW.get(), nullptr, 0, ws.get(),
                                  ws.size());
          }, 5);
    // With a KL reference of the same shape: one more logits GEMM and a second softmax per row.
    DevBf16 XR(size_t(N) * C), WR(size_t(V) * C);
    fill_random_bf16(XR, r), fill_random_bf16(WR, r, 0.02);
    Dev<unsigned char> wsk(mt::cuda::lmhead_xent_kl_workspace_bytes(N, V, 0));
    bench(std::string("lmhead_xent_kl fwd+bwd") + (mt::cuda::uses_cublas() ? " (cuBLAS)" : " (built-in GEMM)"),
          "N=8192 C=2048 V=128256 Cr=2048", 0, 8.0 * N * C * double(V), [&] {
            mt::cuda::lmhead_xent_kl(X.get(), W.get(), XR.get(), WR.get(), L.get(), N, C, C, V, 1.f / N, 0.1f, DX.get(),
                                     DW.get(), 0, wsk.get(), wsk.size());
          }, 5);
  }
}

// A kernel fault surfaces as an mt::Error naming the kernel and the CUDA
// error. Corrupts the CUDA context, so it runs alone (--fault), last.
void check_fault() {
  auto* bogus = reinterpret_cast<bf16*>(uintptr_t(0x10));
  try {
    mt::cuda::swiglu_forward(bogus, bogus, bogus, 1 << 20, Impl::Simple);
    mt::cuda::synchronize("swiglu_forward");
    record("kernel fault -> error naming the kernel", false, "no error raised");
  } catch (const std::exception& e) {
    // The fault may surface at the launch check or at the wait: either names the kernel.
    const std::string msg = e.what();
    record("kernel fault -> error naming the kernel",
           msg.rfind("swiglu_forward: ", 0) == 0 && msg.find("illegal memory access") != std::string::npos,
           "error: " + msg);
  }
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += c;
    else if (c == '\n') o += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) o += ' ';
    else o += c;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = uint64_t(std::chrono::high_resolution_clock::now().time_since_epoch().count()) & 0xffffffffu;
  bool do_bench = false, fault = false;
  std::string json, only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--bench") do_bench = true;
    else if (a == "--fault") fault = true;
    else if (a == "--large") g_large = true;
    else if (a == "--json" && i + 1 < argc) json = argv[++i];
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--seed N] [--bench] [--json FILE] [--only FAMILY] [--fault] [--large]\n", argv[0]);
      return 2;
    }
  }
  std::string why;
  const auto devs = mt::cuda::devices(&why);
  if (devs.empty()) {
    std::fprintf(stderr, "midtrain_cuda_check: no CUDA device (%s)\n", why.c_str());
    return 3;
  }
  const auto& d0 = devs[0];
  std::printf("device: %s (sm_%d%d, %d SMs), backend %s, cuBLAS %s, seed %llu\n", d0.name.c_str(), d0.major, d0.minor,
              d0.multiprocessors, mt::cuda::backend_kind(), mt::cuda::uses_cublas() ? "yes" : "no",
              (unsigned long long)seed);
  if (fault) {
    check_fault();
    return g_results.back().ok ? 0 : 1;
  }
  Rng r(seed);
  const std::vector<std::pair<std::string, std::function<void(Rng&)>>> families = {
      {"swiglu", check_swiglu}, {"rmsnorm", check_rmsnorm}, {"rope", check_rope},
      {"adamw", check_adamw},   {"xent", check_xent},       {"kl_xent", check_kl_xent},
      {"attention", check_attention}};
  for (const auto& [name, f] : families) {
    if (!only.empty() && only != name) continue;
    try {
      f(r);
    } catch (const std::exception& e) {
      record(name + " (unexpected error)", false, e.what());
    }
  }
  if (do_bench && !emulated()) {
    try {
      run_benchmarks(r);
    } catch (const std::exception& e) {
      record("benchmarks (unexpected error)", false, e.what());
    }
  }
  int failed = 0;
  for (const auto& x : g_results) failed += !x.ok;
  std::printf("%zu checks, %d failed (seed %llu)\n", g_results.size(), failed, (unsigned long long)seed);
  if (!json.empty()) {
    FILE* f = std::fopen(json.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", json.c_str());
      return 1;
    }
    std::fprintf(f, "{\"device\": \"%s\", \"cc\": \"%d.%d\", \"backend\": \"%s\", \"cublas\": %s, \"seed\": %llu,\n",
                 json_escape(d0.name).c_str(), d0.major, d0.minor, mt::cuda::backend_kind(),
                 mt::cuda::uses_cublas() ? "true" : "false", (unsigned long long)seed);
    std::fprintf(f, " \"checks\": [\n");
    for (size_t i = 0; i < g_results.size(); ++i)
      std::fprintf(f, "  {\"name\": \"%s\", \"ok\": %s, \"detail\": \"%s\"}%s\n", json_escape(g_results[i].name).c_str(),
                   g_results[i].ok ? "true" : "false", json_escape(g_results[i].detail).c_str(),
                   i + 1 < g_results.size() ? "," : "");
    std::fprintf(f, " ],\n \"bench\": [\n");
    for (size_t i = 0; i < g_bench.size(); ++i)
      std::fprintf(f, "  {\"kernel\": \"%s\", \"shape\": \"%s\", \"ms\": %.6f, \"bytes\": %.0f, \"flops\": %.0f}%s\n",
                   json_escape(g_bench[i].kernel).c_str(), json_escape(g_bench[i].shape).c_str(), g_bench[i].ms,
                   g_bench[i].bytes, g_bench[i].flops, i + 1 < g_bench.size() ? "," : "");
    std::fprintf(f, " ]}\n");
    std::fclose(f);
  }
  return failed ? 1 : 0;
}

// LM head + cross-entropy + KL to a reference, in chunks (kl_xent.h).
//
// The four GEMMs are model_gemm's (model_ops.h). The per-row work is one
// block per row: Fast does one online (max, sum) pass over both rows of
// logits, then one pass that sums the KL in double and writes the bf16
// gradient row; Simple does three passes with double sums (a reference on
// the device). Ignored rows stay in the GEMMs with zero gradient rows, so
// their dx rows come out exactly 0. Per-row loss and KL are kept in double and
// summed in row order at the end: deterministic.
#include "cuda/kl_xent.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"
#include "cuda/model_ops.h"
#include "cuda/runtime.h"
#include "cuda/softmax_rows.cuh"

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

constexpr int kRowThreads = 256;
constexpr int kSumThreads = 256;

struct KlDev {
  double loss_sum, kl_sum;
  int32_t count;
  int32_t bad_index;  // first invalid label's index, INT_MAX if none
};

// `red` holds 32 doubles (256 bytes) in every reduction below; each ends with
// a barrier, so the next may reuse it. Every thread gets the result, combined
// in warp order: a fixed order.
MT_DEV double block_sum(double v, double* red) {
  v = dev::warp_sum(v);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = v;
  dev::sync_threads();
  double t = 0.0;
  for (int w = 0; w < int(blockDim.x / 32); ++w) t += red[w];
  dev::sync_threads();
  return t;
}

MT_DEV float block_max(float v, double* red) {
  v = dev::warp_max(v);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = v;
  dev::sync_threads();
  float t = -INFINITY;
  for (int w = 0; w < int(blockDim.x / 32); ++w) t = fmaxf(t, float(red[w]));
  dev::sync_threads();
  return t;
}

// An ignored row: zero gradient, loss and KL.
MT_DEV void ignored_row(B16* d, int V, bool grad, double* row_ce, double* row_kl, int row) {
  if (grad)
    for (int j = threadIdx.x; j < V; j += blockDim.x) d[j] = dev::to_bf16(0.f);
  if (threadIdx.x == 0) row_ce[row] = 0.0, row_kl[row] = 0.0;
}

// ---- the rows ----------------------------------------------------------------

// One block per row of the chunk: row_ce/row_kl[row0 + r] and, with grad,
// dlog[r][:]. Two passes over the two fp32 logits rows (8 bytes per vocab
// entry read twice, 2 written: memory-bound, so the KL's double arithmetic
// is free).
__global__ void __launch_bounds__(kRowThreads) kl_rows(const float* logits, const float* ref_logits, B16* dlog,
                                                       const int32_t* labels, int row0, int V, float grad_scale,
                                                       float kl_weight, bool grad, double* row_ce, double* row_kl) {
  double* red = dev::dyn_smem<double>();
  const int r = blockIdx.x;
  const int32_t y = labels[row0 + r];
  const float* z = logits + size_t(r) * V;
  const float* zr = ref_logits + size_t(r) * V;
  B16* d = grad ? dlog + size_t(r) * V : nullptr;
  if (y == kIgnore) return ignored_row(d, V, grad, row_ce, row_kl, row0 + r);
  MaxSum a{-INFINITY, 0.f}, b{-INFINITY, 0.f};
  for (int j = threadIdx.x; j < V; j += blockDim.x) push(a, z[j]), push(b, zr[j]);
  a = block_maxsum(a, reinterpret_cast<float*>(red));
  b = block_maxsum(b, reinterpret_cast<float*>(red));
  const double lse = double(a.m) + log(double(a.s)), lser = double(b.m) + log(double(b.s));
  // log q_j - log p_j = (zr_j - z_j) - (lser - lse), the difference of logits first:
  // exact for equal models, so a reference equal to the model gives KL = 0 exactly.
  const double c = lser - lse;
  const float ip = float(1.0 / double(a.s)), iq = float(1.0 / double(b.s));
  const double gs = grad_scale, w = kl_weight;
  // Off the label: gs ((1 + w) p - w q) in fp32, one rounding before bf16's.
  const float kp = float(gs * (1.0 + w) / double(a.s)), kq = float(gs * w / double(b.s));
  double kl = 0.0;
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    const float ep = expf(z[j] - a.m), eq = expf(zr[j] - b.m);
    kl += double(eq * iq) * ((double(zr[j]) - double(z[j])) - c);
    if (!grad) continue;
    // p - 1 in double at the label: p is close to 1 for confident predictions.
    d[j] = dev::to_bf16(j == y ? float((double(ep) / double(a.s) - 1.0 + w * (double(ep * ip) - double(eq * iq))) * gs)
                               : ep * kp - eq * kq);
  }
  kl = block_sum(kl, red);
  if (threadIdx.x == 0) row_ce[row0 + r] = lse - double(z[y]), row_kl[row0 + r] = kl;
}

// Simple: max, then sums of exp in double, then p and q in double; the same contract.
__global__ void kl_rows_simple(const float* logits, const float* ref_logits, B16* dlog, const int32_t* labels, int row0,
                               int V, float grad_scale, float kl_weight, bool grad, double* row_ce, double* row_kl) {
  double* red = dev::dyn_smem<double>();
  const int r = blockIdx.x;
  const int32_t y = labels[row0 + r];
  const float* z = logits + size_t(r) * V;
  const float* zr = ref_logits + size_t(r) * V;
  B16* d = grad ? dlog + size_t(r) * V : nullptr;
  if (y == kIgnore) return ignored_row(d, V, grad, row_ce, row_kl, row0 + r);
  float mx = -INFINITY, mxr = -INFINITY;
  for (int j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, z[j]), mxr = fmaxf(mxr, zr[j]);
  mx = block_max(mx, red);
  mxr = block_max(mxr, red);
  double s = 0.0, sr = 0.0;
  for (int j = threadIdx.x; j < V; j += blockDim.x)
    s += exp(double(z[j]) - double(mx)), sr += exp(double(zr[j]) - double(mxr));
  s = block_sum(s, red);
  sr = block_sum(sr, red);
  const double lse = double(mx) + log(s), lser = double(mxr) + log(sr);
  const double gs = grad_scale, w = kl_weight;
  double kl = 0.0;
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    const double p = exp(double(z[j]) - double(mx)) / s, q = exp(double(zr[j]) - double(mxr)) / sr;
    kl += q * ((double(zr[j]) - lser) - (double(z[j]) - lse));
    if (grad) d[j] = dev::to_bf16(float(gs * (p - (j == y ? 1.0 : 0.0) + w * (p - q))));
  }
  kl = block_sum(kl, red);
  if (threadIdx.x == 0) row_ce[row0 + r] = lse - double(z[y]), row_kl[row0 + r] = kl;
}

// The rows' sums in a fixed order: contiguous slices per thread, then thread
// order. Checked: into *st. Accumulating: added to *acc and *kl_acc by one thread.
MT_DEV void fixed_order_sums(const double* row_ce, const double* row_kl, const int32_t* labels, int N, double* ce_out,
                             double* kl_out, int64_t* count_out) {
  double* red_ce = dev::dyn_smem<double>();
  double* red_kl = red_ce + blockDim.x;
  int* red_n = reinterpret_cast<int*>(red_kl + blockDim.x);
  double ce = 0.0, kl = 0.0;
  int n = 0;
  const int per = (N + int(blockDim.x) - 1) / int(blockDim.x);
  const int lo = int(threadIdx.x) * per, hi = lo + per < N ? lo + per : N;
  for (int i = lo; i < hi; ++i) ce += row_ce[i], kl += row_kl[i], n += labels[i] != kIgnore;
  red_ce[threadIdx.x] = ce, red_kl[threadIdx.x] = kl, red_n[threadIdx.x] = n;
  dev::sync_threads();
  if (threadIdx.x == 0) {
    double tc = 0.0, tk = 0.0;
    int64_t tn = 0;
    for (int i = 0; i < int(blockDim.x); ++i) tc += red_ce[i], tk += red_kl[i], tn += red_n[i];
    *ce_out = tc, *kl_out = tk, *count_out = tn;
  }
}

__global__ void sum_rows(const double* row_ce, const double* row_kl, const int32_t* labels, int N, KlDev* st) {
  double ce, kl;
  int64_t n;
  fixed_order_sums(row_ce, row_kl, labels, N, &ce, &kl, &n);
  if (threadIdx.x == 0) st->loss_sum = ce, st->kl_sum = kl;
}

__global__ void accumulate_rows(const double* row_ce, const double* row_kl, const int32_t* labels, int N,
                                XentAccum* acc, double* kl_acc) {
  double ce, kl;
  int64_t n;
  fixed_order_sums(row_ce, row_kl, labels, N, &ce, &kl, &n);
  if (threadIdx.x == 0) acc->loss_sum += ce, acc->count += n, *kl_acc += kl;
}

constexpr size_t kSumSmem = kSumThreads * (2 * sizeof(double) + sizeof(int));

// About 20M logits per block of scratch (10 bytes each: two fp32, one bf16),
// so the whole scratch is about the size of lmhead_xent's.
int default_chunk(int V) {
  const int c = std::clamp((20 << 20) / std::max(V, 1), 64, 1024);
  return c / 16 * 16;
}

}  // namespace

int lmhead_xent_kl_chunk(int N, int V, int chunk) {
  const int c = chunk > 0 ? chunk : default_chunk(V);
  return std::max(1, std::min(c, std::max(N, 1)));
}

size_t lmhead_xent_kl_workspace_bytes(int N, int V, int chunk) {
  const size_t R = size_t(lmhead_xent_kl_chunk(N, V, chunk)), n = size_t(std::max(N, 1));
  return 2 * align256(R * V * sizeof(float)) + align256(R * V * sizeof(uint16_t)) + 2 * align256(n * sizeof(double)) +
         align256(sizeof(KlDev));
}

int lmhead_xent_kl_chunk_within(int N, int V, size_t bytes) {
  // Workspace bytes grow with the chunk: step down from the default, first by the estimate, then one row at a time.
  int R = lmhead_xent_kl_chunk(N, V, 0);
  const size_t fixed = lmhead_xent_kl_workspace_bytes(N, V, 1) - 2 * align256(size_t(V) * 4) - align256(size_t(V) * 2);
  if (bytes <= fixed) return 0;
  R = int(std::min<size_t>(size_t(R), (bytes - fixed) / (size_t(std::max(V, 1)) * 10)));
  while (R > 0 && lmhead_xent_kl_workspace_bytes(N, V, R) > bytes) --R;
  return R >= 16 && R < N ? R / 16 * 16 : R;  // whole 16-row GEMM tiles, but for the last chunk
}

namespace {

// The argument checks both entry points share; returns the chunk's rows.
int check_args(const bf16* x, const bf16* W, const bf16* xr, const bf16* Wr, const int32_t* labels, int N, int C,
               int Cr, int V, float grad_scale, float kl_weight, const bf16* dx, const float* dW, int chunk,
               const void* workspace, size_t workspace_bytes) {
  MT_CHECK(N >= 0 && C > 0 && Cr > 0 && V > 0, "lmhead_xent_kl: need N >= 0, C > 0, Cr > 0, V > 0 (got N=", N,
           ", C=", C, ", Cr=", Cr, ", V=", V, ")");
  MT_CHECK(chunk >= 0, "lmhead_xent_kl: chunk must be >= 0 (0 = choose), got ", chunk);
  MT_CHECK(std::isfinite(grad_scale), "lmhead_xent_kl: grad_scale must be finite, got ", grad_scale);
  MT_CHECK(std::isfinite(kl_weight) && kl_weight >= 0.f, "lmhead_xent_kl: kl_weight must be finite and >= 0, got ",
           kl_weight);
  if (N == 0) return 0;
  MT_CHECK(x && W && xr && Wr && labels, "lmhead_xent_kl: x, W, xr, Wr and labels are required");
  const size_t nx = size_t(N) * C * 2, nw = size_t(V) * C * 2, ndw = size_t(V) * C * 4;
  const size_t nxr = size_t(N) * Cr * 2, nwr = size_t(V) * Cr * 2;
  for (const auto& [out, nout] : {std::pair<const void*, size_t>{dx, nx}, {dW, ndw}})
    MT_CHECK(!buffers_overlap(out, nout, x, nx) && !buffers_overlap(out, nout, W, nw) && !buffers_overlap(out, nout, xr, nxr) &&
                 !buffers_overlap(out, nout, Wr, nwr),
             "lmhead_xent_kl: dx and dW must not overlap x, W, xr or Wr");
  MT_CHECK(!buffers_overlap(dx, nx, dW, ndw), "lmhead_xent_kl: dx and dW must not overlap each other");
  const size_t need = lmhead_xent_kl_workspace_bytes(N, V, chunk);
  MT_CHECK(workspace && workspace_bytes >= need, "lmhead_xent_kl: workspace of ", need, " bytes needed, got ",
           workspace_bytes);
  return lmhead_xent_kl_chunk(N, V, chunk);
}

struct Scratch {
  float *logits, *ref_logits;
  B16* dlog;
  double *row_ce, *row_kl;
  KlDev* st;
};

Scratch carve(void* workspace, int R, int N, int V) {
  auto* base = static_cast<unsigned char*>(workspace);
  auto take = [&](size_t bytes) {
    void* p = base;
    base += align256(bytes);
    return p;
  };
  Scratch w{};
  w.logits = static_cast<float*>(take(size_t(R) * V * sizeof(float)));
  w.ref_logits = static_cast<float*>(take(size_t(R) * V * sizeof(float)));
  w.dlog = static_cast<B16*>(take(size_t(R) * V * sizeof(uint16_t)));
  w.row_ce = static_cast<double*>(take(size_t(N) * sizeof(double)));
  w.row_kl = static_cast<double*>(take(size_t(N) * sizeof(double)));
  w.st = static_cast<KlDev*>(take(sizeof(KlDev)));
  return w;
}

// The chunks: both logits GEMMs, the rows (row_ce, row_kl, dlogits), dx and dW GEMMs. Labels already valid.
void run_chunks(const bf16* x, const bf16* W, const bf16* xr, const bf16* Wr, const int32_t* labels, int N, int C,
                int Cr, int V, float grad_scale, float kl_weight, bf16* dx, float* dW, int R, const Scratch& w,
                Impl impl, Stream s) {
  const bool grad = dx || dW;
  const auto* dlog = reinterpret_cast<const bf16*>(w.dlog);
  auto* rows_kernel = impl == Impl::Simple ? kl_rows_simple : kl_rows;
  for (int r0 = 0; r0 < N; r0 += R) {
    const int rows = std::min(R, N - r0);
    const bf16* xc = x + size_t(r0) * C;
    model_gemm(false, true, rows, V, C, 1.f, xc, C, W, C, w.logits, true, V, false, impl, s);  // x_c W^T
    model_gemm(false, true, rows, V, Cr, 1.f, xr + size_t(r0) * Cr, Cr, Wr, Cr, w.ref_logits, true, V, false, impl,
               s);  // xr_c Wr^T
    MT_LAUNCH(rows_kernel, unsigned(rows), kRowThreads, 32 * sizeof(double), s, w.logits, w.ref_logits, w.dlog, labels,
              r0, V, grad_scale, kl_weight, grad, w.row_ce, w.row_kl);
    MT_CUDA_LAUNCHED(impl == Impl::Simple ? "lmhead_xent_kl (rows, simple)" : "lmhead_xent_kl (rows)");
    // dx_c = dlogits W ; dW += dlogits^T x_c
    if (dx) model_gemm(false, false, rows, C, V, 1.f, dlog, V, W, C, dx + size_t(r0) * C, false, C, false, impl, s);
    if (dW) model_gemm(true, false, V, C, rows, 1.f, dlog, V, xc, C, dW, true, C, true, impl, s);
  }
}

}  // namespace

KlXentStats lmhead_xent_kl(const bf16* x, const bf16* W, const bf16* xr, const bf16* Wr, const int32_t* labels, int N,
                           int C, int Cr, int V, float grad_scale, float kl_weight, bf16* dx, float* dW, int chunk,
                           void* workspace, size_t workspace_bytes, Impl impl, Stream s) {
  KlXentStats res{0.0, 0.0, 0};
  const int R = check_args(x, W, xr, Wr, labels, N, C, Cr, V, grad_scale, kl_weight, dx, dW, chunk, workspace,
                           workspace_bytes);
  if (N == 0) return res;
  const Scratch w = carve(workspace, R, N, V);

  // Labels first: nothing is written if one is bad.
  KlDev host = check_labels(labels, N, V, KlDev{0.0, 0.0, 0, INT_MAX}, w.st, "lmhead_xent_kl", s);

  run_chunks(x, W, xr, Wr, labels, N, C, Cr, V, grad_scale, kl_weight, dx, dW, R, w, impl, s);
  auto* ks = sum_rows;
  MT_LAUNCH(ks, 1, kSumThreads, kSumSmem, s, w.row_ce, w.row_kl, labels, N, w.st);
  MT_CUDA_LAUNCHED("lmhead_xent_kl (sums)");
  MT_CUDA_CHECK(cudaMemcpyAsync(&host, w.st, sizeof host, cudaMemcpyDeviceToHost, s), "lmhead_xent_kl");
  MT_CUDA_CHECK(cudaStreamSynchronize(s), "lmhead_xent_kl");
  res.loss_sum = host.loss_sum;
  res.kl_sum = host.kl_sum;
  res.count = host.count;
  return res;
}

void lmhead_xent_kl_accumulate(const bf16* x, const bf16* W, const bf16* xr, const bf16* Wr, const int32_t* labels,
                               int N, int C, int Cr, int V, float grad_scale, float kl_weight, bf16* dx, float* dW,
                               int chunk, void* workspace, size_t workspace_bytes, XentAccum* acc, double* kl_sum,
                               Impl impl, Stream s) {
  MT_CHECK(acc && kl_sum, "lmhead_xent_kl_accumulate: acc (device XentAccum) and kl_sum (device double) are required");
  const int R = check_args(x, W, xr, Wr, labels, N, C, Cr, V, grad_scale, kl_weight, dx, dW, chunk, workspace,
                           workspace_bytes);
  if (N == 0) return;
  const Scratch w = carve(workspace, R, N, V);
  run_chunks(x, W, xr, Wr, labels, N, C, Cr, V, grad_scale, kl_weight, dx, dW, R, w, impl, s);
  auto* k = accumulate_rows;
  MT_LAUNCH(k, 1, kSumThreads, kSumSmem, s, w.row_ce, w.row_kl, labels, N, acc, kl_sum);
  MT_CUDA_LAUNCHED("lmhead_xent_kl_accumulate (sums)");
}

}  // namespace mt::cuda

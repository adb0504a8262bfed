// The model-level GPU checks of issue 10 with no Node: the GPU machine has the
// CUDA toolkit and PyTorch but no Node, so scripts/gpu-check.sh drives the
// CUDA model (model/cuda_llama.h) through this program and PyTorch through
// Python, in the same call.
//
//   midtrain_model_check hf DIR
//     DIR holds what scripts/gpu/hf_parity.py writes (config.kv, params.txt +
//     params.bin, batches.txt + *.i32): loads the weights, computes the loss
//     and every gradient on one batch, trains the listed AdamW steps, and
//     writes DIR/result.txt and DIR/grads.bin for hf_parity.py to compare with
//     transformers. With recompute available it repeats the steps with it on
//     and records whether the losses were bit-identical.
//   midtrain_model_check bench --config FILE.kv --batch B --seq T [--steps S]
//       [--warmup W] [--accum A] [--recompute] [--peak-tflops P]
//     tokens/s, MFU and device memory (the plan, and the most in use at the
//     end of a step, measured with cudaMemGetInfo) of training steps on random
//     tokens; one JSON line on stdout.
//
// config.kv: one `key=value` a line with the Hugging Face config names
// (vocab_size, hidden_size, intermediate_size, num_hidden_layers,
// num_attention_heads, num_key_value_heads, head_dim, rms_norm_eps,
// rope_theta, tie_word_embeddings, attention_bias, qk_norm, and for llama3
// rope scaling rope_type, factor, low_freq_factor, high_freq_factor,
// original_max_position_embeddings); scripts/gpu/model_files.py writes it.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/check.h"
#include "cuda/model_ops.h"
#include "cuda/runtime.h"
#include "model/cuda_llama.h"

namespace {

using mt::Batch;
using mt::LlamaConfig;

std::map<std::string, std::string> read_kv(const std::string& path) {
  std::ifstream f(path);
  MT_CHECK(f, path, ": cannot open");
  std::map<std::string, std::string> kv;
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    MT_CHECK(eq != std::string::npos, path, ":", n, ": expected key=value, got '", line, "'");
    kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

LlamaConfig config_from(const std::map<std::string, std::string>& kv, const std::string& path) {
  auto get = [&](const char* k) -> const std::string& {
    auto it = kv.find(k);
    MT_CHECK(it != kv.end(), path, ": missing '", k, "'");
    return it->second;
  };
  auto num = [&](const char* k) {
    const std::string& s = get(k);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    MT_CHECK(end && *end == '\0' && !s.empty(), path, ": '", k, "' = '", s, "' is not a number");
    return v;
  };
  auto flag = [&](const char* k) {
    auto it = kv.find(k);
    if (it == kv.end()) return false;
    MT_CHECK(it->second == "true" || it->second == "false", path, ": '", k, "' must be true or false");
    return it->second == "true";
  };
  LlamaConfig c;
  c.vocab = int(num("vocab_size"));
  c.hidden = int(num("hidden_size"));
  c.intermediate = int(num("intermediate_size"));
  c.layers = int(num("num_hidden_layers"));
  c.heads = int(num("num_attention_heads"));
  c.kv_heads = int(num("num_key_value_heads"));
  c.head_dim = int(num("head_dim"));
  c.rms_eps = float(num("rms_norm_eps"));
  c.rope_theta = float(num("rope_theta"));
  c.tie_embeddings = flag("tie_word_embeddings");
  c.qkv_bias = flag("attention_bias");
  c.qk_norm = flag("qk_norm");
  auto rt = kv.find("rope_type");
  if (rt != kv.end() && rt->second == "llama3") {
    c.rope_scaling.type = 1;
    c.rope_scaling.factor = float(num("factor"));
    c.rope_scaling.low_freq_factor = float(num("low_freq_factor"));
    c.rope_scaling.high_freq_factor = float(num("high_freq_factor"));
    c.rope_scaling.original_max_position = int(num("original_max_position_embeddings"));
  } else if (rt != kv.end() && rt->second == "linear") {
    c.rope_scaling.type = 2;
    c.rope_scaling.factor = float(num("factor"));
  } else {
    MT_CHECK(rt == kv.end() || rt->second == "default", path, ": rope_type '", rt->second, "' is not supported");
  }
  c.validate();
  return c;
}

template <typename T>
std::vector<T> read_bin(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  MT_CHECK(f, path, ": cannot open");
  std::vector<T> v(n);
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(n * sizeof(T)));
  MT_CHECK(size_t(f.gcount()) == n * sizeof(T), path, ": expected ", n * sizeof(T), " bytes, got ", f.gcount());
  return v;
}

// Device memory in use now (total - free), bytes.
size_t used_now() {
  size_t free_b = 0, total_b = 0;
  mt::cuda::device_memory(&free_b, &total_b);
  return total_b - free_b;
}

// The matmul FLOPs of a training step per token, as `midtrain bench train` and
// bench_torch_train_cuda.py count them: 6 x matmul params + causal attention 6 L H D T.
double flops_per_token(const LlamaConfig& c, int T) {
  const double C = c.hidden, Q = double(c.heads) * c.head_dim, KV = double(c.kv_heads) * c.head_dim, F = c.intermediate;
  return 6.0 * (c.layers * (C * Q * 2 + C * KV * 2 + 3 * C * F) + double(c.vocab) * C) +
         6.0 * c.layers * c.heads * c.head_dim * double(T);
}

// ---------------------------------------------------------------------------
int run_hf(const std::string& dir) {
  const LlamaConfig cfg = config_from(read_kv(dir + "/config.kv"), dir + "/config.kv");
  auto model = std::make_unique<mt::CudaLlama>(cfg);
  // params.txt: "name numel" per line, in the order of params.bin (fp32).
  std::ifstream pl(dir + "/params.txt");
  MT_CHECK(pl, dir, "/params.txt: cannot open");
  std::vector<std::pair<std::string, size_t>> names;
  std::string name;
  size_t numel = 0, total = 0;
  while (pl >> name >> numel) names.emplace_back(name, numel), total += numel;
  const std::vector<float> w = read_bin<float>(dir + "/params.bin", total);
  size_t off = 0, set = 0;
  for (const auto& [n, k] : names) {
    MT_CHECK(model->param(n).numel == k, dir, "/params.txt: '", n, "' has ", k, " values, the model expects ",
             model->param(n).numel);
    model->set_param(n, w.data() + off);
    off += k, ++set;
  }
  size_t expected = 0;
  for (const mt::ParamInfo& p : model->params()) expected += !p.lora;
  MT_CHECK(set == expected, dir, "/params.txt: ", set, " tensors, the model has ", expected);

  // batches.txt: "B T steps" then "lr beta1 beta2 eps weight_decay grad_clip".
  std::ifstream bl(dir + "/batches.txt");
  int B = 0, T = 0, steps = 0;
  mt::StepHyper h;
  MT_CHECK(bl >> B >> T >> steps >> h.lr >> h.beta1 >> h.beta2 >> h.eps >> h.weight_decay >> h.grad_clip, dir,
           "/batches.txt: expected 'B T steps' and 'lr beta1 beta2 eps weight_decay grad_clip'");
  const size_t N = size_t(B) * T;
  Batch g;
  g.ids = read_bin<int32_t>(dir + "/grad_ids.i32", N);
  g.labels = read_bin<int32_t>(dir + "/grad_labels.i32", N);
  const std::vector<int32_t> sids = read_bin<int32_t>(dir + "/step_ids.i32", N * size_t(steps));
  const std::vector<int32_t> slabels = read_bin<int32_t>(dir + "/step_labels.i32", N * size_t(steps));

  double norm = 0;
  const mt::cpu::XentResult r = model->loss_and_grad(g, B, T, &norm);
  {
    std::ofstream gb(dir + "/grads.bin", std::ios::binary);
    std::vector<float> buf;
    for (const auto& [n, k] : names) {
      buf.resize(k);
      model->get_grad(n, buf.data());
      gb.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(k * 4));
    }
    MT_CHECK(gb.good(), dir, "/grads.bin: write failed");
  }
  // Keep the loaded weights to repeat the steps with recompute.
  auto train = [&](mt::TrainBackend& m) {
    std::vector<double> losses;
    for (int s = 0; s < steps; ++s) {
      Batch b;
      b.ids.assign(sids.begin() + long(N) * s, sids.begin() + long(N) * (s + 1));
      b.labels.assign(slabels.begin() + long(N) * s, slabels.begin() + long(N) * (s + 1));
      const mt::StepResult sr = m.step({b}, B, T, h);
      MT_CHECK(!sr.skipped, "step ", s + 1, ": non-finite loss or gradient norm");
      losses.push_back(sr.loss);
    }
    return losses;
  };
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<double> losses = train(*model);
  const double step_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const mt::BackendMemory mem = model->memory();

  // The same steps from the same weights with activation recompute: identical losses expected.
  std::string recompute = "unavailable";
  try {
    auto again = std::make_unique<mt::CudaLlama>(cfg);
    again->set_recompute(true);
    off = 0;
    for (const auto& [n, k] : names) again->set_param(n, w.data() + off), off += k;
    const std::vector<double> lr = train(*again);
    recompute = lr == losses ? "identical" : "DIFFERENT";
  } catch (const std::exception& e) {
    recompute = std::string("unavailable (") + e.what() + ")";
  }

  std::ofstream out(dir + "/result.txt");
  out.precision(17);
  out << "device " << model->device() << "\n"
      << "loss " << r.loss_sum / double(r.count) << "\n"
      << "count " << r.count << "\n"
      << "grad_norm " << norm << "\n"
      << "steps_s " << step_s << "\n"
      << "plan_bytes " << mem.weights_bytes + mem.activations_bytes << "\n"
      << "recompute " << (recompute == "identical" || recompute == "DIFFERENT" ? recompute : "unavailable") << "\n"
      << "step_losses";
  for (double l : losses) out << " " << l;
  out << "\n";
  MT_CHECK(out.good(), dir, "/result.txt: write failed");
  std::cerr << "model_check hf: " << dir << " on " << model->device() << ": loss " << r.loss_sum / double(r.count)
            << ", " << steps << " steps in " << step_s << " s; recompute " << recompute << "\n";
  return recompute == "DIFFERENT" ? 1 : 0;
}

// ---------------------------------------------------------------------------
int run_bench(const std::map<std::string, std::string>& opt) {
  auto get = [&](const char* k, const char* def) {
    auto it = opt.find(k);
    return it == opt.end() ? std::string(def) : it->second;
  };
  const std::string cfg_path = get("config", "");
  MT_CHECK(!cfg_path.empty(), "bench: --config FILE.kv is required");
  const LlamaConfig cfg = config_from(read_kv(cfg_path), cfg_path);
  const int B = std::stoi(get("batch", "8")), T = std::stoi(get("seq", "1024"));
  const int steps = std::stoi(get("steps", "5")), warmup = std::stoi(get("warmup", "2"));
  const int accum = std::stoi(get("accum", "1"));
  const bool recompute = opt.count("recompute") > 0;
  const double peak_tflops = std::stod(get("peak-tflops", "989"));
  MT_CHECK(B > 0 && T > 0 && steps > 0 && warmup >= 0 && accum > 0, "bench: batch, seq, steps, accum must be positive");

  const size_t used0 = used_now();
  auto model = std::make_unique<mt::CudaLlama>(cfg);
  if (recompute) model->set_recompute(true);
  model->init_weights(1234, 0.02f);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int32_t> tok(0, cfg.vocab - 1);
  std::vector<Batch> micro(static_cast<size_t>(accum));
  for (Batch& b : micro) {
    b.ids.resize(size_t(B) * T), b.labels.resize(size_t(B) * T);
    for (auto& x : b.ids) x = tok(rng);
    for (auto& y : b.labels) y = tok(rng);
  }
  mt::StepHyper h;
  h.lr = 1e-4f, h.beta1 = 0.9f, h.beta2 = 0.95f, h.eps = 1e-8f, h.weight_decay = 0.1f, h.grad_clip = 1.f;
  size_t peak = 0;
  double loss_first = 0, loss_last = 0;
  for (int s = 0; s < warmup; ++s) {
    loss_first = model->step(micro, B, T, h).loss;
    peak = std::max(peak, used_now());
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < steps; ++s) {
    loss_last = model->step(micro, B, T, h).loss;  // returns after the step's one wait
    peak = std::max(peak, used_now());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double tokens = double(steps) * accum * B * T;
  const double tps = tokens / secs;
  const double fpt = flops_per_token(cfg, T);
  const mt::BackendMemory mem = model->memory();
  std::printf(
      "{\"engine\": \"midtrain\", \"device\": \"%s\", \"params\": %zu, \"batch\": %d, \"seq\": %d, \"accum\": %d, "
      "\"recompute\": %s, \"steps\": %d, \"tokens_per_s\": %.1f, \"step_ms\": %.3f, \"flops_per_token\": %.0f, "
      "\"mfu\": %.4f, \"peak_tflops\": %.0f, \"weights_bytes\": %zu, \"activations_bytes\": %zu, "
      "\"plan_bytes\": %zu, \"peak_used_bytes\": %zu, \"used_before_bytes\": %zu, \"loss_first\": %.5f, "
      "\"loss_last\": %.5f}\n",
      model->device(), model->num_params(), B, T, accum, recompute ? "true" : "false", steps, tps, 1000 * secs / steps,
      fpt, fpt * tps / (peak_tflops * 1e12), peak_tflops, mem.weights_bytes, mem.activations_bytes,
      mem.weights_bytes + mem.activations_bytes, peak, used0, loss_first, loss_last);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string why;
    MT_CHECK(!mt::cuda::devices(&why).empty(), "no CUDA device (", why, ")");
    MT_CHECK(argc >= 2, "usage: midtrain_model_check hf DIR | bench --config FILE.kv --batch B --seq T [...]");
    const std::string mode = argv[1];
    if (mode == "hf") {
      MT_CHECK(argc == 3, "usage: midtrain_model_check hf DIR");
      return run_hf(argv[2]);
    }
    MT_CHECK(mode == "bench", "unknown mode '", mode, "' (hf, bench)");
    std::map<std::string, std::string> opt;
    for (int i = 2; i < argc; ++i) {
      std::string a = argv[i];
      MT_CHECK(a.rfind("--", 0) == 0, "bench: unexpected argument '", a, "'");
      a = a.substr(2);
      if (a == "recompute") opt[a] = "1";
      else {
        MT_CHECK(i + 1 < argc, "bench: --", a, " needs a value");
        opt[a] = argv[++i];
      }
    }
    return run_bench(opt);
  } catch (const std::exception& e) {
    std::cerr << "midtrain_model_check: " << e.what() << "\n";
    return 2;
  }
}

// The LlamaModel class for JS, one class over every device: construction from
// an HF config object and {device, recompute}, parameters by HF name,
// synchronous loss/gradient for tests, an async step() that trains off the JS
// thread and resolves a Promise, and the preservation strategies' controls
// (freezing, LR scales, anchor, Fisher, LoRA, KL reference, hidden states).
// Everything goes through the TrainBackend interface (model/backend.h); a
// control a device lacks throws its own sentence from there.
#include <atomic>
#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>

#include "core/check.h"
#include "model/cuda_llama.h"
#include "model/llama.h"
#include "napi/args.h"
#include "napi/parse_config.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

// Copies one micro-batch out of JS so the worker thread owns its data.
Batch parse_batch(const Napi::Value& v, int B, int T, bool need_labels, const std::string& where) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), where + " must be an object");
  Napi::Object o = v.As<Napi::Object>();
  const int64_t N = int64_t(B) * T;
  auto copy = [&](const char* name, bool required) {
    std::vector<int32_t> out;
    Napi::Value x = o.Get(name);
    if (absent(x)) {
      if (required) throw Napi::TypeError::New(v.Env(), where + ": missing '" + name + "'");
      return out;
    }
    const int32_t* p = i32(x, (where + "." + name).c_str(), N);
    out.assign(p, p + N);
    return out;
  };
  Batch b;
  b.ids = copy("inputIds", true);
  b.labels = copy("labels", need_labels);
  b.positions = copy("positions", false);
  b.segments = copy("segmentIds", false);
  return b;
}

class Model;
Napi::Value step_model(Model& self, const Napi::CallbackInfo& info);

class Model : public Napi::ObjectWrap<Model> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LlamaModel",
                       {InstanceMethod("paramNames", &Model::ParamNames), InstanceMethod("paramShape", &Model::ParamShape),
                        InstanceMethod("numParams", &Model::NumParams), InstanceMethod("getParam", &Model::GetParam),
                        InstanceMethod("setParam", &Model::SetParam), InstanceMethod("getGrad", &Model::GetGrad),
                        InstanceMethod("getOptimizerState", &Model::GetOptState),
                        InstanceMethod("setOptimizerState", &Model::SetOptState),
                        InstanceMethod("stepCount", &Model::StepCount), InstanceMethod("setStepCount", &Model::SetStepCount),
                        InstanceMethod("initWeights", &Model::InitWeights),
                        InstanceMethod("forwardLogits", &Model::ForwardLogits),
                        InstanceMethod("evalLoss", &Model::EvalLoss), InstanceMethod("lossAndGrad", &Model::LossAndGrad),
                        InstanceMethod("step", &Model::Step), InstanceMethod("profile", &Model::Profile),
                        InstanceMethod("resetProfile", &Model::ResetProfile),
                        InstanceMethod("memory", &Model::Memory), InstanceMethod("device", &Model::Device),
                        InstanceMethod("setRecompute", &Model::SetRecompute),
                        InstanceMethod("loraParamNames", &Model::LoraParamNames),
                        InstanceMethod("setTrainable", &Model::SetTrainable), InstanceMethod("isTrainable", &Model::IsTrainable),
                        InstanceMethod("numTrainable", &Model::NumTrainable), InstanceMethod("setLrScale", &Model::SetLrScale),
                        InstanceMethod("enableLora", &Model::EnableLora), InstanceMethod("mergedParam", &Model::MergedParam),
                        InstanceMethod("setAnchor", &Model::SetAnchor), InstanceMethod("clearAnchor", &Model::ClearAnchor),
                        InstanceMethod("setAnchorWeights", &Model::SetAnchorWeights),
                        InstanceMethod("anchorDistance", &Model::AnchorDistance),
                        InstanceMethod("accumulateFisher", &Model::AccumulateFisher),
                        InstanceMethod("getFisher", &Model::GetFisher), InstanceMethod("clearFisher", &Model::ClearFisher),
                        InstanceMethod("setKlReference", &Model::SetKlReference),
                        InstanceMethod("hiddenStates", &Model::HiddenStates)});
  }
  static inline Napi::FunctionReference* ctor = nullptr;

  // new LlamaModel(config, {device: "cpu" | "cuda"} = {device: "cpu"})
  explicit Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {
    Napi::Value c = arg(info, 0, "config");
    if (!c.IsObject()) throw Napi::TypeError::New(info.Env(), "'config' must be an object");
    std::string device = "cpu";
    if (info.Length() > 1 && !absent(info[1])) {
      if (!info[1].IsObject()) throw Napi::TypeError::New(info.Env(), "'options' must be an object");
      Napi::Value d = info[1].As<Napi::Object>().Get("device");
      if (!absent(d)) {
        if (!d.IsString()) throw Napi::TypeError::New(info.Env(), "'options.device' must be \"cpu\" or \"cuda\"");
        device = d.As<Napi::String>().Utf8Value();
      }
    }
    const LlamaConfig cfg = parse_config(c.As<Napi::Object>());
    if (device == "cpu") {
      model_ = std::make_unique<LlamaModel>(cfg);
    } else if (device == "cuda") {
#ifdef MIDTRAIN_HAVE_CUDA
      model_ = std::make_unique<CudaLlama>(cfg);
#else
      throw Napi::Error::New(info.Env(), "--device cuda: this build of the native addon has no CUDA backend (docs/cuda.md 'Building'); use --device cpu");
#endif
    } else {
      throw Napi::TypeError::New(info.Env(), "'options.device' must be \"cpu\" or \"cuda\", got '" + device + "'");
    }
  }

  TrainBackend& model(Napi::Env env) {
    if (busy) throw Napi::Error::New(env, "the model is busy with a step; await it first");
    return *model_;
  }
  std::unique_ptr<TrainBackend> model_;
  std::atomic<bool> busy{false};  // set while an async step runs
  Napi::ObjectReference kl_ref_js_;  // keeps the KL reference alive
  Model* kl_ref_ = nullptr;

 private:
  std::string name_arg(const Napi::CallbackInfo& info) {
    Napi::Value v = arg(info, 0, "name");
    if (!v.IsString()) throw Napi::TypeError::New(info.Env(), "'name' must be a string");
    return v.As<Napi::String>().Utf8Value();
  }
  // A Float32Array of the named tensor's size, filled by `get`.
  template <typename Get>
  Napi::Float32Array tensor_out(Napi::Env env, const std::string& name, Get get) {
    auto a = Napi::Float32Array::New(env, model(env).param(name).numel);
    get(a.Data());
    return a;
  }
  Napi::Array names(Napi::Env env, bool lora) {
    auto arr = Napi::Array::New(env);
    for (const ParamInfo& p : model(env).params())
      if (p.lora == lora) arr.Set(arr.Length(), p.name);
    return arr;
  }

  // Checkpoint tensors only; LoRA factors are listed by loraParamNames.
  Napi::Value ParamNames(const Napi::CallbackInfo& info) { return names(info.Env(), false); }
  Napi::Value LoraParamNames(const Napi::CallbackInfo& info) { return names(info.Env(), true); }
  Napi::Value SetTrainable(const Napi::CallbackInfo& info) {
    model(info.Env()).set_trainable(name_arg(info), to_bool(arg(info, 1, "trainable"), "trainable"));
    return info.Env().Undefined();
  }
  Napi::Value IsTrainable(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), model(info.Env()).param(name_arg(info)).trainable);
  }
  Napi::Value NumTrainable(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(model(info.Env()).num_trainable()));
  }
  Napi::Value SetLrScale(const Napi::CallbackInfo& info) {
    model(info.Env()).set_lr_scale(name_arg(info), float(to_number(arg(info, 1, "scale"), "scale")));
    return info.Env().Undefined();
  }
  Napi::Value SetRecompute(const Napi::CallbackInfo& info) {
    model(info.Env()).set_recompute(to_bool(arg(info, 0, "on"), "on"));
    return info.Env().Undefined();
  }
  // enableLora({rank, alpha, targets: ["q", ...], seed})
  Napi::Value EnableLora(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    Napi::Value v = arg(info, 0, "lora");
    if (!v.IsObject()) throw Napi::TypeError::New(info.Env(), "'lora' must be an object");
    Napi::Object o = v.As<Napi::Object>();
    LoraConfig c;
    c.rank = to_int(field(o, "rank"), "rank", 1);
    c.alpha = float(to_number(field(o, "alpha"), "alpha"));
    c.targets = parse_lora_targets(field(o, "targets"), "targets");
    c.seed = uint64_t(to_int(field(o, "seed"), "seed", 0));
    m.enable_lora(c);
    return info.Env().Undefined();
  }
  Napi::Value MergedParam(const Napi::CallbackInfo& info) {
    std::string n = name_arg(info);
    return tensor_out(info.Env(), n, [&](float* out) { model(info.Env()).merged_param(n, out); });
  }
  Napi::Value SetAnchor(const Napi::CallbackInfo& info) {
    model(info.Env()).set_anchor();
    return info.Env().Undefined();
  }
  Napi::Value ClearAnchor(const Napi::CallbackInfo& info) {
    model(info.Env()).clear_anchor();
    return info.Env().Undefined();
  }
  Napi::Value SetAnchorWeights(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    const int64_t len = int64_t(m.param(n).numel);
    const float* w = f32(arg(info, 1, "weights"), ("weights for " + n).c_str(), len);
    for (int64_t i = 0; i < len; ++i)
      MT_CHECK(std::isfinite(w[i]) && w[i] >= 0, "setAnchorWeights('", n, "'): value ", i, " is ", w[i], " (must be finite and >= 0)");
    m.set_anchor_weights(n, w);
    return info.Env().Undefined();
  }
  Napi::Value AnchorDistance(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), model(info.Env()).anchor_distance());
  }
  Napi::Value AccumulateFisher(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    auto [B, T] = dims(info, 1);
    Batch b = parse_batch(arg(info, 0, "batch"), B, T, true, "batch");
    check_tokens(m, b, "batch");
    return Napi::Number::New(info.Env(), double(m.accumulate_fisher(b, B, T)));
  }
  Napi::Value GetFisher(const Napi::CallbackInfo& info) {
    std::string n = name_arg(info);
    return tensor_out(info.Env(), n, [&](float* out) { model(info.Env()).get_fisher(n, out); });
  }
  Napi::Value ClearFisher(const Napi::CallbackInfo& info) {
    model(info.Env()).clear_fisher();
    return info.Env().Undefined();
  }
  // setKlReference(otherModel | null, weight)
  Napi::Value SetKlReference(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    Napi::Value r = arg(info, 0, "reference");
    if (r.IsNull()) {
      m.set_kl_reference(nullptr, 0.f);
      kl_ref_ = nullptr;
      kl_ref_js_.Reset();
      return info.Env().Undefined();
    }
    if (!r.IsObject() || !r.As<Napi::Object>().InstanceOf(ctor->Value()))
      throw Napi::TypeError::New(info.Env(), "'reference' must be a LlamaModel or null");
    Model* other = Model::Unwrap(r.As<Napi::Object>());
    m.set_kl_reference(&other->model(info.Env()), float(to_number(arg(info, 1, "weight"), "weight")));
    kl_ref_ = other;
    kl_ref_js_ = Napi::Persistent(r.As<Napi::Object>());
    return info.Env().Undefined();
  }
  // hiddenStates(batch, B, T, mask: Int32Array | null, mean: boolean) -> Float32Array[] (L + 1)
  Napi::Value HiddenStates(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    auto [B, T] = dims(info, 1);
    Batch b = parse_batch(arg(info, 0, "batch"), B, T, false, "batch");
    check_tokens(m, b, "batch");
    const int32_t* mask = info.Length() > 3 ? opt_i32(info[3], "mask", int64_t(B) * T) : nullptr;
    const bool mean = info.Length() > 4 && !absent(info[4]) ? to_bool(info[4], "mean") : true;
    auto hs = m.hidden_states(b, B, T, mask, mean);
    auto arr = Napi::Array::New(info.Env(), hs.size());
    for (size_t l = 0; l < hs.size(); ++l) {
      auto a = Napi::Float32Array::New(info.Env(), hs[l].size());
      std::copy(hs[l].begin(), hs[l].end(), a.Data());
      arr.Set(uint32_t(l), a);
    }
    return arr;
  }
  Napi::Value ParamShape(const Napi::CallbackInfo& info) {
    const ParamInfo& p = model(info.Env()).param(name_arg(info));
    auto arr = Napi::Array::New(info.Env(), p.shape.size());
    for (size_t i = 0; i < p.shape.size(); ++i) arr.Set(uint32_t(i), double(p.shape[i]));
    return arr;
  }
  Napi::Value NumParams(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(model(info.Env()).num_params()));
  }
  Napi::Value GetParam(const Napi::CallbackInfo& info) {
    std::string n = name_arg(info);
    return tensor_out(info.Env(), n, [&](float* out) { model(info.Env()).get_param(n, out); });
  }
  Napi::Value GetGrad(const Napi::CallbackInfo& info) {
    std::string n = name_arg(info);
    return tensor_out(info.Env(), n, [&](float* out) { model(info.Env()).get_grad(n, out); });
  }
  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    const ParamInfo& p = m.param(n);
    const float* src = f32(arg(info, 1, "data"), ("data for " + n).c_str(), int64_t(p.numel));
    for (size_t i = 0; i < p.numel; ++i) MT_CHECK(std::isfinite(src[i]), "setParam('", n, "'): value ", i, " is not finite");
    m.set_param(n, src);
    return info.Env().Undefined();
  }
  Napi::Value GetOptState(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    const size_t len = m.param(n).numel;
    auto mm = Napi::Float32Array::New(info.Env(), len), vv = Napi::Float32Array::New(info.Env(), len);
    m.get_adam(n, mm.Data(), vv.Data());
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("m", mm);
    o.Set("v", vv);
    return o;
  }
  Napi::Value SetOptState(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    const int64_t len = int64_t(m.param(n).numel);
    const float* mm = f32(arg(info, 1, "m"), "m", len);
    const float* vv = f32(arg(info, 2, "v"), "v", len);
    for (int64_t i = 0; i < len; ++i) MT_CHECK(vv[i] >= 0 && std::isfinite(mm[i]), "setOptimizerState('", n, "'): bad value at ", i);
    m.set_adam(n, mm, vv);
    return info.Env().Undefined();
  }
  Napi::Value StepCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(model(info.Env()).step_count())); }
  Napi::Value SetStepCount(const Napi::CallbackInfo& info) {
    model(info.Env()).set_step_count(to_int(arg(info, 0, "step"), "step", 0));
    return info.Env().Undefined();
  }
  Napi::Value InitWeights(const Napi::CallbackInfo& info) {
    int seed = to_int(arg(info, 0, "seed"), "seed", 0);
    double std = to_number(arg(info, 1, "std"), "std");
    MT_CHECK(std > 0, "initWeights: std must be positive");
    model(info.Env()).init_weights(uint64_t(seed), float(std));
    return info.Env().Undefined();
  }
  std::pair<int, int> dims(const Napi::CallbackInfo& info, size_t i) {
    return {to_int(arg(info, i, "B"), "B", 1), to_int(arg(info, i + 1, "T"), "T", 1)};
  }
  // A batch argument (batch, B, T at args 0..2) with its ids (and labels) checked against the vocabulary.
  Batch batch_arg(const Napi::CallbackInfo& info, bool labels, int* B, int* T) {
    std::tie(*B, *T) = dims(info, 1);
    Batch b = parse_batch(arg(info, 0, "batch"), *B, *T, labels, "batch");
    check_tokens(model(info.Env()), b, "batch");
    return b;
  }
  Napi::Value ForwardLogits(const Napi::CallbackInfo& info) {
    int B, T;
    Batch b = batch_arg(info, false, &B, &T);
    auto out = Napi::Float32Array::New(info.Env(), size_t(B) * T * model_->config().vocab);
    model(info.Env()).forward_logits(b, B, T, out.Data());
    return out;
  }
  Napi::Value EvalLoss(const Napi::CallbackInfo& info) {
    int B, T;
    Batch b = batch_arg(info, true, &B, &T);
    cpu::XentResult r = model(info.Env()).eval_loss(b, B, T);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("lossSum", r.loss_sum);
    o.Set("count", double(r.count));
    return o;
  }
  // Zeroes the gradients, then one forward/backward of the mean loss.
  Napi::Value LossAndGrad(const Napi::CallbackInfo& info) {
    int B, T;
    Batch b = batch_arg(info, true, &B, &T);
    auto& m = model(info.Env());
    double norm = 0;
    cpu::XentResult r = m.loss_and_grad(b, B, T, &norm);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("loss", r.loss_sum / double(r.count));
    o.Set("kl", m.last_kl_sum() / double(r.count));
    o.Set("count", double(r.count));
    o.Set("gradNorm", norm);
    return o;
  }
  Napi::Value Step(const Napi::CallbackInfo& info) { return step_model(*this, info); }
  // Seconds per phase since the last reset.
  Napi::Value Profile(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    for (const auto& [name, s] : model(info.Env()).phase_seconds()) o.Set(name, s);
    return o;
  }
  Napi::Value ResetProfile(const Napi::CallbackInfo& info) {
    model(info.Env()).reset_profile();
    return info.Env().Undefined();
  }
  // The device memory plan (CUDA) or the host buffers (CPU).
  Napi::Value Memory(const Napi::CallbackInfo& info) {
    BackendMemory mem = model(info.Env()).memory();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("weightsBytes", double(mem.weights_bytes));
    o.Set("activationsBytes", double(mem.activations_bytes));
    o.Set("planBytes", double(mem.weights_bytes + mem.activations_bytes));
    o.Set("peakBytes", double(mem.peak_bytes));
    o.Set("freeBytes", double(mem.free_bytes));
    o.Set("totalBytes", double(mem.total_bytes));
    return o;
  }
  Napi::Value Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), model(info.Env()).device()); }

 public:
  // Token ids in [0, V); labels -100 or in [0, V).
  static void check_tokens(TrainBackend& m, const Batch& b, const std::string& where) {
    const int V = m.config().vocab;
    for (size_t j = 0; j < b.ids.size(); ++j)
      MT_CHECK(b.ids[j] >= 0 && b.ids[j] < V, where, ".inputIds[", j, "] = ", b.ids[j], " is outside the vocabulary [0, ", V, ")");
    for (size_t j = 0; j < b.labels.size(); ++j)
      MT_CHECK(b.labels[j] == -100 || (b.labels[j] >= 0 && b.labels[j] < V), where, ".labels[", j, "] = ", b.labels[j],
               " is outside [0, ", V, ") and is not -100");
  }
};

// The arguments of step(microBatches[], B, T, {lr, beta1, beta2, eps, weightDecay, gradClip[, anchorWeight]}),
// checked, ids and labels against the model's vocabulary.
struct StepArgs {
  std::vector<Batch> micro;
  int B = 0, T = 0;
  StepHyper h;
};
StepArgs parse_step(const Napi::CallbackInfo& info, TrainBackend& m) {
  Napi::Env env = info.Env();
  StepArgs s;
  Napi::Value mv = arg(info, 0, "microBatches");
  if (!mv.IsArray()) throw Napi::TypeError::New(env, "'microBatches' must be an array");
  s.B = to_int(arg(info, 1, "B"), "B", 1);
  s.T = to_int(arg(info, 2, "T"), "T", 1);
  Napi::Value hv = arg(info, 3, "hyper");
  if (!hv.IsObject()) throw Napi::TypeError::New(env, "'hyper' must be an object");
  Napi::Object ho = hv.As<Napi::Object>();
  StepHyper& h = s.h;
  h.lr = float(to_number(field(ho, "lr"), "lr"));
  h.beta1 = float(to_number(field(ho, "beta1"), "beta1"));
  h.beta2 = float(to_number(field(ho, "beta2"), "beta2"));
  h.eps = float(to_number(field(ho, "eps"), "eps"));
  h.weight_decay = float(to_number(field(ho, "weightDecay"), "weightDecay"));
  h.grad_clip = float(to_number(field(ho, "gradClip"), "gradClip"));
  if (!absent(ho.Get("anchorWeight"))) h.anchor_weight = float(to_number(ho.Get("anchorWeight"), "anchorWeight"));
  MT_CHECK(h.anchor_weight >= 0, "anchorWeight must be >= 0");
  MT_CHECK(h.lr >= 0, "lr must be >= 0");
  MT_CHECK(h.beta1 >= 0 && h.beta1 < 1 && h.beta2 >= 0 && h.beta2 < 1, "betas must be in [0, 1)");
  MT_CHECK(h.eps > 0, "eps must be > 0");
  MT_CHECK(h.weight_decay >= 0 && h.grad_clip >= 0, "weightDecay and gradClip must be >= 0");
  Napi::Array arr = mv.As<Napi::Array>();
  MT_CHECK(arr.Length() > 0, "'microBatches' is empty");
  for (uint32_t i = 0; i < arr.Length(); ++i)
    s.micro.push_back(parse_batch(arr.Get(i), s.B, s.T, true, "microBatches[" + std::to_string(i) + "]"));
  for (size_t i = 0; i < s.micro.size(); ++i) Model::check_tokens(m, s.micro[i], "microBatches[" + std::to_string(i) + "]");
  return s;
}

class StepWorker : public Napi::AsyncWorker {
 public:
  StepWorker(Napi::Env env, Napi::Object owner, Model& model, Model* ref, StepArgs args)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), model_(model), ref_(ref), args_(std::move(args)) {
    owner_ = Napi::Persistent(owner);  // keep the model alive while the step runs
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      res_ = model_.model_->step(args_.micro, args_.B, args_.T, args_.h);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    release();
    Napi::Object o = Napi::Object::New(Env());
    o.Set("loss", res_.loss);
    o.Set("kl", res_.kl);
    o.Set("penalty", res_.penalty);
    o.Set("gradNorm", res_.grad_norm);
    o.Set("targets", double(res_.targets));
    o.Set("tokens", double(res_.tokens));
    o.Set("step", double(model_.model_->step_count()));
    o.Set("skipped", res_.skipped);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override {
    release();
    deferred_.Reject(e.Value());
  }

 private:
  void release() {
    model_.busy = false;
    if (ref_) ref_->busy = false;
  }
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;
  Model& model_;
  Model* ref_;  // the KL reference, busy while the step runs
  StepArgs args_;
  StepResult res_;
};

Napi::Value step_model(Model& self, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StepArgs s = parse_step(info, self.model(env));
  Model* ref = self.kl_ref_;
  if (ref) ref->model(env);  // throws if the reference is itself busy
  auto* w = new StepWorker(env, info.This().As<Napi::Object>(), self, ref, std::move(s));
  self.busy = true;
  if (ref) ref->busy = true;
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void register_model(Napi::Env env, Napi::Object exports) {
  Napi::Function f = Model::Define(env);
  Model::ctor = new Napi::FunctionReference(Napi::Persistent(f));  // lives as long as the addon
  exports.Set("LlamaModel", f);
}

}  // namespace mt::napi

// The LlamaModel class for JS: construction from an HF config object,
// parameters by HF name, synchronous loss/gradient for tests, and an async
// step() that trains off the JS thread and resolves a Promise.
#include <cmath>
#include <memory>

#include "core/check.h"
#include "model/llama.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

LlamaConfig parse_config(const Napi::Object& o) {
  LlamaConfig c;
  c.vocab = to_int(field(o, "vocab_size"), "vocab_size", 1);
  c.hidden = to_int(field(o, "hidden_size"), "hidden_size", 1);
  c.intermediate = to_int(field(o, "intermediate_size"), "intermediate_size", 1);
  c.layers = to_int(field(o, "num_hidden_layers"), "num_hidden_layers", 1);
  c.heads = to_int(field(o, "num_attention_heads"), "num_attention_heads", 1);
  c.kv_heads = to_int(field(o, "num_key_value_heads"), "num_key_value_heads", 1);
  c.head_dim = to_int(field(o, "head_dim"), "head_dim", 1);
  c.rms_eps = float(to_number(field(o, "rms_norm_eps"), "rms_norm_eps"));
  c.rope_theta = float(to_number(field(o, "rope_theta"), "rope_theta"));
  c.tie_embeddings = to_bool(field(o, "tie_word_embeddings"), "tie_word_embeddings");
  c.qkv_bias = to_bool(field(o, "attention_bias"), "attention_bias");
  c.qk_norm = to_bool(field(o, "qk_norm"), "qk_norm");
  Napi::Value rs = o.Get("rope_scaling");
  if (!absent(rs)) {
    if (!rs.IsObject()) throw Napi::TypeError::New(o.Env(), "'rope_scaling' must be an object or null");
    Napi::Object s = rs.As<Napi::Object>();
    Napi::Value t = field(s, "rope_type");
    if (!t.IsString()) throw Napi::TypeError::New(o.Env(), "'rope_scaling.rope_type' must be a string");
    std::string type = t.As<Napi::String>().Utf8Value();
    if (type == "llama3") {
      c.rope_scaling.type = 1;
      c.rope_scaling.factor = float(to_number(field(s, "factor"), "rope_scaling.factor"));
      c.rope_scaling.low_freq_factor = float(to_number(field(s, "low_freq_factor"), "rope_scaling.low_freq_factor"));
      c.rope_scaling.high_freq_factor = float(to_number(field(s, "high_freq_factor"), "rope_scaling.high_freq_factor"));
      c.rope_scaling.original_max_position = to_int(field(s, "original_max_position_embeddings"),
                                                    "rope_scaling.original_max_position_embeddings", 1);
    } else if (type == "linear") {
      c.rope_scaling.type = 2;
      c.rope_scaling.factor = float(to_number(field(s, "factor"), "rope_scaling.factor"));
    } else if (type != "default") {
      throw Napi::TypeError::New(o.Env(), "rope_scaling.rope_type '" + type + "' is not supported (llama3, linear, default)");
    }
  }
  return c;
}

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

class StepWorker;

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
                        InstanceMethod("resetProfile", &Model::ResetProfile)});
  }

  explicit Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {
    Napi::Value c = arg(info, 0, "config");
    if (!c.IsObject()) throw Napi::TypeError::New(info.Env(), "'config' must be an object");
    model_ = std::make_unique<LlamaModel>(parse_config(c.As<Napi::Object>()));
  }

  LlamaModel& model(Napi::Env env) {
    if (model_->busy) throw Napi::Error::New(env, "the model is busy with a step; await it first");
    return *model_;
  }
  std::unique_ptr<LlamaModel> model_;

 private:
  std::string name_arg(const Napi::CallbackInfo& info) {
    Napi::Value v = arg(info, 0, "name");
    if (!v.IsString()) throw Napi::TypeError::New(info.Env(), "'name' must be a string");
    return v.As<Napi::String>().Utf8Value();
  }
  Napi::Float32Array copy_out(Napi::Env env, const float* p, size_t n) {
    auto a = Napi::Float32Array::New(env, n);
    std::copy(p, p + n, a.Data());
    return a;
  }

  Napi::Value ParamNames(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    auto arr = Napi::Array::New(info.Env(), m.params().size());
    for (size_t i = 0; i < m.params().size(); ++i) arr.Set(uint32_t(i), m.params()[i].name);
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
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    return copy_out(info.Env(), m.param_data(n), m.param(n).numel);
  }
  Napi::Value GetGrad(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    return copy_out(info.Env(), m.grad_data(n), m.param(n).numel);
  }
  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    const ParamInfo& p = m.param(n);
    const float* src = f32(arg(info, 1, "data"), ("data for " + n).c_str(), int64_t(p.numel));
    for (size_t i = 0; i < p.numel; ++i)
      MT_CHECK(std::isfinite(src[i]), "setParam('", n, "'): value ", i, " is not finite");
    std::copy(src, src + p.numel, m.param_data(n));
    return info.Env().Undefined();
  }
  Napi::Value GetOptState(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("m", copy_out(info.Env(), m.adam_m(n), m.param(n).numel));
    o.Set("v", copy_out(info.Env(), m.adam_v(n), m.param(n).numel));
    return o;
  }
  Napi::Value SetOptState(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    std::string n = name_arg(info);
    const int64_t len = int64_t(m.param(n).numel);
    const float* mm = f32(arg(info, 1, "m"), "m", len);
    const float* vv = f32(arg(info, 2, "v"), "v", len);
    for (int64_t i = 0; i < len; ++i) MT_CHECK(vv[i] >= 0 && std::isfinite(mm[i]), "setOptimizerState('", n, "'): bad value at ", i);
    std::copy(mm, mm + len, m.adam_m(n));
    std::copy(vv, vv + len, m.adam_v(n));
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
  Napi::Value ForwardLogits(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    auto [B, T] = dims(info, 1);
    Batch b = parse_batch(arg(info, 0, "batch"), B, T, false, "batch");
    auto out = Napi::Float32Array::New(info.Env(), size_t(B) * T * m.config().vocab);
    m.forward_logits(b, B, T, out.Data());
    return out;
  }
  Napi::Value EvalLoss(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    auto [B, T] = dims(info, 1);
    Batch b = parse_batch(arg(info, 0, "batch"), B, T, true, "batch");
    cpu::XentResult r = m.eval_loss(b, B, T);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("lossSum", r.loss_sum);
    o.Set("count", double(r.count));
    return o;
  }
  // Zeroes the gradients, then one forward/backward of the mean loss.
  Napi::Value LossAndGrad(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    auto [B, T] = dims(info, 1);
    Batch b = parse_batch(arg(info, 0, "batch"), B, T, true, "batch");
    int64_t targets = 0;
    for (int32_t y : b.labels) targets += y != -100;
    MT_CHECK(targets > 0, "lossAndGrad: every label is -100");
    m.zero_grad();
    cpu::XentResult r = m.forward_backward(b, B, T, float(1.0 / double(targets)));
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("loss", r.loss_sum / double(r.count));
    o.Set("count", double(r.count));
    o.Set("gradNorm", m.grad_norm());
    return o;
  }
  Napi::Value Step(const Napi::CallbackInfo& info);
  // Seconds per phase since the last reset.
  Napi::Value Profile(const Napi::CallbackInfo& info) {
    auto& m = model(info.Env());
    Napi::Object o = Napi::Object::New(info.Env());
    for (int p = 0; p < LlamaModel::kPhases; ++p) o.Set(LlamaModel::phase_name(p), m.profile()[p]);
    return o;
  }
  Napi::Value ResetProfile(const Napi::CallbackInfo& info) {
    model(info.Env()).reset_profile();
    return info.Env().Undefined();
  }
};

class StepWorker : public Napi::AsyncWorker {
 public:
  StepWorker(Napi::Env env, Napi::Object owner, LlamaModel& model, std::vector<Batch> micro, int B, int T, StepHyper h)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), model_(model), micro_(std::move(micro)),
        B_(B), T_(T), h_(h) {
    owner_ = Napi::Persistent(owner);  // keep the model alive while the step runs
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      res_ = model_.step(micro_, B_, T_, h_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    model_.busy = false;
    Napi::Object o = Napi::Object::New(Env());
    o.Set("loss", res_.loss);
    o.Set("gradNorm", res_.grad_norm);
    o.Set("targets", double(res_.targets));
    o.Set("tokens", double(res_.tokens));
    o.Set("step", double(model_.step_count()));
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override {
    model_.busy = false;
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;
  LlamaModel& model_;
  std::vector<Batch> micro_;
  int B_, T_;
  StepHyper h_;
  StepResult res_;
};

// step(microBatches[], B, T, {lr, beta1, beta2, eps, weightDecay, gradClip}) -> Promise
Napi::Value Model::Step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto& m = model(env);
  Napi::Value mv = arg(info, 0, "microBatches");
  if (!mv.IsArray()) throw Napi::TypeError::New(env, "'microBatches' must be an array");
  auto [B, T] = dims(info, 1);
  Napi::Value hv = arg(info, 3, "hyper");
  if (!hv.IsObject()) throw Napi::TypeError::New(env, "'hyper' must be an object");
  Napi::Object ho = hv.As<Napi::Object>();
  StepHyper h;
  h.lr = float(to_number(field(ho, "lr"), "lr"));
  h.beta1 = float(to_number(field(ho, "beta1"), "beta1"));
  h.beta2 = float(to_number(field(ho, "beta2"), "beta2"));
  h.eps = float(to_number(field(ho, "eps"), "eps"));
  h.weight_decay = float(to_number(field(ho, "weightDecay"), "weightDecay"));
  h.grad_clip = float(to_number(field(ho, "gradClip"), "gradClip"));
  MT_CHECK(h.lr >= 0, "lr must be >= 0");
  MT_CHECK(h.beta1 >= 0 && h.beta1 < 1 && h.beta2 >= 0 && h.beta2 < 1, "betas must be in [0, 1)");
  MT_CHECK(h.eps > 0, "eps must be > 0");
  MT_CHECK(h.weight_decay >= 0 && h.grad_clip >= 0, "weightDecay and gradClip must be >= 0");
  Napi::Array arr = mv.As<Napi::Array>();
  MT_CHECK(arr.Length() > 0, "'microBatches' is empty");
  std::vector<Batch> micro;
  for (uint32_t i = 0; i < arr.Length(); ++i)
    micro.push_back(parse_batch(arr.Get(i), B, T, true, "microBatches[" + std::to_string(i) + "]"));
  const int V = m.config().vocab;
  for (size_t i = 0; i < micro.size(); ++i)
    for (size_t j = 0; j < micro[i].ids.size(); ++j) {
      MT_CHECK(micro[i].ids[j] >= 0 && micro[i].ids[j] < V, "microBatches[", i, "].inputIds[", j, "] = ", micro[i].ids[j],
               " is outside the vocabulary [0, ", V, ")");
      int32_t y = micro[i].labels[j];
      MT_CHECK(y == -100 || (y >= 0 && y < V), "microBatches[", i, "].labels[", j, "] = ", y, " is outside [0, ", V,
               ") and is not -100");
    }
  auto* w = new StepWorker(env, info.This().As<Napi::Object>(), m, std::move(micro), B, T, h);
  m.busy = true;
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void register_model(Napi::Env env, Napi::Object exports) { exports.Set("LlamaModel", Model::Define(env)); }

}  // namespace mt::napi

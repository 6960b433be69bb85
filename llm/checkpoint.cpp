// save_checkpoint / load_checkpoint: the tensors and metadata llm/checkpoint.h lists, and the
// checks a load makes before it touches the model, the optimizer or the generator.
// Not here: reading and writing the file itself (core/safetensors.cpp).
#include "llm/checkpoint.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <type_traits>

#include "core/random.h"

namespace minigrad::llm {

namespace {

constexpr const char* kFormat = "minigrad training checkpoint 1";

template <class Options>
const char* optimizer_name() {
  return std::is_same_v<Options, optim::AdamWOptions> ? "AdamW" : "Adam";
}

// FNV-1a (64-bit) over the tensor's bytes, as hex: any flipped byte shows.
std::string fnv1a(const Tensor& t) {
  uint64_t h = 14695981039346656037ULL;
  const auto* p = static_cast<const unsigned char*>(t.raw_data());
  for (std::size_t i = 0, n = static_cast<std::size_t>(t.numel()) * element_size(t.dtype()); i < n; ++i)
    h = (h ^ p[i]) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

Tensor i64(int64_t v) { return tensor(std::vector<int64_t>{v}, {}); }

// The file's tensors by name, each checked against its checksum; then taken one by one,
// each checked for its dtype and shape.
class Contents {
 public:
  explicit Contents(const std::string& path) : path_(path), file_(load_safetensors_file(path)) {
    auto format = file_.metadata.find("minigrad.format");
    if (format == file_.metadata.end() || format->second != kFormat)
      fail("not a minigrad training checkpoint (its metadata has no \"minigrad.format\": \"" + std::string(kFormat) +
           "\")");
    for (const auto& [name, t] : file_.tensors) {
      auto sum = file_.metadata.find("minigrad.fnv1a." + name);
      if (sum == file_.metadata.end()) fail(name, "has no checksum in the metadata");
      if (sum->second != fnv1a(t)) fail(name, "its bytes do not match its checksum (the file is corrupted)");
      tensors_[name] = t;
    }
  }

  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  const std::string& meta(const std::string& key) const {
    auto it = file_.metadata.find(key);
    if (it == file_.metadata.end()) fail("the metadata has no \"" + key + "\"");
    return it->second;
  }
  const std::map<std::string, std::string>& metadata() const { return file_.metadata; }
  const NamedTensors& tensors() const { return file_.tensors; }

  Tensor take(const std::string& name, DType dtype, const Shape& shape) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) fail(name, "is missing");
    const Tensor& t = it->second;
    if (t.dtype() != dtype) fail(name, "has dtype " + dtype_name(t.dtype()) + ", expected " + dtype_name(dtype));
    if (t.sizes() != shape) fail(name, "has shape " + shape_str(t.sizes()) + ", expected " + shape_str(shape));
    return t;
  }
  int64_t take_int(const std::string& name) const { return take(name, DType::Int64, {}).data_ptr<int64_t>()[0]; }
  // A 1-D tensor of at most max_len elements.
  Tensor take_vector(const std::string& name, DType dtype, int64_t max_len) const {
    auto it = tensors_.find(name);
    const int64_t n = it == tensors_.end() || it->second.dim() != 1 ? 0 : it->second.size(0);
    return take(name, dtype, {std::min(n, max_len)});
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("load_checkpoint: " + path_ + ": " + what);
  }
  [[noreturn]] void fail(const std::string& tensor, const std::string& what) const {
    fail("tensor '" + tensor + "' " + what);
  }

 private:
  std::string path_;
  SafetensorsFile file_;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace

template <class Options>
void save_checkpoint(const std::string& path, const nn::Module& model, const optim::AdamFamily<Options>& optimizer,
                     const TrainingState& state) {
  NamedTensors out;
  for (const auto& [name, t] : model.state_dict()) out.emplace_back("model." + name, t);
  const std::size_t P = optimizer.parameters().size();
  std::vector<int64_t> steps(P);
  for (std::size_t i = 0; i < P; ++i) {
    const optim::AdamParamState& s = optimizer.state(i);
    steps[i] = s.step;
    const std::string prefix = "optim." + std::to_string(i) + ".";
    if (s.exp_avg.defined()) out.emplace_back(prefix + "exp_avg", s.exp_avg);
    if (s.exp_avg_sq.defined()) out.emplace_back(prefix + "exp_avg_sq", s.exp_avg_sq);
    if (s.max_exp_avg_sq.defined()) out.emplace_back(prefix + "max_exp_avg_sq", s.max_exp_avg_sq);
  }
  out.emplace_back("optim.steps", tensor(steps, {static_cast<int64_t>(P)}));
  for (std::size_t g = 0; g < optimizer.param_groups().size(); ++g) {
    const Options& o = optimizer.param_groups()[g].options;
    out.emplace_back("optim.group." + std::to_string(g),
                     tensor(std::vector<double>{o.lr, o.betas.first, o.betas.second, o.eps, o.weight_decay,
                                                o.amsgrad ? 1.0 : 0.0, o.maximize ? 1.0 : 0.0}));
  }
  const GeneratorState rng = get_rng_state();
  out.emplace_back("rng.mt", tensor(std::vector<int64_t>(rng.mt.begin(), rng.mt.end())));
  out.emplace_back("rng.index", i64(rng.index));
  out.emplace_back("rng.next_normal", rng.next_normal ? tensor(std::vector<double>{*rng.next_normal})
                                                      : empty({0}, DType::Float64));
  out.emplace_back("train.step", i64(state.step));
  out.emplace_back("data.order", tensor(state.data_order));
  out.emplace_back("data.batch", i64(state.data_batch));
  for (const auto& [name, t] : state.extra) out.emplace_back("extra." + name, t);

  std::map<std::string, std::string> metadata;
  for (const auto& [key, value] : state.metadata) {
    if (key.rfind("minigrad.", 0) == 0)
      throw std::invalid_argument("save_checkpoint: " + path + ": metadata key \"" + key +
                                  "\" starts with \"minigrad.\", which the checkpoint's own keys use");
    metadata[key] = value;
  }
  metadata["minigrad.format"] = kFormat;
  metadata["minigrad.optimizer"] = optimizer_name<Options>();
  metadata["minigrad.rng_seed"] = std::to_string(rng.seed);
  for (const auto& [name, t] : out)
    if (t.defined()) metadata["minigrad.fnv1a." + name] = fnv1a(t);
  save_safetensors(path, out, metadata);
}

template <class Options>
TrainingState load_checkpoint(const std::string& path, nn::Module& model, optim::AdamFamily<Options>& optimizer) {
  const Contents file(path);
  if (file.meta("minigrad.optimizer") != optimizer_name<Options>())
    file.fail("it was saved by " + file.meta("minigrad.optimizer") + ", not " + optimizer_name<Options>());

  // Everything is read and checked first, so a failed load changes nothing.
  NamedTensors weights;
  for (const auto& [name, t] : model.state_dict())
    weights.emplace_back(name, file.take("model." + name, t.dtype(), t.sizes()));
  std::set<std::string> own;
  for (const auto& [name, t] : weights) own.insert("model." + name);
  for (const auto& [name, t] : file.tensors())
    if (name.rfind("model.", 0) == 0 && !own.count(name)) file.fail(name, "is not in the model's state_dict (a different model?)");

  const auto& params = optimizer.parameters();
  const auto P = static_cast<int64_t>(params.size());
  const Tensor steps = file.take("optim.steps", DType::Int64, {P});
  std::vector<optim::AdamParamState> states(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    optim::AdamParamState& s = states[i];
    s.step = steps.data_ptr<int64_t>()[i];
    const std::string prefix = "optim." + std::to_string(i) + ".";
    auto moment = [&](const char* which) {
      return file.has(prefix + which) ? file.take(prefix + which, params[i].dtype(), params[i].sizes()).clone() : Tensor();
    };
    s.exp_avg = moment("exp_avg");
    s.exp_avg_sq = moment("exp_avg_sq");
    s.max_exp_avg_sq = moment("max_exp_avg_sq");
    if (s.step > 0 && !(s.exp_avg.defined() && s.exp_avg_sq.defined()))
      file.fail(prefix + "exp_avg", "is missing, though parameter " + std::to_string(i) + " has taken steps");
  }
  std::vector<Tensor> groups;
  for (std::size_t g = 0; g < optimizer.param_groups().size(); ++g)
    groups.push_back(file.take("optim.group." + std::to_string(g), DType::Float64, {7}));
  if (file.has("optim.group." + std::to_string(groups.size())))
    file.fail("optim.group." + std::to_string(groups.size()), "is one group more than the optimizer has");

  GeneratorState rng;
  const Tensor mt = file.take("rng.mt", DType::Int64, {624});
  for (std::size_t k = 0; k < 624; ++k) {
    const int64_t word = mt.data_ptr<int64_t>()[k];
    if (word < 0 || word > 0xffffffffLL) file.fail("rng.mt", "holds " + std::to_string(word) + ", not a 32-bit word");
    rng.mt[k] = static_cast<uint32_t>(word);
  }
  rng.index = file.take_int("rng.index");
  if (rng.index < 0 || rng.index > 624) file.fail("rng.index", "is " + std::to_string(rng.index) + ", not in [0, 624]");
  const Tensor normal = file.take_vector("rng.next_normal", DType::Float64, 1);
  if (normal.numel() == 1) rng.next_normal = normal.data_ptr<double>()[0];
  const std::string& seed = file.meta("minigrad.rng_seed");
  char* end = nullptr;
  rng.seed = std::strtoull(seed.c_str(), &end, 10);
  if (seed.empty() || *end != '\0') file.fail("its metadata's minigrad.rng_seed \"" + seed + "\" is not a number");

  TrainingState state;
  state.step = file.take_int("train.step");
  state.data_batch = file.take_int("data.batch");
  const Tensor order = file.take_vector("data.order", DType::Int64, INT64_MAX);
  state.data_order.assign(order.data_ptr<int64_t>(), order.data_ptr<int64_t>() + order.numel());
  for (const auto& [name, t] : file.tensors())
    if (name.rfind("extra.", 0) == 0) state.extra.emplace_back(name.substr(6), t);
  for (const auto& [key, value] : file.metadata())
    if (key.rfind("minigrad.", 0) != 0) state.metadata[key] = value;

  // Now apply it all.
  model.load_state_dict(weights);
  for (std::size_t i = 0; i < states.size(); ++i) optimizer.state(i) = std::move(states[i]);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double* v = groups[g].data_ptr<double>();
    Options& o = optimizer.param_groups()[g].options;
    o.lr = v[0];
    o.betas = {v[1], v[2]};
    o.eps = v[3];
    o.weight_decay = v[4];
    o.amsgrad = v[5] != 0;
    o.maximize = v[6] != 0;
  }
  set_rng_state(rng);
  return state;
}

template void save_checkpoint(const std::string&, const nn::Module&, const optim::AdamFamily<optim::AdamOptions>&,
                              const TrainingState&);
template void save_checkpoint(const std::string&, const nn::Module&, const optim::AdamFamily<optim::AdamWOptions>&,
                              const TrainingState&);
template TrainingState load_checkpoint(const std::string&, nn::Module&, optim::AdamFamily<optim::AdamOptions>&);
template TrainingState load_checkpoint(const std::string&, nn::Module&, optim::AdamFamily<optim::AdamWOptions>&);

}  // namespace minigrad::llm

// Module's bookkeeping: registration, the recursive walks behind parameters(), buffers()
// and state_dict(), loading a state_dict, converting dtypes, zero_grad, train/eval, printing.
// Not here: any layer (embedding.cpp, linear.cpp), or Python's spelling of values (repr.cpp).
#include "nn/module.h"

#include <algorithm>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "core/autograd.h"

namespace minigrad::nn {

namespace {

// A registered name becomes part of a dotted path, so it cannot be empty or contain '.'.
void check_name(const std::string& name, const char* op) {
  if (name.empty()) throw std::invalid_argument(std::string(op) + ": the name must not be empty");
  if (name.find('.') != std::string::npos) {
    throw std::invalid_argument(std::string(op) + ": name \"" + name +
                                "\" must not contain '.' (dots join the names of nested modules)");
  }
}

// Replaces the entry called `name`, keeping its place in the list, or appends one.
template <class T>
void put(std::vector<std::pair<std::string, T>>& list, const std::string& name, T value) {
  for (auto& [n, v] : list) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  list.emplace_back(name, std::move(value));
}

}  // namespace

Tensor Module::forward(const Tensor&) {
  throw std::runtime_error(name() + ": this module has no forward(const Tensor&); call its own forward");
}

Tensor Module::register_parameter(const std::string& name, Tensor param, bool requires_grad) {
  check_name(name, "register_parameter");
  // An undefined tensor is allowed (Linear's absent bias, as torch registers None) and is
  // skipped by parameters().
  if (param.defined()) {
    if (!param.is_leaf()) {
      throw std::invalid_argument("register_parameter: \"" + name + "\" was made by " +
                                  param.grad_fn_name() +
                                  "; a parameter must be a leaf (pass tensor.detach())");
    }
    if (!is_floating(param.dtype())) {
      throw std::invalid_argument("register_parameter: \"" + name + "\" holds " +
                                  dtype_name(param.dtype()) + "; parameters must be floating point");
    }
    param.requires_grad_(requires_grad);
    param.set_name(name);
  }
  check_free(name, "parameter", "register_parameter");
  put(params_, name, param);
  return param;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_name(name, "register_buffer");
  check_free(name, "buffer", "register_buffer");
  if (tensor.defined()) tensor.set_name(name);
  put(buffers_, name, tensor);
  return tensor;
}

void Module::check_free(const std::string& name, const char* kind, const char* op) const {
  auto has = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& e) { return e.first == name; });
  };
  const char* taken = has(params_) ? "parameter" : has(buffers_) ? "buffer" : has(children_) ? "sub-module" : kind;
  if (std::string(taken) != kind)
    throw std::invalid_argument(std::string(op) + ": \"" + name + "\" is already a " + taken + "'s name");
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_name(name, "register_module");
  if (!module) throw std::invalid_argument("register_module: \"" + name + "\" is a null module");
  if (module.get() == this) throw std::invalid_argument("register_module: a module cannot contain itself");
  check_free(name, "sub-module", "register_module");
  // Label the child's tensors with their path from here, e.g. "emb.weight". A module
  // registered again higher up relabels them with the longer path.
  std::vector<std::pair<std::string, Tensor>> tensors;
  module->collect("", true, Own::Both, tensors);
  for (auto& [n, t] : tensors) t.set_name(name + "." + n);
  put(children_, name, std::move(module));
}

// torch's Module._save_to_state_dict order: own parameters, own buffers, then each child.
void Module::collect(const std::string& prefix, bool recurse, Own what,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  if (what != Own::Buffers) {
    for (const auto& [n, p] : params_)
      if (p.defined()) out.emplace_back(prefix + n, p);
  }
  if (what != Own::Parameters) {
    for (const auto& [n, b] : buffers_)
      if (b.defined()) out.emplace_back(prefix + n, b);
  }
  if (!recurse) return;
  for (const auto& [n, c] : children_) c->collect(prefix + n + ".", true, what, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_unique(bool recurse, Own what) const {
  std::vector<std::pair<std::string, Tensor>> all, unique;
  collect("", recurse, what, all);
  std::unordered_set<const TensorImpl*> seen;
  for (auto& np : all) {
    if (seen.insert(np.second.impl()).second) unique.push_back(std::move(np));
  }
  return unique;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  return named_unique(recurse, Own::Parameters);
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return named_unique(recurse, Own::Buffers);
}

namespace {
std::vector<Tensor> values(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<Tensor> out;
  for (const auto& [n, t] : named) out.push_back(t);
  return out;
}
}  // namespace

std::vector<Tensor> Module::parameters(bool recurse) const { return values(named_parameters(recurse)); }
std::vector<Tensor> Module::buffers(bool recurse) const { return values(named_buffers(recurse)); }

// ---- saving and loading ----

std::vector<std::pair<std::string, Tensor>> Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", true, Own::Both, out);
  for (auto& [n, t] : out) t = t.detach();
  return out;
}

void Module::load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state, bool strict) {
  std::vector<std::pair<std::string, Tensor>> own;
  collect("", true, Own::Both, own);
  std::map<std::string, Tensor> given;
  for (const auto& [n, t] : state) given[n] = t;

  // Every check first, so a failed load changes nothing (torch's copies what it can first).
  std::string missing, unexpected, mismatched;
  auto quoted = [](std::string& list, const std::string& key) { list += (list.empty() ? "\"" : ", \"") + key + "\""; };
  for (const auto& [n, t] : own) {
    auto it = given.find(n);
    if (it == given.end() || !it->second.defined()) {
      quoted(missing, n);
    } else if (it->second.sizes() != t.sizes()) {
      mismatched += "\n\tsize mismatch for " + n + ": copying a param with shape " +
                    shape_str(it->second.sizes()) + " from checkpoint, the shape in current model is " +
                    shape_str(t.sizes()) + ".";
    }
  }
  std::unordered_set<std::string> known;
  for (const auto& [n, t] : own) known.insert(n);
  for (const auto& [n, t] : state)
    if (!known.count(n)) quoted(unexpected, n);

  std::string errors;
  if (strict && !missing.empty()) errors += "\n\tMissing key(s) in state_dict: " + missing + ". ";
  if (strict && !unexpected.empty()) errors += "\n\tUnexpected key(s) in state_dict: " + unexpected + ". ";
  errors += mismatched;
  if (!errors.empty()) throw std::runtime_error("Error(s) in loading state_dict for " + name() + ":" + errors);

  NoGradGuard no_grad;
  for (auto& [n, t] : own) {
    auto it = given.find(n);
    if (it != given.end() && it->second.defined()) t.copy_(it->second);
  }
}

Module& Module::to(DType dtype) {
  if (!is_floating(dtype))
    throw std::invalid_argument(name() + ".to: " + dtype_name(dtype) +
                                " is not a floating dtype; a module converts its floating tensors only");
  NoGradGuard no_grad;
  // Give `t`'s own TensorImpl the converted storage, so every handle on it sees the change.
  auto convert = [dtype](const Tensor& t) {
    if (!t.defined() || !is_floating(t.dtype()) || t.dtype() == dtype) return;
    Tensor converted = t.detach().to(dtype);
    TensorImpl* impl = t.impl();
    impl->storage = converted.impl()->storage;
    impl->storage_offset = converted.impl()->storage_offset;
    impl->dtype = dtype;
  };
  std::vector<std::pair<std::string, Tensor>> own;
  collect("", true, Own::Both, own);
  std::unordered_set<const TensorImpl*> seen;  // a tied tensor is converted once
  for (auto& [n, t] : own) {
    if (!seen.insert(t.impl()).second) continue;
    if (t.defined() && is_floating(t.dtype()) && t.grad().defined()) convert(t.grad());
    convert(t);
  }
  return *this;
}

void Module::zero_grad(bool set_to_none) { minigrad::zero_grad(parameters(), set_to_none); }

void Module::check_sizes(const char* layer, std::initializer_list<std::pair<const char*, int64_t>> sizes) {
  if (std::all_of(sizes.begin(), sizes.end(), [](const auto& s) { return s.second >= 0; })) return;
  std::string named;
  for (const auto& [what, n] : sizes)
    named += (named.empty() ? "" : " and ") + std::string(what) + " (" + std::to_string(n) + ")";
  throw std::invalid_argument(std::string(layer) + ": " + named + " must be non-negative");
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, c] : children_) c->train(on);
}

// torch's Module.__repr__: the children's text indented two more spaces after its first line.
std::ostream& operator<<(std::ostream& out, const Module& module) {
  std::vector<std::string> lines;
  std::string extra = module.extra_repr();
  std::istringstream extra_lines(extra);
  for (std::string line; std::getline(extra_lines, line);) lines.push_back(line);
  size_t n_extra = lines.size();
  for (const auto& [n, child] : module.named_children()) {
    std::ostringstream text;
    text << *child;
    std::string indented;
    for (char c : text.str()) indented += c == '\n' ? std::string("\n  ") : std::string(1, c);
    lines.push_back("(" + n + "): " + indented);
  }
  out << module.name() << "(";
  if (n_extra == 1 && lines.size() == 1) {
    out << lines[0];
  } else if (!lines.empty()) {
    for (const auto& line : lines) out << "\n  " << line;
    out << "\n";
  }
  return out << ")";
}

}  // namespace minigrad::nn

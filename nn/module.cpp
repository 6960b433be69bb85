// Module's bookkeeping: registration, the recursive walks behind parameters() and
// named_parameters(), zero_grad and train/eval.
// Not here: any layer (embedding.cpp, linear.cpp).
#include "nn/module.h"

#include <algorithm>
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
  for (auto& [n, p] : params_) {
    if (n == name) {
      p = param;
      return param;
    }
  }
  if (std::any_of(children_.begin(), children_.end(), [&](const auto& c) { return c.first == name; }))
    throw std::invalid_argument("register_parameter: \"" + name + "\" is already a sub-module's name");
  params_.emplace_back(name, param);
  return param;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_name(name, "register_module");
  if (!module) throw std::invalid_argument("register_module: \"" + name + "\" is a null module");
  if (module.get() == this) throw std::invalid_argument("register_module: a module cannot contain itself");
  if (std::any_of(params_.begin(), params_.end(), [&](const auto& p) { return p.first == name; }))
    throw std::invalid_argument("register_module: \"" + name + "\" is already a parameter's name");
  // Label the child's parameters with their path from here, e.g. "emb.weight". A module
  // registered again higher up relabels them with the longer path.
  for (auto& [n, p] : module->named_parameters()) p.set_name(name + "." + n);
  for (auto& [n, c] : children_) {
    if (n == name) {
      c = std::move(module);
      return;
    }
  }
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [n, p] : params_) {
    if (p.defined()) out.emplace_back(prefix + n, p);
  }
  if (!recurse) return;
  for (const auto& [n, c] : children_) c->collect(prefix + n + ".", true, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> all, unique;
  collect("", recurse, all);
  // A tensor shared by two layers (tied weights) is listed once, under its first name.
  std::unordered_set<const TensorImpl*> seen;
  for (auto& np : all) {
    if (seen.insert(np.second.impl()).second) unique.push_back(std::move(np));
  }
  return unique;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, p] : named_parameters(recurse)) out.push_back(p);
  return out;
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

}  // namespace minigrad::nn

// Module: the base of every layer. It keeps a layer's parameters and sub-layers in
// registration order, so parameters() lists them in torch.nn.Module's order and
// named_parameters() gives dotted names ("emb.weight") for printing and graphs.
// Not here: any layer's math (embedding.h, linear.h) or how parameters are updated (optim/).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace minigrad::nn {

// A Module holds Tensor handles, so copying a Module gives a second Module that
// shares its parameters (as copying a libtorch module holder does). To give one
// different values, copy_ into its tensors under NoGradGuard, or build a new one.
class Module {
 public:
  virtual ~Module() = default;

  // The one-tensor forward most layers have; operator() forwards to it. A layer with
  // another signature defines its own forward and operator() instead.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  // Adds `param` under `name` and returns it; it requires grad when `requires_grad`,
  // and its label (Tensor::name) becomes `name`. Registering an existing name replaces
  // that parameter, keeping its place in the list: Python's `lin.weight = Parameter(t)`
  // is `lin.weight = lin.register_parameter("weight", t)`. (Assigning to the member alone
  // would leave parameters() listing the old tensor, as in libtorch.)
  Tensor register_parameter(const std::string& name, Tensor param, bool requires_grad = true);

  // Adds a sub-layer; its parameters appear in ours as "name.<its name>", and their
  // labels are renamed so (e.g. "emb.weight"). Returns `module` for `emb = register_module(...)`.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Every parameter of this module and (with recurse) its sub-modules, in torch's order:
  // this module's own in registration order, then each sub-module's, depth first. A tensor
  // registered twice (tied weights) is listed once, under its first name.
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }

  // Clears every parameter's gradient: minigrad::zero_grad(parameters(), set_to_none)
  // (core/autograd.h says what each mode does).
  void zero_grad(bool set_to_none = true);

  // Training mode, recursively. No layer here behaves differently yet; dropout will.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // The class name used in messages ("Linear"); layers override it.
  virtual std::string name() const { return "Module"; }

 protected:
  // For a layer's constructor: every size must be >= 0, else std::invalid_argument naming the
  // layer and its sizes, "Linear: in_features (-1) and out_features (2) must be non-negative".
  static void check_sizes(const char* layer, std::initializer_list<std::pair<const char*, int64_t>> sizes);

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void collect(const std::string& prefix, bool recurse,
               std::vector<std::pair<std::string, Tensor>>& out) const;

  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace minigrad::nn

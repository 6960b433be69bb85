// Module: the base of every layer. It keeps a layer's parameters, buffers and sub-layers in
// registration order, so parameters() and state_dict() list them in torch.nn.Module's order
// with dotted names ("emb.weight"); it saves and loads state_dict(), converts a whole model's
// dtype (to), and prints itself as PyTorch prints a module.
// Not here: any layer's math (embedding.h, linear.h) or how parameters are updated (optim/).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
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

  // Adds a tensor that is part of the module's state but not trained (torch's register_buffer):
  // it is in state_dict() and buffers() but not in parameters(), e.g. GPT's causal mask. Any
  // dtype. Registering an existing buffer's name replaces it in place; undefined is allowed
  // (torch's None) and skipped. Its label becomes `name`, as a parameter's. Returns `tensor`.
  Tensor register_buffer(const std::string& name, Tensor tensor);

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
  // Buffers, in the same order and with the same de-duplication as parameters.
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;

  // ---- saving and loading (module.cpp) ----
  // Every parameter and buffer under its dotted name, in torch's order: for each module, its
  // own parameters in registration order, then its own buffers, then each child's entries,
  // depth first. Unlike parameters(), a tied tensor appears under each of its names (torch
  // saves GPT-2's wte.weight and lm_head.weight both). Each value is tensor.detach(): the
  // same storage, no grad (torch's keep_vars=False).
  std::vector<std::pair<std::string, Tensor>> state_dict() const;

  // Copies each entry of `state` into the tensor of the same name, under NoGradGuard,
  // converting its dtype as copy_ does. Nothing is copied unless every check passes. One
  // std::runtime_error lists every problem, as torch's does:
  //   Error(s) in loading state_dict for Linear:
  //     Missing key(s) in state_dict: "bias".        (strict only)
  //     Unexpected key(s) in state_dict: "x".        (strict only)
  //     size mismatch for weight: copying a param with shape [3, 3] from checkpoint, the shape in current model is [3, 2].
  // strict = false skips missing and unexpected keys; a size mismatch is still an error.
  void load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state, bool strict = true);

  // Converts every floating parameter and buffer (and any gradient) to `dtype` in place, as
  // torch's module.to(dtype): Int64 and Bool buffers stay as they are. In place means the
  // tensors keep their identity: each TensorImpl is given a converted storage (torch's
  // `param.data = param.data.to(dtype)`), so the layer's members (lin.weight), tied weights,
  // an optimizer's parameter list and requires_grad all see the change. Convert before
  // building a graph: one recorded earlier would find its saved parameters changed under it.
  Module& to(DType dtype);

  // Clears every parameter's gradient: minigrad::zero_grad(parameters(), set_to_none)
  // (core/autograd.h says what each mode does).
  void zero_grad(bool set_to_none = true);

  // Training mode, recursively: Dropout drops only in training mode (torch's default, as here).
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // The class name used in messages and printing ("Linear"); layers override it.
  virtual std::string name() const { return "Module"; }

  // What a layer prints between its parentheses, as torch's extra_repr:
  // "in_features=768, out_features=50257, bias=False". Empty by default. The helpers in
  // nn/repr.h spell Python's floats and tuples.
  virtual std::string extra_repr() const { return ""; }

 protected:
  // For a layer's constructor: every size must be >= 0, else std::invalid_argument naming the
  // layer and its sizes, "Linear: in_features (-1) and out_features (2) must be non-negative".
  static void check_sizes(const char* layer, std::initializer_list<std::pair<const char*, int64_t>> sizes);

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  // Which of a module's own lists a walk collects.
  enum class Own { Parameters, Buffers, Both };
  void collect(const std::string& prefix, bool recurse, Own what,
               std::vector<std::pair<std::string, Tensor>>& out) const;
  // named_parameters / named_buffers: collect(), then each tensor once, under its first name.
  std::vector<std::pair<std::string, Tensor>> named_unique(bool recurse, Own what) const;
  // Throws if `name` is taken by another kind of entry than `kind` ("parameter", "buffer",
  // "sub-module"); `op` names the caller in the message.
  void check_free(const std::string& name, const char* kind, const char* op) const;

  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// Prints `module` as PyTorch 1.13 prints it: "Name(extra_repr)" for a leaf layer, else
//   GPTModel(
//     (tok_emb): Embedding(50257, 768)
//     (trf_blocks): Sequential(
//       (0): TransformerBlock(
//   ...
// each child on its own line as "(name): ", indented two spaces a level.
std::ostream& operator<<(std::ostream& out, const Module& module);

}  // namespace minigrad::nn

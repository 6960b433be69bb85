// Optimizer: the base of every update rule. It holds the parameters (Tensor handles
// shared with the model) in groups, each group with its own options (torch's
// param_groups, libtorch's OptimizerParamGroup), clears their gradients, and leaves
// step() to the rule. Not here: any rule (sgd.h, adam.h), or how gradients are
// computed (core/autograd.cpp:run_backward).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minigrad::optim {

// Some parameters and the options they are updated with. nanoGPT's split, for instance:
//   AdamW opt({{matrices, {.lr = 6e-4, .weight_decay = 0.1}},
//              {biases_and_norms, {.lr = 6e-4, .weight_decay = 0.0}}});
template <class Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

class Optimizer {
 public:
  // Every parameter must be a defined floating-point leaf, listed once (std::invalid_argument
  // otherwise), as torch.optim checks. An empty list is an error too.
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer() = default;

  // One update of every parameter that has a gradient; the others are skipped.
  virtual void step() = 0;

  // Clears every parameter's gradient: minigrad::zero_grad(parameters(), set_to_none)
  // (core/autograd.h says what each mode does).
  void zero_grad(bool set_to_none = true);

  // Every group's parameters, in order: group 0's first. Per-parameter state (momentum
  // buffers, Adam's moments) is indexed by a position in this list.
  const std::vector<Tensor>& parameters() const { return params_; }

  // The learning rate of one group, and setting it in every group, as a schedule does
  // (torch: `for g in opt.param_groups: g["lr"] = lr`).
  virtual double lr(std::size_t group = 0) const = 0;
  virtual void set_lr(double lr) = 0;

 protected:
  std::vector<Tensor> params_;
};

// The groups' bookkeeping, shared by every rule: `Options` is the rule's option struct
// and must have a `double lr`.
template <class Options>
class GroupedOptimizer : public Optimizer {
 public:
  using Group = ParamGroup<Options>;

  explicit GroupedOptimizer(std::vector<Group> groups)
      : Optimizer(all_params(groups)), groups_(std::move(groups)) {}

  // Mutable so options can change between steps (e.g. groups_[1].options.weight_decay).
  std::vector<Group>& param_groups() { return groups_; }
  const std::vector<Group>& param_groups() const { return groups_; }

  double lr(std::size_t group = 0) const override { return groups_.at(group).options.lr; }
  void set_lr(double lr) override {
    for (Group& g : groups_) g.options.lr = lr;
  }

 protected:
  // Calls f(group, index_in_parameters(), parameter) for every parameter, in order.
  template <class F>
  void for_each_param(F&& f) {
    std::size_t i = 0;
    for (Group& g : groups_)
      for (Tensor& p : g.params) f(g, i++, p);
  }

  std::vector<Group> groups_;

 private:
  static std::vector<Tensor> all_params(const std::vector<Group>& groups) {
    std::vector<Tensor> all;
    for (const Group& g : groups) all.insert(all.end(), g.params.begin(), g.params.end());
    return all;
  }
};

namespace detail {
std::string num(double v);  // v as an option error prints it: 0.1, -1, 1e-08
}  // namespace detail

}  // namespace minigrad::optim

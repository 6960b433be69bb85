// Optimizer: the base of every update rule. It holds the parameters (Tensor handles
// shared with the model), clears their gradients, and leaves step() to the rule.
// Not here: any rule (sgd.h), or how gradients are computed (core/autograd.cpp:run_backward).
#pragma once

#include <vector>

#include "core/tensor.h"

namespace minigrad::optim {

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

  const std::vector<Tensor>& parameters() const { return params_; }

 protected:
  std::vector<Tensor> params_;
};

}  // namespace minigrad::optim

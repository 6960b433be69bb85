// nn::MSELoss: the mean squared error as a module, as torch.nn.MSELoss, for code written
// `loss_fn = nn.MSELoss(); loss = loss_fn(output, target)` (the book's shortcut example).
// Not here: the formula (nn/functional.cpp:mse_loss).
#pragma once

#include <string>

#include "core/tensor.h"
#include "nn/functional.h"
#include "nn/module.h"

namespace minigrad::nn {

class MSELoss : public Module {
 public:
  explicit MSELoss(Reduction reduction = Reduction::Mean) : reduction(reduction) {}

  // functional::mse_loss(input, target, reduction): equal shapes (*) -> () or (*) for None.
  Tensor forward(const Tensor& input, const Tensor& target) { return functional::mse_loss(input, target, reduction); }
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  std::string name() const override { return "MSELoss"; }

  Reduction reduction;
};

}  // namespace minigrad::nn

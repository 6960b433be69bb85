// nn::Dropout: during training, zeroes each element with probability p and scales the rest
// by 1 / (1 - p); in eval() mode it passes the input through. Same draws as torch.nn.Dropout
// after the same manual_seed.
// Not here: the mask, its draws and its gradient (core/ops/dropout.cpp:dropout).
#pragma once

#include <string>

#include "core/tensor.h"
#include "nn/module.h"

namespace minigrad::nn {

class Dropout : public Module {
 public:
  // p outside [0, 1] throws std::invalid_argument naming p.
  explicit Dropout(double p = 0.5);

  // (*) -> (*): minigrad::dropout(input, p, is_training()).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;  // "p=0.1, inplace=False"

  double p;
};

}  // namespace minigrad::nn

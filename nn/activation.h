// nn::GELU and nn::ReLU: the activations as modules, so they can sit in a Sequential (the
// book's FeedForward is Sequential(Linear, GELU, Linear)), as torch.nn.GELU and torch.nn.ReLU.
// Not here: the formulas and their gradients (core/ops/gelu.cpp:gelu, Tensor::relu).
#pragma once

#include <string>

#include "core/tensor.h"
#include "nn/module.h"

namespace minigrad::nn {

class GELU : public Module {
 public:
  // "none": x * Phi(x), exact; "tanh": GPT-2's tanh approximation. Anything else throws
  // std::invalid_argument naming it.
  explicit GELU(std::string approximate = "none");

  Tensor forward(const Tensor& input) override;  // (*) -> (*)
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override;  // "approximate='none'"

  std::string approximate;
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override;  // (*) -> (*): max(x, 0)
  std::string name() const override { return "ReLU"; }
};

}  // namespace minigrad::nn

// nn::GELU and nn::ReLU: the activations as modules, so they can sit in a Sequential (the
// book's FeedForward is Sequential(Linear, GELU, Linear)), as torch.nn.GELU and torch.nn.ReLU.
// Not here: the formulas and their gradients (core/ops/gelu.cpp:gelu, Tensor::relu).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "core/tensor.h"
#include "nn/module.h"
#include "nn/repr.h"

namespace minigrad::nn {

class GELU : public Module {
 public:
  // "none": x * Phi(x), exact; "tanh": GPT-2's tanh approximation. Anything else throws
  // std::invalid_argument naming it.
  explicit GELU(std::string approximate = "none") : approximate(std::move(approximate)) {
    if (this->approximate != "none" && this->approximate != "tanh") {
      throw std::invalid_argument("GELU: approximate must be \"none\" or \"tanh\", got \"" +
                                  this->approximate + "\"");
    }
  }

  Tensor forward(const Tensor& input) override { return minigrad::gelu(input, approximate); }  // (*) -> (*)
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override { return "approximate=" + repr::py_str(approximate); }

  std::string approximate;
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input.relu(); }  // (*) -> (*): max(x, 0)
  std::string name() const override { return "ReLU"; }
};

}  // namespace minigrad::nn

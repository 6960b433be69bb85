// nn::GELU and nn::ReLU: each forward is one core op.
// Not here: the math (core/ops/gelu.cpp, core/ops/elementwise.cpp).
#include "nn/activation.h"

#include <stdexcept>
#include <utility>

#include "nn/repr.h"

namespace minigrad::nn {

GELU::GELU(std::string approximate) : approximate(std::move(approximate)) {
  if (this->approximate != "none" && this->approximate != "tanh") {
    throw std::invalid_argument("GELU: approximate must be \"none\" or \"tanh\", got \"" +
                                this->approximate + "\"");
  }
}

Tensor GELU::forward(const Tensor& input) { return minigrad::gelu(input, approximate); }

std::string GELU::extra_repr() const { return "approximate=" + repr::py_str(approximate); }

Tensor ReLU::forward(const Tensor& input) { return input.relu(); }

}  // namespace minigrad::nn

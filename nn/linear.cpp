// nn::Linear: torch.nn.Linear's initialisation, and a forward through functional::linear.
// Its gradients, from y = x W^T + b (x (N, in), W (out, in), y (N, out)):
//   dx = dy W,   dW = dy^T x,   db = sum over rows of dy
// They are core/ops/linear.cpp's backward (one node, AddmmBackward0), not code of its own.
// Not here: the math itself (nn/functional.cpp checks arguments, core/ops/linear.cpp computes).
#include "nn/linear.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/functional.h"
#include "nn/init.h"

namespace minigrad::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : in_features(in_features), out_features(out_features) {
  if (in_features < 0 || out_features < 0) {
    throw std::invalid_argument("Linear: in_features (" + std::to_string(in_features) +
                                ") and out_features (" + std::to_string(out_features) +
                                ") must be non-negative");
  }
  weight = register_parameter("weight", empty({out_features, in_features}));
  // Registered even when absent (undefined), as torch registers None: the order stays weight, bias.
  bias = register_parameter("bias", with_bias ? empty({out_features}) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  // kaiming_uniform_ with a = sqrt(5): gain = sqrt(2 / (1 + 5)) = sqrt(1/3), so
  // bound = sqrt(3) * gain / sqrt(in) = 1 / sqrt(in), torch's historical default.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = in_features > 0 ? 1 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& input) {
  return functional::linear(input, weight, bias);
}

}  // namespace minigrad::nn

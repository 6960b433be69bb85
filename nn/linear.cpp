// nn::Linear: torch.nn.Linear's initialisation, and a forward that is core's minigrad::linear.
// Not here: the math, its checks and its gradients dx = dy W, dW = dy^T x, db = sum_rows(dy):
// core/ops/linear.cpp.
#include "nn/linear.h"

#include <cmath>

#include "nn/init.h"
#include "nn/repr.h"

namespace minigrad::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : in_features(in_features), out_features(out_features) {
  check_sizes("Linear", {{"in_features", in_features}, {"out_features", out_features}});
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
  return minigrad::linear(input, weight, bias);  // checks, y = x W^T + b, backward: core/ops/linear.cpp
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) + ", out_features=" + std::to_string(out_features) +
         ", bias=" + repr::py_bool(bias.defined());
}

}  // namespace minigrad::nn

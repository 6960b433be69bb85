// nn::MSELoss's forward: functional::mse_loss with the module's reduction.
// Not here: the formula (nn/functional.cpp).
#include "nn/loss.h"

#include "nn/functional.h"

namespace minigrad::nn {

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) {
  return functional::mse_loss(input, target, reduction);
}

}  // namespace minigrad::nn

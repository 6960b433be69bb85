// nn::utils::clip_grad_norm_: torch.nn.utils.clip_grad_norm_ (1.13), the step between
// backward() and the optimizer that keeps one bad batch from throwing the weights far.
// Not here: the optimizers (optim/), clipping each gradient value (torch's clip_grad_value_).
#pragma once

#include <vector>

#include "core/tensor.h"

namespace minigrad::nn::utils {

// Scales every gradient of `parameters` in place so that their joint norm (as if all were
// one vector) is at most about max_norm, and returns that norm from before the scaling:
//   total = || (||g_1||_p, ||g_2||_p, ...) ||_p      (p = inf: the largest |element|)
//   g_i *= min(max_norm / (total + 1e-6), 1)         (clipped only when total > max_norm)
// Parameters without a gradient are skipped; with none at all the result is 0. The result
// is a 0-dim tensor, float64 if any gradient is, else float32. A NaN or infinite total
// scales the gradients to NaN, or throws std::runtime_error when error_if_nonfinite.
// norm_type must be > 0 or infinity (std::invalid_argument otherwise).
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

}  // namespace minigrad::nn::utils

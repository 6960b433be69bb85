// nn::LayerNorm: normalises each input over its last dims (normalized_shape) to mean 0 and
// variance 1, then scales by `weight` and shifts by `bias`, as torch.nn.LayerNorm:
//   y = (x - mean) / sqrt(var + eps) * weight + bias,   var the biased (1/N) variance.
// Not here: the op and its gradient (core/ops/layer_norm.cpp:layer_norm); the book's own
// LayerNorm, whose parameters are named scale / shift, is llm/'s.
#pragma once

#include <string>

#include "core/tensor.h"
#include "nn/module.h"

namespace minigrad::nn {

struct LayerNormOptions {
  double eps = 1e-5;               // added to the variance, so a constant row gives 0, not NaN
  bool elementwise_affine = true;  // learn weight (starts at 1) and bias (starts at 0)
};

class LayerNorm : public Module {
 public:
  // normalized_shape: the input's last dims, e.g. {768}. Empty, or a size below 1, throws
  // std::invalid_argument naming it.
  explicit LayerNorm(Shape normalized_shape, LayerNormOptions options = {});

  // (*, normalized_shape) -> the same shape. Other last dims throw std::invalid_argument
  // naming both shapes.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;  // "(768,), eps=1e-05, elementwise_affine=True"

  // weight = 1, bias = 0 (no random draws, as torch's).
  void reset_parameters();

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight;  // normalized_shape; undefined without elementwise_affine
  Tensor bias;    // normalized_shape; undefined without elementwise_affine
};

}  // namespace minigrad::nn

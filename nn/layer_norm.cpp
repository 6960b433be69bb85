// nn::LayerNorm: its checks, torch's initialisation (ones, zeros), and a forward that is
// core's fused layer_norm. Not here: the math and its backward (core/ops/layer_norm.cpp).
#include "nn/layer_norm.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "nn/init.h"
#include "nn/repr.h"

namespace minigrad::nn {

LayerNorm::LayerNorm(Shape normalized_shape, LayerNormOptions options)
    : normalized_shape(std::move(normalized_shape)), eps(options.eps), elementwise_affine(options.elementwise_affine) {
  const Shape& shape = this->normalized_shape;
  if (shape.empty() || std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 1; })) {
    throw std::invalid_argument("LayerNorm: normalized_shape " + shape_str(shape) +
                                " must name at least one dim, each of size >= 1 (the input's last dims)");
  }
  // Registered even when absent, as torch registers None: the order stays weight, bias.
  weight = register_parameter("weight", elementwise_affine ? empty(shape) : Tensor());
  bias = register_parameter("bias", elementwise_affine ? empty(shape) : Tensor());
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!elementwise_affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNorm::forward(const Tensor& input) {
  if (!input.defined()) throw std::invalid_argument("LayerNorm: undefined input");
  const Shape& in = input.sizes();
  size_t k = normalized_shape.size();
  if (in.size() < k || !std::equal(normalized_shape.begin(), normalized_shape.end(), in.end() - k)) {
    throw std::invalid_argument("LayerNorm: expected an input whose last dims are " + shape_str(normalized_shape) +
                                " (normalized_shape), got shape " + shape_str(in));
  }
  // One fused node, NativeLayerNormBackward0, as torch's (core/ops/layer_norm.cpp).
  return minigrad::layer_norm(input, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::extra_repr() const {
  return repr::py_tuple(normalized_shape) + ", eps=" + repr::py_float(eps) +
         ", elementwise_affine=" + repr::py_bool(elementwise_affine);
}

}  // namespace minigrad::nn

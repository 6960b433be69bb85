// dropout: in training, zero each element with probability p and scale the survivors by
// 1 / (1 - p), drawing the mask exactly as torch 1.13's CPU dropout does (at::dropout is a
// composite there: noise.bernoulli_(1 - p), noise.div_(1 - p), input * noise), so the same
// manual_seed gives the same mask, the same bits and the same node name (MulBackward0).
// Not here: the draws themselves (core/sampling.cpp), feature/alpha dropout.
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/random.h"

namespace minigrad {

namespace {

// noise = bernoulli(1 - p) / (1 - p), in the dtype: torch divides the 0/1 mask by the scalar
// 1 - p, which its CPU kernel turns into a multiply by the reciprocal computed in the dtype,
// so a kept element's noise is 1 * (T(1) / T(1 - p)). For float32 that is 1.0f / float(1 - p),
// which can differ in the last bit from float(1 / (1 - p)).
template <class T>
void scale_mask(Tensor& noise, double p) {
  const T scale = T(1) / static_cast<T>(1.0 - p);
  T* d = noise.data_ptr<T>();
  for (int64_t i = 0; i < noise.numel(); ++i) d[i] = d[i] * scale;
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool train) {
  require_defined(input, "dropout");
  if (!(p >= 0.0 && p <= 1.0)) {
    std::ostringstream os;
    os << "dropout: probability has to be between 0 and 1, but got p=" << p
       << " (p is the fraction of elements zeroed; input of shape " << shape_str(input.sizes()) << ")";
    throw std::invalid_argument(os.str());
  }
  if (p == 0.0 || !train || input.numel() == 0) return input;  // no draws, the same tensor
  if (!is_floating(input.dtype())) {
    throw std::invalid_argument("dropout: expected a floating point input, got " + dtype_name(input.dtype()));
  }
  // p = 1: torch multiplies by a zero scalar without drawing (so -x gives -0, NaN stays NaN).
  if (p == 1.0) return input.mul(0.0);

  Tensor noise = empty_like(input);
  bernoulli_(noise, 1.0 - p, default_generator());  // sequential: the same mask at any thread count
  visit_floating(input.dtype(), [&](auto tag) { scale_mask<decltype(tag)>(noise, p); });

  Tensor out;
  {
    NoGradGuard no_grad;
    out = input.mul(noise);  // a kept x becomes x * scale, a dropped one x * 0
  }
  // out = x * noise  =>  dx = g * noise      saved: noise
  return record_op(out, {input}, "MulBackward0", {noise}, [](const Node& node, const Tensor& g) -> Grads {
    return {g * node.saved(0)};
  });
}

}  // namespace minigrad

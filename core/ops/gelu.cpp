// GELU, the activation inside GPT's feed-forward blocks; also the worked example
// of docs/architecture.md ("adding an op"): forward, backward, derivation, in one place.
//   exact:  y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
//   tanh:   y = 0.5 x (1 + tanh u),   u = sqrt(2/pi) (x + 0.044715 x^3)
// Not here: the per-element loops and their vector forms (core/kernels/gelu.h); the other
// activations (elementwise.cpp).
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/kernels/gelu.h"

namespace minigrad {

namespace {

// out = f(x) for either float type; f(x, out, n) is one of the kernels' loops.
template <class F>
Tensor apply(const Tensor& x, F f) {
  Tensor out = empty_like(x);
  visit_floating(x.dtype(), [&](auto tag) { f(x.data_ptr<decltype(tag)>(), out.data_ptr<decltype(tag)>(), x.numel()); });
  return out;
}

}  // namespace

Tensor gelu(const Tensor& x, const std::string& approximate) {
  if (approximate != "none" && approximate != "tanh") {
    throw std::invalid_argument("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
  }
  if (!x.defined() || !is_floating(x.dtype())) {
    throw std::invalid_argument("gelu: expected a floating point tensor, got " +
                                (x.defined() ? dtype_name(x.dtype()) : std::string("an undefined tensor")));
  }
  bool tanh = approximate == "tanh";
  Tensor y = apply(x, [tanh](const auto* xp, auto* yp, int64_t n) {
    tanh ? kernels::gelu_tanh(xp, yp, n) : kernels::gelu_exact(xp, yp, n);
  });

  // y = gelu(x)  =>  dx = g * dy/dx      saved: x
  //   exact:  dy/dx = Phi(x) + x phi(x),  phi(x) = e^(-x^2/2) / sqrt(2 pi)   (product rule on x Phi(x))
  //   tanh:   dy/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) du/dx,  du/dx = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
  return record_op(y, {x}, "GeluBackward0", {x}, [tanh](const Node& node, const Tensor& g) -> Grads {
    Tensor dydx = apply(node.saved(0), [tanh](const auto* xp, auto* dp, int64_t n) {
      tanh ? kernels::gelu_tanh_grad(xp, dp, n) : kernels::gelu_exact_grad(xp, dp, n);
    });
    return {g * dydx};
  });
}

}  // namespace minigrad

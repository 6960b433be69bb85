// GELU, the activation inside GPT's feed-forward blocks; also the worked example
// of docs/architecture.md ("adding an op"): forward, backward, derivation, in one place.
//   exact:  y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
//   tanh:   y = 0.5 x (1 + tanh u),   u = sqrt(2/pi) (x + 0.044715 x^3)
// Not here: the other activations (elementwise.cpp).
#include <cmath>
#include <stdexcept>

#include "core/autograd.h"
#include "core/kernels/elementwise.h"

namespace minigrad {

namespace {

constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2 / pi)
constexpr double kInvSqrt2 = 0.7071067811865476;     // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.3989422804014327;   // 1 / sqrt(2 pi)
constexpr double kCubic = 0.044715;

template <class T> T gelu_exact(T x) { return T(0.5) * x * (T(1) + std::erf(x * T(kInvSqrt2))); }

template <class T> T gelu_tanh(T x) {
  T u = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
  return T(0.5) * x * (T(1) + std::tanh(u));
}

// exact:  dy/dx = Phi(x) + x phi(x),  phi(x) = e^(-x^2/2) / sqrt(2 pi)   (product rule on x Phi(x))
template <class T> T gelu_exact_grad(T x) {
  T cdf = T(0.5) * (T(1) + std::erf(x * T(kInvSqrt2)));
  T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
  return cdf + x * pdf;
}

// tanh:   dy/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) du/dx,  du/dx = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
template <class T> T gelu_tanh_grad(T x) {
  T u = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
  T t = std::tanh(u);
  T du = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x * x);
  return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du;
}

// Applies f (a function template picked by `tanh`) elementwise, for either float type.
template <class F32, class F64>
Tensor apply(const Tensor& x, F32 f32, F64 f64) {
  Tensor y = empty_like(x);
  if (x.dtype() == DType::Float32) kernels::map(x.data_ptr<float>(), y.data_ptr<float>(), x.numel(), f32);
  else kernels::map(x.data_ptr<double>(), y.data_ptr<double>(), x.numel(), f64);
  return y;
}

// y = gelu(x)  =>  dx = g * gelu'(x)      saved: x
struct GeluBackward : Node {
  explicit GeluBackward(bool tanh) : tanh(tanh) {}
  std::string name() const override { return "GeluBackward0"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0);
    Tensor slope = tanh ? apply(x, gelu_tanh_grad<float>, gelu_tanh_grad<double>)
                        : apply(x, gelu_exact_grad<float>, gelu_exact_grad<double>);
    return {g * slope};
  }
  bool tanh;
};

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
  Tensor y = tanh ? apply(x, gelu_tanh<float>, gelu_tanh<double>)
                  : apply(x, gelu_exact<float>, gelu_exact<double>);
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<GeluBackward>(tanh);
    node->save({x});
    record(y, node, {x});
  }
  return y;
}

}  // namespace minigrad

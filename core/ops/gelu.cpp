// GELU, the activation inside GPT's feed-forward blocks; also the worked example
// of docs/architecture.md ("adding an op"): forward, backward, derivation, in one place.
//   exact:  y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
//   tanh:   y = 0.5 x (1 + tanh u),   u = sqrt(2/pi) (x + 0.044715 x^3)
// Not here: the other activations (elementwise.cpp).
#include <cmath>
#include <cstddef>
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

#if defined(__AVX2__) && defined(__FMA__)
// The tanh forms on 8 floats (tanh8: core/kernels/vec_exp.h), the same formulas as above.
inline __m256 tanh_of_u8(__m256 x) {
  __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  __m256 u = _mm256_mul_ps(_mm256_set1_ps(float(kSqrt2OverPi)), _mm256_add_ps(x, _mm256_mul_ps(_mm256_set1_ps(float(kCubic)), x3)));
  return kernels::tanh8(u);
}
inline __m256 gelu_tanh8(__m256 x) {
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  return _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, tanh_of_u8(x)));
}
inline __m256 gelu_tanh_grad8(__m256 x) {
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  __m256 t = tanh_of_u8(x);
  __m256 du = _mm256_mul_ps(_mm256_set1_ps(float(kSqrt2OverPi)),
                            _mm256_add_ps(one, _mm256_mul_ps(_mm256_set1_ps(float(3 * kCubic)), _mm256_mul_ps(x, x))));
  __m256 left = _mm256_mul_ps(half, _mm256_add_ps(one, t));
  __m256 right = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_sub_ps(one, _mm256_mul_ps(t, t))), du);
  return _mm256_add_ps(left, right);
}
#endif

// Applies f (a function template picked by `tanh`) elementwise, for either float type;
// float32 takes f8 (f on 8 lanes, or nullptr for none) through kernels::map_float.
template <class F32, class F64, class F8 = std::nullptr_t>
Tensor apply(const Tensor& x, F32 f32, F64 f64, F8 f8 = nullptr) {
  Tensor y = empty_like(x);
  if (x.dtype() == DType::Float32) kernels::map_float(x.data_ptr<float>(), y.data_ptr<float>(), x.numel(), f32, f8);
  else kernels::map(x.data_ptr<double>(), y.data_ptr<double>(), x.numel(), f64);
  return y;
}

// y = gelu(x)  =>  dx = g * gelu'(x)      saved: x
struct GeluBackward : Node {
  explicit GeluBackward(bool tanh) : tanh(tanh) {}
  std::string name() const override { return "GeluBackward0"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0);
    Tensor slope = tanh ? apply(x, gelu_tanh_grad<float>, gelu_tanh_grad<double>, MINIGRAD_VEC8(gelu_tanh_grad8(v)))
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
  Tensor y = tanh ? apply(x, gelu_tanh<float>, gelu_tanh<double>, MINIGRAD_VEC8(gelu_tanh8(v)))
                  : apply(x, gelu_exact<float>, gelu_exact<double>);
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<GeluBackward>(tanh);
    node->save({x});
    attach_node(y, node, {x});
  }
  return y;
}

}  // namespace minigrad

// GELU's per-element formulas and the loops that apply them, for core/ops/gelu.cpp
// (where the derivations are): each formula as a plain scalar function, the
// reference; the tanh form also runs on 8 floats at once (16 at AVX-512) at the vector CPU levels
// (core/kernels/vec_rows.h), which tests/core/kernels/gelu_test.cpp holds to the scalar one.
// Not here: autograd, the choice between the two forms (core/ops/gelu.cpp).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/kernels/elementwise.h"

namespace minigrad::kernels {

namespace gelu_constants {
constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2 / pi)
constexpr double kInvSqrt2 = 0.7071067811865476;     // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.3989422804014327;   // 1 / sqrt(2 pi)
constexpr double kCubic = 0.044715;
}  // namespace gelu_constants

// ---- the scalar references ----

// y = 0.5 x (1 + erf(x / sqrt 2))
template <class T> T gelu_exact_value(T x) {
  using namespace gelu_constants;
  return T(0.5) * x * (T(1) + std::erf(x * T(kInvSqrt2)));
}

// y = 0.5 x (1 + tanh u),  u = sqrt(2/pi) (x + 0.044715 x^3)
template <class T> T gelu_tanh_value(T x) {
  using namespace gelu_constants;
  T u = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
  return T(0.5) * x * (T(1) + std::tanh(u));
}

// dy/dx = Phi(x) + x phi(x)
template <class T> T gelu_exact_slope(T x) {
  using namespace gelu_constants;
  T cdf = T(0.5) * (T(1) + std::erf(x * T(kInvSqrt2)));
  T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
  return cdf + x * pdf;
}

// dy/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) du/dx,  du/dx = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
template <class T> T gelu_tanh_slope(T x) {
  using namespace gelu_constants;
  T u = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
  T t = std::tanh(u);
  T du = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x * x);
  return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du;
}

// ---- the loops: y[i] = f(x[i]), float32 through the level's vector form where there is one ----

template <class T> void gelu_exact(const T* x, T* y, int64_t n) { map(x, y, n, gelu_exact_value<T>); }
template <class T> void gelu_exact_grad(const T* x, T* dydx, int64_t n) { map(x, dydx, n, gelu_exact_slope<T>); }

inline void gelu_tanh(const double* x, double* y, int64_t n) { map(x, y, n, gelu_tanh_value<double>); }
inline void gelu_tanh(const float* x, float* y, int64_t n) {
  map_float(x, y, n, gelu_tanh_value<float>, cpu().gelu_tanh_f32);
}
inline void gelu_tanh_grad(const double* x, double* dydx, int64_t n) { map(x, dydx, n, gelu_tanh_slope<double>); }
inline void gelu_tanh_grad(const float* x, float* dydx, int64_t n) {
  map_float(x, dydx, n, gelu_tanh_slope<float>, cpu().gelu_tanh_grad_f32);
}

}  // namespace minigrad::kernels

// The vectorised float rows and maps of the AVX2 and AVX-512 levels: the tanh form of
// GELU over a vector of either width (vec_lanes.h), softmax / log-softmax rows and their backward, cross-entropy's
// row statistics and gradient, and flash attention's online-softmax row, built on vec_exp.h. The plain loops they are held to
// live beside their callers (gelu.h, softmax.h, loss.h, attention.h), which take them whenever a
// function here returns false. The exps run 16 lanes wide at AVX-512 (for_each_vector) with
// AVX2's bits. A level header (core/kernels/level_kernels.h).
#pragma once

#if MINIGRAD_LEVEL_ID >= 1
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "core/kernels/vec_exp.h"

namespace minigrad::kernels::MINIGRAD_LEVEL {
namespace {

// ---- GELU, tanh form: 0.5 x (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3), and its slope ----
// (the scalar formulas and their derivation: core/kernels/gelu.h, core/ops/gelu.cpp)

constexpr float kSqrt2OverPi = 0.7978845608028654f, kCubic = 0.044715f, kCubic3 = float(3 * 0.044715);

template <class V>
inline V gelu_tanh_u(V x) {
  V x3 = mul(mul(x, x), x);
  return mul(splat<V>(kSqrt2OverPi), add(x, mul(splat<V>(kCubic), x3)));
}
template <class V>
inline V gelu_tanh_value(V x) {
  const V half = splat<V>(0.5f), one = splat<V>(1.0f);
  return mul(mul(half, x), add(one, vtanh(gelu_tanh_u(x))));
}
template <class V>
inline V gelu_tanh_slope(V x) {
  const V half = splat<V>(0.5f), one = splat<V>(1.0f);
  V t = vtanh(gelu_tanh_u(x));
  V du = mul(splat<V>(kSqrt2OverPi), add(one, mul(splat<V>(kCubic3), mul(x, x))));
  V left = mul(half, add(one, t));
  V right = mul(mul(mul(half, x), sub(one, mul(t, t))), du);
  return add(left, right);
}

// ---- softmax rows (core/kernels/softmax.h has the references) ----

// A contiguous float row, same formulas; false (nothing written) for a row with a NaN
// or an infinite max, which the reference handles.
inline bool softmax_row_fast(const float* x, float* y, int64_t n, bool log) {
  float m;
  if (!finite_row_max(x, n, m)) return false;
  const double s = sum_exp_row(x, n, m, log ? nullptr : y);
  int64_t j;
  if (log) {
    const float ls = static_cast<float>(::log(s));
    j = for_each_vector(0, n, [&](int64_t i, auto lanes) {
      using V = decltype(lanes);
      store(y + i, sub(sub(load<V>(x + i), splat<V>(m)), splat<V>(ls)));
    });
    for (; j < n; ++j) y[j] = (x[j] - m) - ls;
  } else {
    const float inv = static_cast<float>(1.0 / s);
    j = for_each_vector(0, n, [&](int64_t i, auto lanes) {
      using V = decltype(lanes);
      store(y + i, mul(load<V>(y + i), splat<V>(inv)));
    });
    for (; j < n; ++j) y[j] *= inv;
  }
  return true;
}

inline bool softmax_backward_row_fast(const float* y, const float* g, float* dx, int64_t n, bool log) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0;
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 gv = _mm256_loadu_ps(g + j);
    if (log) {
      add_to_double(gv, a0, a1);
    } else {  // g_k y_k as a double product, as the reference
      __m256 yv = _mm256_loadu_ps(y + j);
      a0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(gv)), _mm256_cvtps_pd(_mm256_castps256_ps128(yv)), a0);
      a1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(gv, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(yv, 1)), a1);
    }
  }
  double s = sum_lanes(a0, a1);
  for (int64_t k = j; k < n; ++k) s += log ? static_cast<double>(g[k]) : static_cast<double>(g[k]) * y[k];
  const float st = static_cast<float>(s);
  // The sum above stays at 8 lanes (no exp in it to widen); this pass takes 16 at AVX-512.
  j = for_each_vector(0, n, [&](int64_t i, auto lanes) {
    using V = decltype(lanes);
    V yv = load<V>(y + i), gv = load<V>(g + i), vst = splat<V>(st);
    store(dx + i, log ? sub(gv, mul(vexp(yv), vst)) : mul(yv, sub(gv, vst)));
  });
  for (; j < n; ++j) dx[j] = log ? g[j] - expf(y[j]) * st : y[j] * (g[j] - st);
  return true;
}
// ---- cross-entropy rows (core/kernels/loss.h has the references) ----

// The row's max m and s = sum_j e^(x_j - m) (vec_exp.h), or false for rows the
// reference must handle (a NaN, or an infinite max).
inline bool max_and_sum_exp(const float* x, int64_t C, float& m, double& s) {
  if (!finite_row_max(x, C, m)) return false;
  s = sum_exp_row(x, C, m, nullptr);
  return true;
}

// softmax_j = e^(x_j - m) / s, scaled by w in one multiply; m and s from max_and_sum_exp.
inline void cross_entropy_grad_row(const float* xi, int64_t t, double w, float* di, int64_t C, float m, double s) {
  const float scale = static_cast<float>(w / s);
  int64_t j = for_each_vector(0, C, [&](int64_t i, auto lanes) {
    using V = decltype(lanes);
    store(di + i, mul(vexp(sub(load<V>(xi + i), splat<V>(m))), splat<V>(scale)));
  });
  if (j < C)
    store_partial(di + j, C - j, mul(vexp(sub(load_partial(xi + j, C - j, 0), _mm256_set1_ps(m))), _mm256_set1_ps(scale)));
  di[t] = static_cast<float>((exp(static_cast<double>(xi[t]) - m) / s - 1.0) * w);
}

// ---- flash-attention rows (core/kernels/attention.h has the reference) ----

// The online softmax's step on one row of scores: the running max m rises to cover this row,
// and the row becomes e^(s - m) (vexp; a removed key's -inf gives 0), summed in double.
inline bool attention_row(float* s, int64_t n, float& m, double& sum) {
  float mb;
  if (!finite_row_max(s, n, mb)) return false;
  m = mb > m ? mb : m;
  sum = sum_exp_row(s, n, m, s);
  return true;
}
}  // namespace
}  // namespace minigrad::kernels::MINIGRAD_LEVEL

#endif

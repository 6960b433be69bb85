// Raw softmax / log-softmax loops over (outer, n, inner), softmax along n, and
// their backward. One thread per output row, fixed order: bit-identical at any
// thread count. The math and its derivation are in core/ops/softmax.cpp.
// The *_reference loops are the definition (any dtype, any layout); float32 rows
// that are contiguous (inner == 1, softmax over the last dim: attention, logits)
// take a vectorised path (AVX2: exp8, sums kept in double) held to them by
// tests/core/kernels/softmax_test.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/kernels/parallel.h"
#include "core/kernels/vec_exp.h"

namespace minigrad::kernels {

// One row, elements `stride` apart.
template <class T>
void softmax_row_reference(const T* xp, T* yp, int64_t n, int64_t stride, bool log) {
  T m = -INFINITY;
  for (int64_t k = 0; k < n; ++k) m = std::fmax(m, xp[k * stride]);
  if (std::isinf(m) && m < 0) m = 0;  // a row of -inf: avoid (-inf) - (-inf)
  double s = 0;  // the sum in double keeps float32 rows accurate
  for (int64_t k = 0; k < n; ++k) {
    T ek = std::exp(xp[k * stride] - m);
    if (!log) yp[k * stride] = ek;
    s += ek;
  }
  if (log) {  // (x - m) - log s, as torch: m + log s would round away x's low bits
    T ls = static_cast<T>(std::log(s));
    for (int64_t k = 0; k < n; ++k) yp[k * stride] = (xp[k * stride] - m) - ls;
  } else {
    T inv = static_cast<T>(1.0 / s);
    for (int64_t k = 0; k < n; ++k) yp[k * stride] *= inv;
  }
}

// softmax: dx = y (g - sum_k g_k y_k);  log_softmax: dx = g - e^y sum_k g_k
template <class T>
void softmax_backward_row_reference(const T* y, const T* g, T* dx, int64_t n, int64_t stride, bool log) {
  double s = 0;
  for (int64_t k = 0; k < n; ++k) {
    int64_t at = k * stride;
    s += log ? static_cast<double>(g[at]) : static_cast<double>(g[at]) * y[at];
  }
  T st = static_cast<T>(s);
  for (int64_t k = 0; k < n; ++k) {
    int64_t at = k * stride;
    dx[at] = log ? g[at] - std::exp(y[at]) * st : y[at] * (g[at] - st);
  }
}

#if defined(__AVX2__) && defined(__FMA__)
// A contiguous float row, same formulas; false (nothing written) for a row with a NaN
// or an infinite max, which the reference handles.
inline bool softmax_row_fast(const float* x, float* y, int64_t n, bool log) {
  float m;
  if (!finite_row_max(x, n, m)) return false;
  const double s = sum_exp_row(x, n, m, log ? nullptr : y);
  int64_t j = 0;
  if (log) {
    const float ls = static_cast<float>(std::log(s));
    const __m256 vm = _mm256_set1_ps(m), vls = _mm256_set1_ps(ls);
    for (; j + 8 <= n; j += 8)
      _mm256_storeu_ps(y + j, _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm), vls));
    for (; j < n; ++j) y[j] = (x[j] - m) - ls;
  } else {
    const float inv = static_cast<float>(1.0 / s);
    const __m256 vinv = _mm256_set1_ps(inv);
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), vinv));
    for (; j < n; ++j) y[j] *= inv;
  }
  return true;
}

inline void softmax_backward_row_fast(const float* y, const float* g, float* dx, int64_t n, bool log) {
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
  const __m256 vst = _mm256_set1_ps(st);
  for (j = 0; j + 8 <= n; j += 8) {
    __m256 yv = _mm256_loadu_ps(y + j), gv = _mm256_loadu_ps(g + j);
    __m256 d = log ? _mm256_sub_ps(gv, _mm256_mul_ps(exp8(yv), vst)) : _mm256_mul_ps(yv, _mm256_sub_ps(gv, vst));
    _mm256_storeu_ps(dx + j, d);
  }
  for (; j < n; ++j) dx[j] = log ? g[j] - std::exp(y[j]) * st : y[j] * (g[j] - st);
}
#endif

// Where row r (of outer * inner) starts: rows are the n elements `inner` apart.
inline int64_t row_start(int64_t r, int64_t n, int64_t inner) { return r / inner * n * inner + r % inner; }

template <class T>
void softmax_reference(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  for (int64_t r = 0; r < outer * inner; ++r) {
    const int64_t base = row_start(r, n, inner);
    softmax_row_reference(x + base, y + base, n, inner, log);
  }
}

template <class T>
void softmax_backward_reference(const T* y, const T* g, T* dx, int64_t outer, int64_t n, int64_t inner, bool log) {
  for (int64_t r = 0; r < outer * inner; ++r) {
    const int64_t base = row_start(r, n, inner);
    softmax_backward_row_reference(y + base, g + base, dx + base, n, inner, log);
  }
}

template <class T>
void softmax(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  parallel_for(outer * inner, n * 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t base = row_start(r, n, inner);
#if defined(__AVX2__) && defined(__FMA__)
      if constexpr (std::is_same_v<T, float>) {
        if (inner == 1 && softmax_row_fast(x + base, y + base, n, log)) continue;
      }
#endif
      softmax_row_reference(x + base, y + base, n, inner, log);
    }
  });
}

template <class T>
void softmax_backward(const T* y, const T* g, T* dx, int64_t outer, int64_t n, int64_t inner, bool log) {
  parallel_for(outer * inner, n * 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t base = row_start(r, n, inner);
#if defined(__AVX2__) && defined(__FMA__)
      if constexpr (std::is_same_v<T, float>) {
        if (inner == 1) {
          softmax_backward_row_fast(y + base, g + base, dx + base, n, log);
          continue;
        }
      }
#endif
      softmax_backward_row_reference(y + base, g + base, dx + base, n, inner, log);
    }
  });
}

}  // namespace minigrad::kernels

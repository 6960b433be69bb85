// Raw softmax / log-softmax loops over (outer, n, inner), softmax along n, and
// their backward. One thread per output row, fixed order: bit-identical at any
// thread count. The math and its derivation are in core/ops/softmax.cpp.
// The *_reference loops are the definition (any dtype, any layout); float32 rows
// that are contiguous (inner == 1, softmax over the last dim: attention, logits)
// take the CPU level's vectorised row (cpu.h; core/kernels/vec_rows.h: vexp, sums kept
// in double) held to them by tests/core/kernels/softmax_test.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

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
      if constexpr (std::is_same_v<T, float>) {
        if (inner == 1 && cpu().softmax_row(x + base, y + base, n, log)) continue;
      }
      softmax_row_reference(x + base, y + base, n, inner, log);
    }
  });
}

template <class T>
void softmax_backward(const T* y, const T* g, T* dx, int64_t outer, int64_t n, int64_t inner, bool log) {
  parallel_for(outer * inner, n * 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t base = row_start(r, n, inner);
      if constexpr (std::is_same_v<T, float>) {
        if (inner == 1 && cpu().softmax_backward_row(y + base, g + base, dx + base, n, log)) continue;
      }
      softmax_backward_row_reference(y + base, g + base, dx + base, n, inner, log);
    }
  });
}

}  // namespace minigrad::kernels

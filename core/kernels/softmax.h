// Raw softmax / log-softmax loops over (outer, n, inner), softmax along n, and
// their backward. One thread per output row, fixed order: bit-identical at any
// thread count. The math and its derivation are in core/ops/softmax.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

template <class T>
void softmax(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  parallel_for(outer * inner, n * 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t o = r / inner, i = r % inner;
      const T* xp = x + o * n * inner + i;
      T* yp = y + o * n * inner + i;
      T m = -INFINITY;
      for (int64_t k = 0; k < n; ++k) m = std::fmax(m, xp[k * inner]);
      if (std::isinf(m) && m < 0) m = 0;  // a row of -inf: avoid (-inf) - (-inf)
      double s = 0;  // the sum in double keeps float32 rows accurate
      for (int64_t k = 0; k < n; ++k) {
        T ek = std::exp(xp[k * inner] - m);
        if (!log) yp[k * inner] = ek;
        s += ek;
      }
      if (log) {  // (x - m) - log s, as torch: m + log s would round away x's low bits
        T ls = static_cast<T>(std::log(s));
        for (int64_t k = 0; k < n; ++k) yp[k * inner] = (xp[k * inner] - m) - ls;
      } else {
        T inv = static_cast<T>(1.0 / s);
        for (int64_t k = 0; k < n; ++k) yp[k * inner] *= inv;
      }
    }
  });
}

template <class T>
void softmax_backward(const T* y, const T* g, T* dx, int64_t outer, int64_t n, int64_t inner, bool log) {
  parallel_for(outer * inner, n * 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t base = (r / inner) * n * inner + r % inner;
      double s = 0;
      for (int64_t k = 0; k < n; ++k) {
        int64_t at = base + k * inner;
        s += log ? static_cast<double>(g[at]) : static_cast<double>(g[at]) * y[at];
      }
      T st = static_cast<T>(s);
      for (int64_t k = 0; k < n; ++k) {
        int64_t at = base + k * inner;
        dx[at] = log ? g[at] - std::exp(y[at]) * st : y[at] * (g[at] - st);
      }
    }
  });
}

}  // namespace minigrad::kernels

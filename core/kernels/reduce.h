// Raw reduction loops over a tensor viewed as (outer, n, inner), reducing n.
// Each output element is reduced by one thread, in index order: bit-identical
// results for any thread count. No autograd; the ops are in core/ops/reduce.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// Accumulate floats in double: a sum of many float32 values keeps its digits.
// Integers in uint64_t, so that an overflowing sum wraps (as torch's does) instead
// of being undefined behaviour.
template <class T> using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

// y[o, i] = sum_k x[o, k, i]
template <class T>
void sum_dim(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  parallel_for(outer, n * inner, [&](int64_t ob, int64_t oe) {
    for (int64_t o = ob; o < oe; ++o) {
      if (inner == 1) {
        acc_t<T> s = 0;
        for (int64_t k = 0; k < n; ++k) s += x[o * n + k];
        y[o] = static_cast<T>(s);
        continue;
      }
      for (int64_t i = 0; i < inner; ++i) {
        acc_t<T> s = 0;
        for (int64_t k = 0; k < n; ++k) s += x[(o * n + k) * inner + i];
        y[o * inner + i] = static_cast<T>(s);
      }
    }
  });
}

// y[o, i] = max_k x[o, k, i], idx[o, i] = its k (the first on ties; a NaN wins and stays)
template <class T>
void max_dim(const T* x, T* y, int64_t* idx, int64_t outer, int64_t n, int64_t inner) {
  parallel_for(outer, n * inner, [&](int64_t ob, int64_t oe) {
    for (int64_t o = ob; o < oe; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = x + o * n * inner + i;
        T best = p[0];
        int64_t at = 0;
        for (int64_t k = 1; k < n; ++k) {
          T v = p[k * inner];
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(best)) break;
            if (std::isnan(v) || v > best) { best = v; at = k; }
          } else {
            if (v > best) { best = v; at = k; }
          }
        }
        y[o * inner + i] = best;
        idx[o * inner + i] = at;
      }
  });
}

}  // namespace minigrad::kernels

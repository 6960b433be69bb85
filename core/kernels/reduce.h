// Raw reduction loops over a tensor viewed as (outer, n, inner), reducing n.
// Each output element is reduced by one thread, in an order fixed by the shape
// alone: bit-identical results for any thread count. The *_reference loops are the
// plain definitions. No autograd; the ops are in core/ops/reduce.cpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// Accumulate floats in double: a sum of many float32 values keeps its digits.
// Integers in uint64_t, so that an overflowing sum wraps (as torch's does) instead
// of being undefined behaviour.
template <class T> using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

// The plain definition: y[o, i] = sum_k x[o, k, i], each element summed in k order.
template <class T>
void sum_dim_reference(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      acc_t<T> s = 0;
      for (int64_t k = 0; k < n; ++k) s += static_cast<acc_t<T>>(x[(o * n + k) * inner + i]);
      y[o * inner + i] = static_cast<T>(s);
    }
}

// sum_k x[k] for contiguous x, in a fixed tree that does not depend on threads or on
// the CPU level: 16 lanes, lane j adding x[j], x[j + 16], ... in order, then the lanes
// pairwise (the level's sum_lanes16, core/kernels/level_kernels.h).
inline double sum_contiguous(const float* x, int64_t n) { return cpu().sum_f32(x, n); }
inline double sum_contiguous(const double* x, int64_t n) { return cpu().sum_f64(x, n); }
inline uint64_t sum_contiguous(const int64_t* x, int64_t n) { return cpu().sum_i64(x, n); }

// y[o, i] = sum_k x[o, k, i]. Bit-identical for any thread count:
//  - inner == 1 (rows of contiguous values): each row in blocks of kSumBlock values,
//    each block by sum_contiguous, the block sums added in block order. Threads take
//    blocks (of one long row) or rows; neither changes a sum's tree.
//  - inner > 1: each output summed in k order, as the reference, but a block of 256
//    outputs at a time, so rows stream through contiguous memory while the
//    accumulators stay in L1 (the reference walks x with stride `inner`).
inline constexpr int64_t kSumBlock = 1 << 14;

template <class T>
void sum_dim(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {
    const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
    if (blocks <= 1) {
      parallel_for(outer, n, [&](int64_t ob, int64_t oe) {
        for (int64_t o = ob; o < oe; ++o) y[o] = static_cast<T>(sum_contiguous(x + o * n, n));  // n == 0: reads nothing, 0
      });
      return;
    }
    std::vector<acc_t<T>> partial(static_cast<std::size_t>(outer * blocks));
    parallel_for(outer * blocks, kSumBlock, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t o = b / blocks, k0 = b % blocks * kSumBlock;
        partial[static_cast<std::size_t>(b)] = sum_contiguous(x + o * n + k0, std::min(kSumBlock, n - k0));
      }
    });
    for (int64_t o = 0; o < outer; ++o) {
      acc_t<T> s = 0;
      for (int64_t b = 0; b < blocks; ++b) s += partial[static_cast<std::size_t>(o * blocks + b)];
      y[o] = static_cast<T>(s);
    }
    return;
  }
  constexpr int64_t kCols = 256;
  const int64_t col_blocks = (inner + kCols - 1) / kCols;
  parallel_for(outer * col_blocks, n * kCols, [&](int64_t b0, int64_t b1) {
    acc_t<T> acc[kCols];
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t o = b / col_blocks, c0 = b % col_blocks * kCols, w = std::min(kCols, inner - c0);
      for (int64_t c = 0; c < w; ++c) acc[c] = 0;
      for (int64_t k = 0; k < n; ++k) {
        const T* row = x + (o * n + k) * inner + c0;
        for (int64_t c = 0; c < w; ++c) acc[c] += static_cast<acc_t<T>>(row[c]);
      }
      for (int64_t c = 0; c < w; ++c) y[o * inner + c0 + c] = static_cast<T>(acc[c]);
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

// Raw reduction loops over a tensor viewed as (outer, n, inner), reducing n. Each output
// element is reduced by one thread, in an order fixed by the shape alone: bit-identical
// results for any thread count. sum_dim_reference is the plain transcription of torch's
// order. No autograd; the ops are in core/ops/reduce.cpp.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// torch 1.13 sums float32 in float32 and float64 in float64, in the order of ATen's
// cascade_sum (aten/src/ATen/native/cpu/SumKernel.cpp), fixed by the shape and by its
// vector width: kLanes values (32 bytes, its default AVX2 capability; the AVX-512 one
// has 64 bytes and other bits). Reproducing its one-thread order makes our sums, means
// and bias gradients the same bits as torch's (tools/make_sum_fixtures.py).
template <class T> inline constexpr int64_t kLanes = 32 / sizeof(T);

// multi_row_sum: W lanes in lockstep, lane w summing x[i * stride + w] for i < size in a
// cascade of 4 accumulators. Level 0 takes 2^p values (p = 4 up to 2^19 values, then more),
// then is added into level 1; level 1 every 2^p such blocks into level 2, and so on; at the
// end level 0 += levels 1, 2, 3. Only values of similar size meet, so errors stay small.
template <int W, class T>
void cascade(const T* x, int64_t stride, int64_t size, T* out) {
  constexpr int kLevels = 4;
  const int64_t p = std::max<int64_t>(4, std::bit_width(static_cast<uint64_t>(std::max<int64_t>(size, 2) - 1)) / kLevels);
  const int64_t step = int64_t{1} << p, mask = step - 1;
  T acc[kLevels][W] = {};
  int64_t i = 0;
  while (i + step <= size) {
    for (int64_t j = 0; j < step; ++j, ++i)
      for (int w = 0; w < W; ++w) acc[0][w] += x[i * stride + w];
    for (int l = 1; l < kLevels; ++l) {
      for (int w = 0; w < W; ++w) acc[l][w] += acc[l - 1][w], acc[l - 1][w] = 0;
      if (i & (mask << (l * p))) break;
    }
  }
  for (; i < size; ++i)
    for (int w = 0; w < W; ++w) acc[0][w] += x[i * stride + w];
  for (int l = 1; l < kLevels; ++l)
    for (int w = 0; w < W; ++w) acc[0][w] += acc[l][w];
  for (int w = 0; w < W; ++w) out[w] = acc[0][w];
}

// row_sum: W lanes (lane w sums x[i * stride + w], i < n), each as 4 interleaved cascades
// (rows 4i, 4i + 1, ...: ilp_factor 4), the leftover rows added to the first, then the four
// in order; returns lane 0 (for W == 1, the sum). When stride == W the four cascades' lanes
// are the 4 W consecutive values x[4 W i + k W + w]: one cascade of 4 W lanes, one pass.
template <int W, class T>
T row_sum(const T* x, int64_t stride, int64_t n, T* out) {
  T part[4][W];
  if (stride == W) cascade<4 * W>(x, 4 * W, n / 4, part[0]);
  else for (int k = 0; k < 4; ++k) cascade<W>(x + k * stride, 4 * stride, n / 4, part[k]);
  for (int64_t i = n / 4 * 4; i < n; ++i)
    for (int w = 0; w < W; ++w) part[0][w] += x[i * stride + w];
  for (int w = 0; w < W; ++w) out[w] = part[0][w] + part[1][w] + part[2][w] + part[3][w];
  return out[0];
}

// The sum of n contiguous values. Under kLanes: row_sum. Else vectorized_inner_sum: row_sum
// of the n / kLanes whole vectors, lane by lane; then the leftover values in order, plus
// the lanes in order.
template <class T>
T contiguous_sum(const T* x, int64_t n) {
  constexpr int L = kLanes<T>;
  T s = 0, lane[L];
  if (n < L) return row_sum<1>(x, 1, n, &s);
  row_sum<L>(x, L, n / L, lane);
  for (int64_t i = n / L * L; i < n; ++i) s += x[i];
  for (int l = 0; l < L; ++l) s += lane[l];
  return s;
}

// Columns of a (n, inner) block, inner > 1: torch takes them in groups of 4 kLanes (inner >=
// kLanes: vectorized_outer_sum) or of 4 (scalar_outer_sum), each column of a whole group by
// one cascade; every other column by row_sum.
template <class T>
int64_t column_group(int64_t inner) { return inner >= kLanes<T> ? 4 * kLanes<T> : 4; }

// int64 sums run the same loops on uint64_t: an overflow wraps, as torch's does, instead of
// being undefined behaviour, and the order changes nothing.
template <class T>
auto* as_unsigned(T* p) { return reinterpret_cast<std::conditional_t<std::is_const_v<T>, const uint64_t, uint64_t>*>(p); }

// y[o, i] = sum_k x[o, k, i] in torch's order, one output at a time.
template <class T>
void sum_dim_reference(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  if constexpr (std::is_same_v<T, int64_t>) return sum_dim_reference(as_unsigned(x), as_unsigned(y), outer, n, inner);
  const int64_t g = column_group<T>(inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T* xo = x + o * n * inner;
      T& out = y[o * inner + i];
      if (inner == 1) out = contiguous_sum(xo, n);
      else if (i < inner / g * g) cascade<1>(xo + i, inner, n, &out);
      else row_sum<1>(xo + i, inner, n, &out);
    }
}

// y[o, i] = sum_k x[o, k, i], the same bits as the reference at any thread count: threads
// take whole outputs (rows), or whole column groups, never part of one sum.
template <class T>
void sum_dim(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  if constexpr (std::is_same_v<T, int64_t>) return sum_dim(as_unsigned(x), as_unsigned(y), outer, n, inner);
  if (inner == 1) {
    parallel_for(outer, n, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) y[o] = contiguous_sum(x + o * n, n);
    });
    return;
  }
  // Task t: group t % groups of block t / groups; the last "group" holds the leftover columns.
  constexpr int G = 4 * kLanes<T>;
  const int64_t g = column_group<T>(inner), whole = inner / g, groups = whole + 1;
  parallel_for(outer * groups, n * g, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / groups, c = t % groups;
      const T* xo = x + o * n * inner;
      T* yo = y + o * inner;
      if (c < whole && g == G) cascade<G>(xo + c * g, inner, n, yo + c * g);
      else if (c < whole) cascade<4>(xo + c * g, inner, n, yo + c * g);
      else for (int64_t j = whole * g; j < inner; ++j) row_sum<1>(xo + j, inner, n, yo + j);
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

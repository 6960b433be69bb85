// Raw elementwise loops: y = f(x) and z = f(x, y) over contiguous arrays, split
// across threads by output range. Plain loops the compiler vectorises, and map8 for
// float functions the compiler cannot (exp, tanh: it will not vectorise libm), with
// exp / tanh / sigmoid over floats built on it; the row-bias add of linear. No autograd.
// The other per-element formulas live with their ops in core/ops/elementwise.cpp.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/kernels/parallel.h"
#include "core/kernels/vec_exp.h"

namespace minigrad::kernels {

// y = f(x) and z = f(x, y); the output type may differ (a comparison writes bool).
template <class T, class U, class F>
void map(const T* x, U* y, int64_t n, F f) {
  parallel_for(n, 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f(x[i]);
  });
}

template <class T, class U, class F>
void zip(const T* x, const T* y, U* z, int64_t n, F f) {
  parallel_for(n, 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) z[i] = f(x[i], y[i]);
  });
}

// y[r, :] += b for every row r of y (rows x cols): a bias added after a product.
template <class T>
void add_rows_bias(T* y, const T* b, int64_t rows, int64_t cols) {
  parallel_for(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      T* row = y + r * cols;
      for (int64_t c = 0; c < cols; ++c) row[c] += b[c];
    }
  });
}

// out = c ? x : y, element by element (where).
template <class T>
void select(const bool* c, const T* x, const T* y, T* out, int64_t n) {
  parallel_for(n, 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = c[i] ? x[i] : y[i];
  });
}

// x = v where mask, in place (masked_fill).
template <class T>
void fill_where(const bool* mask, T v, T* x, int64_t n) {
  parallel_for(n, 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) if (mask[i]) x[i] = v;
  });
}

#if defined(__AVX2__) && defined(__FMA__)
// y = f(x) over floats, with f8 (the same function on 8 lanes) on every whole block
// of 8 and f on the last n % 8. Which path an element takes depends on its index
// alone (blocks start at multiples of 8), never on how threads split the range, so
// the bits are the same at any thread count.
template <class F8, class F>
void map8(const float* x, float* y, int64_t n, F8 f8, F f) {
  const int64_t blocks = n / 8;
  parallel_for(blocks, 8 * 8, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) _mm256_storeu_ps(y + 8 * b, f8(_mm256_loadu_ps(x + 8 * b)));
  });
  for (int64_t i = blocks * 8; i < n; ++i) y[i] = f(x[i]);
}

// MINIGRAD_VEC8(expr): a lambda computing expr on a vector v of 8 floats, for
// map_float; nullptr (no vector form) in builds without AVX2.
#define MINIGRAD_VEC8(expr) [](__m256 v) { return expr; }
#else
#define MINIGRAD_VEC8(expr) nullptr
#endif

// y = f(x) over floats: through map8 with f8 where the build has AVX2 and f8 is
// not nullptr, else the plain map. For the functions the compiler cannot vectorise
// (libm's exp, tanh).
template <class F, class F8>
void map_float(const float* x, float* y, int64_t n, F f, [[maybe_unused]] F8 f8) {
#if defined(__AVX2__) && defined(__FMA__)
  if constexpr (!std::is_same_v<F8, std::nullptr_t>) {
    map8(x, y, n, f8, f);
    return;
  }
#endif
  map(x, y, n, f);
}

// ---- e^x, tanh x and the sigmoid over floats, for the float32 elementwise ops ----
// Each is its scalar reference (the std:: formula: the op's double path, the last
// n % 8 elements, and builds without AVX2) plus the same function on 8 lanes from
// vec_exp.h; tests/core/kernels/vec_math_test.cpp holds the two close.

inline float exp_reference(float v) { return std::exp(v); }
inline float tanh_reference(float v) { return std::tanh(v); }
inline float sigmoid_reference(float v) { return 1.0f / (1.0f + std::exp(-v)); }

inline void exp_float(const float* x, float* y, int64_t n) {
  map_float(x, y, n, exp_reference, MINIGRAD_VEC8(exp8_all(v)));
}
inline void tanh_float(const float* x, float* y, int64_t n) {
  map_float(x, y, n, tanh_reference, MINIGRAD_VEC8(tanh8(v)));
}
inline void sigmoid_float(const float* x, float* y, int64_t n) {
  map_float(x, y, n, sigmoid_reference, MINIGRAD_VEC8(sigmoid8(v)));
}

}  // namespace minigrad::kernels

// Raw elementwise loops: y = f(x) and z = f(x, y) over contiguous arrays, split
// across threads by output range. Plain loops the compiler vectorises, and map8 for
// float functions the compiler cannot (exp, tanh: it will not vectorise libm); no autograd.
// The per-element formulas live with their ops in core/ops/elementwise.cpp.
#pragma once

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

}  // namespace minigrad::kernels

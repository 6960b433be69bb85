// Raw elementwise loops: y = f(x) and z = f(x, y) over contiguous arrays, split
// across threads by output range. Plain loops the compiler vectorises, and map_float for
// float functions the compiler cannot (exp, tanh: it will not vectorise libm), through
// the CPU level's vector loops (cpu.h), with exp / tanh / sigmoid over floats built on it. No autograd.
// The other per-element formulas live with their ops in core/ops/elementwise.cpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

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

// y = f(x) over floats: the level's vector loop (cpu.h) on the whole vectors, the
// scalar reference f on the rest. Threads split only at multiples of kMapBlock, so
// which elements take the vector path depends on their index alone, never on the
// thread count. For the functions the compiler cannot vectorise (libm's exp, tanh).
inline void map_float(const float* x, float* y, int64_t n, float (*f)(float),
                      int64_t (*vec)(const float*, float*, int64_t)) {
  parallel_for((n + kMapBlock - 1) / kMapBlock, kMapBlock * 8, [&](int64_t b0, int64_t b1) {
    const int64_t i0 = b0 * kMapBlock, i1 = std::min(n, b1 * kMapBlock);
    for (int64_t i = i0 + vec(x + i0, y + i0, i1 - i0); i < i1; ++i) y[i] = f(x[i]);
  });
}

// x[i] = fma(o[i], a, x[i]): torch's in-place add_(o, alpha = a) on floats, rounded once,
// as its CPU kernel does. The level's vector loop on the whole vectors, std::fma on the
// rest: the same bits either way, since an fma is exact. Split like map_float.
inline void add_scaled_float(float* x, const float* o, float a, int64_t n) {
  parallel_for((n + kMapBlock - 1) / kMapBlock, kMapBlock, [&](int64_t b0, int64_t b1) {
    const int64_t i0 = b0 * kMapBlock, i1 = std::min(n, b1 * kMapBlock);
    for (int64_t i = i0 + cpu().axpy_f32(x + i0, o + i0, a, i1 - i0); i < i1; ++i) x[i] = std::fma(o[i], a, x[i]);
  });
}

// ---- e^x, tanh x and the sigmoid over floats, for the float32 elementwise ops ----
// Each is its scalar reference (the std:: formula: the op's double path, the tail past
// the last whole vector, and the portable level) plus the level's vector loop (vec_exp.h);
// tests/core/kernels/vec_math_test.cpp holds the two close at every level.

inline float exp_reference(float v) { return std::exp(v); }
inline float tanh_reference(float v) { return std::tanh(v); }
inline float sigmoid_reference(float v) { return 1.0f / (1.0f + std::exp(-v)); }

inline void exp_float(const float* x, float* y, int64_t n) {
  map_float(x, y, n, exp_reference, cpu().exp_f32);
}
inline void tanh_float(const float* x, float* y, int64_t n) {
  map_float(x, y, n, tanh_reference, cpu().tanh_f32);
}
inline void sigmoid_float(const float* x, float* y, int64_t n) {
  map_float(x, y, n, sigmoid_reference, cpu().sigmoid_f32);
}

}  // namespace minigrad::kernels

// exp and tanh over 8 floats at once (AVX2 + FMA), for the softmax-shaped kernels and
// the float32 elementwise ops. Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, e^r by
// a degree-7 polynomial, then scaled by 2^n; within 2 ulp of the true value on
// [-87, 88], 0 below, NaN kept (exp8_all fixes the lanes outside with std::exp).
// Cephes' tanhf: an odd polynomial below 0.625, 1 - 2 / (e^2|x| + 1) above.
// Not a general math library. A level header (core/kernels/level_kernels.h): compiled
// in the AVX2 and AVX-512 levels only; the portable level keeps the plain loops, and
// tests/core/kernels/vec_math_test.cpp holds these to std:: at every level.
#pragma once

#if MINIGRAD_LEVEL_ID >= 1
#include <immintrin.h>

#include <math.h>
#include <cstdint>

namespace minigrad::kernels::MINIGRAD_LEVEL {

inline __m256 exp8(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.3762626647949f), lo = _mm256_set1_ps(-88.3762626647949f);
  __m256 nan_mask = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
  __m256 xc = _mm256_max_ps(_mm256_min_ps(x, hi), lo);
  // n = round(x / ln2); r = x - n ln2 in two pieces so r keeps its low bits.
  __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  // 2^n from the exponent bits; n = -127 (x at the bottom clamp) gives 0.
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  y = _mm256_mul_ps(y, _mm256_castsi256_ps(e));
  return _mm256_blendv_ps(y, x, nan_mask);
}

// exp8 on every lane: lanes outside [-87, 88], where exp8 clamps (the true result is
// subnormal or near FLT_MAX), are recomputed with std::exp.
inline __m256 exp8_all(__m256 x) {
  __m256 y = exp8(x);
  __m256 outside = _mm256_or_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_LT_OQ),
                                _mm256_cmp_ps(x, _mm256_set1_ps(88.0f), _CMP_GT_OQ));
  if (_mm256_movemask_ps(outside) == 0) return y;
  alignas(32) float xs[8], ys[8];
  _mm256_store_ps(xs, x);
  _mm256_store_ps(ys, y);
  for (int i = 0; i < 8; ++i)
    if (xs[i] < -87.0f || xs[i] > 88.0f) ys[i] = expf(xs[i]);  // the C library: no inline wrapper compiled at this level
  return _mm256_load_ps(ys);
}

// tanh, Cephes' tanhf: |x| < 0.625: x + x^3 P(x^2); else sign(x) (1 - 2 / (e^(2|x|) + 1)),
// which reaches 1 exactly once e^(2|x|) outgrows float precision (exp8's clamp is harmless
// there). -0 stays -0, NaN stays NaN.
inline __m256 tanh8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
  __m256 ax = _mm256_andnot_ps(sign, x);
  __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
  __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  small = _mm256_or_ps(small, _mm256_and_ps(x, sign));  // keeps -0 (x + 0 rounds to +0); else the sign is x's already
  __m256 e = exp8(_mm256_add_ps(ax, ax));
  __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  big = _mm256_or_ps(big, _mm256_and_ps(x, sign));  // the sign of x
  __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ);
  return _mm256_blendv_ps(big, small, is_small);
}

// 1 / (1 + e^-x), as the reference computes it.
inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8_all(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

// n < 8 floats into a vector, the other lanes set to `fill`.
inline __m256 load_partial(const float* x, int64_t n, float fill) {
  alignas(32) float buf[8];
  for (int64_t i = 0; i < 8; ++i) buf[i] = i < n ? x[i] : fill;
  return _mm256_load_ps(buf);
}

inline void store_partial(float* y, int64_t n, __m256 v) {
  alignas(32) float buf[8];
  _mm256_store_ps(buf, v);
  for (int64_t i = 0; i < n; ++i) y[i] = buf[i];
}

// Adds the 8 lanes into two double accumulators (4 lanes each), keeping float sums exact-ish.
inline void add_to_double(__m256 v, __m256d& acc0, __m256d& acc1) {
  acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

// The lanes' total, always in the same order.
inline double sum_lanes(__m256d acc0, __m256d acc1) {
  alignas(32) double a[4];
  _mm256_store_pd(a, _mm256_add_pd(acc0, acc1));
  return (a[0] + a[1]) + (a[2] + a[3]);
}

inline float max_lanes(__m256 v) {
  alignas(32) float a[8];
  _mm256_store_ps(a, v);
  float m = a[0];
  for (int i = 1; i < 8; ++i) m = a[i] > m ? a[i] : m;
  return m;
}

// The max m of a row of n floats, if the row is one the fast softmax-shaped paths
// handle: no NaN and a finite max. Otherwise false, and the caller takes its
// reference loop, which defines what NaN and infinities give.
inline bool finite_row_max(const float* x, int64_t n, float& m) {
  __m256 vm = _mm256_set1_ps(-INFINITY), nan = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 v = _mm256_loadu_ps(x + j);
    vm = _mm256_max_ps(vm, v);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  m = max_lanes(vm);
  bool has_nan = _mm256_movemask_ps(nan) != 0;
  for (; j < n; ++j) {
    m = x[j] > m ? x[j] : m;
    has_nan = has_nan || x[j] != x[j];
  }
  return !has_nan && m > -INFINITY && m < INFINITY;
}

// s = sum_j e^(x_j - m), the exps in float (exp8), their sum in double, 8 lanes in a
// fixed order; with `e` non-null each e^(x_j - m) is stored there too.
inline double sum_exp_row(const float* x, int64_t n, float m, float* e) {
  __m256 vm = _mm256_set1_ps(m);
  __m256d a0 = _mm256_setzero_pd(), a1 = a0;
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 v = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm));
    if (e) _mm256_storeu_ps(e + j, v);
    add_to_double(v, a0, a1);
  }
  if (j < n) {
    __m256 v = exp8(_mm256_sub_ps(load_partial(x + j, n - j, -INFINITY), vm));  // e^-inf = 0 past n
    if (e) store_partial(e + j, n - j, v);
    add_to_double(v, a0, a1);
  }
  return sum_lanes(a0, a1);
}

}  // namespace minigrad::kernels::MINIGRAD_LEVEL

#endif

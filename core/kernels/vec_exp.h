// exp, tanh and sigmoid over a vector of floats, for the softmax-shaped kernels and the
// float32 elementwise ops. Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, e^r by a
// degree-7 polynomial, then scaled by 2^n; within 2 ulp of the true value on [-87, 88],
// 0 below, NaN kept (vexp_all fixes the lanes outside with std::exp). Cephes' tanhf: an
// odd polynomial below 0.625, 1 - 2 / (e^2|x| + 1) above. Each is written once over the
// vector type V (vec_lanes.h): 8 lanes (__m256) at the AVX2 level, also 16 (__m512) at
// AVX-512, the same operations per lane, so both levels give the same bits. Then the
// row helpers the softmax-shaped rows share (sum_exp_row adds in double in one fixed order:
// DoubleSum16).
// Not a general math library. A level header (core/kernels/level_kernels.h): compiled
// in the AVX2 and AVX-512 levels only; the portable level keeps the plain loops, and
// tests/core/kernels/vec_math_test.cpp holds these to std:: at every level and the two
// vector levels to each other.
#pragma once

#if MINIGRAD_LEVEL_ID >= 1
#include <immintrin.h>

#include <math.h>
#include <cstdint>

#include "core/kernels/vec_lanes.h"

namespace minigrad::kernels::MINIGRAD_LEVEL {

template <class V>
inline V vexp(V x) {
  const V hi = splat<V>(88.3762626647949f), lo = splat<V>(-88.3762626647949f);
  auto nan_mask = is_nan(x);
  V xc = max(min(x, hi), lo);
  // n = round(x / ln2); r = x - n ln2 in two pieces so r keeps its low bits.
  V n = round_nearest(mul(xc, splat<V>(1.44269504088896341f)));
  V r = fnmadd(n, splat<V>(0.693359375f), xc);
  r = fnmadd(n, splat<V>(-2.12194440e-4f), r);
  V p = splat<V>(1.9875691500e-4f);
  p = fmadd(p, r, splat<V>(1.3981999507e-3f));
  p = fmadd(p, r, splat<V>(8.3334519073e-3f));
  p = fmadd(p, r, splat<V>(4.1665795894e-2f));
  p = fmadd(p, r, splat<V>(1.6666665459e-1f));
  p = fmadd(p, r, splat<V>(5.0000001201e-1f));
  V y = fmadd(mul(p, r), r, add(r, splat<V>(1.0f)));
  y = mul(y, pow2_int(n));  // n = -127 (x at the bottom clamp) gives 0
  return select(nan_mask, x, y);
}

// vexp on every lane: lanes outside [-87, 88], where vexp clamps (the true result is
// subnormal or near FLT_MAX), are recomputed with std::exp.
template <class V>
inline V vexp_all(V x) {
  V y = vexp(x);
  if (!any(mask_or(less(x, splat<V>(-87.0f)), greater(x, splat<V>(88.0f))))) return y;
  constexpr int lanes = sizeof(V) / sizeof(float);
  alignas(64) float xs[lanes], ys[lanes];
  store(xs, x);
  store(ys, y);
  for (int i = 0; i < lanes; ++i)
    if (xs[i] < -87.0f || xs[i] > 88.0f) ys[i] = expf(xs[i]);  // the C library: no inline wrapper compiled at this level
  return load<V>(ys);
}

// tanh, Cephes' tanhf: |x| < 0.625: x + x^3 P(x^2); else sign(x) (1 - 2 / (e^(2|x|) + 1)),
// which reaches 1 exactly once e^(2|x|) outgrows float precision (vexp's clamp is harmless
// there). -0 stays -0, NaN stays NaN.
template <class V>
inline V vtanh(V x) {
  const V sign = splat<V>(-0.0f), one = splat<V>(1.0f);
  V ax = bit_andnot(sign, x);
  V z = mul(x, x);
  V p = splat<V>(-5.70498872745e-3f);
  p = fmadd(p, z, splat<V>(2.06390887954e-2f));
  p = fmadd(p, z, splat<V>(-5.37397155531e-2f));
  p = fmadd(p, z, splat<V>(1.33314422036e-1f));
  p = fmadd(p, z, splat<V>(-3.33332819422e-1f));
  V small = fmadd(mul(p, z), x, x);
  small = bit_or(small, bit_and(x, sign));  // keeps -0 (x + 0 rounds to +0); else the sign is x's already
  V e = vexp(add(ax, ax));
  V big = sub(one, div(splat<V>(2.0f), add(e, one)));
  big = bit_or(big, bit_and(x, sign));  // the sign of x
  return select(less(ax, splat<V>(0.625f)), small, big);
}

// 1 / (1 + e^-x), as the reference computes it.
template <class V>
inline V vsigmoid(V x) {
  const V one = splat<V>(1.0f);
  return div(one, add(one, vexp_all(sub(splat<V>(0.0f), x))));
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

// Adds the 8 lanes into two double accumulators (4 lanes each), keeping float sums exact-ish
// (softmax's backward; a sum beside exps takes DoubleSum16, below).
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
// It stays at 8 lanes at AVX-512 too: a 16-lane pass measured no faster (the exps after
// it dominate), and the sign of a zero max would depend on the lanes' order.
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

// A row of floats summed in double, in an order fixed by the row alone: accumulator j (of
// 16) adds the elements k = j, j + 16, j + 32, ..., then the accumulators are added
// pairwise, as layer_norm's sum8 does with 8. At AVX-512 the 16 accumulators are two
// __m512d, at AVX2 four __m256d: the same chains, so the same bits. Sixteen chains, not
// the four that one 8-lane vector of doubles gives, keep the adds' latency out of the way
// of the exps: the row statistics of a (512, 1024) cross_entropy forward went from 0.26 to
// 0.19 ms at 1 thread (AVX-512).
struct DoubleSum16 {
#if MINIGRAD_LEVEL_ID == 2
  __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();  // accumulators 0-7, 8-15
  void add16(__m512 v) {
    lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    hi = _mm512_add_pd(hi, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
  }
  // The 8 elements from k on (k a multiple of 8).
  void add8(__m256 v, int64_t k) {
    __m512d d = _mm512_cvtps_pd(v);
    if (k & 8) hi = _mm512_add_pd(hi, d);
    else lo = _mm512_add_pd(lo, d);
  }
  void store(double* a) const {
    _mm512_storeu_pd(a, lo);
    _mm512_storeu_pd(a + 8, hi);
  }
#else
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;  // accumulators 0-3, 4-7, 8-11, 12-15
  void add8(__m256 v, int64_t k) {
    __m256d l = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), h = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    if (k & 8) {
      b0 = _mm256_add_pd(b0, l);
      b1 = _mm256_add_pd(b1, h);
    } else {
      a0 = _mm256_add_pd(a0, l);
      a1 = _mm256_add_pd(a1, h);
    }
  }
  void store(double* a) const {
    _mm256_storeu_pd(a, a0);
    _mm256_storeu_pd(a + 4, a1);
    _mm256_storeu_pd(a + 8, b0);
    _mm256_storeu_pd(a + 12, b1);
  }
#endif
  double total() const {
    double a[16];
    store(a);
    for (int half = 8; half >= 1; half /= 2)
      for (int j = 0; j < half; ++j) a[j] += a[j + half];
    return a[0];
  }
};

// s = sum_j e^(x_j - m), the exps in float (vexp), their sum in double (DoubleSum16);
// with `e` non-null each e^(x_j - m) is stored there too.
inline double sum_exp_row(const float* x, int64_t n, float m, float* e) {
  DoubleSum16 acc;
  auto exp_at = [&](int64_t i, auto lanes) {
    using V = decltype(lanes);
    V v = vexp(sub(load<V>(x + i), splat<V>(m)));
    if (e) store(e + i, v);
    return v;
  };
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
#if MINIGRAD_LEVEL_ID == 2
    acc.add16(exp_at(j, __m512{}));
#else
    acc.add8(exp_at(j, __m256{}), 0);
    acc.add8(exp_at(j + 8, __m256{}), 8);
#endif
  }
  if (j + 8 <= n) {
    acc.add8(exp_at(j, __m256{}), j);
    j += 8;
  }
  if (j < n) {
    __m256 v = vexp(_mm256_sub_ps(load_partial(x + j, n - j, -INFINITY), _mm256_set1_ps(m)));  // e^-inf = 0 past n
    if (e) store_partial(e + j, n - j, v);
    acc.add8(v, j);
  }
  return acc.total();
}

}  // namespace minigrad::kernels::MINIGRAD_LEVEL

#endif

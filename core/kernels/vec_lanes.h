// The handful of vector operations vec_exp.h and vec_rows.h write exp, tanh, sigmoid and
// GELU in, overloaded for 8 float lanes (__m256, AVX2) and, at the AVX-512 level, for 16
// (__m512). Each formula is then written once, as a template over the vector type, and
// both widths do the same operations in every lane: the same bits, twice the lanes. One
// intrinsic per wrapper, nothing clever; not a SIMD library. A level header
// (core/kernels/level_kernels.h).
#pragma once

#if MINIGRAD_LEVEL_ID >= 1
#include <immintrin.h>

#include <cstdint>

namespace minigrad::kernels::MINIGRAD_LEVEL {

template <class V> V splat(float c);
template <class V> V load(const float* p);

template <> inline __m256 splat<__m256>(float c) { return _mm256_set1_ps(c); }
template <> inline __m256 load<__m256>(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, __m256 v) { _mm256_storeu_ps(p, v); }
inline __m256 add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
inline __m256 sub(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
inline __m256 mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
inline __m256 div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
inline __m256 vsqrt(__m256 a) { return _mm256_sqrt_ps(a); }  // correctly rounded, as std::sqrt
inline __m256 fmadd(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }    // a b + c, one rounding
inline __m256 fnmadd(__m256 a, __m256 b, __m256 c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a b, one rounding
inline __m256 min(__m256 a, __m256 b) { return _mm256_min_ps(a, b); }  // b if either is NaN
inline __m256 max(__m256 a, __m256 b) { return _mm256_max_ps(a, b); }
inline __m256 round_nearest(__m256 a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
inline __m256 bit_and(__m256 a, __m256 b) { return _mm256_and_ps(a, b); }
inline __m256 bit_or(__m256 a, __m256 b) { return _mm256_or_ps(a, b); }
inline __m256 bit_andnot(__m256 a, __m256 b) { return _mm256_andnot_ps(a, b); }  // ~a & b
// 2^n for whole n in [-127, 127]: n + 127 shifted into the exponent bits (n = -127 gives 0).
inline __m256 pow2_int(__m256 n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}
// A compare gives a mask: all-ones lanes of a __m256 at 8 lanes, one bit per lane
// (__mmask16) at 16, where AVX-512 keeps its masks in k registers.
inline __m256 is_nan(__m256 a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
inline __m256 less(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
inline __m256 greater(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
inline __m256 mask_or(__m256 a, __m256 b) { return _mm256_or_ps(a, b); }
inline bool any(__m256 mask) { return _mm256_movemask_ps(mask) != 0; }
inline __m256 select(__m256 mask, __m256 if_set, __m256 if_clear) { return _mm256_blendv_ps(if_clear, if_set, mask); }

#if MINIGRAD_LEVEL_ID == 2
template <> inline __m512 splat<__m512>(float c) { return _mm512_set1_ps(c); }
template <> inline __m512 load<__m512>(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, __m512 v) { _mm512_storeu_ps(p, v); }
inline __m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
inline __m512 sub(__m512 a, __m512 b) { return _mm512_sub_ps(a, b); }
inline __m512 mul(__m512 a, __m512 b) { return _mm512_mul_ps(a, b); }
inline __m512 div(__m512 a, __m512 b) { return _mm512_div_ps(a, b); }
inline __m512 vsqrt(__m512 a) { return _mm512_sqrt_ps(a); }
inline __m512 fmadd(__m512 a, __m512 b, __m512 c) { return _mm512_fmadd_ps(a, b, c); }
inline __m512 fnmadd(__m512 a, __m512 b, __m512 c) { return _mm512_fnmadd_ps(a, b, c); }
inline __m512 min(__m512 a, __m512 b) { return _mm512_min_ps(a, b); }
inline __m512 max(__m512 a, __m512 b) { return _mm512_max_ps(a, b); }
// AVX-512 has no round_ps: roundscale with scale 0 (imm bits 7:4) is the same rounding.
inline __m512 round_nearest(__m512 a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
inline __m512 bit_and(__m512 a, __m512 b) { return _mm512_and_ps(a, b); }  // the float-typed logic ops are AVX512DQ
inline __m512 bit_or(__m512 a, __m512 b) { return _mm512_or_ps(a, b); }
inline __m512 bit_andnot(__m512 a, __m512 b) { return _mm512_andnot_ps(a, b); }
inline __m512 pow2_int(__m512 n) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
}
inline __mmask16 is_nan(__m512 a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
inline __mmask16 less(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
inline __mmask16 greater(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
inline __mmask16 mask_or(__mmask16 a, __mmask16 b) { return static_cast<__mmask16>(a | b); }
inline bool any(__mmask16 mask) { return mask != 0; }
inline __m512 select(__mmask16 mask, __m512 if_set, __m512 if_clear) { return _mm512_mask_blend_ps(mask, if_clear, if_set); }
#endif

// f(j, V{}) for every whole vector [j, j + lanes) of [j0, n): 16 lanes at a time while
// they last at the AVX-512 level, then 8; returns where the vectors stopped (the caller
// does the rest, a partial vector or a scalar loop). f is a generic lambda that takes its
// vector type from the second argument, which carries nothing else.
template <class F>
inline int64_t for_each_vector(int64_t j0, int64_t n, F f) {
  int64_t j = j0;
#if MINIGRAD_LEVEL_ID == 2
  for (; j + 16 <= n; j += 16) f(j, __m512{});
#endif
  for (; j + 8 <= n; j += 8) f(j, __m256{});
  return j;
}

}  // namespace minigrad::kernels::MINIGRAD_LEVEL

#endif

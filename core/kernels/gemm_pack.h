// The packing half of the blocked GEMM (gemm.cpp): the block sizes, and the loops
// that copy op(A) into MR-tall and op(B) into NR-wide micro-panels, laid out as the
// micro-kernel reads them (k-major), with the transposes folded in and zero padding past
// the matrix edge. Its own file so that each half of the GEMM reads alone.
// A level header (core/kernels/level_kernels.h): the block sizes and fast paths per level.
// Not here: the micro-kernels (gemm_micro.h), the loops over blocks and threads (gemm_level.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if MINIGRAD_LEVEL_ID >= 1
#include <immintrin.h>
#endif

namespace minigrad::kernels::MINIGRAD_LEVEL {

// An unnamed namespace: only the level sources (and gemm_pack_test.cpp) include this
// file; internal linkage lets the compiler inline the packing into the driver.
namespace {

// A hint to start loading a cache line; nothing where the compiler has no builtin.
inline void prefetch(const void* p) {
#if defined(__GNUC__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

// Register tile MR x NR: AVX2 has 16 ymm registers; 6 x 16 floats is 12 accumulators,
// plus 2 for a row of B and 1 for a broadcast of A (BLIS's Haswell choice). Doubles: 6 x 8
// at every level. AVX-512: 6 x 32 floats, 12 zmm accumulators (of 32 registers), two
// 16-float loads of B per six broadcasts of A. The portable level: 6 x 8 in SSE2-sized
// vectors (gemm_micro.h). KC x NR of B stays in L1 while MR x KC panels of A stream
// from L2 (MC x KC, 144 KiB); the KC x NC panel of B (3 MiB) lives in L3. KC is the same
// at every level, so the AVX2 and AVX-512 levels sum every element in the same order.
template <class T> struct Blocking;
template <> struct Blocking<float> {
  static constexpr int64_t MR = 6, NR = MINIGRAD_LEVEL_ID == 2 ? 32 : MINIGRAD_LEVEL_ID == 1 ? 16 : 8, KC = 256, MC = 144, NC = 3072;
};
template <> struct Blocking<double> {
  static constexpr int64_t MR = 6, NR = 8, KC = 256, MC = 72, NC = 1536;
};

#if MINIGRAD_LEVEL_ID >= 1
// Transposes 8 x 8 floats held in registers: afterwards r[k][j] is what r[j][k] was.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
  for (int j = 0; j < 8; j += 2) {
    t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
  }
  for (int j = 0; j < 8; j += 4) {
    s[j] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int k = 0; k < 4; ++k) {
    r[k] = _mm256_permute2f128_ps(s[k], s[k + 4], 0x20);
    r[k + 4] = _mm256_permute2f128_ps(s[k], s[k + 4], 0x31);
  }
}

// dst[k * ld_dst + j] = src[j * ld_src + k] for an 8 x 8 block.
inline void transpose_8x8(const float* src, int64_t ld_src, float* dst, int64_t ld_dst) {
  __m256 r[8];
  for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(src + j * ld_src);
  transpose8(r);
  for (int k = 0; k < 8; ++k) _mm256_storeu_ps(dst + k * ld_dst, r[k]);
}

// One full MR = 6 row panel of a row-major A, k = 0.. kc: d[k * 6 + i] = rows[i][k].
// Eight k at a time: six rows (plus two copies of the last, as padding) go through
// transpose8, and each of the eight results is stored 8 wide at d + 6 k; its two
// padding lanes land where the next store writes, so only the last one stores 6.
inline void pack_a_panel6(const float* a, int64_t lda, int64_t kc, float* d) {
  const float* row[8];
  for (int i = 0; i < 8; ++i) row[i] = a + std::min(i, 5) * lda;
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    __m256 r[8];
    for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(row[i] + k);
    transpose8(r);
    float* out = d + k * 6;
    for (int j = 0; j < 7; ++j) _mm256_storeu_ps(out + j * 6, r[j]);
    _mm_storeu_ps(out + 42, _mm256_castps256_ps128(r[7]));
    _mm_storel_pi(reinterpret_cast<__m64*>(out + 46), _mm256_extractf128_ps(r[7], 1));
  }
  for (; k < kc; ++k)
    for (int i = 0; i < 6; ++i) d[k * 6 + i] = row[i][k];
}
#endif

// op(A) (M x K), panels p0..p1 of MR rows, depth k0.. k0+kc -> panel p at dst + (p - p0) MR kc,
// element (i, k) at [k * MR + i]; zero-padded past M.
template <class T>
void pack_a(bool ta, const T* A, int64_t lda, int64_t M, int64_t p0, int64_t p1, int64_t k0, int64_t kc, T* dst) {
  constexpr int64_t MR = Blocking<T>::MR;
  if (ta) {
    // A stored (K x M): panel element (i, k) is stored row k's element i, so each
    // stored row gives 6 contiguous values to every panel. Rows are lda apart (often
    // a page), which the hardware prefetcher does not follow: fetch 8 rows ahead.
    const int64_t first = p0 * MR, width = std::min(M, p1 * MR) - first;
    const bool full = width == (p1 - p0) * MR;  // no panel runs past row M
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = A + (k0 + k) * lda;
      if (k + 8 < kc)
        for (int64_t b = 0; b < width * static_cast<int64_t>(sizeof(T)); b += 64)
          prefetch(reinterpret_cast<const char*>(src + 8 * lda + first) + b);
      if (full) {  // the common case, without the per-panel row count
        for (int64_t p = p0; p < p1; ++p)
          std::memcpy(dst + (p - p0) * MR * kc + k * MR, src + p * MR, MR * sizeof(T));
        continue;
      }
      for (int64_t p = p0; p < p1; ++p) {
        T* d = dst + (p - p0) * MR * kc + k * MR;
        const int64_t i0 = p * MR, rows = std::min(MR, M - i0);
        for (int64_t i = 0; i < rows; ++i) d[i] = src[i0 + i];
        for (int64_t i = rows; i < MR; ++i) d[i] = 0;
      }
    }
    return;
  }
  for (int64_t p = p0; p < p1; ++p) {
    T* d = dst + (p - p0) * MR * kc;
    const int64_t i0 = p * MR, rows = std::min(MR, M - i0);
#if MINIGRAD_LEVEL_ID >= 1
    if constexpr (std::is_same_v<T, float>) {
      if (rows == MR) {
        pack_a_panel6(A + i0 * lda + k0, lda, kc, d);
        continue;
      }
    }
#endif
    for (int64_t i = 0; i < rows; ++i) {
      const T* src = A + (i0 + i) * lda + k0;
      for (int64_t k = 0; k < kc; ++k) d[k * MR + i] = src[k];
    }
    for (int64_t i = rows; i < MR; ++i)
      for (int64_t k = 0; k < kc; ++k) d[k * MR + i] = 0;
  }
}

// op(B) (K x N), columns j0.. j0+NR, depth k0.. k0+kc -> dst[k * NR + j], zero-padded past N.
template <class T>
void pack_b(bool tb, const T* B, int64_t ldb, int64_t N, int64_t j0, int64_t k0, int64_t kc, T* dst) {
  constexpr int64_t NR = Blocking<T>::NR;
  int64_t cols = std::min(NR, N - j0);
  if (!tb) {
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = B + (k0 + k) * ldb + j0;
      T* d = dst + k * NR;
      if (cols == NR) {
        std::copy_n(src, NR, d);
      } else {
        for (int64_t j = 0; j < cols; ++j) d[j] = src[j];
        for (int64_t j = cols; j < NR; ++j) d[j] = 0;
      }
    }
    return;
  }
  // B stored (N x K): one column of op(B) is a contiguous row.
  const T* src = B + j0 * ldb + k0;
  int64_t k = 0;
#if MINIGRAD_LEVEL_ID >= 1
  if constexpr (std::is_same_v<T, float>) {
    if (cols == NR)
      for (; k + 8 <= kc; k += 8)
        for (int64_t j = 0; j < NR; j += 8) transpose_8x8(src + j * ldb + k, ldb, dst + k * NR + j, NR);
  }
#endif
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t kk = k; kk < kc; ++kk) dst[kk * NR + j] = src[j * ldb + kk];
  for (int64_t j = cols; j < NR; ++j)
    for (int64_t kk = k; kk < kc; ++kk) dst[kk * NR + j] = 0;
}

}  // namespace
}  // namespace minigrad::kernels::MINIGRAD_LEVEL

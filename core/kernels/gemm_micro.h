// The GEMM micro-kernels, one per level: MR x NR of C from one packed micro-panel of
// op(A) (MR x kc, k-major) and one of op(B) (kc x NR), summed in k order from zero and
// then added to C (and, on the last K slice of a product with a bias, the bias added to each
// column). `next_b`, when not null, is the B micro-panel the next call will read: a kernel may
// fetch it into cache while it computes (the AVX2 and AVX-512 ones do). A level header
// (core/kernels/level_kernels.h); the block sizes and the packing are in gemm_pack.h, the loops
// over blocks and threads in gemm_level.h.
#pragma once

#include <cstdint>
#include <cstring>

#if MINIGRAD_LEVEL_ID >= 1
#include <immintrin.h>
#endif

#include "core/kernels/gemm_pack.h"

namespace minigrad::kernels::MINIGRAD_LEVEL {
namespace {

// Writes element j of a tile row: C = beta C + acc on the first K slice (C = acc when
// beta == 0, so NaNs in an uninitialised C never leak), C = C + acc on the later ones; then
// + bias[j] when bias is not null (the last K slice of a product with a bias).
template <class T>
inline T combine(T c, T acc, bool first, T beta, const T* bias, int64_t j) {
  T v = !first ? c + acc : beta == T(0) ? acc : beta * c + acc;
  return bias ? v + bias[j] : v;
}

// The portable micro-kernel: acc (MR x NR) = sum_k Ap[k, :]^T Bp[k, :], in k order.
template <class T>
void micro_kernel_portable(int64_t kc, const T* Ap, const T* Bp, T* C, int64_t ldc, int64_t mr,
                           int64_t nr, bool first, T beta, const T* bias) {
  constexpr int64_t MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  T acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const T* a = Ap + k * MR;
    const T* b = Bp + k * NR;
    for (int64_t i = 0; i < MR; ++i)
      for (int64_t j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  }
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) C[i * ldc + j] = combine(C[i * ldc + j], acc[i][j], first, beta, bias, j);
}

#if MINIGRAD_LEVEL_ID == 1
// 6 x 16 floats: per k, two loads of B and six broadcasts of A feed twelve FMAs.
void micro_kernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, float beta, const float* bias, const float* next_b) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // Fetch the C tile while the FMAs run: its rows are ldc apart, usually far out of cache.
  for (int64_t i = 0; i < mr; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc + 15), _MM_HINT_T0);
  }
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    if (next_b) _mm_prefetch(reinterpret_cast<const char*>(next_b + 16 * k), _MM_HINT_T0);  // as the AVX-512 kernel
    __m256 b0 = _mm256_load_ps(Bp), b1 = _mm256_load_ps(Bp + 8);
    __m256 a = _mm256_broadcast_ss(Ap + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(Ap + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(Ap + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(Ap + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(Ap + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(Ap + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    Ap += 6;
    Bp += 16;
  }
  alignas(32) float acc[6][16];
  __m256 rows[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == 6 && nr == 16) {
    __m256 vb = _mm256_set1_ps(beta);
    for (int i = 0; i < 6; ++i)
      for (int h = 0; h < 2; ++h) {
        float* c = C + i * ldc + h * 8;
        __m256 v = rows[i][h];
        if (!first) v = _mm256_add_ps(_mm256_loadu_ps(c), v);
        else if (beta != 0.0f) v = _mm256_add_ps(_mm256_mul_ps(vb, _mm256_loadu_ps(c)), v);
        if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + h * 8));
        _mm256_storeu_ps(c, v);
      }
    return;
  }
  for (int i = 0; i < 6; ++i) {
    _mm256_store_ps(acc[i], rows[i][0]);
    _mm256_store_ps(acc[i] + 8, rows[i][1]);
  }
  // An edge tile: the same sums, combined one element at a time. Each element of C
  // is always in the same kind of tile (the tile grid depends on M, N only), so
  // the two write paths never make results depend on the thread count.
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) C[i * ldc + j] = combine(C[i * ldc + j], acc[i][j], first, beta, bias, j);
}

#elif MINIGRAD_LEVEL_ID == 2
// 6 x 32 floats in zmm registers: per k, two 16-float loads of B and six broadcasts of A
// feed twelve FMAs. The same sums in the same order as the AVX2 kernel.
void micro_kernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, float beta, const float* bias, const float* next_b) {
  __m512 c[6][2];
  for (auto& r : c) r[0] = r[1] = _mm512_setzero_ps();
  for (int64_t i = 0; i < mr; ++i) {  // fetch the C tile while the FMAs run
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc + 31), _MM_HINT_T0);
  }
  // The next B micro-panel (kc x 32 floats, as large as this one) comes from L3 when N is wide:
  // two of its lines a step, so it is in cache when the next call starts (2048x768x3072 at
  // 1 thread, best of 6 runs: 179 -> 192 GFLOP/s).
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    if (next_b) {
      _mm_prefetch(reinterpret_cast<const char*>(next_b + 32 * k), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(next_b + 32 * k + 16), _MM_HINT_T0);
    }
    __m512 b0 = _mm512_load_ps(Bp), b1 = _mm512_load_ps(Bp + 16);
    for (int i = 0; i < 6; ++i) {
      __m512 a = _mm512_set1_ps(Ap[i]);
      c[i][0] = _mm512_fmadd_ps(a, b0, c[i][0]);
      c[i][1] = _mm512_fmadd_ps(a, b1, c[i][1]);
    }
    Ap += 6;
    Bp += 32;
  }
  if (mr == 6 && nr == 32) {
    __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < 6; ++i)
      for (int h = 0; h < 2; ++h) {
        float* e = C + i * ldc + h * 16;
        __m512 v = c[i][h];
        if (!first) v = _mm512_add_ps(_mm512_loadu_ps(e), v);
        else if (beta != 0.0f) v = _mm512_add_ps(_mm512_mul_ps(vb, _mm512_loadu_ps(e)), v);
        if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias + h * 16));
        _mm512_storeu_ps(e, v);
      }
    return;
  }
  alignas(64) float acc[6][32];
  for (int i = 0; i < 6; ++i) {
    _mm512_store_ps(acc[i], c[i][0]);
    _mm512_store_ps(acc[i] + 16, c[i][1]);
  }
  for (int64_t i = 0; i < mr; ++i)  // an edge tile, as in the AVX2 kernel
    for (int64_t j = 0; j < nr; ++j) C[i * ldc + j] = combine(C[i * ldc + j], acc[i][j], first, beta, bias, j);
}
#endif

#if MINIGRAD_LEVEL_ID >= 1
// 6 x 8 doubles, the same shape of loop (AVX2; the AVX-512 level too).
void micro_kernel(int64_t kc, const double* Ap, const double* Bp, double* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, double beta, const double* bias, const double* /*next_b*/) {
  __m256d c[6][2];
  for (auto& r : c) r[0] = r[1] = _mm256_setzero_pd();
  for (int64_t k = 0; k < kc; ++k) {
    __m256d b0 = _mm256_load_pd(Bp), b1 = _mm256_load_pd(Bp + 4);
    for (int i = 0; i < 6; ++i) {
      __m256d a = _mm256_broadcast_sd(Ap + i);
      c[i][0] = _mm256_fmadd_pd(a, b0, c[i][0]);
      c[i][1] = _mm256_fmadd_pd(a, b1, c[i][1]);
    }
    Ap += 6;
    Bp += 8;
  }
  alignas(32) double acc[6][8];
  for (int i = 0; i < 6; ++i) {
    _mm256_store_pd(acc[i], c[i][0]);
    _mm256_store_pd(acc[i] + 4, c[i][1]);
  }
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) C[i * ldc + j] = combine(C[i * ldc + j], acc[i][j], first, beta, bias, j);
}
#else
// The portable level, 6 x 8 floats: 12 accumulators of 4 floats (GCC / Clang vector
// types, which become SSE2 on any x86-64, NEON on ARM) plus 2 for a row of B and 1 for
// a broadcast of A fill the 16 xmm registers. Multiply, then add: SSE2 has no FMA.
using f32x4 = float __attribute__((vector_size(16)));

void micro_kernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, float beta, const float* bias, const float* /*next_b*/) {
  f32x4 c[6][2] = {};
  for (int64_t k = 0; k < kc; ++k) {
    f32x4 b0, b1;
    std::memcpy(&b0, Bp, sizeof b0);
    std::memcpy(&b1, Bp + 4, sizeof b1);
    for (int i = 0; i < 6; ++i) {
      c[i][0] += Ap[i] * b0;
      c[i][1] += Ap[i] * b1;
    }
    Ap += 6;
    Bp += 8;
  }
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) C[i * ldc + j] = combine(C[i * ldc + j], c[i][j / 4][j % 4], first, beta, bias, j);
}

// Doubles: the plain loop.
void micro_kernel(int64_t kc, const double* Ap, const double* Bp, double* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, double beta, const double* bias, const double* /*next_b*/) {
  micro_kernel_portable(kc, Ap, Bp, C, ldc, mr, nr, first, beta, bias);
}
#endif

}  // namespace
}  // namespace minigrad::kernels::MINIGRAD_LEVEL

// The blocked GEMM, in the GotoBLAS / BLIS shape. For each (NC wide) column panel
// of C and each (KC deep) slice of K, op(B) is packed into NR-wide micro-panels and
// op(A) into MR-tall micro-panels, the transposes folded into the packing; then a
// register-blocked micro-kernel computes MR x NR tiles of C from one micro-panel of
// each. Threads split the packing and then the tiles of C; the K slices run in one
// fixed order, so every C element is summed the same way for any thread count.
// This file: the micro-kernels, then the drivers (small, blocked and threaded, batched).
// Not here: the interface and the plain reference (gemm.h), the block sizes and the
// packing (gemm_pack.h).
#include "core/kernels/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>

#include "core/kernels/gemm_pack.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels {

namespace {

// A growable, 64-byte aligned scratch buffer, kept per thread across calls so a
// training loop does not pay for page faults on every multiply.
template <class T>
struct Scratch {
  struct Free { void operator()(T* p) const { std::free(p); } };
  std::unique_ptr<T, Free> data;
  int64_t size = 0;
  T* get(int64_t n) {
    if (n > size) {
      int64_t bytes = (n * static_cast<int64_t>(sizeof(T)) + 63) / 64 * 64;
      data.reset(static_cast<T*>(std::aligned_alloc(64, static_cast<std::size_t>(bytes))));
      size = n;
    }
    return data.get();
  }
};

// Writes one tile: C = beta C + acc on the first K slice (C = acc when beta == 0, so
// NaNs in an uninitialised C never leak), C = C + acc on the later ones.
template <class T>
inline T combine(T c, T acc, bool first, T beta) {
  if (!first) return c + acc;
  return beta == T(0) ? acc : beta * c + acc;
}

// The portable micro-kernel: acc (MR x NR) = sum_k Ap[k, :]^T Bp[k, :], in k order.
template <class T>
void micro_kernel_portable(int64_t kc, const T* Ap, const T* Bp, T* C, int64_t ldc, int64_t mr,
                           int64_t nr, bool first, T beta) {
  constexpr int64_t MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  T acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const T* a = Ap + k * MR;
    const T* b = Bp + k * NR;
    for (int64_t i = 0; i < MR; ++i)
      for (int64_t j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  }
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) C[i * ldc + j] = combine(C[i * ldc + j], acc[i][j], first, beta);
}

#ifdef MINIGRAD_GEMM_AVX2
// 6 x 16 floats: per k, two loads of B and six broadcasts of A feed twelve FMAs.
void micro_kernel(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // Fetch the C tile while the FMAs run: its rows are ldc apart, usually far out of cache.
  for (int64_t i = 0; i < mr; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc + 15), _MM_HINT_T0);
  }
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
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
    for (int64_t j = 0; j < nr; ++j) {
      float& c = C[i * ldc + j];
      c = !first ? c + acc[i][j] : beta == 0.0f ? acc[i][j] : beta * c + acc[i][j];
    }
}

// 6 x 8 doubles, the same shape of loop.
void micro_kernel(int64_t kc, const double* Ap, const double* Bp, double* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first, double beta) {
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
    for (int64_t j = 0; j < nr; ++j) {
      double& e = C[i * ldc + j];
      e = !first ? e + acc[i][j] : beta == 0.0 ? acc[i][j] : beta * e + acc[i][j];
    }
}
#else
template <class T>
void micro_kernel(int64_t kc, const T* Ap, const T* Bp, T* C, int64_t ldc, int64_t mr, int64_t nr,
                  bool first, T beta) {
  micro_kernel_portable(kc, Ap, Bp, C, ldc, mr, nr, first, beta);
}
#endif

// Below this many multiply-adds packing costs more than it saves: a direct loop
// (i, k, j order, each C element summed in k order) does the whole product.
constexpr int64_t kSmallGemm = 8 * 8 * 8;
// Below this many multiply-adds (~50 us on one core) one thread does it all: waking a
// team costs a few us on an idle machine, and a whole time slice on a busy one.
constexpr int64_t kThreadedGemm = 128 * 128 * 128;

template <class T>
void gemm_small(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
                const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    T* c = C + i * ldc;
    for (int64_t j = 0; j < N; ++j) {
      T s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
      c[j] = beta == T(0) ? s : beta * c[j] + s;
    }
  }
}

// Two rounds of tasks on the thread pool (parallel.h). First all of op(B), every K
// slice, is packed into shared panels, a few panels a task. Then each task (a block
// of MC rows times a chunk of at most NC columns of C) packs its block of op(A)
// privately and runs the micro-kernel over it, slice by slice. Any thread may take
// any task, and a thread the OS preempts delays only the task it holds.
template <class T>
void gemm_blocked(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
                  const T* B, int64_t ldb, T beta, T* C, int64_t ldc, int threads) {
  using Bk = Blocking<T>;
  constexpr int64_t MR = Bk::MR, NR = Bk::NR, KC = Bk::KC, MC = Bk::MC, NC = Bk::NC;
  const int64_t m_panels = (M + MR - 1) / MR, n_panels = (N + NR - 1) / NR;
  const int64_t k_slices = (K + KC - 1) / KC, m_blocks = (M + MC - 1) / MC;
  static thread_local Scratch<T> b_buf;
  T* Bp = b_buf.get(n_panels * NR * K);  // slice pc starts at n_panels NR pc

  constexpr int64_t kPanelsPerPack = 8;
  const int64_t pack_groups = (n_panels + kPanelsPerPack - 1) / kPanelsPerPack;
  for_each_task(k_slices * pack_groups, threads, [&](int64_t item) {
    const int64_t pc = item / pack_groups * KC, kc = std::min(KC, K - pc);
    const int64_t q0 = item % pack_groups * kPanelsPerPack, q1 = std::min(n_panels, q0 + kPanelsPerPack);
    for (int64_t q = q0; q < q1; ++q) pack_b(tb, B, ldb, N, q * NR, pc, kc, Bp + n_panels * NR * pc + q * NR * kc);
  });

  // Enough column chunks for two tasks a thread, none wider than NC.
  const int64_t n_chunks = std::min(n_panels, std::max((n_panels * NR + NC - 1) / NC,
                                                       (2 * int64_t{threads} + m_blocks - 1) / m_blocks));
  for_each_task(m_blocks * n_chunks, threads, [&](int64_t task) {
    static thread_local Scratch<T> a_buf;
    T* Ap = a_buf.get(MC * KC);
    const int64_t ib = task / n_chunks, jb = task % n_chunks;
    const int64_t p0 = ib * (MC / MR), p1 = std::min(m_panels, p0 + MC / MR);
    const int64_t q0 = n_panels * jb / n_chunks, q1 = n_panels * (jb + 1) / n_chunks;
    for (int64_t pc = 0; pc < K; pc += KC) {  // the K slices in one fixed order
      const int64_t kc = std::min(KC, K - pc);
      pack_a(ta, A, lda, M, p0, p1, pc, kc, Ap);
      const T* Bs = Bp + n_panels * NR * pc;
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t j = q * NR, nr = std::min(NR, N - j);
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t i = p * MR, mr = std::min(MR, M - i);
          micro_kernel(kc, Ap + (p - p0) * MR * kc, Bs + q * NR * kc, C + i * ldc + j, ldc, mr, nr,
                       pc == 0, beta);
        }
      }
    }
  });
}

template <class T>
void gemm_impl(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
               const T* B, int64_t ldb, T beta, T* C, int64_t ldc, bool may_thread) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  // an empty sum: C = beta C
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == T(0) ? T(0) : beta * C[i * ldc + j];
    return;
  }
  const int64_t work = M * N * K;
  if (work <= kSmallGemm) {
    gemm_small(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  int threads = may_thread && work >= kThreadedGemm ? max_threads() : 1;
  gemm_blocked(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, threads);
}

template <class T>
void gemm_batched_impl(bool ta, bool tb, int64_t batch, int64_t M, int64_t N, int64_t K,
                       const T* const* A, int64_t lda, const T* const* B, int64_t ldb, T beta,
                       T* const* C, int64_t ldc) {
  // Big matrices: one at a time, each split across threads. Many small ones: threads
  // take whole matrices. Either way a matrix is computed by the same code, in the
  // same order, so the choice never changes a bit of the result.
  if (batch == 1 || M * N * K >= 4 * kThreadedGemm || batch * M * N * K < kThreadedGemm) {
    for (int64_t b = 0; b < batch; ++b) gemm_impl(ta, tb, M, N, K, A[b], lda, B[b], ldb, beta, C[b], ldc, true);
    return;
  }
  parallel_for(batch, kParallelGrain, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) gemm_impl(ta, tb, M, N, K, A[b], lda, B[b], ldb, beta, C[b], ldc, false);
  });
}

}  // namespace

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  gemm_impl(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, true);
}

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  gemm_impl(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, true);
}

void gemm_batched(bool ta, bool tb, int64_t batch, int64_t M, int64_t N, int64_t K,
                  const float* const* A, int64_t lda, const float* const* B, int64_t ldb,
                  float beta, float* const* C, int64_t ldc) {
  gemm_batched_impl(ta, tb, batch, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

void gemm_batched(bool ta, bool tb, int64_t batch, int64_t M, int64_t N, int64_t K,
                  const double* const* A, int64_t lda, const double* const* B, int64_t ldb,
                  double beta, double* const* C, int64_t ldc) {
  gemm_batched_impl(ta, tb, batch, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace minigrad::kernels

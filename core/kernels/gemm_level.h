// The blocked GEMM (GotoBLAS / BLIS): op(B) and op(A) packed into micro-panels per K
// slice, transposes folded in, then MR x NR tiles of C by the micro-kernel; the K slices
// in one fixed order, so each C element is summed the same way at any thread count.
// A level header (core/kernels/level_kernels.h). Not here: the interface and reference
// (gemm.h), block sizes and packing (gemm_pack.h), the micro-kernels (gemm_micro.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/kernels/gemm.h"
#include "core/kernels/gemm_micro.h"
#include "core/kernels/gemm_pack.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels::MINIGRAD_LEVEL {
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

// Below this many multiply-adds packing costs more than it saves: a direct loop
// (i, j, k order, each C element summed in k order) does the whole product, with the
// transposes turned into strides once, outside the loops.
constexpr int64_t kSmallGemm = 8 * 8 * 8;

template <class T>
void gemm_small(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
                const T* B, int64_t ldb, T beta, T* C, int64_t ldc, const T* bias) {
  const int64_t a_i = ta ? 1 : lda, a_k = ta ? lda : 1;  // op(A)[i][k] = A[i a_i + k a_k]
  const int64_t b_k = tb ? 1 : ldb, b_j = tb ? ldb : 1;  // op(B)[k][j] = B[k b_k + j b_j]
  for (int64_t i = 0; i < M; ++i) {
    T* c = C + i * ldc;
    for (int64_t j = 0; j < N; ++j) {
      const T* a = A + i * a_i;
      const T* b = B + j * b_j;
      T s = 0;
      for (int64_t k = 0; k < K; ++k) s += a[k * a_k] * b[k * b_k];
      c[j] = combine(c[j], s, true, beta, bias, j);  // the micro-kernels' write (gemm_micro.h)
    }
  }
}

// Two rounds of tasks on the thread pool (parallel.h). First all of op(B), every K
// slice, is packed into shared panels, a few panels a task. Then each task (a block
// of at most MC rows times a chunk of at most NC columns of C) packs its block of op(A)
// privately and runs the micro-kernel over it, slice by slice. Any thread may take
// any task, and a thread the OS preempts delays only the task it holds.
// The grid: rows are split first, into at least two blocks a thread, as even as whole
// MR panels allow (144 + 144 + 144 + 80 rows would keep one of two threads waiting for a
// seventh of the time; 22 + 21 + 22 + 21 panels do not); columns only when the rows run
// out, since each column chunk packs its row block of op(A) again. The grid decides who
// computes a tile, never how: every element is summed over the same K slices in order.
template <class T>
void gemm_blocked(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
                  const T* B, int64_t ldb, T beta, T* C, int64_t ldc, const T* bias, int threads) {
  using Bk = Blocking<T>;
  constexpr int64_t MR = Bk::MR, NR = Bk::NR, KC = Bk::KC, MC = Bk::MC, NC = Bk::NC;
  const int64_t m_panels = (M + MR - 1) / MR, n_panels = (N + NR - 1) / NR;
  const int64_t k_slices = (K + KC - 1) / KC;
  static thread_local Scratch<T> b_buf;
  T* Bp = b_buf.get(n_panels * NR * K);  // slice pc starts at n_panels NR pc

  constexpr int64_t kPanelsPerPack = 4;
  const int64_t pack_groups = (n_panels + kPanelsPerPack - 1) / kPanelsPerPack;
  for_each_task(k_slices * pack_groups, threads, [&](int64_t item) {
    const int64_t pc = item / pack_groups * KC, kc = std::min(KC, K - pc);
    const int64_t q0 = item % pack_groups * kPanelsPerPack, q1 = std::min(n_panels, q0 + kPanelsPerPack);
    for (int64_t q = q0; q < q1; ++q) pack_b(tb, B, ldb, N, q * NR, pc, kc, Bp + n_panels * NR * pc + q * NR * kc);
  });

  const int64_t want = threads > 1 ? 2 * int64_t{threads} : 1;  // tasks worth having
  const int64_t m_blocks = std::min(m_panels, std::max((M + MC - 1) / MC, want));
  const int64_t n_chunks = std::min(n_panels, std::max((n_panels * NR + NC - 1) / NC, (want + m_blocks - 1) / m_blocks));
  for_each_task(m_blocks * n_chunks, threads, [&](int64_t task) {
    static thread_local Scratch<T> a_buf;
    T* Ap = a_buf.get(MC * KC);
    const int64_t ib = task / n_chunks, jb = task % n_chunks;
    const int64_t p0 = m_panels * ib / m_blocks, p1 = m_panels * (ib + 1) / m_blocks;
    const int64_t q0 = n_panels * jb / n_chunks, q1 = n_panels * (jb + 1) / n_chunks;
    for (int64_t pc = 0; pc < K; pc += KC) {  // the K slices in one fixed order
      const int64_t kc = std::min(KC, K - pc);
      pack_a(ta, A, lda, M, p0, p1, pc, kc, Ap);
      const T* Bs = Bp + n_panels * NR * pc;
      const T* slice_bias = pc + kc == K ? bias : nullptr;  // added once, after the last slice
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t j = q * NR, nr = std::min(NR, N - j);
        const T* b = slice_bias ? slice_bias + j : nullptr;
        // The last row panel's call may fetch the next column panel of op(B) (gemm_micro.h).
        const T* next_b = q + 1 < q1 ? Bs + (q + 1) * NR * kc : nullptr;
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t i = p * MR, mr = std::min(MR, M - i);
          micro_kernel(kc, Ap + (p - p0) * MR * kc, Bs + q * NR * kc, C + i * ldc + j, ldc, mr, nr,
                       pc == 0, beta, b, p + 1 == p1 ? next_b : nullptr);
        }
      }
    }
  });
}

template <class T>
void gemm_impl(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
               const T* B, int64_t ldb, T beta, T* C, int64_t ldc, const T* bias, bool may_thread) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  // an empty sum: C = beta C (+ bias)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        C[i * ldc + j] = beta == T(0) ? T(0) : beta * C[i * ldc + j];
        if (bias) C[i * ldc + j] += bias[j];
      }
    return;
  }
  const int64_t work = M * N * K;
  if (work <= kSmallGemm) {
    gemm_small(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias);
    return;
  }
  int threads = may_thread && work >= kThreadedGemm ? max_threads() : 1;
  gemm_blocked(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias, threads);
}

}  // namespace
}  // namespace minigrad::kernels::MINIGRAD_LEVEL

// The GEMM entry points (gemm.h): each multiply goes to the level in use (cpu.h), whose
// blocked, packed kernel is in gemm_level.h; batches are split across threads here.
// Not here: the kernels themselves (gemm_level.h, gemm_micro.h, gemm_pack.h).
#include "core/kernels/gemm.h"

#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels {

namespace {

inline void gemm_impl(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                      const float* B, int64_t ldb, float beta, float* C, int64_t ldc, bool may_thread,
                      const float* bias = nullptr) {
  cpu().gemm_f32(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias, may_thread);
}
inline void gemm_impl(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
                      const double* B, int64_t ldb, double beta, double* C, int64_t ldc, bool may_thread,
                      const double* bias = nullptr) {
  cpu().gemm_f64(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias, may_thread);
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
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias) {
  gemm_impl(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, true, bias);
}

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc, const double* bias) {
  gemm_impl(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, true, bias);
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

// The GEMM entry points. This first version is a cache-friendly loop order
// (i, k, j: the inner loop streams rows of B and C) parallel over rows of C;
// the blocked, vectorised kernel replaces its body without changing the interface.
#include "core/kernels/gemm.h"

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

namespace {

template <class T>
void gemm_rows(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
               const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  parallel_for(M, N * K, [&](int64_t ib, int64_t ie) {
    for (int64_t i = ib; i < ie; ++i) {
      T* c = C + i * ldc;
      for (int64_t j = 0; j < N; ++j) c[j] = beta == T(0) ? T(0) : beta * c[j];
      if (!tb) {
        for (int64_t k = 0; k < K; ++k) {
          T a = ta ? A[k * lda + i] : A[i * lda + k];
          const T* b = B + k * ldb;
          for (int64_t j = 0; j < N; ++j) c[j] += a * b[j];
        }
      } else {
        for (int64_t j = 0; j < N; ++j) {
          const T* b = B + j * ldb;
          T s = 0;
          for (int64_t k = 0; k < K; ++k) s += (ta ? A[k * lda + i] : A[i * lda + k]) * b[k];
          c[j] += s;
        }
      }
    }
  });
}

}  // namespace

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  gemm_rows(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  gemm_rows(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace minigrad::kernels

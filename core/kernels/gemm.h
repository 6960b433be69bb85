// General matrix multiply, row-major: C = op(A) op(B) + beta C, where op(X) is
// X or X^T. The three products a Linear layer needs map onto one call each,
// with no transpose ever materialised:
//   y  = x W^T   gemm(false, true,  ...)      dx = dy W   gemm(false, false, ...)
//   dW = dy^T x  gemm(true,  false, ...)
// A is stored (M x K) with row stride lda, or (K x M) when trans_a; B likewise.
// With `bias` (N values), C[i, j] += bias[j] after the whole sum: a Linear's x W^T + b in
// one pass over C, the same bits as the product then the add.
// gemm_reference is the plain triple loop the fast path is tested against.
// Every C element is summed in one fixed order for any thread count (gemm.cpp).
#pragma once

#include <cstdint>

namespace minigrad::kernels {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
          const float* A, int64_t lda, const float* B, int64_t ldb,
          float beta, float* C, int64_t ldc, const float* bias = nullptr);
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
          const double* A, int64_t lda, const double* B, int64_t ldb,
          double beta, double* C, int64_t ldc, const double* bias = nullptr);

// C[b] = op(A[b]) op(B[b]) + beta C[b] for b < batch: one pointer per matrix, so
// broadcast batches may share an A or a B. Threads take whole matrices when they are small.
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K,
                  const float* const* A, int64_t lda, const float* const* B, int64_t ldb,
                  float beta, float* const* C, int64_t ldc);
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K,
                  const double* const* A, int64_t lda, const double* const* B, int64_t ldb,
                  double beta, double* const* C, int64_t ldc);

// Below this many multiply-adds (~50 us on one core) one thread does it all: waking a
// team costs a few us on an idle machine, and a whole time slice on a busy one.
inline constexpr int64_t kThreadedGemm = 128 * 128 * 128;

template <class T>
void gemm_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                    const T* A, int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc,
                    const T* bias = nullptr) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      T s = 0;
      for (int64_t k = 0; k < K; ++k) {
        T a = trans_a ? A[k * lda + i] : A[i * lda + k];
        T b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        s += a * b;
      }
      C[i * ldc + j] = (beta == T(0) ? T(0) : beta * C[i * ldc + j]) + s;
      if (bias) C[i * ldc + j] += bias[j];
    }
}

}  // namespace minigrad::kernels

// Checks core/kernels/gemm_pack.h: pack_a and pack_b lay op(A) and op(B) out as the
// micro-kernel reads them (panel element (i, k) of A at [k MR + i], (k, j) of B at
// [k NR + j]), for both stored orientations, at an offset depth k0, and the zero padding
// past the matrix edge. gemm_pack.h is a level header: this file compiles its portable
// level; the AVX2 fast paths are held to the reference through gemm_test.cpp at each level.
#include <gtest/gtest.h>

#include <vector>

#define MINIGRAD_LEVEL portable
#define MINIGRAD_LEVEL_ID 0
#include "core/kernels/gemm_pack.h"

namespace minigrad::kernels::portable {
namespace {

// op(X)(r, c) of a matrix stored row-major with leading dim ld, read transposed or not.
template <class T>
T op_at(const std::vector<T>& x, bool trans, int64_t ld, int64_t r, int64_t c) {
  return trans ? x[c * ld + r] : x[r * ld + c];
}

template <class T>
void check_pack_a(bool ta) {
  constexpr int64_t MR = Blocking<T>::MR;
  const int64_t M = 2 * MR + 1, K = 21, k0 = 3, kc = 17, lda = (ta ? M : K) + 2;  // a partial last panel
  std::vector<T> A((ta ? K : M) * lda);
  for (std::size_t i = 0; i < A.size(); ++i) A[i] = static_cast<T>(i + 1);
  const int64_t panels = 3;
  std::vector<T> dst(panels * MR * kc, T(-1));
  pack_a(ta, A.data(), lda, M, 0, panels, k0, kc, dst.data());
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t k = 0; k < kc; ++k)
      for (int64_t i = 0; i < MR; ++i) {
        int64_t row = p * MR + i;
        T want = row < M ? op_at(A, ta, lda, row, k0 + k) : T(0);
        ASSERT_EQ(dst[p * MR * kc + k * MR + i], want) << "ta=" << ta << " panel " << p << " k " << k << " i " << i;
      }
}

template <class T>
void check_pack_b(bool tb) {
  constexpr int64_t NR = Blocking<T>::NR;
  const int64_t N = NR + 5, K = 30, k0 = 2, kc = 24, ldb = (tb ? K : N) + 3;
  std::vector<T> B((tb ? N : K) * ldb);
  for (std::size_t i = 0; i < B.size(); ++i) B[i] = static_cast<T>(i + 1);
  for (int64_t j0 : {int64_t{0}, NR}) {  // a full panel, then one running past N
    std::vector<T> dst(kc * NR, T(-1));
    pack_b(tb, B.data(), ldb, N, j0, k0, kc, dst.data());
    for (int64_t k = 0; k < kc; ++k)
      for (int64_t j = 0; j < NR; ++j) {
        T want = j0 + j < N ? op_at(B, tb, ldb, k0 + k, j0 + j) : T(0);
        ASSERT_EQ(dst[k * NR + j], want) << "tb=" << tb << " j0 " << j0 << " k " << k << " j " << j;
      }
  }
}

TEST(KernelsTestGemmPack, PackA) {
  for (bool t : {false, true}) {
    check_pack_a<float>(t);
    check_pack_a<double>(t);
  }
}

TEST(KernelsTestGemmPack, PackB) {
  for (bool t : {false, true}) {
    check_pack_b<float>(t);
    check_pack_b<double>(t);
  }
}

}  // namespace
}  // namespace minigrad::kernels::portable

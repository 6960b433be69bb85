// Holds the blocked GEMM (core/kernels/gemm.cpp, gemm_level.h) equal to gemm_reference on
// shapes that miss every block size (MR 6, NR 8/16/32, MC 144, KC 256, NC 3072), empty ones,
// all four transpose combinations, beta 0 and 1, and padded leading dimensions, at every
// CPU level this machine runs; and bit-identical at 1 to 4 threads. No timing here.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/gemm.h"
#include "tests/core/kernels/levels.h"
#include "tests/core/kernels/threads.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

using testing::bitwise_equal;

template <class T>
std::vector<T> random_vector(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<T>(u(gen));
  return v;
}

struct Case {
  int64_t M, N, K;
};

// op(A) (M x K) and op(B) (K x N) stored with `pad` extra columns per row.
template <class T>
void check_against_reference(bool ta, bool tb, Case c, T beta, int64_t pad) {
  const auto [M, N, K] = c;
  int64_t a_rows = ta ? K : M, a_cols = (ta ? M : K), lda = a_cols + pad;
  int64_t b_rows = tb ? N : K, b_cols = (tb ? K : N), ldb = b_cols + pad, ldc = N + pad;
  auto A = random_vector<T>(a_rows * lda, 1), B = random_vector<T>(b_rows * ldb, 2);
  auto C0 = random_vector<T>(M * ldc, 3);
  auto fast = C0, ref = C0;
  gemm(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, fast.data(), ldc);
  gemm_reference(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, ref.data(), ldc);
  const double eps = std::numeric_limits<T>::epsilon();
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      size_t at = static_cast<size_t>(i * ldc + j);
      if (j >= N) {  // the padding past column N is never written
        ASSERT_EQ(fast[at], C0[at]) << "wrote the padding at " << i << "," << j;
        continue;
      }
      // Both sums obey |error| <= (K + 2) eps sum_k |a_ik b_kj| (+ |beta c|); they may differ by twice that.
      double bound = std::fabs(static_cast<double>(beta) * C0[at]);
      for (int64_t k = 0; k < K; ++k) {
        double a = ta ? A[k * lda + i] : A[i * lda + k], b = tb ? B[j * ldb + k] : B[k * ldb + j];
        bound += std::fabs(a * b);
      }
      ASSERT_NEAR(fast[at], ref[at], 2 * (K + 2) * eps * bound + 1e-30)
          << "ta=" << ta << " tb=" << tb << " M=" << M << " N=" << N << " K=" << K << " beta=" << beta
          << " at (" << i << ", " << j << ")";
    }
  }
}

const std::vector<Case> kAwkward = {
    {1, 1, 1}, {1, 7, 1}, {7, 1, 33}, {7, 7, 7}, {33, 33, 33}, {6, 16, 256}, {5, 17, 257},
    {257, 33, 7}, {13, 257, 65}, {145, 40, 300}, {150, 31, 513}, {64, 64, 64}, {2, 3, 4},
};

TEST(KernelsTestGemm, FloatMatchesReferenceOnAwkwardShapes) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (Case c : kAwkward)
        for (float beta : {0.0f, 1.0f}) check_against_reference<float>(ta, tb, c, beta, 0);
}

// The tile edges of every level's micro-kernel (6 x 8, 6 x 16, 6 x 32): M, N, K one short
// of, equal to and one past a multiple; K = 1; a tiny product past the direct loop; a large one.
TEST(KernelsTestGemm, EveryLevelMatchesReferenceOnTileEdges) {
  const std::vector<Case> edges = {{5, 31, 1},  {6, 32, 1},   {7, 33, 255}, {12, 64, 256}, {13, 65, 257},
                                   {1, 9, 64},  {11, 1, 100}, {9, 9, 9},    {143, 97, 300}};
  for (const std::string& level : available_cpu_capabilities()) {
    testing_levels::Scoped at(level);
    SCOPED_TRACE("level " + level);
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (Case c : edges) {
          check_against_reference<float>(ta, tb, c, 0.0f, 0);
          check_against_reference<float>(ta, tb, c, 1.0f, 1);
          check_against_reference<double>(ta, tb, c, 0.5, 0);
        }
    check_against_reference<float>(false, true, {150, 200, 530}, 0.0f, 0);  // large: three K slices, many tiles
  }
}

// AVX2 and AVX-512 sum every element in the same order (same KC, explicit FMAs,
// core/kernels/level_kernels.h): their products agree to the bit, edges and beta included.
TEST(KernelsTestGemm, Avx2AndAvx512GiveTheSameBits) {
  const auto levels = available_cpu_capabilities();
  if (levels.size() < 3) GTEST_SKIP() << "this CPU has no AVX-512";
  for (Case c : std::vector<Case>{{143, 97, 511}, {37, 1000, 300}, {6, 33, 1}})
    for (float beta : {0.0f, 0.5f}) {
      auto A = random_vector<float>(c.M * c.K, 13), B = random_vector<float>(c.K * c.N, 14);
      auto C0 = random_vector<float>(c.M * c.N, 15);
      std::vector<float> got[2] = {C0, C0};
      for (int l = 0; l < 2; ++l) {
        testing_levels::Scoped at(l == 0 ? "avx2" : "avx512");
        gemm(false, true, c.M, c.N, c.K, A.data(), c.K, B.data(), c.K, beta, got[l].data(), c.N);
      }
      ASSERT_TRUE(bitwise_equal(got[0], got[1])) << "M=" << c.M << " N=" << c.N << " K=" << c.K;
    }
}

TEST(KernelsTestGemm, DoubleMatchesReferenceOnAwkwardShapes) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (Case c : kAwkward)
        for (double beta : {0.0, 1.0}) check_against_reference<double>(ta, tb, c, beta, 0);
}

TEST(KernelsTestGemm, PaddedLeadingDimensionsAndOtherBeta) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      check_against_reference<float>(ta, tb, {37, 45, 29}, 0.5f, 3);
      check_against_reference<double>(ta, tb, {37, 45, 29}, -2.0, 5);
    }
}

TEST(KernelsTestGemm, CrossesTheColumnPanelWidth) {
  // N past NC = 3072 floats (1536 doubles): a second column panel of B.
  check_against_reference<float>(false, true, {7, 3100, 20}, 0.0f, 0);
  check_against_reference<float>(true, false, {9, 3073, 3}, 1.0f, 0);
  check_against_reference<double>(false, false, {7, 1600, 20}, 1.0, 0);
}

TEST(KernelsTestGemm, EmptyDimensions) {
  std::vector<float> A(12, 1.0f), B(12, 1.0f);
  std::vector<float> C = {5, 6, 7, 8};
  gemm(false, false, 2, 2, 0, A.data(), 0, B.data(), 2, 0.0f, C.data(), 2);  // K = 0, beta 0: zeros
  EXPECT_EQ(C, (std::vector<float>{0, 0, 0, 0}));
  C = {5, 6, 7, 8};
  gemm(false, false, 2, 2, 0, A.data(), 0, B.data(), 2, 1.0f, C.data(), 2);  // K = 0, beta 1: unchanged
  EXPECT_EQ(C, (std::vector<float>{5, 6, 7, 8}));
  gemm(false, false, 0, 2, 3, A.data(), 3, B.data(), 2, 0.0f, C.data(), 2);  // M = 0: nothing written
  gemm(false, false, 2, 0, 3, A.data(), 3, B.data(), 0, 0.0f, C.data(), 0);  // N = 0
  EXPECT_EQ(C, (std::vector<float>{5, 6, 7, 8}));
}

TEST(KernelsTestGemm, BetaZeroIgnoresNaNInC) {
  // torch's addmm with beta = 0 ignores whatever C held, NaN included; so must we.
  auto A = random_vector<float>(40 * 50, 4), B = random_vector<float>(50 * 60, 5);
  std::vector<float> C(40 * 60, std::numeric_limits<float>::quiet_NaN());
  gemm(false, false, 40, 60, 50, A.data(), 50, B.data(), 60, 0.0f, C.data(), 60);
  for (float v : C) ASSERT_FALSE(std::isnan(v));
}

TEST(KernelsTestGemm, KnownProduct) {
  // [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; and with op(B) = B^T: [[17, 23], [39, 53]]
  std::vector<float> A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, C(4);
  gemm(false, false, 2, 2, 2, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2);
  EXPECT_EQ(C, (std::vector<float>{19, 22, 43, 50}));
  gemm(false, true, 2, 2, 2, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2);
  EXPECT_EQ(C, (std::vector<float>{17, 23, 39, 53}));
}

// A bias is added after the whole sum (a Linear's x W^T + b): the same bits as the product
// followed by the add, on the direct loop (tiny), on tile edges, over one and three K slices,
// with beta 1, at every level and thread count.
TEST(KernelsTestGemm, BiasIsAddedAfterTheWholeSum) {
  const std::vector<Case> cases = {{2, 3, 4}, {7, 33, 1}, {13, 65, 257}, {150, 200, 530}, {97, 301, 260}};
  for (const std::string& level : available_cpu_capabilities()) {
    testing_levels::Scoped at(level);
    for (int threads : {1, 2, 3}) {
      testing_threads::Scoped scoped(threads);
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          for (Case c : cases)
            for (float beta : {0.0f, 1.0f}) {
              int64_t lda = ta ? c.M : c.K, ldb = tb ? c.K : c.N;
              auto A = random_vector<float>(c.M * c.K, 16), B = random_vector<float>(c.K * c.N, 17);
              auto bias = random_vector<float>(c.N, 18), want = random_vector<float>(c.M * c.N, 19);
              auto got = want;
              gemm(ta, tb, c.M, c.N, c.K, A.data(), lda, B.data(), ldb, beta, want.data(), c.N);
              for (int64_t i = 0; i < c.M; ++i)
                for (int64_t j = 0; j < c.N; ++j) want[i * c.N + j] += bias[j];
              gemm(ta, tb, c.M, c.N, c.K, A.data(), lda, B.data(), ldb, beta, got.data(), c.N, bias.data());
              ASSERT_TRUE(bitwise_equal(got, want)) << level << ", " << threads << " threads, ta=" << ta << " tb=" << tb
                                                    << " M=" << c.M << " N=" << c.N << " K=" << c.K << " beta=" << beta;
            }
    }
  }
  // By hand: [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] + [10, 20]; and K = 0, where C is beta C + bias.
  std::vector<double> A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, b = {10, 20}, C(4);
  gemm(false, false, 2, 2, 2, A.data(), 2, B.data(), 2, 0.0, C.data(), 2, b.data());
  EXPECT_EQ(C, (std::vector<double>{29, 42, 53, 70}));
  gemm(false, false, 2, 2, 0, A.data(), 0, B.data(), 2, 1.0, C.data(), 2, b.data());
  EXPECT_EQ(C, (std::vector<double>{39, 62, 63, 90}));
}

TEST(KernelsTestGemm, BatchedMatchesOneAtATime) {
  for (Case c : std::vector<Case>{{5, 7, 9}, {33, 17, 65}, {150, 70, 90}}) {
    const int64_t batch = 11, M = c.M, N = c.N, K = c.K;
    auto A = random_vector<float>(batch * M * K, 6), B = random_vector<float>(K * N, 7);  // one shared B
    std::vector<float> C(static_cast<size_t>(batch * M * N)), want(C.size());
    std::vector<const float*> as, bs;
    std::vector<float*> cs;
    for (int64_t b = 0; b < batch; ++b) {
      as.push_back(A.data() + b * M * K);
      bs.push_back(B.data());
      cs.push_back(C.data() + b * M * N);
      gemm(false, false, M, N, K, as.back(), K, B.data(), N, 0.0f, want.data() + b * M * N, N);
    }
    gemm_batched(false, false, batch, M, N, K, as.data(), K, bs.data(), N, 0.0f, cs.data(), N);
    ASSERT_TRUE(bitwise_equal(C, want));
  }
}

// Every C element is reduced in one order, whoever computes it.
TEST(KernelsTestGemm, BitIdenticalAtAnyThreadCount) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (Case c : std::vector<Case>{{300, 200, 513}, {97, 301, 260}, {1000, 40, 70}}) {
        int64_t lda = ta ? c.M : c.K, ldb = tb ? c.K : c.N;
        auto A = random_vector<float>(c.M * c.K, 8), B = random_vector<float>(c.K * c.N, 9);
        auto C0 = random_vector<float>(c.M * c.N, 10);
        std::vector<float> first;
        for (int threads : {1, 2, 3, 4}) {
          testing_threads::Scoped scoped(threads);
          auto C = C0;
          gemm(ta, tb, c.M, c.N, c.K, A.data(), lda, B.data(), ldb, 1.0f, C.data(), c.N);
          if (threads == 1) first = C;
          else ASSERT_TRUE(bitwise_equal(C, first))
                   << "threads=" << threads << " ta=" << ta << " tb=" << tb << " M=" << c.M;
        }
      }
}

TEST(KernelsTestGemm, BatchedBitIdenticalAtAnyThreadCount) {
  const int64_t batch = 24, M = 20, N = 30, K = 40;
  auto A = random_vector<double>(batch * M * K, 11), B = random_vector<double>(batch * K * N, 12);
  std::vector<const double*> as, bs;
  for (int64_t b = 0; b < batch; ++b) {
    as.push_back(A.data() + b * M * K);
    bs.push_back(B.data() + b * K * N);
  }
  std::vector<double> first;
  for (int threads : {1, 2, 3, 4}) {
    testing_threads::Scoped scoped(threads);
    std::vector<double> C(static_cast<size_t>(batch * M * N));
    std::vector<double*> cs;
    for (int64_t b = 0; b < batch; ++b) cs.push_back(C.data() + b * M * N);
    gemm_batched(true, true, batch, M, N, K, as.data(), M, bs.data(), K, 0.0, cs.data(), N);
    if (threads == 1) first = C;
    else ASSERT_TRUE(bitwise_equal(C, first));
  }
}

}  // namespace
}  // namespace minigrad::kernels

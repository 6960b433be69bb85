// Checks core/ops/products.cpp: mm_nn / mm_nt / mm_tn and the batched bmm_* against
// products worked by hand (small integers, so float sums are exact), leading dims
// flattened into rows, empty inner dims giving zeros, broadcast batches, and bit
// equality with the kernels::gemm call each one names (same transpose flags).
#include <gtest/gtest.h>

#include <vector>

#include "core/core.h"
#include "core/kernels/gemm.h"
#include "core/random.h"
#include "core/ops/products.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::bitwise_equal;

// a (2, 3) = [[1, 2, 3], [4, 5, 6]]
Tensor a23(DType dt) { return tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3}).to(dt); }

TEST(ProductsTest, ThreeProductsByHand) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Tensor a = a23(dt);
    Tensor b = tensor({1.0, 0.0, -1.0, 2.0, 0.5, 1.0}, {3, 2}).to(dt);  // (3, 2)
    // a b = [[1*1 + 2*-1 + 3*0.5, 0 + 4 + 3], [4 - 5 + 3, 0 + 10 + 6]]
    EXPECT_TRUE(all_close(mm_nn(a, b), tensor({0.5, 7.0, 2.0, 16.0}, {2, 2}).to(dt), 0));
    // a a^T = [[1 + 4 + 9, 4 + 10 + 18], [32, 16 + 25 + 36]]
    EXPECT_TRUE(all_close(mm_nt(a, a), tensor({14.0, 32.0, 32.0, 77.0}, {2, 2}).to(dt), 0));
    // a^T a (3, 3): entry (i, j) = a0i a0j + a1i a1j
    EXPECT_TRUE(all_close(mm_tn(a, a), tensor({17.0, 22.0, 27.0, 22.0, 29.0, 36.0, 27.0, 36.0, 45.0}, {3, 3}).to(dt), 0));
  }
}

TEST(ProductsTest, LeadingDimsAreRows) {
  Tensor x = randn({2, 3, 5}, DType::Float64), w = randn({4, 5}, DType::Float64), v = randn({5, 4}, DType::Float64);
  Tensor x2 = x.reshape({6, 5});
  EXPECT_EQ(mm_nt(x, w).sizes(), (Shape{2, 3, 4}));
  EXPECT_TRUE(bitwise_equal(mm_nt(x, w).reshape({6, 4}), mm_nt(x2, w)));
  EXPECT_TRUE(bitwise_equal(mm_nn(x, v).reshape({6, 4}), mm_nn(x2, v)));
  Tensor g = randn({2, 3, 4}, DType::Float64);
  EXPECT_EQ(mm_tn(g, x).sizes(), (Shape{4, 5}));  // summed over all 6 rows
  EXPECT_TRUE(bitwise_equal(mm_tn(g, x), mm_tn(g.reshape({6, 4}), x2)));
  EXPECT_TRUE(all_close(mm_tn(g, x), matmul(g.reshape({6, 4}).t(), x2), 1e-12));
}

TEST(ProductsTest, EmptyInnerDimGivesZerosAndEmptyOuterDimsGiveEmpty) {
  EXPECT_TRUE(all_close(mm_nn(empty({2, 0}), empty({0, 3})), zeros({2, 3}), 0));
  EXPECT_TRUE(all_close(mm_nt(empty({2, 0}), empty({3, 0})), zeros({2, 3}), 0));
  EXPECT_TRUE(all_close(mm_tn(empty({0, 2}), empty({0, 3})), zeros({2, 3}), 0));
  EXPECT_EQ(mm_nt(empty({0, 4}), ones({3, 4})).sizes(), (Shape{0, 3}));
}

TEST(ProductsTest, EachIsTheGemmItNames) {
  Tensor a = randn({37, 70}), b = randn({70, 29}), bt = randn({29, 70}), a2 = randn({70, 37});
  auto gemm_of = [](bool ta, bool tb, const Tensor& x, const Tensor& y, int64_t M, int64_t N, int64_t K) {
    Tensor c = empty({M, N});
    kernels::gemm(ta, tb, M, N, K, x.data_ptr<float>(), x.sizes()[1], y.data_ptr<float>(), y.sizes()[1], 0.0f,
                  c.data_ptr<float>(), N);
    return c;
  };
  EXPECT_TRUE(bitwise_equal(mm_nn(a, b), gemm_of(false, false, a, b, 37, 29, 70)));
  EXPECT_TRUE(bitwise_equal(mm_nt(a, bt), gemm_of(false, true, a, bt, 37, 29, 70)));
  EXPECT_TRUE(bitwise_equal(mm_tn(a2, b), gemm_of(true, false, a2, b, 37, 29, 70)));
}

TEST(ProductsTest, BatchedFormsBroadcastAndMatchTheTwoDimensionalOnes) {
  Tensor a = randn({2, 1, 3, 4}, DType::Float64), b = randn({5, 4, 6}, DType::Float64);
  Tensor c = bmm_nn(a, b);
  ASSERT_EQ(c.sizes(), (Shape{2, 5, 3, 6}));
  Tensor a1 = a.index_select(0, tensor(std::vector<int64_t>{1})).reshape({3, 4});
  Tensor b3 = b.index_select(0, tensor(std::vector<int64_t>{3})).reshape({4, 6});
  Tensor c13 = c.index_select(0, tensor(std::vector<int64_t>{1})).index_select(1, tensor(std::vector<int64_t>{3}));
  EXPECT_TRUE(bitwise_equal(c13.reshape({3, 6}), mm_nn(a1, b3)));
  // a b^T and a^T b: the same products with the other operand stored transposed
  Tensor bt = b.transpose(1, 2), at = a.transpose(2, 3);
  EXPECT_TRUE(all_close(bmm_nt(a, bt), c, 1e-12));
  EXPECT_TRUE(all_close(bmm_tn(at, b), c, 1e-12));
}

}  // namespace
}  // namespace minigrad

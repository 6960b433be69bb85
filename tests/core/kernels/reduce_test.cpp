// kernels::sum_dim against its plain reference on awkward shapes, and the same bits at
// any thread count. Over strided dims (inner > 1) the fast loop adds in the reference's
// order, so the bits agree; over contiguous rows it adds in a fixed tree, so a float
// result may differ from the sequential sum by the final rounding only.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/reduce.h"
#include "tests/core/kernels/threads.h"

namespace minigrad::kernels {
namespace {

template <class T>
std::vector<T> random_values(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-2.0, 3.0);
  std::vector<T> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<T>(std::is_floating_point_v<T> ? u(gen) : std::floor(u(gen) * 1000));
  return v;
}

struct Shape3 {
  int64_t outer, n, inner;
};

const std::vector<Shape3> kShapes = {
    {1, 1, 1},   {1, 7, 1},    {3, 33, 1},  {1, 257, 1},  {2, 16, 1},    {1, 17, 1},
    {1, kSumBlock, 1}, {1, kSumBlock + 5, 1}, {2, 3 * kSumBlock + 1, 1},
    {1, 7, 7},   {3, 33, 257}, {2, 5, 300}, {4, 1, 9},     {1, 1000, 513},
    {0, 5, 3},   {3, 0, 1},    {3, 0, 4},
};

template <class T>
void check_shape(const Shape3& s) {
  auto x = random_values<T>(s.outer * s.n * s.inner, static_cast<uint32_t>(s.n * 31 + s.inner));
  std::vector<T> fast(static_cast<std::size_t>(s.outer * s.inner), T(-1)), ref = fast;
  sum_dim(x.data(), fast.data(), s.outer, s.n, s.inner);
  sum_dim_reference(x.data(), ref.data(), s.outer, s.n, s.inner);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (s.inner > 1 || !std::is_floating_point_v<T>) {
      ASSERT_EQ(fast[i], ref[i]) << "outer=" << s.outer << " n=" << s.n << " inner=" << s.inner << " at " << i;
    } else {
      // Both are double sums, each within n eps_double sum|x| of the exact one; then one
      // rounding to T (which for float is the larger term).
      double abs_sum = 0;
      for (int64_t k = 0; k < s.n; ++k) abs_sum += std::fabs(static_cast<double>(x[i * s.n + k]));
      double tol = std::fabs(static_cast<double>(ref[i])) * std::numeric_limits<T>::epsilon() +
                   2.0 * s.n * std::numeric_limits<double>::epsilon() * abs_sum;
      ASSERT_NEAR(fast[i], ref[i], tol) << "outer=" << s.outer << " n=" << s.n << " at " << i;
    }
  }
}

TEST(KernelsTestReduce, SumDimMatchesReference) {
  for (const Shape3& s : kShapes) {
    check_shape<float>(s);
    check_shape<double>(s);
    check_shape<int64_t>(s);
  }
}

TEST(KernelsTestReduce, EmptySumIsZero) {
  std::vector<float> y(3, 5.0f);
  sum_dim(static_cast<const float*>(nullptr), y.data(), 3, 0, 1);
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0}));
}

// The tree is fixed by n alone: lane j of 16 takes elements j, j + 16, ...; then
// lanes fold 0+8, 1+9, ...; then 0+4, ...; blocks of kSumBlock add in order.
TEST(KernelsTestReduce, ContiguousSumFollowsTheDocumentedTree) {
  // 1e17 + 1 - 1e17 in double is 0 or 1 depending on order: lane 0 gets 1e17 and
  // -1e17 (elements 0 and 16), lane 1 gets 1, so the tree gives exactly 1; a sequential
  // sum gives 0 (1e17 + 1 rounds back to 1e17).
  std::vector<double> x(17, 0.0);
  x[0] = 1e17;
  x[1] = 1;
  x[16] = -1e17;
  double y = -1;
  sum_dim(x.data(), &y, 1, 17, 1);
  EXPECT_EQ(y, 1.0);
  sum_dim_reference(x.data(), &y, 1, 17, 1);
  EXPECT_EQ(y, 0.0);
}

TEST(KernelsTestReduce, SameBitsAtAnyThreadCount) {
  const int64_t n = 5 * kSumBlock + 123;
  auto x = random_values<float>(3 * n, 11);
  std::vector<float> want;
  for (int threads : {1, 2, 3, 4}) {
    testing_threads::Scoped scoped(threads);
    std::vector<float> rows(3), whole(1);
    sum_dim(x.data(), rows.data(), 3, n, 1);
    sum_dim(x.data(), whole.data(), 1, 3 * n, 1);
    rows.push_back(whole[0]);
    if (want.empty()) want = rows;
    for (std::size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(std::bit_cast<uint32_t>(rows[i]), std::bit_cast<uint32_t>(want[i])) << threads << " threads, " << i;
  }
}

}  // namespace
}  // namespace minigrad::kernels

// kernels::sum_dim against its plain reference (the transcription of torch's order) on
// awkward shapes, bit for bit, at any thread count. That the order is torch's:
// tests/core/ops/reduce_test.cpp, against torch's own sums.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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
    {1, 70001, 1}, {2, 3 * 4096 + 1, 1},   {5, 99, 2},   {2, 7, 5},     {3, 40, 8},
    {1, 7, 7},   {3, 33, 257}, {2, 5, 300}, {4, 1, 9},     {1, 1000, 513}, {2, 5000, 47},
    {0, 5, 3},   {3, 0, 1},    {3, 0, 4},   {3, 4, 0},
};

template <class T>
void check_shape(const Shape3& s) {
  auto x = random_values<T>(s.outer * s.n * s.inner, static_cast<uint32_t>(s.n * 31 + s.inner));
  std::vector<T> ref(static_cast<std::size_t>(s.outer * s.inner), T(-1));
  sum_dim_reference(x.data(), ref.data(), s.outer, s.n, s.inner);
  for (int threads : {1, 2, 3}) {
    testing_threads::Scoped scoped(threads);
    std::vector<T> fast(ref.size(), T(-1));
    sum_dim(x.data(), fast.data(), s.outer, s.n, s.inner);
    for (std::size_t i = 0; i < ref.size(); ++i)
      ASSERT_EQ(0, std::memcmp(&fast[i], &ref[i], sizeof(T)))
          << "outer=" << s.outer << " n=" << s.n << " inner=" << s.inner << " at " << i << ", " << threads << " threads";
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

// row_sum's one pass (stride == lanes) does the adds of its four strided cascades (the
// same rows, one value apart more, take the four-cascade branch).
template <int W, class T>
void check_row_sum_in_one_pass() {
  for (int64_t n : {0, 3, 17, 64 * 4 + 5, 4096 * 4 + 7, 70001}) {
    auto x = random_values<T>(W * n, static_cast<uint32_t>(n));
    std::vector<T> padded(static_cast<std::size_t>((W + 1) * n));
    for (int64_t i = 0; i < n; ++i) std::copy_n(&x[W * i], W, &padded[(W + 1) * i]);
    T one[W], four[W];
    row_sum<W>(x.data(), W, n, one);
    row_sum<W>(padded.data(), W + 1, n, four);
    EXPECT_EQ(0, std::memcmp(one, four, sizeof one)) << "W=" << W << " n=" << n;
  }
}

TEST(KernelsTestReduce, RowSumInOnePassMatchesItsFourCascades) {
  check_row_sum_in_one_pass<1, float>();
  check_row_sum_in_one_pass<8, float>();
  check_row_sum_in_one_pass<4, double>();
}

// torch's order, by hand: 2^24 + 1 + 1 in float32 is 2^24 added left to right. Nine values
// (one vector of 8 and one left over): the leftover first, then the lanes in order, so
// (1 + 2^24) + 0 + ... + 1 = 2^24; a double accumulator would give 2^24 + 2.
TEST(KernelsTestReduce, FloatSumsFollowTorchsOrderInFloat) {
  std::vector<float> x(9, 0.0f);
  x[8] = 1.0f;
  x[0] = 16777216.0f;
  x[7] = 1.0f;
  float y = -1;
  sum_dim(x.data(), &y, 1, 9, 1);
  EXPECT_EQ(y, 16777216.0f);
  x[8] = 0.0f;
  x[1] = 1.0f;  // now lane 1 and lane 7 add 1 each to lane 0's 2^24: still 2^24
  sum_dim(x.data(), &y, 1, 9, 1);
  EXPECT_EQ(y, 16777216.0f);
  x = {1.0f, 1.0f, 16777216.0f};  // under 8 values: ((1 + 1) + 2^24) = 2^24 + 2
  sum_dim(x.data(), &y, 1, 3, 1);
  EXPECT_EQ(y, 16777218.0f);
}

}  // namespace
}  // namespace minigrad::kernels

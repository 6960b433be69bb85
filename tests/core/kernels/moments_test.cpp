// Checks core/kernels/moments.h: Welford's var_dim and the two-pass sum against the
// textbook two-pass formula in long double, strided (inner > 1) reads, and the
// divisor rules (nothing to average: nan; n - correction = 0: nan or inf).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/moments.h"

namespace minigrad::kernels {
namespace {

// sum_k (x[o, k, i] - mean)^2 for x seen as (outer, n, inner), in long double.
long double reference_m2(const std::vector<double>& x, int64_t o, int64_t n, int64_t inner, int64_t i) {
  long double mean = 0, m2 = 0;
  for (int64_t k = 0; k < n; ++k) mean += x[(o * n + k) * inner + i];
  mean /= n;
  for (int64_t k = 0; k < n; ++k) {
    long double d = x[(o * n + k) * inner + i] - mean;
    m2 += d * d;
  }
  return m2;
}

TEST(MomentsKernelTest, WelfordIsTheVariance) {
  const int64_t outer = 3, n = 50, inner = 4;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(5.0, 2.0);
  std::vector<double> x(outer * n * inner);
  for (double& v : x) v = normal(rng);
  std::vector<double> var(outer * inner), sd(outer * inner);
  var_dim(x.data(), var.data(), outer, n, inner, 1, false);
  var_dim(x.data(), sd.data(), outer, n, inner, 0, true);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      long double m2 = reference_m2(x, o, n, inner, i);
      EXPECT_NEAR(var[o * inner + i], static_cast<double>(m2 / (n - 1)), 1e-13);
      EXPECT_NEAR(sd[o * inner + i], static_cast<double>(std::sqrt(m2 / n)), 1e-13);
    }
}

TEST(MomentsKernelTest, TwoPassSumIsTheSquaredDeviations) {
  std::vector<double> x = {1.0, 2.0, 3.0, 4.0};
  EXPECT_EQ(sum_squared_deviations(x.data(), 4, 2.5), 5.0);
  std::vector<float> f = {1.0f, 1.0f};
  EXPECT_EQ(sum_squared_deviations(f.data(), 2, 0.0), 2.0);
}

TEST(MomentsKernelTest, DivisorRules) {
  std::vector<float> x = {3.0f, 3.0f, 1.0f};
  std::vector<float> y(3);
  var_dim(x.data(), y.data(), 3, 1, 1, 1, false);  // one value each, divide by 0: 0 / 0
  for (float v : y) EXPECT_TRUE(std::isnan(v));
  var_dim(x.data(), y.data(), 1, 3, 1, 3, false);  // n - correction = 0, m2 > 0: inf
  EXPECT_TRUE(std::isinf(y[0]));
  var_dim(x.data(), y.data(), 2, 0, 1, 0, false);  // nothing to average: nan
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]));
}

}  // namespace
}  // namespace minigrad::kernels

// Checks core/kernels/gelu.h: the scalar references at hand-computed points, the
// double loops equal to them bit for bit, and the float tanh loops (8 or 16 lanes where the
// build has AVX2 or AVX-512) close to them: within a few ulp of each term of the formula, the
// bound the 4-ulp vtanh allows (1 + tanh u cancels for very negative x, so the error
// is measured against the terms' size, not the result's).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/kernels/gelu.h"

namespace minigrad::kernels {
namespace {

TEST(KernelsTestGelu, ReferencesAtKnownPoints) {
  // gelu(0) = 0, slope 1/2; gelu(1) = Phi(1) = 0.8413447460685429; tanh form at 1: 0.8411919906082768 (torch)
  EXPECT_EQ(gelu_exact_value(0.0), 0.0);
  EXPECT_EQ(gelu_tanh_value(0.0), 0.0);
  EXPECT_DOUBLE_EQ(gelu_exact_slope(0.0), 0.5);
  EXPECT_DOUBLE_EQ(gelu_tanh_slope(0.0), 0.5);
  EXPECT_NEAR(gelu_exact_value(1.0), 0.8413447460685429, 1e-15);
  EXPECT_NEAR(gelu_tanh_value(1.0), 0.8411919906082768, 1e-15);
  // slope = Phi(x) + x phi(x) at 1: 0.8413447460685429 + 0.24197072451914337
  EXPECT_NEAR(gelu_exact_slope(1.0), 1.0833154705876864, 1e-15);
}

std::vector<float> points() {
  std::vector<float> x = {0.0f, -0.0f, 1e-20f, -1e-20f, std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()};
  for (float v = -12.0f; v <= 12.0f; v += 0.013f) x.push_back(v);
  x.push_back(0.25f);  // not a multiple of 8 long: the tail takes the scalar path
  return x;
}

TEST(KernelsTestGelu, DoubleLoopsAreTheReferences) {
  std::vector<double> x;
  for (float v : points()) if (std::isfinite(v)) x.push_back(v);
  auto n = static_cast<int64_t>(x.size());
  std::vector<double> y(x.size()), d(x.size()), ye(x.size()), de(x.size());
  gelu_tanh(x.data(), y.data(), n);
  gelu_tanh_grad(x.data(), d.data(), n);
  gelu_exact(x.data(), ye.data(), n);
  gelu_exact_grad(x.data(), de.data(), n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(y[i], gelu_tanh_value(x[i])) << x[i];
    ASSERT_EQ(d[i], gelu_tanh_slope(x[i])) << x[i];
    ASSERT_EQ(ye[i], gelu_exact_value(x[i])) << x[i];
    ASSERT_EQ(de[i], gelu_exact_slope(x[i])) << x[i];
  }
}

TEST(KernelsTestGelu, FloatTanhLoopsMatchTheReferences) {
  auto x = points();
  auto n = static_cast<int64_t>(x.size());
  std::vector<float> y(x.size()), d(x.size());
  gelu_tanh(x.data(), y.data(), n);
  gelu_tanh_grad(x.data(), d.data(), n);
  const double eps = std::numeric_limits<float>::epsilon();
  for (std::size_t i = 0; i < x.size(); ++i) {
    float want_y = gelu_tanh_value(x[i]), want_d = gelu_tanh_slope(x[i]);
    if (!std::isfinite(x[i])) {  // 0.5 x (1 + tanh u): x at +inf, 0 * inf = NaN at -inf, as the scalar formula
      EXPECT_TRUE(y[i] == want_y || (std::isnan(y[i]) && std::isnan(want_y))) << x[i];
      continue;
    }
    double ax = std::fabs(x[i]);
    EXPECT_NEAR(y[i], want_y, 8 * eps * (std::fabs(want_y) + ax) + 1e-30) << "gelu_tanh(" << x[i] << ")";
    EXPECT_NEAR(d[i], want_d, 8 * eps * (1 + std::fabs(want_d) + ax * (1 + 0.14 * ax * ax))) << "slope(" << x[i] << ")";
    if (i >= x.size() - x.size() % 8) {  // the tail runs the reference itself
      EXPECT_EQ(y[i], want_y) << x[i];
      EXPECT_EQ(d[i], want_d) << x[i];
    }
  }
}

}  // namespace
}  // namespace minigrad::kernels

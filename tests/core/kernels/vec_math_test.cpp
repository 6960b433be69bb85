// The vector exp, tanh and sigmoid (core/kernels/vec_exp.h), run through exp_float,
// tanh_float and sigmoid_float (core/kernels/elementwise.h) as the float32 elementwise ops
// run them at the CPU level in use, held to the scalar references beside them (std::):
// a sweep over [-100, 100], the branch points (|x| = 0.625 for tanh, -87 and 88 where
// vexp clamps), zeros, subnormals, infinities and NaN, and lengths that leave a tail.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/kernels/elementwise.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

std::vector<float> sweep() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-40f, 1e-7f, -1e-7f, 0.6249f, 0.625f, 0.6251f,
                          -0.625f, 9.0f, -9.0f, 44.0f, 45.0f, -87.5f, -87.0f, -86.9f, -100.0f, -104.0f,
                          87.9f, 88.0f, 88.5f, 88.7f, 89.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN()};
  for (float v = -100.0f; v <= 100.0f; v += 0.37f) x.push_back(v);
  for (float v = -2.0f; v <= 2.0f; v += 0.001f) x.push_back(v);
  x.push_back(0.5f);  // a length that is not a multiple of 8: the tail takes the scalar path
  return x;
}

template <class Fast, class F>
void expect_close(const char* name, Fast fast_loop, F f, double ulps) {
  auto x = sweep();
  std::vector<float> fast(x.size()), want(x.size());
  fast_loop(x.data(), fast.data(), static_cast<int64_t>(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) want[i] = f(x[i]);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(fast[i])) << name << "(" << x[i] << ")";
      continue;
    }
    if (std::isinf(want[i])) {
      EXPECT_EQ(fast[i], want[i]) << name << "(" << x[i] << ")";
      continue;
    }
    const double tol = ulps * std::numeric_limits<float>::epsilon() * std::fabs(want[i]) +
                       std::numeric_limits<float>::denorm_min();
    EXPECT_NEAR(fast[i], want[i], tol) << name << "(" << x[i] << ")";
    if (want[i] == 0.0f) {
      EXPECT_EQ(std::signbit(fast[i]), std::signbit(want[i])) << name << "(" << x[i] << ") sign";
    }
  }
}

TEST(KernelsTestVecMath, ExpMatchesStd) {
  EXPECT_EQ(exp_reference(0.7f), std::exp(0.7f));
  expect_close("exp", exp_float, exp_reference, 3);
}

TEST(KernelsTestVecMath, TanhMatchesStd) {
  EXPECT_EQ(tanh_reference(0.7f), std::tanh(0.7f));
  expect_close("tanh", tanh_float, tanh_reference, 4);
}

TEST(KernelsTestVecMath, SigmoidMatchesStd) {
  EXPECT_EQ(sigmoid_reference(0.7f), 1.0f / (1.0f + std::exp(-0.7f)));
  expect_close("sigmoid", sigmoid_float, sigmoid_reference, 4);
}

}  // namespace
}  // namespace minigrad::kernels

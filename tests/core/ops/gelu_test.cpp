// GELU against PyTorch (forward and backward, exact and tanh) and a float64 gradcheck.
#include <gtest/gtest.h>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

class GeluTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(GeluTest, MatchesTorch) {
  auto [tag, approx] = GetParam();
  const testing::Fixture& f = testing::Fixture::get("gelu.txt");
  Tensor x = f[tag + ".x"].clone().requires_grad_();  // not the cached record: its grad would carry over
  Tensor y = gelu(x, approx);
  EXPECT_EQ(y.grad_fn_name(), "GeluBackward0");
  y.backward(f[tag + ".g"]);
  double rel = tag == "f32" ? 1e-6 : 1e-12;
  EXPECT_TRUE(all_close(y, f[tag + "." + approx + ".y"], rel));
  EXPECT_TRUE(all_close(x.grad(), f[tag + "." + approx + ".dx"], rel));
}

INSTANTIATE_TEST_SUITE_P(Gelu, GeluTest,
                         ::testing::Combine(::testing::Values("f32", "f64"), ::testing::Values("none", "tanh")));

TEST(GeluGradcheck, BothForms) {
  Tensor x = tensor({-3.0, -1.2, -0.3, 0.0, 0.4, 1.7, 2.5}).requires_grad_();
  for (const char* approx : {"none", "tanh"}) {
    EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return gelu(in[0], approx); }, {x}))
        << approx;
  }
}

TEST(GeluErrors, BadApproximateAndDtype) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { gelu(ones({2}), "fast"); }, {"gelu: approximate must be \"none\" or \"tanh\", got \"fast\""}));
  EXPECT_THROW(gelu(tensor({1, 2})), std::invalid_argument);
}

}  // namespace
}  // namespace minigrad

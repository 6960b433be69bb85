// Checks nn/activation.h: GELU (both forms) and ReLU as modules give core's op's values,
// GELU's values at 1 are the hand-derived ones, and a bad approximate is an error.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

TEST(NnActivation, GeluBothForms) {
  Tensor x = tensor({-3.0, -1.0, 0.0, 1.0, 2.5});
  nn::GELU exact;
  nn::GELU tanh_form("tanh");
  EXPECT_TRUE(testing::bitwise_equal(exact(x), gelu(x)));
  EXPECT_TRUE(testing::bitwise_equal(tanh_form(x), gelu(x, "tanh")));
  // GELU(1) = 1 * Phi(1) = 0.5 (1 + erf(1 / sqrt 2));
  // tanh form: 0.5 (1 + tanh(sqrt(2 / pi) (1 + 0.044715))).
  double pi = std::acos(-1.0);
  EXPECT_NEAR(testing::element(exact(x), 3), 0.5 * (1 + std::erf(1 / std::sqrt(2.0))), 1e-15);
  EXPECT_NEAR(testing::element(tanh_form(x), 3), 0.5 * (1 + std::tanh(std::sqrt(2 / pi) * 1.044715)), 1e-15);
  EXPECT_EQ(exact.extra_repr(), "approximate='none'");
  EXPECT_TRUE(testing::throws_with<std::invalid_argument>([] { nn::GELU g("erf"); }, {"GELU", "\"erf\"", "tanh"}));
}

TEST(NnActivation, Relu) {
  nn::ReLU relu;
  EXPECT_TRUE(testing::all_close(relu(tensor({-2.0f, 0.0f, 3.5f})), tensor({0.0f, 0.0f, 3.5f}), 0));
  EXPECT_EQ(relu.extra_repr(), "");
}

}  // namespace
}  // namespace minigrad

// Checks nn/linear.cpp: shapes for inputs with any leading dims, forward and backward
// against torch's F.linear (tests/fixtures/nn_functional.txt), the layer without bias,
// a float64 finite-difference check, and the errors (both sizes named).
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

const testing::Fixture& fx() { return testing::Fixture::get("nn_functional.txt"); }

TEST(NnLinear, AnyLeadingDims) {
  manual_seed(0);
  nn::Linear lin(4, 3);
  EXPECT_EQ(lin.weight.sizes(), (Shape{3, 4}));
  EXPECT_EQ(lin.bias.sizes(), (Shape{3}));
  EXPECT_EQ(lin(randn({4})).sizes(), (Shape{3}));
  EXPECT_EQ(lin(randn({5, 4})).sizes(), (Shape{5, 3}));
  EXPECT_EQ(lin(randn({2, 5, 4})).sizes(), (Shape{2, 5, 3}));
  EXPECT_EQ(lin(randn({2, 1, 3, 4})).sizes(), (Shape{2, 1, 3, 3}));
  // Each row of a batched input is transformed on its own: row (1, 2) of x gives row (1, 2) of y.
  Tensor x = randn({2, 3, 4});
  Tensor y = lin(x);
  Tensor row = lin(x.reshape({6, 4}).index_select(0, tensor({5})));
  EXPECT_TRUE(all_close(y.reshape({6, 3}).index_select(0, tensor({5})), row, {.atol = 1e-6, .rtol = 1e-6}));
}

// Loads the fixture's x, w (and b) into a Linear-shaped computation and compares y and grads.
void check_fixture(const std::string& tag, bool with_bias, double tol) {
  SCOPED_TRACE(tag);
  std::string k = "linear_" + tag + "_";
  Tensor w = fx()[k + "w"];
  nn::Linear lin(w.sizes()[1], w.sizes()[0], with_bias);
  {
    NoGradGuard no_grad;
    if (w.dtype() == DType::Float64) {
      // Parameters follow the data's dtype: register float64 copies in place of the float32 ones.
      lin.weight = lin.register_parameter("weight", w.clone());
      if (with_bias) lin.bias = lin.register_parameter("bias", fx()[k + "b"].clone());
    } else {
      lin.weight.copy_(w);
      if (with_bias) lin.bias.copy_(fx()[k + "b"]);
    }
  }
  Tensor x = fx()[k + "x"].clone().requires_grad_();
  Tensor y = lin(x);
  EXPECT_TRUE(all_close(y, fx()[k + "y"], {.atol = tol, .rtol = tol}));
  y.backward(fx()[k + "gy"]);
  EXPECT_TRUE(all_close(x.grad(), fx()[k + "dx"], {.atol = tol, .rtol = tol}));
  EXPECT_TRUE(all_close(lin.weight.grad(), fx()[k + "dw"], {.atol = tol, .rtol = tol}));
  if (with_bias) {
    EXPECT_TRUE(all_close(lin.bias.grad(), fx()[k + "db"], {.atol = tol, .rtol = tol}));
  }
}

TEST(NnLinear, ForwardAndBackwardMatchTorch) {
  check_fixture("3d", true, 1e-6);
  check_fixture("1d", false, 1e-6);
  check_fixture("2d_f64", true, 1e-12);
}

TEST(NnLinear, WithoutBias) {
  manual_seed(0);
  nn::Linear lin(3, 2, false);
  EXPECT_FALSE(lin.bias.defined());
  ASSERT_EQ(lin.parameters().size(), 1u);
  EXPECT_EQ(lin.named_parameters()[0].first, "weight");
  Tensor x = randn({5, 3});
  EXPECT_TRUE(all_close(lin(x), x.matmul(lin.weight.t()), 0));
  EXPECT_EQ(lin(x).grad_fn_name(), "MmBackward0");  // as torch's linear without bias
}

TEST(NnLinear, FiniteDifferencesFloat64) {
  manual_seed(8);
  Tensor x = randn({2, 3, 4}, DType::Float64).requires_grad_();
  Tensor w = randn({5, 4}, DType::Float64).requires_grad_();
  Tensor b = randn({5}, DType::Float64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return nn::functional::linear(in[0], in[1], in[2]); }, {x, w, b}));
}

TEST(NnLinear, Errors) {
  nn::Linear lin(4, 5);
  // The checks are core's minigrad::linear's (core/ops/linear.cpp), the layer adds none.
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { lin(zeros({2, 3})); },
                                                 {"linear", "3 features", "[2, 3]", "expects 4", "[5, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { lin(zeros({4, 2})); }, {"linear", "2 features", "[4, 2]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { lin(scalar_tensor(1.0)); }, {"linear", "at least 1 dimension", "[]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Linear(-1, 2); }, {"in_features (-1)", "non-negative"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Linear(3, -2); }, {"out_features (-2)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { nn::functional::linear(zeros({2, 4}), zeros({5, 4}), zeros({4})); }, {"linear", "bias", "[5]", "[4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { nn::functional::linear(zeros({2, 4}), zeros({4})); }, {"linear", "weight must be 2-D", "[4]"}));
}

}  // namespace
}  // namespace minigrad

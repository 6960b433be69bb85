// Checks nn/layer_norm.cpp against torch.nn.LayerNorm (tools/make_module_fixtures.py):
// initial weight and bias, forward and gradients over two normalised dims, the book's chapter 4
// cell, a float64 gradcheck, no-affine mode, and the shape errors.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

const testing::Fixture& fx() { return testing::Fixture::get("nn_layers.txt"); }

TEST(NnLayerNorm, ForwardAndGradientsMatchTorch) {
  nn::LayerNorm ln({3, 4});
  EXPECT_TRUE(testing::bitwise_equal(ln.weight, fx()["ln_init_weight"]));
  EXPECT_TRUE(testing::bitwise_equal(ln.bias, fx()["ln_init_bias"]));
  auto named = ln.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");
  ln.load_state_dict({{"weight", fx()["ln_weight"]}, {"bias", fx()["ln_bias"]}});
  Tensor x = fx()["ln_input"].clone().requires_grad_();
  Tensor y = ln(x);
  EXPECT_EQ(y.grad_fn_name(), "NativeLayerNormBackward0");  // core's fused op, one node as torch's
  testing::Tolerance tol{.atol = 1e-6, .rtol = 1e-5};
  EXPECT_TRUE(testing::all_close(y, fx()["ln_output"], tol));
  (y * fx()["ln_grad_out"]).sum().backward();
  EXPECT_TRUE(testing::all_close(x.grad(), fx()["ln_grad_input"], tol));
  EXPECT_TRUE(testing::all_close(ln.weight.grad(), fx()["ln_grad_weight"], tol));
  EXPECT_TRUE(testing::all_close(ln.bias.grad(), fx()["ln_grad_bias"], tol));
}

TEST(NnLayerNorm, TheBooksChapter4Cell) {
  nn::LayerNorm ln({5});
  EXPECT_TRUE(testing::all_close(ln(fx()["ln_book_batch"]), fx()["ln_book_output"], {.atol = 1e-6, .rtol = 1e-5}));
}

TEST(NnLayerNorm, GradcheckInFloat64) {
  manual_seed(2);
  nn::LayerNorm ln({2, 3});
  ln.to(DType::Float64);
  {
    NoGradGuard no_grad;
    ln.weight.normal_();
    ln.bias.normal_();
  }
  Tensor x = randn({2, 2, 3}, DType::Float64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return ln(in[0]); }, {x, ln.weight, ln.bias}));
}

TEST(NnLayerNorm, WithoutAffineAndErrors) {
  nn::LayerNorm plain({4}, {.eps = 1e-6, .elementwise_affine = false});
  EXPECT_TRUE(plain.parameters().empty());
  EXPECT_FALSE(plain.weight.defined());
  // Each row of (x - mean) / sqrt(var + eps): [-1, 1] pairs for a two-valued row.
  Tensor y = plain(tensor({1.0, 3.0, 1.0, 3.0}, {1, 4}));
  double s = 1 / std::sqrt(1 + 1e-6);
  EXPECT_TRUE(testing::all_close(y, tensor({-s, s, -s, s}, {1, 4}), 1e-15));
  EXPECT_EQ(plain.extra_repr(), "(4,), eps=1e-06, elementwise_affine=False");
  EXPECT_TRUE(testing::throws_with<std::invalid_argument>([&] { plain(zeros({2, 5})); },
                                                          {"LayerNorm", "[4]", "[2, 5]"}));
  EXPECT_TRUE(testing::throws_with<std::invalid_argument>([] { nn::LayerNorm bad({}); }, {"LayerNorm", "normalized_shape"}));
  EXPECT_TRUE(testing::throws_with<std::invalid_argument>([] { nn::LayerNorm bad({3, 0}); }, {"LayerNorm", "[3, 0]"}));
}

}  // namespace
}  // namespace minigrad

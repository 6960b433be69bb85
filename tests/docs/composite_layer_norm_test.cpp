// The composite LayerNorm of docs/architecture.md ("Composite first"): a layer built from
// existing ops with no backward of its own. The doc shows the code between the snippet
// markers below, and tests/docs/tutorial_test.cpp holds the doc and this file equal.
// Checked against F.layer_norm (tests/fixtures/layer_norm.txt, written by
// tools/make_layer_norm_fixtures.py) and by a float64 gradcheck; it is now the reference the
// fused op layer_norm (core/ops/layer_norm.cpp) is held equal to, outputs and gradients.
#include <gtest/gtest.h>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

// [snippet layer_norm]
// LayerNorm over the last dim, made of existing ops: autograd derives its backward.
// x (*, C), weight (C), bias (C) -> (*, C); as F.layer_norm(x, {C}, weight, bias, eps).
Tensor layer_norm_composite(const Tensor& x, const Tensor& weight, const Tensor& bias,
                            double eps = 1e-5) {
  Tensor mean = x.mean(-1, /*keepdim=*/true);         // (*, 1)
  Tensor xc = x - mean;                               // (*, C)
  Tensor var = (xc * xc).mean(-1, /*keepdim=*/true);  // (*, 1), biased (divides by C), as torch
  Tensor xhat = xc / (var + eps).sqrt();              // (*, C): each row has mean 0, variance 1
  return xhat * weight + bias;                        // (*, C): a learned scale and shift
}
// [end layer_norm]

class CompositeLayerNormTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CompositeLayerNormTest, MatchesTorch) {
  const std::string tag = GetParam();
  const testing::Fixture& f = testing::Fixture::get("layer_norm.txt");
  Tensor x = f[tag + ".x"].clone().requires_grad_();
  Tensor w = f[tag + ".weight"].clone().requires_grad_();
  Tensor b = f[tag + ".bias"].clone().requires_grad_();
  Tensor y = layer_norm_composite(x, w, b);
  // No node of its own: the last op recorded is the shift's addition.
  EXPECT_EQ(y.grad_fn_name(), "AddBackward0");
  y.backward(f[tag + ".g"]);
  // Nine ops round differently from torch's one fused kernel: a few float32 ulps.
  double tol = tag == "f32" ? 1e-5 : 1e-12;
  EXPECT_TRUE(testing::all_close(y, f[tag + ".y"], tol));
  EXPECT_TRUE(testing::all_close(x.grad(), f[tag + ".dx"], tol));
  EXPECT_TRUE(testing::all_close(w.grad(), f[tag + ".dweight"], tol));
  EXPECT_TRUE(testing::all_close(b.grad(), f[tag + ".dbias"], tol));
}

INSTANTIATE_TEST_SUITE_P(CompositeLayerNorm, CompositeLayerNormTest, ::testing::Values("f32", "f64"));

TEST(CompositeLayerNormGradcheck, InputWeightAndBias) {
  const testing::Fixture& f = testing::Fixture::get("layer_norm.txt");
  // The fixture's float64 input: (2, 3, 5), one row nearly constant, so eps matters there.
  Tensor x = f["f64.x"].clone().requires_grad_();
  Tensor w = f["f64.weight"].clone().requires_grad_();
  Tensor b = f["f64.bias"].clone().requires_grad_();
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return layer_norm_composite(in[0], in[1], in[2]); }, {x, w, b}));
}

// The fused op, one node with its own derived backward, against the nine-op composite on the
// same inputs: the output and the gradients of x, weight and bias.
TEST(CompositeLayerNormFused, FusedOpEqualsComposite) {
  for (DType dt : {DType::Float64, DType::Float32}) {
    SCOPED_TRACE(dtype_name(dt));
    manual_seed(11);
    Tensor x0 = (randn({4, 6, 32}) * 3.0 + 2.0).to(dt), w0 = randn({32}).to(dt), b0 = randn({32}).to(dt);
    Tensor g = randn({4, 6, 32}).to(dt);
    std::vector<Tensor> grads[2];
    Tensor y[2];
    for (int fused = 0; fused < 2; ++fused) {
      Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(), b = b0.clone().requires_grad_();
      y[fused] = fused ? layer_norm(x, {32}, w, b) : layer_norm_composite(x, w, b);
      y[fused].backward(g);
      grads[fused] = {x.grad(), w.grad(), b.grad()};
    }
    EXPECT_EQ(y[1].grad_fn_name(), "NativeLayerNormBackward0");
    const double tol = dt == DType::Float64 ? 1e-12 : 1e-5;
    EXPECT_TRUE(testing::all_close(y[1], y[0], tol));
    for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(testing::all_close(grads[1][i], grads[0][i], tol)) << "gradient " << i;
  }
}

}  // namespace
}  // namespace minigrad

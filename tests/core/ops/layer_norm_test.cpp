// Checks core/ops/layer_norm.cpp: F.layer_norm's forward and gradients from PyTorch
// (tests/fixtures/layer_norm.txt, written by tools/make_layer_norm_fixtures.py) on several
// shapes, float64 gradchecks, the same bits at 1 and 2 threads, and each bad argument.
// The fused op held equal to the composite is in tests/docs/composite_layer_norm_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("layer_norm.txt"); }

struct Case {
  std::string name;
  Shape normalized_shape;
  double eps;
  bool transposed;  // the input is base.transpose(1, 2), as the script made it
};

const Case kCases[] = {
    {"rows", {7}, 1e-5, false},     {"two_dims", {4, 5}, 1e-5, false}, {"no_affine", {6}, 1e-5, false},
    {"weight", {6}, 1e-3, false},   {"bias", {6}, 0.0, false},         {"transposed", {4}, 1e-5, true},
    {"vector", {9}, 1e-5, false},
};

class LayerNormTorchTest : public ::testing::TestWithParam<const char*> {};

TEST_P(LayerNormTorchTest, ForwardAndGradientsMatchTorch) {
  const testing::Fixture& f = fixture();
  for (const Case& c : kCases) {
    const std::string key = "case." + c.name + "." + GetParam();
    SCOPED_TRACE(key);
    Tensor base = f[key + ".base"].clone().requires_grad_();
    Tensor w = f.has(key + ".weight") ? f[key + ".weight"].clone().requires_grad_() : Tensor();
    Tensor b = f.has(key + ".bias") ? f[key + ".bias"].clone().requires_grad_() : Tensor();
    Tensor x = c.transposed ? base.transpose(1, 2) : base;
    Tensor y = layer_norm(x, c.normalized_shape, w, b, c.eps);
    EXPECT_EQ(y.grad_fn_name(), "NativeLayerNormBackward0");
    y.backward(f[key + ".g"]);
    // torch sums in float with its own tree, we in double: a few float32 ulps apart.
    const double tol = std::string(GetParam()) == "f32" ? 1e-5 : 1e-12;
    EXPECT_TRUE(all_close(y, f[key + ".y"], tol));
    EXPECT_TRUE(all_close(base.grad(), f[key + ".dbase"], tol));
    if (w.defined()) {
      EXPECT_TRUE(all_close(w.grad(), f[key + ".dweight"], tol));
    }
    if (b.defined()) {
      EXPECT_TRUE(all_close(b.grad(), f[key + ".dbias"], tol));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LayerNorm, LayerNormTorchTest, ::testing::Values("f32", "f64"));

TEST(LayerNormGradcheck, InputWeightAndBias) {
  const testing::Fixture& f = fixture();
  for (const Case& c : kCases) {
    const std::string key = "case." + c.name + ".f64";
    SCOPED_TRACE(key);
    std::vector<Tensor> in{f[key + ".base"].clone().requires_grad_()};
    in.push_back(f.has(key + ".weight") ? f[key + ".weight"].clone().requires_grad_() : Tensor());
    in.push_back(f.has(key + ".bias") ? f[key + ".bias"].clone().requires_grad_() : Tensor());
    EXPECT_TRUE(testing::gradcheck(
        [&c](const std::vector<Tensor>& v) {
          return layer_norm(c.transposed ? v[0].transpose(1, 2) : v[0], c.normalized_shape, v[1], v[2], c.eps);
        },
        in));
  }
}

TEST(LayerNormTest, OnlyWeightWantsAGradient) {
  Tensor x = randn({3, 4}), w = randn({4}).requires_grad_(), b = randn({4});
  layer_norm(x, {4}, w, b).sum().backward();
  EXPECT_TRUE(w.grad().defined());
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(b.grad().defined());
}

TEST(LayerNormTest, EmptyInput) {
  Tensor x = zeros({0, 4}).requires_grad_(), w = ones({4}).requires_grad_();
  Tensor y = layer_norm(x, {4}, w);
  EXPECT_EQ(y.sizes(), (Shape{0, 4}));
  y.sum().backward();
  EXPECT_TRUE(all_close(w.grad(), zeros({4})));  // a sum over no rows
  EXPECT_EQ(x.grad().sizes(), (Shape{0, 4}));
}

TEST(LayerNormTest, SameBitsAtOneAndTwoThreads) {
  manual_seed(3);
  Tensor x = randn({256, 384}), w = randn({384}), b = randn({384}), g = randn({256, 384});
  std::vector<Tensor> out[2];
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Tensor xv = x.clone().requires_grad_(), wv = w.clone().requires_grad_(), bv = b.clone().requires_grad_();
    Tensor y = layer_norm(xv, {384}, wv, bv);
    y.backward(g);
    out[threads - 1] = {y, xv.grad(), wv.grad(), bv.grad()};
  }
  set_num_threads(before);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(all_close(out[1][i], out[0][i], 0)) << "tensor " << i;
}

TEST(LayerNormTest, Errors) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {3}); },
                                                 {"layer_norm", "normalized_shape=[3]", "[*, 3]", "[2, 3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {1, 2, 3, 4}); },
                                                 {"layer_norm", "[1, 2, 3, 4]", "[2, 3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {}); },
                                                 {"layer_norm", "at least 1-dimensional"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {3, 4}, zeros({4})); },
                                                 {"layer_norm", "weight of shape [4]", "[3, 4]", "[2, 3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {4}, zeros({4}), zeros({5})); },
                                                 {"layer_norm", "bias of shape [5]", "normalized_shape [4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {4}, zeros({4}, DType::Float64)); },
                                                 {"layer_norm", "weight has dtype", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(x, {4}, {}, {}, -1e-5); },
                                                 {"layer_norm", "eps must be >= 0", "-1e-05", "[2, 3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer_norm(zeros({2}, DType::Int64), {2}); },
                                                 {"layer_norm", "floating point", "torch.int64"}));
}

}  // namespace
}  // namespace minigrad

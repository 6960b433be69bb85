// Checks core/ops/view.cpp against PyTorch 1.13 (tests/fixtures/view.txt, written by
// tools/make_ops_a_fixtures.py): values, gradients and grad_fn names in float32 and
// float64, float64 gradchecks, storage and version-counter sharing, and the errors.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/core/ops/fixture_case.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::CaseFn;
using testing::OpCase;
using testing::all_close;
using testing::check_case;
using testing::f64_inputs;
using testing::gradcheck;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("view.txt"); }

const std::vector<OpCase>& view_ops() {
  using V = const std::vector<Tensor>&;
  static const std::vector<OpCase> ops = {
      {"view", [](V v) { return v[0].view({6, 4}); }, "ViewBackward0"},
      {"view_infer", [](V v) { return v[0].view({-1, 2}); }, "ViewBackward0"},
      {"reshape", [](V v) { return reshape(v[0], {4, 6}); }, "ReshapeAliasBackward0"},
      {"reshape_infer", [](V v) { return v[0].reshape({3, -1}); }, "ReshapeAliasBackward0"},
      {"flatten", [](V v) { return v[0].flatten(); }, "ReshapeAliasBackward0"},
      {"flatten_1", [](V v) { return flatten(v[0], 1); }, "ReshapeAliasBackward0"},
      {"flatten_0_1", [](V v) { return v[0].flatten(0, 1); }, "ReshapeAliasBackward0"},
      {"flatten_neg", [](V v) { return v[0].flatten(-3, -2); }, "ReshapeAliasBackward0"},
      {"squeeze", [](V v) { return v[0].squeeze(); }, "SqueezeBackward0"},
      {"squeeze_1", [](V v) { return squeeze(v[0], 1); }, "SqueezeBackward1"},
      {"squeeze_neg", [](V v) { return v[0].squeeze(-1); }, "SqueezeBackward1"},
      {"squeeze_noop", [](V v) { return v[0].squeeze(0); }, "SqueezeBackward1"},
      {"unsqueeze_0", [](V v) { return v[0].unsqueeze(0); }, "UnsqueezeBackward0"},
      {"unsqueeze_1", [](V v) { return unsqueeze(v[0], 1); }, "UnsqueezeBackward0"},
      {"unsqueeze_neg", [](V v) { return v[0].unsqueeze(-1); }, "UnsqueezeBackward0"},
      {"transpose", [](V v) { return v[0].transpose(0, 2); }, "TransposeBackward0"},
      {"transpose_mid", [](V v) { return transpose(v[0], 1, 2); }, "TransposeBackward0"},
      {"transpose_neg", [](V v) { return v[0].transpose(-1, -2); }, "TransposeBackward0"},
      {"t", [](V v) { return v[0].t(); }, "TBackward0"},
      {"t_1d", [](V v) { return v[0].t(); }, "TBackward0"},
  };
  return ops;
}

TEST(ViewTest, OpsMatchTorch) {
  for (const auto& op : view_ops())
    for (const char* code : {"f32", "f64"}) check_case(fixture(), op.name + "_" + code, op.fn, op.grad_fn);
}

TEST(ViewTest, OpsGradcheck) {
  for (const auto& op : view_ops()) {
    SCOPED_TRACE(op.name);
    EXPECT_TRUE(gradcheck(op.fn, f64_inputs(fixture(), op.name)));
  }
}

TEST(ViewTest, ShapesAsTorch) {
  Tensor x = zeros({2, 1, 3, 1});
  EXPECT_EQ(x.view({3, -1}).sizes(), (Shape{3, 2}));
  EXPECT_EQ(x.reshape({-1}).sizes(), (Shape{6}));
  EXPECT_EQ(x.squeeze().sizes(), (Shape{2, 3}));
  EXPECT_EQ(x.squeeze(-3).sizes(), (Shape{2, 3, 1}));
  EXPECT_EQ(x.unsqueeze(4).sizes(), (Shape{2, 1, 3, 1, 1}));
  EXPECT_EQ(x.unsqueeze(-5).sizes(), (Shape{1, 2, 1, 3, 1}));
  EXPECT_EQ(x.flatten(1, 2).sizes(), (Shape{2, 3, 1}));
  EXPECT_EQ(x.transpose(0, 2).sizes(), (Shape{3, 1, 2, 1}));
  EXPECT_EQ(zeros({0, 3}).view({3, 0}).sizes(), (Shape{3, 0}));
  EXPECT_EQ(zeros({2, 0}).reshape({0, 5}).sizes(), (Shape{0, 5}));
  // 0-dim tensors: flatten gives (1), unsqueeze (1), squeeze and t keep ().
  Tensor s = scalar_tensor(3.5).requires_grad_();
  EXPECT_EQ(s.flatten().sizes(), (Shape{1}));
  EXPECT_EQ(s.flatten().grad_fn_name(), "ReshapeAliasBackward0");
  EXPECT_EQ(s.unsqueeze(0).sizes(), (Shape{1}));
  EXPECT_EQ(s.unsqueeze(-1).sizes(), (Shape{1}));
  EXPECT_EQ(s.squeeze().sizes(), Shape{});
  EXPECT_EQ(s.squeeze(0).sizes(), Shape{});
  EXPECT_EQ(s.squeeze(-1).grad_fn_name(), "SqueezeBackward1");
  EXPECT_EQ(s.t().sizes(), Shape{});
  EXPECT_EQ(s.transpose(0, -1).grad_fn_name(), "TransposeBackward0");
  EXPECT_EQ(s.view({1, 1}).sizes(), (Shape{1, 1}));
  EXPECT_EQ(s.view({}).sizes(), Shape{});
  EXPECT_EQ(ones({1}).view({}).sizes(), Shape{});
}

TEST(ViewTest, ZeroDimGradientsComeBackAsZeroDim) {
  Tensor s = scalar_tensor(2.0, DType::Float64).requires_grad_();
  (s.flatten() * 3.0).sum().backward();
  EXPECT_EQ(s.grad().sizes(), Shape{});
  EXPECT_DOUBLE_EQ(s.grad().item<double>(), 3.0);
}

TEST(ViewTest, FlattenOfOneDimReturnsTheInputItself) {
  Tensor x = ones({2, 3}).requires_grad_();
  EXPECT_TRUE(x.flatten(1).is_same(x));  // torch returns self when start == end
  EXPECT_TRUE(x.flatten(-2, 0).is_same(x));
  EXPECT_TRUE(ones({4}).flatten().sizes() == Shape{4});
}

// Each view op: the result aliases the input's memory, and the version counter is one.
TEST(ViewTest, ViewsShareStorageAndVersion) {
  using V = Tensor (*)(const Tensor&);
  std::vector<std::pair<std::string, V>> views = {
      {"view", [](const Tensor& x) { return x.view({3, 2}); }},
      {"reshape", [](const Tensor& x) { return x.reshape({-1}); }},
      {"flatten", [](const Tensor& x) { return x.flatten(); }},
      {"squeeze", [](const Tensor& x) { return x.squeeze(); }},
      {"squeeze_dim", [](const Tensor& x) { return x.squeeze(1); }},
      {"unsqueeze", [](const Tensor& x) { return x.unsqueeze(0); }},
  };
  for (const auto& [name, make] : views) {
    SCOPED_TRACE(name);
    Tensor x = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 1, 3});
    Tensor y = make(x);
    EXPECT_EQ(y.raw_data(), x.raw_data());
    // Write through the view, read through the base.
    y.data_ptr<float>()[4] = 50.0f;
    EXPECT_EQ(x.data_ptr<float>()[4], 50.0f);
    y.mul_(2.0);
    EXPECT_TRUE(all_close(x, tensor({2.0f, 4.0f, 6.0f, 8.0f, 100.0f, 12.0f}, {2, 1, 3})));
    EXPECT_EQ(x.version(), 1u);
    // And the other way round.
    x.fill_(7.0);
    EXPECT_EQ(y.data_ptr<float>()[0], 7.0f);
    EXPECT_EQ(y.version(), 2u);
    // A view of a view is still the same memory.
    Tensor z = make(y.reshape(x.sizes()));
    z.zero_();
    EXPECT_TRUE(all_close(x, zeros({2, 1, 3})));
    EXPECT_EQ(x.version(), 3u);
  }
}

TEST(ViewTest, TransposeCopies) {
  // Every minigrad tensor is contiguous, so transpose materialises (documented in tensor.h).
  Tensor x = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  Tensor y = x.t();
  EXPECT_TRUE(all_close(y, tensor({1.0f, 4.0f, 2.0f, 5.0f, 3.0f, 6.0f}, {3, 2})));
  EXPECT_NE(y.raw_data(), x.raw_data());
  y.fill_(0.0);
  EXPECT_EQ(x.data_ptr<float>()[1], 2.0f);
  EXPECT_EQ(x.version(), 0u);
  Tensor i = tensor({1, 2, 3, 4, 5, 6}, {1, 2, 3}).transpose(0, 2);
  EXPECT_TRUE(all_close(i, tensor({1, 4, 2, 5, 3, 6}, {3, 2, 1})));
}

TEST(ViewTest, InPlaceThroughAViewInvalidatesSavedBase) {
  // mul saved `a`; a write through a view of `a` bumps the shared counter.
  Tensor w = tensor({1.0, 2.0, 3.0, 4.0}).requires_grad_();
  Tensor a = tensor({1.0, 1.0, 1.0, 1.0});
  Tensor y = w * a;
  a.view({2, 2}).add_(1.0);
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { y.sum().backward(); }, {"modified by an inplace operation", "MulBackward0"}));
}

TEST(ViewTest, InPlaceOnViewOfLeafRequiringGradThrows) {
  Tensor w = ones({2, 2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { w.view({4}).add_(1.0); }, {"add_", "ViewBackward0", "is a view"}));
  NoGradGuard guard;
  Tensor v = w.view({4});
  EXPECT_TRUE(v.is_leaf());
  v.add_(1.0);
  EXPECT_TRUE(all_close(w, full({2, 2}, 2.0)));
}

TEST(ViewTest, ViewErrors) {
  Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.view({4}); }, {"view", "[4]", "size 6"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.view({4, -1}); }, {"view", "[4, -1]", "size 6"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { x.view({-1, -1}); }, {"view", "only one", "[-1, -1]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.view({-2, -3}); }, {"view", "-2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.view({0, -1}); }, {"view", "[0, -1]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { zeros({0}).view({0, -1}); }, {"view", "[0, -1]", "size 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.reshape({7}); }, {"reshape", "[7]", "size 6"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.reshape({-1, 2, -1}); }, {"reshape", "only one"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { Tensor().view({1}); }, {"view", "undefined"}));
}

TEST(ViewTest, DimErrorsAreOutOfRange) {
  Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.squeeze(2); }, {"squeeze", "2", "[-2, 1]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.squeeze(-3); }, {"squeeze", "-3"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.unsqueeze(3); }, {"unsqueeze", "3", "[-3, 2]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.unsqueeze(-4); }, {"unsqueeze", "-4", "[-3, 2]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.transpose(0, 2); }, {"transpose", "2", "[-2, 1]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.transpose(-3, 0); }, {"transpose", "-3"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.flatten(2); }, {"flatten", "2"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.flatten(0, -3); }, {"flatten", "-3"}));
  Tensor s = scalar_tensor(1.0);
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { s.squeeze(1); }, {"squeeze", "1", "[-1, 0]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { s.unsqueeze(2); }, {"unsqueeze", "2", "[-1, 0]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { s.transpose(0, 1); }, {"transpose", "1"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { s.flatten(1); }, {"flatten", "1"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { s.flatten(0, -2); }, {"flatten", "-2"}));
}

TEST(ViewTest, FlattenStartAfterEnd) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({2, 3, 4}).flatten(2, 1); }, {"flatten", "start_dim 2", "end_dim 1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({2, 3, 4}).flatten(-1, 0); }, {"flatten", "start_dim -1", "end_dim 0"}));
}

TEST(ViewTest, TOnMoreThanTwoDims) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { zeros({2, 3, 4}).t(); }, {"t", "3", "[2, 3, 4]"}));
}

}  // namespace
}  // namespace minigrad

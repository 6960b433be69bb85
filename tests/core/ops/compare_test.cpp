// Tests for core/ops/compare.cpp: comparisons, logical_not, where, masked_fill and the
// recorded masked_fill_, against PyTorch's numbers (tests/fixtures/mask_ops.txt, written
// by tools/make_mask_fixtures.py), float64 gradchecks, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "core/core.h"
#include "tests/core/ops/fixture_case.h"
#include "tests/gradcheck.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::contains;
using testing::Fixture;
using testing::message_of;
using testing::throws_with;

const Fixture& fixture() { return Fixture::get("mask_ops.txt"); }

std::string key(const char* prefix, int i) { return std::string(prefix) + "_" + std::to_string(i); }

// ---- comparisons ----

using Cmp = std::function<Tensor(const Tensor&, const Tensor&)>;
using CmpScalar = std::function<Tensor(const Tensor&, double)>;

// Each comparison three ways: member, free function, operator.
struct CmpOp {
  const char* name;
  std::vector<Cmp> tensor_forms;
  std::vector<CmpScalar> scalar_forms;
};

std::vector<CmpOp> cmp_ops() {
  return {
      {"eq", {[](auto& a, auto& b) { return a.eq(b); }, [](auto& a, auto& b) { return eq(a, b); }, [](auto& a, auto& b) { return a == b; }},
       {[](auto& a, double s) { return a.eq(s); }, [](auto& a, double s) { return eq(a, s); }, [](auto& a, double s) { return a == s; }}},
      {"ne", {[](auto& a, auto& b) { return a.ne(b); }, [](auto& a, auto& b) { return ne(a, b); }, [](auto& a, auto& b) { return a != b; }},
       {[](auto& a, double s) { return a.ne(s); }, [](auto& a, double s) { return ne(a, s); }, [](auto& a, double s) { return a != s; }}},
      {"lt", {[](auto& a, auto& b) { return a.lt(b); }, [](auto& a, auto& b) { return lt(a, b); }, [](auto& a, auto& b) { return a < b; }},
       {[](auto& a, double s) { return a.lt(s); }, [](auto& a, double s) { return lt(a, s); }, [](auto& a, double s) { return a < s; }}},
      {"le", {[](auto& a, auto& b) { return a.le(b); }, [](auto& a, auto& b) { return le(a, b); }, [](auto& a, auto& b) { return a <= b; }},
       {[](auto& a, double s) { return a.le(s); }, [](auto& a, double s) { return le(a, s); }, [](auto& a, double s) { return a <= s; }}},
      {"gt", {[](auto& a, auto& b) { return a.gt(b); }, [](auto& a, auto& b) { return gt(a, b); }, [](auto& a, auto& b) { return a > b; }},
       {[](auto& a, double s) { return a.gt(s); }, [](auto& a, double s) { return gt(a, s); }, [](auto& a, double s) { return a > s; }}},
      {"ge", {[](auto& a, auto& b) { return a.ge(b); }, [](auto& a, auto& b) { return ge(a, b); }, [](auto& a, auto& b) { return a >= b; }},
       {[](auto& a, double s) { return a.ge(s); }, [](auto& a, double s) { return ge(a, s); }, [](auto& a, double s) { return a >= s; }}},
  };
}

// Case 2 holds NaN and infinities (the fixture reader takes them as strtod spells them).
TEST(CompareTest, TensorTensorMatchesTorch) {
  const auto& fx = fixture();
  int cases = 0;
  for (int i = 0; fx.has(key("cmp", i) + "_x"); ++i, ++cases) {
    Tensor x = fx[key("cmp", i) + "_x"], y = fx[key("cmp", i) + "_y"];
    for (const auto& op : cmp_ops()) {
      SCOPED_TRACE(key("cmp", i) + " " + op.name);
      Tensor want = fx[key("cmp", i) + "_" + op.name];
      for (const auto& f : op.tensor_forms) EXPECT_TRUE(all_close(f(x, y), want));
    }
  }
  EXPECT_EQ(cases, 10);
}

TEST(CompareTest, TensorScalarMatchesTorch) {
  const auto& fx = fixture();
  int cases = 0;
  for (int i = 0; fx.has(key("cmps", i) + "_x"); ++i, ++cases) {
    Tensor x = fx[key("cmps", i) + "_x"];
    double s = fx[key("cmps", i) + "_s"].item<double>();
    for (const auto& op : cmp_ops()) {
      SCOPED_TRACE(key("cmps", i) + " " + op.name);
      Tensor want = fx[key("cmps", i) + "_" + op.name];
      for (const auto& f : op.scalar_forms) EXPECT_TRUE(all_close(f(x, s), want));
    }
  }
  EXPECT_EQ(cases, 7);
}

TEST(CompareTest, HandDerivedValuesAndNoGradient) {
  Tensor x = tensor({1.0f, 2.0f, 3.0f}).requires_grad_();
  Tensor m = x > 1.5;
  EXPECT_EQ(m.dtype(), DType::Bool);
  EXPECT_FALSE(m.requires_grad());  // as torch: comparisons are not differentiable
  EXPECT_EQ(m.grad_fn_name(), "");
  EXPECT_TRUE(all_close(m, tensor({false, true, true})));
  EXPECT_TRUE(all_close(x == tensor({3.0f}), tensor({false, false, true})));
  // An Int64 tensor against a whole number compares exactly, even beyond float's 2^24.
  Tensor big = tensor(std::vector<int64_t>{16777217});
  EXPECT_TRUE(all_close(big == 16777217.0, tensor({true})));
  EXPECT_TRUE(all_close(big > 16777216.0, tensor({true})));
  // float32 beyond its range: the scalar is an infinity to it, not an error.
  EXPECT_TRUE(all_close(tensor({3.0e38f}) < 1e300, tensor({true})));
}

TEST(CompareTest, ScalarOnTheLeftMirrorsTheComparison) {
  Tensor x = tensor({1.0f, 2.0f, 3.0f});
  EXPECT_TRUE(all_close(2.0 == x, tensor({false, true, false})));
  EXPECT_TRUE(all_close(2.0 != x, tensor({true, false, true})));
  EXPECT_TRUE(all_close(2.0 < x, tensor({false, false, true})));
  EXPECT_TRUE(all_close(2.0 <= x, tensor({false, true, true})));
  EXPECT_TRUE(all_close(2.0 > x, tensor({true, false, false})));
  EXPECT_TRUE(all_close(2.0 >= x, tensor({true, true, false})));
}

TEST(CompareTest, LogicalNot) {
  Tensor m = tensor({true, false, true});
  EXPECT_TRUE(all_close(~m, tensor({false, true, false})));
  EXPECT_TRUE(all_close(m.logical_not(), tensor({false, true, false})));
  EXPECT_TRUE(all_close(logical_not(tensor({0.0f, 2.0f, NAN})), tensor({true, false, false})));
}

TEST(CompareTest, ShapesThatDoNotBroadcast) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { zeros({2, 3}) < zeros({4}); },
                                                  {"lt", "[2, 3]", "[4]", "cannot be broadcast"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { Tensor() == 1.0; }, {"eq", "undefined"}));
}

// ---- where ----

TEST(WhereTest, MatchesTorchWithGradients) {
  const auto& fx = fixture();
  int cases = 0;
  for (int i = 0; fx.has(key("where", i) + "_f32_c"); ++i) {
    for (const char* code : testing::kCodes) {
      std::string k = key("where", i) + "_" + code;
      Tensor c = fx[k + "_c"];
      testing::check_case(fx, k, [c](const std::vector<Tensor>& in) { return where(c, in[0], in[1]); },
                          "WhereBackward0");
      ++cases;
    }
  }
  EXPECT_EQ(cases, 10);
}

TEST(WhereTest, Gradcheck) {
  const auto& fx = fixture();
  for (int i : {1, 2, 3}) {
    SCOPED_TRACE(key("where", i));
    Tensor c = fx[key("where", i) + "_f64_c"];
    EXPECT_TRUE(testing::gradcheck([c](const std::vector<Tensor>& in) { return where(c, in[0], in[1]); },
                                   testing::f64_inputs(fx, key("where", i))));
  }
}

TEST(WhereTest, OnlyTheInputsThatRequireGradGetOne) {
  Tensor a = tensor({1.0, 2.0}).requires_grad_();
  Tensor b = tensor({5.0, 6.0});
  Tensor out = where(tensor({true, false}), a, b);
  out.sum().backward();
  EXPECT_TRUE(all_close(a.grad(), tensor({1.0, 0.0})));
  EXPECT_FALSE(b.grad().defined());
  EXPECT_TRUE(all_close(out, tensor({1.0, 6.0})));
}

TEST(WhereTest, WithANumber) {
  // The book's top-k filter: where(logits < min_val, -inf, logits).
  Tensor logits = tensor({1.0f, 3.0f, 2.0f}).requires_grad_();
  Tensor kept = where(logits < 2.0, -INFINITY, logits);
  EXPECT_TRUE(all_close(kept, tensor({-INFINITY, 3.0f, 2.0f})));
  kept.sum().backward();
  EXPECT_TRUE(all_close(logits.grad(), tensor({0.0f, 1.0f, 1.0f})));
  Tensor y = where(tensor({true, false}), tensor({1, 2}), 7.0);
  EXPECT_TRUE(all_close(y, tensor({1, 7})));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { where(tensor({true}), Tensor(), 1.0); }, {"where", "undefined"}));
}

TEST(WhereTest, Errors) {
  Tensor a = zeros({3}), b = ones({3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { where(tensor({1, 0, 1}), a, b); },
                                                  {"where", "condition", "torch.bool", "torch.int64", "[3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { where(tensor({true, false, true}), a, ones({3}, DType::Float64)); },
      {"where", "different dtypes", "torch.float32", "torch.float64", "to()"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { where(tensor({true, false}), a, b); },
                                                  {"where", "[2]", "[3]", "broadcast"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { where(Tensor(), a, b); }, {"where", "condition", "undefined"}));
}

// ---- masked_fill ----

TEST(MaskedFillTest, MatchesTorchWithGradients) {
  const auto& fx = fixture();
  int cases = 0;
  for (int i = 0; fx.has(key("mfill", i) + "_f32_m"); ++i) {
    for (const char* code : testing::kCodes) {
      std::string k = key("mfill", i) + "_" + code;
      Tensor m = fx[k + "_m"];
      double v = fx[k + "_v"].item<double>();
      testing::check_case(fx, k, [m, v](const std::vector<Tensor>& in) { return in[0].masked_fill(m, v); },
                          "MaskedFillBackward0");
      testing::check_case(fx, k, [m, v](const std::vector<Tensor>& in) { return masked_fill(in[0], m, v); },
                          "MaskedFillBackward0");
      ++cases;
    }
  }
  EXPECT_EQ(cases, 10);
}

// The same cases in place, on a non-leaf (a clone of the leaf): the book's
// attn_scores.masked_fill_(mask, -inf). The history is rebased onto the fill.
TEST(MaskedFillTest, InPlaceOnANonLeafIsRecorded) {
  const auto& fx = fixture();
  for (int i = 0; fx.has(key("mfill", i) + "_f32_m"); ++i) {
    for (const char* code : testing::kCodes) {
      std::string k = key("mfill", i) + "_" + code;
      SCOPED_TRACE(k);
      Tensor x = fx[k + "_x"].clone().requires_grad_();
      Tensor y = x.mul(1.0);
      Tensor& same = y.masked_fill_(fx[k + "_m"], fx[k + "_v"].item<double>());
      EXPECT_TRUE(same.is_same(y));
      EXPECT_EQ(y.version(), 1u);
      EXPECT_TRUE(all_close(y, fx[k + "_out"]));
      EXPECT_EQ(y.grad_fn_name(), "MaskedFillBackward0");
      ASSERT_EQ(y.grad_fn()->next_edges.size(), 1u);
      EXPECT_EQ(y.grad_fn()->next_edges[0]->name(), "MulBackward0");  // the old history
      y.backward(fx[k + "_g"]);
      EXPECT_TRUE(all_close(x.grad(), fx[k + "_dx"]));
    }
  }
}

TEST(MaskedFillTest, Gradcheck) {
  const auto& fx = fixture();
  for (int i : {1, 3}) {
    std::string k = key("mfill", i) + "_f64";
    Tensor m = fx[k + "_m"];
    double v = i == 1 ? 0.5 : 7.0;  // finite, so the finite differences are too
    EXPECT_TRUE(testing::gradcheck([m, v](const std::vector<Tensor>& in) { return in[0].masked_fill(m, v); },
                                   testing::f64_inputs(fx, key("mfill", i))));
    EXPECT_TRUE(testing::gradcheck(
        [m, v](const std::vector<Tensor>& in) {
          Tensor y = in[0].mul(2.0);
          y.masked_fill_(m, v);
          return y.exp();
        },
        testing::f64_inputs(fx, key("mfill", i))));
  }
}

// The book's causal attention (chapter 3), batched: scores = q k^T, masked in place above
// the diagonal with -inf, then softmax(scores / sqrt(d)); forward and gradients vs torch.
TEST(MaskedFillTest, CausalAttentionMatchesTorch) {
  const auto& fx = fixture();
  for (const char* code : testing::kCodes) {
    for (bool in_place : {true, false}) {
      SCOPED_TRACE(std::string(code) + (in_place ? " masked_fill_" : " masked_fill"));
      std::string k = std::string("causal_") + code;
      Tensor q = fx[k + "_q"].clone().requires_grad_(), kk = fx[k + "_k"].clone().requires_grad_();
      int64_t T = q.size(1), d = q.size(2);
      Tensor mask = triu(ones({T, T}), 1).to(DType::Bool);
      Tensor scores = q.matmul(kk.transpose(1, 2));                 // (B, T, T)
      if (in_place) scores.masked_fill_(mask, -INFINITY);
      else scores = scores.masked_fill(mask, -INFINITY);
      EXPECT_EQ(scores.grad_fn_name(), "MaskedFillBackward0");
      Tensor w = (scores / std::sqrt(static_cast<double>(d))).softmax(-1);
      EXPECT_TRUE(all_close(w, fx[k + "_w"]));
      w.backward(fx[k + "_g"]);
      EXPECT_TRUE(all_close(q.grad(), fx[k + "_dq"], code[1] == '3' ? 1e-5 : -1));
      EXPECT_TRUE(all_close(kk.grad(), fx[k + "_dk"], code[1] == '3' ? 1e-5 : -1));
    }
  }
}

TEST(MaskedFillTest, InPlaceAfterSavingIsCaughtAtBackward) {
  Tensor x = tensor({0.5, 1.0, 2.0}).requires_grad_();
  Tensor y = x.exp();  // ExpBackward0 saves y itself
  y.masked_fill_(tensor({true, false, false}), 0.0);
  EXPECT_EQ(y.version(), 1u);
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { y.sum().backward(); },
                                              {"modified by an inplace operation", "ExpBackward0",
                                               "version 1", "expected version 0"}));
}

TEST(MaskedFillTest, InPlaceOnALeafThatRequiresGradIsRefused) {
  Tensor w = zeros({3}).requires_grad_();
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { w.masked_fill_(tensor({true, false, true}), 1.0); },
      {"masked_fill_", "a leaf Variable that requires grad is being used in an in-place operation."}));
  EXPECT_EQ(w.version(), 0u);
  NoGradGuard no_grad;
  w.masked_fill_(tensor({true, false, true}), 1.0);
  EXPECT_TRUE(all_close(w, tensor({1.0f, 0.0f, 1.0f})));
}

TEST(MaskedFillTest, InPlaceOnAViewOfAGraphIsRefused) {
  Tensor x = zeros({2, 3}).requires_grad_();
  Tensor y = x.mul(2.0);
  Tensor v = y.view({3, 2});
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { v.masked_fill_(tensor({true, false}), 1.0); },
                                              {"masked_fill_", "[3, 2]", "is a view", "clone()"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { y.masked_fill_(tensor({true, false, true}), 1.0); },
                                              {"masked_fill_", "[2, 3]", "has views", "clone()"}));
  EXPECT_EQ(y.version(), 0u);
  // Without a graph a view is filled like any tensor, through to its base.
  Tensor plain = zeros({2, 2});
  plain.view({4}).masked_fill_(tensor({true, false, false, true}), 3.0);
  EXPECT_TRUE(all_close(plain, tensor({3.0f, 0.0f, 0.0f, 3.0f}, {2, 2})));
}

TEST(MaskedFillTest, OtherDtypes) {
  Tensor i = tensor({1, 2, 3});
  EXPECT_TRUE(all_close(i.masked_fill(tensor({false, true, false}), -7.0), tensor({1, -7, 3})));
  Tensor b = tensor({true, true});
  EXPECT_TRUE(all_close(b.masked_fill(tensor({true, false}), 0.0), tensor({false, true})));
}

TEST(MaskedFillTest, Errors) {
  Tensor x = zeros({3, 5});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.masked_fill(tensor({1, 0, 1, 0, 1}), 0.0); },
                                                  {"masked_fill", "mask", "torch.bool", "torch.int64", "[5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.masked_fill(zeros({4}, DType::Bool), 0.0); },
                                                  {"masked_fill", "[4]", "does not broadcast", "[3, 5]"}));
  // A mask may not make the tensor grow (torch's out-of-place form would; the in-place cannot).
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.masked_fill(zeros({2, 3, 5}, DType::Bool), 0.0); },
                                                  {"masked_fill", "[2, 3, 5]", "does not broadcast", "[3, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.masked_fill_(zeros({3, 1, 1}, DType::Bool), 0.0); },
                                                  {"masked_fill_", "[3, 1, 1]", "does not broadcast", "[3, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.masked_fill(zeros({5}, DType::Bool), 1e300); },
                                                  {"masked_fill", "1e+300", "torch.float32"}));
  EXPECT_EQ(x.version(), 0u);
}

}  // namespace
}  // namespace minigrad

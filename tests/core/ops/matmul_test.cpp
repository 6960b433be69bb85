// Checks core/ops/matmul.cpp: forward and gradients against PyTorch 1.13 for every rank
// pairing torch.matmul distinguishes (tests/fixtures/ops_b.txt, tools/make_ops_b_fixtures.py),
// float64 finite differences, the grad_fn names, and every error with its type and message.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::element;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("ops_b.txt"); }

// A fresh leaf holding the record's values, so the fixture's own tensor never gets a grad.
Tensor leaf(const std::string& record) { return fixture()[record].clone().requires_grad_(); }

struct Case {
  const char* name;
  Shape a, b;
  const char* grad_fn;
};

// The fixture's cases (tools/make_ops_b_fixtures.py MATMUL_CASES) and the node each records:
// torch 1.13's grad_fn names, printed by
//   python3 -c 'import torch; print((torch.rand(A, requires_grad=True) @ torch.rand(B)).grad_fn.name())'
const std::vector<Case> kCases = {
    {"dot", {5}, {5}, "DotBackward0"},
    {"vm", {4}, {4, 3}, "SqueezeBackward3"},
    {"mv", {3, 4}, {4}, "MvBackward0"},
    {"mm", {3, 4}, {4, 5}, "MmBackward0"},
    {"b3m2", {2, 3, 4}, {4, 5}, "UnsafeViewBackward0"},
    {"m2b3", {3, 4}, {2, 4, 5}, "CloneBackward0"},
    {"bmm", {2, 3, 4}, {2, 4, 5}, "UnsafeViewBackward0"},
    {"bcast", {2, 1, 3, 4}, {5, 4, 2}, "UnsafeViewBackward0"},
    {"attn", {2, 3, 4, 5}, {2, 3, 5, 4}, "UnsafeViewBackward0"},
    {"v3", {4}, {2, 4, 3}, "UnsafeViewBackward0"},
    {"b3v", {2, 3, 4}, {4}, "UnsafeViewBackward0"},
};

TEST(MatmulTest, ForwardAndGradientsMatchTorch) {
  for (const Case& c : kCases) {
    for (const char* code : {"f32", "f64"}) {
      std::string p = std::string("matmul_") + c.name + "_" + code;
      Tensor a = leaf(p + "_a"), b = leaf(p + "_b");
      ASSERT_EQ(a.sizes(), c.a) << p;
      ASSERT_EQ(b.sizes(), c.b) << p;
      Tensor out = matmul(a, b);
      EXPECT_TRUE(all_close(out, fixture()[p + "_out"])) << p + "_out";
      out.backward(fixture()[p + "_g"]);
      EXPECT_TRUE(all_close(a.grad(), fixture()[p + "_da"])) << p + "_da";
      EXPECT_TRUE(all_close(b.grad(), fixture()[p + "_db"])) << p + "_db";
    }
  }
}

TEST(MatmulTest, OutputShapesFollowTorchRules) {
  // (2,1,3,4) @ (5,4,2): batch (2,1) and (5) broadcast to (2,5).
  EXPECT_EQ(matmul(zeros({2, 1, 3, 4}), zeros({5, 4, 2})).sizes(), (Shape{2, 5, 3, 2}));
  EXPECT_EQ(matmul(zeros({5}), zeros({5})).sizes(), Shape{});
  EXPECT_EQ(matmul(zeros({4}), zeros({2, 4, 3})).sizes(), (Shape{2, 3}));
  EXPECT_EQ(matmul(zeros({2, 3, 4}), zeros({4})).sizes(), (Shape{2, 3}));
}

TEST(MatmulTest, GradFnNames) {
  for (const Case& c : kCases) {
    Tensor a = zeros(c.a).requires_grad_(), b = zeros(c.b).requires_grad_();
    EXPECT_EQ(matmul(a, b).grad_fn_name(), c.grad_fn) << c.name;
    EXPECT_EQ(a.matmul(b).grad_fn_name(), c.grad_fn) << c.name;
  }
  EXPECT_EQ(mm(zeros({2, 3}).requires_grad_(), zeros({3, 2})).grad_fn_name(), "MmBackward0");
  // A 2-D a with a batched b: torch skips its final copy when M or N is 1 or the result is
  // empty, and the transpose before it names the node (the same one-liner prints these).
  auto name = [](const Shape& a, const Shape& b) { return matmul(zeros(a).requires_grad_(), zeros(b)).grad_fn_name(); };
  EXPECT_EQ(name({1, 4}, {2, 4, 5}), "TransposeBackward0");
  EXPECT_EQ(name({3, 4}, {2, 4, 1}), "TransposeBackward0");
  EXPECT_EQ(name({0, 4}, {2, 4, 5}), "TransposeBackward0");
  EXPECT_EQ(name({3, 0}, {2, 0, 5}), "CloneBackward0");
  EXPECT_EQ(name({3, 4}, {1, 4, 5}), "CloneBackward0");
  EXPECT_EQ(name({3, 4}, {2, 2, 4, 5}), "CloneBackward0");
  EXPECT_EQ(name({0, 2, 3}, {3, 4}), "UnsafeViewBackward0");
  EXPECT_EQ(name({4}, {4, 0}), "SqueezeBackward3");
  // Nothing requires grad: nothing is recorded.
  EXPECT_EQ(matmul(zeros({2, 3}), zeros({3, 2})).grad_fn_name(), "");
}

TEST(MatmulTest, GradcheckEveryRankPairing) {
  manual_seed(0);
  for (const Case& c : kCases) {
    Tensor a = randn(c.a, DType::Float64).requires_grad_();
    Tensor b = randn(c.b, DType::Float64).requires_grad_();
    EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& x) { return matmul(x[0], x[1]); },
                                   {a, b}))
        << c.name;
  }
}

TEST(MatmulTest, OnlyTheInputThatRequiresGradGetsOne) {
  Tensor a = fixture()["matmul_bcast_f64_a"].clone().requires_grad_();
  Tensor b = fixture()["matmul_bcast_f64_b"].clone();
  matmul(a, b).backward(fixture()["matmul_bcast_f64_g"]);
  EXPECT_TRUE(all_close(a.grad(), fixture()["matmul_bcast_f64_da"]));
  EXPECT_FALSE(b.grad().defined());
}

TEST(MatmulTest, MmAgreesWithMatmulAndGradientsAccumulate) {
  Tensor a = leaf("matmul_mm_f64_a"), b = leaf("matmul_mm_f64_b");
  Tensor g = fixture()["matmul_mm_f64_g"];
  a.mm(b).backward(g);
  mm(a, b).backward(g);  // a second graph: gradients add up
  Tensor da = a.grad(), want = fixture()["matmul_mm_f64_da"];
  for (int64_t i = 0; i < want.numel(); ++i) EXPECT_NEAR(element(da, i), 2 * element(want, i), 1e-12);
}

TEST(MatmulTest, EmptyInnerDimensionGivesZeros) {
  // (3, 0) @ (0, 4): every output is an empty sum, as torch.
  Tensor a = zeros({3, 0}).requires_grad_(), b = zeros({0, 4}).requires_grad_();
  Tensor out = matmul(a, b);
  ASSERT_EQ(out.sizes(), (Shape{3, 4}));
  for (int64_t i = 0; i < out.numel(); ++i) EXPECT_EQ(out.data_ptr<float>()[i], 0.0f);
  out.sum().backward();
  EXPECT_EQ(a.grad().sizes(), (Shape{3, 0}));
  EXPECT_EQ(b.grad().sizes(), (Shape{0, 4}));
}

TEST(MatmulTest, SavedOperandModifiedInPlaceIsCaughtAtBackward) {
  // dA needs B: changing B between forward and backward would give a wrong gradient.
  Tensor a = ones({2, 3}).requires_grad_(), b = ones({3, 2});
  Tensor c = matmul(a, b);
  b.mul_(2.0);
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { c.backward(ones({2, 2})); }, {"modified by an inplace operation", "MmBackward0"}));
}

// torch.dot: the book's attn_score_22 = query_2.dot(keys_2). By hand: 1*4 + 2*(-5) + 3*6 = 12.
TEST(MatmulTest, DotIsTheSumOfProducts) {
  Tensor a = tensor({1.0f, 2.0f, 3.0f}).requires_grad_(), b = tensor({4.0f, -5.0f, 6.0f}).requires_grad_();
  Tensor d = a.dot(b);
  EXPECT_EQ(d.sizes(), Shape{});
  EXPECT_EQ(d.item<float>(), 12.0f);
  EXPECT_EQ(d.grad_fn_name(), "DotBackward0");
  dot(a, b).backward();  // d/da = b, d/db = a
  EXPECT_TRUE(all_close(a.grad(), b.detach(), 0));
  EXPECT_TRUE(all_close(b.grad(), a.detach(), 0));
  manual_seed(3);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& x) { return x[0].dot(x[1]); },
                                 {randn({4}, DType::Float64).requires_grad_(), randn({4}, DType::Float64).requires_grad_()}));
}

TEST(MatmulTest, DotErrorsNameTheShapes) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { dot(zeros({2, 3}), zeros({3})); }, {"dot: expected two 1-D tensors, got shapes [2, 3] and [3]", "use mm or matmul"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({3}).dot(zeros({2})); }, {"dot: the vectors have 3 and 2 elements"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { dot(zeros({3}), zeros({3}, DType::Float64)); }, {"dot: expected both vectors to have one dtype", "float64"}));
}

TEST(MatmulTest, ErrorsNameTheShapesAndDtypes) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({4, 3}), zeros({4, 6})); }, {"matmul: shapes (4x3) and (4x6) cannot be multiplied"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({4, 3}), zeros({4, 6})); }, {"3 columns vs 4 rows"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({3}), zeros({4})); }, {"matmul: shapes (3) and (4) cannot be multiplied"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({2, 3, 4}), zeros({2, 5, 6})); },
      {"matmul: shapes (2x3x4) and (2x5x6) cannot be multiplied"}));
  // Batch dims that do not broadcast: both full shapes are named.
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({2, 3, 4}), zeros({3, 4, 5})); }, {"matmul", "(2x3x4)", "(3x4x5)", "broadcast"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(scalar_tensor(2.0), zeros({3})); },
      {"matmul: both arguments need at least 1 dimension", "[]", "[3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({3}), scalar_tensor(2.0)); }, {"matmul: both arguments need at least 1 dimension"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({2, 3}), zeros({3, 2}, DType::Float64)); },
      {"matmul: expected two floating point tensors of one dtype", "torch.float32", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(zeros({2, 3}, DType::Int64), zeros({3, 2}, DType::Int64)); }, {"matmul", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { matmul(Tensor(), zeros({3})); }, {"matmul: undefined tensor"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { mm(zeros({3}), zeros({3, 2})); }, {"mm: expected two 2-D matrices", "[3]", "[3, 2]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({2, 2, 3}).mm(zeros({3, 2})); }, {"mm: expected two 2-D"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { mm(zeros({4, 3}), zeros({4, 6})); }, {"matmul: shapes (4x3) and (4x6) cannot be multiplied"}));
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/softmax.cpp: softmax and log_softmax over every dim of a 3-D input against
// PyTorch 1.13 (tests/fixtures/ops_b.txt), with unit logits, logits shifted by 1e3 (exp would
// overflow without the max shift) and logits scaled by 1e3 (nearly one-hot rows); float64
// finite differences; grad_fn names; -inf masks; and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
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

struct DimCase {
  int64_t dim;
  const char* tag;  // the fixture's spelling of the dim
};
const DimCase kDims[] = {{0, "d0"}, {1, "d1"}, {-1, "dm1"}};

TEST(SoftmaxTest, ForwardAndGradientsMatchTorch) {
  for (const char* fn : {"softmax", "log_softmax"}) {
    for (const char* scale : {"unit", "large", "spread"}) {
      for (const DimCase& d : kDims) {
        for (const char* code : {"f32", "f64"}) {
          std::string p = std::string(fn) + "_" + scale + "_" + d.tag + "_" + code;
          Tensor x = fixture()[p + "_x"].clone().requires_grad_();
          Tensor y = std::string(fn) == "softmax" ? x.softmax(d.dim) : x.log_softmax(d.dim);
          EXPECT_TRUE(all_close(y, fixture()[p + "_out"])) << p + "_out";
          y.backward(fixture()[p + "_g"]);
          EXPECT_TRUE(all_close(x.grad(), fixture()[p + "_dx"])) << p + "_dx";
        }
      }
    }
  }
}

TEST(SoftmaxTest, FreeFunctionsAgreeWithMethods) {
  Tensor x = fixture()["softmax_unit_d1_f64_x"];
  Tensor a = softmax(x, 1), b = log_softmax(x, -2);
  EXPECT_TRUE(all_close(a, fixture()["softmax_unit_d1_f64_out"]));
  EXPECT_TRUE(all_close(b, fixture()["log_softmax_unit_d1_f64_out"]));
}

TEST(SoftmaxTest, LargeLogitsStayFiniteAndRowsSumToOne) {
  // 1e3 + randn: e^1000 overflows float64, so only the max shift keeps this finite.
  Tensor x = fixture()["softmax_large_dm1_f32_x"];
  Tensor y = x.softmax(-1), ly = x.log_softmax(-1);
  for (int64_t r = 0; r < 6; ++r) {
    double s = 0;
    for (int64_t k = 0; k < 4; ++k) {
      ASSERT_TRUE(std::isfinite(element(y, r * 4 + k)));
      ASSERT_TRUE(std::isfinite(element(ly, r * 4 + k)));
      EXPECT_LE(element(ly, r * 4 + k), 0.0);
      s += element(y, r * 4 + k);
    }
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
}

TEST(SoftmaxTest, GradcheckEveryDim) {
  manual_seed(0);
  for (const DimCase& d : kDims) {
    Tensor x = randn({2, 3, 4}, DType::Float64).requires_grad_();
    EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& v) { return v[0].softmax(d.dim); }, {x}))
        << "softmax dim " << d.dim;
    EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& v) { return v[0].log_softmax(d.dim); }, {x}))
        << "log_softmax dim " << d.dim;
  }
  // Shifted by 1e3: the same derivatives, computed from a stable forward.
  Tensor big = (randn({3, 5}, DType::Float64) + 1e3).detach().requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& v) { return v[0].softmax(1); }, {big}));
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& v) { return v[0].log_softmax(1); }, {big}));
}

TEST(SoftmaxTest, GradFnNames) {
  Tensor x = zeros({2, 3}).requires_grad_();
  EXPECT_EQ(x.softmax(1).grad_fn_name(), "SoftmaxBackward0");
  EXPECT_EQ(x.log_softmax(0).grad_fn_name(), "LogSoftmaxBackward0");
  EXPECT_EQ(zeros({2, 3}).softmax(1).grad_fn_name(), "");
}

TEST(SoftmaxTest, ZeroDimTensorIsItsOwnRow) {
  // torch: softmax(tensor(3.), 0) == 1, log_softmax(tensor(3.), -1) == 0
  Tensor x = scalar_tensor(3.0, DType::Float64);
  Tensor y = x.softmax(0), ly = x.log_softmax(-1);
  EXPECT_EQ(y.sizes(), Shape{});
  EXPECT_EQ(y.item<double>(), 1.0);
  EXPECT_EQ(ly.item<double>(), 0.0);
}

TEST(SoftmaxTest, MinusInfinityMasksOut) {
  // A causal-attention mask: e^-inf is 0, and the masked entry gets no gradient.
  const double inf = std::numeric_limits<double>::infinity();
  Tensor x = tensor({0.5, -inf, 1.5, -inf}, {2, 2}).requires_grad_();
  Tensor y = x.softmax(1);
  EXPECT_EQ(element(y, 0), 1.0);
  EXPECT_EQ(element(y, 1), 0.0);
  EXPECT_EQ(element(y, 2), 1.0);
  EXPECT_EQ(element(y, 3), 0.0);
  y.backward(tensor({1.0, 2.0, 3.0, 4.0}, {2, 2}));
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(element(x.grad(), i), 0.0);
  Tensor ly = x.detach().log_softmax(1);
  EXPECT_EQ(element(ly, 0), 0.0);
  EXPECT_EQ(element(ly, 1), -inf);
  // A row that is all -inf has no distribution: nan, as torch.
  Tensor all_masked = tensor({-inf, -inf}, {2});
  EXPECT_TRUE(std::isnan(element(all_masked.softmax(0), 0)));
  EXPECT_TRUE(std::isnan(element(all_masked.log_softmax(0), 1)));
}

TEST(SoftmaxTest, BackwardReadsTheSavedOutput) {
  // The backward is written in y, so y is saved: editing its storage in place (here
  // through a detached alias, which shares the version counter) is caught.
  Tensor x = zeros({2, 3}).requires_grad_();
  Tensor y = x.softmax(1);
  y.detach().mul_(2.0);
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { y.backward(ones({2, 3})); }, {"modified by an inplace operation", "SoftmaxBackward0"}));
}

TEST(SoftmaxTest, Errors) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({2, 3}, DType::Int64).softmax(1); },
      {"softmax: expected a floating point tensor", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({2, 3}, DType::Int64).log_softmax(1); }, {"log_softmax: expected a floating point tensor"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [] { zeros({2, 3}).softmax(2); }, {"softmax", "dimension 2", "[-2, 1]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [] { zeros({2, 3}).log_softmax(-3); }, {"log_softmax", "dimension -3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { softmax(Tensor(), 0); }, {"softmax: undefined tensor"}));
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/loss.cpp: cross_entropy against PyTorch 1.13 (tests/fixtures/ops_b.txt) for
// every reduction, ignore_index (torch's default -100, a real class, a negative value), a batch
// whose every target is ignored (mean is 0/0 = nan) and logits of size 1e3; float64 finite
// differences of the fused backward; the grad_fn name; and the errors.
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

struct Case {
  const char* name;
  int64_t ignore_index;
};
// The fixture's CE_CASES (tools/make_ops_b_fixtures.py).
const Case kCases[] = {{"plain", -100},         {"ignore_default", -100}, {"ignore_custom", 2},
                       {"ignore_negative", -1}, {"all_ignored", -100},    {"large", -100}};

struct NamedReduction {
  Reduction reduction;
  const char* name;
};
const NamedReduction kReductions[] = {
    {Reduction::Mean, "mean"}, {Reduction::Sum, "sum"}, {Reduction::None, "none"}};

TEST(LossTest, CrossEntropyMatchesTorchForEveryReductionAndIgnoreIndex) {
  for (const Case& c : kCases) {
    for (const NamedReduction& r : kReductions) {
      for (const char* code : {"f32", "f64"}) {
        std::string p = std::string("ce_") + c.name + "_" + r.name + "_" + code;
        Tensor logits = fixture()[p + "_logits"].clone().requires_grad_();
        Tensor targets = fixture()[p + "_t"];
        Tensor loss = cross_entropy(logits, targets, r.reduction, c.ignore_index);
        EXPECT_TRUE(all_close(loss, fixture()[p + "_out"])) << p + "_out";
        loss.backward(fixture()[p + "_g"]);
        EXPECT_TRUE(all_close(logits.grad(), fixture()[p + "_dx"])) << p + "_dx";
      }
    }
  }
}

TEST(LossTest, DefaultsAreMeanAndMinus100) {
  Tensor logits = fixture()["ce_ignore_default_mean_f64_logits"];
  EXPECT_TRUE(all_close(cross_entropy(logits, fixture()["ce_ignore_default_mean_f64_t"]),
      fixture()["ce_ignore_default_mean_f64_out"]));
}

TEST(LossTest, AllIgnoredMeanIsNanAndGradientIsZero) {
  Tensor logits = fixture()["ce_all_ignored_mean_f32_logits"].clone().requires_grad_();
  Tensor loss = cross_entropy(logits, fixture()["ce_all_ignored_mean_f32_t"]);
  EXPECT_TRUE(std::isnan(loss.item<float>()));
  loss.backward();
  for (int64_t i = 0; i < logits.numel(); ++i) EXPECT_EQ(element(logits.grad(), i), 0.0) << i;
}

TEST(LossTest, LargeLogitsStayFinite) {
  // Logits of size ~1e3: e^x overflows, the shifted logsumexp does not.
  for (const char* code : {"f32", "f64"}) {
    std::string p = std::string("ce_large_none_") + code;
    Tensor logits = fixture()[p + "_logits"].clone().requires_grad_();
    Tensor loss = cross_entropy(logits, fixture()[p + "_t"], Reduction::None);
    loss.sum().backward();
    for (int64_t i = 0; i < loss.numel(); ++i) EXPECT_TRUE(std::isfinite(element(loss, i))) << p;
    for (int64_t i = 0; i < logits.numel(); ++i) EXPECT_TRUE(std::isfinite(element(logits.grad(), i))) << p;
  }
}

TEST(LossTest, EqualsLogSoftmaxPickedAtTheTarget) {
  // loss_i = -log_softmax(x)_i[t_i]: the unfused definition, through a second op.
  Tensor logits = fixture()["ce_plain_none_f64_logits"];
  Tensor t = fixture()["ce_plain_none_f64_t"];
  Tensor loss = cross_entropy(logits, t, Reduction::None);
  Tensor lsm = logits.log_softmax(1);
  for (int64_t i = 0; i < 5; ++i) {
    int64_t ti = t.data_ptr<int64_t>()[i];
    EXPECT_NEAR(element(loss, i), -element(lsm, i * 4 + ti), 1e-12) << i;
  }
}

TEST(LossTest, GradcheckEveryReduction) {
  manual_seed(0);
  Tensor t = tensor({2, 0, -100, 3, 2});
  Tensor t2 = tensor({2, 0, 1, 3, 2});  // ignore_index 2: rows 0 and 4 drop out
  for (const NamedReduction& r : kReductions) {
    Tensor logits = randn({5, 4}, DType::Float64).requires_grad_();
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& x) { return cross_entropy(x[0], t, r.reduction); }, {logits}))
        << r.name;
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& x) { return cross_entropy(x[0], t2, r.reduction, 2); }, {logits}))
        << r.name << " ignore_index 2";
  }
  // Composed after another op, the fused node hands its gradient on.
  Tensor w = randn({3, 4}, DType::Float64).requires_grad_();
  Tensor h = randn({5, 3}, DType::Float64);
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Tensor>& x) { return cross_entropy(h.matmul(x[0]), t); }, {w}));
}

TEST(LossTest, GradFnNameAndTargetsGetNoGradient) {
  Tensor logits = zeros({2, 3}).requires_grad_();
  Tensor t = tensor({0, 2});
  for (const NamedReduction& r : kReductions)
    EXPECT_EQ(cross_entropy(logits, t, r.reduction).grad_fn_name(), "NllLossBackward0") << r.name;
  EXPECT_EQ(cross_entropy(zeros({2, 3}), t).grad_fn_name(), "");
  Tensor loss = cross_entropy(logits, t);
  loss.backward();
  EXPECT_FALSE(t.requires_grad());
  EXPECT_FALSE(t.grad().defined());
  // uniform logits: softmax is 1/3 everywhere; d mean / dx = (1/3 - onehot) / 2
  EXPECT_FLOAT_EQ(logits.grad().data_ptr<float>()[0], (1.0f / 3 - 1) / 2);
  EXPECT_FLOAT_EQ(logits.grad().data_ptr<float>()[1], (1.0f / 3) / 2);
  EXPECT_FLOAT_EQ(loss.item<float>(), std::log(3.0f));
}

TEST(LossTest, Errors) {
  Tensor logits = zeros({3, 4});
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { cross_entropy(logits, tensor({0, 4, 1})); },
      {"cross_entropy: target 4 at position 1 is out of range for 4 classes", "expected 0..3",
       "ignore_index -100"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { cross_entropy(logits, tensor({0, 1, -1})); },
      {"cross_entropy: target -1 at position 2 is out of range"}));
  // -100 is a class index only while it is the ignore_index.
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { cross_entropy(logits, tensor({-100, 1, 2}), Reduction::Mean, 0); },
      {"target -100 at position 0", "ignore_index 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(logits, tensor({0.0f, 1.0f, 2.0f}, {3})); },
      {"cross_entropy: targets must be torch.int64", "torch.float32"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(zeros({3, 4}, DType::Int64), tensor({0, 1, 2})); },
      {"cross_entropy: logits must be floating point", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(zeros({4}), tensor({0})); },
      {"cross_entropy: expected logits of shape (N, C)", "[4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(zeros({2, 3, 4}), tensor({0, 1})); },
      {"cross_entropy: expected logits of shape (N, C)", "[2, 3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(logits, tensor({0, 1})); },
      {"cross_entropy: expected targets of shape (3)", "[3, 4]", "[2]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(logits, tensor({0, 1, 2, 3, 0, 1}, {3, 2})); },
      {"cross_entropy: expected targets of shape (3)", "[3, 2]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cross_entropy(Tensor(), tensor({0})); }, {"cross_entropy: undefined tensor"}));
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/loss.cpp: cross_entropy against PyTorch 1.13 (tests/fixtures/ops_b.txt) for
// every reduction, ignore_index (torch's default -100, a real class, a negative value), a batch
// whose every target is ignored (mean is 0/0 = nan) and logits of size 1e3; float64 finite
// differences of the fused backward; the grad_fn name; and the errors. Then linear_cross_entropy:
// the same bits as the composite cross_entropy(linear(x, W, b), t) (itself checked against torch
// above and in linear_test), float64 finite differences, thread-count determinism, errors.
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


// ---- linear_cross_entropy ----

// Loss and the gradients of x, W, b (b undefined: none) after loss.backward(g), for the fused
// op or the composite it replaces.
std::vector<Tensor> head_run(bool fused, const Tensor& x0, const Tensor& w0, const Tensor& b0, const Tensor& t,
                             Reduction r = Reduction::Mean, int64_t ignore_index = -100, double g = 1) {
  Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_();
  Tensor b = b0.defined() ? b0.clone().requires_grad_() : Tensor();
  Tensor loss = fused ? linear_cross_entropy(x, w, t, b, r, ignore_index)
                      : cross_entropy(linear(x, w, b).flatten(0, -2), t.flatten(), r, ignore_index);
  (r == Reduction::None ? loss.sum() : loss).mul(g).backward();
  return {loss, x.grad(), w.grad(), b.defined() ? b.grad() : Tensor()};
}

// Targets in [0, V), every 7th set to ignore_index.
Tensor head_targets(const Shape& shape, int64_t V, int64_t ignore_index = -100) {
  Tensor t = randint(0, V, shape);
  for (int64_t i = 0; i < t.numel(); i += 7) t.data_ptr<int64_t>()[i] = ignore_index;
  return t;
}

// Chunks of 256 rows: N below, at and past a chunk, and not a multiple of it; V not a multiple of
// any GEMM panel width (8, 16, 32); a 3-D input. The composite's bits, gradients included,
// but for the bias's: the fused op sums db in double, the composite's sum_to in torch's float
// cascade over all N rows, which a chunk cannot resume; the two agree to float rounding.
TEST(LinearCrossEntropyTest, SameBitsAsTheComposite) {
  struct Shape3 { Shape x; int64_t V; };
  const Shape3 shapes[] = {{{5, 3}, 7}, {{256, 16}, 33}, {{600, 24}, 100}, {{2, 300, 20}, 45}};
  manual_seed(0);
  for (const Shape3& s : shapes) {
    Tensor x = randn(s.x), w = randn({s.V, s.x.back()}), b = randn({s.V});
    Tensor t = head_targets(Shape(s.x.begin(), s.x.end() - 1), s.V);
    for (const NamedReduction& r : kReductions)
      for (bool bias : {false, true}) {
        auto fused = head_run(true, x, w, bias ? b : Tensor(), t, r.reduction);
        auto composite = head_run(false, x, w, bias ? b : Tensor(), t, r.reduction);
        for (size_t i = 0; i < (bias ? 4u : 3u); ++i)
          EXPECT_TRUE(all_close(fused[i], composite[i].reshape(fused[i].sizes()), i == 3 ? -1.0 : 0.0))
              << shape_str(s.x) << " V " << s.V << " " << r.name << (bias ? " bias" : "") << " output " << i;
      }
  }
}

// An upstream gradient other than 1 scales the saved gradients after the fact: no longer
// the composite's bits, but as close as float32 goes. And a real class as ignore_index.
TEST(LinearCrossEntropyTest, UpstreamGradientAndIgnoreIndex) {
  manual_seed(1);
  Tensor x = randn({300, 16}), w = randn({40, 16}), b = randn({40}), t = head_targets({300}, 40, 3);
  for (Reduction r : {Reduction::Mean, Reduction::Sum}) {
    auto fused = head_run(true, x, w, b, t, r, 3, -2.5), composite = head_run(false, x, w, b, t, r, 3, -2.5);
    for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(all_close(fused[i], composite[i], 1e-5)) << "output " << i;
  }
}

TEST(LinearCrossEntropyTest, Gradcheck) {
  manual_seed(2);
  Tensor x = randn({2, 3, 4}, DType::Float64).requires_grad_(), w = randn({5, 4}, DType::Float64).requires_grad_();
  Tensor b = randn({5}, DType::Float64).requires_grad_(), t = head_targets({2, 3}, 5), t1 = head_targets({2, 3}, 5, 1);
  for (const NamedReduction& r : kReductions) {
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& v) { return linear_cross_entropy(v[0], v[1], t, v[2], r.reduction); },
        {x, w, b})) << r.name;
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& v) { return linear_cross_entropy(v[0], v[1], t1, {}, r.reduction, 1); },
        {x, w})) << r.name << " ignore_index 1, no bias";
  }
}

TEST(LinearCrossEntropyTest, SameBitsAtOneTwoAndFourThreads) {
  manual_seed(3);
  Tensor x = randn({600, 64}), w = randn({300, 64}), b = randn({300}), t = head_targets({600}, 300);
  const int before = get_num_threads();
  std::vector<Tensor> out[3];
  for (int k = 0; k < 3; ++k) {
    set_num_threads(1 << k);
    out[k] = head_run(true, x, w, b, t);
  }
  set_num_threads(before);
  for (int k = 1; k < 3; ++k)
    for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(all_close(out[k][i], out[0][i], 0)) << (1 << k) << " threads, output " << i;
}

// Only the gradients asked for are made; without grad mode, only the loss.
TEST(LinearCrossEntropyTest, GradientsOnlyWhereNeeded) {
  manual_seed(4);
  Tensor x = randn({10, 6}), w = randn({9, 6}).requires_grad_(), t = head_targets({10}, 9);
  Tensor loss = linear_cross_entropy(x, w, t);
  EXPECT_EQ(loss.grad_fn_name(), "LinearCrossEntropyBackward0");
  loss.backward();
  EXPECT_FALSE(x.grad().defined());
  EXPECT_TRUE(all_close(w.grad(), head_run(false, x, w.detach(), {}, t)[2], 0));
  NoGradGuard no_grad;
  Tensor plain = linear_cross_entropy(x, w, t);
  EXPECT_EQ(plain.grad_fn_name(), "");
  EXPECT_TRUE(all_close(plain, loss, 0));
}

TEST(LinearCrossEntropyTest, Errors) {
  Tensor x = zeros({2, 3, 4}), w = zeros({5, 4}), t = zeros({2, 3}, DType::Int64);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { linear_cross_entropy(x, zeros({5, 4, 1}), t); },
                                                 {"linear_cross_entropy: weight must be 2-D", "[5, 4, 1]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { linear_cross_entropy(zeros({2, 3, 6}), w, t); },
      {"linear_cross_entropy: input has 6 features (last dim of [2, 3, 6]) but weight expects 4", "[5, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { linear_cross_entropy(x, w, zeros({6}, DType::Int64)); },
      {"linear_cross_entropy: expected targets of shape (2, 3) to match input [2, 3, 4], got [6]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { linear_cross_entropy(x, w, tensor({0, 1, 2, 3, 5, 4}, {2, 3})); },
      {"linear_cross_entropy: target 5 at position 4 is out of range for 5 classes", "expected 0..4"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { linear_cross_entropy(x, w, tensor({0, -1, 2, 3, 4, 4}, {2, 3})); },
                                             {"linear_cross_entropy: target -1 at position 1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { linear_cross_entropy(x, w, zeros({2, 3})); },
      {"linear_cross_entropy: targets must be torch.int64", "torch.float32"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { linear_cross_entropy(x, w, t, zeros({4})); },
      {"linear_cross_entropy: bias must have shape [5] to match weight shape [5, 4], got [4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { linear_cross_entropy(x, zeros({5, 4}, DType::Float64), t); },
      {"linear_cross_entropy: expected floating point input, weight and bias of one dtype", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { linear_cross_entropy(x, w, Tensor()); },
                                                 {"linear_cross_entropy: undefined target"}));
}

}  // namespace
}  // namespace minigrad

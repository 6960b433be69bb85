// Checks nn/functional.cpp against torch.nn.functional (tests/fixtures/nn_functional.txt):
// embedding with a padding row and repeated ids, cross_entropy in its (C), (N, C) and
// (N, C, d) layouts with an ignored target and each reduction, and the thin wrappers;
// mse_loss per reduction against tools/make_module_fixtures.py (nn_layers.txt), and its gradcheck.
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
namespace F = nn::functional;

const testing::Fixture& fx() { return testing::Fixture::get("nn_functional.txt"); }

TEST(NnFunctional, EmbeddingWithPaddingAndRepeatsMatchesTorch) {
  Tensor w = fx()["embedding_w"].clone().requires_grad_();
  Tensor y = F::embedding(fx()["embedding_ids"], w, 4);
  EXPECT_TRUE(all_close(y, fx()["embedding_y"], 0));
  y.backward(fx()["embedding_gy"]);
  EXPECT_TRUE(all_close(w.grad(), fx()["embedding_dw"], {.atol = 1e-6, .rtol = 1e-6}));
  // padding_idx -2 is row 4 of 6 as well.
  Tensor w2 = fx()["embedding_w"].clone().requires_grad_();
  F::embedding(fx()["embedding_ids"], w2, -2).backward(fx()["embedding_gy"]);
  EXPECT_TRUE(all_close(w2.grad(), fx()["embedding_dw"], {.atol = 1e-6, .rtol = 1e-6}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { F::embedding(tensor({0}), w, 6); }, {"padding_idx 6"}));
}

TEST(NnFunctional, PaddingRowCountsNegativeIndicesFromTheEnd) {
  EXPECT_EQ(F::padding_row(std::nullopt, 6), std::nullopt);
  EXPECT_EQ(F::padding_row(0, 6), 0);
  EXPECT_EQ(F::padding_row(5, 6), 5);
  EXPECT_EQ(F::padding_row(-1, 6), 5);
  EXPECT_EQ(F::padding_row(-6, 6), 0);
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { F::padding_row(-7, 6); },
                                                 {"embedding", "padding_idx -7", "6 rows", "-6..5"}));
}

TEST(NnFunctional, CrossEntropyOverExtraDimsMatchesTorch) {
  struct Case { const char* name; Reduction r; };
  for (Case c : {Case{"none", Reduction::None}, Case{"mean", Reduction::Mean}, Case{"sum", Reduction::Sum}}) {
    SCOPED_TRACE(c.name);
    std::string k = std::string("ce3d_") + c.name;
    Tensor x = fx()["ce3d_x"].clone().requires_grad_();
    Tensor loss = F::cross_entropy(x, fx()["ce3d_t"], c.r);
    EXPECT_TRUE(all_close(loss, fx()[k + "_loss"], {.atol = 1e-6, .rtol = 1e-6}));
    loss.backward(c.r == Reduction::None ? ones_like(loss) : Tensor());
    EXPECT_TRUE(all_close(x.grad(), fx()[k + "_dx"], {.atol = 1e-6, .rtol = 1e-6}));
  }
}

TEST(NnFunctional, CrossEntropyOfOneSampleMatchesTorch) {
  Tensor x = fx()["ce1d_x"].clone().requires_grad_();
  Tensor loss = F::cross_entropy(x, scalar_tensor(3, DType::Int64));
  EXPECT_EQ(loss.dim(), 0);
  EXPECT_TRUE(all_close(loss, fx()["ce1d_loss"], {.atol = 1e-6, .rtol = 1e-6}));
  loss.backward();
  EXPECT_TRUE(all_close(x.grad(), fx()["ce1d_dx"], {.atol = 1e-6, .rtol = 1e-6}));
  EXPECT_EQ(F::cross_entropy(x, scalar_tensor(3, DType::Int64), Reduction::None).dim(), 0);
}

TEST(NnFunctional, CrossEntropyOverExtraDimsFiniteDifferences) {
  manual_seed(21);
  Tensor x = randn({2, 4, 3}, DType::Float64).requires_grad_();
  Tensor t = tensor({0, 3, 1, 2, 2, -100}, {2, 3});
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Tensor>& in) { return F::cross_entropy(in[0], t, Reduction::None); }, {x}));
}

TEST(NnFunctional, ThinWrappersAreCoresOps) {
  manual_seed(22);
  Tensor x = randn({3, 5});
  EXPECT_TRUE(all_close(F::softmax(x, 1), x.softmax(1), 0));
  EXPECT_TRUE(all_close(F::log_softmax(x, 0), x.log_softmax(0), 0));
  EXPECT_TRUE(all_close(F::relu(x), x.relu(), 0));
  Tensor t = tensor({1, 0, 4});
  EXPECT_TRUE(all_close(F::one_hot(t), tensor({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, {3, 5}), 0));
  EXPECT_EQ(F::one_hot(t, 7).sizes(), (Shape{3, 7}));
  Tensor targets = tensor({4, 0, 2});
  EXPECT_TRUE(all_close(F::cross_entropy(x, targets), cross_entropy(x, targets), 0));
}

TEST(NnFunctional, CrossEntropyShapeErrors) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { F::cross_entropy(zeros({2, 5, 3}), tensor({0, 1, 2}, {1, 3})); }, {"[2, 3]", "[1, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { F::cross_entropy(zeros({5}), tensor({1})); }, {"0-dim target", "[1]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [] { F::cross_entropy(zeros({2, 5, 1}), tensor({0, 5}, {2, 1})); }, {"target 5", "5 classes"}));
}

TEST(NnFunctional, MseLossMatchesTorchForEachReduction) {
  const testing::Fixture& ref = testing::Fixture::get("nn_layers.txt");
  struct Case {
    Reduction reduction;
    const char* name;
  };
  for (Case c : {Case{Reduction::Mean, "mean"}, Case{Reduction::Sum, "sum"}, Case{Reduction::None, "none"}}) {
    std::string n = std::string("mse_") + c.name;
    Tensor x = ref["mse_input"].clone().requires_grad_();
    Tensor t = ref["mse_target"].clone().requires_grad_();
    Tensor loss = F::mse_loss(x, t, c.reduction);
    EXPECT_TRUE(all_close(loss, ref[n], {.atol = 1e-7, .rtol = 1e-6})) << n;
    (c.reduction == Reduction::None ? loss * ref["mse_weight"] : loss).sum().backward();
    EXPECT_TRUE(all_close(x.grad(), ref[n + "_grad_input"], {.atol = 1e-7, .rtol = 1e-6})) << n;
    EXPECT_TRUE(all_close(t.grad(), ref[n + "_grad_target"], {.atol = 1e-7, .rtol = 1e-6})) << n;
  }
}

TEST(NnFunctional, MseLossGradcheckAndShapeError) {
  manual_seed(3);
  Tensor x = randn({2, 3}, DType::Float64).requires_grad_();
  Tensor t = randn({2, 3}, DType::Float64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return F::mse_loss(in[0], in[1]); }, {x, t}));
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return F::mse_loss(in[0], in[1], Reduction::None); }, {x, t}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { F::mse_loss(zeros({2, 3}), zeros({3})); },
                                                 {"mse_loss", "[2, 3]", "[3]", "same shape"}));
}

}  // namespace
}  // namespace minigrad

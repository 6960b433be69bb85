// Checks nn/dropout.h: training-mode draws equal torch.nn.Dropout's after the same
// manual_seed (tools/make_module_fixtures.py), eval() passes the input through, p is checked.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

const testing::Fixture& fx() { return testing::Fixture::get("nn_layers.txt"); }

TEST(NnDropout, TrainingDrawsEqualTorchs) {
  nn::Dropout half;  // p = 0.5, the book's chapter 3 cell
  EXPECT_EQ(half.p, 0.5);
  manual_seed(123);
  EXPECT_TRUE(testing::bitwise_equal(half(ones({6, 6})), fx()["dropout_p05"]));
  nn::Dropout tenth(0.1);
  manual_seed(123);
  EXPECT_TRUE(testing::bitwise_equal(tenth(arange(0, 20, 1, DType::Float64).reshape({4, 5})), fx()["dropout_p01_f64"]));
}

TEST(NnDropout, EvalPassesTheInputThrough) {
  nn::Dropout drop(0.5);
  drop.eval();
  Tensor x = ones({3, 3});
  EXPECT_TRUE(drop(x).is_same(x));
  drop.train();
  manual_seed(0);
  Tensor y = drop(x);
  EXPECT_FALSE(y.is_same(x));
  EXPECT_EQ(y.grad_fn_name(), "");  // x needs no grad, so nothing is recorded
}

TEST(NnDropout, ProbabilityOutsideZeroOneIsAnError) {
  for (double p : {-0.1, 1.5, std::nan("")}) {
    EXPECT_TRUE(testing::throws_with<std::invalid_argument>([&] { nn::Dropout d(p); },
                                                            {"Dropout", "between 0 and 1", "p="}));
  }
  nn::Dropout all(1.0);  // the edges are allowed: p = 1 zeroes everything
  EXPECT_TRUE(testing::all_close(all(ones({2})), zeros({2}), 0));
  EXPECT_EQ(all.extra_repr(), "p=1.0, inplace=False");
}

}  // namespace
}  // namespace minigrad

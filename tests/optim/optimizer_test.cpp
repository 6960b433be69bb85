// Checks optim/optimizer.cpp through SGD, its simplest rule: the parameter-list checks
// (as torch.optim's, plus duplicates, which torch only warns about) and zero_grad both ways.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/core.h"
#include "optim/optim.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

TEST(OptimOptimizer, ParameterListErrors) {
  Tensor p = zeros({2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({}, {0.1}); }, {"empty parameter list"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p, Tensor()}, {0.1}); }, {"parameter 1", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p * 2.0}, {0.1}); }, {"non-leaf", "MulBackward0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p, p}, {0.1}); }, {"parameter 1", "more than once"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({tensor({1, 2})}, {0.1}); }, {"torch.int64"}));
}

TEST(OptimOptimizer, ZeroGradDropsOrZeroes) {
  Tensor a = tensor({1.0, 2.0}).requires_grad_(), b = tensor({3.0}).requires_grad_();
  optim::SGD opt({a, b}, {0.1});
  EXPECT_EQ(opt.parameters().size(), 2u);
  EXPECT_TRUE(opt.parameters()[1].is_same(b));
  (a * 3.0).sum().backward();  // b takes no part: its grad stays undefined
  opt.zero_grad(false);
  EXPECT_TRUE(all_close(a.grad(), zeros({2}, DType::Float64), 0));
  EXPECT_FALSE(b.grad().defined());
  // Zeroed, not dropped: the next backward adds into the same buffer.
  Tensor buffer = a.grad();
  (a * 2.0).sum().backward();
  EXPECT_TRUE(a.grad().is_same(buffer));
  EXPECT_TRUE(all_close(a.grad(), tensor({2.0, 2.0}), 0));
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

}  // namespace
}  // namespace minigrad

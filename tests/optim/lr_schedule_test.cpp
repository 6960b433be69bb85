// Checks optim/lr_schedule.cpp: the book's appendix D schedule at every step of a short run,
// by hand (warm-up is linear, the cosine passes peak, middle and min) and to the bit against
// the book's loop run in Python; driving an optimizer's groups; the option errors.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/core.h"
#include "optim/optim.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;

// The book's numbers: initial 1e-4, peak 1e-2, min 0.1 * initial; 4 warm-up steps of 10.
optim::WarmupCosine book_schedule() {
  return optim::WarmupCosine({.initial_lr = 0.0001, .peak_lr = 0.01, .min_lr = 0.1 * 0.0001,
                              .warmup_steps = 4, .total_steps = 10});
}

TEST(OptimWarmupCosine, HandDerivedValues) {
  optim::WarmupCosine s = book_schedule();
  EXPECT_DOUBLE_EQ(s.lr(0), 1e-4);                           // warm-up starts at initial_lr
  EXPECT_DOUBLE_EQ(s.lr(2), 1e-4 + 2 * (0.0099 / 4));        // a straight line ...
  EXPECT_DOUBLE_EQ(s.lr(4), 0.01);                           // ... to the peak: cos(0) = 1
  EXPECT_DOUBLE_EQ(s.lr(7), 1e-5 + 0.00999 * 0.5);           // progress 1/2: cos(pi/2) = 0
  EXPECT_NEAR(s.lr(9), 1e-5 + 0.00999 * 0.5 * (1 - std::sqrt(3.0) / 2), 1e-17);  // cos(5 pi / 6)
  EXPECT_EQ(s.lr(10), 1e-5);  // the end of training, and after it
  EXPECT_EQ(s.lr(1000), 1e-5);
}

// The book's loop in Python (`initial_lr + global_step * lr_increment`, then
// `min_lr + (peak_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))`), printed with repr.
TEST(OptimWarmupCosine, EqualsTheBooksLoopToTheBit) {
  const std::vector<double> python = {0.0001, 0.002575, 0.005050000000000001, 0.007525000000000001, 0.01,
                                      0.009330796891903272, 0.0075025000000000005, 0.005005,
                                      0.0025075000000000015, 0.0006792031080967287};
  optim::WarmupCosine s = book_schedule();
  for (int64_t step = 0; step < 10; ++step) EXPECT_EQ(s.lr(step), python[step]) << "step " << step;
}

TEST(OptimWarmupCosine, NoWarmupStartsAtThePeak) {
  optim::WarmupCosine s({.initial_lr = 0, .peak_lr = 1, .min_lr = 0, .warmup_steps = 0, .total_steps = 2});
  EXPECT_EQ(s.lr(0), 1.0);
  EXPECT_DOUBLE_EQ(s.lr(1), 0.5);
}

TEST(OptimWarmupCosine, SetsEveryGroupsLr) {
  Tensor a = zeros({1}).requires_grad_(), b = zeros({1}).requires_grad_();
  optim::AdamW opt({{{a}, {.lr = 1.0}}, {{b}, {.lr = 2.0, .weight_decay = 0}}});
  EXPECT_EQ(book_schedule().apply(opt, 4), 0.01);
  EXPECT_EQ(opt.lr(0), 0.01);
  EXPECT_EQ(opt.lr(1), 0.01);
  optim::SGD sgd({a}, {0.5});
  book_schedule().apply(sgd, 0);
  EXPECT_EQ(sgd.options().lr, 1e-4);
}

TEST(OptimWarmupCosine, OptionErrors) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { optim::WarmupCosine({.warmup_steps = -1, .total_steps = 5}); },
                                                 {"WarmupCosine", "warmup_steps", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { optim::WarmupCosine({.warmup_steps = 5, .total_steps = 5}); },
                                                 {"total_steps (5)", "warmup_steps (5)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { optim::WarmupCosine({.peak_lr = -0.1, .total_steps = 5}); },
                                                 {"peak_lr", "-0.1"}));
}

}  // namespace
}  // namespace minigrad

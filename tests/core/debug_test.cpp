// DetectAnomalyGuard on ops that really produce NaN/inf, and GradTraceGuard's log.
#include "core/debug.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/core.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::contains;
using testing::throws_with;

TEST(DebugTest, SqrtAtZeroHasInfiniteGradient) {
  Tensor x = tensor({0.0, 4.0}).requires_grad_();
  DetectAnomalyGuard guard;
  Tensor y = x.sqrt().sum();  // forward is finite: sqrt(0) = 0
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { y.backward(); }, {"SqrtBackward0 produced inf in its gradient for input 0", "sqrt"}));
}

TEST(DebugTest, WithoutGuardTheInfFlowsSilently) {
  Tensor x = tensor({0.0, 4.0}).requires_grad_();
  x.sqrt().sum().backward();
  EXPECT_TRUE(std::isinf(x.grad().data_ptr<double>()[0]));
  EXPECT_DOUBLE_EQ(x.grad().data_ptr<double>()[1], 0.25);
}

TEST(DebugTest, LogAtZeroIsCaughtInForward) {
  Tensor x = tensor({1.0f, 0.0f}).requires_grad_();
  DetectAnomalyGuard guard;
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { x.log(); }, {"log produced -inf in its output", "LogBackward0"}));
}

TEST(DebugTest, ZeroOverZeroIsCaughtInForward) {
  Tensor a = tensor({0.0f}).requires_grad_();
  Tensor b = tensor({0.0f});
  DetectAnomalyGuard guard;
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { a / b; }, {"div produced nan"}));
}

TEST(DebugTest, GuardEndsWithItsScope) {
  Tensor x = tensor({0.0}).requires_grad_();
  { DetectAnomalyGuard guard; EXPECT_TRUE(DetectAnomalyGuard::is_enabled()); }
  EXPECT_FALSE(DetectAnomalyGuard::is_enabled());
  EXPECT_NO_THROW(x.log());
}

TEST(DebugTest, TraceLogsEachBackwardStepWithNorms) {
  Tensor w = tensor({3.0, 4.0}).requires_grad_();
  std::ostringstream log;
  {
    GradTraceGuard trace(log);
    (w * 2.0).sum().backward();
  }
  std::string s = log.str();
  // d/dw sum(2w) = [2, 2], norm sqrt(8) = 2.82843
  EXPECT_TRUE(contains(s, "backward SumBackward0: grad_output [] norm 1"));
  EXPECT_TRUE(contains(s, "backward MulBackward0: grad_output [2] norm 1.41421"));
  EXPECT_TRUE(contains(s, "-> input 0 [2] norm 2.82843 into AccumulateGrad"));
  std::ostringstream after;
  { GradTraceGuard trace(after); }
  (w * 2.0).sum().backward();
  EXPECT_EQ(after.str(), "");
}

}  // namespace
}  // namespace minigrad

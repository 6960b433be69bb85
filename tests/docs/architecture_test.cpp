// The code docs/architecture.md shows in "One way to record an op": a new op written with
// record_op, between the snippet markers below (tests/docs/tutorial_test.cpp holds the doc
// and this file equal). Checked by hand-derived values and a float64 gradcheck.
#include <gtest/gtest.h>

#include <cmath>

#include "core/autograd.h"
#include "core/core.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

// [snippet softplus]
// softplus(x) = log(1 + e^x): one node, where the three ops of its forward would record three.
// y = log(1 + e^x)  =>  dx = g * e^x / (1 + e^x) = g * sigmoid(x)      saved: x
Tensor softplus(const Tensor& x) {
  Tensor y;
  {
    NoGradGuard no_grad;  // the forward's own ops record nothing
    y = (x.exp() + 1.0).log();
  }
  return record_op(y, {x}, "SoftplusBackward0", /*saved=*/{x},
                   [](const Node& node, const Tensor& g) -> Grads { return {g * node.saved(0).sigmoid()}; });
}
// [end softplus]

TEST(ArchitectureRecordOp, SoftplusIsOneNodeWithTheDerivedGradient) {
  Tensor x = tensor({0.0, std::log(3.0), -std::log(3.0)}).requires_grad_();
  Tensor y = softplus(x);
  EXPECT_EQ(y.grad_fn_name(), "SoftplusBackward0");
  // softplus(0) = ln 2, softplus(ln 3) = ln 4, softplus(-ln 3) = ln(4/3);
  // sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4.
  EXPECT_TRUE(testing::all_close(y, tensor({std::log(2.0), std::log(4.0), std::log(4.0 / 3.0)})));
  y.backward(tensor({1.0, 2.0, 4.0}));
  EXPECT_TRUE(testing::all_close(x.grad(), tensor({0.5, 1.5, 1.0})));
}

TEST(ArchitectureRecordOp, SoftplusGradcheck) {
  Tensor x = tensor({-2.5, -0.3, 0.0, 0.7, 3.1}).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return softplus(in[0]); }, {x}));
}

TEST(ArchitectureRecordOp, NothingIsRecordedWithoutGrad) {
  Tensor y = softplus(tensor({1.0, 2.0}));
  EXPECT_EQ(y.grad_fn_name(), "");
}

}  // namespace
}  // namespace minigrad

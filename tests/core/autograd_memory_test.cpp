// The autograd engine's memory and order: the saved-tensor version check, freeing
// of the graph and of saved tensors, the order gradients are summed in (PyTorch's
// numbers from tests/fixtures/autograd.txt), million-op chains (an iterative walk and
// destructor), and who owns a gradient buffer when AccumulateGrad steals one (and the
// switch that stops it, MINIGRAD_STEAL_GRAD=0).
// Not here: gradient values, hooks, grad mode, errors (autograd_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/scoped_switch.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::message_of;

const testing::Fixture& fixture() { return testing::Fixture::get("autograd.txt"); }

// ---- the version check ----

TEST(AutogradTest, ModifyingASavedInputInPlaceFailsTheBackward) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor w = tensor({3.0, 4.0});
  Tensor loss = (x * w).sum();  // MulBackward0 saved w at version 0
  w.mul_(2.0);
  std::string msg = message_of<std::runtime_error>([&] { loss.backward(); });
  EXPECT_TRUE(contains(msg, "modified by an inplace operation"));
  EXPECT_TRUE(contains(msg, "[torch.DoubleTensor [2]]"));
  EXPECT_TRUE(contains(msg, "saved by MulBackward0"));
  EXPECT_TRUE(contains(msg, "is at version 1; expected version 0"));
  EXPECT_FALSE(x.grad().defined());
}

TEST(AutogradTest, ModifyingASavedOutputOrLeafFailsTheBackward) {
  // exp saves its output; a write through it under NoGradGuard is still caught.
  Tensor x = tensor({0.0, 1.0}).requires_grad_();
  Tensor y = x.exp();
  Tensor loss = y.sum();
  {
    NoGradGuard no_grad;
    y.add_(1.0);
    y.mul_(2.0);
  }
  std::string msg = message_of<std::runtime_error>([&] { loss.backward(); });
  EXPECT_TRUE(contains(msg, "saved by ExpBackward0"));
  EXPECT_TRUE(contains(msg, "is at version 2; expected version 0"));
  // An optimizer-like update of a leaf between forward and backward, and a
  // write through a detached alias, are both caught too.
  Tensor p = tensor({1.0, 2.0}).requires_grad_();
  Tensor l2 = (p * p).sum();
  p.detach().sub_(0.5);
  EXPECT_TRUE(contains(message_of<std::runtime_error>([&] { l2.backward(); }), "expected version 0"));
  // Changing a clone is fine.
  Tensor q = tensor({1.0, 2.0}).requires_grad_();
  Tensor l3 = (q * q).sum();
  q.detach().clone().sub_(0.5);
  l3.backward();
  EXPECT_TRUE(bitwise_equal(q.grad(), tensor({2.0, 4.0})));
}

// ---- freeing ----

TEST(AutogradTest, DroppingTheLossFreesTheGraph) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  std::weak_ptr<Node> exp_node, accumulator;
  std::weak_ptr<TensorImpl> intermediate;
  std::weak_ptr<TensorImpl> saved_input;
  Tensor loss;
  {
    Tensor h = x.exp();  // ExpBackward0 saves its output h
    exp_node = h.grad_fn();
    intermediate = h.impl_ptr();
    Tensor h2 = h.exp();  // ExpBackward0 saves h2, MulBackward0 saves its inputs h2 and h2
    saved_input = h2.impl_ptr();
    loss = (h.sum() + (h2 * h2).sum());
    accumulator = x.impl()->grad_accumulator;
  }
  EXPECT_TRUE(intermediate.expired());  // a node never owns its output: no cycles
  EXPECT_FALSE(saved_input.expired());  // a saved input is kept as it is (torch's SavedVariable)
  EXPECT_FALSE(exp_node.expired());     // but the loss owns the graph
  EXPECT_FALSE(accumulator.expired());
  loss = Tensor();
  EXPECT_TRUE(saved_input.expired());
  EXPECT_TRUE(exp_node.expired());
  EXPECT_TRUE(accumulator.expired());
  EXPECT_TRUE(x.impl()->grad_accumulator.expired());
  EXPECT_EQ(x.impl_ptr().use_count(), 1);  // only our handle keeps the leaf
}

TEST(AutogradTest, BackwardReleasesSavedTensors) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  std::weak_ptr<Storage> saved;
  Tensor loss;
  {
    Tensor h = x.exp();  // saved by ExpBackward0 (its output) and twice by MulBackward0
    saved = h.impl()->storage;
    loss = (h * h).sum();
  }
  EXPECT_FALSE(saved.expired());
  loss.backward();
  EXPECT_TRUE(saved.expired());  // freed although the graph itself is still alive
  EXPECT_NE(loss.grad_fn(), nullptr);
}

TEST(AutogradTest, RetainGraphKeepsSavedTensorsUntilTheGraphDies) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  std::weak_ptr<Storage> saved;
  Tensor loss;
  {
    Tensor h = x.exp();
    saved = h.impl()->storage;
    loss = (h * h).sum();
  }
  loss.backward(Tensor(), /*retain_graph=*/true);
  EXPECT_FALSE(saved.expired());
  loss = Tensor();
  EXPECT_TRUE(saved.expired());
}

// ---- the order gradients are summed in ----

TEST(AutogradTest, NewestReadyNodeRunsFirstAsInTorch) {
  // y, z, w made in that order, summed as (w + y) + z. torch runs Add(Add, z) first,
  // then the newest ready node each time: Add(w, y), then w's, z's and y's nodes.
  Tensor x = tensor({1.0}).requires_grad_();
  std::vector<std::string> order;
  Tensor y = x * 2.0, z = x * 3.0, w = x * 4.0;
  y.register_hook([&](const Tensor&) { order.push_back("y"); return Tensor(); });
  z.register_hook([&](const Tensor&) { order.push_back("z"); return Tensor(); });
  w.register_hook([&](const Tensor&) { order.push_back("w"); return Tensor(); });
  ((w + y) + z).sum().backward();
  EXPECT_EQ(order, (std::vector<std::string>{"w", "z", "y"}));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({9.0})));
}

TEST(AutogradTest, SummationOrderMatchesTorchBitForBit) {
  // x.grad = a + b + c in float32, with 1e8-sized terms: each order rounds differently.
  const auto& fx = fixture();
  Tensor x = fx["engine_order_x"].clone().requires_grad_();
  Tensor a = fx["engine_order_a"], b = fx["engine_order_b"], c = fx["engine_order_c"];
  // One statement per op: C++ leaves the order of a + b's operands unspecified,
  // and creation order is what the engine's order (like torch's) follows.
  Tensor y = x * a;
  Tensor z = x * b;
  Tensor w = x * c;
  Tensor w_sum = w.sum();
  Tensor y_sum = y.sum();
  Tensor wy = w_sum + y_sum;
  Tensor z_sum = z.sum();
  (wy + z_sum).backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), fx["engine_order_dx"]));

  // loss = ((h * p).sum() + (h * h * q).sum()) + ((h * q) * p).sum(), in Python's order.
  Tensor x2 = fx["engine_mixed_x"].clone().requires_grad_();
  Tensor p = fx["engine_mixed_p"], q = fx["engine_mixed_q"];
  Tensor h = x2 * 2.5;
  Tensor t1 = (h * p).sum();
  Tensor hh = h * h;
  Tensor t2 = (hh * q).sum();
  Tensor t12 = t1 + t2;
  Tensor hq = h * q;
  Tensor t3 = (hq * p).sum();
  (t12 + t3).backward();
  EXPECT_TRUE(bitwise_equal(x2.grad(), fx["engine_mixed_dx"]));
}

// ---- long chains: the walk and the destructor are iterative ----

TEST(AutogradTest, LongOpChainBackwardAndFree) {
  constexpr int kOps = 300000;  // far past what a recursive walk or destructor survives
  const double s = 1.0000001;
  Tensor x = scalar_tensor(1.0, DType::Float64).requires_grad_();
  Tensor y = x;
  std::weak_ptr<Node> first;
  for (int i = 0; i < kOps; ++i) {
    y = y * s;
    if (i == 0) first = y.grad_fn();
  }
  y.backward();
  // The chain rule multiplies the seed by s once per op, in this order.
  double expected = 1.0;
  for (int i = 0; i < kOps; ++i) expected = expected * s;
  EXPECT_EQ(x.grad().item<double>(), expected);
  EXPECT_NEAR(expected, std::exp(kOps * std::log1p(1e-7)), 1e-9);
  EXPECT_FALSE(first.expired());
  y = Tensor();  // 300000 nested destructors would overflow the stack
  EXPECT_TRUE(first.expired());
  EXPECT_TRUE(x.impl()->grad_accumulator.expired());
}

TEST(AutogradTest, LongChainOfSavedInputsIsFreedWithoutABackward) {
  // y * w saves its inputs y and w as they are, and y owns the node before: dropping the
  // graph unrun must still free it without nesting one destructor per op.
  Tensor w = scalar_tensor(1.0, DType::Float64).requires_grad_();
  Tensor y = w;
  std::weak_ptr<Node> first;
  for (int i = 0; i < 300000; ++i) {
    y = y * w;
    if (i == 0) first = y.grad_fn();
  }
  y = Tensor();
  EXPECT_TRUE(first.expired());
  EXPECT_EQ(w.impl_ptr().use_count(), 1);
}

TEST(AutogradTest, LongChainWithRepeatedEdgesIsFreed) {
  // y + y: each node holds two references to the one before it. 200000 levels
  // overflow a recursive destructor many times over.
  Tensor x = scalar_tensor(1.0).requires_grad_();
  Tensor y = x;
  std::weak_ptr<Node> first;
  for (int i = 0; i < 200000; ++i) {
    y = y + y;
    if (i == 0) first = y.grad_fn();
  }
  EXPECT_EQ(first.lock()->next_edges.size(), 2u);
  y = Tensor();
  EXPECT_TRUE(first.expired());
}

TEST(AutogradTest, FreeingPartOfAGraphLeavesTheSharedRestAlive) {
  Tensor x = tensor({1.0}).requires_grad_();
  Tensor shared = x * 2.0;
  Tensor a = shared * 3.0, b = shared * 5.0;
  std::weak_ptr<Node> a_node = a.grad_fn(), shared_node = shared.grad_fn();
  shared = Tensor();
  a = Tensor();
  EXPECT_TRUE(a_node.expired());
  EXPECT_FALSE(shared_node.expired());  // b's graph still needs it
  b.sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({10.0})));
}

// AccumulateGrad takes a gradient nobody else holds instead of copying it (as
// torch does). These pin the cases where it must copy: the user's own gradient,
// and gradients that alias one another through a shared upstream tensor.
TEST(AutogradTest, UserGradientIsNeverStolenByALeaf) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor g = tensor({0.5, 0.25, 2.0});
  x.backward(g);  // the root is the leaf itself
  ASSERT_TRUE(x.grad().defined());
  EXPECT_NE(x.grad().raw_data(), g.raw_data());
  g.add_(1.0);
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({0.5, 0.25, 2.0})));

  Tensor y = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor h = tensor({4.0, 5.0, 6.0});
  (y + 0.0).backward(h);  // AddBackward passes h itself on
  EXPECT_NE(y.grad().raw_data(), h.raw_data());
  h.add_(1.0);
  EXPECT_TRUE(bitwise_equal(y.grad(), tensor({4.0, 5.0, 6.0})));
}

TEST(AutogradTest, LeavesFedTheSameGradientGetSeparateBuffers) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3}).requires_grad_();
  Tensor w = tensor({1.0, 1.0, 1.0, 1.0, 1.0, 1.0}).requires_grad_();
  Tensor v = tensor({2.0, 2.0, 2.0, 2.0, 2.0, 2.0}).requires_grad_();
  // Add hands one gradient to w, v and the reshape, whose backward returns a view of it.
  Tensor loss = ((x.reshape({6}) + w + v) * 3.0).sum();
  loss.backward();
  Tensor threes = full({6}, 3.0, DType::Float64);
  EXPECT_NE(x.grad().raw_data(), w.grad().raw_data());
  EXPECT_NE(w.grad().raw_data(), v.grad().raw_data());
  x.grad().add_(1.0);
  w.grad().add_(2.0);
  EXPECT_TRUE(bitwise_equal(v.grad(), threes));
  EXPECT_TRUE(bitwise_equal(w.grad(), full({6}, 5.0, DType::Float64)));
  EXPECT_TRUE(bitwise_equal(x.grad(), full({2, 3}, 4.0, DType::Float64)));
}

// Gradient stealing switched on or off for one scope.
testing::ScopedSwitch stealing(bool on) {
  return testing::ScopedSwitch(grad_stealing_enabled, set_grad_stealing_enabled, on);
}

// x.grad after one backward of sum(3 x) through a node that reports where the gradient it
// hands to x's AccumulateGrad lives (an address only: a handle would forbid the steal).
Tensor first_grad(const void*& handed_over) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor y = record_op(empty({3}, DType::Float64), {x}, "TripleBackward", {},
                       [&handed_over](const Node&, const Tensor& g) -> Grads {
                         Tensor dx = g * 3.0;
                         handed_over = dx.raw_data();
                         return {dx};
                       });
  y.sum().backward();
  return x.grad();
}

TEST(AutogradTest, StealSwitchChangesTheBufferNotTheValues) {
  const void* handed_over = nullptr;
  Tensor stolen, copied;
  {
    auto on = stealing(true);
    stolen = first_grad(handed_over);
    EXPECT_EQ(stolen.raw_data(), handed_over);  // the node's buffer became x.grad
  }
  {
    auto off = stealing(false);
    EXPECT_FALSE(grad_stealing_enabled());
    copied = first_grad(handed_over);
    EXPECT_NE(copied.raw_data(), handed_over);  // a copy of it
  }
  EXPECT_TRUE(bitwise_equal(stolen, tensor({3.0, 3.0, 3.0})));
  EXPECT_TRUE(bitwise_equal(copied, stolen));
}

// Run by its own ctest entry with MINIGRAD_STEAL_GRAD=0 (tests/CMakeLists.txt); skipped otherwise.
TEST(AutogradTest, StealSwitchReadFromTheEnvironment) {
  const char* v = std::getenv("MINIGRAD_STEAL_GRAD");
  if (v == nullptr || std::string(v) != "0") GTEST_SKIP() << "needs MINIGRAD_STEAL_GRAD=0";
  EXPECT_FALSE(grad_stealing_enabled());
  const void* handed_over = nullptr;
  EXPECT_NE(first_grad(handed_over).raw_data(), handed_over);
}

TEST(AutogradTest, StolenFirstGradientStillAccumulatesInPlace) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  (x * 3.0).sum().backward();  // a fresh gradient nobody else holds
  Tensor first = x.grad();
  (x * 4.0).sum().backward();
  EXPECT_TRUE(first.is_same(x.grad()));  // optimizers holding grad() see the sum
  EXPECT_TRUE(bitwise_equal(first, tensor({7.0, 7.0})));
}

}  // namespace
}  // namespace minigrad

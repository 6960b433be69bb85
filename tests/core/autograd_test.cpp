// The autograd engine: hand-derived gradients through diamonds and reused tensors,
// retain_graph, NoGradGuard, hooks, the saved-tensor version check, freeing of the
// graph and of saved tensors, the error cases, the order gradients are summed in
// (PyTorch's numbers from tests/fixtures/autograd.txt), and million-op chains.
#include "core/autograd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::message_of;

const testing::Fixture& fixture() {
  static const testing::Fixture f("autograd.txt");
  return f;
}

// A node whose backward the test writes, to drive the engine without any op.
struct ScriptedNode : Node {
  using Fn = std::function<std::vector<Tensor>(const Tensor&)>;
  ScriptedNode(std::string label, Fn fn) : label(std::move(label)), fn(std::move(fn)) {}
  std::string name() const override { return label; }
  std::vector<Tensor> backward(const Tensor& g) override {
    ++calls;
    received = g.clone();
    return fn(g);
  }
  std::string label;
  Fn fn;
  int calls = 0;
  Tensor received;
};

// A fresh tensor of `shape`, recorded as made by `node` from `inputs`.
Tensor made_by(const std::shared_ptr<ScriptedNode>& node, const std::vector<Tensor>& inputs,
               const Shape& shape) {
  Tensor out = zeros(shape, DType::Float64);
  record(out, node, inputs);
  return out;
}

// ---- gradients through shared structure ----

TEST(AutogradTest, DiamondGraph) {
  // a = x + 2, b = 3x, c = a * b = 3x^2 + 6x  =>  dc/dx = 6x + 6, the two paths summed.
  Tensor x = tensor({1.0, -2.0, 0.5}).requires_grad_();
  Tensor a = x + 2.0;
  Tensor b = x * 3.0;
  Tensor c = a * b;
  c.sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({12.0, -6.0, 9.0})));
}

TEST(AutogradTest, DiamondThroughNonlinearOps) {
  // c = sum(e^x * tanh x)  =>  dc/dx = e^x tanh x + e^x (1 - tanh^2 x).
  std::vector<double> xs{-1.5, 0.0, 0.3, 2.0};
  Tensor x = tensor(xs, {4}).requires_grad_();
  (x.exp() * x.tanh()).sum().backward();
  for (int i = 0; i < 4; ++i) {
    double e = std::exp(xs[i]), t = std::tanh(xs[i]);
    EXPECT_NEAR(x.grad().data_ptr<double>()[i], e * t + e * (1 - t * t), 1e-14) << "element " << i;
  }
}

TEST(AutogradTest, DiamondRunsEachNodeOnceWithTheSummedGradient) {
  // x -> A -> a;  a -> B (times 2) -> b;  a -> C (times 3) -> c;  D(b, c) -> d.
  Tensor x = tensor({1.0, 1.0}).requires_grad_();
  auto A = std::make_shared<ScriptedNode>("A", [](const Tensor& g) { return std::vector<Tensor>{g}; });
  auto B = std::make_shared<ScriptedNode>("B", [](const Tensor& g) { return std::vector<Tensor>{g * 2.0}; });
  auto C = std::make_shared<ScriptedNode>("C", [](const Tensor& g) { return std::vector<Tensor>{g * 3.0}; });
  auto D = std::make_shared<ScriptedNode>("D", [](const Tensor& g) { return std::vector<Tensor>{g, g}; });
  Tensor a = made_by(A, {x}, {2});
  Tensor d = made_by(D, {made_by(B, {a}, {2}), made_by(C, {a}, {2})}, {2});
  d.backward(tensor({1.0, 10.0}));
  EXPECT_EQ(A->calls, 1);
  EXPECT_EQ(B->calls, 1);
  EXPECT_EQ(C->calls, 1);
  EXPECT_EQ(D->calls, 1);
  EXPECT_TRUE(bitwise_equal(A->received, tensor({5.0, 50.0})));  // 2g + 3g, before A ran
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({5.0, 50.0})));
}

TEST(AutogradTest, TensorUsedTwice) {
  Tensor x = tensor({3.0, -0.5}).requires_grad_();
  (x * x).sum().backward();  // d(x^2)/dx = 2x: both edges of one node reach x
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({6.0, -1.0})));
  x.set_grad(Tensor());
  (x + x).sum().backward();  // d(2x)/dx = 2
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({2.0, 2.0})));
  x.set_grad(Tensor());
  (x * x * x + x).sum().backward();  // 3x^2 + 1
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({28.0, 1.75})));
}

TEST(AutogradTest, BackwardWithAGradientIsAVectorJacobianProduct) {
  // y = x^2 elementwise, so J = diag(2x) and v^T J = 2 x v.
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor y = x * x;
  y.backward(tensor({1.0, 0.5, -2.0}));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({2.0, 2.0, -12.0})));
}

TEST(AutogradTest, GradientsReachOnlyWhatRequiresThem) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor c = tensor({5.0, 7.0});
  Tensor s = x * c + c;
  ASSERT_EQ(s.grad_fn()->next_edges.size(), 2u);
  EXPECT_NE(s.grad_fn()->next_edges[0], nullptr);
  EXPECT_EQ(s.grad_fn()->next_edges[1], nullptr);  // the constant gets no edge
  s.sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), c));
  EXPECT_FALSE(c.grad().defined());
  EXPECT_FALSE(c.requires_grad());
}

TEST(AutogradTest, NodeReturningNoGradientForAnInput) {
  Tensor x = tensor({1.0}).requires_grad_();
  Tensor y = tensor({1.0}).requires_grad_();
  auto N = std::make_shared<ScriptedNode>("N", [](const Tensor& g) { return std::vector<Tensor>{g * 4.0, Tensor()}; });
  made_by(N, {x, y}, {1}).backward(tensor({1.0}));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({4.0})));
  EXPECT_FALSE(y.grad().defined());
  // A node no gradient reaches does not run, but the walk goes on past it.
  auto A = std::make_shared<ScriptedNode>("A", [](const Tensor& g) { return std::vector<Tensor>{g}; });
  auto Z = std::make_shared<ScriptedNode>("Z", [](const Tensor&) { return std::vector<Tensor>{Tensor()}; });
  Tensor a = made_by(A, {y}, {1});
  auto N2 = std::make_shared<ScriptedNode>("N2", [](const Tensor& g) { return std::vector<Tensor>{g, Tensor()}; });
  Tensor out = made_by(N2, {made_by(Z, {a}, {1}), a}, {1});  // N2 gives a nothing; Z gives A nothing
  out.backward(tensor({1.0}));
  EXPECT_EQ(Z->calls, 1);
  EXPECT_EQ(A->calls, 0);
  EXPECT_FALSE(y.grad().defined());
}

TEST(AutogradTest, BackwardOnALeaf) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor g = tensor({3.0, 4.0});
  x.backward(g);
  EXPECT_TRUE(bitwise_equal(x.grad(), g));
  g.fill_(0.0);  // the leaf owns its gradient: the seed is copied, not aliased
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({3.0, 4.0})));
  Tensor s = scalar_tensor(2.0).requires_grad_();
  s.backward();
  EXPECT_EQ(s.grad().item<float>(), 1.0f);
}

// ---- accumulation, retain_graph ----

TEST(AutogradTest, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = tensor({1.0, -1.0}).requires_grad_();
  (x * 3.0).sum().backward();
  Tensor held = x.grad();  // what an optimizer keeps
  (x * x).sum().backward();  // a second, separate graph
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({5.0, 1.0})));  // 3 + 2x
  EXPECT_TRUE(x.grad().is_same(held));  // accumulated in place
  EXPECT_TRUE(bitwise_equal(held, tensor({5.0, 1.0})));
  x.set_grad(Tensor());  // zero_grad(set_to_none)
  (x * 3.0).sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({3.0, 3.0})));
  EXPECT_TRUE(bitwise_equal(held, tensor({5.0, 1.0})));  // a new buffer, the old one untouched
}

TEST(AutogradTest, GradsOfNonLeavesAreNotKept) {
  Tensor x = tensor({2.0}).requires_grad_();
  Tensor h = x * 3.0;
  Tensor y = h * h;
  y.sum().backward();
  EXPECT_FALSE(h.grad().defined());
  EXPECT_FALSE(y.grad().defined());
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({36.0})));  // d(9x^2)/dx = 18x
}

TEST(AutogradTest, RetainGraphAllowsASecondBackward) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor loss = (x * x).sum();
  loss.backward(Tensor(), /*retain_graph=*/true);
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({2.0, 4.0})));
  loss.backward();  // the saved tensors are still there; the gradients accumulate
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({4.0, 8.0})));
  // That one did not retain: MulBackward0's saved x is gone.
  std::string msg = message_of<std::runtime_error>([&] { loss.backward(); });
  EXPECT_TRUE(contains(msg, "retain_graph"));
  EXPECT_TRUE(contains(msg, "MulBackward0"));
  EXPECT_TRUE(contains(msg, "second time"));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({4.0, 8.0})));  // nothing accumulated
}

TEST(AutogradTest, GraphWithoutSavedTensorsMayBackwardTwice) {
  // As torch: (a + b).sum() saves nothing, so there is nothing to free.
  Tensor a = tensor({1.0, 2.0}).requires_grad_();
  Tensor b = tensor({3.0, 4.0}).requires_grad_();
  Tensor loss = (a + b).sum();
  loss.backward();
  loss.backward();
  EXPECT_TRUE(bitwise_equal(a.grad(), tensor({2.0, 2.0})));
  EXPECT_TRUE(bitwise_equal(b.grad(), tensor({2.0, 2.0})));
}

// ---- errors ----

TEST(AutogradTest, ImplicitGradientOnlyForScalarOutputs) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  std::string msg = message_of<std::runtime_error>([&] { (x * 2.0).backward(); });
  EXPECT_TRUE(contains(msg, "only for scalar outputs"));
  EXPECT_TRUE(contains(msg, "[2]"));
  (x * 2.0).sum(0, /*keepdim=*/true).backward();  // one element of any shape is fine
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({2.0, 2.0})));
}

TEST(AutogradTest, GradientOfTheWrongShapeOrDtype) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 2.0;
  std::string msg = message_of<std::invalid_argument>([&] { y.backward(ones({3}, DType::Float64)); });
  EXPECT_TRUE(contains(msg, "[3]"));
  EXPECT_TRUE(contains(msg, "[2]"));
  msg = message_of<std::invalid_argument>([&] { y.backward(ones({2})); });
  EXPECT_TRUE(contains(msg, "torch.float32"));
  EXPECT_TRUE(contains(msg, "torch.float64"));
  EXPECT_FALSE(x.grad().defined());
}

TEST(AutogradTest, BackwardOnATensorThatDoesNotRequireGrad) {
  Tensor c = tensor({1.0, 2.0});
  std::string msg = message_of<std::runtime_error>([&] { c.sum().backward(); });
  EXPECT_TRUE(contains(msg, "does not require grad"));
}

TEST(AutogradTest, ANodeReturningAWrongShapeIsNamed) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  auto bad = std::make_shared<ScriptedNode>("BadBackward", [](const Tensor&) { return std::vector<Tensor>{ones({3})}; });
  std::string msg = message_of<std::runtime_error>([&] { made_by(bad, {x}, {}).backward(); });
  EXPECT_TRUE(contains(msg, "BadBackward returned a gradient of shape [3] torch.float32"));
  EXPECT_TRUE(contains(msg, "shape [2] torch.float64"));
}

// ---- NoGradGuard ----

TEST(AutogradTest, NoGradGuardRecordsNothing) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  ASSERT_TRUE(GradMode::is_enabled());
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(GradMode::is_enabled());
    Tensor y = (x * x).exp().sum();
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_TRUE(x.impl()->grad_accumulator.expired());  // not even a leaf node was made
    EXPECT_TRUE(contains(message_of<std::runtime_error>([&] { y.backward(); }), "does not require grad"));
  }
  EXPECT_TRUE(GradMode::is_enabled());
  EXPECT_EQ((x * x).grad_fn_name(), "MulBackward0");
}

TEST(AutogradTest, NoGradGuardsNestAndRestore) {
  {
    NoGradGuard outer;
    {
      NoGradGuard inner;
      EXPECT_FALSE(GradMode::is_enabled());
    }
    EXPECT_FALSE(GradMode::is_enabled());  // the inner guard restores "off", not "on"
  }
  EXPECT_TRUE(GradMode::is_enabled());
  GradMode::set_enabled(false);
  { NoGradGuard guard; }
  EXPECT_FALSE(GradMode::is_enabled());
  GradMode::set_enabled(true);
  // Restored even when the scope is left by an exception.
  try {
    NoGradGuard guard;
    throw std::runtime_error("leave");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(GradMode::is_enabled());
}

TEST(AutogradTest, GradModeIsPerThread) {
  NoGradGuard no_grad;
  bool other_thread_enabled = false;
  std::thread t([&] { other_thread_enabled = GradMode::is_enabled(); });
  t.join();
  EXPECT_TRUE(other_thread_enabled);
  EXPECT_FALSE(GradMode::is_enabled());
}

TEST(AutogradTest, BackwardRestoresGradModeAfterAnError) {
  Tensor x = tensor({1.0}).requires_grad_();
  auto bad = std::make_shared<ScriptedNode>("Throws", [](const Tensor&) -> std::vector<Tensor> {
    EXPECT_FALSE(GradMode::is_enabled());  // backward formulas run without recording
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(message_of<std::runtime_error>([&] { made_by(bad, {x}, {}).backward(); }), "boom");
  EXPECT_TRUE(GradMode::is_enabled());
}

// ---- hooks ----

TEST(AutogradTest, LeafHookSeesAndReplacesTheGradient) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor seen;
  int calls = 0;
  x.register_hook([&](const Tensor& g) {
    ++calls;
    seen = g.clone();
    return g * 10.0;
  });
  (x * tensor({1.0, -1.0, 0.5}) + x).sum().backward();  // two paths, one call with their sum
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(bitwise_equal(seen, tensor({2.0, 0.0, 1.5})));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({20.0, 0.0, 15.0})));  // the replacement accumulates
  (x * 1.0).sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({30.0, 10.0, 25.0})));
}

TEST(AutogradTest, NonLeafHookReplacementFlowsOn) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor h = x * 2.0;
  Tensor seen;
  h.register_hook([&](const Tensor& g) {
    seen = g.clone();
    return full_like(g, 1.0);
  });
  (h * tensor({5.0, 7.0})).sum().backward();
  EXPECT_TRUE(bitwise_equal(seen, tensor({5.0, 7.0})));  // dL/dh
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({2.0, 2.0})));  // 1 through h = 2x
  EXPECT_FALSE(h.grad().defined());
}

TEST(AutogradTest, HooksRunInOrderAndMayKeepTheGradient) {
  Tensor x = tensor({1.0}).requires_grad_();
  std::vector<std::string> log;
  x.register_hook([&](const Tensor& g) { log.push_back("first"); return g + 1.0; });
  x.register_hook([&](const Tensor&) { log.push_back("observe"); return Tensor(); });  // keeps it
  x.register_hook([&](const Tensor& g) { log.push_back("third"); return g * 3.0; });
  (x * 2.0).sum().backward();
  EXPECT_EQ(log, (std::vector<std::string>{"first", "observe", "third"}));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({9.0})));  // (2 + 1) * 3
}

TEST(AutogradTest, HookOnTheRootSeesTheSeed) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 3.0;
  Tensor seen;
  y.register_hook([&](const Tensor& g) { seen = g.clone(); return g * 0.5; });
  y.backward(tensor({2.0, 4.0}));
  EXPECT_TRUE(bitwise_equal(seen, tensor({2.0, 4.0})));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({3.0, 6.0})));
}

TEST(AutogradTest, HookMustKeepShapeAndDtype) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  x.register_hook([](const Tensor&) { return ones({3}, DType::Float64); });
  std::string msg = message_of<std::runtime_error>([&] { (x * 2.0).sum().backward(); });
  EXPECT_TRUE(contains(msg, "register_hook"));
  EXPECT_TRUE(contains(msg, "[3]"));
  EXPECT_TRUE(contains(msg, "[2]"));
  EXPECT_FALSE(x.grad().defined());
}

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
  Tensor loss;
  {
    Tensor h = x.exp();
    exp_node = h.grad_fn();
    intermediate = h.impl_ptr();
    loss = (h * h).sum();
    accumulator = x.impl()->grad_accumulator;
  }
  EXPECT_TRUE(intermediate.expired());  // nodes never own their outputs: no cycles
  EXPECT_FALSE(exp_node.expired());     // but the loss owns the graph
  EXPECT_FALSE(accumulator.expired());
  loss = Tensor();
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

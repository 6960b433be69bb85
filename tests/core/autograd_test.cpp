// The autograd engine's semantics: hand-derived gradients through diamonds and
// reused tensors, accumulation and retain_graph, the error cases, NoGradGuard, hooks.
// Not here: ownership, versions and summation order (autograd_memory_test.cpp).
#include "core/autograd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/core.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::message_of;

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
  attach_node(out, node, inputs);
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

// The one zero_grad behind nn::Module's and optim::Optimizer's.
TEST(AutogradTest, ZeroGradDropsOrZeroesEachGradient) {
  Tensor a = tensor({1.0, 2.0}).requires_grad_(), b = tensor({3.0}).requires_grad_();
  Tensor untouched = tensor({4.0}).requires_grad_();  // no gradient yet: skipped, stays undefined
  ((a * 2.0).sum() + (b * 5.0).sum()).backward();
  Tensor held = a.grad();
  zero_grad({a, b, untouched}, /*set_to_none=*/false);
  EXPECT_TRUE(bitwise_equal(a.grad(), tensor({0.0, 0.0})));
  EXPECT_TRUE(a.grad().is_same(held));  // zeroed in place: a held handle sees the zeros
  EXPECT_TRUE(bitwise_equal(b.grad(), tensor({0.0})));
  EXPECT_FALSE(untouched.grad().defined());
  zero_grad({a, b, untouched});  // set_to_none, the default
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  (a * 3.0).sum().backward();  // writes a fresh gradient, nothing to add to
  EXPECT_TRUE(bitwise_equal(a.grad(), tensor({3.0, 3.0})));
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
  (x * 3.0).sum().backward();  // the walk's per-thread table was left clean
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({3.0})));
}

// The walk keeps its table per thread between walks; a backward run from inside a hook
// must get a table of its own. The inner graph has 200 nodes (the table starts at 16
// slots, so it grows mid-count); the outer one has a diamond, so one node sums two paths.
TEST(AutogradTest, BackwardInsideAHookWalksItsOwnGraph) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor w = tensor({0.5}).requires_grad_();
  Tensor y = w;
  for (int i = 0; i < 100; ++i) y = y * 1.0 + 1.0;  // dy/dw = 1
  Tensor inner = (y * 3.0).sum();  // recorded here: inside a backward, grad mode is off
  Tensor h = x * 2.0;
  h.register_hook([&](const Tensor&) {
    inner.backward();
    return Tensor();
  });
  (h * h + h).sum().backward();  // d/dx = (2h + 1) * 2 = 8x + 2
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({10.0, 18.0})));
  EXPECT_TRUE(bitwise_equal(w.grad(), tensor({3.0})));
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

// ---- post-accumulate-grad hooks (what DDP's overlap listens to) ----

TEST(AutogradTest, PostAccumulateGradHookRunsOncePerBackwardWithTheFinalGrad) {
  for (bool steal : {true, false}) {  // the first gradient is stolen, or copied
    const bool was = grad_stealing_enabled();
    set_grad_stealing_enabled(steal);
    Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
    std::vector<Tensor> seen;
    x.register_post_accumulate_grad_hook([&](const Tensor& leaf) {
      EXPECT_TRUE(leaf.is_same(x));
      seen.push_back(leaf.grad().clone());
    });
    (x * tensor({1.0, -1.0, 0.5}) + x * x).sum().backward();  // three paths, one call: 1 + 2x, ...
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(bitwise_equal(seen[0], tensor({3.0, 3.0, 6.5})));
    (x * 2.0).sum().backward();  // accumulates: the hook sees the sum
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(bitwise_equal(seen[1], tensor({5.0, 5.0, 8.5})));
    EXPECT_TRUE(bitwise_equal(x.grad(), seen[1]));
    set_grad_stealing_enabled(was);
  }
}

TEST(AutogradTest, PostAccumulateGradHookSeesWhatTheGradHooksLeft) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  x.register_hook([](const Tensor& g) { return g * 10.0; });
  Tensor seen;
  x.register_post_accumulate_grad_hook([&](const Tensor& leaf) { seen = leaf.grad().clone(); });
  (x * 3.0).sum().backward();
  EXPECT_TRUE(bitwise_equal(seen, tensor({30.0, 30.0})));
}

// y = (x * a) * b: b's gradient is final before a's is computed. The hook runs as soon as its
// leaf is done, in the middle of the backward, which is what lets DDP overlap the all-reduce.
TEST(AutogradTest, PostAccumulateGradHookRunsAsSoonAsItsLeafIsDone) {
  Tensor x = tensor({2.0}), a = tensor({3.0}).requires_grad_(), b = tensor({5.0}).requires_grad_();
  std::vector<std::string> log;
  a.register_post_accumulate_grad_hook([&](const Tensor&) { log.push_back("a"); });
  b.register_post_accumulate_grad_hook([&](const Tensor& leaf) {
    log.push_back(a.grad().defined() ? "b after a" : "b");
    EXPECT_EQ(leaf.grad().item<double>(), 6.0);  // x a
  });
  Tensor unused = tensor({1.0}).requires_grad_();
  unused.register_post_accumulate_grad_hook([&](const Tensor&) { log.push_back("unused"); });
  ((x * a) * b).sum().backward();
  EXPECT_EQ(log, (std::vector<std::string>{"b", "a"}));  // a leaf the backward does not reach: no call
  EXPECT_EQ(a.grad().item<double>(), 10.0);  // x b
}

TEST(AutogradTest, PostAccumulateGradHooksAreRemovedByHandle) {
  Tensor x = tensor({1.0}).requires_grad_();
  std::vector<int> calls;
  const unsigned first = x.register_post_accumulate_grad_hook([&](const Tensor&) { calls.push_back(1); });
  const unsigned second = x.register_post_accumulate_grad_hook([&](const Tensor&) { calls.push_back(2); });
  (x * 1.0).sum().backward();
  EXPECT_EQ(calls, (std::vector<int>{1, 2}));  // in the order registered
  x.remove_post_accumulate_grad_hook(first);
  (x * 1.0).sum().backward();
  EXPECT_EQ(calls, (std::vector<int>{1, 2, 2}));  // the other handle still works
  x.remove_post_accumulate_grad_hook(second);
  (x * 1.0).sum().backward();
  EXPECT_EQ(calls.size(), 3u);
  EXPECT_EQ(message_of<std::out_of_range>([&] { x.remove_post_accumulate_grad_hook(first); }),
            "remove_post_accumulate_grad_hook: no hook with handle 0 on this tensor (it has 2 handles; a removed "
            "hook cannot be removed again)");
}

TEST(AutogradTest, PostAccumulateGradHookOnlyOnLeavesThatRequireGrad) {
  auto nothing = [](const Tensor&) {};
  Tensor x = tensor({1.0, 2.0});
  EXPECT_EQ(message_of<std::runtime_error>([&] { x.register_post_accumulate_grad_hook(nothing); }),
            "register_post_accumulate_grad_hook: the tensor of shape [2] does not require grad; post-accumulate-grad "
            "hooks go on leaves that require grad, such as parameters");
  Tensor y = x.requires_grad_() * 2.0;
  EXPECT_EQ(message_of<std::runtime_error>([&] { y.register_post_accumulate_grad_hook(nothing); }),
            "register_post_accumulate_grad_hook: the tensor of shape [2] is not a leaf (its grad_fn is MulBackward0); "
            "post-accumulate-grad hooks go on leaves that require grad, such as parameters");
}

}  // namespace
}  // namespace minigrad

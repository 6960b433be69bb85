// Checks optim/sgd.cpp against torch.optim.SGD (tests/fixtures/nn_sgd.txt): five steps
// from fixed gradients for every option (plain, momentum, dampening, weight decay,
// Nesterov, maximize, all at once), in float32 and float64, with a parameter that has
// no gradient on one step; a hand-derived two-step update; and the option errors.
// The base class's checks and zero_grad are in optimizer_test.cpp.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/core.h"
#include "optim/optim.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

const testing::Fixture& fx() { return testing::Fixture::get("nn_sgd.txt"); }

// Step k's gradient: row k of a (steps, *) record.
Tensor step_row(const Tensor& all, int64_t k) {
  Shape s(all.sizes().begin() + 1, all.sizes().end());
  return all.index_select(0, tensor({k})).reshape(s).clone();
}

void run_config(const std::string& name, optim::SGDOptions options) {
  SCOPED_TRACE(name);
  Tensor p = fx()["p0"].clone().requires_grad_();
  Tensor q = fx()["q0"].clone().requires_grad_();
  optim::SGD opt({p, q}, options);
  Tensor want_p = fx()["sgd_" + name + "_p"], want_q = fx()["sgd_" + name + "_q"];
  for (int64_t k = 0; k < want_p.sizes()[0]; ++k) {
    SCOPED_TRACE("step " + std::to_string(k));
    p.set_grad(step_row(fx()["grads_p"], k));
    q.set_grad(k == 2 ? Tensor() : step_row(fx()["grads_q"], k));  // q sits step 2 out
    opt.step();
    EXPECT_TRUE(all_close(p, step_row(want_p, k), {.atol = 1e-6, .rtol = 1e-6}));
    EXPECT_TRUE(all_close(q, step_row(want_q, k), {.atol = 1e-12, .rtol = 1e-12}));
  }
}

TEST(OptimSGD, EveryOptionMatchesTorchOverFiveSteps) {
  run_config("plain", {0.1});
  run_config("momentum", {0.1, 0.9});
  run_config("dampening", {0.05, 0.8, 0.3});
  run_config("weight_decay", {.lr = 0.1, .weight_decay = 0.01});
  run_config("nesterov", {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  run_config("maximize", {.lr = 0.1, .momentum = 0.5, .maximize = true});
  run_config("all", {0.07, 0.9, 0, 0.05, true, true});
  run_config("decay_damp", {0.2, 0.6, 0.5, 0.1});
}

// Momentum by hand: buf1 = g1, p1 = p0 - lr g1; buf2 = m buf1 + g2, p2 = p1 - lr buf2.
TEST(OptimSGD, MomentumBufferStartsAtTheFirstGradient) {
  Tensor p = tensor({1.0, -2.0}).requires_grad_();
  optim::SGD opt({p}, {0.5, 0.9});
  EXPECT_FALSE(opt.momentum_buffer(0).defined());
  p.set_grad(tensor({0.2, 0.4}));
  opt.step();
  EXPECT_TRUE(all_close(p, tensor({0.9, -2.2}), {.atol = 1e-15}));
  EXPECT_TRUE(all_close(opt.momentum_buffer(0), tensor({0.2, 0.4}), 0));
  p.set_grad(tensor({1.0, 0.0}));
  opt.step();  // buf = (0.18 + 1, 0.36), p = (0.9 - 0.59, -2.2 - 0.18)
  EXPECT_TRUE(all_close(p, tensor({0.31, -2.38}), {.atol = 1e-15, .rtol = 1e-15}));
  EXPECT_FALSE(p.grad_fn());  // updates are not recorded
}

TEST(OptimSGD, ZeroGradAndSkippedParameters) {
  Tensor a = tensor({1.f, 2.f}).requires_grad_(), b = tensor({3.f}).requires_grad_();
  optim::SGD opt({a, b}, {1.0});
  (a * a).sum().backward();
  opt.step();  // b has no gradient: untouched
  EXPECT_TRUE(all_close(a, tensor({-1.f, -2.f}), 0));
  EXPECT_TRUE(all_close(b, tensor({3.f}), 0));
  opt.zero_grad(false);
  EXPECT_TRUE(all_close(a.grad(), zeros({2}), 0));
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  opt.options().lr = 0.5;
  (a * b).sum().backward();  // da = b = 3, db = a0 + a1 = -3
  opt.step();
  EXPECT_TRUE(all_close(a, tensor({-2.5f, -3.5f}), 0));
  EXPECT_TRUE(all_close(b, tensor({4.5f}), 0));
}

// Two groups, each with its own options: a plain step and a decayed, faster one.
TEST(OptimSGD, ParameterGroups) {
  Tensor a = tensor({1.0, 2.0}).requires_grad_(), b = tensor({4.0}).requires_grad_();
  optim::SGD opt({{{a}, {0.1}}, {{b}, {.lr = 0.5, .weight_decay = 0.25}}});
  a.set_grad(tensor({1.0, -1.0}));
  b.set_grad(tensor({2.0}));
  opt.step();  // a - 0.1 g;  b - 0.5 (g + 0.25 b) = 4 - 0.5 * 3
  EXPECT_TRUE(all_close(a, tensor({0.9, 2.1}), {.atol = 1e-15}));
  EXPECT_TRUE(all_close(b, tensor({2.5}), 0));
  EXPECT_EQ(opt.lr(1), 0.5);
  EXPECT_EQ(opt.options().lr, 0.1);  // the first group's
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({{{a}, {0.1}}, {{b}, {-1.0}}}); },
                                                 {"Invalid learning rate", "-1"}));
}

TEST(OptimSGD, OptionErrors) {
  Tensor p = zeros({2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p}, {}); }, {"learning rate", "required"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p}, {-0.1}); }, {"Invalid learning rate", "-0.1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p}, {0.1, -0.5}); }, {"momentum", "-0.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p}, {.lr = 0.1, .weight_decay = -1}); },
                                                 {"weight_decay", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p}, {.lr = 0.1, .nesterov = true}); },
                                                 {"Nesterov", "momentum 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::SGD({p}, {0.1, 0.9, 0.1, 0, true}); },
                                                 {"Nesterov", "dampening 0.1"}));
}

}  // namespace
}  // namespace minigrad

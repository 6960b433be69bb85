// Checks optim/adam.cpp against torch.optim.Adam and AdamW, foreach=False
// (tests/fixtures/optim_adam.txt, tools/make_optim_fixtures.py): six steps from fixed
// gradients for each option (defaults, weight decay, amsgrad, maximize, betas and eps,
// everything at once), float32 and float64 parameters, one of which sits a step out;
// bit for bit. Also the readable state, parameter groups with their own lr and weight
// decay (nanoGPT's split), a hand-derived first step, set_lr, and the option errors.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/core.h"
#include "optim/optim.h"
#include "tests/core/kernels/levels.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::bitwise_equal;
using testing::throws_with;

const testing::Fixture& fx() { return testing::Fixture::get("optim_adam.txt"); }

// Step k's gradient: row k of a (steps, *) record.
Tensor step_row(const Tensor& all, int64_t k) {
  Shape s(all.sizes().begin() + 1, all.sizes().end());
  return all.index_select(0, tensor({k})).reshape(s).clone();
}

// Runs `make(p, q)`'s optimizer over the fixture's gradients (q has none on step 2) and
// holds p (float32) and q (float64) to torch's trajectory `name`, bit for bit.
template <class Make>
auto run_config(const std::string& name, Make make) {
  SCOPED_TRACE(name);
  Tensor p = fx()["p0"].clone().requires_grad_();
  Tensor q = fx()["q0"].clone().requires_grad_();
  auto opt = make(p, q);
  Tensor want_p = fx()[name + "_p"], want_q = fx()[name + "_q"];
  for (int64_t k = 0; k < want_p.sizes()[0]; ++k) {
    SCOPED_TRACE("step " + std::to_string(k));
    p.set_grad(step_row(fx()["grads_p"], k));
    q.set_grad(k == 2 ? Tensor() : step_row(fx()["grads_q"], k));
    opt.step();
    EXPECT_TRUE(bitwise_equal(p, step_row(want_p, k)));
    EXPECT_TRUE(bitwise_equal(q, step_row(want_q, k)));
  }
  return opt;
}

template <class Opt, class Options>
void run_single(const std::string& name, Options options) {
  Opt opt = run_config(name, [&](Tensor p, Tensor q) { return Opt({p, q}, options); });
  SCOPED_TRACE(name);
  EXPECT_EQ(opt.state(0).step, 6);
  EXPECT_EQ(opt.state(1).step, 5);  // q had no gradient on one step
  EXPECT_TRUE(bitwise_equal(opt.state(0).exp_avg, fx()[name + "_exp_avg"]));
  EXPECT_TRUE(bitwise_equal(opt.state(0).exp_avg_sq, fx()[name + "_exp_avg_sq"]));
  EXPECT_EQ(opt.state(0).max_exp_avg_sq.defined(), options.amsgrad);
  if (options.amsgrad) {
    EXPECT_TRUE(bitwise_equal(opt.state(0).max_exp_avg_sq, fx()[name + "_max_exp_avg_sq"]));
  }
}

TEST(OptimAdam, EveryOptionMatchesTorchBitForBit) {
  run_single<optim::Adam>("adam_plain", optim::AdamOptions{.lr = 0.01});
  run_single<optim::Adam>("adam_defaults", optim::AdamOptions{});
  run_single<optim::Adam>("adam_weight_decay", optim::AdamOptions{.lr = 0.01, .weight_decay = 0.1});
  run_single<optim::Adam>("adam_amsgrad", optim::AdamOptions{.lr = 0.01, .amsgrad = true});
  run_single<optim::Adam>("adam_maximize", optim::AdamOptions{.lr = 0.01, .maximize = true});
  run_single<optim::Adam>("adam_betas_eps", optim::AdamOptions{.lr = 0.05, .betas = {0.8, 0.95}, .eps = 1e-3});
  run_single<optim::Adam>("adam_all", optim::AdamOptions{0.02, {0.7, 0.9}, 1e-6, 0.3, true, true});
}

TEST(OptimAdamW, EveryOptionMatchesTorchBitForBit) {
  run_single<optim::AdamW>("adamw_defaults", optim::AdamWOptions{});
  run_single<optim::AdamW>("adamw_book", optim::AdamWOptions{.lr = 0.0004, .weight_decay = 0.1});
  run_single<optim::AdamW>("adamw_amsgrad", optim::AdamWOptions{.lr = 0.01, .weight_decay = 0.05, .amsgrad = true});
  run_single<optim::AdamW>("adamw_maximize", optim::AdamWOptions{.lr = 0.01, .maximize = true});
  run_single<optim::AdamW>("adamw_all", optim::AdamWOptions{0.03, {0.5, 0.8}, 1e-4, 0.5, true, true});
}

// float32 parameters take the CPU level's vector copy of the rule (core/kernels/level_kernels.h:
// adam_f32) on whole vectors, the scalar loop on the tail (p has 111 floats): torch's bits at
// every level this machine runs.
TEST(OptimAdamW, EveryCpuLevelMatchesTorchBitForBit) {
  for (const std::string& level : available_cpu_capabilities()) {
    SCOPED_TRACE(level);
    kernels::testing_levels::Scoped scoped(level);
    run_single<optim::AdamW>("adamw_book", optim::AdamWOptions{.lr = 0.0004, .weight_decay = 0.1});
    run_single<optim::AdamW>("adamw_defaults", optim::AdamWOptions{});
    run_single<optim::Adam>("adam_plain", optim::AdamOptions{.lr = 0.01});
    run_single<optim::Adam>("adam_weight_decay", optim::AdamOptions{.lr = 0.01, .weight_decay = 0.1});
    run_single<optim::Adam>("adam_betas_eps", optim::AdamOptions{.lr = 0.05, .betas = {0.8, 0.95}, .eps = 1e-3});
  }
}

// nanoGPT's split: the matrix decays, the vector does not and has its own lr.
TEST(OptimAdamW, ParameterGroupsHaveTheirOwnOptions) {
  optim::AdamW opt = run_config("adamw_groups", [](Tensor p, Tensor q) {
    return optim::AdamW({{{p}, {.lr = 0.01, .betas = {0.9, 0.95}, .weight_decay = 0.1}},
                         {{q}, {.lr = 0.003, .betas = {0.9, 0.95}, .weight_decay = 0.0}}});
  });
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.parameters().size(), 2u);
  EXPECT_EQ(opt.lr(1), 0.003);
  opt.set_lr(0.5);  // a schedule sets every group's lr
  EXPECT_EQ(opt.lr(0), 0.5);
  EXPECT_EQ(opt.param_groups()[1].options.lr, 0.5);
  EXPECT_EQ(opt.param_groups()[1].options.weight_decay, 0.0);
}

// First step by hand: m = (1 - b1) g, v = (1 - b2) g^2, so m / (1 - b1) = g and
// sqrt(v / (1 - b2)) = |g|: p moves by lr * g / (|g| + eps), whatever the betas.
TEST(OptimAdam, FirstStepMovesByLrTimesTheGradientsSign) {
  Tensor p = tensor({1.0, -2.0, 0.5}).requires_grad_();
  optim::Adam opt({p}, {.lr = 0.1, .betas = {0.5, 0.25}, .eps = 0.0});
  EXPECT_EQ(opt.state(0).step, 0);
  EXPECT_FALSE(opt.state(0).exp_avg.defined());
  p.set_grad(tensor({2.0, -0.001, 3e5}));
  opt.step();
  EXPECT_TRUE(all_close(p, tensor({0.9, -1.9, 0.4}), {.atol = 1e-15}));
  EXPECT_TRUE(all_close(opt.state(0).exp_avg, tensor({1.0, -0.0005, 1.5e5}), {.rtol = 1e-15}));
  EXPECT_TRUE(all_close(opt.state(0).exp_avg_sq, tensor({3.0, 0.75e-6, 6.75e10}), {.rtol = 1e-15}));
  EXPECT_FALSE(p.grad_fn());  // updates are not recorded
}

// AdamW with a zero gradient: the moments stay 0, so the step is the decay alone.
TEST(OptimAdamW, ZeroGradientLeavesOnlyTheDecay) {
  Tensor p = tensor({2.0, -4.0}).requires_grad_();
  optim::AdamW opt({p}, {.lr = 0.1, .weight_decay = 0.5});
  p.set_grad(zeros({2}, DType::Float64));
  opt.step();  // p * (1 - 0.05)
  EXPECT_TRUE(all_close(p, tensor({1.9, -3.8}), {.atol = 1e-15}));
}

TEST(OptimAdam, OptionErrors) {
  Tensor p = zeros({2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({p}, {.lr = -0.1}); },
                                                 {"Adam", "Invalid learning rate", "-0.1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({p}, {.lr = NAN}); }, {"learning rate", "nan"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({p}, {.eps = -1e-8}); },
                                                 {"Invalid epsilon value", "-1e-08"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({p}, {.betas = {1.0, 0.9}}); },
                                                 {"beta parameter at index 0", "1", "[0, 1)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({p}, {.betas = {0.9, -0.5}}); },
                                                 {"beta parameter at index 1", "-0.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({p}, {.weight_decay = -1}); },
                                                 {"Invalid weight_decay value", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::AdamW({p}, {.lr = -1}); },
                                                 {"AdamW", "Invalid learning rate", "-1"}));
  // Every group is checked, and a parameter may belong to one group only.
  Tensor q = zeros({3}).requires_grad_();
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { optim::AdamW({{{p}, {}}, {{q}, {.betas = {0.9, 1.5}}}}); }, {"AdamW", "index 1", "1.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::AdamW({{{p, q}, {}}, {{q}, {}}}); },
                                                 {"parameter 2", "more than once"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { optim::Adam({tensor({1, 2})}); }, {"torch.int64"}));
}

}  // namespace
}  // namespace minigrad

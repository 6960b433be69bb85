// Checks nn/clip_grad.cpp against torch.nn.utils.clip_grad_norm_ (tests/fixtures/nn_clip_grad.txt,
// tools/make_clip_grad_fixtures.py): the 2-, 1-, 3- and inf-norms, clipped and not, float32
// and float64, with a parameter that has no gradient, within 1e-6 relative (torch reduces its
// float32 norms in its own order, minigrad in double, so a total can differ in the last bit;
// most are bit-equal); a hand-derived case; non-finite norms and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

const testing::Fixture& fx() { return testing::Fixture::get("nn_clip_grad.txt"); }

void check_case(const std::string& name, double max_norm, double norm_type) {
  SCOPED_TRACE(name);
  std::vector<Tensor> params;
  for (int i = 0; i < 3; ++i) {
    Tensor g = fx()[name + "_grad" + std::to_string(i)];
    params.push_back(zeros_like(g).requires_grad_());
    params.back().set_grad(g.clone());
  }
  params.push_back(zeros({3}, params[0].dtype()).requires_grad_());  // no gradient: skipped
  Tensor total = nn::utils::clip_grad_norm_(params, max_norm, norm_type);
  EXPECT_TRUE(all_close(total, fx()[name + "_total"]));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(all_close(params[i].grad(), fx()[name + "_clipped" + std::to_string(i)]));
  EXPECT_FALSE(params[3].grad().defined());
}

TEST(NnClipGradNorm, MatchesTorch) {
  const double inf = std::numeric_limits<double>::infinity();
  check_case("l2_clipped", 1.0, 2.0);
  check_case("l2_unclipped", 100.0, 2.0);
  check_case("inf_clipped", 0.5, inf);
  check_case("l1_clipped", 2.0, 1.0);
  check_case("l3_clipped", 1.0, 3.0);
  check_case("l2_f64", 0.25, 2.0);
}

// Gradients (3, 4) and (12): total = sqrt(9 + 16 + 144) = 13; max_norm 6.5 halves them
// (up to the 1e-6 in the denominator).
TEST(NnClipGradNorm, HandDerived) {
  Tensor a = zeros({2}, DType::Float64).requires_grad_(), b = zeros({1}, DType::Float64).requires_grad_();
  a.set_grad(tensor({3.0, 4.0}));
  b.set_grad(tensor({12.0}));
  Tensor total = nn::utils::clip_grad_norm_({a, b}, 6.5);
  EXPECT_EQ(total.dim(), 0);
  EXPECT_EQ(total.item<double>(), 13.0);
  const double coef = 6.5 / (13.0 + 1e-6);
  EXPECT_TRUE(all_close(a.grad(), tensor({3 * coef, 4 * coef}), 1e-15));
  EXPECT_TRUE(all_close(b.grad(), tensor({12 * coef}), 1e-15));
  // Already below max_norm: the coefficient clamps to 1 and nothing changes.
  total = nn::utils::clip_grad_norm_({a, b}, 100.0);
  EXPECT_NEAR(total.item<double>(), 6.5, 1e-6);
  EXPECT_TRUE(all_close(b.grad(), tensor({12 * coef}), 0));
}

TEST(NnClipGradNorm, NoGradientsGiveZero) {
  Tensor a = zeros({2}).requires_grad_();
  Tensor total = nn::utils::clip_grad_norm_({a}, 1.0);
  EXPECT_EQ(total.item<float>(), 0.0f);
  EXPECT_EQ(total.dtype(), DType::Float32);
}

TEST(NnClipGradNorm, NonFiniteNorm) {
  Tensor a = zeros({2}).requires_grad_();
  a.set_grad(tensor({1.f, std::numeric_limits<float>::infinity()}));
  // As torch: max_norm / inf = 0 scales the finite element to 0 and inf * 0 to NaN.
  Tensor total = nn::utils::clip_grad_norm_({a}, 1.0);
  EXPECT_TRUE(std::isinf(total.item<float>()));
  EXPECT_EQ(testing::element(a.grad(), 0), 0.0);
  EXPECT_TRUE(std::isnan(testing::element(a.grad(), 1)));
  a.set_grad(tensor({1.f, NAN}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { nn::utils::clip_grad_norm_({a}, 1.0, 2.0, true); },
                                              {"clip_grad_norm_", "non-finite", "error_if_nonfinite"}));
  EXPECT_EQ(testing::element(a.grad(), 0), 1.0);  // the error left the gradient alone
}

TEST(NnClipGradNorm, BadNormType) {
  Tensor a = zeros({2}).requires_grad_();
  a.set_grad(ones({2}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { nn::utils::clip_grad_norm_({a}, 1.0, 0.0); },
                                                 {"clip_grad_norm_", "norm_type", "got 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { nn::utils::clip_grad_norm_({a}, 1.0, -2.0); }, {"-2"}));
}

}  // namespace
}  // namespace minigrad

// Holds the vectorised float32 cross-entropy kernels (core/kernels/loss.h) equal to
// their plain references: awkward class counts (1, 7, 8, 33, 257), ignored rows,
// per-row and scalar upstream gradients, and rows holding inf or NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/kernels/loss.h"
#include "tests/core/kernels/random_logits.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

using testing_data::random_logits;

using testing::all_close;
using testing::bitwise_equal;

// Equal up to a few float ulps of the larger magnitude (the fast exp is within 2 ulp).
constexpr double kFewUlps = 8 * std::numeric_limits<float>::epsilon();

TEST(KernelsTestLoss, CrossEntropyMatchesReference) {
  for (int64_t C : {1, 7, 8, 9, 33, 257}) {
    for (float spread : {1.0f, 30.0f}) {
      const int64_t N = 13;
      auto x = random_logits(N * C, static_cast<uint32_t>(C), spread);
      std::vector<int64_t> t(N);
      for (int64_t i = 0; i < N; ++i) t[i] = (i * 7) % C;
      t[3] = -100;  // ignored
      std::vector<float> loss(N), want(N);
      std::vector<RowStats> stats(N);
      cross_entropy_forward(x.data(), t.data(), -100, loss.data(), N, C, stats.data());
      cross_entropy_forward_reference(x.data(), t.data(), -100, want.data(), N, C);
      EXPECT_TRUE(all_close(loss, want, kFewUlps)) << "loss, C=" << C;
      EXPECT_EQ(loss[3], 0.0f);

      std::vector<float> g(N);
      for (int64_t i = 0; i < N; ++i) g[i] = 0.5f + 0.1f * static_cast<float>(i);
      for (bool per_row : {false, true}) {
        std::vector<float> dx(N * C), dwant(N * C);
        cross_entropy_backward(x.data(), t.data(), g.data(), per_row, 1.0 / N, -100, dx.data(), N, C);
        cross_entropy_backward_reference(x.data(), t.data(), g.data(), per_row, 1.0 / N, -100, dwant.data(), N, C);
        EXPECT_TRUE(all_close(dx, dwant, kFewUlps)) << "grad, C=" << C;
        // The forward's row statistics spare the backward two passes, not a bit.
        std::vector<float> dx_stats(N * C);
        cross_entropy_backward(x.data(), t.data(), g.data(), per_row, 1.0 / N, -100, dx_stats.data(), N, C, stats.data());
        EXPECT_TRUE(bitwise_equal(dx_stats, dx)) << "grad from saved stats, C=" << C;
      }
    }
  }
}

TEST(KernelsTestLoss, CrossEntropyKnownValue) {
  // logits [1, 2, 3], target 2: loss = log(e + e^2 + e^3) - 3 = 0.40760596
  // grad = softmax - onehot = [0.09003057, 0.24472847, -0.33475904]
  std::vector<float> x = {1, 2, 3}, dx(3);
  std::vector<int64_t> t = {2};
  float loss, g = 1.0f;
  cross_entropy_forward(x.data(), t.data(), -100, &loss, 1, 3);
  EXPECT_NEAR(loss, 0.40760596f, 1e-7);
  cross_entropy_backward(x.data(), t.data(), &g, false, 1.0, -100, dx.data(), 1, 3);
  EXPECT_NEAR(dx[0], 0.09003057f, 1e-7);
  EXPECT_NEAR(dx[1], 0.24472847f, 1e-7);
  EXPECT_NEAR(dx[2], -0.33475904f, 1e-7);
}

TEST(KernelsTestLoss, CrossEntropyRowsWithInfAndNaNFollowTheReference) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const int64_t C = 9, N = 4;
  std::vector<float> x = random_logits(N * C, 5, 1.0f);
  x[0 * C + 4] = nan;   // row 0: a NaN
  x[1 * C + 8] = inf;   // row 1: +inf (not the target)
  x[2 * C + 2] = -inf;  // row 2: one -inf, finite otherwise
  std::vector<int64_t> t = {1, 1, 0, 3};
  std::vector<float> loss(N), want(N), dx(N * C), dwant(N * C);
  float g = 1.0f;
  cross_entropy_forward(x.data(), t.data(), -100, loss.data(), N, C);
  cross_entropy_forward_reference(x.data(), t.data(), -100, want.data(), N, C);
  EXPECT_TRUE(all_close(loss, want, kFewUlps)) << "loss, C=" << C;
  EXPECT_TRUE(std::isnan(loss[0]));
  EXPECT_EQ(loss[1], inf);
  cross_entropy_backward(x.data(), t.data(), &g, false, 1.0, -100, dx.data(), N, C);
  cross_entropy_backward_reference(x.data(), t.data(), &g, false, 1.0, -100, dwant.data(), N, C);
  EXPECT_TRUE(all_close(dx, dwant, kFewUlps)) << "grad, C=" << C;
  EXPECT_EQ(dx[2 * C + 2], 0.0f);  // e^-inf
}

}  // namespace
}  // namespace minigrad::kernels

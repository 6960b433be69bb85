// Holds the vectorised float32 softmax / log_softmax rows (core/kernels/softmax.h)
// equal to their plain references: awkward row lengths (1, 7, 8, 9, 33, 257, 1000),
// large spreads, strided rows (inner > 1, reference only), rows with -inf, +inf or NaN,
// and the backward of both.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/kernels/softmax.h"
#include "tests/core/kernels/random_logits.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

using minigrad::testing::all_close;
using testing_data::random_logits;

// The fast exp is within 2 ulp; a row's sum and scale add a few more.
constexpr double kFewUlps = 8 * std::numeric_limits<float>::epsilon();

void check(int64_t outer, int64_t n, int64_t inner, std::vector<float> x, bool log) {
  const std::size_t size = x.size();
  std::vector<float> y(size), want(size);
  softmax(x.data(), y.data(), outer, n, inner, log);
  softmax_reference(x.data(), want.data(), outer, n, inner, log);
  EXPECT_TRUE(all_close(y, want, kFewUlps)) << (log ? "log_softmax" : "softmax") << " n=" << n << " inner=" << inner;

  auto g = random_logits(static_cast<int64_t>(size), 99, 1.0f);
  std::vector<float> dx(size), dwant(size);
  softmax_backward(want.data(), g.data(), dx.data(), outer, n, inner, log);
  softmax_backward_reference(want.data(), g.data(), dwant.data(), outer, n, inner, log);
  EXPECT_TRUE(all_close(dx, dwant, kFewUlps)) << "backward, " << (log ? "log_softmax" : "softmax") << " n=" << n;
}

TEST(KernelsTestSoftmax, MatchesReferenceOnAwkwardRows) {
  for (bool log : {false, true})
    for (int64_t n : {1, 7, 8, 9, 33, 257, 1000})
      for (int64_t inner : {1, 3})
        for (float spread : {1.0f, 30.0f}) {
          const int64_t outer = 5;
          check(outer, n, inner, random_logits(outer * n * inner, static_cast<uint32_t>(n + inner), spread), log);
        }
}

TEST(KernelsTestSoftmax, RowsWithInfAndNaNFollowTheReference) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const int64_t n = 11, outer = 5;
  for (bool log : {false, true}) {
    auto x = random_logits(outer * n, 3, 2.0f);
    x[0 * n + 4] = nan;                                   // row 0: a NaN
    x[1 * n + 9] = inf;                                   // row 1: +inf
    x[2 * n + 2] = -inf;                                  // row 2: one -inf, finite otherwise
    for (int64_t j = 0; j < n; ++j) x[3 * n + j] = -inf;  // row 3: all -inf
    check(outer, n, 1, x, log);
    std::vector<float> y(x.size());
    softmax(x.data(), y.data(), outer, n, 1, log);
    EXPECT_EQ(y[2 * n + 2], log ? -inf : 0.0f);  // e^-inf
    EXPECT_TRUE(std::isnan(y[0]));
  }
}

TEST(KernelsTestSoftmax, KnownValues) {
  // softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]; log of those
  std::vector<float> x = {1, 2, 3}, y(3);
  softmax(x.data(), y.data(), 1, 3, 1, false);
  EXPECT_NEAR(y[0], 0.09003057f, 1e-7);
  EXPECT_NEAR(y[2], 0.66524096f, 1e-7);
  softmax(x.data(), y.data(), 1, 3, 1, true);
  EXPECT_NEAR(y[1], -1.40760596f, 1e-6);
}

}  // namespace
}  // namespace minigrad::kernels

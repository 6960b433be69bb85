// Checks core/kernels/elementwise.h's add_rows_bias (the bias add after linear's
// product): hand-worked values, the empty cases, and the same bits at 1 to 4 threads;
// and add_scaled_float (an optimizer's p.add_(d, -lr)): std::fma's bits at every CPU level.
// map / zip / map_float are held to their references through the ops' tests and
// vec_math_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/kernels/elementwise.h"
#include "tests/core/kernels/levels.h"
#include "tests/core/kernels/threads.h"

namespace minigrad::kernels {
namespace {

TEST(KernelsTestElementwise, AddRowsBiasByHand) {
  std::vector<double> y = {1, 2, 3, 4, 5, 6}, b = {10, 20, 30};
  add_rows_bias(y.data(), b.data(), 2, 3);
  EXPECT_EQ(y, (std::vector<double>{11, 22, 33, 14, 25, 36}));
  std::vector<float> none;  // zero rows or columns: nothing to touch
  add_rows_bias(none.data(), none.data(), 0, 3);
  add_rows_bias(none.data(), none.data(), 4, 0);
}

TEST(KernelsTestElementwise, AddRowsBiasSameBitsAtAnyThreadCount) {
  const int64_t rows = 700, cols = 333;
  std::vector<float> y0(rows * cols), b(cols);
  for (int64_t i = 0; i < rows * cols; ++i) y0[i] = 0.001f * static_cast<float>(i % 977) - 0.3f;
  for (int64_t j = 0; j < cols; ++j) b[j] = 0.37f * static_cast<float>(j) - 5.0f;
  std::vector<float> want = y0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) want[r * cols + c] += b[c];  // the plain loop
  for (int threads : {1, 2, 3, 4}) {
    testing_threads::Scoped scoped(threads);
    std::vector<float> y = y0;
    add_rows_bias(y.data(), b.data(), rows, cols);
    EXPECT_EQ(std::memcmp(y.data(), want.data(), sizeof(float) * y.size()), 0) << threads << " threads";
  }
}

// One rounding per element, as torch's add_ kernel: fma(o, a, x) differs from the twice-rounded
// x + o * a in 87 of these elements, so a level that split the fma would fail. Lengths
// cover the vector tails (8 and 16 lanes) and more than one kMapBlock.
TEST(KernelsTestElementwise, AddScaledIsOneFmaAtEveryLevel) {
  const float a = -0.1f;
  int split = 0;
  for (int64_t n : {1, 7, 8, 15, 16, 17, 33, 1000, 4099}) {
    std::vector<float> x0(n), o(n), want(n);
    for (int64_t i = 0; i < n; ++i) {
      x0[i] = 0.7f + 0.0013f * static_cast<float>(i % 101);
      o[i] = 1.3f - 0.0171f * static_cast<float>(i % 89);
      want[i] = std::fma(o[i], a, x0[i]);
      split += want[i] != x0[i] + o[i] * a;
    }
    for (const std::string& level : available_cpu_capabilities()) {
      testing_levels::Scoped at(level);
      for (int threads : {1, 2}) {
        testing_threads::Scoped scoped(threads);
        std::vector<float> x = x0;
        add_scaled_float(x.data(), o.data(), a, n);
        EXPECT_EQ(std::memcmp(x.data(), want.data(), sizeof(float) * n), 0) << level << ", n = " << n;
      }
    }
  }
  EXPECT_GT(split, 50);  // 87 elements: the test can tell one rounding from two
}

}  // namespace
}  // namespace minigrad::kernels

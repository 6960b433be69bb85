// Checks core/kernels/elementwise.h's add_scaled_float (an optimizer's p.add_(d, -lr)):
// std::fma's bits at every CPU level.
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

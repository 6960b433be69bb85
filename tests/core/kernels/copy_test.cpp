// Checks core/kernels/copy.h: repeat_rows against rows written out by hand, and
// swap_dims against the index formula y[a, j, b, i, c] = x[a, i, b, j, c] on shapes
// large enough to be split across threads, at 1 to 4 threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/kernels/copy.h"
#include "tests/core/kernels/threads.h"

namespace minigrad::kernels {
namespace {

TEST(KernelsTestCopy, RepeatRows) {
  std::vector<int64_t> row = {7, 8, 9}, out(6, 0);
  repeat_rows(row.data(), out.data(), 2, 3);
  EXPECT_EQ(out, (std::vector<int64_t>{7, 8, 9, 7, 8, 9}));
  std::vector<double> one = {2.5}, col(4, 0.0);
  repeat_rows(one.data(), col.data(), 4, 1);  // a scalar broadcast: the fill path
  EXPECT_EQ(col, (std::vector<double>{2.5, 2.5, 2.5, 2.5}));
}

TEST(KernelsTestCopy, SwapDimsFollowsTheIndexFormula) {
  const int64_t A = 3, n0 = 40, B = 5, n1 = 70, C = 4;
  std::vector<float> x(A * n0 * B * n1 * C);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = static_cast<float>(k);
  for (int threads : {1, 2, 4}) {
    testing_threads::Scoped scoped(threads);
    std::vector<float> y(x.size(), -1.0f);
    swap_dims(x.data(), y.data(), A, n0, B, n1, C);
    for (int64_t a = 0; a < A; ++a)
      for (int64_t j = 0; j < n1; ++j)
        for (int64_t b = 0; b < B; ++b)
          for (int64_t i = 0; i < n0; ++i)
            for (int64_t c = 0; c < C; ++c)
              ASSERT_EQ(y[(((a * n1 + j) * B + b) * n0 + i) * C + c], x[(((a * n0 + i) * B + b) * n1 + j) * C + c])
                  << threads << " threads at " << a << "," << j << "," << b << "," << i << "," << c;
  }
}

}  // namespace
}  // namespace minigrad::kernels

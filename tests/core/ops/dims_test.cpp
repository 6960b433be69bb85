// Checks core/ops/dims.h: split_at's (outer, n, inner) by hand for the first, a middle
// and the last dim, a 0-dim shape, and a zero-sized dim.
#include <gtest/gtest.h>

#include "core/ops/dims.h"

namespace minigrad {
namespace {

void expect_split(const Shape& s, int64_t dim, int64_t outer, int64_t n, int64_t inner) {
  DimSplit p = split_at(s, dim);
  EXPECT_EQ(p.outer, outer) << shape_str(s) << " at " << dim;
  EXPECT_EQ(p.n, n) << shape_str(s) << " at " << dim;
  EXPECT_EQ(p.inner, inner) << shape_str(s) << " at " << dim;
}

TEST(DimsTest, SplitAt) {
  expect_split({2, 3, 4, 5}, 0, 1, 2, 60);
  expect_split({2, 3, 4, 5}, 2, 6, 4, 5);
  expect_split({2, 3, 4, 5}, 3, 24, 5, 1);
  expect_split({}, 0, 1, 1, 1);
  expect_split({3, 0, 2}, 1, 3, 0, 2);
}

}  // namespace
}  // namespace minigrad

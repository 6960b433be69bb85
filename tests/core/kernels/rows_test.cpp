// Checks core/kernels/rows.h: copy_rows against the definition written as plain index
// arithmetic, with steps on either side, several dtypes' row sizes, and nothing to copy.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/kernels/rows.h"

namespace minigrad::kernels {
namespace {

TEST(RowsKernelTest, CopiesTheRowsTheDefinitionNames) {
  // src (outer 3, rows 7, inner 2) of int64; dst (outer 3, rows 5, inner 2).
  const int64_t outer = 3, inner = 2;
  std::vector<int64_t> src(outer * 7 * inner);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int64_t>(i);
  std::vector<int64_t> dst(outer * 5 * inner, -1);
  // Two rows with step 3 on both sides: src rows 1 and 4 into dst rows 0 and 3; the rest untouched.
  copy_rows(src.data(), {7, 1, 3}, dst.data(), {5, 0, 3}, outer, 2, inner * 8);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < 5; ++r)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t got = dst[(o * 5 + r) * inner + i];
        int64_t want = r == 0 ? src[(o * 7 + 1) * inner + i] : r == 3 ? src[(o * 7 + 4) * inner + i] : -1;
        EXPECT_EQ(got, want) << "o " << o << " r " << r << " i " << i;
      }
}

// Step 1 on both sides takes the one-block path (one memcpy per outer index).
TEST(RowsKernelTest, ConsecutiveRowsAsOneBlock) {
  // src (2, 6, 3) rows 2..4 into dst (2, 4, 3) rows 1..3.
  std::vector<int64_t> src(2 * 6 * 3);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int64_t>(i);
  std::vector<int64_t> dst(2 * 4 * 3, -1);
  copy_rows(src.data(), {6, 2, 1}, dst.data(), {4, 1, 1}, 2, 3, 3 * 8);
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t i = 0; i < 3; ++i) {
        int64_t want = r == 0 ? -1 : src[(o * 6 + r + 1) * 3 + i];
        EXPECT_EQ(dst[(o * 4 + r) * 3 + i], want) << "o " << o << " r " << r << " i " << i;
      }
  EXPECT_EQ(dst[(1 * 4 + 3) * 3], 30);  // dst (1, 3, 0) = src (1, 4, 0) = (1 * 6 + 4) * 3
}

TEST(RowsKernelTest, NothingToCopy) {
  std::vector<float> src(4, 1.0f), dst(4, 0.0f);
  copy_rows(src.data(), {2, 0, 1}, dst.data(), {2, 0, 1}, 2, 0, 8);  // no rows
  copy_rows(src.data(), {2, 0, 1}, dst.data(), {2, 0, 1}, 0, 2, 8);  // no outer
  copy_rows(nullptr, {2, 0, 1}, nullptr, {2, 0, 1}, 2, 2, 0);         // empty rows (inner 0)
  copy_rows(nullptr, {0, 0, 1}, nullptr, {2, 0, 1}, 2, 0, 8);         // an empty input (cat of a size-0 dim)
  EXPECT_EQ(dst, std::vector<float>(4, 0.0f));
}

}  // namespace
}  // namespace minigrad::kernels

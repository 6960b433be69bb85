// The one raw move behind slicing and joining: copy rows between two contiguous
// buffers, each seen as (outer, rows, row_bytes), where a "row" is everything after
// the sliced dim. Bytes, not elements, so it serves every dtype. No autograd, no
// shapes: core/ops/slice.cpp and core/ops/join.cpp decide which rows go where.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// Where the rows are on one side: the side has `rows` rows per outer index, and the
// r-th row moved is row start + r * step.
struct RowRange {
  int64_t rows;
  int64_t start;
  int64_t step;
};

// dst[o][d.start + r * d.step] = src[o][s.start + r * s.step]   for o < outer, r < count.
// Each destination row is written by one thread: the same bytes at any thread count.
inline void copy_rows(const void* src, RowRange s, void* dst, RowRange d, int64_t outer,
                      int64_t count, int64_t row_bytes) {
  if (row_bytes == 0 || count == 0 || outer == 0) return;  // nothing to move (and memcpy may not see a null pointer)
  const auto* in = static_cast<const char*>(src);
  auto* out = static_cast<char*>(dst);
  if (s.step == 1 && d.step == 1) {  // the `count` rows are one block on both sides: one memcpy per o
    const int64_t block = count * row_bytes;
    parallel_for(outer, block / 8 + 1, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o)
        std::memcpy(out + (o * d.rows + d.start) * row_bytes, in + (o * s.rows + s.start) * row_bytes,
                    static_cast<std::size_t>(block));
    });
    return;
  }
  parallel_for(outer * count, row_bytes / 8 + 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t o = i / count, r = i % count;
      std::memcpy(out + ((o * d.rows) + d.start + r * d.step) * row_bytes,
                  in + ((o * s.rows) + s.start + r * s.step) * row_bytes, static_cast<std::size_t>(row_bytes));
    }
  });
}

}  // namespace minigrad::kernels

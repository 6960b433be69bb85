// Loops that move elements without computing any: one row repeated down a matrix
// (expand_to's fast path, core/ops/broadcast.cpp) and two dims of a tensor swapped
// (transpose, core/ops/view.cpp). Split across threads by output rows; no autograd.
// Not here: the shape logic that decides what to copy (the ops above).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// out[r, :] = row for every r of out (rows x cols): memcpy of whole rows.
template <class T>
void repeat_rows(const T* row, T* out, int64_t rows, int64_t cols) {
  if (cols == 1) {
    parallel_for(rows, 1, [&](int64_t b, int64_t e) { std::fill(out + b, out + e, row[0]); });
    return;
  }
  parallel_for(rows, cols, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) std::memcpy(out + r * cols, row, sizeof(T) * cols);
  });
}

// y (A, n1, B, n0, C) = x (A, n0, B, n1, C) with the n0 and n1 dims swapped:
// y[a, j, b, i, c] = x[a, i, b, j, c]. Threads split the (a, j) rows of y.
template <class T>
void swap_dims(const T* x, T* y, int64_t A, int64_t n0, int64_t B, int64_t n1, int64_t C) {
  parallel_for(A * n1, B * n0 * C, [&](int64_t lo, int64_t hi) {
    for (int64_t aj = lo; aj < hi; ++aj) {
      int64_t a = aj / n1, j = aj % n1;
      for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < n0; ++i) {
          const T* in = x + (((a * n0 + i) * B + b) * n1 + j) * C;
          T* o = y + (((a * n1 + j) * B + b) * n0 + i) * C;
          for (int64_t c = 0; c < C; ++c) o[c] = in[c];
        }
    }
  });
}

}  // namespace minigrad::kernels

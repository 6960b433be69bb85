// The loops behind layer_norm: per row of C values, the statistics (mean, 1/sigma), the
// normalised and scaled output, and the backward with its weight and bias sums. No autograd,
// no shapes: the op, its checks and its derivation are in core/ops/layer_norm.cpp.
// The *_reference loops are the plain definition (one row at a time, sums in index order);
// the fast ones split rows across threads and run each row at the CPU level (layer_norm_rows.h). Both give the same bits
// at any thread count; tests/core/kernels/layer_norm_test.cpp holds them close.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// Legend: x, y, g, dx are (rows, C) row-major; w, b, dw, db are (C); mean, rstd are (rows).
// w or b may be null (no weight: w = 1; no bias: b = 0). Sums are in double; the stored
// mean and rstd are rounded to T, and every later step reads the rounded ones, so the
// backward recomputes exactly the x_hat the forward used.

// ---- the reference: the formulas, one row after another ----

template <class T>
void layer_norm_reference(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t C,
                          double eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * C;
    double s = 0, ss = 0;
    for (int64_t k = 0; k < C; ++k) s += static_cast<double>(xr[k]);
    const double mu = s / static_cast<double>(C);
    for (int64_t k = 0; k < C; ++k) ss += (xr[k] - mu) * (xr[k] - mu);
    const T m = static_cast<T>(mu), rs = static_cast<T>(1.0 / std::sqrt(ss / static_cast<double>(C) + eps));
    mean[r] = m;
    rstd[r] = rs;
    for (int64_t k = 0; k < C; ++k) {
      const T xhat = (xr[k] - m) * rs;
      y[r * C + k] = (w ? xhat * w[k] : xhat) + (b ? b[k] : T(0));
    }
  }
}

// dx = rstd (h - mean(h) - x_hat mean(h x_hat)), h = g w;  dw = sum_rows g x_hat;  db = sum_rows g.
// dx, dw, db may each be null (not wanted).
template <class T>
void layer_norm_backward_reference(const T* x, const T* g, const T* w, const T* mean, const T* rstd, T* dx, T* dw,
                                   T* db, int64_t rows, int64_t C) {
  std::vector<double> sw(static_cast<size_t>(C), 0.0), sb(static_cast<size_t>(C), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const T *xr = x + r * C, *gr = g + r * C;
    double sh = 0, shx = 0;
    for (int64_t k = 0; k < C; ++k) {
      const T xhat = (xr[k] - mean[r]) * rstd[r];
      const T h = w ? gr[k] * w[k] : gr[k];
      sh += h;
      shx += static_cast<double>(h) * xhat;
      sw[k] += static_cast<double>(gr[k]) * xhat;
      sb[k] += gr[k];
    }
    const T a = static_cast<T>(sh / static_cast<double>(C)), c = static_cast<T>(shx / static_cast<double>(C));
    for (int64_t k = 0; k < C && dx; ++k) {
      const T xhat = (xr[k] - mean[r]) * rstd[r];
      const T h = w ? gr[k] * w[k] : gr[k];
      dx[r * C + k] = rstd[r] * (h - a - xhat * c);
    }
  }
  for (int64_t k = 0; k < C; ++k) {
    if (dw) dw[k] = static_cast<T>(sw[k]);
    if (db) db[k] = static_cast<T>(sb[k]);
  }
}

// ---- the fast loops: rows split across threads, each run by the CPU level's row loop ----
// (core/kernels/layer_norm_rows.h: the same formulas, sums in 8 double lanes, same bits at every level)

namespace detail {

// Rows are cut into this many blocks at most (fewer when there are fewer rows), a number fixed by
// the shape: the weight and bias sums add per-block partials in block order, so their bits do not
// depend on how many threads ran the blocks.
inline constexpr int64_t kLayerNormBlocks = 32;

inline auto level_rows(const float*) { return cpu().layer_norm_rows_f32; }
inline auto level_rows(const double*) { return cpu().layer_norm_rows_f64; }
inline auto level_backward_rows(const float*) { return cpu().layer_norm_backward_rows_f32; }
inline auto level_backward_rows(const double*) { return cpu().layer_norm_backward_rows_f64; }

}  // namespace detail

template <class T>
void layer_norm(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t C, double eps) {
  const auto rows_at_level = detail::level_rows(x);
  parallel_for(rows, C * 4, [&](int64_t lo, int64_t hi) { rows_at_level(x, w, b, y, mean, rstd, lo, hi, C, eps); });
}

template <class T>
void layer_norm_backward(const T* x, const T* g, const T* w, const T* mean, const T* rstd, T* dx, T* dw, T* db,
                         int64_t rows, int64_t C) {
  const int64_t blocks = std::min(rows, detail::kLayerNormBlocks);
  if (blocks == 0) {  // no rows: the sums are empty
    for (int64_t k = 0; k < C; ++k) {
      if (dw) dw[k] = T(0);
      if (db) db[k] = T(0);
    }
    return;
  }
  // Per block, the partial sums of g x_hat (for dw) and of g (for db) over its rows.
  std::vector<double> pw(dw ? static_cast<size_t>(blocks * C) : 0), pb(db ? static_cast<size_t>(blocks * C) : 0);
  const int threads = rows * C * 6 >= 2 * kParallelGrain ? max_threads() : 1;
  const auto backward_rows = detail::level_backward_rows(x);
  for_each_task(blocks, threads, [&](int64_t blk) {
    double* sw = dw ? pw.data() + blk * C : nullptr;
    double* sb = db ? pb.data() + blk * C : nullptr;
    backward_rows(x, g, w, mean, rstd, dx, sw, sb, rows * blk / blocks, rows * (blk + 1) / blocks, C);
  });
  for (int64_t k = 0; k < C; ++k) {  // the blocks' partials, in block order
    double sw = 0, sb = 0;
    for (int64_t blk = 0; blk < blocks; ++blk) {
      if (dw) sw += pw[static_cast<size_t>(blk * C + k)];
      if (db) sb += pb[static_cast<size_t>(blk * C + k)];
    }
    if (dw) dw[k] = static_cast<T>(sw);
    if (db) db[k] = static_cast<T>(sb);
  }
}

}  // namespace minigrad::kernels

// layer_norm's rows at one CPU level (a level header: core/kernels/level_kernels.h compiles it
// once per level, so the double sums run 8 lanes wide at AVX-512, 4 at AVX2, 2 at the x86-64
// baseline): the statistics and output of rows [lo, hi), and the backward's dx rows with their
// weight and bias partial sums. Only adds and multiplies in a fixed order, no FMA (level TUs
// build with -ffp-contract=off): the same bits at every level. The split over threads, the
// block partials and the plain reference: core/kernels/layer_norm.h.
#pragma once

#include <math.h>

#include <cstdint>

namespace minigrad::kernels::MINIGRAD_LEVEL {
namespace {

// sum_k term(k) for k < n in 8 double lanes (lane j adds k = j, j + 8, ...; then the lanes
// pairwise): independent chains the compiler vectorises, in an order fixed by n alone.
template <class F>
double sum8(int64_t n, F term) {
  double lane[8] = {};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int64_t j = 0; j < 8; ++j) lane[j] += term(k + j);
  for (int64_t j = 0; k + j < n; ++j) lane[j] += term(k + j);
  for (int64_t half = 4; half >= 1; half /= 2)
    for (int64_t j = 0; j < half; ++j) lane[j] += lane[j + half];
  return lane[0];
}

// x, y (rows, C); w, b (C) or null; mean, rstd (rows): see layer_norm_reference.
template <class T>
void layer_norm_rows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t lo, int64_t hi, int64_t C,
                     double eps) {
  for (int64_t r = lo; r < hi; ++r) {
    const T* xr = x + r * C;
    T* yr = y + r * C;
    const double mu = sum8(C, [&](int64_t k) { return static_cast<double>(xr[k]); }) / static_cast<double>(C);
    const double ss = sum8(C, [&](int64_t k) {
      const double d = static_cast<double>(xr[k]) - mu;
      return d * d;
    });
    const T m = static_cast<T>(mu), rs = static_cast<T>(1.0 / sqrt(ss / static_cast<double>(C) + eps));
    mean[r] = m;
    rstd[r] = rs;
    if (w && b) for (int64_t k = 0; k < C; ++k) yr[k] = (xr[k] - m) * rs * w[k] + b[k];
    else if (w) for (int64_t k = 0; k < C; ++k) yr[k] = (xr[k] - m) * rs * w[k];
    else if (b) for (int64_t k = 0; k < C; ++k) yr[k] = (xr[k] - m) * rs + b[k];
    else for (int64_t k = 0; k < C; ++k) yr[k] = (xr[k] - m) * rs;
  }
}

// dx rows [lo, hi) (dx may be null) and sw[k] += g x_hat, sb[k] += g over those rows (each may be null).
template <class T>
void layer_norm_backward_rows(const T* x, const T* g, const T* w, const T* mean, const T* rstd, T* dx, double* sw,
                              double* sb, int64_t lo, int64_t hi, int64_t C) {
  for (int64_t r = lo; r < hi; ++r) {
    const T *xr = x + r * C, *gr = g + r * C;
    const T m = mean[r], rs = rstd[r];
    if (dx) {
      double sh, shx;
      if (w) {
        sh = sum8(C, [&](int64_t k) { return static_cast<double>(gr[k] * w[k]); });
        shx = sum8(C, [&](int64_t k) { return static_cast<double>(gr[k] * w[k]) * static_cast<double>((xr[k] - m) * rs); });
      } else {
        sh = sum8(C, [&](int64_t k) { return static_cast<double>(gr[k]); });
        shx = sum8(C, [&](int64_t k) { return static_cast<double>(gr[k]) * static_cast<double>((xr[k] - m) * rs); });
      }
      const T a = static_cast<T>(sh / static_cast<double>(C)), c = static_cast<T>(shx / static_cast<double>(C));
      T* dxr = dx + r * C;
      if (w) for (int64_t k = 0; k < C; ++k) dxr[k] = rs * (gr[k] * w[k] - a - (xr[k] - m) * rs * c);
      else for (int64_t k = 0; k < C; ++k) dxr[k] = rs * (gr[k] - a - (xr[k] - m) * rs * c);
    }
    if (sw) for (int64_t k = 0; k < C; ++k) sw[k] += static_cast<double>(gr[k]) * static_cast<double>((xr[k] - m) * rs);
    if (sb) for (int64_t k = 0; k < C; ++k) sb[k] += static_cast<double>(gr[k]);
  }
}

}  // namespace
}  // namespace minigrad::kernels::MINIGRAD_LEVEL

// Raw loops for the fused cross-entropy (derivation in core/ops/loss.cpp).
// One thread per row, each row in a fixed order: bit-identical at any thread count.
// float32 rows take the CPU level's vectorised path (cpu.h; core/kernels/vec_rows.h: vexp,
// sums kept in double); the plain *_reference loops beside them are the definition, and
// what other dtypes and the portable level use.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/kernels/cpu.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// log sum_j e^(x_j), shifted by the row's max so no exponent overflows.
template <class T>
double logsumexp_row(const T* x, int64_t C) {
  double m = -INFINITY;
  for (int64_t j = 0; j < C; ++j) m = std::fmax(m, static_cast<double>(x[j]));
  if (std::isinf(m)) return m;
  double s = 0;
  for (int64_t j = 0; j < C; ++j) s += std::exp(static_cast<double>(x[j]) - m);
  return m + std::log(s);
}

template <class T>
T cross_entropy_row_reference(const T* xi, int64_t t, int64_t C) {
  return static_cast<T>(logsumexp_row(xi, C) - static_cast<double>(xi[t]));
}

// dx_i = (softmax(x_i) - onehot(t_i)) * w
template <class T>
void cross_entropy_grad_row_reference(const T* xi, int64_t t, double w, T* di, int64_t C) {
  double lse = logsumexp_row(xi, C);
  for (int64_t j = 0; j < C; ++j)
    di[j] = static_cast<T>((std::exp(static_cast<double>(xi[j]) - lse) - (j == t ? 1.0 : 0.0)) * w);
}

// What the forward leaves for the backward, per row: the max m and the sum s of
// e^(x_j - m) (so the backward makes one pass over the row, not three), or s = NaN
// where the row took the reference path (non-finite values, or not float32).
struct RowStats {
  float m = 0;
  double s = NAN;
};

// loss[i] = logsumexp(x_i) - x_i[t_i], or 0 where t_i == ignore_index. `stats` (N
// entries, or null) receives each row's RowStats.
template <class T>
void cross_entropy_forward(const T* x, const int64_t* t, int64_t ignore_index, T* loss, int64_t N, int64_t C,
                           RowStats* stats = nullptr) {
  parallel_for(N, C * 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      if (stats) stats[i] = RowStats{};
      if (t[i] == ignore_index) { loss[i] = 0; continue; }
      if constexpr (std::is_same_v<T, float>) {
        const float* xi = x + i * C;
        float m;
        double s;
        if (cpu().max_and_sum_exp(xi, C, m, s)) {
          loss[i] = static_cast<float>(static_cast<double>(m) + std::log(s) - static_cast<double>(xi[t[i]]));
          if (stats) stats[i] = RowStats{m, s};
          continue;
        }
      }
      loss[i] = cross_entropy_row_reference(x + i * C, t[i], C);
    }
  });
}

// dx_i = (softmax(x_i) - onehot(t_i)) * w_i,  w_i = scale * (per_row ? g[i] : g[0]).
// `stats` from the forward over the same x, or null to recompute them.
template <class T>
void cross_entropy_backward(const T* x, const int64_t* t, const T* g, bool per_row, double scale,
                            int64_t ignore_index, T* dx, int64_t N, int64_t C, const RowStats* stats = nullptr) {
  parallel_for(N, C * 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T* di = dx + i * C;
      if (t[i] == ignore_index) {
        for (int64_t j = 0; j < C; ++j) di[j] = 0;
        continue;
      }
      double w = scale * static_cast<double>(per_row ? g[i] : g[0]);
      if constexpr (std::is_same_v<T, float>) {
        if (w != 0 && std::isfinite(w)) {
          RowStats r = stats ? stats[i] : RowStats{};
          if (!std::isnan(r.s) || cpu().max_and_sum_exp(x + i * C, C, r.m, r.s)) {
            cpu().cross_entropy_grad_row(x + i * C, t[i], w, di, C, r.m, r.s);
            continue;
          }
        }
      }
      cross_entropy_grad_row_reference(x + i * C, t[i], w, di, C);
    }
  });
}

// The plain loops, kept as the definition the vectorised path is tested against.
template <class T>
void cross_entropy_forward_reference(const T* x, const int64_t* t, int64_t ignore_index, T* loss, int64_t N, int64_t C) {
  for (int64_t i = 0; i < N; ++i)
    loss[i] = t[i] == ignore_index ? T(0) : cross_entropy_row_reference(x + i * C, t[i], C);
}

template <class T>
void cross_entropy_backward_reference(const T* x, const int64_t* t, const T* g, bool per_row, double scale,
                                      int64_t ignore_index, T* dx, int64_t N, int64_t C) {
  for (int64_t i = 0; i < N; ++i) {
    if (t[i] == ignore_index) {
      for (int64_t j = 0; j < C; ++j) dx[i * C + j] = 0;
      continue;
    }
    cross_entropy_grad_row_reference(x + i * C, t[i], scale * static_cast<double>(per_row ? g[i] : g[0]), dx + i * C, C);
  }
}

}  // namespace minigrad::kernels

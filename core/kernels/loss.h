// Raw loops for the fused cross-entropy (derivation in core/ops/loss.cpp).
// One thread per row, each row in a fixed order: bit-identical at any thread count.
#pragma once

#include <cmath>
#include <cstdint>

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

// loss[i] = logsumexp(x_i) - x_i[t_i], or 0 where t_i == ignore_index
template <class T>
void cross_entropy_forward(const T* x, const int64_t* t, int64_t ignore_index, T* loss, int64_t N, int64_t C) {
  parallel_for(N, C * 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      if (t[i] == ignore_index) { loss[i] = 0; continue; }
      const T* xi = x + i * C;
      loss[i] = static_cast<T>(logsumexp_row(xi, C) - static_cast<double>(xi[t[i]]));
    }
  });
}

// dx_i = (softmax(x_i) - onehot(t_i)) * w_i,  w_i = scale * (per_row ? g[i] : g[0])
template <class T>
void cross_entropy_backward(const T* x, const int64_t* t, const T* g, bool per_row, double scale,
                            int64_t ignore_index, T* dx, int64_t N, int64_t C) {
  parallel_for(N, C * 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* xi = x + i * C;
      T* di = dx + i * C;
      if (t[i] == ignore_index) {
        for (int64_t j = 0; j < C; ++j) di[j] = 0;
        continue;
      }
      double w = scale * static_cast<double>(per_row ? g[i] : g[0]);
      double lse = logsumexp_row(xi, C);
      for (int64_t j = 0; j < C; ++j)
        di[j] = static_cast<T>((std::exp(static_cast<double>(xi[j]) - lse) - (j == t[i] ? 1.0 : 0.0)) * w);
    }
  });
}

}  // namespace minigrad::kernels

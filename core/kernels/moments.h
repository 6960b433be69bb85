// The loops behind var and std, written to give torch 1.13's CPU numbers bit for bit
// (its one-thread results; torch's own split a reduction of 32768+ elements across
// threads, ours never do, so ours are the same at any thread count). No autograd;
// the op and its backward are in core/ops/moments.cpp.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// y[o, i] = var (or std) of x[o, :, i] over the n in the middle, for x seen as (outer, n, inner):
// Welford's running mean and sum of squared deviations m2 in double, then m2 / (n - correction)
// (a divisor <= 0 gives inf or nan, as torch). The update is torch's WelfordOps::reduce:
//   k += 1;  delta = v - mean;  mean += delta / k;  m2 += delta * (v - mean)
// whose last line torch's build (kernels compiled with FMA) fuses into one fma; so do we,
// explicitly, else float64 results differ from torch's in the last bit about a third of the time.
template <class T>
void var_dim(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, int64_t correction, bool take_sqrt) {
  const double divisor = n > correction ? static_cast<double>(n - correction) : 0.0;
  parallel_for(outer * inner, n, [&](int64_t lo, int64_t hi) {
    for (int64_t j = lo; j < hi; ++j) {
      const T* p = x + (j / inner) * n * inner + j % inner;
      double mean = 0, m2 = 0;
      for (int64_t k = 0; k < n; ++k) {
        const double v = static_cast<double>(p[k * inner]);
        const double delta = v - mean;
        mean += delta / static_cast<double>(k + 1);
        m2 = std::fma(delta, v - mean, m2);
      }
      const double var = m2 / divisor;
      y[j] = static_cast<T>(take_sqrt ? std::sqrt(var) : var);
    }
  });
}

// sum_k (x[k] - mean)^2 in double, in index order: torch's two-pass all-reduce
// (std_var_all_cpu), the path it takes when the result is one number. Its loop is not
// fused, so each square is rounded before it is added: fma(dx, dx, 0) is exactly the
// rounded square, and unlike dx * dx no compiler may fuse it into the addition.
template <class T>
double sum_squared_deviations(const T* x, int64_t n, double mean) {
  double acc = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double dx = static_cast<double>(x[k]) - mean;
    acc += std::fma(dx, dx, 0.0);
  }
  return acc;
}

}  // namespace minigrad::kernels

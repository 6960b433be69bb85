// Raw elementwise loops: y = f(x) and z = f(x, y) over contiguous arrays, split
// across threads by output range. Plain loops the compiler vectorises; no autograd.
// The per-element formulas live with their ops in core/ops/elementwise.cpp.
#pragma once

#include <cstdint>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

template <class T, class F>
void map(const T* x, T* y, int64_t n, F f) {
  parallel_for(n, 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f(x[i]);
  });
}

template <class T, class F>
void zip(const T* x, const T* y, T* z, int64_t n, F f) {
  parallel_for(n, 4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) z[i] = f(x[i], y[i]);
  });
}

}  // namespace minigrad::kernels

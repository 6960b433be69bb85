// Raw row gather (embedding forward) and row scatter-add (its backward).
// The scatter is partitioned by destination row: each thread owns a range of
// rows and adds positions into them in position order, so there are no atomics
// and the result is bit-identical for any thread count.
// Derivation of the gradient: core/ops/embedding.cpp.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// out[p, :] = table[ids[p], :]
template <class T>
void gather_rows(const T* table, const int64_t* ids, T* out, int64_t P, int64_t C) {
  parallel_for(P, C, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) std::copy_n(table + ids[p] * C, C, out + p * C);
  });
}

// The plain reference: dW[ids[p], :] += g[p, :] for p in order, skipping skip_row.
template <class T>
void scatter_add_rows_reference(const T* g, const int64_t* ids, T* dw, int64_t P, int64_t C, int64_t skip_row) {
  for (int64_t p = 0; p < P; ++p) {
    if (ids[p] == skip_row) continue;
    T* row = dw + ids[p] * C;
    for (int64_t c = 0; c < C; ++c) row[c] += g[p * C + c];
  }
}

// The same sums, with threads owning disjoint ranges of destination rows.
template <class T>
void scatter_add_rows(const T* g, const int64_t* ids, T* dw, int64_t P, int64_t V, int64_t C, int64_t skip_row) {
  int threads = max_threads();
  if (threads <= 1 || P * C < kParallelGrain) {
    scatter_add_rows_reference(g, ids, dw, P, C, skip_row);
    return;
  }
  parallel_for(V, P * C / std::max<int64_t>(V, 1) + 1, [&](int64_t vb, int64_t ve) {
    for (int64_t p = 0; p < P; ++p) {
      int64_t v = ids[p];
      if (v < vb || v >= ve || v == skip_row) continue;
      T* row = dw + v * C;
      for (int64_t c = 0; c < C; ++c) row[c] += g[p * C + c];
    }
  });
}

}  // namespace minigrad::kernels

// The one view every op along a single dim takes (softmax, the reductions): x split
// at `dim` into (outer, n, inner), n the dim's size, outer the product of the dims
// before it, inner of the dims after it, so element (o, k, i) sits at (o n + k) inner + i.
// Not here: broadcasting (broadcast.h), wrapping a negative dim (wrap_dim, core/tensor.h).
#pragma once

#include "core/tensor.h"

namespace minigrad {

struct DimSplit { int64_t outer = 1, n = 1, inner = 1; };

// `dim` already wrapped into [0, s.size()); a 0-dim shape gives (1, 1, 1).
inline DimSplit split_at(const Shape& s, int64_t dim) {
  DimSplit p;
  for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
    if (d < dim) p.outer *= s[d];
    else if (d == dim) p.n = s[d];
    else p.inner *= s[d];
  }
  return p;
}

}  // namespace minigrad

// The building blocks slice.cpp and join.cpp share: picking every step-th row of a
// dim into a new tensor (forward of slice / narrow / select / split) and its adjoint,
// writing rows back into zeros (their backward, and cat's forward is the same move).
// Not recorded by autograd; the ops that use them are (core/ops/slice.cpp, join.cpp).
#pragma once

#include "core/tensor.h"

namespace minigrad {

// y = x[..., start : start + len * step : step, ...] along `dim`, as a new tensor
// (minigrad tensors are contiguous, so a slice is a copy). Bounds are the caller's.
Tensor take_rows(const Tensor& x, int64_t dim, int64_t start, int64_t len, int64_t step);

// The adjoint of take_rows: a zero tensor of `shape` (g's dtype) whose `len` rows start,
// start + step, ... along `dim` hold g's rows (g's elements laid out as (outer, len, inner)).
Tensor put_rows(const Tensor& g, const Shape& shape, int64_t dim, int64_t start, int64_t len, int64_t step);

// take_rows, recorded as the node `name` (SliceBackward0, SplitBackward0, ...):
//   y = x[start : start + len * step : step] along dim  =>  dx = put_rows(g)
Tensor slice_rows(const Tensor& x, int64_t dim, int64_t start, int64_t len, int64_t step, const char* name);

}  // namespace minigrad

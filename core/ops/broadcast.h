// PyTorch broadcasting, and the two raw moves every broadcasting op needs:
// expand (forward: repeat along size-1 dims) and sum_to (backward: add them back up).
//   a (3, 1) + b (4) -> (3, 4);  d(a) = sum_to(d(out), (3, 1)),  d(b) = sum_to(d(out), (4))
// Not recorded by autograd: these are building blocks for forwards and backwards.
#pragma once

#include "core/tensor.h"

namespace minigrad {

// The broadcast shape of a and b; throws std::invalid_argument naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// A new contiguous tensor of `shape` holding t broadcast to it.
// Throws std::invalid_argument if t's shape does not broadcast to `shape`.
Tensor expand_to(const Tensor& t, const Shape& shape);
// Sums `t` down to `shape`, the inverse of broadcasting: leading dims are summed
// away, and dims where `shape` has 1 are summed with keepdim. Returns t itself if
// the shapes are equal; throws std::invalid_argument if `shape` does not broadcast to t's.
Tensor sum_to(const Tensor& t, const Shape& shape);
// The general element-by-element loops behind expand_to and sum_to, without their
// fast paths for a repeated row or a scalar: the reference tests hold those to (bit for bit,
// but for sum_to's float sums, whose fast path adds in torch's order and the dtype).
Tensor expand_to_reference(const Tensor& t, const Shape& shape);
Tensor sum_to_reference(const Tensor& t, const Shape& shape);
// Element strides of a contiguous `shape`, read as if broadcast to `out` (0 on broadcast dims).
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out);

}  // namespace minigrad

// triu and tril: keep the upper (or lower) triangle of the last two dims, zero the
// rest, over any leading batch dims. With diagonal = 1, triu(ones(T, T)) is the book's
// causal mask: True above the diagonal, where a token would see its future.
// Shapes: x (*, R, C) -> y (*, R, C). Element (i, j) of each matrix is kept by triu when
// j - i >= diagonal and by tril when j - i <= diagonal.
// Not here: using the mask (masked_fill, where: compare.cpp).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/autograd.h"

namespace minigrad {

namespace {

// y = x with the elements outside the triangle set to zero.
template <class T>
void keep_triangle(const T* x, T* y, int64_t batch, int64_t R, int64_t C, int64_t diagonal, bool upper) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < R; ++i) {
      const T* xr = x + (b * R + i) * C;
      T* yr = y + (b * R + i) * C;
      // The kept columns of row i are [first, C) for triu and [0, last) for tril.
      int64_t cut = std::clamp<int64_t>(i + diagonal + (upper ? 0 : 1), 0, C);
      int64_t first = upper ? cut : 0, last = upper ? C : cut;
      for (int64_t j = 0; j < C; ++j) yr[j] = j >= first && j < last ? xr[j] : T(0);
    }
  }
}

Tensor triangle(const Tensor& x, int64_t diagonal, bool upper) {
  const char* op = upper ? "triu" : "tril";
  require_defined(x, op);
  if (x.dim() < 2) {
    throw std::invalid_argument(std::string(op) + ": expected a tensor of at least 2 dimensions (the last two "
                                "are the matrix), got shape " + shape_str(x.sizes()));
  }
  int64_t R = x.size(-2), C = x.size(-1);
  diagonal = std::clamp<int64_t>(diagonal, -R, C);  // the same triangle, and i + diagonal cannot overflow
  int64_t batch = R * C == 0 ? 0 : x.numel() / (R * C);
  Tensor y = empty(x.sizes(), x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    keep_triangle(x.data_ptr<T>(), y.data_ptr<T>(), batch, R, C, diagonal, upper);
  });
  return y;
}

}  // namespace

// y = triu(x, k)  =>  dx = triu(g, k): the kept elements pass g through, the zeroed ones get none
Tensor triu(const Tensor& x, int64_t diagonal) {
  Tensor y = triangle(x, diagonal, true);
  return record_op(y, {x}, "TriuBackward0", {}, [diagonal](const Node&, const Tensor& g) -> Grads {
    return {triangle(g, diagonal, true)};
  });
}

// y = tril(x, k)  =>  dx = tril(g, k)
Tensor tril(const Tensor& x, int64_t diagonal) {
  Tensor y = triangle(x, diagonal, false);
  return record_op(y, {x}, "TrilBackward0", {}, [diagonal](const Node&, const Tensor& g) -> Grads {
    return {triangle(g, diagonal, false)};
  });
}

Tensor Tensor::triu(int64_t diagonal) const { return minigrad::triu(*this, diagonal); }
Tensor Tensor::tril(int64_t diagonal) const { return minigrad::tril(*this, diagonal); }

}  // namespace minigrad

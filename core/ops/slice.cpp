// Slicing along one dim: narrow, slice (Python's x[a:b:step]) and select (x[i]), all
// differentiable and for every dtype. Every minigrad tensor is contiguous (core/tensor.h),
// so each result is a COPY, not a view as in torch: writing into it leaves the input
// alone (torch's x.select(0, 1).zero_() would zero a row of x; here it zeroes the copy).
// Legend: along `dim`, x is (outer, n, inner) (dims.h); a slice keeps the rows
// start, start + step, ... of the n. Not here: cat, stack, split, chunk (join.cpp).
#include "core/ops/slice.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/kernels/rows.h"
#include "core/ops/dims.h"

namespace minigrad {

Tensor take_rows(const Tensor& x, int64_t dim, int64_t start, int64_t len, int64_t step) {
  Shape out = x.sizes();
  out[dim] = len;
  Tensor y = empty(out, x.dtype());
  DimSplit p = split_at(x.sizes(), dim);
  const auto row_bytes = p.inner * static_cast<int64_t>(element_size(x.dtype()));
  kernels::copy_rows(x.raw_data(), {p.n, start, step}, y.raw_data(), {len, 0, 1}, p.outer, len, row_bytes);
  return y;
}

Tensor put_rows(const Tensor& g, const Shape& shape, int64_t dim, int64_t start, int64_t len, int64_t step) {
  Tensor dx = zeros(shape, g.dtype());
  DimSplit p = split_at(shape, dim);
  const auto row_bytes = p.inner * static_cast<int64_t>(element_size(g.dtype()));
  kernels::copy_rows(g.raw_data(), {len, 0, 1}, dx.raw_data(), {p.n, start, step}, p.outer, len, row_bytes);
  return dx;
}

Tensor slice_rows(const Tensor& x, int64_t dim, int64_t start, int64_t len, int64_t step, const char* name) {
  Tensor y = take_rows(x, dim, start, len, step);  // (outer, len, inner)
  // y = x[start : start + len * step : step] along dim  =>  dx = g in those rows, 0 in the others
  Shape in = x.sizes();
  return record_op(y, {x}, name, {}, [in, dim, start, len, step](const Node&, const Tensor& g) -> Grads {
    return {put_rows(g, in, dim, start, len, step)};
  });
}

namespace {

// The dim an op slices along, wrapped; throws std::out_of_range for a 0-dim tensor.
int64_t slicing_dim(const Tensor& x, int64_t dim, const char* op) {
  require_defined(x, op);
  if (x.dim() == 0) {
    throw std::out_of_range(std::string(op) + ": cannot be applied to a 0-dim tensor (it has no dim to " +
                            "slice); unsqueeze(0) it first");
  }
  return wrap_dim(dim, x.dim(), op);
}

// "dimension 1 of size 5 (shape [4, 5])", for error messages.
std::string dim_str(const Tensor& x, int64_t dim) {
  return "dimension " + std::to_string(dim) + " of size " + std::to_string(x.sizes()[dim]) + " (shape " +
         shape_str(x.sizes()) + ")";
}

}  // namespace

// narrow(dim, start, length) = slice(dim, start, start + length), but strict: start in
// [-n, n] (negative counts from the end), and the rows must exist. Torch records it as a slice.
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  const int64_t d = slicing_dim(*this, dim, "narrow");
  const int64_t n = sizes()[d];
  if (start < -n || start > n) {
    throw std::out_of_range("narrow: start " + std::to_string(start) + " is out of range for " + dim_str(*this, d) +
                            "; expected a start in [" + std::to_string(-n) + ", " + std::to_string(n) + "]");
  }
  if (start < 0) start += n;
  if (length < 0) {
    throw std::invalid_argument("narrow: length must be non-negative, got " + std::to_string(length));
  }
  if (length > n - start) {
    throw std::out_of_range("narrow: start " + std::to_string(start) + " + length " + std::to_string(length) +
                            " exceeds " + dim_str(*this, d) + "; at most " + std::to_string(n - start) +
                            " rows remain from that start");
  }
  return slice_rows(*this, d, start, length, 1, "SliceBackward0");
}

// x[start:end:step] along dim, with Python's rules: a missing start is 0 and a missing end
// is the size n; a negative bound counts from the end; bounds past either end are clamped
// (so x.slice(1, -ctx) is x[:, -ctx:] even when ctx > n). step >= 1, as in torch.
Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) const {
  const int64_t d = slicing_dim(*this, dim, "slice");
  if (step <= 0) {
    throw std::invalid_argument("slice: step must be positive, got " + std::to_string(step) +
                                " (torch supports no zero or negative steps either)");
  }
  const int64_t n = sizes()[d];
  int64_t s = start.value_or(0), e = end.value_or(n);
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = std::clamp<int64_t>(s, 0, n);
  e = std::clamp<int64_t>(e, s, n);
  const int64_t len = e == s ? 0 : (e - s - 1) / step + 1;  // rows s, s + step, ... below e (no overflow for huge steps)
  return slice_rows(*this, d, s, len, step, "SliceBackward0");
}

// x[..., index, ...]: the dim is dropped. index in [-n, n), negative counting from the end.
Tensor Tensor::select(int64_t dim, int64_t index) const {
  const int64_t d = slicing_dim(*this, dim, "select");
  const int64_t n = sizes()[d];
  if (index < -n || index >= n) {
    throw std::out_of_range("select: index " + std::to_string(index) + " is out of range for " + dim_str(*this, d) +
                            "; expected an index in [" + std::to_string(-n) + ", " + std::to_string(n - 1) + "]");
  }
  if (index < 0) index += n;
  Tensor y = take_rows(*this, d, index, 1, 1);  // (outer, 1, inner): a new tensor, so reshaping it in place is safe
  Shape out = sizes();
  out.erase(out.begin() + d);
  y.impl()->shape = out;
  // y = x[index] along dim  =>  dx = g in row `index`, 0 in the others
  // (g lacks the dim, but its elements are laid out as (outer, 1, inner) all the same)
  Shape in = sizes();
  return record_op(y, {*this}, "SelectBackward0", {}, [in, d, index](const Node&, const Tensor& g) -> Grads {
    return {put_rows(g, in, d, index, 1, 1)};
  });
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) { return a.narrow(dim, start, length); }
Tensor slice(const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  return a.slice(dim, start, end, step);
}
Tensor select(const Tensor& a, int64_t dim, int64_t index) { return a.select(dim, index); }

}  // namespace minigrad

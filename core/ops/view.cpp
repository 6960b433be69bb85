// Shape ops. view / reshape / flatten / squeeze / unsqueeze return a tensor that
// shares storage with its input (and so its version counter); transpose and t()
// materialise a copy, since every minigrad tensor is contiguous.
// Legend: a view changes only the shape, so its gradient is the incoming
// gradient reshaped back:  y = x.view(s)  =>  dx = g.view(x.shape).
// Not here: ops that compute new values (elementwise.cpp, reduce.cpp); transpose's copy loop
// (core/kernels/copy.h).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/autograd.h"
#include "core/kernels/copy.h"

namespace minigrad {

namespace {

// A handle on x's storage with a new shape (no copy).
Tensor alias_with_shape(const Tensor& x, const Shape& shape) {
  Tensor y = x.detach();
  y.impl()->shape = shape;
  return y;
}

// Every view records this backward: y = x.view(s)  =>  dx = g.view(x.shape)
Tensor view_as(const Tensor& x, const Shape& shape, const char* grad_fn_name) {
  Tensor y = alias_with_shape(x, shape);
  y.impl()->is_view = x.impl()->has_views = true;  // in-place ops on either are not recorded
  return record_op(y, {x}, grad_fn_name, {}, [](const Node& node, const Tensor& g) -> Grads {
    return {alias_with_shape(g, node.input_shape(0))};
  });
}

// Resolves one -1 in `shape` and checks the element count, as torch's view does.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op) {
  Shape out = shape;
  int64_t known = 1, infer_at = -1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (infer_at >= 0) throw std::invalid_argument(std::string(op) + ": only one dimension can be inferred (-1) in " + shape_str(shape));
      infer_at = static_cast<int64_t>(i);
    } else if (out[i] < 0) {
      throw std::invalid_argument(std::string(op) + ": invalid size " + std::to_string(out[i]) + " in shape " + shape_str(shape));
    } else {
      known *= out[i];
    }
  }
  bool fits = infer_at >= 0 ? known != 0 && numel % known == 0 : known == numel;
  if (!fits) {
    throw std::invalid_argument(std::string(op) + ": shape " + shape_str(shape) +
                                " is invalid for input of size " + std::to_string(numel));
  }
  if (infer_at >= 0) out[infer_at] = numel / known;
  return out;
}

}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  require_defined(*this, "view");
  return view_as(*this, infer_shape(shape, numel(), "view"), "ViewBackward0");
}

Tensor Tensor::reshape(const Shape& shape) const {
  require_defined(*this, "reshape");
  return view_as(*this, infer_shape(shape, numel(), "reshape"), "ReshapeAliasBackward0");
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  require_defined(*this, "flatten");
  int64_t s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  if (dim() == 0) return view_as(*this, {1}, "ReshapeAliasBackward0");  // dims 0 / -1 only, as torch
  if (s > e) {
    throw std::invalid_argument("flatten: start_dim " + std::to_string(start_dim) +
                                " comes after end_dim " + std::to_string(end_dim));
  }
  if (s == e) return *this;  // torch returns the input itself
  Shape out(sizes().begin(), sizes().begin() + s);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d) merged *= sizes()[d];
  out.push_back(merged);
  out.insert(out.end(), sizes().begin() + e + 1, sizes().end());
  return view_as(*this, out, "ReshapeAliasBackward0");
}

// Drops every size-1 dim (SqueezeBackward0) or just `dim` if it has size 1 (SqueezeBackward1).
Tensor Tensor::squeeze() const {
  require_defined(*this, "squeeze");
  Shape out;
  for (int64_t d : sizes()) if (d != 1) out.push_back(d);
  return view_as(*this, out, "SqueezeBackward0");
}

Tensor Tensor::squeeze(int64_t d) const {
  require_defined(*this, "squeeze");
  if (dim() == 0) { wrap_dim(d, 0, "squeeze"); return view_as(*this, {}, "SqueezeBackward1"); }
  d = wrap_dim(d, dim(), "squeeze");
  Shape out = sizes();
  if (out[d] == 1) out.erase(out.begin() + d);
  return view_as(*this, out, "SqueezeBackward1");
}

Tensor Tensor::unsqueeze(int64_t d) const {
  require_defined(*this, "unsqueeze");
  int64_t n = dim() + 1;  // a new dim may go after the last one: d in [-n, n)
  if (d < -n || d >= n) {
    throw std::out_of_range("unsqueeze: dimension " + std::to_string(d) +
                            " is out of range for inserting into a tensor of " +
                            std::to_string(dim()) + " dimension(s) (expected a dim in [" +
                            std::to_string(-n) + ", " + std::to_string(n - 1) + "])");
  }
  if (d < 0) d += n;
  Shape out = sizes();
  out.insert(out.begin() + d, 1);
  return view_as(*this, out, "UnsqueezeBackward0");
}

namespace {

// y = x with dims d0 and d1 swapped, as a new contiguous tensor.
// View x as (A, n0, B, n1, C) and y as (A, n1, B, n0, C): y[a,j,b,i,c] = x[a,i,b,j,c].
Tensor transpose_copy(const Tensor& x, int64_t d0, int64_t d1) {
  if (d0 > d1) std::swap(d0, d1);
  Shape out = x.sizes();
  std::swap(out[d0], out[d1]);
  Tensor y = empty(out, x.dtype());
  if (d0 == d1 || x.numel() == 0) {
    std::copy_n(static_cast<const char*>(x.raw_data()), x.numel() * element_size(x.dtype()),
                static_cast<char*>(y.raw_data()));
    return y;
  }
  const Shape& s = x.sizes();
  int64_t A = 1, B = 1, C = 1, n0 = s[d0], n1 = s[d1];
  for (int64_t d = 0; d < d0; ++d) A *= s[d];
  for (int64_t d = d0 + 1; d < d1; ++d) B *= s[d];
  for (int64_t d = d1 + 1; d < x.dim(); ++d) C *= s[d];
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::swap_dims(x.data_ptr<T>(), y.data_ptr<T>(), A, n0, B, n1, C);
  });
  return y;
}

// y = x^T over (d0, d1)  =>  dx = g^T over the same dims
Tensor transpose_op(const Tensor& x, int64_t d0, int64_t d1, const char* name) {
  Tensor y = transpose_copy(x, d0, d1);
  return record_op(y, {x}, name, {}, [d0, d1](const Node&, const Tensor& g) -> Grads {
    return {transpose_copy(g, d0, d1)};
  });
}

}  // namespace

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  require_defined(*this, "transpose");
  int64_t nd = std::max<int64_t>(dim(), 1);
  int64_t d0 = wrap_dim(dim0, nd, "transpose"), d1 = wrap_dim(dim1, nd, "transpose");
  if (dim() == 0) return view_as(*this, {}, "TransposeBackward0");
  return transpose_op(*this, d0, d1, "TransposeBackward0");
}

Tensor Tensor::t() const {
  require_defined(*this, "t");
  if (dim() > 2) {
    throw std::invalid_argument("t: expects a tensor with <= 2 dimensions, but got " +
                                std::to_string(dim()) + " (shape " + shape_str(sizes()) +
                                "); use transpose(dim0, dim1)");
  }
  if (dim() < 2) return view_as(*this, sizes(), "TBackward0");
  return transpose_op(*this, 0, 1, "TBackward0");
}

Tensor transpose(const Tensor& a, int64_t d0, int64_t d1) { return a.transpose(d0, d1); }
Tensor reshape(const Tensor& a, const Shape& shape) { return a.reshape(shape); }
Tensor flatten(const Tensor& a, int64_t s, int64_t e) { return a.flatten(s, e); }
Tensor squeeze(const Tensor& a, int64_t d) { return a.squeeze(d); }
Tensor unsqueeze(const Tensor& a, int64_t d) { return a.unsqueeze(d); }

}  // namespace minigrad

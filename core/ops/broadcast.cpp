// Broadcasting rules and the raw expand / sum_to loops (see broadcast.h).
#include "core/ops/broadcast.h"

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "core/kernels/copy.h"
#include "core/kernels/reduce.h"

namespace minigrad {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Align from the right; a missing dim acts as 1.
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a) + " and " +
                                  shape_str(b) + " cannot be broadcast together (size " +
                                  std::to_string(da) + " vs " + std::to_string(db) +
                                  " at dimension " + std::to_string(i) + ")");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    std::size_t i = shape.size() - 1 - k;      // dim of `shape`
    std::size_t o = out.size() - 1 - k;        // the same dim in `out`
    strides[o] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

namespace {

// Calls f(out_index, in_offset) for every element of `out`, in row-major order,
// where in_offset walks a tensor with the given (possibly zero) strides.
template <class F>
void for_each_broadcast(const Shape& out, const std::vector<int64_t>& strides, F f) {
  int64_t n = numel_of(out);
  if (n == 0) return;
  std::size_t nd = out.size();
  std::vector<int64_t> idx(nd, 0);
  int64_t off = 0;
  for (int64_t i = 0; i < n; ++i) {
    f(i, off);
    for (std::size_t d = nd; d-- > 0;) {  // odometer increment
      off += strides[d];
      if (++idx[d] < out[d]) break;
      off -= strides[d] * out[d];
      idx[d] = 0;
    }
  }
}

template <class T>
void expand_loop(const T* in, T* out, const Shape& out_shape, const std::vector<int64_t>& strides) {
  for_each_broadcast(out_shape, strides, [&](int64_t i, int64_t off) { out[i] = in[off]; });
}

template <class T>
void sum_to_loop(const T* in, T* out, const Shape& in_shape, const std::vector<int64_t>& strides,
                 int64_t out_numel) {
  // Walk the big tensor in order, adding into the small one: each small element is
  // accumulated in row-major order of the big one, floats in double, int64 in wrapping uint64.
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  std::vector<Acc> acc(static_cast<std::size_t>(out_numel), 0);
  for_each_broadcast(in_shape, strides, [&](int64_t i, int64_t off) { acc[off] += static_cast<Acc>(in[i]); });
  for (int64_t k = 0; k < out_numel; ++k) out[k] = static_cast<T>(acc[k]);
}

// ---- fast paths: `small` is a row repeated over the leading dims of `big` ----
// The common cases (a bias (C) or (1, C) against (N, C); a scalar against anything)
// are "big viewed as (rows, cols), small as one (cols) row". The general loops above
// stay the reference; tests compare the two on awkward shapes.

// Whether `small` (already known to broadcast to `big`) is one row repeated:
// big's trailing dims equal small's (right-aligned), and every dim of small before
// them is 1. On success sets rows * cols == numel(big), cols == numel(small).
bool as_repeated_row(const Shape& small, const Shape& big, int64_t& rows, int64_t& cols) {
  std::size_t nb = big.size(), pad = nb - small.size();
  std::size_t k = nb;  // big[k..] is the matching suffix
  while (k > pad && small[k - 1 - pad] == big[k - 1]) --k;
  for (std::size_t d = pad; d < k; ++d) {
    if (small[d - pad] != 1) return false;
  }
  cols = 1;
  for (std::size_t d = k; d < nb; ++d) cols *= big[d];
  rows = cols == 0 ? 0 : numel_of(big) / cols;
  return true;
}

// The loops index `small` with broadcast strides: a shape that does not broadcast
// to `big` would read or write out of bounds, so refuse it here.
void require_broadcastable(const Shape& small, const Shape& big, const char* op) {
  if (small.size() > big.size() || broadcast_shapes(small, big, op) != big) {
    throw std::invalid_argument(std::string(op) + ": shape " + shape_str(small) +
                                " does not broadcast to shape " + shape_str(big));
  }
}

// Gradients are never Bool; a Bool sum would need torch's promotion to Int64.
void require_summable(const Tensor& t) {
  if (t.dtype() == DType::Bool)
    throw std::invalid_argument("sum_to: cannot sum a torch.bool tensor of shape " + shape_str(t.sizes()) +
                                "; convert it with to(DType::Int64) first");
}
}  // namespace

Tensor expand_to(const Tensor& t, const Shape& shape) {
  require_broadcastable(t.sizes(), shape, "expand_to");
  int64_t rows = 0, cols = 0;
  if (as_repeated_row(t.sizes(), shape, rows, cols)) {
    Tensor out = empty(shape, t.dtype());
    visit_dtype(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      kernels::repeat_rows(t.data_ptr<T>(), out.data_ptr<T>(), rows, cols);
    });
    return out;
  }
  return expand_to_reference(t, shape);
}

Tensor expand_to_reference(const Tensor& t, const Shape& shape) {
  require_broadcastable(t.sizes(), shape, "expand_to");
  Tensor out = empty(shape, t.dtype());
  auto strides = broadcast_strides(t.sizes(), shape);
  visit_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    expand_loop(t.data_ptr<T>(), out.data_ptr<T>(), shape, strides);
  });
  return out;
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.sizes() == shape) return t;
  require_summable(t);
  require_broadcastable(shape, t.sizes(), "sum_to");
  int64_t rows = 0, cols = 0;
  if (as_repeated_row(shape, t.sizes(), rows, cols)) {
    Tensor out = empty(shape, t.dtype());
    visit_dtype(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      // out[c] = sum_r t[r, c] as torch sums the leading dims: in its order and the dtype
      // (kernels::sum_dim), so a bias's gradient is torch's bit for bit. Bool: refused.
      if constexpr (!std::is_same_v<T, bool>) kernels::sum_dim(t.data_ptr<T>(), out.data_ptr<T>(), 1, rows, cols);
    });
    return out;
  }
  return sum_to_reference(t, shape);
}

Tensor sum_to_reference(const Tensor& t, const Shape& shape) {
  if (t.sizes() == shape) return t;
  require_summable(t);
  require_broadcastable(shape, t.sizes(), "sum_to");
  Tensor out = empty(shape, t.dtype());
  auto strides = broadcast_strides(shape, t.sizes());
  visit_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)  // Bool: refused by require_summable
      sum_to_loop(t.data_ptr<T>(), out.data_ptr<T>(), t.sizes(), strides, out.numel());
  });
  return out;
}

}  // namespace minigrad

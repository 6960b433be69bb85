// Reductions: sum and mean (over everything or one dim), max with its indices, argmax.
// Legend: reducing `dim` views x as (outer, n, inner) (split_at, dims.h): n is the
// reduced size, outer the product of the dims before it, inner of the dims after it.
// Not here: softmax (softmax.cpp), which reduces too but has its own backward.
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "core/autograd.h"
#include "core/kernels/reduce.h"
#include "core/ops/broadcast.h"
#include "core/ops/dims.h"

namespace minigrad {

namespace {

Shape reduced_shape(const Shape& s, int64_t dim, bool keepdim) {
  Shape out = s;
  if (out.empty()) return out;
  if (keepdim) out[dim] = 1;
  else out.erase(out.begin() + dim);
  return out;
}

// The gradient of a sum: every input element received g of its output element.
// g has the reduced shape; put the dim back (size 1) and broadcast.
Tensor expand_back(const Tensor& g, const Shape& input_shape, int64_t dim, bool keepdim) {
  Shape kept = input_shape;
  if (!kept.empty()) kept[dim] = 1;
  Tensor g_kept = keepdim ? g : g.detach();
  if (!keepdim) g_kept.impl()->shape = kept;
  return expand_to(g_kept, input_shape);
}

// Sums x over `dim` (or everything) into a tensor of `out_shape`.
Tensor sum_forward(const Tensor& x, std::optional<int64_t> dim, const Shape& out_shape) {
  DimSplit p = dim ? split_at(x.sizes(), *dim) : DimSplit{1, x.numel(), 1};
  Tensor y = empty(out_shape, x.dtype());
  if (x.dtype() == DType::Bool) return sum_forward(x.to(DType::Int64), dim, out_shape);  // counts the Trues, as torch
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) kernels::sum_dim(x.data_ptr<T>(), y.data_ptr<T>(), p.outer, p.n, p.inner);
  });
  return y;
}

Tensor sum_impl(const Tensor& x, std::optional<int64_t> dim, bool keepdim, bool mean,
                const char* op, const char* name) {
  require_defined(x, op);
  if (mean && !is_floating(x.dtype())) {
    throw std::invalid_argument(std::string(op) + ": expected a floating point tensor, got " +
                                dtype_name(x.dtype()) + " (convert with to(DType::Float32))");
  }
  if (dim) dim = wrap_dim(*dim, x.dim(), op);
  Shape out = dim ? reduced_shape(x.sizes(), *dim, keepdim) : Shape{};
  Tensor y = sum_forward(x, dim, out);
  double divisor = 1.0;
  if (mean) {
    divisor = static_cast<double>(dim && x.dim() > 0 ? x.sizes()[*dim] : (dim ? 1 : x.numel()));
    y = y.detach().div(divisor);  // 0/0 = nan: the mean of nothing, as in torch
  }

  // y = sum_dim x / divisor  =>  dx = g / divisor, broadcast along dim (divisor 1 for sum, n for mean;
  // no dim: over everything)
  Shape in = x.sizes();
  return record_op(y, {x}, name, {}, [in, dim, keepdim, divisor](const Node&, const Tensor& g) -> Grads {
    Tensor dx = dim ? expand_back(g, in, *dim, keepdim) : expand_to(g, in);
    return {divisor == 1.0 ? dx : dx.div(divisor)};
  });
}

}  // namespace

// y = sum x  =>  dx = g everywhere
Tensor Tensor::sum() const { return sum_impl(*this, std::nullopt, false, false, "sum", "SumBackward0"); }
// y = sum_dim x  =>  dx = g broadcast along dim
Tensor Tensor::sum(int64_t dim, bool keepdim) const {
  return sum_impl(*this, dim, keepdim, false, "sum", "SumBackward1");
}
// y = sum x / n  =>  dx = g / n everywhere
Tensor Tensor::mean() const { return sum_impl(*this, std::nullopt, false, true, "mean", "MeanBackward0"); }
Tensor Tensor::mean(int64_t dim, bool keepdim) const {
  return sum_impl(*this, dim, keepdim, true, "mean", "MeanBackward1");
}

namespace {

// values and indices of the max along dim (first occurrence wins ties; NaN wins over numbers).
std::tuple<Tensor, Tensor> max_forward(const Tensor& x, int64_t dim, bool keepdim, const char* op) {
  require_defined(x, op);
  dim = wrap_dim(dim, x.dim(), op);
  DimSplit p = x.dim() == 0 ? DimSplit{} : split_at(x.sizes(), dim);
  if (p.n == 0) {
    throw std::invalid_argument(std::string(op) + ": cannot reduce over dimension " +
                                std::to_string(dim) + " of size 0 (shape " + shape_str(x.sizes()) +
                                "): the maximum of nothing is undefined");
  }
  if (x.dtype() == DType::Bool) {
    throw std::invalid_argument(std::string(op) + ": not implemented for torch.bool (shape " +
                                shape_str(x.sizes()) + "); convert with to(DType::Int64) first");
  }
  Shape out = reduced_shape(x.sizes(), dim, keepdim);
  Tensor values = empty(out, x.dtype()), indices = empty(out, DType::Int64);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      kernels::max_dim(x.data_ptr<T>(), values.data_ptr<T>(), indices.data_ptr<int64_t>(), p.outer, p.n, p.inner);
  });
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  auto [values, indices] = max_forward(*this, dim, keepdim, "max");
  if (!any_requires_grad({this})) return {values, indices};
  int64_t d = this->dim() == 0 ? 0 : wrap_dim(dim, this->dim(), "max");
  Tensor idx_kept = indices.detach();
  if (!keepdim && this->dim() > 0) {
    Shape kept = sizes();
    kept[d] = 1;
    idx_kept.impl()->shape = kept;
  }

  // y[o, i] = x[o, idx[o, i], i]  =>  dx[o, idx[o, i], i] = g[o, i], zero elsewhere      saved: idx
  Shape in = sizes();
  record_op(values, {*this}, "MaxBackward0", {idx_kept}, [in, d](const Node& node, const Tensor& g) -> Grads {
    Tensor idx = node.saved(0);
    Tensor dx = zeros(in, g.dtype());
    DimSplit p = split_at(in, d);
    const int64_t* ix = idx.data_ptr<int64_t>();
    auto scatter = [&](const auto* gp, auto* dp) {
      for (int64_t o = 0; o < p.outer; ++o)
        for (int64_t i = 0; i < p.inner; ++i)
          dp[(o * p.n + ix[o * p.inner + i]) * p.inner + i] = gp[o * p.inner + i];
    };
    visit_floating(g.dtype(), [&](auto tag) { scatter(g.data_ptr<decltype(tag)>(), dx.data_ptr<decltype(tag)>()); });
    return {dx};
  });
  return {values, indices};
}

Tensor Tensor::max() const {
  require_defined(*this, "max");
  if (numel() == 0) {
    throw std::invalid_argument("max: the tensor of shape " + shape_str(sizes()) +
                                " is empty; the maximum of nothing is undefined");
  }
  Tensor values = std::get<0>(max_forward(detach().reshape({numel()}), 0, false, "max"));

  // y = max over all x  =>  dx = g / k at each of the k elements equal to y (torch's even split)      saved: x, y
  return record_op(values, {*this}, "MaxBackward1", {*this, values}, [](const Node& node, const Tensor& g) -> Grads {
    Tensor x = node.saved(0), y = node.saved(1);
    Tensor dx = zeros_like(x);
    auto spread = [&](const auto* xp, const auto* yp, const auto* gp, auto* dp) {
      int64_t n = x.numel(), k = 0;
      for (int64_t i = 0; i < n; ++i) k += (xp[i] == *yp || (std::isnan(xp[i]) && std::isnan(*yp)));
      for (int64_t i = 0; i < n; ++i)
        if (xp[i] == *yp || (std::isnan(xp[i]) && std::isnan(*yp))) dp[i] = *gp / static_cast<decltype(*gp + 0)>(k);
    };
    if (x.dtype() == DType::Float32) spread(x.data_ptr<float>(), y.data_ptr<float>(), g.data_ptr<float>(), dx.data_ptr<float>());
    else spread(x.data_ptr<double>(), y.data_ptr<double>(), g.data_ptr<double>(), dx.data_ptr<double>());
    return {dx};
  });
}

Tensor Tensor::argmax(int64_t dim, bool keepdim) const {
  return std::get<1>(max_forward(*this, dim, keepdim, "argmax"));
}

Tensor Tensor::argmax() const {
  require_defined(*this, "argmax");
  if (numel() == 0) throw std::invalid_argument("argmax: the tensor of shape " + shape_str(sizes()) + " is empty");
  return std::get<1>(max_forward(detach().reshape({numel()}), 0, false, "argmax"));
}

Tensor sum(const Tensor& a) { return a.sum(); }
Tensor sum(const Tensor& a, int64_t dim, bool keepdim) { return a.sum(dim, keepdim); }
Tensor mean(const Tensor& a) { return a.mean(); }
Tensor mean(const Tensor& a, int64_t dim, bool keepdim) { return a.mean(dim, keepdim); }
std::tuple<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim) { return a.max(dim, keepdim); }
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim) { return a.argmax(dim, keepdim); }

}  // namespace minigrad

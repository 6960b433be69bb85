// The second moment: var and std over one dim or the whole tensor, with Bessel's
// correction (unbiased, divide by N - 1) or without (divide by N), as torch's.
// Forward values follow torch 1.13's CPU algorithms (core/kernels/moments.h): a
// two-pass sum when the result is one number, Welford's update per output otherwise.
// Legend: along `dim` x is (outer, N, inner) (dims.h); c = 1 if unbiased else 0.
// Not here: mean and sum (reduce.cpp), LayerNorm (which uses var(dim, false, true)).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/kernels/moments.h"
#include "core/ops/dims.h"

namespace minigrad {

namespace {

template <class T>
Tensor var_forward(const Tensor& x, std::optional<int64_t> dim, const Shape& out_shape, int64_t correction,
                   bool take_sqrt) {
  Tensor y = empty(out_shape, x.dtype());
  T* py = y.data_ptr<T>();
  const int64_t n_out = y.numel();
  if (x.numel() == 0) {  // the variance of nothing, as torch: nan
    for (int64_t i = 0; i < n_out; ++i) py[i] = std::numeric_limits<T>::quiet_NaN();
  } else if (n_out == 1) {
    // Two passes: torch's mean in x's own dtype, then the squared deviations in double.
    const double mean = x.detach().mean().item_double();
    const double m2 = kernels::sum_squared_deviations(x.data_ptr<T>(), x.numel(), mean);
    const double var = m2 / std::max(0.0, static_cast<double>(x.numel() - correction));
    py[0] = static_cast<T>(take_sqrt ? std::sqrt(var) : var);
  } else {
    DimSplit p = split_at(x.sizes(), *dim);  // n_out > 1, so a dim was given
    kernels::var_dim(x.data_ptr<T>(), py, p.outer, p.n, p.inner, correction, take_sqrt);
  }
  return y;
}

// var or std of x over `dim` (or everything), recorded as VarBackward0 or StdBackward0.
Tensor moment(const Tensor& x, std::optional<int64_t> dim, bool unbiased, bool keepdim, bool take_sqrt) {
  const char* op = take_sqrt ? "std" : "var";
  require_defined(x, op);
  if (!is_floating(x.dtype())) {
    throw std::invalid_argument(std::string(op) + ": expected a floating point tensor (torch.float32 or "
                                "torch.float64), got " + dtype_name(x.dtype()) + "; convert with to(DType::Float32)");
  }
  const int64_t c = unbiased ? 1 : 0;
  Shape out;        // the result's shape
  Shape kept;       // the result's shape with the reduced dim kept (size 1): g is read this way
  int64_t count;    // N, the number of values behind each result
  if (dim) {
    dim = wrap_dim(*dim, x.dim(), op);
    kept = x.sizes();
    if (!kept.empty()) kept[*dim] = 1;
    out = kept;
    if (!keepdim && !out.empty()) out.erase(out.begin() + *dim);
    count = x.dim() == 0 ? 1 : x.sizes()[*dim];
  } else {
    count = x.numel();
  }
  Tensor y = visit_floating(x.dtype(), [&](auto tag) { return var_forward<decltype(tag)>(x, dim, out, c, take_sqrt); });

  // var = sum_k (x_k - mean)^2 / (N - c)  =>  d var / d x_k = 2 (x_k - mean) / (N - c)
  //   (the mean's own dependence on x_k drops out, since sum_k (x_k - mean) = 0), so
  //   dx = (2 / (N - c)) g (x - mean), g broadcast along dim. N - c = 0 gives inf/nan, as torch.
  // std = sqrt(var)  =>  dx = g / (2 std) * d var / dx, taken as 0 where std = 0 (torch's choice).
  // Computed in torch's order, ((2 / (N - c)) (g / (2 std))) (x - mean), so float32 gradients match.
  auto backward = [dim, kept, count, c, take_sqrt](const Node& node, const Tensor& grad) -> Grads {
    Tensor x = node.saved(0);
    Tensor g = grad;
    if (take_sqrt) {
      Tensor sd = node.saved(1);
      g = grad / (sd * 2.0);
      // Where std = 0 (every value equal), the gradient is 0 rather than g / 0.
      visit_floating(g.dtype(), [&](auto tag) {
        using T = decltype(tag);
        for (int64_t i = 0; i < g.numel(); ++i) if (sd.data_ptr<T>()[i] == 0) g.data_ptr<T>()[i] = 0;
      });
    }
    if (dim) {  // read g with the reduced dim kept, so that it broadcasts against x
      g = g.detach();
      g.impl()->shape = kept;
    }
    Tensor deviation = dim ? x - x.mean(*dim, /*keepdim=*/true) : x - x.mean();
    return {g.mul(2.0 / static_cast<double>(count - c)) * deviation};
  };
  if (take_sqrt) return record_op(y, {x}, "StdBackward0", {x, y}, backward);
  return record_op(y, {x}, "VarBackward0", {x}, backward);
}

}  // namespace

Tensor Tensor::var(int64_t dim, bool unbiased, bool keepdim) const { return moment(*this, dim, unbiased, keepdim, false); }
Tensor Tensor::var(bool unbiased) const { return moment(*this, std::nullopt, unbiased, false, false); }
Tensor Tensor::std(int64_t dim, bool unbiased, bool keepdim) const { return moment(*this, dim, unbiased, keepdim, true); }
Tensor Tensor::std(bool unbiased) const { return moment(*this, std::nullopt, unbiased, false, true); }

Tensor var(const Tensor& a, int64_t dim, bool unbiased, bool keepdim) { return a.var(dim, unbiased, keepdim); }
Tensor var(const Tensor& a, bool unbiased) { return a.var(unbiased); }
Tensor std(const Tensor& a, int64_t dim, bool unbiased, bool keepdim) { return a.std(dim, unbiased, keepdim); }
Tensor std(const Tensor& a, bool unbiased) { return a.std(unbiased); }

}  // namespace minigrad

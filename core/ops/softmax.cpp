// softmax and log_softmax along one dim, numerically stable (shift by the max).
// Legend: x viewed as (outer, n, inner), n the softmax dim (split_at, dims.h).
//   y = softmax(x):      y_k = e^(x_k - m) / sum_j e^(x_j - m),   m = max_j x_j
//   y = log_softmax(x):  y_k = x_k - m - log sum_j e^(x_j - m)
// Not here: cross_entropy (loss.cpp), which fuses log_softmax with the loss.
#include <stdexcept>

#include "core/autograd.h"
#include "core/kernels/softmax.h"
#include "core/ops/dims.h"

namespace minigrad {

namespace {

Tensor softmax_forward(const Tensor& x, int64_t& dim, bool log, const char* op) {
  require_defined(x, op);
  if (!is_floating(x.dtype())) {
    throw std::invalid_argument(std::string(op) + ": expected a floating point tensor, got " +
                                dtype_name(x.dtype()));
  }
  dim = wrap_dim(dim, x.dim(), op);
  DimSplit p = split_at(x.sizes(), dim);
  Tensor y = empty_like(x);
  if (x.dtype() == DType::Float32)
    kernels::softmax(x.data_ptr<float>(), y.data_ptr<float>(), p.outer, p.n, p.inner, log);
  else
    kernels::softmax(x.data_ptr<double>(), y.data_ptr<double>(), p.outer, p.n, p.inner, log);
  return y;
}

Tensor softmax_op(const Tensor& x, int64_t dim, bool log) {
  Tensor y = softmax_forward(x, dim, log, log ? "log_softmax" : "softmax");

  // softmax:      dx_k = y_k (g_k - sum_j g_j y_j)
  // log_softmax:  dx_k = g_k - e^(y_k) sum_j g_j
  // (from dy_j/dx_k = y_j (delta_jk - y_k), and d(log y_j)/dx_k = delta_jk - y_k)      saved: y
  const char* name = log ? "LogSoftmaxBackward0" : "SoftmaxBackward0";
  return record_op(y, {x}, name, {y}, [log, dim](const Node& node, const Tensor& g) -> Grads {
    Tensor yv = node.saved(0);
    DimSplit p = split_at(yv.sizes(), dim);
    Tensor dx = empty_like(yv);
    if (yv.dtype() == DType::Float32)
      kernels::softmax_backward(yv.data_ptr<float>(), g.data_ptr<float>(), dx.data_ptr<float>(), p.outer, p.n, p.inner, log);
    else
      kernels::softmax_backward(yv.data_ptr<double>(), g.data_ptr<double>(), dx.data_ptr<double>(), p.outer, p.n, p.inner, log);
    return {dx};
  });
}

}  // namespace

Tensor Tensor::softmax(int64_t dim) const { return softmax_op(*this, dim, false); }
Tensor Tensor::log_softmax(int64_t dim) const { return softmax_op(*this, dim, true); }
Tensor softmax(const Tensor& a, int64_t dim) { return a.softmax(dim); }
Tensor log_softmax(const Tensor& a, int64_t dim) { return a.log_softmax(dim); }

}  // namespace minigrad

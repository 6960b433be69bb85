// softmax and log_softmax along one dim, numerically stable (shift by the max).
// Legend: x viewed as (outer, n, inner), n the softmax dim.
//   y = softmax(x):      y_k = e^(x_k - m) / sum_j e^(x_j - m),   m = max_j x_j
//   y = log_softmax(x):  y_k = x_k - m - log sum_j e^(x_j - m)
// Not here: cross_entropy (loss.cpp), which fuses log_softmax with the loss.
#include <stdexcept>

#include "core/autograd.h"
#include "core/kernels/softmax.h"

namespace minigrad {

namespace {

struct Dims { int64_t outer = 1, n = 1, inner = 1; };

Dims dims_of(const Tensor& x, int64_t dim) {
  Dims p;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d < dim) p.outer *= x.sizes()[d];
    else if (d == dim) p.n = x.sizes()[d];
    else p.inner *= x.sizes()[d];
  }
  return p;
}

Tensor softmax_forward(const Tensor& x, int64_t& dim, bool log, const char* op) {
  if (!x.defined()) throw std::invalid_argument(std::string(op) + ": undefined tensor");
  if (!is_floating(x.dtype())) {
    throw std::invalid_argument(std::string(op) + ": expected a floating point tensor, got " +
                                dtype_name(x.dtype()));
  }
  dim = wrap_dim(dim, x.dim(), op);
  Dims p = dims_of(x, dim);
  Tensor y = empty_like(x);
  if (x.dtype() == DType::Float32)
    kernels::softmax(x.data_ptr<float>(), y.data_ptr<float>(), p.outer, p.n, p.inner, log);
  else
    kernels::softmax(x.data_ptr<double>(), y.data_ptr<double>(), p.outer, p.n, p.inner, log);
  return y;
}

// softmax:      dx_k = y_k (g_k - sum_j g_j y_j)
// log_softmax:  dx_k = g_k - e^(y_k) sum_j g_j
// (from dy_j/dx_k = y_j (delta_jk - y_k), and d(log y_j)/dx_k = delta_jk - y_k)
struct SoftmaxBackward : Node {
  SoftmaxBackward(bool log, int64_t dim) : log_(log), dim_(dim) {}
  std::string name() const override { return log_ ? "LogSoftmaxBackward0" : "SoftmaxBackward0"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor y = saved(0);
    Dims p = dims_of(y, dim_);
    Tensor dx = empty_like(y);
    if (y.dtype() == DType::Float32)
      kernels::softmax_backward(y.data_ptr<float>(), g.data_ptr<float>(), dx.data_ptr<float>(), p.outer, p.n, p.inner, log_);
    else
      kernels::softmax_backward(y.data_ptr<double>(), g.data_ptr<double>(), dx.data_ptr<double>(), p.outer, p.n, p.inner, log_);
    return {dx};
  }
  bool log_;
  int64_t dim_;
};

Tensor softmax_op(const Tensor& x, int64_t dim, bool log) {
  Tensor y = softmax_forward(x, dim, log, log ? "log_softmax" : "softmax");
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<SoftmaxBackward>(log, dim);
    node->save({y});
    attach_node(y, node, {x});
  }
  return y;
}

}  // namespace

Tensor Tensor::softmax(int64_t dim) const { return softmax_op(*this, dim, false); }
Tensor Tensor::log_softmax(int64_t dim) const { return softmax_op(*this, dim, true); }
Tensor softmax(const Tensor& a, int64_t dim) { return a.softmax(dim); }
Tensor log_softmax(const Tensor& a, int64_t dim) { return a.log_softmax(dim); }

}  // namespace minigrad

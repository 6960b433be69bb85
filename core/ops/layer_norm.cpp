// layer_norm as one fused op, torch's F.layer_norm: each row of the trailing dims
// (normalized_shape) is normalised to mean 0 and variance 1, then scaled and shifted.
// Legend: x (*, C) where C = numel(normalized_shape) and the * dims make `rows`;
//   mu = mean(x_row), sigma^2 = mean((x_row - mu)^2) (biased), rstd = 1 / sqrt(sigma^2 + eps),
//   x_hat = (x - mu) rstd,  y = x_hat w + b  (w, b of shape normalized_shape; either optional).
// Not here: the loops (core/kernels/layer_norm.h); the composite form it must equal
// (tests/docs/composite_layer_norm_test.cpp); nn::LayerNorm (nn/).
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/autograd.h"
#include "core/kernels/layer_norm.h"

namespace minigrad {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("layer_norm: " + what); }

// Checks the arguments; returns C, the number of values in one normalised row.
int64_t check_layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight,
                         const Tensor& bias, double eps) {
  if (!input.defined()) fail("undefined input");
  if (!is_floating(input.dtype()))
    fail("expected a floating point input (torch.float32 or torch.float64), got " + dtype_name(input.dtype()));
  const auto nd = static_cast<int64_t>(normalized_shape.size());
  if (nd == 0) fail("expected normalized_shape to be at least 1-dimensional, i.e. containing at least one element");
  const Shape& s = input.sizes();
  if (nd > input.dim() || !std::equal(normalized_shape.begin(), normalized_shape.end(), s.end() - nd)) {
    std::string star = shape_str(normalized_shape);
    fail("given normalized_shape=" + star + ", expected input with shape [*, " + star.substr(1) +
         ", but got input of size " + shape_str(s) + " (normalized_shape names the input's last dims)");
  }
  for (const auto& [t, name] : {std::pair{&weight, "weight"}, std::pair{&bias, "bias"}}) {
    if (!t->defined()) continue;
    if (t->sizes() != normalized_shape)
      fail(std::string(name) + " of shape " + shape_str(t->sizes()) + " does not match normalized_shape " +
           shape_str(normalized_shape) + " (input of shape " + shape_str(s) + "); expected " + name +
           " of shape " + shape_str(normalized_shape));
    if (t->dtype() != input.dtype())
      fail(std::string(name) + " has dtype " + dtype_name(t->dtype()) + " but input has " + dtype_name(input.dtype()));
  }
  if (!(eps >= 0)) {
    std::ostringstream os;
    os << "eps must be >= 0, got " << eps << " (input of shape " << shape_str(s) << ")";
    fail(os.str());
  }
  return numel_of(normalized_shape);
}

template <class T>
const T* ptr_or_null(const Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; }
template <class T>
T* ptr_or_null(Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; }

template <class T>
void forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y, Tensor& mean, Tensor& rstd, int64_t rows,
             int64_t C, double eps) {
  kernels::layer_norm(x.data_ptr<T>(), ptr_or_null<T>(w), ptr_or_null<T>(b), y.data_ptr<T>(), mean.data_ptr<T>(),
                      rstd.data_ptr<T>(), rows, C, eps);
}

template <class T>
void backward(const Tensor& x, const Tensor& g, const Tensor& w, const Tensor& mean, const Tensor& rstd, Tensor& dx,
              Tensor& dw, Tensor& db, int64_t rows, int64_t C) {
  kernels::layer_norm_backward(x.data_ptr<T>(), g.data_ptr<T>(), ptr_or_null<T>(w), mean.data_ptr<T>(),
                               rstd.data_ptr<T>(), ptr_or_null<T>(dx), ptr_or_null<T>(dw), ptr_or_null<T>(db), rows, C);
}

}  // namespace

Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const int64_t C = check_layer_norm(input, normalized_shape, weight, bias, eps);
  const int64_t rows = C == 0 ? 0 : input.numel() / C;
  const DType dt = input.dtype();
  Tensor y = empty(input.sizes(), dt);
  Tensor mean = empty({rows}, dt), rstd = empty({rows}, dt);  // (rows): the node's row statistics
  if (dt == DType::Float32) forward<float>(input, weight, bias, y, mean, rstd, rows, C, eps);
  else forward<double>(input, weight, bias, y, mean, rstd, rows, C, eps);

  // y = x_hat w + b,  x_hat_j = (x_j - mu) r,  r = (sigma^2 + eps)^(-1/2), over one row of C values.
  // With h = g w (the gradient reaching x_hat):
  //   d mu / dx_k = 1/C;   d sigma^2 / dx_k = (2/C)(x_k - mu)   (the mu term sums to 0);
  //   d r / dx_k = -1/2 (sigma^2 + eps)^(-3/2) (2/C)(x_k - mu) = -r^2 x_hat_k / C;
  //   d x_hat_j / dx_k = r (delta_jk - 1/C) + (x_j - mu) d r / dx_k = r (delta_jk - 1/C - x_hat_j x_hat_k / C).
  // So dx_k = sum_j h_j d x_hat_j / dx_k = r (h_k - mean_j(h_j) - x_hat_k mean_j(h_j x_hat_j)),
  //    dw = sum over rows of g x_hat,   db = sum over rows of g.
  // saved: x, w, mu, r (two numbers a row; x_hat is recomputed from them, never stored).
  auto back = [rows, C](const Node& node, const Tensor& g) -> Grads {
    Tensor x = node.saved(0), w = node.saved(1), mu = node.saved(2), r = node.saved(3);
    Tensor dx, dw, db;
    if (node.needs_grad(0)) dx = empty(x.sizes(), x.dtype());
    if (node.needs_grad(1)) dw = empty(node.input_shape(1), x.dtype());
    if (node.needs_grad(2)) db = empty(node.input_shape(2), x.dtype());
    if (x.dtype() == DType::Float32) backward<float>(x, g, w, mu, r, dx, dw, db, rows, C);
    else backward<double>(x, g, w, mu, r, dx, dw, db, rows, C);
    return {dx, dw, db};
  };
  return record_op(y, {input, weight, bias}, "NativeLayerNormBackward0", {input, weight, mean, rstd}, back);
}

}  // namespace minigrad

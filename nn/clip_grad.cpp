// clip_grad_norm_'s arithmetic, in torch 1.13's order: each gradient's norm, the norm of
// those norms, then max_norm / (total + 1e-6) clamped to 1 and multiplied into each gradient.
// Norms are summed in double, one element after another (so at any thread count alike), and
// rounded to the result's dtype where torch's would be. Not here: any optimizer (optim/).
#include "nn/clip_grad.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/autograd.h"

namespace minigrad::nn::utils {

namespace {

// The p-norm of n values, accumulated in double: sqrt of the sum of squares for p = 2,
// the largest |x| for p = inf, (sum |x|^p)^(1/p) otherwise.
template <class T>
double p_norm(const T* x, int64_t n, double p) {
  double acc = 0;
  if (std::isinf(p)) {
    for (int64_t i = 0; i < n; ++i) {
      double a = std::fabs(static_cast<double>(x[i]));
      acc = std::isnan(a) || a > acc ? a : acc;  // a NaN element makes the norm NaN, as torch's max
      if (std::isnan(acc)) break;
    }
    return acc;
  }
  for (int64_t i = 0; i < n; ++i) {
    double a = std::fabs(static_cast<double>(x[i]));
    acc += p == 2 ? a * a : p == 1 ? a : std::pow(a, p);
  }
  return p == 2 ? std::sqrt(acc) : p == 1 ? acc : std::pow(acc, 1 / p);
}

double rounded(double v, DType dtype) { return dtype == DType::Float32 ? static_cast<float>(v) : v; }

}  // namespace

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  if (!(norm_type > 0)) {
    std::ostringstream ss;
    ss << "clip_grad_norm_: norm_type must be > 0 or infinity, got " << norm_type;
    throw std::invalid_argument(ss.str());
  }
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return scalar_tensor(0.0);

  DType dtype = DType::Float32;  // torch.stack of the norms promotes float32 with float64
  for (const Tensor& g : grads)
    if (g.dtype() == DType::Float64) dtype = DType::Float64;

  // torch.norm(torch.stack([torch.norm(g, p) for g in grads]), p): each inner norm is
  // rounded to its gradient's dtype before the outer one.
  std::vector<double> norms;
  for (const Tensor& g : grads) {
    double n = g.dtype() == DType::Float32 ? p_norm(g.data_ptr<float>(), g.numel(), norm_type)
                                           : p_norm(g.data_ptr<double>(), g.numel(), norm_type);
    norms.push_back(rounded(n, g.dtype()));
  }
  const double total = rounded(p_norm(norms.data(), static_cast<int64_t>(norms.size()), norm_type), dtype);
  if (error_if_nonfinite && !std::isfinite(total)) {
    std::ostringstream ss;
    ss << "clip_grad_norm_: the total norm of order " << norm_type
       << " of the gradients is non-finite, so it cannot be clipped. To scale the gradients by it "
          "anyway, pass error_if_nonfinite = false";
    throw std::runtime_error(ss.str());
  }
  // clip_coef = max_norm / (total + 1e-6): Python's float / Tensor is reciprocal() * float,
  // each rounded to the norm's dtype; then torch.clamp(max=1.0), which keeps a NaN.
  const double denom = rounded(total + rounded(1e-6, dtype), dtype);
  double coef = rounded(rounded(1.0 / denom, dtype) * rounded(max_norm, dtype), dtype);
  if (coef > 1.0) coef = 1.0;
  NoGradGuard no_grad;
  for (Tensor& g : grads) g.detach().mul_(coef);
  return scalar_tensor(total, dtype);
}

}  // namespace minigrad::nn::utils

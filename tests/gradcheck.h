// The one finite-difference gradient check every op's test uses, with PyTorch's
// gradcheck rules: float64 inputs, central differences with eps = 1e-6, and
// |analytic - numeric| <= atol + rtol * |numeric| with atol = 1e-5, rtol = 1e-3.
// Not a speed test: it runs one backward per output element.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <vector>

#include "core/core.h"

namespace minigrad::testing {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

// Checks d f(inputs) / d inputs[i] for every floating input that requires grad.
// Inputs must be Float64. The Jacobian is compared column by column:
//   numeric  J[o][k] = (f(x + eps e_k)[o] - f(x - eps e_k)[o]) / (2 eps)
//   analytic J[o][k] = (d f[o] / d x)[k], from backward with gradient e_o.
inline ::testing::AssertionResult gradcheck(const Fn& f, std::vector<Tensor> inputs,
                                            GradcheckOptions opt = {}) {
  for (auto& x : inputs) {
    if (x.defined() && x.requires_grad() && x.dtype() != DType::Float64)
      return ::testing::AssertionFailure() << "gradcheck: inputs must be Float64";
  }
  Tensor out = f(inputs);
  if (out.dtype() != DType::Float64)
    return ::testing::AssertionFailure() << "gradcheck: output must be Float64";
  int64_t n_out = out.numel();

  // Analytic rows: one backward per output element.
  std::vector<std::vector<Tensor>> analytic(static_cast<size_t>(n_out));
  for (int64_t o = 0; o < n_out; ++o) {
    for (auto& x : inputs)
      if (x.defined() && x.requires_grad()) x.set_grad(Tensor());
    Tensor y = f(inputs);
    Tensor seed = zeros_like(y);
    seed.data_ptr<double>()[o] = 1.0;
    y.backward(seed);
    for (auto& x : inputs) {
      bool wants = x.defined() && x.requires_grad() && x.is_leaf();
      analytic[o].push_back(wants ? (x.grad().defined() ? x.grad().clone() : zeros_like(x)) : Tensor());
    }
  }

  // Numeric columns: perturb each input element both ways.
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad() || !x.is_leaf()) continue;
    double* p = x.data_ptr<double>();
    for (int64_t k = 0; k < x.numel(); ++k) {
      double orig = p[k];
      p[k] = orig + opt.eps;
      Tensor plus = f(inputs).clone();
      p[k] = orig - opt.eps;
      Tensor minus = f(inputs).clone();
      p[k] = orig;
      for (int64_t o = 0; o < n_out; ++o) {
        double numeric = (plus.data_ptr<double>()[o] - minus.data_ptr<double>()[o]) / (2 * opt.eps);
        double a = analytic[o][i].data_ptr<double>()[k];
        if (!(std::fabs(a - numeric) <= opt.atol + opt.rtol * std::fabs(numeric))) {
          return ::testing::AssertionFailure()
                 << "gradcheck: d out[" << o << "] / d input" << i << "[" << k
                 << "]: analytic " << a << " vs numeric " << numeric;
        }
      }
    }
  }
  for (auto& x : inputs)
    if (x.defined() && x.requires_grad()) x.set_grad(Tensor());
  return ::testing::AssertionSuccess();
}

}  // namespace minigrad::testing

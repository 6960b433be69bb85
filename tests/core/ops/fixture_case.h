// Runs one PyTorch fixture case through a minigrad op and compares every number:
// the forward output, then the gradients after out.backward(g). Cases are written by
// tools/make_ops_a_fixtures.py as records <key>_x, <key>_y, <key>_out, <key>_g, <key>_dx, <key>_dy.
// Not a gradient checker: finite differences are tests/gradcheck.h.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"

namespace minigrad::testing {

// Element i of a contiguous tensor as a double, whatever its dtype.
inline double element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data_ptr<float>()[i];
    case DType::Float64: return t.data_ptr<double>()[i];
    case DType::Int64: return static_cast<double>(t.data_ptr<int64_t>()[i]);
  }
  return 0;
}

// Same shape, same dtype, and every element close: float32 within 1e-6 relative
// (1e-6 absolute below magnitude 1), float64 within 1e-12 the same way, Int64 exact;
// or within `tol` (relative, absolute below 1) if given, 0 asking for bit equality.
// NaN matches NaN and an infinity only itself.
inline ::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected,
                                            double tol = -1) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "the result is undefined";
  if (actual.sizes() != expected.sizes() || actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "got shape " << shape_str(actual.sizes()) << " " << dtype_name(actual.dtype())
           << ", expected " << shape_str(expected.sizes()) << " " << dtype_name(expected.dtype());
  }
  if (tol < 0) tol = expected.dtype() == DType::Float32 ? 1e-6 : expected.dtype() == DType::Float64 ? 1e-12 : 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double a = element(actual, i), e = element(expected, i);
    bool ok = std::isnan(e) ? std::isnan(a)
              : std::isinf(e) ? a == e
              : std::fabs(a - e) <= tol * std::max(std::fabs(e), 1.0);
    if (!ok) {
      std::ostringstream ss;
      ss.precision(17);
      ss << "element " << i << ": got " << a << ", expected " << e;
      return ::testing::AssertionFailure() << ss.str();
    }
  }
  return ::testing::AssertionSuccess();
}

using CaseFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Loads <key>_x (and <key>_y if present) as leaves that require grad, applies `fn`,
// and checks the output, its grad_fn name, and the gradients of out.backward(<key>_g).
inline void check_case(const Fixture& fx, const std::string& key, const CaseFn& fn,
                       const std::string& grad_fn) {
  SCOPED_TRACE("fixture case " + key);
  std::vector<Tensor> inputs{fx[key + "_x"].clone()};
  if (fx.has(key + "_y")) inputs.push_back(fx[key + "_y"].clone());
  for (Tensor& t : inputs) t.requires_grad_();
  Tensor out = fn(inputs);
  EXPECT_TRUE(all_close(out, fx[key + "_out"])) << "forward";
  EXPECT_EQ(out.grad_fn_name(), grad_fn);
  out.backward(fx[key + "_g"]);
  const char* grads[] = {"_dx", "_dy"};
  for (std::size_t i = 0; i < inputs.size(); ++i)
    EXPECT_TRUE(all_close(inputs[i].grad(), fx[key + grads[i]])) << "gradient" << grads[i];
}

// The float64 inputs of a fixture case, as fresh leaves that require grad (for gradcheck).
inline std::vector<Tensor> f64_inputs(const Fixture& fx, const std::string& name) {
  std::vector<Tensor> inputs{fx[name + "_f64_x"].clone().requires_grad_()};
  if (fx.has(name + "_f64_y")) inputs.push_back(fx[name + "_f64_y"].clone().requires_grad_());
  return inputs;
}

}  // namespace minigrad::testing

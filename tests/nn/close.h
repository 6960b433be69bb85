// Tensor comparison for the nn/ and optim/ tests: same shape and dtype, then every
// element within atol + rtol * |expected|, failures naming the element and both values.
// Not a gradient checker (tests/gradcheck.h) and not a fixture reader (tests/fixture.h).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/tensor.h"

namespace minigrad::testing {

inline double value_at(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data_ptr<float>()[i];
    case DType::Float64: return t.data_ptr<double>()[i];
    case DType::Int64: return static_cast<double>(t.data_ptr<int64_t>()[i]);
  }
  return 0;
}

// Defaults suit float32 results set beside torch's float32 results.
inline ::testing::AssertionResult close(const Tensor& actual, const Tensor& expected,
                                        double atol = 1e-6, double rtol = 1e-6) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "the result is undefined";
  if (!expected.defined()) return ::testing::AssertionFailure() << "the expected tensor is undefined";
  if (actual.sizes() != expected.sizes() || actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "got shape " << shape_str(actual.sizes()) << " " << dtype_name(actual.dtype())
           << ", expected " << shape_str(expected.sizes()) << " " << dtype_name(expected.dtype());
  }
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double a = value_at(actual, i), e = value_at(expected, i);
    if (!(std::fabs(a - e) <= atol + rtol * std::fabs(e))) {
      std::ostringstream ss;
      ss.precision(10);
      ss << "element " << i << ": got " << a << ", expected " << e << " (diff " << a - e << ")";
      return ::testing::AssertionFailure() << ss.str();
    }
  }
  return ::testing::AssertionSuccess();
}

// Runs `fn` and checks it throws E with every one of `parts` in its message.
template <class E, class Fn>
::testing::AssertionResult throws_with(Fn&& fn, std::initializer_list<const char*> parts) {
  try {
    fn();
  } catch (const E& e) {
    std::string msg = e.what();
    for (const char* p : parts) {
      if (msg.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << p << "\"";
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another type: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace minigrad::testing

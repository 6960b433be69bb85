// close(actual, expected, atol, rtol): the nn/ tests' older spelling of
// all_close(actual, expected, {atol, rtol}) from tests/testing.h, kept while
// tests/nn/linear_test.cpp still calls it; the other tests use tests/testing.h directly.
#pragma once

#include "tests/testing.h"

namespace minigrad::testing {

// Defaults suit float32 results set beside torch's float32 results.
inline ::testing::AssertionResult close(const Tensor& actual, const Tensor& expected, double atol = 1e-6,
                                        double rtol = 1e-6) {
  return all_close(actual, expected, Tolerance{atol, rtol});
}

}  // namespace minigrad::testing

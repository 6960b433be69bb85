// What the GPT tests share: the cases of tests/fixtures/gpt.txt (tools/make_gpt_fixtures.py
// writes the same list) and the tolerance for comparing a float32 result with PyTorch's.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/core.h"
#include "llm/gpt_config.h"
#include "tests/testing.h"

namespace minigrad::testing {

struct GPTCase {
  std::string tag;
  llm::GPTConfig cfg;
  uint64_t seed;
  bool train;
};

// gtest names a failing case by its tag.
inline void PrintTo(const GPTCase& c, std::ostream* os) { *os << c.tag; }

// tools/make_gpt_fixtures.py's CASES: the model is built right after manual_seed(seed),
// and its forward is the next user of the default stream (dropout's draws).
inline const std::vector<GPTCase>& gpt_cases() {
  static const std::vector<GPTCase> cases = {
      {"eval_nobias", {50, 8, 12, 3, 2, 0.0, false}, 1, false},
      {"train_drop_bias", {37, 6, 8, 2, 1, 0.1, true}, 2, true},
      {"train_drop", {64, 10, 16, 4, 3, 0.25, false}, 3, true},
      {"eval_drop", {64, 10, 16, 4, 3, 0.25, false}, 4, false},
      {"train_nodrop_1head", {23, 5, 6, 1, 2, 0.0, true}, 5, true},
  };
  return cases;
}

// float32 against PyTorch: every element within 1e-5 of the expected tensor's scale (its
// largest magnitude) plus 1e-5 relative. Scale-relative, because a gradient's small entries
// are sums that cancel, and their error follows the size of the terms, not of the sum.
inline ::testing::AssertionResult close_to_torch(const Tensor& actual, const Tensor& expected) {
  double scale = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) scale = std::max(scale, std::fabs(element(expected, i)));
  return all_close(actual, expected, Tolerance{.atol = 1e-5 * scale, .rtol = 1e-5});
}

}  // namespace minigrad::testing

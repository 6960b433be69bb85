// Tests for core/ops/triangle.cpp: triu and tril against PyTorch (tests/fixtures/mask_ops.txt,
// written by tools/make_mask_fixtures.py) on batched, empty and out-of-range diagonals,
// float64 gradchecks, other dtypes and the errors.
#include <gtest/gtest.h>

#include <string>

#include "core/core.h"
#include "tests/core/ops/fixture_case.h"
#include "tests/gradcheck.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::Fixture;
using testing::throws_with;

const Fixture& fixture() { return Fixture::get("mask_ops.txt"); }

TEST(TriangleTest, MatchesTorchWithGradients) {
  const auto& fx = fixture();
  int cases = 0;
  for (bool upper : {true, false}) {
    std::string name = upper ? "triu" : "tril";
    for (int i = 0; fx.has(name + "_" + std::to_string(i) + "_f32_x"); ++i) {
      for (const char* code : testing::kCodes) {
        std::string k = name + "_" + std::to_string(i) + "_" + code;
        int64_t diagonal = fx[k + "_k"].item<int64_t>();
        auto member = [upper, diagonal](const std::vector<Tensor>& in) {
          return upper ? in[0].triu(diagonal) : in[0].tril(diagonal);
        };
        auto free = [upper, diagonal](const std::vector<Tensor>& in) {
          return upper ? triu(in[0], diagonal) : tril(in[0], diagonal);
        };
        std::string node = upper ? "TriuBackward0" : "TrilBackward0";
        testing::check_case(fx, k, member, node);
        testing::check_case(fx, k, free, node);
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 40);
}

TEST(TriangleTest, Gradcheck) {
  const auto& fx = fixture();
  for (int i : {1, 2, 6, 7}) {
    for (bool upper : {true, false}) {
      std::string k = std::string(upper ? "triu_" : "tril_") + std::to_string(i);
      SCOPED_TRACE(k);
      int64_t diagonal = fx[k + "_f64_k"].item<int64_t>();
      EXPECT_TRUE(testing::gradcheck(
          [upper, diagonal](const std::vector<Tensor>& in) {
            return (upper ? in[0].triu(diagonal) : in[0].tril(diagonal)).mul(in[0]);
          },
          testing::f64_inputs(fx, k)));
    }
  }
}

TEST(TriangleTest, TheBooksCausalMask) {
  // torch.triu(torch.ones(4, 4), diagonal=1).bool(): True where a token would see its future.
  Tensor mask = triu(ones({4, 4}), 1).to(DType::Bool);
  EXPECT_TRUE(all_close(mask, tensor({false, true, true, true,
                                      false, false, true, true,
                                      false, false, false, true,
                                      false, false, false, false}, {4, 4})));
  // The same mask from Bool and Int64 tensors directly.
  EXPECT_TRUE(all_close(ones({4, 4}, DType::Bool).triu(1), mask));
  EXPECT_TRUE(all_close(ones({4, 4}, DType::Int64).tril().eq(0.0), mask));
  // Huge diagonals neither overflow nor wrap.
  EXPECT_TRUE(all_close(ones({2, 3}).triu(INT64_MAX), zeros({2, 3})));
  EXPECT_TRUE(all_close(ones({2, 3}).tril(INT64_MIN), zeros({2, 3})));
  EXPECT_TRUE(all_close(ones({2, 3}).triu(INT64_MIN), ones({2, 3})));
}

TEST(TriangleTest, Errors) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { ones({3}).triu(); }, {"triu", "at least 2 dimensions", "[3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { tril(scalar_tensor(1.0)); }, {"tril", "at least 2 dimensions", "[]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { triu(Tensor()); }, {"triu", "undefined"}));
}

}  // namespace
}  // namespace minigrad

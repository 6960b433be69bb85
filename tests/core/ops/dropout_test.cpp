// Checks core/ops/dropout.cpp: masks, outputs and the stream position against PyTorch 1.13
// (tests/fixtures/sampling.txt, tools/make_sampling_fixtures.py) at 1 and 2 threads, the
// gradient against torch and a finite difference, the no-draw cases, and bad p.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/core.h"
#include "tests/gradcheck.h"
#include "tests/sampling_common.h"

namespace minigrad {
namespace {

using testing::at_one_and_two_threads;
using testing::bitwise_equal;
using testing::kSamplingSeeds;
using testing::next_draws_match;
using testing::sampling_fixture;
using testing::sampling_hash;
using testing::seed_tag;
using testing::throws_with;

// At p = 0.021 the scale 1.0f / float(1 - p) differs from float(1 / (1 - p)) in the last bit.
const struct { double p; const char* tag; } kPs[] = {
    {0.1, "_p01"}, {0.5, "_p05"}, {0.9, "_p09"}, {0.021, "_p0021"}};

std::string code_of(DType dtype) { return dtype == DType::Float32 ? "_f32" : "_f64"; }

TEST(DropoutTest, MasksAndOutputsMatchTorch) {
  const Shape shapes[] = {{7}, {10, 10}, {3, 40}};
  at_one_and_two_threads([&] {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      for (auto [p, ptag] : kPs) {
        for (uint64_t seed : kSamplingSeeds) {
          for (const Shape& shape : shapes) {
            std::string stag = std::to_string(shape[0]);  // appended, not one expression: GCC 12 warns falsely (-Wrestrict)
            if (shape.size() == 2) stag.append("x").append(std::to_string(shape[1]));
            std::string name = "drop" + code_of(dtype) + ptag + seed_tag(seed) + "_" + stag;
            manual_seed(999);
            Tensor x = randn(shape, dtype);  // the script's input
            manual_seed(seed);
            EXPECT_TRUE(bitwise_equal(dropout(x, p, true), sampling_fixture()[name + "_y"])) << name;
            EXPECT_TRUE(next_draws_match(name)) << name;
          }
        }
      }
    }
  });
}

// 10^5 ones: which elements survive (count and hash of the 0/1 mask), and the scale's bits.
TEST(DropoutTest, LargeMasksMatchTorch) {
  at_one_and_two_threads([&] {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      for (auto [p, ptag] : kPs) {
        for (uint64_t seed : kSamplingSeeds) {
          std::string name = "drop" + code_of(dtype) + ptag + seed_tag(seed) + "_big";
          manual_seed(seed);
          Tensor y = dropout(ones({100000}, dtype), p, true);
          Tensor kept = zeros({100000}, DType::Int64);
          int64_t count = 0;
          for (int64_t i = 0; i < y.numel(); ++i) {
            bool k = testing::element(y, i) != 0.0;
            kept.data_ptr<int64_t>()[i] = k;
            count += k;
          }
          Tensor want = sampling_fixture()[name + "_hash"];
          EXPECT_EQ(count, want.data_ptr<int64_t>()[0]) << name;
          EXPECT_EQ(sampling_hash(kept), want.data_ptr<int64_t>()[1]) << name;
          Tensor first = empty({40}, dtype);
          std::memcpy(first.raw_data(), y.raw_data(), 40 * element_size(dtype));
          EXPECT_TRUE(bitwise_equal(first, sampling_fixture()[name + "_head"])) << name;
          EXPECT_TRUE(next_draws_match(name)) << name;
        }
      }
    }
  });
}

TEST(DropoutTest, GradientIsTheScaledMaskAsInTorch) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    std::string code = dtype == DType::Float32 ? "f32" : "f64";
    Tensor x = sampling_fixture()["dropgrad_" + code + "_x"].clone();
    x.requires_grad_();
    manual_seed(123);
    Tensor y = dropout(x, 0.3, true);
    EXPECT_EQ(y.grad_fn_name(), "MulBackward0");
    EXPECT_TRUE(bitwise_equal(y.detach(), sampling_fixture()["dropgrad_" + code + "_y"]));
    y.backward(sampling_fixture()["dropgrad_" + code + "_g"]);
    EXPECT_TRUE(bitwise_equal(x.grad(), sampling_fixture()["dropgrad_" + code + "_dx"]));
  }
}

// The mask is redrawn on every call, so the seed is reset before each evaluation.
TEST(DropoutTest, GradcheckWithAFixedSeed) {
  manual_seed(0);
  Tensor x = randn({3, 7}, DType::Float64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) {
    manual_seed(7);
    return dropout(in[0], 0.4, true);
  }, {x}));
}

TEST(DropoutTest, EvalModeAndZeroPReturnTheInputWithoutDrawing) {
  Tensor x = randn({4, 5});
  Generator& gen = default_generator();
  manual_seed(3);
  EXPECT_TRUE(dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(dropout(x, 0.0, true).is_same(x));
  EXPECT_TRUE(dropout(empty({0, 3}), 0.5, true).sizes() == (Shape{0, 3}));
  Generator fresh(3);
  EXPECT_EQ(gen.random(), fresh.random());
}

// p = 1: x * 0 without drawing, as torch (so -2 gives -0 and the gradient is 0).
TEST(DropoutTest, POneZeroesWithoutDrawing) {
  Tensor x = tensor({-2.f, 3.f}).requires_grad_();
  manual_seed(3);
  Tensor y = dropout(x, 1.0, true);
  EXPECT_TRUE(bitwise_equal(y.detach(), tensor({-0.f, 0.f})));
  EXPECT_EQ(y.grad_fn_name(), "MulBackward0");
  y.sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({0.f, 0.f})));
  Generator fresh(3);
  EXPECT_EQ(default_generator().random(), fresh.random());
}

TEST(DropoutTest, BadPAndIntegerInputsAreRejected) {
  Tensor x = ones({2, 3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { dropout(x, 1.5, true); },
                                                 {"dropout", "between 0 and 1", "p=1.5", "[2, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { dropout(x, -0.1, false); }, {"dropout", "p=-0.1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { dropout(x, std::numeric_limits<double>::quiet_NaN(), true); }, {"dropout", "p=nan"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { dropout(ones({3}, DType::Int64), 0.5, true); },
                                                 {"dropout", "torch.int64"}));
}

}  // namespace
}  // namespace minigrad

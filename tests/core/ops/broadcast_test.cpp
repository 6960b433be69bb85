// Checks core/ops/broadcast.cpp: the repeated-row fast paths of expand_to and sum_to
// agree with the general element-by-element loops (the reference: the same bits, but for
// sum_to's float sums, which the fast path adds in torch's order), on awkward shapes,
// every dtype, empty dims and sizes large enough to use threads.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/ops/broadcast.h"
#include "core/random.h"

namespace minigrad {
namespace {

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes() || a.dtype() != b.dtype()) return false;
  return a.numel() == 0 || std::memcmp(a.raw_data(), b.raw_data(), a.numel() * element_size(a.dtype())) == 0;
}

// Values whose sums depend on the order they are added in (floats of mixed
// magnitude; int64 near the wrap-around point).
Tensor values(const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (dtype == DType::Int64) {
    int64_t* p = t.data_ptr<int64_t>();
    for (int64_t i = 0; i < t.numel(); ++i) {  // wrapped in uint64: signed overflow is undefined
      uint64_t v = (i % 3 == 0 ? uint64_t{INT64_MAX / 5} : uint64_t(-7)) * uint64_t(i + 1);
      p[i] = static_cast<int64_t>(v);
    }
    return t;
  }
  Tensor r = randn(shape, dtype);
  if (r.numel() == 0) return t;
  std::memcpy(t.raw_data(), r.raw_data(), r.numel() * element_size(dtype));
  if (dtype == DType::Float32) {
    float* p = t.data_ptr<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] *= (i % 5 == 0 ? 1e6f : 1e-3f);
  }
  return t;
}

struct Case {
  Shape big, small;
};

// Repeated-row pairs (fast path) and others (general path), including empty dims.
const std::vector<Case> kCases = {
    {{7, 33}, {33}},       {{7, 33}, {1, 33}},     {{2, 3, 5}, {3, 5}},  {{2, 3, 5}, {1, 1, 5}},
    {{2, 3, 5}, {1, 3, 5}}, {{257}, {}},           {{3, 4}, {}},         {{3, 4}, {1, 1}},
    {{1, 7}, {7}},          {{4, 0}, {0}},         {{0, 5}, {5}},        {{0, 5}, {1, 5}},
    {{3, 4}, {3, 1}},       {{2, 3, 4}, {3, 1}},   {{2, 3, 4}, {2, 1, 4}}, {{512, 1024}, {1024}},
    {{1024, 256}, {}},      {{600, 3}, {1, 3}},
};

// The fast path sums floats in torch's order, in the dtype (kernels::sum_dim), the general
// loop in double: within rows * eps * sum |x| of each other; int64 sums wrap to the same bits.
TEST(BroadcastTest, SumToFastPathMatchesReference) {
  manual_seed(7);
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    for (const Case& c : kCases) {
      Tensor big = values(c.big, dtype);
      Tensor fast = sum_to(big, c.small), ref = sum_to_reference(big, c.small);
      if (dtype == DType::Int64) {
        EXPECT_TRUE(same_bits(fast, ref)) << shape_str(c.big) << " -> " << shape_str(c.small);
        continue;
      }
      ASSERT_EQ(fast.sizes(), ref.sizes());
      const double eps = dtype == DType::Float32 ? 0x1p-23 : 0x1p-52;
      const double rows = c.small.empty() || fast.numel() == 0 ? static_cast<double>(big.numel())
                                                                : static_cast<double>(big.numel() / fast.numel());
      const Tensor b = big.to(DType::Float64), abs_sum = sum_to_reference(relu(b) + relu(-b), c.small);
      const Tensor f = fast.to(DType::Float64), r = ref.to(DType::Float64);
      for (int64_t i = 0; i < fast.numel(); ++i)
        EXPECT_NEAR(f.data_ptr<double>()[i], r.data_ptr<double>()[i], rows * eps * abs_sum.data_ptr<double>()[i])
            << shape_str(c.big) << " -> " << shape_str(c.small) << " " << dtype_name(dtype) << " at " << i;
    }
  }
}

TEST(BroadcastTest, ExpandToFastPathMatchesReferenceBitForBit) {
  manual_seed(8);
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    for (const Case& c : kCases) {
      Tensor small = values(c.small, dtype);
      Tensor fast = expand_to(small, c.big), ref = expand_to_reference(small, c.big);
      EXPECT_TRUE(same_bits(fast, ref)) << shape_str(c.small) << " -> " << shape_str(c.big) << " "
                                        << dtype_name(dtype);
    }
  }
}

// A float32 sum over rows is torch's: added in float32, so 2^24 + 1 + 1 stays 2^24 (torch's
// t.sum_to_size(1) and the gradient of a (1) tensor broadcast to (3, 1) give 16777216 too).
TEST(BroadcastTest, SumOverRowsIsTorchsFloat32Sum) {
  Tensor t = tensor({16777216.0f, 1.0f, 1.0f}, {3, 1});
  EXPECT_EQ(sum_to(t, {1}).item<float>(), 16777216.0f);
  EXPECT_EQ(sum_to(t, {1, 1}).item<float>(), 16777216.0f);
}

TEST(BroadcastTest, FastPathsKeepTheErrors) {
  Tensor t = zeros({3, 4});
  EXPECT_THROW(sum_to(t, {5}), std::invalid_argument);
  EXPECT_THROW(sum_to(t, {2, 3, 4}), std::invalid_argument);
  EXPECT_THROW(expand_to(zeros({5}), {3, 4}), std::invalid_argument);
  EXPECT_THROW(expand_to(zeros({2, 3, 4}), {3, 4}), std::invalid_argument);
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/slice.cpp against PyTorch 1.13 (tests/fixtures/shape_ops.txt, written by
// tools/make_shape_fixtures.py): narrow, slice and select values, gradients and grad_fn
// names in float32 and float64, float64 gradchecks, Python's slicing rules, Int64 inputs,
// results that are copies, and the errors.
#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/core/ops/fixture_case.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::OpCase;
using testing::all_close;
using testing::check_case;
using testing::f64_inputs;
using testing::gradcheck;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("shape_ops.txt"); }

// The C++ spelling of each Python case in tools/make_shape_fixtures.py (SLICE_CASES).
const std::vector<OpCase>& slice_ops() {
  using V = const std::vector<Tensor>&;
  static const std::vector<OpCase> ops = {
      {"sl_narrow_d1", [](V v) { return v[0].narrow(1, 1, 2); }, "SliceBackward0"},
      {"sl_narrow_neg", [](V v) { return narrow(v[0], -1, -3, 2); }, "SliceBackward0"},
      {"sl_narrow_end", [](V v) { return v[0].narrow(0, 3, 0); }, "SliceBackward0"},
      {"sl_slice_tail", [](V v) { return v[0].slice(1, -2); }, "SliceBackward0"},
      {"sl_slice_tail_long", [](V v) { return v[0].slice(1, -10); }, "SliceBackward0"},
      {"sl_slice_step", [](V v) { return v[0].slice(-1, 1, 5, 2); }, "SliceBackward0"},
      {"sl_slice_step3", [](V v) { return v[0].slice(0, std::nullopt, std::nullopt, 3); }, "SliceBackward0"},
      {"sl_slice_clamp", [](V v) { return slice(v[0], 1, -10, 10); }, "SliceBackward0"},
      {"sl_slice_backwards", [](V v) { return v[0].slice(1, 3, 1); }, "SliceBackward0"},
      {"sl_slice_head", [](V v) { return v[0].slice(1, std::nullopt, -1); }, "SliceBackward0"},
      {"sl_slice_of_empty", [](V v) { return v[0].slice(1, 1, 3); }, "SliceBackward0"},
      {"sl_select_mid", [](V v) { return v[0].select(1, 2); }, "SelectBackward0"},
      {"sl_select_neg", [](V v) { return select(v[0], -1, -1); }, "SelectBackward0"},
      {"sl_select_last_row", [](V v) { return v[0].select(1, -1); }, "SelectBackward0"},
      {"sl_select_1d", [](V v) { return v[0].select(0, -2); }, "SelectBackward0"},
      {"sl_select_empty", [](V v) { return v[0].select(0, 1); }, "SelectBackward0"},
  };
  return ops;
}

TEST(SliceTest, OpsMatchTorch) {
  for (const auto& op : slice_ops())
    for (const char* code : testing::kCodes) check_case(fixture(), op.name + "_" + code, op.fn, op.grad_fn);
}

TEST(SliceTest, OpsGradcheck) {
  for (const auto& op : slice_ops()) {
    SCOPED_TRACE(op.name);
    EXPECT_TRUE(gradcheck(op.fn, f64_inputs(fixture(), op.name)));
  }
}

// Python's x[start:end:step] on arange(10), bound by bound.
TEST(SliceTest, PythonRulesForBounds) {
  Tensor x = arange(10);
  auto values = [](const Tensor& t) {
    std::vector<int64_t> v(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    return v;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(values(x.slice(0, -3)), (V{7, 8, 9}));                       // x[-3:]
  EXPECT_EQ(values(x.slice(0, std::nullopt, -7)), (V{0, 1, 2}));         // x[:-7]
  EXPECT_EQ(values(x.slice(0, 2, 100)), (V{2, 3, 4, 5, 6, 7, 8, 9}));    // x[2:100]
  EXPECT_EQ(values(x.slice(0, -100, 3)), (V{0, 1, 2}));                  // x[-100:3]
  EXPECT_EQ(values(x.slice(0, 8, 2)), V{});                              // x[8:2]
  EXPECT_EQ(values(x.slice(0, 12, 20)), V{});                            // x[12:20]
  EXPECT_EQ(values(x.slice(0, 1, 9, 3)), (V{1, 4, 7}));                  // x[1:9:3]
  EXPECT_EQ(values(x.slice(0, 9, 10, 5)), (V{9}));                       // x[9:10:5]
  EXPECT_EQ(values(x.slice(0, -4, -1, 2)), (V{6, 8}));                   // x[-4:-1:2]
  EXPECT_EQ(values(x.slice()), (V{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));       // x[:]
  constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(values(x.slice(0, 3, kHuge, kHuge)), (V{3}));                 // no overflow in the count
  EXPECT_EQ(values(x.slice(0, -kHuge, 2)), (V{0, 1}));
  EXPECT_EQ(values(x.narrow(0, -2, 2)), (V{8, 9}));
  EXPECT_EQ(values(x.narrow(0, 10, 0)), V{});
  EXPECT_EQ(values(x.select(0, -10).reshape({1})), (V{0}));
}

TEST(SliceTest, Int64Values) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 4});
  EXPECT_TRUE(all_close(x.select(1, -1), tensor({4, 8, 12})));
  EXPECT_TRUE(all_close(x.slice(1, 1, 4, 2), tensor({2, 4, 6, 8, 10, 12}, {3, 2})));
  EXPECT_TRUE(all_close(x.narrow(0, 1, 2), tensor({5, 6, 7, 8, 9, 10, 11, 12}, {2, 4})));
  EXPECT_FALSE(x.slice(1, -2).requires_grad());
  EXPECT_EQ(x.slice(1, -2).grad_fn_name(), "");
}

TEST(SliceTest, ShapesAsTorch) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.select(0, 1).sizes(), (Shape{3, 4}));
  EXPECT_EQ(x.select(2, -1).sizes(), (Shape{2, 3}));
  EXPECT_EQ(x.select(0, 0).select(0, 0).select(0, 0).sizes(), Shape{});
  EXPECT_EQ(x.slice(1, -1).sizes(), (Shape{2, 1, 4}));
  EXPECT_EQ(x.slice(2, 0, 4, 3).sizes(), (Shape{2, 3, 2}));
  EXPECT_EQ(x.slice(1, 2, 1).sizes(), (Shape{2, 0, 4}));
  EXPECT_EQ(x.narrow(-1, 1, 3).sizes(), (Shape{2, 3, 3}));
}

// Every minigrad tensor is contiguous, so a slice is a copy: unlike torch, writing into
// it leaves the input as it was (documented in tensor.h and slice.cpp).
TEST(SliceTest, ResultsAreCopies) {
  Tensor x = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  Tensor row = x.select(0, 1);
  row.fill_(0.0);
  Tensor cols = x.slice(1, 1);
  cols.fill_(0.0);
  x.narrow(0, 0, 1).fill_(0.0);
  EXPECT_TRUE(all_close(x, tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3})));
  EXPECT_EQ(x.version(), 0u);
}

// A slice taken twice from one tensor: both gradients add up in the input.
TEST(SliceTest, OverlappingSlicesAccumulate) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0}).requires_grad_();
  Tensor y = x.slice(0, 0, 3).sum() + x.slice(0, 1).mul(10.0).sum() + x.select(0, -1);
  y.backward();
  EXPECT_TRUE(all_close(x.grad(), tensor({1.0, 11.0, 11.0, 11.0})));
}

TEST(SliceTest, IndexErrorsNameIndexDimAndSize) {
  Tensor x = zeros({4, 5});
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { x.select(0, 4); }, {"select", "index 4", "dimension 0 of size 4", "[4, 5]", "[-4, 3]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { x.select(-1, -6); }, {"select", "index -6", "dimension 1 of size 5", "[-5, 4]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { zeros({0, 3}).select(0, 0); }, {"select", "index 0", "dimension 0 of size 0"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { x.narrow(1, 3, 3); }, {"narrow", "start 3 + length 3", "dimension 1 of size 5", "[4, 5]", "at most 2"}));
  EXPECT_TRUE(throws_with<std::out_of_range>(
      [&] { x.narrow(1, -6, 1); }, {"narrow", "start -6", "dimension 1 of size 5", "[-5, 5]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.narrow(0, 6, 0); }, {"narrow", "start 6"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.narrow(0, 1, -1); }, {"narrow", "length", "-1"}));
}

TEST(SliceTest, StepMustBePositive) {
  Tensor x = zeros({4, 5});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.slice(0, 0, 4, 0); }, {"slice", "step", "positive", "0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.slice(1, {}, {}, -1); }, {"slice", "step", "-1"}));
}

TEST(SliceTest, DimErrorsAreOutOfRange) {
  Tensor x = zeros({4, 5});
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.select(2, 0); }, {"select", "dimension 2", "[-2, 1]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.narrow(-3, 0, 1); }, {"narrow", "dimension -3"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.slice(2); }, {"slice", "dimension 2"}));
  Tensor s = scalar_tensor(1.0);
  for (const char* op : {"select", "narrow", "slice"}) {
    SCOPED_TRACE(op);
    EXPECT_TRUE(throws_with<std::out_of_range>(
        [&] {
          if (std::string(op) == "select") s.select(0, 0);
          else if (std::string(op) == "narrow") s.narrow(0, 0, 1);
          else s.slice(0);
        },
        {op, "0-dim"}));
  }
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { Tensor().select(0, 0); }, {"select", "undefined"}));
}

}  // namespace
}  // namespace minigrad

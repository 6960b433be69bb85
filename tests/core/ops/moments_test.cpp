// Checks core/ops/moments.cpp against PyTorch 1.13 (tests/fixtures/shape_ops.txt, written by
// tools/make_shape_fixtures.py): var and std values (bit for bit), gradients and grad_fn
// names in float32 and float64, float64 gradchecks, hand-derived values, the overloads
// a call like x.var(1) picks, thread-count determinism, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/core/kernels/threads.h"
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

// The C++ spelling of each Python case in tools/make_shape_fixtures.py (MOMENT_CASES);
// whether it is differentiable there (not where the result is nan, or std at 0); and
// whether its values sit near 1e3 (see OffsetCasesMatchTorchWithinTheMeansUlp).
struct MomentCase {
  OpCase op;
  bool gradcheck = true;
  bool offset = false;
};

const std::vector<MomentCase>& moment_cases() {
  using V = const std::vector<Tensor>&;
  static const std::vector<MomentCase> cases = {
      {{"mom_var_d0", [](V v) { return v[0].var(0); }, "VarBackward0"}},
      {{"mom_var_d1", [](V v) { return var(v[0], 1); }, "VarBackward0"}},
      {{"mom_var_dm1_biased_keep", [](V v) { return v[0].var(-1, false, true); }, "VarBackward0"}},
      {{"mom_var_d1_biased", [](V v) { return v[0].var(1, false); }, "VarBackward0"}},
      {{"mom_var_all", [](V v) { return v[0].var(); }, "VarBackward0"}},
      {{"mom_var_all_biased", [](V v) { return var(v[0], false); }, "VarBackward0"}},
      {{"mom_var_1d_dim", [](V v) { return v[0].var(0); }, "VarBackward0"}},
      {{"mom_var_row_dim", [](V v) { return v[0].var(1, true, true); }, "VarBackward0"}},
      {{"mom_var_offset_dim", [](V v) { return v[0].var(1); }, "VarBackward0"}, true, true},
      {{"mom_var_offset_all", [](V v) { return v[0].var(); }, "VarBackward0"}, true, true},
      {{"mom_var_long", [](V v) { return v[0].var(); }, "VarBackward0"}},
      {{"mom_var_long_rows", [](V v) { return v[0].var(-1, false); }, "VarBackward0"}},
      {{"mom_var_single", [](V v) { return v[0].var(1); }, "VarBackward0"}, false},
      {{"mom_var_single_biased", [](V v) { return v[0].var(1, false); }, "VarBackward0"}},
      {{"mom_var_empty", [](V v) { return v[0].var(1); }, "VarBackward0"}},
      {{"mom_var_0d", [](V v) { return v[0].var(0, false); }, "VarBackward0"}},
      {{"mom_std_d0", [](V v) { return v[0].std(0); }, "StdBackward0"}},
      {{"mom_std_dm1_keep", [](V v) { return std(v[0], -1, true, true); }, "StdBackward0"}},
      {{"mom_std_d1_biased", [](V v) { return v[0].std(1, false); }, "StdBackward0"}},
      {{"mom_std_all", [](V v) { return v[0].std(); }, "StdBackward0"}},
      {{"mom_std_all_biased", [](V v) { return std(v[0], false); }, "StdBackward0"}},
      {{"mom_std_offset_dim", [](V v) { return v[0].std(0); }, "StdBackward0"}, true, true},
      {{"mom_std_single", [](V v) { return v[0].std(1); }, "StdBackward0"}, false},
      {{"mom_std_constant_row", [](V v) { return v[0].std(1); }, "StdBackward0"}, false},
  };
  return cases;
}

TEST(MomentsTest, MatchTorch) {
  for (const auto& c : moment_cases())
    for (const char* code : testing::kCodes) {
      if (c.offset && std::string(code) == "f32") continue;  // next test
      check_case(fixture(), c.op.name + "_" + code, c.op.fn, c.op.grad_fn);
    }
}

// Values near 1e3 with a spread near 1: the float32 gradient 2 (x - mean) / (N - 1) g loses
// digits to the cancellation in x - mean, where mean is a float32 (as torch's backward has
// it). Torch's float32 mean (its own summation order, which depends on the CPU's vector
// width) and ours (summed in double, then rounded) can differ by one ulp of 1e3, 6.1e-5,
// so the gradients can differ by 2 / (N - 1) |g| 6.1e-5 (times 1 / (2 std) for std):
// held to 1e-4 absolute. The forward values agree bit for bit.
TEST(MomentsTest, OffsetCasesMatchTorchWithinTheMeansUlp) {
  for (const auto& c : moment_cases()) {
    if (!c.offset) continue;
    const std::string key = c.op.name + "_f32";
    SCOPED_TRACE(key);
    Tensor x = fixture()[key + "_x"].clone().requires_grad_();
    Tensor out = c.op.fn({x});
    EXPECT_TRUE(testing::bitwise_equal(out, fixture()[key + "_out"]));
    EXPECT_EQ(out.grad_fn_name(), c.op.grad_fn);
    out.backward(fixture()[key + "_g"]);
    EXPECT_TRUE(all_close(x.grad(), fixture()[key + "_dx"], testing::Tolerance{.atol = 1e-4, .rtol = 0}));
  }
}

// The forward reproduces torch's algorithms (Welford with its fma, or the two-pass sum), so
// the bits agree, in float64 too; but for a one-number float64 result the two-pass sum
// centres on the mean, and torch's float64 mean sums in an order set by the CPU's vector
// width (AVX2 or AVX-512), ours in a fixed one: the last bits of the mean may differ, and
// with them a few ulp of the variance (1e-15 relative). NaN matches NaN (torch's 0/0 has
// its sign bit set, the fixture's "nan" has not).
TEST(MomentsTest, ForwardIsBitwiseTorch) {
  for (const auto& c : moment_cases()) {
    for (const char* code : testing::kCodes) {
      const std::string key = c.op.name + "_" + code;
      SCOPED_TRACE(key);
      Tensor out = c.op.fn({fixture()[key + "_x"]});
      Tensor want = fixture()[key + "_out"];
      ASSERT_EQ(out.sizes(), want.sizes());
      for (int64_t i = 0; i < want.numel(); ++i) {
        double a = testing::element(out, i), e = testing::element(want, i);
        if (std::isnan(e)) {
          EXPECT_TRUE(std::isnan(a)) << "element " << i;
        } else {
          if (want.numel() == 1 && want.dtype() == DType::Float64) EXPECT_NEAR(a, e, 1e-15 * std::fabs(e));
          else EXPECT_EQ(a, e) << "element " << i;  // a float32 widened to double: exact iff the bits agree
        }
      }
    }
  }
}

TEST(MomentsTest, Gradcheck) {
  for (const auto& c : moment_cases()) {
    if (!c.gradcheck) continue;
    SCOPED_TRACE(c.op.name);
    EXPECT_TRUE(gradcheck(c.op.fn, f64_inputs(fixture(), c.op.name)));
  }
}

TEST(MomentsTest, ChainOfSlicesMatchesTorch) {
  // std over dim 1 of cat([x[:, 1:3], x[:, 0].unsqueeze(1), x[:, ::2]], 1)
  auto f = [](const std::vector<Tensor>& v) {
    const Tensor& x = v[0];
    return cat({x.slice(1, 1, 3), x.select(1, 0).unsqueeze(1), x.slice(1, {}, {}, 2)}, 1).std(1);
  };
  for (const char* code : testing::kCodes) check_case(fixture(), std::string("chain_") + code, f, "StdBackward0");
  EXPECT_TRUE(gradcheck(f, f64_inputs(fixture(), "chain")));
}

TEST(MomentsTest, HandDerivedValues) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0, 2.0, 2.0, 2.0, 2.0}, {2, 4});
  // Row 0: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5.
  EXPECT_TRUE(all_close(x.var(1), tensor({5.0 / 3.0, 0.0})));
  EXPECT_TRUE(all_close(x.var(1, false), tensor({1.25, 0.0})));
  EXPECT_TRUE(all_close(x.std(1, false, true), tensor({std::sqrt(1.25), 0.0}, {2, 1})));
  // All 8: mean 2.25, squared deviations 5 + 4 * 0.0625 + 4 * ... = 5.5 (see below).
  // sum (x - 2.25)^2 = 1.5625 + 0.0625 + 0.5625 + 3.0625 + 4 * 0.0625 = 5.5
  EXPECT_TRUE(all_close(x.var(), scalar_tensor(5.5 / 7.0, DType::Float64)));
  EXPECT_TRUE(all_close(x.var(false), scalar_tensor(5.5 / 8.0, DType::Float64)));
  // d var / dx = 2 (x - mean) / (N - 1): for row 0 and g = 1, (2/3) * (-1.5, -0.5, 0.5, 1.5).
  Tensor w = x.clone().requires_grad_();
  w.var(1).sum().backward();
  EXPECT_TRUE(all_close(w.grad(), tensor({-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0, 0.0, 0.0, 0.0, 0.0}, {2, 4})));
}

// x.var(1) reduces dim 1 (the int overload), x.var(true) and x.var(false) everything.
TEST(MomentsTest, OverloadsPickTheDimForms) {
  Tensor x = zeros({2, 3});
  EXPECT_EQ(x.var(1).sizes(), (Shape{2}));
  EXPECT_EQ(x.var(-1, false, true).sizes(), (Shape{2, 1}));
  EXPECT_EQ(x.var(int64_t{0}).sizes(), (Shape{3}));
  EXPECT_EQ(x.var(true).sizes(), Shape{});
  EXPECT_EQ(x.std(0).sizes(), (Shape{3}));
  EXPECT_EQ(x.std(false).sizes(), Shape{});
  EXPECT_EQ(var(x, 1).sizes(), (Shape{2}));
  EXPECT_EQ(std(x, 0, true, true).sizes(), (Shape{1, 3}));
  EXPECT_EQ(std(x).sizes(), Shape{});
}

// Each output is one sequential Welford pass, so splitting the outputs across threads changes
// no bit; the one-number form is one sequential loop. 40000 values per row exceed torch's
// grain (32768), where torch's own results would start depending on its thread count.
TEST(MomentsTest, SameBitsAtAnyThreadCount) {
  manual_seed(3);
  Tensor x = randn({6, 40000});
  Tensor t = x.t();  // (40000, 6): reduced with a stride
  Tensor a, b, c, d, e, f;
  {
    kernels::testing_threads::Scoped one(1);
    a = x.var(1), c = t.std(0), e = x.var();
  }
  {
    kernels::testing_threads::Scoped two(2);
    b = x.var(1), d = t.std(0), f = x.var();
  }
  EXPECT_TRUE(testing::bitwise_equal(a, b));
  EXPECT_TRUE(testing::bitwise_equal(c, d));
  EXPECT_TRUE(testing::bitwise_equal(e, f));
  // And the values are the variance: against a plain two-pass in double.
  const float* p = x.data_ptr<float>();
  for (int64_t r = 0; r < 6; ++r) {
    double mean = 0, m2 = 0;
    for (int64_t k = 0; k < 40000; ++k) mean += p[r * 40000 + k];
    mean /= 40000;
    for (int64_t k = 0; k < 40000; ++k) m2 += (p[r * 40000 + k] - mean) * (p[r * 40000 + k] - mean);
    EXPECT_NEAR(a.data_ptr<float>()[r], m2 / 39999, 1e-6);
    EXPECT_NEAR(c.data_ptr<float>()[r], std::sqrt(m2 / 39999), 1e-6);
  }
}

TEST(MomentsTest, Errors) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { tensor({1, 2, 3}).var(); }, {"var", "floating point", "torch.int64", "to(DType::Float32)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { tensor({1, 2, 3}).std(0); }, {"std", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([] { zeros({2, 3}).var(2); }, {"var", "dimension 2", "[-2, 1]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([] { zeros({2, 3}).std(-3, false); }, {"std", "dimension -3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { Tensor().var(); }, {"var", "undefined"}));
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/reduce.cpp against PyTorch 1.13 (tests/fixtures/reduce.txt, written by
// tools/make_ops_a_fixtures.py): sum / mean / max / argmax values, indices (ties go to the
// first), gradients and grad_fn names in float32 and float64, float64 gradchecks, errors;
// and torch's sums bit for bit, on inputs big and small (tests/fixtures/sum_order.txt,
// tools/make_sum_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iomanip>
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

using testing::CaseFn;
using testing::kCodes;
using testing::OpCase;
using testing::all_close;
using testing::check_case;
using testing::f64_inputs;
using testing::gradcheck;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("reduce.txt"); }

const std::vector<OpCase>& sum_mean_ops() {
  using V = const std::vector<Tensor>&;
  static const std::vector<OpCase> ops = {
      {"sum", [](V v) { return v[0].sum(); }, "SumBackward0"},
      {"sum_0", [](V v) { return sum(v[0], 0); }, "SumBackward1"},
      {"sum_1_keep", [](V v) { return v[0].sum(1, true); }, "SumBackward1"},
      {"sum_neg", [](V v) { return v[0].sum(-1); }, "SumBackward1"},
      {"sum_neg_keep", [](V v) { return sum(v[0], -2, true); }, "SumBackward1"},
      {"mean", [](V v) { return mean(v[0]); }, "MeanBackward0"},
      {"mean_0", [](V v) { return v[0].mean(0); }, "MeanBackward1"},
      {"mean_1_keep", [](V v) { return v[0].mean(1, true); }, "MeanBackward1"},
      {"mean_neg", [](V v) { return mean(v[0], -1); }, "MeanBackward1"},
      {"mean_neg_keep", [](V v) { return v[0].mean(-3, true); }, "MeanBackward1"},
  };
  return ops;
}

TEST(ReduceTest, SumAndMeanMatchTorch) {
  for (const auto& op : sum_mean_ops())
    for (const char* code : kCodes) check_case(fixture(), op.name + "_" + code, op.fn, op.grad_fn);
}

TEST(ReduceTest, SumAndMeanGradcheck) {
  for (const auto& op : sum_mean_ops()) {
    SCOPED_TRACE(op.name);
    EXPECT_TRUE(gradcheck(op.fn, f64_inputs(fixture(), op.name)));
  }
}

// Element i of input `seed` in tools/make_sum_fixtures.py: a signed 24-bit (float32) or
// 53-bit (float64) integer times a power of two, exact in its dtype.
uint32_t hash32(uint32_t x) {  // lowbias32
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  return x ^ (x >> 16);
}
Tensor sum_input(int64_t seed, bool f64, const Shape& shape) {
  Tensor t = empty(shape, f64 ? DType::Float64 : DType::Float32);
  float* xf = f64 ? nullptr : t.data_ptr<float>();
  double* xd = f64 ? t.data_ptr<double>() : nullptr;
  for (int64_t k = 0; k < t.numel(); ++k) {
    const uint64_t i = static_cast<uint64_t>(k) + static_cast<uint64_t>(seed) * 0x9E3779B9ull;
    if (f64) {
      const uint32_t hi = hash32(static_cast<uint32_t>(2 * i)), lo = hash32(static_cast<uint32_t>(2 * i + 1));
      const double m = static_cast<double>(hi >> 5) * 0x1p26 + static_cast<double>(lo >> 6) - 0x1p52;
      xd[k] = m * std::ldexp(1.0, static_cast<int>(lo & 15) * 2 - 60);  // exact: m has 53 bits
    } else {
      const uint32_t x = hash32(static_cast<uint32_t>(i));
      xf[k] = static_cast<float>((static_cast<double>(x >> 8) - 0x1p23) * std::ldexp(1.0, static_cast<int>(x & 7) * 2 - 20));
    }
  }
  return t;
}

// float32 sums in float32, float64 in float64, in torch's order: the same bits as torch's at
// 1 and 2 threads, for full sums (one row), rows, and columns fewer or more than 8 wide.
TEST(ReduceTest, SumsAreTorchsBitForBit) {
  const testing::Fixture& f = testing::Fixture::get("sum_order.txt");
  const Tensor spec = f["spec"];
  for (int64_t c = 0; c < spec.sizes()[0]; ++c) {
    const int64_t* r = spec.data_ptr<int64_t>() + c * spec.sizes()[1];
    const int64_t seed = r[0], dim = r[3];
    const bool f64 = r[1] != 0, mean = r[2] != 0, keepdim = r[4] != 0;
    Shape shape;
    for (int d = 5; d < 8 && r[d] != 0; ++d) shape.push_back(r[d]);
    const Tensor x = sum_input(seed, f64, shape), want = f["out" + std::to_string(c)];
    for (int threads : {1, 2}) {
      kernels::testing_threads::Scoped scoped(threads);
      const Tensor y = dim < 0 ? (mean ? x.mean() : x.sum()) : (mean ? x.mean(dim, keepdim) : x.sum(dim, keepdim));
      ASSERT_EQ(y.sizes(), want.sizes()) << "case " << c;
      ASSERT_EQ(y.dtype(), want.dtype()) << "case " << c;
      EXPECT_EQ(std::memcmp(y.raw_data(), want.raw_data(), static_cast<size_t>(y.numel()) * element_size(y.dtype())), 0)
          << "case " << c << ": " << (mean ? "mean" : "sum") << " over " << dim << " of " << shape_str(shape) << " "
          << dtype_name(y.dtype()) << " at " << threads << " threads: " << std::setprecision(17) << y.reshape({-1}).slice(0, 0, 1).item<double>()
          << " vs torch's " << want.reshape({-1}).slice(0, 0, 1).item<double>();
    }
  }
}

struct MaxCase {
  std::string name;  // fixture name; argmax_<name without "max_"> holds argmax's indices
  int64_t dim;
  bool keepdim;
};
const MaxCase kMaxCases[] = {
    {"max_0", 0, false}, {"max_1", 1, false}, {"max_neg_keep", -1, true}, {"max_1_keep", 1, true}};

TEST(ReduceTest, MaxDimMatchesTorchWithTies) {
  const auto& fx = fixture();
  for (const auto& c : kMaxCases)
    for (const char* code : kCodes) {
      std::string key = c.name + "_" + code;
      SCOPED_TRACE(key);
      Tensor x = fx[key + "_x"].clone().requires_grad_();
      auto [values, indices] = x.max(c.dim, c.keepdim);
      EXPECT_TRUE(all_close(values, fx[key + "_out"]));
      EXPECT_TRUE(all_close(indices, fx[key + "_idx"]));  // the first of equal maxima
      EXPECT_EQ(values.grad_fn_name(), "MaxBackward0");
      EXPECT_FALSE(indices.requires_grad());
      values.backward(fx[key + "_g"]);
      EXPECT_TRUE(all_close(x.grad(), fx[key + "_dx"]));
      Tensor am = argmax(fx[key + "_x"], c.dim, c.keepdim);
      EXPECT_TRUE(all_close(am, fx["argmax_" + c.name.substr(4) + "_" + code + "_idx"]));
      // The free function is the same op.
      EXPECT_TRUE(all_close(std::get<1>(max(fx[key + "_x"], c.dim, c.keepdim)), fx[key + "_idx"]));
    }
}

TEST(ReduceTest, MaxAllMatchesTorch) {
  CaseFn all = [](const std::vector<Tensor>& v) { return v[0].max(); };
  for (const char* code : kCodes) {
    // Ties split the gradient evenly among the maxima (torch's evenly_distribute_backward).
    check_case(fixture(), std::string("max_all_ties_") + code, all, "MaxBackward1");
    check_case(fixture(), std::string("max_all_") + code, all, "MaxBackward1");
    EXPECT_TRUE(all_close(fixture()[std::string("max_all_ties_") + code + "_x"].argmax(),
                          fixture()[std::string("argmax_all_") + code + "_idx"]));
  }
}

TEST(ReduceTest, MaxGradcheckAwayFromTies) {
  Tensor x = tensor({0.3, -1.2, 2.5, 0.9, 1.7, -0.4, 0.1, 2.2, -2.0, 1.1, 0.6, -0.8}, {2, 3, 2});
  for (int64_t dim : {0, 1, -1})
    for (bool keepdim : {false, true}) {
      SCOPED_TRACE("dim " + std::to_string(dim) + (keepdim ? " keepdim" : ""));
      CaseFn f = [dim, keepdim](const std::vector<Tensor>& v) { return std::get<0>(v[0].max(dim, keepdim)); };
      EXPECT_TRUE(gradcheck(f, {x.clone().requires_grad_()}));
    }
  CaseFn all = [](const std::vector<Tensor>& v) { return v[0].max(); };
  EXPECT_TRUE(gradcheck(all, {x.clone().requires_grad_()}));
  EXPECT_TRUE(gradcheck(all, f64_inputs(fixture(), "max_all")));
}

TEST(ReduceTest, Int64Reductions) {
  const auto& fx = fixture();
  Tensor x = fx["int_x"];
  EXPECT_TRUE(all_close(x.sum(), fx["int_sum"]));
  EXPECT_TRUE(all_close(x.sum(0), fx["int_sum_0"]));
  auto [values, indices] = x.max(1);
  EXPECT_TRUE(all_close(values, fx["int_max_1_values"]));
  EXPECT_TRUE(all_close(indices, fx["int_max_1_idx"]));
  EXPECT_TRUE(all_close(x.argmax(), fx["int_argmax"]));
  EXPECT_EQ(x.max().item<int64_t>(), 7);
}

TEST(ReduceTest, NaNWinsMax) {
  const auto& fx = fixture();
  Tensor x = fx["nan_x"];
  auto [values, indices] = x.max(1);
  EXPECT_TRUE(all_close(values, fx["nan_max_1_values"]));
  EXPECT_TRUE(all_close(indices, fx["nan_max_1_idx"]));
  EXPECT_TRUE(all_close(x.max(), fx["nan_max_all"]));
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);
  // The gradient of max() goes to the NaNs, split between them.
  Tensor xg = x.clone().requires_grad_();
  xg.max().backward(scalar_tensor(1.0));
  EXPECT_TRUE(all_close(xg.grad(), tensor({0.0f, 0.5f, 0.0f, 0.5f, 0.0f, 0.0f, 0.0f, 0.0f}, {2, 4})));
}

TEST(ReduceTest, ShapesAndZeroDim) {
  Tensor x = ones({2, 3, 4});
  EXPECT_EQ(x.sum(1).sizes(), (Shape{2, 4}));
  EXPECT_EQ(x.sum(1, true).sizes(), (Shape{2, 1, 4}));
  EXPECT_EQ(x.mean(-1, true).sizes(), (Shape{2, 3, 1}));
  EXPECT_EQ(std::get<0>(x.max(0)).sizes(), (Shape{3, 4}));
  EXPECT_EQ(x.argmax(2, true).sizes(), (Shape{2, 3, 1}));
  EXPECT_EQ(x.sum().sizes(), Shape{});
  EXPECT_EQ(x.argmax().sizes(), Shape{});
  // A 0-dim tensor reduces over dim 0 or -1 to itself, as in torch.
  Tensor s = scalar_tensor(2.5, DType::Float64).requires_grad_();
  EXPECT_DOUBLE_EQ(s.sum(0).item<double>(), 2.5);
  EXPECT_EQ(s.sum(-1, true).sizes(), Shape{});
  EXPECT_DOUBLE_EQ(s.mean(0).item<double>(), 2.5);
  auto [v, i] = s.max(0);
  EXPECT_DOUBLE_EQ(v.item<double>(), 2.5);
  EXPECT_EQ(i.item<int64_t>(), 0);
  EXPECT_EQ(s.argmax(0).item<int64_t>(), 0);
  v.backward(scalar_tensor(3.0, DType::Float64));
  EXPECT_DOUBLE_EQ(s.grad().item<double>(), 3.0);
  CaseFn f = [](const std::vector<Tensor>& in) { return in[0].mean(0) * in[0].sum(-1); };
  EXPECT_TRUE(gradcheck(f, {scalar_tensor(1.5, DType::Float64).requires_grad_()}));
}

TEST(ReduceTest, EmptyTensors) {
  // Sums of nothing are 0, means of nothing are nan, as in torch.
  Tensor e = zeros({0, 3});
  EXPECT_EQ(e.sum().item<float>(), 0.0f);
  EXPECT_TRUE(all_close(e.sum(0), zeros({3})));
  EXPECT_TRUE(std::isnan(e.mean().item<float>()));
  EXPECT_TRUE(std::isnan(e.mean(0).data_ptr<float>()[2]));
  EXPECT_EQ(e.mean(1).sizes(), (Shape{0}));
  // A max over a non-empty dim of an empty tensor is just empty.
  EXPECT_EQ(std::get<0>(e.max(1)).sizes(), (Shape{0}));
}

TEST(ReduceTest, MeanGradientIsSpreadEvenly) {
  Tensor x = ones({2, 4}, DType::Float64).requires_grad_();
  x.mean(1).backward(tensor({4.0, 8.0}));
  EXPECT_TRUE(all_close(x.grad(), tensor({1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0}, {2, 4})));
}

TEST(ReduceTest, DimErrorsAreOutOfRange) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.sum(3); }, {"sum", "3", "[-3, 2]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.sum(-4, true); }, {"sum", "-4"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.mean(5); }, {"mean", "5"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.max(3); }, {"max", "3"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.argmax(-4); }, {"argmax", "-4"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { scalar_tensor(1.0).sum(1); }, {"sum", "1", "[-1, 0]"}));
}

TEST(ReduceTest, MaxOfNothingIsAnError) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { zeros({2, 0}).max(1); }, {"max", "size 0", "[2, 0]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { zeros({0, 3}).max(0, true); }, {"max", "[0, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { zeros({0}).max(); }, {"max", "[0]", "empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { zeros({2, 0}).argmax(1); }, {"argmax", "size 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { zeros({0, 2}).argmax(); }, {"argmax", "[0, 2]", "empty"}));
}

TEST(ReduceTest, MeanOfIntegersIsAnError) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { tensor({1, 2}).mean(); }, {"mean", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { tensor({1, 2}).mean(0); }, {"mean", "torch.int64"}));
}

TEST(ReduceTest, UndefinedTensorsAreRejected) {
  Tensor u;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.sum(); }, {"sum", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.mean(0); }, {"mean", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.max(); }, {"max", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.max(0); }, {"max", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.argmax(); }, {"argmax", "undefined"}));
}

TEST(ReduceTest, MaxIndicesEditedInPlaceFailTheBackward) {
  // max(dim) saves its indices; the returned indices share them, as in torch.
  Tensor x = tensor({1.0, 3.0, 2.0, 0.0}, {2, 2}).requires_grad_();
  auto [values, indices] = x.max(1);
  indices.zero_();
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { values.sum().backward(); }, {"modified by an inplace operation", "MaxBackward0"}));
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/elementwise.cpp against PyTorch 1.13 (tests/fixtures/elementwise.txt,
// written by tools/make_ops_a_fixtures.py): forward values, gradients and grad_fn names
// in float32 and float64, a float64 finite-difference check of every op, the errors,
// and the in-place ops of core/tensor.cpp (values, version counter, autograd guards).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
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

const testing::Fixture& fixture() { return testing::Fixture::get("elementwise.txt"); }

// ---------------------------------------------------------------- binary ops

const std::vector<OpCase>& binary_ops() {
  static const std::vector<OpCase> ops = {
      {"add", [](const std::vector<Tensor>& v) { return v[0] + v[1]; }, "AddBackward0"},
      {"sub", [](const std::vector<Tensor>& v) { return v[0].sub(v[1]); }, "SubBackward0"},
      {"mul", [](const std::vector<Tensor>& v) { return mul(v[0], v[1]); }, "MulBackward0"},
      {"div", [](const std::vector<Tensor>& v) { return v[0] / v[1]; }, "DivBackward0"},
  };
  return ops;
}
const char* const kShapes[] = {"same", "bc1", "bc2", "scal", "lscal", "zerod"};

TEST(ElementwiseTest, BinaryOpsMatchTorch) {
  for (const auto& op : binary_ops())
    for (const char* shape : kShapes)
      for (const char* code : kCodes)
        check_case(fixture(), op.name + "_" + shape + "_" + code, op.fn, op.grad_fn);
}

TEST(ElementwiseTest, BinaryOpsGradcheck) {
  for (const auto& op : binary_ops())
    for (const char* shape : kShapes) {
      SCOPED_TRACE(op.name + "_" + shape);
      EXPECT_TRUE(gradcheck(op.fn, f64_inputs(fixture(), op.name + "_" + shape)));
    }
}

TEST(ElementwiseTest, BroadcastShapes) {
  EXPECT_EQ((ones({3, 1}) + ones({4})).sizes(), (Shape{3, 4}));
  EXPECT_EQ((ones({2, 1, 3}) * ones({4, 1})).sizes(), (Shape{2, 4, 3}));
  EXPECT_EQ((ones({1}) - ones({2, 3})).sizes(), (Shape{2, 3}));
  EXPECT_EQ((ones({}) / ones({})).sizes(), Shape{});
  EXPECT_EQ((ones({0, 3}) + ones({3})).sizes(), (Shape{0, 3}));
  EXPECT_EQ((ones({1, 3}) + ones({0, 1})).sizes(), (Shape{0, 3}));
}

TEST(ElementwiseTest, MethodsFreeFunctionsAndOperatorsAgree) {
  Tensor a = tensor({1.5f, -2.0f, 3.25f}), b = tensor({0.5f, 4.0f, -1.0f});
  EXPECT_TRUE(all_close(a.add(b), a + b));
  EXPECT_TRUE(all_close(add(a, b), tensor({2.0f, 2.0f, 2.25f})));
  EXPECT_TRUE(all_close(sub(a, b), tensor({1.0f, -6.0f, 4.25f})));
  EXPECT_TRUE(all_close(a.mul(b), tensor({0.75f, -8.0f, -3.25f})));
  EXPECT_TRUE(all_close(div(a, b), tensor({3.0f, -0.5f, -3.25f})));
  EXPECT_TRUE(all_close(2.0 + a, a + 2.0));
  EXPECT_TRUE(all_close(2.0 * a, tensor({3.0f, -4.0f, 6.5f})));
  EXPECT_TRUE(all_close(a - 1.0, tensor({0.5f, -3.0f, 2.25f})));
  EXPECT_TRUE(all_close(1.0 - a, tensor({-0.5f, 3.0f, -2.25f})));
  EXPECT_TRUE(all_close(a / 2.0, tensor({0.75f, -1.0f, 1.625f})));
  EXPECT_TRUE(all_close(1.0 / b, tensor({2.0f, 0.25f, -1.0f})));
  EXPECT_TRUE(all_close(-a, neg(a)));
}

TEST(ElementwiseTest, SameTensorTwiceAccumulatesBothPaths) {
  // y = x * x  =>  dx = 2 x g: the two edges into x are summed.
  Tensor x = tensor({1.5, -2.0, 0.25}).requires_grad_();
  Tensor y = x * x;
  y.backward(tensor({1.0, 2.0, -4.0}));
  EXPECT_TRUE(all_close(x.grad(), tensor({3.0, -8.0, -2.0})));
  // z = x + x - x  =>  dz/dx = 1
  Tensor x2 = tensor({1.0, 2.0}).requires_grad_();
  (x2 + x2 - x2).sum().backward();
  EXPECT_TRUE(all_close(x2.grad(), tensor({1.0, 1.0})));
}

TEST(ElementwiseTest, RecordsOnlyWhenNeeded) {
  Tensor a = tensor({1.0f, 2.0f}), b = tensor({3.0f, 4.0f});
  EXPECT_EQ((a * b).grad_fn_name(), "");
  EXPECT_FALSE((a * b).requires_grad());
  b.requires_grad_();
  EXPECT_EQ((a * b).grad_fn_name(), "MulBackward0");
  {
    NoGradGuard guard;
    Tensor c = a * b;
    EXPECT_FALSE(c.requires_grad());
    EXPECT_TRUE(c.is_leaf());
  }
  // Only the input that requires grad receives one.
  Tensor out = a * b;
  out.backward(tensor({1.0f, 1.0f}));
  EXPECT_FALSE(a.grad().defined());
  EXPECT_TRUE(all_close(b.grad(), tensor({1.0f, 2.0f})));
}

// ---------------------------------------------------------------- scalar ops

const std::vector<OpCase>& scalar_ops() {
  static const std::vector<OpCase> ops = {
      {"adds", [](const std::vector<Tensor>& v) { return v[0] + 0.1; }, "AddBackward0"},
      {"subs", [](const std::vector<Tensor>& v) { return v[0].sub(0.1); }, "SubBackward0"},
      {"rsub", [](const std::vector<Tensor>& v) { return 0.7 - v[0]; }, "RsubBackward1"},
      {"muls", [](const std::vector<Tensor>& v) { return v[0] * -1.3; }, "MulBackward0"},
      {"divs", [](const std::vector<Tensor>& v) { return v[0].div(0.3); }, "DivBackward0"},
      {"rdiv", [](const std::vector<Tensor>& v) { return 0.7 / v[0]; }, "MulBackward0"},
  };
  return ops;
}

TEST(ElementwiseTest, ScalarOpsMatchTorch) {
  for (const auto& op : scalar_ops())
    for (const char* code : kCodes) check_case(fixture(), op.name + "_" + code, op.fn, op.grad_fn);
}

TEST(ElementwiseTest, ScalarOpsGradcheck) {
  for (const auto& op : scalar_ops()) {
    SCOPED_TRACE(op.name);
    EXPECT_TRUE(gradcheck(op.fn, f64_inputs(fixture(), op.name)));
  }
}

// ---------------------------------------------------------------- unary ops

const std::vector<OpCase>& unary_ops() {
  using V = const std::vector<Tensor>&;
  static const std::vector<OpCase> ops = {
      {"neg", [](V v) { return -v[0]; }, "NegBackward0"},
      {"exp", [](V v) { return exp(v[0]); }, "ExpBackward0"},
      {"log", [](V v) { return v[0].log(); }, "LogBackward0"},
      {"sqrt", [](V v) { return sqrt(v[0]); }, "SqrtBackward0"},
      {"tanh", [](V v) { return v[0].tanh(); }, "TanhBackward0"},
      {"relu", [](V v) { return relu(v[0]); }, "ReluBackward0"},
      {"sigmoid", [](V v) { return v[0].sigmoid(); }, "SigmoidBackward0"},
      {"pow_p2", [](V v) { return v[0].pow(2.0); }, "PowBackward0"},
      {"pow_p3", [](V v) { return pow(v[0], 3.0); }, "PowBackward0"},
      {"pow_p0", [](V v) { return v[0].pow(0.0); }, "PowBackward0"},
      {"pow_m1", [](V v) { return v[0].pow(-1.0); }, "PowBackward0"},
      {"pow_m2", [](V v) { return v[0].pow(-2.0); }, "PowBackward0"},
      {"pow_p0_5", [](V v) { return v[0].pow(0.5); }, "PowBackward0"},
      {"pow_m0_5", [](V v) { return v[0].pow(-0.5); }, "PowBackward0"},
      {"pow_p2_5", [](V v) { return v[0].pow(2.5); }, "PowBackward0"},
      {"pow_p1_7", [](V v) { return v[0].pow(1.7); }, "PowBackward0"},
      {"clone", [](V v) { return v[0].clone(); }, "CloneBackward0"},
  };
  return ops;
}

TEST(ElementwiseTest, UnaryOpsMatchTorch) {
  for (const auto& op : unary_ops())
    for (const char* code : kCodes) check_case(fixture(), op.name + "_" + code, op.fn, op.grad_fn);
}

TEST(ElementwiseTest, UnaryOpsGradcheck) {
  for (const auto& op : unary_ops()) {
    SCOPED_TRACE(op.name);
    std::vector<Tensor> inputs = f64_inputs(fixture(), op.name);
    // relu has a kink at 0, where the fixture puts exact zeros: check it away from them.
    if (op.name == "relu") inputs = {tensor({-1.5, -0.2, 0.3, 0.7, 2.0, -0.9}, {2, 3}).requires_grad_()};
    EXPECT_TRUE(gradcheck(op.fn, inputs));
  }
}

TEST(ElementwiseTest, ReluPropagatesNaNAsTorch) {
  EXPECT_TRUE(all_close(relu(fixture()["relu_nan_x"]), fixture()["relu_nan_out"]));
}

TEST(ElementwiseTest, ReluGradientIsZeroAtZeroEvenForInfiniteUpstream) {
  Tensor x = tensor({0.0, -1.0, 2.0}).requires_grad_();
  double inf = std::numeric_limits<double>::infinity();
  relu(x).backward(tensor({inf, inf, 3.0}));
  EXPECT_TRUE(all_close(x.grad(), tensor({0.0, 0.0, 3.0})));  // torch's threshold_backward
}

TEST(ElementwiseTest, PowEdgeValues) {
  // 0^p and negative bases follow std::pow, as torch: 0^-1 = inf, (-8)^(1/3) = nan.
  Tensor x = tensor({0.0, -8.0, 4.0});
  Tensor y = x.pow(-1.0);
  EXPECT_EQ(y.data_ptr<double>()[0], std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(x.pow(1.0 / 3.0).data_ptr<double>()[1]));
  EXPECT_EQ(x.pow(0.5).data_ptr<double>()[2], 2.0);
  // d(x^0)/dx is 0 everywhere, even at x = 0 where p x^(p-1) would be 0 * inf.
  Tensor z = tensor({0.0, 2.0}).requires_grad_();
  z.pow(0.0).backward(tensor({1.0, 1.0}));
  EXPECT_TRUE(all_close(z.grad(), tensor({0.0, 0.0})));
}

// ---------------------------------------------------------------- conversions

TEST(ElementwiseTest, ToMatchesTorch) {
  CaseFn f32_to_f64 = [](const std::vector<Tensor>& v) { return v[0].to(DType::Float64); };
  CaseFn f64_to_f32 = [](const std::vector<Tensor>& v) { return v[0].to(DType::Float32); };
  check_case(fixture(), "to_f32", f32_to_f64, "ToCopyBackward0");
  check_case(fixture(), "to_f64", f64_to_f32, "ToCopyBackward0");
  // Through a round trip the float64 gradcheck sees float32 rounding; check f64 -> f64 paths.
  CaseFn round_trip = [](const std::vector<Tensor>& v) { return (v[0].to(DType::Float32) * 2.0).to(DType::Float64); };
  EXPECT_TRUE(gradcheck(round_trip, {tensor({0.5, -1.25, 2.0}).requires_grad_()},
                        {.eps = 1e-2, .atol = 1e-5, .rtol = 1e-3}));
}

TEST(ElementwiseTest, ToInt64TruncatesTowardZero) {
  const auto& fx = fixture();
  Tensor y = fx["to_i64_x"].to(DType::Int64);
  EXPECT_TRUE(all_close(y, fx["to_i64_out"]));
  EXPECT_FALSE(fx["to_i64_x"].clone().requires_grad_().to(DType::Int64).requires_grad());
  EXPECT_TRUE(all_close(tensor({3, -4}).to(DType::Float32), tensor({3.0f, -4.0f})));
}

TEST(ElementwiseTest, ToInt64OfNonFiniteIsDefined) {
  // C++ leaves this undefined; torch on x86 gives INT64_MIN, and so must we (no UB).
  double inf = std::numeric_limits<double>::infinity();
  Tensor y = tensor({std::nan(""), inf, -inf, 1e30}).to(DType::Int64);
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(y.data_ptr<int64_t>()[i], std::numeric_limits<int64_t>::min());
}

TEST(ElementwiseTest, ToSameDtypeReturnsSelfAndCloneCopies) {
  Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  EXPECT_TRUE(x.to(DType::Float32).is_same(x));
  Tensor c = x.clone();
  EXPECT_NE(c.raw_data(), x.raw_data());
  {
    NoGradGuard guard;
    c.fill_(7.0);
  }
  EXPECT_EQ(x.data_ptr<float>()[0], 1.0f);
  EXPECT_TRUE(all_close(tensor({5, 6}).clone(), tensor({5, 6})));
}

// ---------------------------------------------------------------- Int64 arithmetic

TEST(ElementwiseTest, Int64Arithmetic) {
  Tensor a = tensor({7, -3, 4}, {3, 1}), b = tensor({2, -5});
  EXPECT_TRUE(all_close(a + b, tensor({9, 2, -1, -8, 6, -1}, {3, 2})));
  EXPECT_TRUE(all_close(a - b, tensor({5, 12, -5, 2, 2, 9}, {3, 2})));
  EXPECT_TRUE(all_close(a * b, tensor({14, -35, -6, 15, 8, -20}, {3, 2})));
  EXPECT_TRUE(all_close(a + 3.0, tensor({10, 0, 7}, {3, 1})));
  EXPECT_TRUE(all_close(10.0 - a, tensor({3, 13, 6}, {3, 1})));
  EXPECT_TRUE(all_close(a * -2.0, tensor({-14, 6, -8}, {3, 1})));
  EXPECT_TRUE(all_close(-a, tensor({-7, 3, -4}, {3, 1})));
  EXPECT_EQ((a + b).dtype(), DType::Int64);
  // Exact beyond 2^53, where a detour through double would round.
  int64_t big = (int64_t{1} << 60) + 1;
  EXPECT_EQ((tensor(std::vector<int64_t>{big}) + 2.0).item<int64_t>(), big + 2);
  // Overflow wraps as two's complement, as torch, rather than being undefined.
  int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ((tensor(std::vector<int64_t>{max}) + tensor(std::vector<int64_t>{1})).item<int64_t>(), min);
  EXPECT_EQ((tensor(std::vector<int64_t>{min}) * -1.0).item<int64_t>(), min);
  EXPECT_EQ((-tensor(std::vector<int64_t>{min})).item<int64_t>(), min);
}

// ---------------------------------------------------------------- errors

TEST(ElementwiseTest, BroadcastMismatchNamesOpAndShapes) {
  Tensor a = ones({2, 3}), b = ones({4});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { a + b; }, {"add", "[2, 3]", "[4]", "3 vs 4"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { a - b; }, {"sub", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { a * b; }, {"mul", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { a / b; }, {"div", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { ones({2, 1, 3}) + ones({4, 2}); }, {"add", "[2, 1, 3]", "[4, 2]", "3 vs 2"}));
}

TEST(ElementwiseTest, DtypeMismatchNamesBothDtypes) {
  Tensor f = ones({2}), d = ones({2}, DType::Float64), i = ones({2}, DType::Int64);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { f + d; }, {"add", "torch.float32", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { f * i; }, {"mul", "torch.float32", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { d - f; }, {"sub", "torch.float64", "torch.float32"}));
}

TEST(ElementwiseTest, FloatingOnlyOpsRejectInt64) {
  Tensor i = tensor({1, 2, 3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.exp(); }, {"exp", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.log(); }, {"log", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.sqrt(); }, {"sqrt", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.tanh(); }, {"tanh", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.sigmoid(); }, {"sigmoid", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.relu(); }, {"relu", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.pow(2.0); }, {"pow", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i / i; }, {"div", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.div(2.0); }, {"div", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { 1.0 / i; }, {"div", "torch.int64"}));
}

TEST(ElementwiseTest, Int64RejectsNonIntegralScalars) {
  Tensor i = tensor({1, 2});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i + 0.5; }, {"add", "0.5", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i * 1e19; }, {"mul", "1e+19", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { 2.5 - i; }, {"rsub", "2.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i + std::nan(""); }, {"add", "nan"}));
}

TEST(ElementwiseTest, ScalarsBeyondFloatRangeGiveInfAsTorch) {
  // torch rounds the scalar to float32 first: 1e300 becomes inf, 1 / inf becomes 0.
  double inf = std::numeric_limits<double>::infinity();
  Tensor x = tensor({1.0f, -2.0f});
  EXPECT_TRUE(all_close(x + 1e300, tensor({static_cast<float>(inf), static_cast<float>(inf)})));
  EXPECT_TRUE(all_close(x / 1e300, tensor({0.0f, -0.0f})));
  EXPECT_TRUE(all_close(1e300 - x, tensor({static_cast<float>(inf), static_cast<float>(inf)})));
  EXPECT_EQ((x.to(DType::Float64) + 1e300).data_ptr<double>()[0], 1e300);
}

TEST(ElementwiseTest, UndefinedTensorsAreRejected) {
  Tensor u, x = ones({2});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u + x; }, {"add", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x * u; }, {"mul", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { exp(u); }, {"exp", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.to(DType::Float64); }, {"to", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { u.clone(); }, {"clone", "undefined"}));
}

// ---------------------------------------------------------------- in-place ops (core/tensor.cpp)

TEST(ElementwiseTest, InPlaceValues) {
  Tensor x = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  x.add_(tensor({10.0f, 20.0f, 30.0f}));  // broadcast (3) into (2, 3)
  EXPECT_TRUE(all_close(x, tensor({11.0f, 22.0f, 33.0f, 14.0f, 25.0f, 36.0f}, {2, 3})));
  x.sub_(tensor({1.0f, 2.0f}, {2, 1}), 0.5);
  EXPECT_TRUE(all_close(x, tensor({10.5f, 21.5f, 32.5f, 13.0f, 24.0f, 35.0f}, {2, 3})));
  x.add_(ones({2, 3}), -2.0);
  EXPECT_TRUE(all_close(x, tensor({8.5f, 19.5f, 30.5f, 11.0f, 22.0f, 33.0f}, {2, 3})));
  x.mul_(tensor({2.0f}));
  EXPECT_TRUE(all_close(x, tensor({17.0f, 39.0f, 61.0f, 22.0f, 44.0f, 66.0f}, {2, 3})));
  x.add_(1.0).sub_(3.0).mul_(0.5);
  EXPECT_TRUE(all_close(x, tensor({7.5f, 18.5f, 29.5f, 10.0f, 21.0f, 32.0f}, {2, 3})));
  x.fill_(-1.25);
  EXPECT_TRUE(all_close(x, full({2, 3}, -1.25)));
  x.zero_();
  EXPECT_TRUE(all_close(x, zeros({2, 3})));
  x.copy_(tensor({1.5, 2.5, 3.5}));  // float64 (3) into float32 (2, 3): converts and broadcasts
  EXPECT_TRUE(all_close(x, tensor({1.5f, 2.5f, 3.5f, 1.5f, 2.5f, 3.5f}, {2, 3})));
  // In-place ops round the way the out-of-place ones do.
  Tensor r = tensor({0.1f, 0.7f});
  Tensor expected = r * 0.3 + 0.2;
  r.mul_(0.3).add_(0.2);
  EXPECT_TRUE(all_close(r, expected));
}

TEST(ElementwiseTest, InPlaceMatchesTorchBitForBit) {
  // No sums involved, so torch's rounding is reproducible exactly: a float32 scalar or
  // alpha is rounded to float32 first, and add_(g, alpha) is one fused multiply-add.
  const auto& fx = fixture();
  for (const char* code : {"f32", "f64", "i64"}) {
    std::string k = std::string("inplace_") + code + "_";
    SCOPED_TRACE(k);
    Tensor p = fx[k + "p"], g = fx[k + "g"];
    EXPECT_TRUE(all_close(p.clone().sub_(g, code[0] == 'f' ? 0.3 : 3.0), fx[k + "sub_alpha"], 0));
    EXPECT_TRUE(all_close(p.clone().mul_(g), fx[k + "mul"], 0));
    if (code[0] == 'f') {
      EXPECT_TRUE(all_close(p.clone().add_(g, -0.1), fx[k + "add_alpha"], 0));
      EXPECT_TRUE(all_close(p.clone().add_(fx[k + "b"]), fx[k + "add_bc"], 0));
      EXPECT_TRUE(all_close(p.clone().add_(0.1), fx[k + "adds"], 0));
      EXPECT_TRUE(all_close(p.clone().sub_(0.1), fx[k + "subs"], 0));
      EXPECT_TRUE(all_close(p.clone().mul_(0.3), fx[k + "muls"], 0));
      // The in-place and out-of-place forms round alike.
      EXPECT_TRUE(all_close(p.clone().mul_(0.3), p * 0.3, 0));
      EXPECT_TRUE(all_close(p.clone().add_(0.1), p + 0.1, 0));
    } else {
      EXPECT_TRUE(all_close(p.clone().add_(g), fx[k + "add"]));  // wraps at 2^63
      EXPECT_TRUE(all_close(p.clone().add_(2.0), fx[k + "adds"]));
      EXPECT_TRUE(all_close(p.clone().mul_(3.0), fx[k + "muls"]));
      EXPECT_TRUE(all_close(p.clone().fill_(-2.5), fx[k + "fill"]));
    }
  }
}

TEST(ElementwiseTest, InPlaceInt64RejectsFractions) {
  // torch: "result type Float can't be cast to the desired output type Long".
  Tensor x = tensor({1, 2});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.add_(0.5); }, {"add_", "0.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.mul_(1.5); }, {"mul_", "1.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.add_(tensor({1, 1}), 0.5); }, {"add_", "0.5"}));
  EXPECT_TRUE(all_close(x, tensor({1, 2})));
}

TEST(ElementwiseTest, InPlaceBumpsTheVersionOnce) {
  Tensor x = zeros({3});
  uint64_t v = x.version();
  x.add_(1.0);
  EXPECT_EQ(x.version(), v + 1);
  x.add_(ones({3}));
  x.sub_(ones({3}));
  x.sub_(2.0);
  x.mul_(ones({3}));
  x.mul_(2.0);
  x.fill_(3.0);
  x.zero_();
  x.copy_(ones({3}));
  EXPECT_EQ(x.version(), v + 9);
  Tensor y = x + 1.0;  // out-of-place ops leave the version alone
  EXPECT_EQ(x.version(), v + 9);
  EXPECT_EQ(y.version(), 0u);
}

TEST(ElementwiseTest, InPlaceOnLeafRequiringGradThrowsUnlessNoGrad) {
  Tensor w = ones({2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { w.add_(1.0); }, {"add_", "leaf", "requires grad"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { w.sub_(ones({2})); }, {"sub_", "leaf"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { w.mul_(2.0); }, {"mul_", "leaf"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { w.zero_(); }, {"zero_", "leaf"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { w.copy_(zeros({2})); }, {"copy_", "leaf"}));
  EXPECT_EQ(w.version(), 0u);
  {
    NoGradGuard guard;  // how an optimizer updates a parameter
    w.sub_(tensor({0.5f, 0.25f}), 2.0);
  }
  EXPECT_TRUE(all_close(w, tensor({0.0f, 0.5f})));
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(w.version(), 1u);
}

// As in torch, an in-place op on a recorded result is recorded too (rebase_history):
// y = 2w, y += 1 in place, so dy/dw is still 2 and y's grad_fn is the add.
TEST(ElementwiseTest, InPlaceOnRecordedResultIsRecorded) {
  Tensor w = ones({2}).requires_grad_();
  Tensor y = w * 2.0;
  y.add_(1.0);
  EXPECT_EQ(y.grad_fn_name(), "AddBackward0");
  EXPECT_TRUE(all_close(y, tensor({3.0f, 3.0f})));
  y.sum().backward();
  EXPECT_TRUE(all_close(w.grad(), tensor({2.0f, 2.0f})));
}

TEST(ElementwiseTest, InPlaceAfterSaveFailsTheBackward) {
  // mul saves both inputs; changing one afterwards would give a wrong gradient.
  Tensor w = tensor({1.0, 2.0}).requires_grad_();
  Tensor a = tensor({3.0, 4.0});
  Tensor y = w * a;
  a.mul_(2.0);
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { y.sum().backward(); },
      {"modified by an inplace operation", "MulBackward0", "version 1", "expected version 0"}));
  // add saves nothing, so the same edit is harmless there.
  Tensor z = w + a;
  a.add_(1.0);
  z.sum().backward();
  EXPECT_TRUE(all_close(w.grad(), tensor({1.0, 1.0})));
}

TEST(ElementwiseTest, InPlaceErrors) {
  Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.add_(ones({4})); }, {"add_", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { x.add_(ones({3, 2, 3})); }, {"add_", "[3, 2, 3]", "[2, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { ones({1, 3}).mul_(ones({2, 3})); }, {"mul_", "[2, 3]", "[1, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { x.sub_(ones({2, 3}, DType::Float64)); }, {"sub_", "torch.float32", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.copy_(ones({5})); }, {"copy_", "[5]", "[2, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { Tensor().add_(1.0); }, {"add_", "undefined"}));
  EXPECT_EQ(x.version(), 0u);
}

TEST(ElementwiseTest, InPlaceInt64Arithmetic) {
  Tensor x = tensor({5, -7, 9});
  x.add_(tensor({1, 2, 3})).mul_(tensor({2}));
  EXPECT_TRUE(all_close(x, tensor({12, -10, 24})));
  x.sub_(tensor({2, 2, 2}), 3.0);
  EXPECT_TRUE(all_close(x, tensor({6, -16, 18})));
  x.add_(4.0).mul_(-1.0).sub_(1.0);
  EXPECT_TRUE(all_close(x, tensor({-11, 11, -23})));
  x.fill_(42.0);
  EXPECT_TRUE(all_close(x, tensor({42, 42, 42})));
  x.copy_(tensor({1.9, -1.9, 0.0}));  // float -> int truncates toward zero
  EXPECT_TRUE(all_close(x, tensor({1, -1, 0})));
  EXPECT_EQ(x.dtype(), DType::Int64);
}

// ---------------------------------------------------------------- Bool conversions

TEST(ElementwiseTest, ToBoolAndBackMatchTorch) {
  // x.bool(): nonzero (NaN and -1e-30 too) is True, -0.0 False; True converts back to 1.
  const auto& fx = testing::Fixture::get("mask_ops.txt");
  int cases = 0;
  for (int i = 0; fx.has("tobool_" + std::to_string(i) + "_x"); ++i, ++cases) {
    std::string k = "tobool_" + std::to_string(i);
    SCOPED_TRACE(k);
    Tensor x = fx[k + "_x"];
    Tensor b = x.to(DType::Bool);
    EXPECT_TRUE(all_close(b, fx[k + "_out"], 0));
    EXPECT_TRUE(all_close(b.to(x.dtype()), fx[k + "_back"], 0));
  }
  EXPECT_EQ(cases, 4);
  Tensor w = tensor({1.5, 0.0}).requires_grad_();
  EXPECT_FALSE(w.to(DType::Bool).requires_grad());  // no gradient through a Bool
}

}  // namespace
}  // namespace minigrad

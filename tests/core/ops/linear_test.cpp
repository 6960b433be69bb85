// Checks core/ops/linear.cpp: forward and every gradient against PyTorch 1.13's F.linear
// (tests/fixtures/linear.txt, tools/make_linear_fixtures.py) for 1-D, 2-D and 3-D inputs
// with and without bias in float32 and float64, float64 finite differences, empty dims,
// the grad_fn names, bit-equality with matmul + add, and every error with its message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"

namespace minigrad {
namespace {

const testing::Fixture& fixture() { return testing::Fixture::get("linear.txt"); }

Tensor leaf(const std::string& record) { return fixture()[record].clone().requires_grad_(); }

double at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Float32 ? t.data_ptr<float>()[i] : t.data_ptr<double>()[i];
}

// Same shape and dtype as torch's; float32 within 1e-5 absolute + relative (sums of
// 33 products in another order), float64 within 1e-12.
void expect_matches(const Tensor& got, const std::string& record) {
  Tensor want = fixture()[record];
  ASSERT_TRUE(got.defined()) << record;
  ASSERT_EQ(got.sizes(), want.sizes()) << record;
  ASSERT_EQ(got.dtype(), want.dtype()) << record;
  double tol = want.dtype() == DType::Float32 ? 1e-5 : 1e-12;
  for (int64_t i = 0; i < want.numel(); ++i) {
    double w = at(want, i), g = at(got, i);
    EXPECT_NEAR(g, w, tol + tol * std::fabs(w)) << record << " element " << i;
  }
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() && a.dtype() == b.dtype() &&
         (a.numel() == 0 || std::memcmp(a.raw_data(), b.raw_data(), a.numel() * element_size(a.dtype())) == 0);
}

void check_case(const std::string& name, bool with_bias) {
  for (const char* code : {"f32", "f64"}) {
    std::string p = name + "_" + code + "_";
    Tensor x = leaf(p + "x"), w = leaf(p + "w");
    Tensor b = with_bias ? leaf(p + "b") : Tensor();
    Tensor y = linear(x, w, b);
    expect_matches(y, p + "y");
    y.backward(fixture()[p + "g"]);
    expect_matches(x.grad(), p + "dx");
    expect_matches(w.grad(), p + "dw");
    if (with_bias) expect_matches(b.grad(), p + "db");
  }
}

TEST(LinearOpTest, MatchesTorch2D) {
  check_case("mm2d", false);
  check_case("addmm2d", true);
}

TEST(LinearOpTest, MatchesTorch3DAnd1D) {
  check_case("addmm3d", true);
  check_case("mm3d", false);
  check_case("vec1d", true);
}

TEST(LinearOpTest, GradFnNamesAreTorchs) {
  Tensor x = randn({2, 3}), w = randn({4, 3}).requires_grad_(), b = randn({4}).requires_grad_();
  EXPECT_EQ(linear(x, w, b).grad_fn_name(), "AddmmBackward0");
  EXPECT_EQ(linear(x, w).grad_fn_name(), "MmBackward0");
  EXPECT_EQ(linear(x, w.detach()).grad_fn_name(), "");  // nothing requires grad: not recorded
  // Other ranks, as torch 1.13 prints them (F.linear(x, w, b).grad_fn.name(), then without b).
  EXPECT_EQ(linear(randn({3}), w, b).grad_fn_name(), "AddBackward0");
  EXPECT_EQ(linear(randn({3}), w).grad_fn_name(), "SqueezeBackward3");
  EXPECT_EQ(linear(randn({2, 2, 3}), w, b).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(linear(randn({2, 2, 3}), w).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(linear(randn({2, 2, 2, 3}), w, b).grad_fn_name(), "AddBackward0");
  EXPECT_EQ(linear(randn({2, 2, 2, 3}), w).grad_fn_name(), "UnsafeViewBackward0");
}

TEST(LinearOpTest, FiniteDifferencesFloat64) {
  manual_seed(11);
  Tensor x = randn({2, 3, 4}, DType::Float64).requires_grad_();
  Tensor w = randn({5, 4}, DType::Float64).requires_grad_();
  Tensor b = randn({5}, DType::Float64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); },
                                 {x, w, b}));
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return linear(in[0], in[1]); }, {x, w}));
}

// The forward is the GEMM rounded once, plus the bias: the same bits as matmul then add.
TEST(LinearOpTest, ForwardIsBitIdenticalToMatmulPlusBias) {
  manual_seed(12);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Tensor x = randn({3, 7, 33}, dtype), w = randn({257, 33}, dtype), b = randn({257}, dtype);
    EXPECT_TRUE(same_bits(linear(x, w, b), x.matmul(w.t()) + b));
    EXPECT_TRUE(same_bits(linear(x, w), x.matmul(w.t())));
  }
}

TEST(LinearOpTest, EmptyDims) {
  Tensor x = zeros({0, 3}).requires_grad_(), w = ones({4, 3}).requires_grad_(), b = ones({4}).requires_grad_();
  Tensor y = linear(x, w, b);
  EXPECT_EQ(y.sizes(), (Shape{0, 4}));
  y.sum().backward();
  EXPECT_TRUE(same_bits(w.grad(), zeros({4, 3})));  // an empty sum
  EXPECT_TRUE(same_bits(b.grad(), zeros({4})));
  Tensor x2 = ones({2, 0}).requires_grad_(), w2 = ones({4, 0}).requires_grad_();
  Tensor y2 = linear(x2, w2, b);
  EXPECT_TRUE(same_bits(y2, ones({2, 4})));  // no features: only the bias
  y2.sum().backward();
  EXPECT_EQ(x2.grad().sizes(), (Shape{2, 0}));
}

template <class F>
void expect_error(F f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(LinearOpTest, Errors) {
  expect_error([] { linear(zeros({2, 3}), zeros({5, 4})); },
               {"linear", "3 features", "[2, 3]", "expects 4", "[5, 4]"});
  expect_error([] { linear(zeros({2, 4}), zeros({5, 4}), zeros({4})); }, {"linear", "bias", "[5]", "[4]"});
  expect_error([] { linear(zeros({2, 4}), zeros({5, 4}), zeros({1, 5})); }, {"bias", "[1, 5]"});
  expect_error([] { linear(zeros({2, 4}), zeros({5, 4}, DType::Float64)); },
               {"linear", "dtype", "float32", "float64"});
  expect_error([] { linear(zeros({2, 4}), zeros({5, 4}), zeros({5}, DType::Float64)); }, {"dtype"});
  expect_error([] { linear(zeros({2, 4}, DType::Int64), zeros({5, 4}, DType::Int64)); }, {"floating"});
  expect_error([] { linear(zeros({2, 4}), zeros({4})); }, {"weight must be 2-D", "[4]"});
  expect_error([] { linear(scalar_tensor(1.0), zeros({5, 4})); }, {"at least 1 dimension"});
  expect_error([] { linear(Tensor(), zeros({5, 4})); }, {"defined"});
}

}  // namespace
}  // namespace minigrad

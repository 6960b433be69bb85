// The Tensor handle: metadata, raw access, item, to/clone/detach, the autograd
// accessors, and the in-place ops (PyTorch's numbers, bit for bit, from
// tests/fixtures/autograd.txt) with the checks that guard them.
#include "core/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::bitwise_equal;
using testing::contains;
using testing::message_of;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("autograd.txt"); }

// The message of the E that f throws; a test failure if it throws nothing or another type.

// ---- metadata ----

TEST(TensorTest, MetadataOfA3dTensor) {
  Tensor t = zeros({2, 3, 4});
  EXPECT_EQ(t.sizes(), (Shape{2, 3, 4}));
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.size(0), 2);
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.size(-3), 2);
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_TRUE(contains(message_of<std::out_of_range>([&] { t.size(3); }), "dimension 3"));
  EXPECT_TRUE(contains(message_of<std::out_of_range>([&] { t.size(-4); }), "[-3, 2]"));
}

TEST(TensorTest, ZeroDimTensorHasOneElementAndNoSizes) {
  Tensor s = scalar_tensor(2.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_TRUE(s.sizes().empty());
  // torch: "Dimension specified as 0 but tensor has no dimensions" (an IndexError).
  EXPECT_TRUE(contains(message_of<std::out_of_range>([&] { s.size(0); }), "no dimensions"));
  EXPECT_TRUE(contains(message_of<std::out_of_range>([&] { s.size(-1); }), "no dimensions"));
}

TEST(TensorTest, UndefinedTensorRefusesEverything) {
  Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { u.sizes(); }), "undefined"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { u.backward(); }), "backward"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { u.detach(); }), "detach"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { u.zero_(); }), "undefined tensor"));
}

TEST(TensorTest, IsSameComparesHandlesNotValues) {
  Tensor a = ones({2});
  Tensor b = a;  // a copy of the handle
  EXPECT_TRUE(a.is_same(b));
  EXPECT_FALSE(a.is_same(ones({2})));
  b.fill_(3.0);
  EXPECT_EQ(a.data_ptr<float>()[1], 3.0f);
}

// ---- raw data and item ----

TEST(TensorTest, DataPtrChecksTheDtype) {
  Tensor f = tensor({1.5f, -2.0f});
  EXPECT_EQ(f.data_ptr<float>()[0], 1.5f);
  EXPECT_EQ(f.data_ptr<float>()[1], -2.0f);
  EXPECT_EQ(f.raw_data(), static_cast<void*>(f.data_ptr<float>()));
  std::string msg = message_of<std::invalid_argument>([&] { f.data_ptr<double>(); });
  EXPECT_TRUE(contains(msg, "torch.float32"));
  EXPECT_TRUE(contains(msg, "torch.float64"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { tensor({1, 2}).data_ptr<float>(); }),
                     "torch.int64"));
}

TEST(TensorTest, ItemConvertsLikeTorch) {
  EXPECT_EQ(scalar_tensor(2.75).item<float>(), 2.75f);
  EXPECT_EQ(tensor({0.1}).item<double>(), 0.1);
  EXPECT_EQ(tensor({0.1}).item<float>(), 0.1f);  // rounded to float
  EXPECT_EQ(tensor({3.75f}).item<int64_t>(), 3);  // toward zero, as int(3.75)
  EXPECT_EQ(tensor({-3.75f}).item<int64_t>(), -3);
  EXPECT_EQ(scalar_tensor(7, DType::Int64).item_double(), 7.0);
  // Int64 item<int64_t> is exact past 2^53, where a double would round.
  EXPECT_EQ(tensor(std::vector<int64_t>{9007199254740993}).item<int64_t>(), 9007199254740993);
  // A single element of any shape is fine, as in torch.
  EXPECT_EQ(full({1, 1, 1}, -4.0).item<float>(), -4.0f);
}

TEST(TensorTest, ItemRefusesManyElementsAndOverflow) {
  std::string msg = message_of<std::invalid_argument>([] { zeros({2, 2}).item<float>(); });
  EXPECT_TRUE(contains(msg, "item"));
  EXPECT_TRUE(contains(msg, "4 elements"));
  EXPECT_TRUE(contains(msg, "[2, 2]"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { zeros({0}).item_double(); }), "0 elements"));
  // torch: "value cannot be converted to type int64_t without overflow".
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { scalar_tensor(nan).item<int64_t>(); }),
                     "without overflow"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { scalar_tensor(1e20, DType::Float64).item<int64_t>(); }),
                     "torch.int64"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { scalar_tensor(1e300, DType::Float64).item<float>(); }),
                     "torch.float32"));
  EXPECT_TRUE(std::isinf(scalar_tensor(INFINITY, DType::Float64).item<float>()));  // inf stays inf
}

// ---- to, clone, detach ----

TEST(TensorTest, ToConvertsAndRoundTrips) {
  Tensor d = tensor({0.1, -2.5, 1e-40, 3.999});
  Tensor f = d.to(DType::Float32);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.data_ptr<float>()[0], 0.1f);
  EXPECT_EQ(f.data_ptr<float>()[2], static_cast<float>(1e-40));  // a float32 subnormal
  // float32 -> float64 -> float32 is exact.
  EXPECT_TRUE(bitwise_equal(f.to(DType::Float64).to(DType::Float32), f));
  Tensor i = d.to(DType::Int64);
  EXPECT_EQ(i.data_ptr<int64_t>()[1], -2);  // toward zero
  EXPECT_EQ(i.data_ptr<int64_t>()[3], 3);
  EXPECT_TRUE(bitwise_equal(tensor({5, -7}).to(DType::Float64).to(DType::Int64), tensor({5, -7})));
  EXPECT_TRUE(d.to(DType::Float64).is_same(d));  // same dtype: self, as torch
}

TEST(TensorTest, ToIsDifferentiableBetweenFloatTypes) {
  Tensor x = tensor({1.5f, -2.0f, 0.25f}).requires_grad_();
  Tensor y = x.to(DType::Float64);
  EXPECT_EQ(y.grad_fn_name(), "ToCopyBackward0");
  // L = sum(y^2 * c)  =>  dL/dx = 2 x c, converted back to float32.
  Tensor c = tensor({1.0, 10.0, 100.0});
  (y * y * c).sum().backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().dtype(), DType::Float32);
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({3.0f, -40.0f, 50.0f})));
  // To an integer type no gradient can flow: the result is a plain leaf.
  Tensor n = x.to(DType::Int64);
  EXPECT_FALSE(n.requires_grad());
  EXPECT_EQ(n.grad_fn_name(), "");
}

TEST(TensorTest, CloneCopiesTheDataAndPassesGradientThrough) {
  Tensor a = tensor({1.0f, 2.0f, 3.0f});
  Tensor b = a.clone();
  EXPECT_TRUE(bitwise_equal(b, a));
  EXPECT_NE(b.impl()->storage, a.impl()->storage);
  b.fill_(9.0);
  EXPECT_EQ(a.data_ptr<float>()[0], 1.0f);  // the original is untouched
  EXPECT_EQ(a.version(), 0u);

  Tensor x = tensor({2.0, 3.0}).requires_grad_();
  Tensor y = x.clone();
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn_name(), "CloneBackward0");
  (y * tensor({5.0, 7.0})).sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({5.0, 7.0})));
}

TEST(TensorTest, DetachSharesStorageAndForgetsHistory) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 3.0;
  Tensor d = y.detach();
  EXPECT_EQ(d.impl()->storage, y.impl()->storage);
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_EQ(d.grad_fn(), nullptr);
  EXPECT_EQ(d.grad_fn_name(), "");
  d.add_(1.0);  // allowed: d has no history; y sees the write and its version moves
  EXPECT_EQ(y.data_ptr<double>()[1], 7.0);
  EXPECT_EQ(y.version(), 1u);
  EXPECT_TRUE(x.detach().is_leaf());
  EXPECT_FALSE(x.detach().requires_grad());
}

// ---- autograd accessors ----

TEST(TensorTest, RequiresGradOnLeaves) {
  Tensor x = zeros({2});
  EXPECT_FALSE(x.requires_grad());
  Tensor& same = x.requires_grad_();
  EXPECT_TRUE(&same == &x);  // returns *this, so it chains
  EXPECT_TRUE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
  x.requires_grad_(false);
  EXPECT_FALSE(x.requires_grad());
}

TEST(TensorTest, RequiresGradOnNonLeavesAndIntegers) {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = x * 2.0;
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  // As torch: asking again is harmless, turning it off on a non-leaf is refused.
  EXPECT_NO_THROW(y.requires_grad_(true));
  std::string msg = message_of<std::runtime_error>([&] { y.requires_grad_(false); });
  EXPECT_TRUE(contains(msg, "leaf"));
  EXPECT_TRUE(contains(msg, "MulBackward0"));
  EXPECT_TRUE(contains(msg, "detach()"));
  // torch: "only Tensors of floating point dtype can require gradients".
  Tensor i = tensor({1, 2});
  msg = message_of<std::runtime_error>([&] { i.requires_grad_(); });
  EXPECT_TRUE(contains(msg, "floating point"));
  EXPECT_TRUE(contains(msg, "torch.int64"));
  EXPECT_NO_THROW(i.requires_grad_(false));
  EXPECT_FALSE(i.requires_grad());
}

TEST(TensorTest, GradFnNamesAndLeaves) {
  Tensor x = ones({3}).requires_grad_();
  Tensor c = ones({3});
  EXPECT_EQ(x.grad_fn_name(), "");
  EXPECT_EQ((x * c).grad_fn_name(), "MulBackward0");
  EXPECT_EQ((x + c).grad_fn_name(), "AddBackward0");
  EXPECT_EQ((x * c).sum().grad_fn_name(), "SumBackward0");
  // Nothing that requires grad went in: nothing recorded.
  Tensor k = c * c;
  EXPECT_TRUE(k.is_leaf());
  EXPECT_FALSE(k.requires_grad());
}

TEST(TensorTest, SetGradChecksAndClears) {
  Tensor x = zeros({2, 2}).requires_grad_();
  EXPECT_FALSE(x.grad().defined());
  x.set_grad(ones({2, 2}));
  EXPECT_EQ(x.grad().data_ptr<float>()[3], 1.0f);
  std::string msg = message_of<std::invalid_argument>([&] { x.set_grad(ones({4})); });
  EXPECT_TRUE(contains(msg, "[4]"));
  EXPECT_TRUE(contains(msg, "[2, 2]"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { x.set_grad(ones({2, 2}, DType::Float64)); }),
                     "torch.float64"));
  x.set_grad(Tensor());  // set_to_none
  EXPECT_FALSE(x.grad().defined());
}

TEST(TensorTest, HookNeedsATensorThatRequiresGrad) {
  Tensor c = ones({2});
  std::string msg = message_of<std::runtime_error>([&] { c.register_hook([](const Tensor&) { return Tensor(); }); });
  EXPECT_TRUE(contains(msg, "doesn't require gradient"));
}

TEST(TensorTest, NamesAreLabels) {
  Tensor w = zeros({2});
  EXPECT_EQ(w.name(), "");
  w.set_name("fc.weight");
  EXPECT_EQ(w.name(), "fc.weight");
}

// ---- in-place ops: values ----

TEST(TensorTest, InPlaceArithmeticMatchesTorchBitForBit) {
  for (std::string code : {"f32", "f64"}) {
    SCOPED_TRACE(code);
    Tensor a = fixture()["inplace_" + code + "_a"], b = fixture()["inplace_" + code + "_b"];
    auto expected = [&](const std::string& what) { return fixture()["inplace_" + code + "_" + what]; };
    // add_/sub_ with alpha are one fused multiply-add in torch: fma(b, alpha, a).
    EXPECT_TRUE(bitwise_equal(a.clone().add_(b, 0.1), expected("add_alpha")));
    EXPECT_TRUE(bitwise_equal(a.clone().sub_(b, 0.37), expected("sub_alpha")));
    // Scalars are rounded to the tensor's type, then the arithmetic is in that type.
    EXPECT_TRUE(bitwise_equal(a.clone().add_(0.1), expected("add_scalar")));
    EXPECT_TRUE(bitwise_equal(a.clone().sub_(7.3), expected("sub_scalar")));
    EXPECT_TRUE(bitwise_equal(a.clone().mul_(1.0 / 3.0), expected("mul_scalar")));
    EXPECT_TRUE(bitwise_equal(a.clone().mul_(b), expected("mul")));
    EXPECT_TRUE(bitwise_equal(a.clone().add_(b), a + b));
    EXPECT_TRUE(bitwise_equal(a.clone().sub_(b), a - b));
  }
}

TEST(TensorTest, InPlaceBroadcastsTheSourceAndReturnsSelf) {
  Tensor m = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  Tensor& r = m.add_(tensor({10.0f, 20.0f, 30.0f}));
  EXPECT_TRUE(&r == &m);
  EXPECT_TRUE(bitwise_equal(m, tensor({11.0f, 22.0f, 33.0f, 14.0f, 25.0f, 36.0f}, {2, 3})));
  m.mul_(tensor({2.0f, 3.0f}, {2, 1}));  // rows times 2 and 3
  EXPECT_TRUE(bitwise_equal(m, tensor({22.0f, 44.0f, 66.0f, 42.0f, 75.0f, 108.0f}, {2, 3})));
  m.zero_();
  EXPECT_TRUE(bitwise_equal(m, zeros({2, 3})));
  m.fill_(-1.5);
  EXPECT_TRUE(bitwise_equal(m, full({2, 3}, -1.5)));
  // The destination does not broadcast.
  std::string msg = message_of<std::invalid_argument>([&] { tensor({1.0f}).add_(ones({3})); });
  EXPECT_TRUE(contains(msg, "add_"));
  EXPECT_TRUE(contains(msg, "[3]"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { m.mul_(ones({2, 3}, DType::Float64)); }),
                     "dtypes differ"));
}

TEST(TensorTest, CopyConvertsTheSource) {
  Tensor dst = zeros({3});
  dst.copy_(tensor({1.25, -2.0, 1e300}));
  EXPECT_EQ(dst.data_ptr<float>()[0], 1.25f);
  EXPECT_TRUE(std::isinf(dst.data_ptr<float>()[2]));
  Tensor ints = zeros({2}, DType::Int64);
  ints.copy_(tensor({7.9f, -7.9f}));
  EXPECT_TRUE(bitwise_equal(ints, tensor({7, -7})));
  EXPECT_EQ(ints.version(), 1u);
}

TEST(TensorTest, InPlaceOnInt64IsExactAndWraps) {
  // Through a double, 2^53 + 1 would round: torch gives 9007199254740994.
  Tensor big = tensor(std::vector<int64_t>{9007199254740993});
  big.add_(1.0);
  EXPECT_EQ(big.item<int64_t>(), 9007199254740994);
  // torch.tensor([2**62, 1]).add_(torch.tensor([2**62, 1]), alpha=2) wraps: [-2**62, 3].
  Tensor w = tensor(std::vector<int64_t>{int64_t{1} << 62, 1});
  w.add_(w.clone(), 2.0);
  EXPECT_TRUE(bitwise_equal(w, tensor(std::vector<int64_t>{-(int64_t{1} << 62), 3})));
  Tensor m = tensor({5, -3});
  m.mul_(-4.0).sub_(1.0);
  EXPECT_TRUE(bitwise_equal(m, tensor({-21, 11})));
  m.sub_(tensor({1, 1}), 3.0);
  EXPECT_TRUE(bitwise_equal(m, tensor({-24, 8})));
  // fill_ truncates, as torch.tensor([1, 2]).fill_(2.5) gives [2, 2].
  m.fill_(2.5);
  EXPECT_TRUE(bitwise_equal(m, tensor({2, 2})));
}

TEST(TensorTest, InPlaceRefusesValuesATypeCannotHold) {
  Tensor m = tensor({1, 2});
  // torch: "result type Float can't be cast to the desired output type Long".
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { m.add_(0.5); }), "0.5"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { m.mul_(2.5); }), "mul_"));
  // torch: "For integral input tensors, argument alpha must not be a floating point number."
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { m.add_(m.clone(), 0.5); }), "alpha"));
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { m.fill_(nan); }), "without overflow"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([&] { m.fill_(1e19); }), "torch.int64"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { zeros({2}).fill_(1e300); }), "torch.float32"));
  EXPECT_TRUE(bitwise_equal(m, tensor({1, 2})));  // nothing was written
  EXPECT_EQ(m.version(), 0u);
  Tensor f = zeros({1});
  f.fill_(-INFINITY);  // infinities are values a float holds
  EXPECT_TRUE(std::isinf(f.data_ptr<float>()[0]));
}

// ---- in-place ops: the version counter and the autograd checks ----

TEST(TensorTest, EveryInPlaceOpBumpsTheSharedVersion) {
  Tensor t = zeros({4});
  Tensor alias = t.detach();
  EXPECT_EQ(t.version(), 0u);
  t.add_(1.0);
  t.sub_(ones({4}));
  t.mul_(2.0);
  t.mul_(ones({4}));
  t.zero_();
  t.fill_(3.0);
  t.copy_(ones({4}));
  t.add_(ones({4}), 2.0);
  EXPECT_EQ(t.version(), 8u);
  EXPECT_EQ(alias.version(), 8u);  // same storage, same counter
  EXPECT_EQ(t.clone().version(), 0u);
}

TEST(TensorTest, InPlaceOnALeafThatRequiresGrad) {
  Tensor w = tensor({1.0f, 2.0f}).requires_grad_();
  std::string msg = message_of<std::runtime_error>([&] { w.add_(1.0); });
  EXPECT_TRUE(contains(msg, "a leaf Variable that requires grad is being used in an in-place operation."));
  EXPECT_TRUE(contains(msg, "add_"));
  EXPECT_TRUE(contains(message_of<std::runtime_error>([&] { w.zero_(); }), "NoGradGuard"));
  EXPECT_EQ(w.version(), 0u);
  {
    NoGradGuard no_grad;  // what an optimizer step does
    w.sub_(tensor({0.5f, 0.5f}), 2.0);
  }
  EXPECT_TRUE(bitwise_equal(w, tensor({0.0f, 1.0f})));
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(w.version(), 1u);
}

// ---- Bool ----

TEST(TensorTest, BoolBasics) {
  Tensor b = tensor({true, false, true}, {3});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(element_size(DType::Bool), 1u);
  EXPECT_EQ(b.impl()->storage->nbytes, 3u);
  EXPECT_FALSE(is_floating(DType::Bool));
  EXPECT_EQ(dtype_name(DType::Bool), "torch.bool");
  EXPECT_EQ(b.data_ptr<bool>()[2], true);
  EXPECT_EQ(tensor({false}).item<bool>(), false);
  EXPECT_EQ(tensor({true}).item_double(), 1.0);
  EXPECT_EQ(tensor({true}).item<int64_t>(), 1);
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { b.requires_grad_(); }, {"floating point", "torch.bool"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.data_ptr<float>(); }, {"torch.bool", "torch.float32"}));
}

TEST(TensorTest, BoolInPlaceFillAndCopyButNoArithmetic) {
  Tensor b = zeros({3}, DType::Bool);
  b.fill_(2.5);  // nonzero -> True
  EXPECT_TRUE(bitwise_equal(b, tensor({true, true, true})));
  b.copy_(tensor({0.0f, NAN, -1.0f}));  // converted as to(Bool): NaN is True
  EXPECT_TRUE(bitwise_equal(b, tensor({false, true, true})));
  b.zero_();
  EXPECT_TRUE(bitwise_equal(b, tensor({false, false, false})));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.add_(1.0); }, {"add_", "torch.bool", "to(DType::Float32)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.mul_(b); }, {"mul_", "torch.bool"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.sub_(b); }, {"sub_", "torch.bool"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b + b; }, {"add", "torch.bool", "to(DType::Float32)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b * 2.0; }, {"mul", "torch.bool"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.exp(); }, {"exp", "torch.bool"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.max(0); }, {"max", "torch.bool", "to(DType::Int64)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { b.mean(); }, {"mean", "torch.bool"}));
  // sum counts the Trues, as torch (an Int64 result).
  Tensor s = tensor({true, false, true, true}, {2, 2}).sum(1);
  EXPECT_TRUE(bitwise_equal(s, tensor({1, 2})));
}

// ---- in-place ops on tensors that require grad are recorded (rebase_history) ----

// Runs `op` in place on y = x * 3 (a non-leaf), checks y's new grad_fn and that its
// first edge is the old history, then backward(ones) and returns x's gradient.
template <class Op>
Tensor grad_through_inplace(Op op, const char* node, const Tensor& x) {
  Tensor y = x.mul(3.0);
  Tensor& same = op(y);
  EXPECT_TRUE(same.is_same(y));
  EXPECT_EQ(y.grad_fn_name(), node);
  EXPECT_EQ(y.grad_fn()->next_edges.at(0)->name(), "MulBackward0");
  EXPECT_FALSE(y.is_leaf());
  y.backward(ones_like(y));
  return x.grad();
}

TEST(TensorTest, InPlaceOnANonLeafIsRecorded) {
  // Hand-derived: y = 3x, then y' = f(y); dx = 3 * dy'/dy.
  auto leaf = [] { return tensor({1.0, -2.0}).requires_grad_(); };
  Tensor w = tensor({0.5, 4.0}).requires_grad_();
  EXPECT_TRUE(all_close(grad_through_inplace([](Tensor& y) -> Tensor& { return y.add_(1.0); }, "AddBackward0", leaf()),
                        tensor({3.0, 3.0})));
  EXPECT_TRUE(all_close(grad_through_inplace([](Tensor& y) -> Tensor& { return y.sub_(1.0); }, "SubBackward0", leaf()),
                        tensor({3.0, 3.0})));
  EXPECT_TRUE(all_close(grad_through_inplace([](Tensor& y) -> Tensor& { return y.mul_(-2.0); }, "MulBackward0", leaf()),
                        tensor({-6.0, -6.0})));
  EXPECT_TRUE(all_close(grad_through_inplace([](Tensor& y) -> Tensor& { return y.fill_(7.0); }, "FillBackward2", leaf()),
                        tensor({0.0, 0.0})));
  EXPECT_TRUE(all_close(grad_through_inplace([](Tensor& y) -> Tensor& { return y.zero_(); }, "ZeroBackward0", leaf()),
                        tensor({0.0, 0.0})));
  // With a tensor operand that requires grad: y' = y + alpha w  =>  dw = alpha
  EXPECT_TRUE(all_close(grad_through_inplace([&](Tensor& y) -> Tensor& { return y.add_(w, 2.0); }, "AddBackward0", leaf()),
                        tensor({3.0, 3.0})));
  EXPECT_TRUE(all_close(w.grad(), tensor({2.0, 2.0})));
  w.set_grad(Tensor());
  EXPECT_TRUE(all_close(grad_through_inplace([&](Tensor& y) -> Tensor& { return y.sub_(w, 0.5); }, "SubBackward0", leaf()),
                        tensor({3.0, 3.0})));
  EXPECT_TRUE(all_close(w.grad(), tensor({-0.5, -0.5})));
  w.set_grad(Tensor());
  // y' = y * w  =>  dy = w (so dx = 3w),  dw = y as it was before the write (3x)
  EXPECT_TRUE(all_close(grad_through_inplace([&](Tensor& y) -> Tensor& { return y.mul_(w); }, "MulBackward0", leaf()),
                        tensor({1.5, 12.0})));
  EXPECT_TRUE(all_close(w.grad(), tensor({3.0, -6.0})));
  w.set_grad(Tensor());
  // y' = w (copy_)  =>  dy = 0,  dw = 1
  EXPECT_TRUE(all_close(grad_through_inplace([&](Tensor& y) -> Tensor& { return y.copy_(w); }, "CopyBackwards", leaf()),
                        tensor({0.0, 0.0})));
  EXPECT_TRUE(all_close(w.grad(), tensor({1.0, 1.0})));
}

TEST(TensorTest, InPlaceSquareSavesTheOldValue) {
  // y = 3x; y.mul_(y) is y^2, so dx = 2 y * 3 = 18 x: both factors are the old y.
  Tensor x = tensor({1.0, -2.0}).requires_grad_();
  Tensor y = x.mul(3.0);
  y.mul_(y);
  EXPECT_TRUE(all_close(y, tensor({9.0, 36.0})));
  y.backward(ones_like(y));
  EXPECT_TRUE(all_close(x.grad(), tensor({18.0, -36.0})));
}

TEST(TensorTest, InPlaceWithAGradOperandMakesANonLeaf) {
  // As torch: a plain buffer that receives a tensor requiring grad joins the graph.
  Tensor w = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor buf = zeros({2});
  buf.add_(w, 3.0);
  EXPECT_FALSE(buf.is_leaf());
  EXPECT_EQ(buf.grad_fn_name(), "AddBackward0");
  buf.sum().backward();
  EXPECT_TRUE(all_close(w.grad(), tensor({3.0f, 3.0f})));
}

TEST(TensorTest, InPlaceOverASavedTensorIsCaughtAtBackward) {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = x.exp();  // saves y
  y.mul_(2.0);
  EXPECT_EQ(y.grad_fn_name(), "MulBackward0");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { y.sum().backward(); },
                                              {"ExpBackward0", "modified by an inplace operation"}));
}

TEST(TensorTest, InPlaceNotRecordedWithoutGradMode) {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = x.exp();
  NoGradGuard no_grad;
  y.add_(1.0);
  EXPECT_EQ(y.grad_fn_name(), "ExpBackward0");  // unchanged
  EXPECT_EQ(y.version(), 1u);
}

}  // namespace
}  // namespace minigrad

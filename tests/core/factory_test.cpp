// Factories: tensor(...) from values, scalar_tensor, empty/zeros/ones/full,
// arange (PyTorch's numbers bit for bit, from tests/fixtures/autograd.txt) and *_like.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::message_of;

const testing::Fixture& fixture() { return testing::Fixture::get("autograd.txt"); }

// A fresh tensor is a leaf that needs no gradient, at version 0.
void expect_fresh(const Tensor& t) {
  EXPECT_TRUE(t.is_leaf());
  EXPECT_FALSE(t.requires_grad());
  EXPECT_EQ(t.version(), 0u);
}

// ---- tensor(...) ----

TEST(FactoryTest, TensorFromVectorsWithAShape) {
  Tensor f = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(f.sizes(), (Shape{2, 3}));
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.data_ptr<float>()[5], 6.0f);
  Tensor d = tensor(std::vector<double>{0.1, 0.2}, {2, 1});
  EXPECT_EQ(d.dtype(), DType::Float64);
  EXPECT_EQ(d.data_ptr<double>()[0], 0.1);  // no trip through float
  Tensor i = tensor(std::vector<int64_t>{INT64_MIN, INT64_MAX}, {1, 2});
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(i.data_ptr<int64_t>()[0], INT64_MIN);
  EXPECT_EQ(i.data_ptr<int64_t>()[1], INT64_MAX);
  Tensor s = tensor(std::vector<double>{4.5}, {});  // an explicit 0-dim shape
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<double>(), 4.5);
  expect_fresh(f);
}

TEST(FactoryTest, TensorFromVectorsIsOneDimensional) {
  EXPECT_EQ(tensor(std::vector<float>{1, 2, 3}).sizes(), (Shape{3}));
  EXPECT_EQ(tensor(std::vector<double>{}).sizes(), (Shape{0}));
  EXPECT_EQ(tensor(std::vector<int64_t>{7}).sizes(), (Shape{1}));
}

TEST(FactoryTest, InitializerListsPickTheDtypeOfTheLiterals) {
  Tensor f = tensor({1.0f, 2.5f});
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.sizes(), (Shape{2}));
  EXPECT_EQ(f.data_ptr<float>()[1], 2.5f);
  EXPECT_EQ(tensor({1.0, 2.0, 3.0}).dtype(), DType::Float64);
  // Plain integer literals make Int64, as torch.tensor([2, 3, 5, 1]) does.
  Tensor i = tensor({2, 3, 5, 1});
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(i.data_ptr<int64_t>()[2], 5);
  EXPECT_EQ(tensor({int64_t{1} << 40, int64_t{-1}}).data_ptr<int64_t>()[0], int64_t{1} << 40);
  // With a shape, the list fills it row-major.
  Tensor m = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {3, 2});
  EXPECT_EQ(m.sizes(), (Shape{3, 2}));
  EXPECT_EQ(m.data_ptr<float>()[3], 4.0f);
  EXPECT_EQ(tensor({1, 2, 3, 4}, {2, 1, 2}).sizes(), (Shape{2, 1, 2}));
}

TEST(FactoryTest, ValuesMustFillTheShapeExactly) {
  EXPECT_EQ(message_of<std::invalid_argument>([] { tensor({1.0f, 2.0f, 3.0f}, {2, 2}); }),
            "tensor: 3 values do not fill shape [2, 2] (4 elements)");
  EXPECT_EQ(message_of<std::invalid_argument>([] { tensor(std::vector<double>{1, 2}, {}); }),
            "tensor: 2 values do not fill shape [] (1 elements)");
  EXPECT_EQ(message_of<std::invalid_argument>([] { tensor({1, 2, 3, 4, 5}, {2, 0}); }),
            "tensor: 5 values do not fill shape [2, 0] (0 elements)");
}

TEST(FactoryTest, NegativeShapesAreRefused) {
  std::string msg = message_of<std::invalid_argument>([] { tensor({1.0f, 2.0f}, {-1, -2}); });
  EXPECT_TRUE(contains(msg, "negative dimension -1"));
  EXPECT_TRUE(contains(msg, "[-1, -2]"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { empty({3, -4}); }), "empty: negative dimension -4"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { zeros({-1}); }), "negative dimension"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { full({2, -2}, 1.0); }), "negative dimension"));
}

TEST(FactoryTest, ShapesTooLargeToAllocateAreRefused) {
  // 2^62 elements of 8 bytes overflow int64: without the check the byte count would wrap.
  int64_t big = int64_t{1} << 31;
  std::string msg = message_of<std::invalid_argument>([&] { empty({big, big}, DType::Int64); });
  EXPECT_TRUE(contains(msg, "too many elements"));
  // A zero anywhere makes any shape empty.
  Tensor e = empty({big, big, 0});
  EXPECT_EQ(e.numel(), 0);
}

// ---- constants ----

TEST(FactoryTest, ZerosOnesFullHoldTheirValue) {
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor z = zeros({2, 3}, dt), o = ones({2, 3}, dt), f = full({2, 3}, -7.0, dt);
    EXPECT_EQ(z.dtype(), dt);
    EXPECT_EQ(z.sizes(), (Shape{2, 3}));
    for (int64_t i = 0; i < 6; ++i) {
      EXPECT_EQ(z.to(DType::Float64).data_ptr<double>()[i], 0.0);
      EXPECT_EQ(o.to(DType::Float64).data_ptr<double>()[i], 1.0);
      EXPECT_EQ(f.to(DType::Float64).data_ptr<double>()[i], -7.0);
    }
    expect_fresh(f);
  }
  EXPECT_EQ(full({1}, 0.1).data_ptr<float>()[0], 0.1f);
  EXPECT_EQ(full({1}, 0.1, DType::Float64).data_ptr<double>()[0], 0.1);
  EXPECT_EQ(full({2}, -2.9, DType::Int64).data_ptr<int64_t>()[1], -2);  // toward zero, as torch
  EXPECT_TRUE(std::isinf(full({1}, INFINITY).data_ptr<float>()[0]));
  EXPECT_TRUE(std::isnan(full({1}, NAN).data_ptr<float>()[0]));
  EXPECT_EQ(zeros({}).dim(), 0);
  EXPECT_EQ(ones({0, 4}).numel(), 0);
}

// Big blocks (Storage::kBigBlockBytes and up) come fresh from the OS, reading as zero,
// or back from the block cache, cleared; small ones are memset. zeros must read as zeros
// everywhere in every case, even on memory a freed tensor had filled, and take writes.
TEST(FactoryTest, BigAndSmallZerosAreZeroEverywhere) {
  const int64_t big = static_cast<int64_t>(Storage::kBigBlockBytes / sizeof(float));
  for (int64_t n : {int64_t{1000}, big - 16, big, big + 1, 3 * big}) {
    SCOPED_TRACE(n);
    { Tensor dirty = full({n}, 7.0); }  // leaves 7s in memory the allocator may hand out again
    const BlockCacheStats before = block_cache_stats();
    Tensor z = zeros({n});
    const float* p = z.data_ptr<float>();
    int64_t nonzero = 0;
    for (int64_t i = 0; i < n; ++i) nonzero += p[i] != 0.0f;
    EXPECT_EQ(nonzero, 0);
    z.data_ptr<float>()[n - 1] = 2.0f;
    EXPECT_EQ(z.sum().item<float>(), 2.0f);
    const bool is_big = n * 4 >= static_cast<int64_t>(Storage::kBigBlockBytes);
    EXPECT_EQ(z.impl()->storage->big, is_big);
    // The dirty block just freed is the one reused: same size, cached a moment ago
    // (unless MINIGRAD_BLOCK_CACHE=0: then it went back to the OS).
    EXPECT_EQ(block_cache_stats().reused, before.reused + (is_big && block_cache_enabled() ? 1 : 0));
  }
}

TEST(FactoryTest, FullRefusesValuesTheDtypeCannotHold) {
  // torch.full((2,), 1e300): "value cannot be converted to type float without overflow".
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { full({2}, 1e300); }), "torch.float32 without overflow"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { full({2}, NAN, DType::Int64); }), "torch.int64"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { full({2}, 1e20, DType::Int64); }), "1e+20"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { scalar_tensor(9.3e18, DType::Int64); }),
                       "without overflow"));
  EXPECT_EQ(full({1}, 1e300, DType::Float64).data_ptr<double>()[0], 1e300);
  EXPECT_EQ(full({1}, -9223372036854775808.0, DType::Int64).data_ptr<int64_t>()[0], INT64_MIN);
}

TEST(FactoryTest, ScalarTensorIsZeroDim) {
  Tensor s = scalar_tensor(3.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.dtype(), DType::Float32);
  EXPECT_EQ(s.item<float>(), 3.5f);
  Tensor i = scalar_tensor(-4, DType::Int64);
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(i.item<int64_t>(), -4);
  expect_fresh(s);
}

TEST(FactoryTest, EmptyHasTheShapeAndDtype) {
  Tensor e = empty({4, 5}, DType::Float64);
  EXPECT_EQ(e.sizes(), (Shape{4, 5}));
  EXPECT_EQ(e.dtype(), DType::Float64);
  EXPECT_GE(e.impl()->storage->nbytes, 4u * 5u * 8u);
  // Small blocks are 16-byte aligned (malloc's), blocks of 4 KiB and more start a cache line.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(e.raw_data()) % 16, 0u);
  for (int64_t n : {1024, 5000, 300000}) {
    Tensor big = empty({n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(big.raw_data()) % 64, 0u) << n;
  }
  expect_fresh(e);
}

TEST(FactoryTest, LikeFactoriesCopyShapeAndDtypeNotHistory) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0}, {2, 2}).requires_grad_();
  Tensor y = x * 2.0;
  for (const Tensor& t : {empty_like(y), zeros_like(y), ones_like(y), full_like(y, 0.5)}) {
    EXPECT_EQ(t.sizes(), (Shape{2, 2}));
    EXPECT_EQ(t.dtype(), DType::Float64);
    expect_fresh(t);
    EXPECT_NE(t.impl()->storage, y.impl()->storage);
  }
  EXPECT_TRUE(bitwise_equal(zeros_like(y), zeros({2, 2}, DType::Float64)));
  EXPECT_TRUE(bitwise_equal(ones_like(y), ones({2, 2}, DType::Float64)));
  EXPECT_TRUE(bitwise_equal(full_like(y, 0.5), full({2, 2}, 0.5, DType::Float64)));
  EXPECT_TRUE(bitwise_equal(full_like(tensor({1, 2}), 3.0), tensor({3, 3})));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { zeros_like(Tensor()); }), "undefined"));
}

// ---- arange ----

TEST(FactoryTest, ArangeOfAnIntegerCountsFromZero) {
  Tensor a = arange(5);
  EXPECT_EQ(a.dtype(), DType::Int64);
  EXPECT_TRUE(bitwise_equal(a, tensor({0, 1, 2, 3, 4})));
  EXPECT_EQ(arange(0).numel(), 0);
  EXPECT_TRUE(bitwise_equal(arange(3, DType::Float32), tensor({0.0f, 1.0f, 2.0f})));
  EXPECT_TRUE(bitwise_equal(arange(2.0, 4.0), tensor({2.0f, 3.0f})));  // start, end: Float32
  expect_fresh(a);
}

TEST(FactoryTest, ArangeMatchesTorchBitForBit) {
  // torch's kernel builds float ranges vector by vector (base + k * step), so long
  // ranges differ in the last bit from start + i * step; these cover both parts.
  struct Range { const char* name; double start, end, step; };
  for (Range r : {Range{"a", 0, 3, 0.1}, Range{"b", -1.3, 7.9, 0.37}, Range{"c", 5, -2, -0.3},
                  Range{"d", 0, 100, 0.7}, Range{"e", 1e6, 1e6 + 1, 1.0 / 64},
                  Range{"f", -3.7, 250.3, 0.173}, Range{"g", 0.1, 1, 0.01}, Range{"h", 2, 2.5, 0.1}}) {
    SCOPED_TRACE(r.name);
    std::string n = r.name;
    EXPECT_TRUE(bitwise_equal(arange(r.start, r.end, r.step, DType::Float32), fixture()["arange_f32_" + n]));
    EXPECT_TRUE(bitwise_equal(arange(r.start, r.end, r.step, DType::Float64), fixture()["arange_f64_" + n]));
  }
}

TEST(FactoryTest, ArangeInt64TruncatesTheBoundsFirst) {
  // torch.arange(0.5, 5, 1.5, dtype=torch.int64) is arange(0, 5, 1): [0, 1, 2, 3, 4].
  struct Range { const char* name; double start, end, step; };
  for (Range r : {Range{"a", 0.5, 5, 1.5}, Range{"b", -2.5, 2, 1}, Range{"c", 2.7, -1.2, -1},
                  Range{"d", -7, 20, 4}, Range{"e", 9, -10, -3}}) {
    SCOPED_TRACE(r.name);
    EXPECT_TRUE(bitwise_equal(arange(r.start, r.end, r.step, DType::Int64),
                              fixture()["arange_i64_" + std::string(r.name)]));
  }
  // Exact far past 2^53, where a double could not hold every value.
  Tensor big = arange(9007199254740992.0, 9007199254740996.0, 1, DType::Int64);  // 2^53 .. 2^53 + 4
  EXPECT_EQ(big.numel(), 4);
  EXPECT_EQ(big.data_ptr<int64_t>()[1], 9007199254740993);
}

TEST(FactoryTest, ArangeErrors) {
  auto msg = [](double s, double e, double st, DType dt = DType::Float32) {
    return message_of<std::invalid_argument>([&] { arange(s, e, st, dt); });
  };
  EXPECT_TRUE(contains(msg(0, 1, 0), "arange: cannot go from 0 to 1 in steps of 0"));
  EXPECT_TRUE(contains(msg(1, 0, 1), "wrong sign"));
  EXPECT_TRUE(contains(msg(0, 1, -0.5), "wrong sign"));
  EXPECT_TRUE(contains(msg(0, INFINITY, 1), "finite"));
  EXPECT_TRUE(contains(msg(NAN, 1, 1), "finite"));
  EXPECT_TRUE(contains(msg(0, 1e30, 1), "too many elements"));
  EXPECT_TRUE(contains(msg(-1e308, 1e308, 1), "too many elements"));
  EXPECT_TRUE(contains(msg(0, 3, 0.5, DType::Int64), "0 once truncated"));  // torch: step must be nonzero
  EXPECT_TRUE(contains(msg(0, 1e30, 1, DType::Int64), "torch.int64"));
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { arange(-3); }), "wrong sign"));
  // Empty, not an error, when start == end.
  EXPECT_EQ(arange(2.0, 2.0, 1.0).numel(), 0);
  EXPECT_EQ(arange(2.0, 2.0, -1.0, DType::Int64).numel(), 0);
}

// Large fills take the threaded / memset path; every element must still hold the
// value's exact bits (-0.0 is not all-zero bytes, so it must not become +0.0).
TEST(FactoryTest, LargeFillsHoldEveryElement) {
  const int64_t n = (int64_t{1} << 19) + 3;
  for (double v : {0.0, -0.0, 2.5}) {
    Tensor f = full({n}, v), d = full({n}, v, DType::Float64);
    for (int64_t i : {int64_t{0}, n / 2, n - 1}) {
      EXPECT_EQ(std::signbit(f.data_ptr<float>()[i]), std::signbit(v));
      EXPECT_EQ(f.data_ptr<float>()[i], static_cast<float>(v));
      EXPECT_EQ(std::signbit(d.data_ptr<double>()[i]), std::signbit(v));
      EXPECT_EQ(d.data_ptr<double>()[i], v);
    }
  }
  Tensor z = zeros({n}, DType::Int64), k = full({n}, -3.0, DType::Int64);
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += z.data_ptr<int64_t>()[i] != 0 || k.data_ptr<int64_t>()[i] != -3;
  EXPECT_EQ(bad, 0);
}

TEST(FactoryTest, BoolFactories) {
  Tensor t = tensor({true, false, false, true}, {2, 2});
  EXPECT_EQ(t.dtype(), DType::Bool);
  EXPECT_EQ(t.sizes(), (Shape{2, 2}));
  EXPECT_EQ(t.data_ptr<bool>()[3], true);
  EXPECT_EQ(to_string(zeros({2}, DType::Bool)), "tensor([False, False])");
  EXPECT_EQ(to_string(ones({2}, DType::Bool)), "tensor([True, True])");
  EXPECT_EQ(to_string(full({1}, -0.5, DType::Bool)), "tensor([True])");
  EXPECT_EQ(to_string(full({1}, 0.0, DType::Bool)), "tensor([False])");
  EXPECT_EQ(to_string(scalar_tensor(1.0, DType::Bool)), "tensor(True)");
  EXPECT_EQ(zeros_like(t).dtype(), DType::Bool);
}

}  // namespace
}  // namespace minigrad

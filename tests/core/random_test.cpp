// Checks core/random.cpp against PyTorch 1.13's CPU streams (tests/fixtures/random.txt,
// written by tools/make_random_fixtures.py), plus the generator's own contracts:
// the reference mt19937 sequence, reseeding, independence of local generators, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("random.txt"); }

// Element values as doubles, whatever the dtype.
std::vector<double> values(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) {
    out[i] = t.dtype() == DType::Float32 ? t.data_ptr<float>()[i] : t.data_ptr<double>()[i];
  }
  return out;
}

// Every element within 1e-6 relative (plus 1e-12) of torch's. minigrad reproduces torch's
// rounding, so in practice they are equal bit for bit.
constexpr testing::Tolerance kTorchRounding{.atol = 1e-12, .rtol = 1e-6};

const uint64_t kSeeds[] = {0, 123, 3000000000ULL, (uint64_t{1} << 40) + 7};

TEST(RandomTest, RandFloat32MatchesTorchForEverySizeAndSeed) {
  for (uint64_t seed : kSeeds) {
    for (int64_t n = 1; n <= 41; ++n) {
      int64_t size = n == 41 ? 1000 : n;
      std::string suffix = "_s" + std::to_string(seed) + "_n" + std::to_string(size);
      manual_seed(seed);
      EXPECT_TRUE(all_close(rand({size}), fixture()["rand_f32" + suffix], kTorchRounding))
          << "rand_f32" + suffix;
    }
  }
}

// Sizes 1..15 take the scalar cached path, 16..40 the 16-wide one (with a redrawn tail
// unless 16 divides the size), 1000 many blocks plus a tail.
TEST(RandomTest, RandnFloat32MatchesTorchOnBothPathsAndTails) {
  for (uint64_t seed : kSeeds) {
    for (int64_t n = 1; n <= 41; ++n) {
      int64_t size = n == 41 ? 1000 : n;
      std::string suffix = "_s" + std::to_string(seed) + "_n" + std::to_string(size);
      manual_seed(seed);
      EXPECT_TRUE(all_close(randn({size}), fixture()["randn_f32" + suffix], kTorchRounding))
          << "randn_f32" + suffix;
    }
  }
}

TEST(RandomTest, Float64StreamsMatchTorch) {
  for (uint64_t seed : kSeeds) {
    for (int64_t n : {1, 2, 5, 15, 16, 17, 31, 33, 100}) {
      std::string suffix = "_s" + std::to_string(seed) + "_n" + std::to_string(n);
      manual_seed(seed);
      EXPECT_TRUE(all_close(rand({n}, DType::Float64), fixture()["rand_f64" + suffix], kTorchRounding))
          << "rand_f64" + suffix;
      manual_seed(seed);
      EXPECT_TRUE(all_close(randn({n}, DType::Float64), fixture()["randn_f64" + suffix], kTorchRounding))
          << "randn_f64" + suffix;
    }
  }
}

TEST(RandomTest, BookEmbeddingWeightAtSeed123) {
  manual_seed(123);
  Tensor w = randn({6, 3});
  EXPECT_TRUE(all_close(w, fixture()["book_randn_6x3"], kTorchRounding));
  EXPECT_NEAR(w.data_ptr<float>()[0], 0.3374, 5e-5);
  EXPECT_NEAR(w.data_ptr<float>()[1], -0.1778, 5e-5);
  EXPECT_NEAR(w.data_ptr<float>()[2], -0.1690, 5e-5);
}

// The cached second normal of a small call feeds the next small call; large calls skip it.
TEST(RandomTest, MixedSizeCallsShareOneStream) {
  const std::vector<int64_t> sizes = {3, 17, 5, 16, 1, 33};
  for (DType dtype : {DType::Float32, DType::Float64}) {
    std::string code = dtype == DType::Float32 ? "f32" : "f64";
    manual_seed(123);
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::string record = "mixed_randn_" + code + "_" + std::to_string(i) + "_n" + std::to_string(sizes[i]);
      EXPECT_TRUE(all_close(randn({sizes[i]}, dtype), fixture()[record], kTorchRounding)) << record;
    }
  }
  manual_seed(123);
  for (size_t i = 0; i < sizes.size(); ++i) {
    Tensor t = i % 2 ? rand({sizes[i]}) : randn({sizes[i]});
    std::string record = "mixed_alt_" + std::to_string(i) + "_n" + std::to_string(sizes[i]);
    EXPECT_TRUE(all_close(t, fixture()[record], kTorchRounding)) << record;
  }
}

TEST(RandomTest, InPlaceUniformAndNormalMatchTorch) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    std::string code = dtype == DType::Float32 ? "f32" : "f64";
    for (int64_t n : {10, 50}) {
      std::string suffix = code + "_n" + std::to_string(n);
      manual_seed(123);
      Tensor u = empty({n}, dtype);
      u.uniform_(-2, 3);
      EXPECT_TRUE(all_close(u, fixture()["uniform_" + suffix], kTorchRounding)) << "uniform_" + suffix;
      manual_seed(123);
      Tensor a = empty({n}, dtype);
      a.normal_(1.5, 0.5);
      EXPECT_TRUE(all_close(a, fixture()["normal_a_" + suffix], kTorchRounding)) << "normal_a_" + suffix;
      manual_seed(123);
      Tensor b = empty({n}, dtype);
      b.normal_(1.5, 0.7);
      EXPECT_TRUE(all_close(b, fixture()["normal_b_" + suffix], kTorchRounding)) << "normal_b_" + suffix;
    }
  }
}

TEST(RandomTest, LocalGeneratorIsIndependentOfTheGlobalOne) {
  manual_seed(123);
  Generator g(42);
  EXPECT_TRUE(all_close(randn({5}, g), fixture()["gen42_randn_5"], kTorchRounding));
  EXPECT_TRUE(all_close(randn({20}), fixture()["global123_randn_20"], kTorchRounding));
  EXPECT_TRUE(all_close(rand({7}, g), fixture()["gen42_rand_7"], kTorchRounding));
  EXPECT_TRUE(all_close(randn({3}, g), fixture()["gen42_randn_3"], kTorchRounding));
  Generator fresh;  // torch's default seed
  EXPECT_EQ(fresh.initial_seed(), 67280421310721ULL);
  EXPECT_TRUE(all_close(rand({4}, fresh), fixture()["gen_default_rand_4"], kTorchRounding));
}

// The 10000th output of mt19937 seeded with 5489 is fixed by the C++ standard.
TEST(RandomTest, EngineIsTheReferenceMt19937) {
  Generator g(5489);
  uint32_t last = 0;
  for (int i = 0; i < 10000; ++i) last = g.random();
  EXPECT_EQ(last, 4123659995U);
  Generator a(1), b(1);
  uint64_t hi = b.random(), lo = b.random();
  EXPECT_EQ(a.random64(), (hi << 32) | lo);  // first draw is the high half
}

TEST(RandomTest, SeedUsesItsLow32BitsButIsRememberedWhole) {
  Generator a(7), b((uint64_t{1} << 40) + 7);
  EXPECT_EQ(b.initial_seed(), (uint64_t{1} << 40) + 7);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.random(), b.random());
  manual_seed(3000000000ULL);
  EXPECT_EQ(default_generator().initial_seed(), 3000000000ULL);
}

TEST(RandomTest, ReseedingRestartsTheStreamAndDropsTheCachedNormal) {
  manual_seed(5);
  std::vector<double> first = values(randn({1}));  // leaves a cached normal behind
  manual_seed(5);
  std::vector<double> again = values(randn({2}));
  EXPECT_EQ(first[0], again[0]);

  Generator g(9);
  std::vector<double> x = values(randn({40}, g));
  g.manual_seed(9);
  EXPECT_EQ(values(randn({40}, g)), x);
}

TEST(RandomTest, FillsBumpTheVersionFactoriesDoNot) {
  Tensor t = rand({4});
  EXPECT_EQ(t.version(), 0u);
  EXPECT_EQ(randn({20}).version(), 0u);
  t.uniform_();
  EXPECT_EQ(t.version(), 1u);
  t.normal_();
  EXPECT_EQ(t.version(), 2u);
  Tensor r = rand_like(t), n = randn_like(empty({2, 3}, DType::Float64));
  EXPECT_EQ(r.sizes(), t.sizes());
  EXPECT_EQ(n.dtype(), DType::Float64);
  EXPECT_EQ(n.sizes(), (Shape{2, 3}));
}

TEST(RandomTest, UniformValuesStayInRange) {
  manual_seed(0);
  for (double v : values(rand({1000}, DType::Float64))) {
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  Tensor u = empty({1000});
  u.uniform_(-2, 3);
  for (double v : values(u)) {
    EXPECT_GE(v, -2.0);
    EXPECT_LT(v, 3.0);
  }
}

TEST(RandomTest, IntegerTensorsAndBadArgumentsAreRejected) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { rand({3}, DType::Int64); }, {"rand", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { randn({3}, DType::Int64); }, {"randn", "torch.int64"}));
  Tensor i = zeros({3}, DType::Int64);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.uniform_(); }, {"uniform_", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { i.normal_(); }, {"normal_", "torch.int64"}));
  Tensor f = zeros({3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { f.normal_(0.0, -1.0); }, {"normal_", "std", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { f.uniform_(3.0, 2.0); }, {"uniform_", "from=3", "to=2"}));
  EXPECT_EQ(f.version(), 0u);  // nothing was written
  EXPECT_THROW(rand({2, -1}), std::invalid_argument);
  EXPECT_THROW(randn({-3}), std::invalid_argument);
}

TEST(RandomTest, FillingALeafThatRequiresGradNeedsNoGrad) {
  Tensor w = zeros({3});
  w.requires_grad_();
  EXPECT_THROW(w.normal_(), std::runtime_error);
  NoGradGuard guard;
  w.normal_();
  EXPECT_EQ(w.version(), 1u);
}

}  // namespace
}  // namespace minigrad

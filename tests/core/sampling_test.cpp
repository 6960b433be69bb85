// Checks core/sampling.cpp against PyTorch 1.13's CPU streams (tests/fixtures/sampling.txt,
// written by tools/make_sampling_fixtures.py): randperm, randint and multinomial draw what torch
// draws after the same manual_seed, leave the stream where torch leaves it, at 1 and 2 threads;
// bernoulli_ against the generator by hand; and every error.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
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

// The first `n` elements of a flat tensor.
Tensor head(const Tensor& t, int64_t n) {
  std::vector<int64_t> v(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + n);
  return tensor(v, {n});
}

TEST(SamplingTest, BernoulliKeepsWhereOneUniformDoubleIsBelowP) {
  Generator a(42), b(42);
  Tensor t = empty({1000}, DType::Float64);
  bernoulli_(t, 0.3, a);
  int64_t ones = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    double u = b.uniform_double(0.0, 1.0);
    ASSERT_EQ(t.data_ptr<double>()[i], u < 0.3 ? 1.0 : 0.0) << i;
    ones += u < 0.3;
  }
  EXPECT_GT(ones, 240);  // about 300 of 1000
  EXPECT_LT(ones, 360);
  EXPECT_EQ(a.random(), b.random());  // one uniform double (two words) per element, no more
  EXPECT_EQ(t.version(), 1u);
  Tensor i = zeros({4}, DType::Int64);
  bernoulli_(i, 1.0, a);
  EXPECT_TRUE(bitwise_equal(i, tensor({1, 1, 1, 1})));
  // A bool tensor takes the same draws: True exactly where the float64 fill put 1.
  Generator c(7), d(7);
  Tensor mask = empty({257}, DType::Bool), ref = empty({257}, DType::Float64);
  bernoulli_(mask, 0.6, c);
  bernoulli_(ref, 0.6, d);
  for (int64_t k = 0; k < 257; ++k) ASSERT_EQ(mask.data_ptr<bool>()[k], ref.data_ptr<double>()[k] == 1.0) << k;
  EXPECT_EQ(c.random(), d.random());
}

TEST(SamplingTest, RandpermMatchesTorch) {
  at_one_and_two_threads([] {
    for (uint64_t seed : kSamplingSeeds) {
      for (int64_t n : {1, 2, 10, 1000}) {
        std::string name = "perm" + seed_tag(seed) + "_n" + std::to_string(n);
        manual_seed(seed);
        EXPECT_TRUE(bitwise_equal(randperm(n), sampling_fixture()[name])) << name;
        EXPECT_TRUE(next_draws_match(name)) << name;
      }
      std::string name = "perm" + seed_tag(seed) + "_big";
      manual_seed(seed);
      Tensor r = randperm(100000);
      EXPECT_EQ(sampling_hash(r), sampling_fixture()[name + "_hash"].item<int64_t>()) << name;
      EXPECT_TRUE(bitwise_equal(head(r, 50), sampling_fixture()[name + "_head"])) << name;
      EXPECT_TRUE(next_draws_match(name)) << name;
    }
  });
}

TEST(SamplingTest, RandpermIsAPermutationAndZeroDrawsNothing) {
  manual_seed(1);
  Tensor r = randperm(500);
  std::vector<bool> seen(500, false);
  for (int64_t i = 0; i < 500; ++i) seen[static_cast<size_t>(r.data_ptr<int64_t>()[i])] = true;
  for (bool s : seen) EXPECT_TRUE(s);
  Generator a(3), b(3);
  EXPECT_EQ(randperm(0, a).sizes(), (Shape{0}));
  EXPECT_EQ(randperm(1, a).item<int64_t>(), 0);
  EXPECT_EQ(a.random(), b.random());  // n = 0 and n = 1 make no draws
}

struct RandintCase {
  const char* tag;
  int64_t low, high;
  Shape shape;
};

TEST(SamplingTest, RandintMatchesTorchOnNarrowAndWideRanges) {
  const std::vector<RandintCase> cases = {
      {"d10", 0, 10, {1000}},
      {"neg", -5, 5, {3, 4}},
      {"one", 7, 8, {5}},
      {"r32", -(int64_t{1} << 31), (int64_t{1} << 31) - 1, {20}},
      {"r33", 0, int64_t{1} << 32, {20}},
      {"wide", -(int64_t{1} << 40), int64_t{1} << 40, {2, 10}},
      {"vocab", 0, 50257, {100000}},
  };
  at_one_and_two_threads([&] {
    for (uint64_t seed : kSamplingSeeds) {
      for (const RandintCase& c : cases) {
        std::string name = std::string("randint_") + c.tag + seed_tag(seed);
        manual_seed(seed);
        Tensor r = randint(c.low, c.high, c.shape);
        EXPECT_EQ(r.dtype(), DType::Int64);
        EXPECT_EQ(r.sizes(), c.shape);
        if (r.numel() > 1000) {
          EXPECT_EQ(sampling_hash(r), sampling_fixture()[name + "_hash"].item<int64_t>()) << name;
          EXPECT_TRUE(bitwise_equal(head(r, 50), sampling_fixture()[name + "_head"])) << name;
        } else {
          EXPECT_TRUE(bitwise_equal(r, sampling_fixture()[name])) << name;
        }
        EXPECT_TRUE(next_draws_match(name)) << name;
      }
    }
  });
  manual_seed(8);
  Tensor from_zero = randint(10, {4});
  manual_seed(8);
  EXPECT_TRUE(bitwise_equal(from_zero, randint(0, 10, {4})));
}

// The script's weights_probs: w_i = (i * 7919) mod 1000, zeroed below 100; rows repeat.
Tensor weights_probs(const Shape& shape, DType dtype) {
  int64_t cols = shape.back();
  std::vector<double> v;
  for (int64_t r = 0; r < numel_of(shape) / cols; ++r) {
    for (int64_t i = 0; i < cols; ++i) {
      int64_t w = (i * 7919) % 1000;
      v.push_back(w < 100 ? 0.0 : static_cast<double>(w));
    }
  }
  return tensor(v, shape).to(dtype);
}

struct MultinomialCase {
  const char* tag;
  bool soft;  // softmax probs stored in the fixture, else weights_probs
  Shape shape;
  int64_t num_samples;
  bool replacement;
};

TEST(SamplingTest, MultinomialMatchesTorchOnBothRoads) {
  const std::vector<MultinomialCase> cases = {
      {"soft10_1", true, {10}, 1, false},          {"soft10_5", true, {10}, 5, false},
      // soft10_r1: one sample with replacement takes the cumulative road in torch 1.13.
      {"soft10_10", true, {10}, 10, false},        {"soft10_r1", true, {10}, 1, true},
      {"soft10_r20", true, {10}, 20, true},        {"soft4x1000_1", true, {4, 1000}, 1, false},
      {"soft4x1000_3", true, {4, 1000}, 3, false}, {"soft4x1000_r50", true, {4, 1000}, 50, true},
      {"w50257_1", false, {50257}, 1, false},      {"w50257_100", false, {50257}, 100, false},
      {"w50257_r1000", false, {50257}, 1000, true}, {"w3x2000_40", false, {3, 2000}, 40, false},
      {"w30_30", false, {30}, 30, false},          {"w2x30_r30", false, {2, 30}, 30, true},
  };
  at_one_and_two_threads([&] {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      std::string code = dtype == DType::Float32 ? "_f32" : "_f64";
      for (const MultinomialCase& c : cases) {
        std::string stag = std::to_string(c.shape[0]) + (c.shape.size() == 2 ? "x" + std::to_string(c.shape[1]) : "");
        Tensor probs = c.soft ? sampling_fixture()["multi_soft" + stag + "_probs"].to(dtype)
                              : weights_probs(c.shape, dtype);
        for (uint64_t seed : kSamplingSeeds) {
          std::string name = std::string("multi_") + c.tag + code + seed_tag(seed);
          manual_seed(seed);
          Tensor s = multinomial(probs, c.num_samples, c.replacement);
          EXPECT_TRUE(bitwise_equal(s, sampling_fixture()[name])) << name;
          EXPECT_TRUE(next_draws_match(name)) << name;
        }
      }
    }
  });
}

// Drawing every category without replacement yields a permutation; zero weights come last.
TEST(SamplingTest, MultinomialWithoutReplacementNeverRepeats) {
  manual_seed(4);
  Tensor s = weights_probs({30}, DType::Float32).multinomial(30);
  std::vector<bool> seen(30, false);
  for (int64_t i = 0; i < 30; ++i) {
    int64_t c = s.data_ptr<int64_t>()[i];
    EXPECT_FALSE(seen[static_cast<size_t>(c)]) << c;
    seen[static_cast<size_t>(c)] = true;
    if (i >= 27) {
      EXPECT_EQ(c % 12, 0) << "the zero-weight categories 0, 12, 24 come last";
    }
  }
  Generator a(11), b(11);
  EXPECT_TRUE(bitwise_equal(multinomial(tensor({0.f, 1.f, 0.f}), 4, true, a), tensor({1, 1, 1, 1})));
  EXPECT_TRUE(bitwise_equal(multinomial(tensor({0.f, 1.f, 0.f}, {1, 3}), 1, false, b), tensor({1}, {1, 1})));
}

TEST(SamplingTest, MultinomialOfNoRowsDrawsNothing) {
  Generator a(5), b(5);
  Tensor s = multinomial(zeros({0, 3}), 2, false, a);
  EXPECT_EQ(s.sizes(), (Shape{0, 2}));
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(a.random(), b.random());
}

// The book's top-k sampling step: keep the 3 largest logits, temperature 1.4, sample one token.
TEST(SamplingTest, TopKSamplingStepMatchesTorch) {
  manual_seed(123);
  Tensor logits = randn({2, 50257});
  Tensor top = std::get<0>(logits.topk(3));
  Tensor masked = logits.clone();
  for (int64_t r = 0; r < 2; ++r) {
    float kth = top.data_ptr<float>()[r * 3 + 2];
    float* row = masked.data_ptr<float>() + r * 50257;
    for (int64_t j = 0; j < 50257; ++j)
      if (row[j] < kth) row[j] = -std::numeric_limits<float>::infinity();
  }
  Tensor probs = softmax(masked / 1.4, -1);
  EXPECT_TRUE(bitwise_equal(multinomial(probs, 1), sampling_fixture()["book_sample"]));
  EXPECT_TRUE(next_draws_match("book_sample"));
}

TEST(SamplingTest, BadArgumentsAreRejectedWithTheirValues) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { randperm(-1); }, {"randperm", "non-negative", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { randint(5, 5, {3}); }, {"randint", "low=5", "high=5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { randint(0, {3}); }, {"randint", "low=0", "high=0"}));
  Tensor t = zeros({3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { t.bernoulli_(1.5); }, {"bernoulli_", "p=1.5"}));
  Tensor w = zeros({3});
  w.requires_grad_();
  EXPECT_THROW(w.bernoulli_(0.5), std::runtime_error);
}

TEST(SamplingTest, MultinomialRejectsBadDistributions) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (bool replacement : {false, true}) {
    SCOPED_TRACE(replacement ? "with replacement" : "without replacement");
    const int64_t n = 3;  // more than one sample, so replacement takes the cumulative road
    EXPECT_TRUE(throws_with<std::invalid_argument>(
        [&] { multinomial(tensor({0.5f, -1.f, 2.f}), n, replacement); }, {"multinomial", "< 0", "column 1", "-1"}));
    EXPECT_TRUE(throws_with<std::invalid_argument>(
        [&] { multinomial(tensor({0.5f, nan, 2.f}), n, replacement); }, {"multinomial", "nan", "column 1"}));
    EXPECT_TRUE(throws_with<std::invalid_argument>(
        [&] { multinomial(tensor({0.5f, 1.f, inf}), n, replacement); }, {"multinomial", "inf", "column 2"}));
    EXPECT_TRUE(throws_with<std::invalid_argument>(
        [&] { multinomial(tensor({1.f, 1.f, 0.f, 0.f, 0.f, 0.f}, {2, 3}), n, replacement); },
        {"multinomial", "sum of probabilities <= 0", "row 1", "[2, 3]"}));
  }
  Tensor p = tensor({0.5f, 0.5f});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { multinomial(p, 3); },
                                                 {"multinomial", "num_samples=3", "size(-1)=2", "without replacement"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { multinomial(p, 0); }, {"multinomial", "<= 0", "num_samples=0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { multinomial(p, -2, true); }, {"num_samples=-2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { multinomial(tensor({1, 2}), 1); },
                                                 {"multinomial", "floating", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { multinomial(zeros({2, 2, 2}), 1); },
                                                 {"multinomial", "1 or 2 dim", "[2, 2, 2]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { multinomial(scalar_tensor(1.0), 1); },
                                                 {"multinomial", "1 or 2 dim", "[]"}));
}

}  // namespace
}  // namespace minigrad

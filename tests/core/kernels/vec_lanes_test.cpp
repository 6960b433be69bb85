// The AVX-512 level runs the exp-bound kernels 16 lanes wide (core/kernels/vec_lanes.h)
// and must give the AVX2 level's bits exactly: each kernel is called through both
// levels' tables (core/kernels/cpu.h) on the same random rows, of every length from 1
// to 70 and two long ones, and the outputs compared byte for byte. The rows mix values
// where vexp clamps (< -87, > 88), NaN, infinities and -0 into plain ones. Skipped on
// a CPU without AVX-512.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/cpu.h"
#include "tests/core/kernels/levels.h"

namespace minigrad::kernels {
namespace {

const CpuKernels& table_of(const std::string& level) {
  testing_levels::Scoped at(level);
  return cpu();  // the tables are static: the reference outlives the switch back
}

template <class T>
void expect_same_bits(const std::vector<T>& a, const std::vector<T>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) {
      ADD_FAILURE() << what << ": element " << i << " avx2 " << a[i] << " avx512 " << b[i];
      return;
    }
}

// kind 0: normal values; 1: spread over [-40, 2], so the double sums of e^(x - max) round
// (and their order shows); 2: over [-120, 100], so e^(x - max) and e^x clamp; 3: kind 2
// with NaN, +-inf, -0 and the clamp edges sprinkled in.
std::vector<float> random_row(std::mt19937& rng, int64_t n, int kind) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const float specials[] = {nan, inf, -inf, -0.0f, 0.0f, -87.5f, -88.5f, 88.5f, 89.0f, -104.0f, 0.625f, 1e-40f};
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::uniform_real_distribution<float> narrow(-40.0f, 2.0f), wide(-120.0f, 100.0f);
  std::vector<float> x(n);
  for (auto& v : x) {
    v = kind == 0 ? normal(rng) : kind == 1 ? narrow(rng) : wide(rng);
    if (kind == 3 && rng() % 5 == 0) v = specials[rng() % std::size(specials)];
  }
  return x;
}

TEST(KernelsTestVecLanes, Avx512GivesTheAvx2Bits) {
  auto levels = available_cpu_capabilities();
  if (std::find(levels.begin(), levels.end(), "avx512") == levels.end()) GTEST_SKIP() << "no AVX-512 on this CPU";
  const CpuKernels* k[2] = {&table_of("avx2"), &table_of("avx512")};
  std::vector<int64_t> lengths = {1000, 1027};
  for (int64_t n = 1; n <= 70; ++n) lengths.push_back(n);
  std::mt19937 rng(7);
  for (int64_t n : lengths)
    for (int kind = 0; kind < 4; ++kind) {
      const std::string row = " (n " + std::to_string(n) + ", kind " + std::to_string(kind) + ")";
      const std::vector<float> x = random_row(rng, n, kind), g = random_row(rng, n, 0);
      const int64_t t = static_cast<int64_t>(rng() % n);
      // Calls f(level, y) at both levels, y prefilled with the same sentinel; compares what
      // f returns (the kernel's return value) and y.
      auto run = [&](const std::string& what, auto f) {
        std::vector<float> y[2];
        double r[2];
        for (int l = 0; l < 2; ++l) {
          y[l].assign(n, -1.5f);
          r[l] = f(l, y[l].data());
        }
        EXPECT_EQ(r[0], r[1]) << what << row;
        expect_same_bits(y[0], y[1], what + row);
      };
      const float* xp = x.data();
      run("exp", [&](int l, float* y) { return k[l]->exp_f32(xp, y, n); });
      run("tanh", [&](int l, float* y) { return k[l]->tanh_f32(xp, y, n); });
      run("sigmoid", [&](int l, float* y) { return k[l]->sigmoid_f32(xp, y, n); });
      run("gelu_tanh", [&](int l, float* y) { return k[l]->gelu_tanh_f32(xp, y, n); });
      run("gelu_tanh_grad", [&](int l, float* y) { return k[l]->gelu_tanh_grad_f32(xp, y, n); });
      for (bool log : {false, true}) {
        const std::string name = log ? "log_softmax" : "softmax";
        run(name, [&](int l, float* y) { return k[l]->softmax_row(xp, y, n, log); });
        // x stands in for the forward's output: for log_softmax its exps then clamp too.
        run(name + " backward", [&](int l, float* y) { return k[l]->softmax_backward_row(xp, g.data(), y, n, log); });
      }
      float m[2] = {0, 0};
      double s[2] = {0, 0};
      run("max_and_sum_exp", [&](int l, float*) { return k[l]->max_and_sum_exp(xp, n, m[l], s[l]); });
      if (s[0] != 0) {  // it returned true
        expect_same_bits(std::vector<float>{m[0]}, std::vector<float>{m[1]}, "max_and_sum_exp m" + row);
        expect_same_bits(std::vector<double>{s[0]}, std::vector<double>{s[1]}, "max_and_sum_exp s" + row);
        run("cross_entropy_grad_row", [&](int l, float* y) {
          k[l]->cross_entropy_grad_row(xp, t, 0.37, y, n, m[0], s[0]);
          return 0;
        });
      }
      // attention_row, in place: from a running max below the row's, and from one above.
      for (float m0 : {-std::numeric_limits<float>::infinity(), 30.0f}) {
        float am[2] = {m0, m0};
        double sum[2] = {0, 0};
        run("attention_row", [&](int l, float* y) {
          std::copy(x.begin(), x.end(), y);
          return k[l]->attention_row(y, n, am[l], sum[l]);
        });
        expect_same_bits(std::vector<double>{sum[0]}, std::vector<double>{sum[1]}, "attention_row sum" + row);
        expect_same_bits(std::vector<float>{am[0]}, std::vector<float>{am[1]}, "attention_row m" + row);
      }
    }
}

}  // namespace
}  // namespace minigrad::kernels

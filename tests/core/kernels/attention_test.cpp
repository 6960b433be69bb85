// Checks core/kernels/attention.h: the tiled flash-attention forward and backward against the
// plain per-row references (sizes that are and are not multiples of the 64-row tiles, causal,
// an additive mask shared or per batch, L != S, E != Ev), a row that keeps no key, and their
// bits at 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/attention.h"
#include "tests/core/kernels/threads.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

template <class T>
std::vector<T> normal_values(int64_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(normal(rng));
  return v;
}

template <class T>
struct Problem {
  AttentionArgs<T> a;
  std::vector<T> q, k, v, g, bias;
  Problem(int64_t batch, int64_t L, int64_t S, int64_t E, int64_t Ev, bool causal, int bias_kind) {
    a.batch = batch, a.L = L, a.S = S, a.E = E, a.Ev = Ev, a.causal = causal;
    a.scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(E)));
    q = normal_values<T>(batch * L * E, 1), k = normal_values<T>(batch * S * E, 2);
    v = normal_values<T>(batch * S * Ev, 3), g = normal_values<T>(batch * L * Ev, 4);
    if (bias_kind > 0) {  // 1: one (L, S) mask for all; 2: one per batch. Some keys removed.
      const int64_t n = bias_kind == 1 ? L * S : batch * L * S;
      bias = normal_values<T>(n, 5);
      for (int64_t i = 0; i < n; i += 7) bias[i] = -INFINITY;
      for (int64_t r = 0; r < n / S; ++r) bias[r * S] = 0;  // key 0 stays for every row
      a.bias = bias.data();
      a.bias_stride = bias_kind == 1 ? 0 : L * S;
    }
  }
  // o, lse, dq, dk, dv from the fast loops (fast = true) or the references.
  std::vector<std::vector<T>> run(bool fast) const {
    std::vector<T> o(q.size() / a.E * a.Ev), lse(a.batch * a.L), dq(q.size()), dk(k.size()), dv(v.size());
    if (fast) {
      attention_forward(a, q.data(), k.data(), v.data(), o.data(), lse.data());
      attention_backward(a, q.data(), k.data(), v.data(), o.data(), lse.data(), g.data(), dq.data(), dk.data(), dv.data());
    } else {
      attention_forward_reference(a, q.data(), k.data(), v.data(), o.data(), lse.data());
      attention_backward_reference(a, q.data(), k.data(), v.data(), o.data(), lse.data(), g.data(), dq.data(),
                                   dk.data(), dv.data());
    }
    return {o, lse, dq, dk, dv};
  }
};

template <class T>
void check_fast_equals_reference(int64_t batch, int64_t L, int64_t S, int64_t E, int64_t Ev, bool causal,
                                 int bias_kind, double tol) {
  SCOPED_TRACE("batch=" + std::to_string(batch) + " L=" + std::to_string(L) + " S=" + std::to_string(S) +
               " E=" + std::to_string(E) + " Ev=" + std::to_string(Ev) + " causal=" + std::to_string(causal) +
               " bias=" + std::to_string(bias_kind));
  Problem<T> p(batch, L, S, E, Ev, causal, bias_kind);
  auto fast = p.run(true), ref = p.run(false);
  const char* names[] = {"o", "lse", "dq", "dk", "dv"};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(testing::all_close(fast[i], ref[i], tol)) << names[i];
}

TEST(AttentionKernelTest, FastEqualsReference) {
  for (bool causal : {false, true})
    for (int bias : {0, 1, 2}) {
      check_fast_equals_reference<double>(2, 70, 130, 16, 8, causal, bias, 1e-12);
      check_fast_equals_reference<float>(2, 70, 130, 16, 8, causal, bias, 2e-5);
      check_fast_equals_reference<double>(3, 5, 3, 4, 6, causal, bias, 1e-12);
      check_fast_equals_reference<double>(1, 129, 64, 8, 8, causal, bias, 1e-12);
    }
}

template <class T>
void check_row_that_keeps_no_key() {
  for (bool fast : {true, false}) {
    SCOPED_TRACE(fast ? "fast" : "reference");
    Problem<T> p(1, 3, 4, 2, 2, false, 1);
    for (int64_t j = 0; j < 4; ++j) p.bias[1 * 4 + j] = -INFINITY;  // query 1 keeps nothing
    auto r = p.run(fast);
    EXPECT_TRUE(std::isnan(r[0][2]) && std::isnan(r[0][3]));           // o row 1
    EXPECT_FALSE(std::isnan(r[0][0]) || std::isnan(r[0][4]));          // rows 0 and 2 are numbers
    EXPECT_EQ(r[1][1], -INFINITY);                                      // lse
    EXPECT_TRUE(std::isnan(r[3][0]) && std::isnan(r[4][0]));           // the NaN reaches dk, dv
  }
}

TEST(AttentionKernelTest, RowThatKeepsNoKeyIsNaN) {
  check_row_that_keeps_no_key<double>();
  check_row_that_keeps_no_key<float>();
}

TEST(AttentionKernelTest, SameBitsAtOneAndTwoThreads) {
  Problem<float> p(4, 200, 200, 32, 32, true, 0);
  std::vector<std::vector<float>> out[2];
  for (int threads : {1, 2}) {
    testing_threads::Scoped scope(threads);
    out[threads - 1] = p.run(true);
  }
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(testing::bitwise_equal(out[1][i], out[0][i])) << "output " << i;
}

}  // namespace
}  // namespace minigrad::kernels

// Checks core/kernels/layer_norm.h: the fast row loops (8-lane sums, threads over rows, the
// weight and bias sums in fixed row blocks) against the plain references, with and without
// weight and bias, and their bits at 1 and 2 threads and at every CPU level.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/layer_norm.h"
#include "tests/core/kernels/levels.h"
#include "tests/core/kernels/threads.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

template <class T>
std::vector<T> normal_values(int64_t n, unsigned seed, double mean = 0.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(mean, 2.0);
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(normal(rng));
  return v;
}

// Forward and backward of both implementations on (rows, C); `affine` picks weight and bias.
template <class T>
void check_against_reference(int64_t rows, int64_t C, bool affine, double tol) {
  SCOPED_TRACE("rows=" + std::to_string(rows) + " C=" + std::to_string(C) + " affine=" + std::to_string(affine));
  auto x = normal_values<T>(rows * C, 1, 3.0), g = normal_values<T>(rows * C, 2);
  auto w = normal_values<T>(C, 3), b = normal_values<T>(C, 4);
  const T* wp = affine ? w.data() : nullptr;
  const T* bp = affine ? b.data() : nullptr;
  std::vector<T> y(x.size()), mean(rows), rstd(rows), y_ref(x.size()), mean_ref(rows), rstd_ref(rows);
  layer_norm(x.data(), wp, bp, y.data(), mean.data(), rstd.data(), rows, C, 1e-5);
  layer_norm_reference(x.data(), wp, bp, y_ref.data(), mean_ref.data(), rstd_ref.data(), rows, C, 1e-5);
  EXPECT_TRUE(testing::all_close(y, y_ref, tol));
  EXPECT_TRUE(testing::all_close(mean, mean_ref, tol));
  EXPECT_TRUE(testing::all_close(rstd, rstd_ref, tol));

  std::vector<T> dx(x.size()), dw(C), db(C), dx_ref(x.size()), dw_ref(C), db_ref(C);
  layer_norm_backward(x.data(), g.data(), wp, mean.data(), rstd.data(), dx.data(), dw.data(), db.data(), rows, C);
  layer_norm_backward_reference(x.data(), g.data(), wp, mean.data(), rstd.data(), dx_ref.data(), dw_ref.data(),
                                db_ref.data(), rows, C);
  EXPECT_TRUE(testing::all_close(dx, dx_ref, tol * 10));
  EXPECT_TRUE(testing::all_close(dw, dw_ref, tol * 10));
  EXPECT_TRUE(testing::all_close(db, db_ref, tol * 10));
}

TEST(LayerNormKernelTest, FastEqualsReference) {
  for (bool affine : {true, false}) {
    check_against_reference<float>(37, 19, affine, 1e-5);
    check_against_reference<double>(37, 19, affine, 1e-12);
    check_against_reference<float>(200, 768, affine, 1e-5);
    check_against_reference<double>(3, 8, affine, 1e-12);
  }
}

TEST(LayerNormKernelTest, NoRowsGivesZeroSums) {
  std::vector<float> dw(3, 7.0f), db(3, 7.0f);
  layer_norm_backward<float>(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, dw.data(), db.data(), 0, 3);
  EXPECT_EQ(dw, std::vector<float>(3, 0.0f));
  EXPECT_EQ(db, std::vector<float>(3, 0.0f));
}

// y, mean, rstd, dx, dw, db of a (300, 509) float problem (enough work that two threads split
// it; C not a multiple of 8 or 16, so the lanes' tails run too).
using Outputs = std::vector<float>[6];
void run_both(Outputs& o) {
  const int64_t rows = 300, C = 509;
  auto x = normal_values<float>(rows * C, 5), g = normal_values<float>(rows * C, 6);
  auto w = normal_values<float>(C, 7), b = normal_values<float>(C, 8);
  for (auto* v : {&o[0], &o[3]}) v->resize(x.size());
  for (auto* v : {&o[1], &o[2]}) v->resize(rows);
  for (auto* v : {&o[4], &o[5]}) v->resize(C);
  layer_norm(x.data(), w.data(), b.data(), o[0].data(), o[1].data(), o[2].data(), rows, C, 1e-5);
  layer_norm_backward(x.data(), g.data(), w.data(), o[1].data(), o[2].data(), o[3].data(), o[4].data(), o[5].data(),
                      rows, C);
}

TEST(LayerNormKernelTest, SameBitsAtOneAndTwoThreads) {
  Outputs out[2];
  for (int threads : {1, 2}) {
    testing_threads::Scoped scope(threads);
    run_both(out[threads - 1]);
  }
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(testing::bitwise_equal(out[1][i], out[0][i])) << "output " << i;
}

// The rows run at the CPU level (core/kernels/layer_norm_rows.h): only adds and multiplies in a
// fixed order, so every level gives the portable level's bits.
TEST(KernelsTestLayerNorm, SameBitsAtEveryCpuLevel) {
  Outputs portable;
  {
    testing_levels::Scoped scope("portable");
    run_both(portable);
  }
  for (const std::string& level : available_cpu_capabilities()) {
    testing_levels::Scoped scope(level);
    Outputs o;
    run_both(o);
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(testing::bitwise_equal(o[i], portable[i])) << level << ", output " << i;
  }
}

}  // namespace
}  // namespace minigrad::kernels

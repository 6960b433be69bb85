// Checks nn/init.cpp against torch.nn.init (tests/fixtures/nn_init.txt, written by
// tools/make_nn_fixtures.py): each initialiser's values at a seed (so its formula and
// its draws from the stream), the gains, the fans, and the layers' initial weights.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;
namespace init = nn::init;

const testing::Fixture& fx() { return testing::Fixture::get("nn_init.txt"); }

// Fills a fresh tensor like fixture record `name` after manual_seed(seed), and compares.
template <class Fill>
void check(const std::string& name, uint64_t seed, Fill fill) {
  SCOPED_TRACE(name);
  Tensor want = fx()["init_" + name];
  manual_seed(seed);
  Tensor t = empty(want.sizes(), want.dtype());
  Tensor out = fill(t);
  EXPECT_TRUE(out.is_same(t));
  EXPECT_TRUE(all_close(t, want, {.atol = 1e-7, .rtol = 1e-6}));
}

TEST(NnInit, EachInitialiserMatchesTorchAtASeed) {
  check("uniform", 0, [](Tensor t) { return init::uniform_(t, -2.0, 3.0); });
  check("normal_small", 123, [](Tensor t) { return init::normal_(t, 0.5, 2.0); });
  check("normal_large", 123, [](Tensor t) { return init::normal_(t, 0.5, 2.0); });
  check("kaiming_uniform_default", 1, [](Tensor t) { return init::kaiming_uniform_(t); });
  check("kaiming_uniform_sqrt5_fan_out", 2,
        [](Tensor t) { return init::kaiming_uniform_(t, std::sqrt(5.0), init::FanMode::FanOut); });
  check("kaiming_uniform_relu_f64", 3, [](Tensor t) {
    return init::kaiming_uniform_(t, 0.0, init::FanMode::FanIn, init::Nonlinearity::ReLU);
  });
  check("kaiming_normal_relu_fan_out", 4, [](Tensor t) {
    return init::kaiming_normal_(t, 0.0, init::FanMode::FanOut, init::Nonlinearity::ReLU);
  });
  check("xavier_uniform_gain2", 5, [](Tensor t) { return init::xavier_uniform_(t, 2.0); });
  check("xavier_uniform_f64", 3000000000ULL, [](Tensor t) { return init::xavier_uniform_(t); });
  check("xavier_normal_3d", 6, [](Tensor t) { return init::xavier_normal_(t); });
}

TEST(NnInit, ConstantsDrawNothing) {
  manual_seed(11);
  Tensor a = rand({3});
  manual_seed(11);
  Tensor t = empty({2, 2});
  init::ones_(t);
  EXPECT_TRUE(all_close(t, ones({2, 2}), 0));
  init::zeros_(t);
  EXPECT_TRUE(all_close(t, zeros({2, 2}), 0));
  init::constant_(t, 2.5);
  EXPECT_TRUE(all_close(t, full({2, 2}, 2.5), 0));
  EXPECT_TRUE(all_close(rand({3}), a, 0));  // the stream did not move
}

TEST(NnInit, WorksOnParametersWithoutRecording) {
  Tensor w = zeros({3, 4}).requires_grad_();
  init::kaiming_uniform_(w, std::sqrt(5.0));  // in place on a leaf that requires grad
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  // a = sqrt(5) gives bound 1 / sqrt(fan_in) = 0.5; every entry drawn, none left at 0.
  const float* p = w.data_ptr<float>();
  for (int i = 0; i < 12; ++i) {
    EXPECT_LT(std::fabs(p[i]), 0.5f);
    EXPECT_NE(p[i], 0.0f);
  }
}

TEST(NnInit, GainsAndFans) {
  Tensor g = fx()["gains"];
  const double* want = g.data_ptr<double>();
  using N = init::Nonlinearity;
  double got[] = {init::calculate_gain(N::Linear),    init::calculate_gain(N::Sigmoid),
                  init::calculate_gain(N::Tanh),      init::calculate_gain(N::ReLU),
                  init::calculate_gain(N::SELU),      init::calculate_gain(N::LeakyReLU),
                  init::calculate_gain(N::LeakyReLU, std::sqrt(5.0))};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(got[i], want[i]) << "gain " << i;
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({5, 4})), (std::pair<int64_t, int64_t>(4, 5)));
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({6, 3, 2, 5})), (std::pair<int64_t, int64_t>(30, 60)));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { init::calculate_fan_in_and_fan_out(empty({7})); },
                                                 {"fewer than 2 dimensions", "[7]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { init::xavier_uniform_(empty({7})); }, {"[7]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { init::normal_(Tensor()); }, {"normal_", "undefined"}));
  // A zero-element tensor is a no-op for kaiming, as torch (which only warns).
  EXPECT_NO_THROW(init::kaiming_uniform_(empty({0, 3})));
}

TEST(NnInit, LayersHoldTorchsInitialWeights) {
  manual_seed(7);  // both layers from one stream: weight, bias, weight, bias
  nn::Linear a(4, 5), b(17, 3);
  EXPECT_TRUE(all_close(a.weight, fx()["linear_4_5_weight"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_TRUE(all_close(a.bias, fx()["linear_4_5_bias"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_TRUE(all_close(b.weight, fx()["linear_17_3_weight"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_TRUE(all_close(b.bias, fx()["linear_17_3_bias"], {.atol = 1e-7, .rtol = 1e-6}));

  // The bonus notebook's Linear(4, 5, bias=False) at seed 123.
  manual_seed(123);
  EXPECT_TRUE(all_close(nn::Linear(4, 5, false).weight, fx()["linear_4_5_nobias_s123_weight"],
                        {.atol = 1e-7, .rtol = 1e-6}));

  manual_seed(0);
  nn::Embedding e(10, 4, {2});
  nn::Embedding f(5, 4, {-1});
  EXPECT_TRUE(all_close(e.weight, fx()["embedding_10_4_pad2"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_TRUE(all_close(f.weight, fx()["embedding_5_4_padm1"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_EQ(*f.padding_idx, 4);

  // The book's chapter 2 table, and the bonus notebook's Embedding(4, 5).
  manual_seed(123);
  EXPECT_TRUE(all_close(nn::Embedding(6, 3).weight, fx()["embedding_6_3_s123"],
                        {.atol = 1e-7, .rtol = 1e-6}));
  manual_seed(123);
  EXPECT_TRUE(all_close(nn::Embedding(4, 5).weight, fx()["embedding_4_5_s123"],
                        {.atol = 1e-7, .rtol = 1e-6}));
}

}  // namespace
}  // namespace minigrad

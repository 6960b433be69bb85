// Checks core/ops/topk.cpp: values and indices of sampled logits against PyTorch 1.13
// (tests/fixtures/sampling.txt, tools/make_sampling_fixtures.py), ties and NaN included, at
// 1 and 2 threads; the gradient by hand and by finite differences; 0-dim inputs; bad k.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/gradcheck.h"
#include "tests/sampling_common.h"

namespace minigrad {
namespace {

using testing::at_one_and_two_threads;
using testing::bitwise_equal;
using testing::kSamplingSeeds;
using testing::sampling_fixture;
using testing::seed_tag;
using testing::throws_with;

enum class Transform { None, Round, Nan };

struct TopkCase {
  const char* tag;
  Shape shape;
  Transform transform;
  int64_t k, dim;
  bool largest, sorted;
};

// The script's make_logits: randn after the seed; Round makes ties (round(2 x), half to
// even as torch.round); Nan puts NaN at every flat index i = 5 mod 97.
template <class T>
void transform_logits(Tensor& x, Transform transform) {
  T* d = x.data_ptr<T>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (transform == Transform::Round) d[i] = std::nearbyint(d[i] * T(2));
    if (transform == Transform::Nan && i % 97 == 5) d[i] = std::numeric_limits<T>::quiet_NaN();
  }
}

TEST(TopkTest, SampledLogitsMatchTorchWithTiesAndNaN) {
  const std::vector<TopkCase> cases = {
      {"v1000_k5", {1000}, Transform::None, 5, -1, true, true},
      {"b4_k50", {4, 1000}, Transform::None, 50, -1, true, true},
      {"b2_k50", {2, 50257}, Transform::None, 50, -1, true, true},
      {"b2_k10_small", {2, 50257}, Transform::None, 10, -1, false, true},
      {"r_k20", {3, 200}, Transform::Round, 20, -1, true, true},
      {"r_k2", {3, 200}, Transform::Round, 2, -1, true, true},
      {"r_k20_uns", {3, 200}, Transform::Round, 20, -1, true, false},
      {"r_k20_small", {3, 200}, Transform::Round, 20, -1, false, true},
      {"r_dim0", {200, 3}, Transform::Round, 7, 0, true, true},
      {"r_mid", {3, 200, 2}, Transform::Round, 9, 1, false, false},
      {"nan_k30", {2, 500}, Transform::Nan, 30, -1, true, true},
      {"nan_k30_small", {2, 500}, Transform::Nan, 30, -1, false, true},
      {"nan_k4_small", {2, 500}, Transform::Nan, 4, -1, false, true},
      {"all", {2, 9}, Transform::Round, 9, -1, true, true},
      {"zero", {2, 9}, Transform::None, 0, 1, true, true},
  };
  at_one_and_two_threads([&] {
    for (DType dtype : {DType::Float32, DType::Float64}) {
      std::string code = dtype == DType::Float32 ? "_f32" : "_f64";
      for (const TopkCase& c : cases) {
        for (uint64_t seed : kSamplingSeeds) {
          manual_seed(seed);
          Tensor x = randn(c.shape, dtype);
          if (dtype == DType::Float32) transform_logits<float>(x, c.transform);
          else transform_logits<double>(x, c.transform);
          auto [values, indices] = x.topk(c.k, c.dim, c.largest, c.sorted);
          std::string name = std::string("topk_") + c.tag + code + seed_tag(seed);
          EXPECT_TRUE(bitwise_equal(values, sampling_fixture()[name + "_values"])) << name;
          EXPECT_TRUE(bitwise_equal(indices, sampling_fixture()[name + "_indices"])) << name;
        }
      }
    }
  });
}

// values = x at the picked indices  =>  dx scatters g back to them, zero elsewhere.
TEST(TopkTest, GradientScattersIntoThePickedPositions) {
  Tensor x = tensor({1.f, 5.f, 3.f, 4.f}).requires_grad_();
  auto [values, indices] = topk(x, 2);
  EXPECT_EQ(values.grad_fn_name(), "TopkBackward0");
  EXPECT_FALSE(indices.requires_grad());
  EXPECT_TRUE(bitwise_equal(values.detach(), tensor({5.f, 4.f})));
  EXPECT_TRUE(bitwise_equal(indices, tensor({1, 3})));
  values.backward(tensor({10.f, 20.f}));
  EXPECT_TRUE(bitwise_equal(x.grad(), tensor({0.f, 10.f, 0.f, 20.f})));
}

TEST(TopkTest, Gradcheck) {
  manual_seed(2);
  Tensor x = randn({3, 6, 4}, DType::Float64).requires_grad_();
  for (auto [k, dim, largest] : {std::tuple{2, 1, true}, std::tuple{3, -1, false}, std::tuple{1, 0, true}}) {
    EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) {
      return std::get<0>(in[0].topk(k, dim, largest));
    }, {x})) << "k=" << k << " dim=" << dim;
  }
}

TEST(TopkTest, ZeroDimAndEmptyInputs) {
  auto [v, i] = scalar_tensor(2.5).topk(1);
  EXPECT_EQ(v.sizes(), Shape{});
  EXPECT_EQ(v.item<float>(), 2.5f);
  EXPECT_EQ(i.item<int64_t>(), 0);
  auto [ev, ei] = zeros({0, 4}).topk(2);
  EXPECT_EQ(ev.sizes(), (Shape{0, 2}));
  EXPECT_EQ(ei.sizes(), (Shape{0, 2}));
}

TEST(TopkTest, BadKDimAndDtypeAreRejected) {
  Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.topk(4); },
                                             {"topk", "k out of range", "k=4", "[2, 3]", "size 3"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.topk(-1); }, {"topk", "k=-1"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.topk(3, 0); }, {"topk", "k=3", "dim 0", "size 2"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.topk(1, 2); }, {"topk", "dimension 2"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([] { scalar_tensor(1.0).topk(2); }, {"topk", "k=2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { topk(tensor({1, 2}), 1); }, {"topk", "torch.int64"}));
}

}  // namespace
}  // namespace minigrad

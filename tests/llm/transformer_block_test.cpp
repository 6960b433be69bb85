// Checks llm/transformer_block.cpp: the block's names in the book's order, a float64
// gradcheck of a whole TransformerBlock, the book's LayerNorm on hand-derived values and
// its GELU equal to the book's formula. Against PyTorch: through the model (gpt_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/transformer_block.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

TEST(TransformerBlock, NamesFollowTheBook) {
  manual_seed(0);
  llm::TransformerBlock block({11, 4, 4, 2, 1, 0.0, false});
  std::vector<std::string> names;
  for (const auto& [n, p] : block.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "att.W_query.weight", "att.W_key.weight", "att.W_value.weight", "att.out_proj.weight",
                       "att.out_proj.bias", "ff.layers.0.weight", "ff.layers.0.bias", "ff.layers.2.weight",
                       "ff.layers.2.bias", "norm1.scale", "norm1.shift", "norm2.scale", "norm2.shift"}));
}

TEST(TransformerBlock, GradcheckInFloat64) {
  manual_seed(1);
  llm::TransformerBlock block({11, 4, 4, 2, 1, 0.0, true});
  block.to(DType::Float64);
  {  // Move scale and shift off 1 and 0, so their gradients are not a special case.
    NoGradGuard no_grad;
    for (auto* norm : {block.norm1.get(), block.norm2.get()}) {
      norm->scale.add_(randn({4}, DType::Float64).mul(0.5));
      norm->shift.add_(randn({4}, DType::Float64).mul(0.5));
    }
  }
  Tensor x = randn({2, 3, 4}, DType::Float64).requires_grad_();
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : block.parameters()) inputs.push_back(p);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return block(in[0]); }, inputs));
}

TEST(BookLayerNorm, NormalisesEachRowThenScalesAndShifts) {
  llm::LayerNorm ln(4);
  EXPECT_TRUE(testing::bitwise_equal(ln.scale, ones({4})));
  EXPECT_TRUE(testing::bitwise_equal(ln.shift, zeros({4})));
  {
    NoGradGuard no_grad;
    ln.scale.fill_(2.0);
    ln.shift.fill_(0.5);
  }
  // Row [1, 2, 3, 4]: mean 2.5, biased variance 1.25, so (x - 2.5) / sqrt(1.25 + 1e-5).
  Tensor y = ln(tensor({1.0f, 2.0f, 3.0f, 4.0f}, {1, 4}));
  const double s = std::sqrt(1.25 + 1e-5);
  Tensor want = tensor({2 * -1.5 / s + 0.5, 2 * -0.5 / s + 0.5, 2 * 0.5 / s + 0.5, 2 * 1.5 / s + 0.5}, {1, 4})
                    .to(DType::Float32);
  EXPECT_TRUE(testing::all_close(y, want));
}

TEST(BookGELU, IsTheTanhFormula) {
  Tensor x = tensor({-3.0, -1.0, -0.1, 0.0, 0.5, 2.0});
  Tensor y = llm::GELU()(x);
  std::vector<double> want;
  const double pi = 3.14159265358979323846;
  for (double v : {-3.0, -1.0, -0.1, 0.0, 0.5, 2.0})
    want.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / pi) * (v + 0.044715 * v * v * v))));
  EXPECT_TRUE(testing::all_close(y, tensor(want)));
}

}  // namespace
}  // namespace minigrad

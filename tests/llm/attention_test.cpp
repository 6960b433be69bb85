// Checks llm/attention.cpp: the module's names and mask buffer, a float64 gradcheck of the
// whole MultiHeadAttention (input and every parameter), the composite path against the
// fused one with dropout off, and the shape errors. Its numbers against PyTorch's are
// checked through the whole model (tests/llm/gpt_test.cpp).
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "core/core.h"
#include "llm/attention.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;

TEST(MultiHeadAttention, HasTheBooksNamesAndAFloatMaskBuffer) {
  manual_seed(0);
  llm::MultiHeadAttention mha(4, 6, 5, 0.1, 3, true);
  EXPECT_EQ(mha.head_dim, 2);
  std::vector<std::string> keys;
  for (const auto& [k, t] : mha.state_dict()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"mask", "W_query.weight", "W_query.bias", "W_key.weight", "W_key.bias",
                                            "W_value.weight", "W_value.bias", "out_proj.weight", "out_proj.bias"}));
  EXPECT_EQ(mha.parameters().size(), 8u);  // the mask is a buffer, not a parameter
  EXPECT_EQ(mha.mask.dtype(), DType::Float32);
  EXPECT_TRUE(testing::bitwise_equal(mha.mask, ones({5, 5}).triu(1)));
}

TEST(MultiHeadAttention, GradcheckInFloat64) {
  manual_seed(1);
  llm::MultiHeadAttention mha(3, 4, 5, 0.0, 2, true);
  mha.to(DType::Float64);
  Tensor x = randn({2, 3, 3}, DType::Float64).requires_grad_();  // 3 of 5 positions: the mask is cropped
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : mha.parameters()) inputs.push_back(p);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return mha(in[0]); }, inputs));
}

TEST(MultiHeadAttention, DropoutOffGivesTheSameInTrainingAndEval) {
  manual_seed(2);
  llm::MultiHeadAttention mha(8, 8, 6, 0.0, 2);
  Tensor x = randn({2, 6, 8});
  Tensor train = mha(x);
  mha.eval();
  EXPECT_TRUE(testing::bitwise_equal(mha(x), train));
}

// With dropout off the module attends through the fused scaled_dot_product_attention; the
// book's composite path (the one dropout uses) must give the same context and gradients.
TEST(MultiHeadAttention, FusedPathEqualsTheBooksComposite) {
  manual_seed(3);
  const int64_t B = 2, H = 3, T = 7, hd = 4;
  Tensor q = randn({B, H, T, hd}).requires_grad_(), k = randn({B, H, T, hd}).requires_grad_();
  Tensor v = randn({B, H, T, hd}).requires_grad_();
  Tensor mask = ones({9, 9}).triu(1);  // the module's buffer: context_length 9, cropped to T
  Tensor g = randn({B, H, T, hd});
  auto run = [&](bool fused) {
    zero_grad({q, k, v});
    Tensor out = fused ? scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true)
                       : llm::causal_attention_composite(q, k, v, mask, 0.0, false);
    (out * g).sum().backward();
    return std::vector<Tensor>{out.detach(), q.grad(), k.grad(), v.grad()};
  };
  std::vector<Tensor> fused = run(true), composite = run(false);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(testing::all_close(fused[i], composite[i], {.atol = 1e-6, .rtol = 1e-5})) << i;
  }
}

TEST(MultiHeadAttention, ShapeErrorsAreNamed) {
  manual_seed(3);
  llm::MultiHeadAttention mha(4, 4, 3, 0.0, 2);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { mha(zeros({3, 4})); },
                                                 {"MultiHeadAttention", "(batch, tokens, d_in)", "[3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { mha(zeros({1, 4, 4})); },
                                                 {"MultiHeadAttention", "[1, 4, 4]", "4 tokens", "context_length 3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { mha(zeros({1, 2, 5})); }, {"[1, 2, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::MultiHeadAttention(4, 6, 3, 0.0, 4); },
                                                 {"MultiHeadAttention", "d_out (6)", "num_heads (4)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::MultiHeadAttention(4, 4, 0, 0.0, 2); },
                                                 {"context_length is 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::MultiHeadAttention(4, 4, 3, 1.0, 2); },
                                                 {"dropout is 1"}));
}

}  // namespace
}  // namespace minigrad

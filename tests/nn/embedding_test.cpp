// Checks nn/embedding.cpp: output shapes for ids of any shape, the lookup itself, the
// padding row (zero, and never updated), repeated ids accumulating their gradients,
// the equivalence with one_hot @ weight, from_pretrained, and every error.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

TEST(NnEmbedding, ShapesForIdsOfAnyShape) {
  manual_seed(1);
  nn::Embedding emb(7, 4);
  EXPECT_EQ(emb.weight.sizes(), (Shape{7, 4}));
  EXPECT_EQ(emb(tensor({3})).sizes(), (Shape{1, 4}));
  EXPECT_EQ(emb(tensor({3, 1, 6})).sizes(), (Shape{3, 4}));
  EXPECT_EQ(emb(tensor({0, 1, 2, 3, 4, 5}, {2, 3})).sizes(), (Shape{2, 3, 4}));
  EXPECT_EQ(emb(tensor({0, 1, 2, 3}, {2, 1, 2})).sizes(), (Shape{2, 1, 2, 4}));
  EXPECT_EQ(emb(scalar_tensor(2, DType::Int64)).sizes(), (Shape{4}));
  EXPECT_EQ(emb(tensor(std::vector<int64_t>{}, {0})).sizes(), (Shape{0, 4}));
  Tensor y = emb(tensor({5, 2}));
  EXPECT_EQ(y.grad_fn_name(), "EmbeddingBackward0");
  for (int j = 0; j < 4; ++j) {
    EXPECT_EQ(y.data_ptr<float>()[j], emb.weight.data_ptr<float>()[5 * 4 + j]);
    EXPECT_EQ(y.data_ptr<float>()[4 + j], emb.weight.data_ptr<float>()[2 * 4 + j]);
  }
}

TEST(NnEmbedding, RepeatedIdsAccumulateAndOnlyLookedUpRowsGetGradient) {
  manual_seed(2);
  nn::Embedding emb(5, 3);
  Tensor ids = tensor({1, 3, 1, 1});
  Tensor g = tensor({1.f, 2.f, 3.f, 10.f, 20.f, 30.f, 100.f, 200.f, 300.f, 0.5f, 0.25f, 0.125f}, {4, 3});
  emb(ids).backward(g);
  Tensor want = tensor({0.f, 0.f, 0.f,                   // row 0: never looked up
                        101.5f, 202.25f, 303.125f,       // row 1: positions 0, 2, 3 summed
                        0.f, 0.f, 0.f,
                        10.f, 20.f, 30.f,                // row 3: position 1
                        0.f, 0.f, 0.f}, {5, 3});
  EXPECT_TRUE(all_close(emb.weight.grad(), want, 0));
}

TEST(NnEmbedding, PaddingRowIsZeroAndGetsNoGradient) {
  manual_seed(3);
  nn::Embedding emb(4, 3, {2});
  ASSERT_TRUE(emb.padding_idx.has_value());
  for (int j = 0; j < 3; ++j) EXPECT_EQ(emb.weight.data_ptr<float>()[2 * 3 + j], 0.0f);
  emb(tensor({2, 0, 2})).sum().backward();
  Tensor want = tensor({1.f, 1.f, 1.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}, {4, 3});
  EXPECT_TRUE(all_close(emb.weight.grad(), want, 0));
  // A negative padding_idx counts from the end, as torch's.
  nn::Embedding last(4, 3, {-1});
  EXPECT_EQ(*last.padding_idx, 3);
}

TEST(NnEmbedding, EqualsOneHotTimesWeightWithGradients) {
  manual_seed(4);
  nn::Embedding emb(6, 3);
  Tensor w2 = emb.weight.detach().clone().requires_grad_();
  Tensor ids = tensor({4, 0, 4, 5});
  Tensor g = randn({4, 3});
  Tensor y = emb(ids);
  Tensor y2 = nn::functional::one_hot(ids, 6).to(DType::Float32).matmul(w2);
  EXPECT_TRUE(all_close(y, y2, 0));
  y.backward(g);
  y2.backward(g);
  EXPECT_TRUE(all_close(emb.weight.grad(), w2.grad(), {.atol = 1e-6, .rtol = 1e-6}));
}

TEST(NnEmbedding, FromPretrained) {
  Tensor vectors = tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {3, 2});
  manual_seed(5);
  Tensor before = rand({2});
  manual_seed(5);
  auto frozen = nn::Embedding::from_pretrained(vectors);
  EXPECT_TRUE(all_close(rand({2}), before, 0));  // no draws, as torch's from_pretrained
  EXPECT_FALSE(frozen.weight.requires_grad());
  EXPECT_EQ(frozen.num_embeddings, 3);
  EXPECT_EQ(frozen.embedding_dim, 2);
  EXPECT_TRUE(all_close(frozen(tensor({2})), tensor({5.f, 6.f}, {1, 2}), 0));
  auto trainable = nn::Embedding::from_pretrained(vectors, false);
  EXPECT_TRUE(trainable.weight.requires_grad());
  EXPECT_EQ(trainable.parameters().size(), 1u);
}

TEST(NnEmbedding, Errors) {
  nn::Embedding emb(6, 3);
  // A bad id names itself, its position and the table size.
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { emb(tensor({1, 7, 2})); },
                                             {"index 7", "position 1", "6 rows"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { emb(tensor({0, 0, 0, -1}, {2, 2})); },
                                             {"index -1", "position 3", "6 rows"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { emb(tensor({6})); }, {"index 6", "6 rows"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { emb(tensor({1.f, 2.f})); }, {"torch.int64", "torch.float32"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Embedding(-1, 3); }, {"-1", "non-negative"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Embedding(4, -2); }, {"-2", "non-negative"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Embedding(4, 2, {4}); }, {"embedding", "padding_idx 4", "4 rows", "-4..3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Embedding(4, 2, {-5}); }, {"padding_idx -5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { nn::Embedding::from_pretrained(zeros({3})); }, {"2-D", "[3]"}));
}

}  // namespace
}  // namespace minigrad

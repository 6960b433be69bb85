// Checks nn/module.cpp: registration order, dotted names and tensor labels, de-duplication
// of tied weights, zero_grad both ways, train/eval recursion, and the registration errors.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;

// A two-layer model built the way a user builds one.
struct Bigram : nn::Module {
  Bigram() {
    emb = register_module("emb", std::make_shared<nn::Embedding>(5, 3));
    head = register_module("head", std::make_shared<nn::Linear>(3, 5));
    scale = register_parameter("scale", ones({1}));
  }
  Tensor forward(const Tensor& ids) override { return head->forward(emb->forward(ids)) * scale; }
  std::shared_ptr<nn::Embedding> emb;
  std::shared_ptr<nn::Linear> head;
  Tensor scale;
};

// torch's order: a module's own parameters first, then each child's, children in
// registration order (torch lists Bigram's as scale, emb.weight, head.weight, head.bias).
TEST(NnModule, ParametersInTorchsOrderWithDottedNames) {
  Bigram m;
  auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "scale");
  EXPECT_EQ(named[1].first, "emb.weight");
  EXPECT_EQ(named[2].first, "head.weight");
  EXPECT_EQ(named[3].first, "head.bias");
  EXPECT_TRUE(named[1].second.is_same(m.emb->weight));
  EXPECT_TRUE(named[3].second.is_same(m.head->bias));
  // Each tensor's label is its path, for printing and graph export.
  EXPECT_EQ(m.emb->weight.name(), "emb.weight");
  EXPECT_EQ(m.head->bias.name(), "head.bias");
  EXPECT_EQ(m.scale.name(), "scale");
  auto params = m.parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_TRUE(params[2].is_same(m.head->weight));
  for (const Tensor& p : params) EXPECT_TRUE(p.requires_grad());
  // Without recursion only the module's own.
  ASSERT_EQ(m.parameters(false).size(), 1u);
  EXPECT_EQ(m.named_children().size(), 2u);
}

TEST(NnModule, NestingTwiceRelabelsWithTheFullPath) {
  nn::Module outer;
  auto inner = std::make_shared<Bigram>();
  outer.register_module("model", inner);
  auto named = outer.named_parameters();
  EXPECT_EQ(named[0].first, "model.scale");
  EXPECT_EQ(named[1].first, "model.emb.weight");
  EXPECT_EQ(inner->emb->weight.name(), "model.emb.weight");
}

TEST(NnModule, TiedWeightsAreListedOnce) {
  nn::Module m;
  auto a = m.register_module("a", std::make_shared<nn::Linear>(3, 3, false));
  auto b = m.register_module("b", std::make_shared<nn::Linear>(3, 3, false));
  b->weight = b->register_parameter("weight", a->weight);  // tie b to a, as GPT ties wte and lm_head
  auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].first, "a.weight");
}

TEST(NnModule, RegisteringAnExistingNameReplacesInPlace) {
  nn::Linear lin(2, 3);
  Tensor w = zeros({3, 2});
  lin.weight = lin.register_parameter("weight", w);
  auto named = lin.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");  // kept its place before bias
  EXPECT_TRUE(named[0].second.is_same(w));
  EXPECT_TRUE(w.requires_grad());
}

TEST(NnModule, ZeroGradDropsOrZeroes) {
  manual_seed(0);
  Bigram m;
  Tensor loss = m(tensor({1, 2})).sum();
  loss.backward();
  for (const Tensor& p : m.parameters()) ASSERT_TRUE(p.grad().defined());
  m.zero_grad(false);
  for (const Tensor& p : m.parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_EQ(p.grad().sum().item<float>(), 0.0f);
    EXPECT_EQ(p.grad().pow(2).sum().item<float>(), 0.0f);
  }
  m.zero_grad();
  for (const Tensor& p : m.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(NnModule, TrainAndEvalReachEverySubmodule) {
  Bigram m;
  EXPECT_TRUE(m.is_training());
  m.eval();
  EXPECT_FALSE(m.is_training());
  EXPECT_FALSE(m.emb->is_training());
  EXPECT_FALSE(m.head->is_training());
  m.train();
  EXPECT_TRUE(m.head->is_training());
}

TEST(NnModule, OperatorCallsForward) {
  manual_seed(3);
  nn::Linear lin(4, 2);
  Tensor x = randn({3, 4});
  EXPECT_TRUE(testing::all_close(lin(x), lin.forward(x), 0));
  nn::Module bare;
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { bare(x); }, {"no forward"}));
}

TEST(NnModule, RegistrationErrors) {
  nn::Module m;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("", zeros({1})); }, {"empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("a.b", zeros({1})); }, {"a.b", "'.'"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("ids", tensor({1, 2})); },
                                                 {"ids", "torch.int64"}));
  Tensor leaf = ones({2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("w", leaf * 2.0); },
                                                 {"w", "MulBackward0", "leaf"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { m.register_module("sub", std::shared_ptr<nn::Linear>()); }, {"sub", "null"}));
  m.register_parameter("w", zeros({1}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { m.register_module("w", std::make_shared<nn::Linear>(1, 1)); }, {"w", "parameter"}));
}

}  // namespace
}  // namespace minigrad

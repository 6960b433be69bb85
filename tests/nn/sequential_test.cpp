// Checks nn/sequential.h: forward chains the modules in order (and an empty one is the
// identity), its constructors, names "0", "1", ..., initial draws in torch's order when built
// from a braced list, and its index error.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

TEST(NnSequential, ForwardChainsInOrder) {
  manual_seed(1);
  auto a = std::make_shared<nn::Linear>(3, 4);
  auto b = std::make_shared<nn::Linear>(4, 2);
  nn::Sequential seq{a, std::make_shared<nn::GELU>(), b};
  Tensor x = randn({5, 3});
  EXPECT_TRUE(testing::bitwise_equal(seq(x), b->forward(gelu(a->forward(x)))));
  EXPECT_EQ(seq.size(), 3);
  EXPECT_EQ(seq.named_parameters()[2].first, "2.weight");
  EXPECT_EQ(b->weight.name(), "2.weight");
  EXPECT_TRUE(nn::Sequential()(x).is_same(x));
  // The other ways to build one give the same chain.
  nn::Sequential listed(std::vector<std::shared_ptr<nn::Module>>{a, std::make_shared<nn::GELU>(), b});
  nn::Sequential pushed;
  pushed.push_back(a);
  pushed.push_back(std::make_shared<nn::GELU>());
  pushed.push_back(b);
  EXPECT_TRUE(testing::bitwise_equal(listed(x), seq(x)));
  EXPECT_TRUE(testing::bitwise_equal(pushed(x), seq(x)));
}

// torch.manual_seed(123); nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2)) draws the first
// Linear's weights first; a braced list builds its elements left to right, so it does too.
TEST(NnSequential, BracedListDrawsInTorchsOrder) {
  manual_seed(123);
  nn::Linear first(3, 4);
  nn::Linear second(4, 2);
  manual_seed(123);
  nn::Sequential seq{std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::Linear>(4, 2)};
  EXPECT_TRUE(testing::bitwise_equal(seq.at<nn::Linear>(0)->weight, first.weight));
  EXPECT_TRUE(testing::bitwise_equal(seq.at<nn::Linear>(1)->bias, second.bias));
}

TEST(NnSequential, IndexOutOfRange) {
  nn::Sequential seq{std::make_shared<nn::ReLU>(), std::make_shared<nn::ReLU>()};
  EXPECT_TRUE(testing::throws_with<std::out_of_range>([&] { seq[2]; },
                                                      {"Sequential", "index 2", "2 modules", "-2 to 1"}));
  EXPECT_TRUE(testing::throws_with<std::out_of_range>([&] { seq.at<nn::ReLU>(-3); }, {"Sequential", "index -3"}));
}

}  // namespace
}  // namespace minigrad

// Checks nn/module_list.cpp: positional names, push_back, indexing from either end, typed
// at<>, iteration in order, and the errors (index out of range, wrong type, no forward).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;

TEST(NnModuleList, NamesByPositionAndIndexesBothWays) {
  nn::ModuleList list{std::make_shared<nn::Linear>(2, 3), std::make_shared<nn::ReLU>()};
  auto lin = list.push_back(std::make_shared<nn::Linear>(3, 1, false));
  EXPECT_EQ(list.size(), 3);
  EXPECT_FALSE(list.empty());
  EXPECT_TRUE(list[2] == lin);
  EXPECT_TRUE(list[-1] == lin);
  EXPECT_EQ(list[-3]->name(), "Linear");
  EXPECT_TRUE(list.at<nn::Linear>(2)->weight.is_same(lin->weight));
  auto named = list.named_parameters();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].first, "0.weight");
  EXPECT_EQ(named[1].first, "0.bias");
  EXPECT_EQ(named[2].first, "2.weight");
  int i = 0;
  for (const auto& m : list) EXPECT_TRUE(m == list[i++]);
  EXPECT_EQ(i, 3);
  EXPECT_TRUE(nn::ModuleList().empty());
}

TEST(NnModuleList, Errors) {
  nn::ModuleList list{std::make_shared<nn::ReLU>()};
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { list[1]; }, {"ModuleList", "index 1", "1 modules", "-1 to 0"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { list[-2]; }, {"index -2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { list.at<nn::Linear>(0); }, {"ModuleList", "module 0", "ReLU"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { list.push_back(std::shared_ptr<nn::Linear>()); },
                                                 {"\"1\"", "null"}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { list(ones({1})); }, {"ModuleList", "no forward"}));
}

}  // namespace
}  // namespace minigrad

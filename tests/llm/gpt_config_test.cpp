// Checks llm/gpt_config.cpp: GPT_CONFIG_124M is the book's dictionary, and each kind of bad
// field is refused with its name and value.
#include <gtest/gtest.h>

#include <stdexcept>

#include "llm/gpt_config.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using llm::GPTConfig;
using testing::throws_with;

TEST(GPTConfig, The124MConfigIsTheBooks) {
  constexpr GPTConfig c = llm::GPT_CONFIG_124M;
  EXPECT_EQ(c.vocab_size, 50257);
  EXPECT_EQ(c.context_length, 1024);
  EXPECT_EQ(c.emb_dim, 768);
  EXPECT_EQ(c.n_heads, 12);
  EXPECT_EQ(c.n_layers, 12);
  EXPECT_EQ(c.drop_rate, 0.1);
  EXPECT_FALSE(c.qkv_bias);
  EXPECT_NO_THROW(c.validate());
}

TEST(GPTConfig, BadFieldsAreNamedWithTheirValues) {
  GPTConfig c = llm::GPT_CONFIG_124M;
  c.n_heads = 5;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { c.validate(); }, {"GPTConfig", "emb_dim (768)", "n_heads (5)"}));
  c = llm::GPT_CONFIG_124M;
  c.vocab_size = 0;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { c.validate(); }, {"vocab_size is 0", "positive"}));
  c = llm::GPT_CONFIG_124M;
  c.n_layers = -2;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { c.validate(); }, {"n_layers is -2"}));
  c = llm::GPT_CONFIG_124M;
  c.n_heads = 0;  // the size check comes first: no division by zero
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { c.validate(); }, {"n_heads is 0"}));
  c = llm::GPT_CONFIG_124M;
  c.drop_rate = 1.0;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { c.validate(); }, {"drop_rate is 1", "[0, 1)"}));
  c.drop_rate = -0.5;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { c.validate(); }, {"drop_rate is -0.5"}));
}

}  // namespace
}  // namespace minigrad

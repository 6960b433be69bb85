// Checks llm/generate.cpp against the book's chapter 5 generate in PyTorch (tests/fixtures/
// generate.txt, written by tools/make_generate_fixtures.py): greedy, temperature, top-k and
// eos runs give PyTorch's ids exactly and consume as many draws; the argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/llm.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::Fixture;
using testing::throws_with;

// tools/make_generate_fixtures.py's MODEL_SEED and CONFIG.
constexpr uint64_t kModelSeed = 7;
constexpr llm::GPTConfig kConfig{50, 8, 16, 2, 2, 0.1, false};

// tools/make_generate_fixtures.py's CASES; has_eos: the fixture holds tag.eos_id.
struct GenerateCase {
  std::string tag;
  int64_t max_new_tokens;
  int64_t context_size;
  double temperature;
  std::optional<int64_t> top_k;
  bool has_eos;
  uint64_t seed;
};
void PrintTo(const GenerateCase& c, std::ostream* os) { *os << c.tag; }

const std::vector<GenerateCase> kCases = {
    {"greedy", 10, 8, 0.0, {}, false, 1},
    {"greedy_top3", 10, 8, 0.0, 3, false, 1},
    {"greedy_ctx5", 9, 5, 0.0, {}, false, 1},
    {"t1_top5_s123", 12, 8, 1.0, 5, false, 123},
    {"t1.4_top25_s0", 12, 8, 1.4, 25, false, 0},
    {"t0.7_s42", 12, 8, 0.7, {}, false, 42},
    {"t2_topvocab_s9", 12, 8, 2.0, 50, false, 9},
    {"t1_top1_s3", 6, 8, 1.0, 1, false, 3},
    {"t0.3_top10_s77", 12, 6, 0.3, 10, false, 77},
    {"batch3_t1.1_top10_s5", 8, 8, 1.1, 10, false, 5},
    {"eos_t1_top5_s123", 12, 8, 1.0, 5, true, 123},
    {"eos_greedy", 10, 8, 0.0, {}, true, 1},
    {"eos_absent_t1_s11", 8, 8, 1.0, {}, true, 11},
};

// The fixture's model: built right after manual_seed(7), as the script builds it; eval mode.
std::unique_ptr<llm::GPTModel> fixture_model() {
  manual_seed(kModelSeed);
  auto model = std::make_unique<llm::GPTModel>(kConfig);
  model->eval();
  return model;
}

class GenerateTest : public ::testing::TestWithParam<GenerateCase> {};

TEST_P(GenerateTest, GivesTorchsIdsAfterTheSameSeed) {
  const GenerateCase& c = GetParam();
  const Fixture& f = Fixture::get("generate.txt");
  auto model = fixture_model();
  std::optional<int64_t> eos_id;
  if (c.has_eos) eos_id = f[c.tag + ".eos_id"].item<int64_t>();
  manual_seed(c.seed);
  Tensor out = llm::generate(*model, f[c.tag + ".prompt"], c.max_new_tokens, c.context_size, c.temperature,
                             c.top_k, eos_id);
  EXPECT_TRUE(testing::bitwise_equal(out, f[c.tag + ".out"])) << out << "\nexpected\n" << f[c.tag + ".out"];
  // As many draws as torch's: the next numbers of the stream agree.
  EXPECT_TRUE(testing::bitwise_equal(rand({3}), f[c.tag + ".rand_after"]));
  EXPECT_FALSE(out.requires_grad());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GenerateTest, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string name = info.param.tag;
  for (char& ch : name)
    if (ch == '.') ch = '_';
  return name;
});

TEST(Generate, TheEosCasesStopWhereTheyShould) {
  // The fixture's own consistency: a picked eos id stops the run early, an absent one never.
  const Fixture& f = Fixture::get("generate.txt");
  EXPECT_EQ(f["eos_t1_top5_s123.out"].size(1), 3 + 3);  // tools/make_generate_fixtures.py's EOS_STEP = 3
  EXPECT_EQ(f["eos_greedy.out"].size(1), 3 + 3);
  EXPECT_EQ(f["eos_absent_t1_s11.out"].size(1), 3 + 8);
}

TEST(Generate, GreedyIsGenerateTextSimple) {
  auto model = fixture_model();
  Tensor prompt = tensor({3, 1, 4, 1, 5, 9}, {2, 3});
  Tensor ours = llm::generate(*model, prompt, 7, 5);
  EXPECT_TRUE(testing::bitwise_equal(ours, llm::generate_text_simple(*model, prompt, 7, 5)));
}

TEST(Generate, ZeroNewTokensReturnsThePromptAndDrawsNothing) {
  auto model = fixture_model();
  Tensor prompt = tensor({3, 1, 4}, {1, 3});
  manual_seed(5);
  Tensor out = llm::generate(*model, prompt, 0, 8, 1.0, 5);
  EXPECT_TRUE(testing::bitwise_equal(out, prompt));
  Tensor next = rand({2});
  manual_seed(5);
  EXPECT_TRUE(testing::bitwise_equal(next, rand({2})));
}

TEST(Generate, BadArgumentsAreNamedWithTheirValues) {
  auto model = fixture_model();
  llm::GPTModel& m = *model;
  Tensor prompt = tensor({3, 1, 4}, {1, 3});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, -1, 8); },
                                                 {"generate", "max_new_tokens", ">= 0", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, 4, 0); },
                                                 {"generate", "context_size", "[1, context_length = 8]", "got 0"}));
  // Past the model's context: the book's loop would fail only once idx outgrew context_length.
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, 4, 9); },
                                                 {"generate", "context_size", "[1, context_length = 8]", "got 9"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, 4, 8, -0.5); },
                                                 {"generate", "temperature", ">= 0", "-0.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { llm::generate(m, prompt, 4, 8, std::numeric_limits<double>::quiet_NaN()); },
      {"generate", "temperature", "nan"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, 4, 8, 1.0, 0); },
                                                 {"generate", "top_k", "[1, vocab_size = 50]", "got 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, 4, 8, 1.0, 51); },
                                                 {"generate", "top_k", "got 51"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::generate(m, prompt, 4, 8, 1.0, -3); },
                                                 {"top_k", "got -3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { llm::generate(m, tensor({3, 1, 4, 1}, {2, 2}), 4, 8, 1.0, {}, 7); },
      {"generate", "eos_id = 7", "batch of one", "[2, 2]"}));
  // Bad ids are the model's to name, as in generate_text_simple.
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { llm::generate(m, tensor({3, 50}, {1, 2}), 1, 8); },
                                             {"GPTModel", "token id 50"}));
  // An error draws nothing: the stream is where it was.
  manual_seed(9);
  EXPECT_THROW(llm::generate(m, prompt, 4, 8, 1.0, 0), std::invalid_argument);
  Tensor after = rand({2});
  manual_seed(9);
  EXPECT_TRUE(testing::bitwise_equal(after, rand({2})));
}

}  // namespace
}  // namespace minigrad

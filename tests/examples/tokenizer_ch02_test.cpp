// Runs examples/tokenizer_ch02 and checks what it promises: the book's ids, the vocabulary
// size, GPL-3's tokens 50..54 as section 2.6's window, the first merges --train learns, and
// status 2 on bad flags. Part of minigrad_llm_tests because it needs GPT-2's vocabulary.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/examples/run_example.h"
#include "tests/paths.h"

namespace {

using Result = minigrad::testing::ProgramResult;

std::string example_path() { return minigrad::testing::example_path("tokenizer_ch02"); }

Result run(const std::string& args) {
  return minigrad::testing::run_example("tokenizer_ch02", std::string("--vocab ") + MINIGRAD_GPT2_VOCAB_DIR + " " + args);
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST(TokenizerCh02Example, PrintsTheBooksCells) {
  if (!std::filesystem::exists(example_path())) GTEST_SKIP() << "tokenizer_ch02 is not built";
  Result r = run("");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.substr(0, r.out.find("vocabulary size")),
            "[15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 286, 262, 20562, 13]\n"
            "Hello, do you like tea? <|endoftext|> In the sunlit terraces of the palace.\n"
            "[33901, 86, 343, 86, 220, 959]\n"
            "33901 -> 'Ak'\n86 -> 'w'\n343 -> 'ir'\n86 -> 'w'\n220 -> ' '\n959 -> 'ier'\n");
  EXPECT_TRUE(contains(r.out, "vocabulary size: 50257\n")) << r.out;
  // GPL-3's tokens 50..54 (tests/fixtures/tokenizer.txt, from tiktoken): " 29", " June", " 2007", "\n\n", " Copyright".
  EXPECT_TRUE(contains(r.out, "35149 bytes, 8075 tokens\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "x: [2808, 2795, 4343, 628]\ny:      [2795, 4343, 628, 15069]\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "[2808, 2795, 4343, 628] ----> 15069\n")) << r.out;
  EXPECT_TRUE(contains(r.out, " 29 June ---->  2007\n")) << r.out;
}

TEST(TokenizerCh02Example, TrainShowsTheFirstMerges) {
  if (!std::filesystem::exists(example_path())) GTEST_SKIP() << "tokenizer_ch02 is not built";
  Result r = run("--train 3");
  ASSERT_EQ(r.status, 0) << r.out;
  // Every space before a 't' starts a piece " t...", so the first count is the number of
  // " t" in the GPL text: python3 -c "print(open('/usr/share/common-licenses/GPL-3').read().count(' t'))"
  // gives 748, and 566 for " a".
  EXPECT_TRUE(contains(r.out, "merge 0: ' ' + 't' -> ' t'  (id 256, 748 times)\n"
                              "merge 1: ' ' + 'a' -> ' a'  (id 257, 566 times)\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "learned 3 merges")) << r.out;
}

TEST(TokenizerCh02Example, RejectsBadFlags) {
  if (!std::filesystem::exists(example_path())) GTEST_SKIP() << "tokenizer_ch02 is not built";
  EXPECT_EQ(run("--train").status, 2);
  EXPECT_EQ(run("--train -4").status, 2);
  EXPECT_EQ(run("--frobnicate 1").status, 2);
  EXPECT_EQ(run("--text /no/such/file").status, 2);
}

}  // namespace

// docs/tutorial/04-training.md's train_gpt outputs equal a fresh run (the markers: see
// tests/docs/tutorial_test.cpp). Here, in minigrad_llm_tests, because train_gpt reads GPT-2's
// vocabulary (build/gpt2_vocab, where it looks by default and the setup test puts it).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/docs/tutorial_blocks.h"

namespace {

TEST(TrainingTutorialTest, TrainGptOutputsMatchAFreshRun) {
  if (!std::filesystem::exists(MINIGRAD_EXAMPLES_DIR)) GTEST_SKIP() << "examples were not built";
  EXPECT_GE(minigrad::testing::check_blocks(minigrad::testing::needs_gpt2_vocab), 1);
}

}  // namespace

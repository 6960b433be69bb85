// The docs' generated blocks equal a fresh run: every C++ snippet is still the code in
// its file (an example, or a test under tests/docs/), and every output block is what
// the example prints now. Markers in docs/**/*.md (the tutorial, docs/architecture.md):
//   <!-- snippet FILE NAME -->   the lines between `// [snippet NAME]` and `// [end NAME]`
//   <!-- output PROGRAM ARGS --> what build/examples/PROGRAM ARGS prints
// tools/update_tutorial.py rewrites the blocks; this test only reads them. train_gpt's
// outputs need GPT-2's vocabulary: tests/docs/training_tutorial_test.cpp checks those.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/docs/tutorial_blocks.h"

namespace {

TEST(TutorialTest, GeneratedBlocksMatchAFreshRun) {
  if (!std::filesystem::exists(MINIGRAD_EXAMPLES_DIR)) GTEST_SKIP() << "examples were not built";
  int blocks = minigrad::testing::check_blocks(
      [](const std::string& kind, const std::string& args) { return !minigrad::testing::needs_gpt2_vocab(kind, args); });
  EXPECT_GT(blocks, 5);
}

}  // namespace

// Runs examples/gpt_ch04 on the reduced configuration and checks that it prints, character
// for character, what the book's PyTorch code prints for it (tests/fixtures/gpt_ch04_small.txt,
// written by tools/make_gpt_fixtures.py through tools/gpt_book.py); bad flags give status 2.
// The full GPT_CONFIG_124M run, `gpt_ch04 --check`, is a ctest test of its own (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/examples/run_example.h"
#include "tests/paths.h"

namespace {

using minigrad::testing::ProgramResult;

std::string example_path() { return minigrad::testing::example_path("gpt_ch04"); }
ProgramResult run(const std::string& args) { return minigrad::testing::run_example("gpt_ch04", args); }

TEST(GptCh04Example, SmallConfigPrintsWhatTorchPrints) {
  if (!std::filesystem::exists(example_path())) GTEST_SKIP() << "gpt_ch04 is not built";
  std::ifstream in(std::string(MINIGRAD_FIXTURE_DIR) + "/gpt_ch04_small.txt");
  std::stringstream want;
  want << in.rdbuf();
  ASSERT_FALSE(want.str().empty());
  ProgramResult r = run("--config small");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, want.str());
}

TEST(GptCh04Example, RejectsBadFlags) {
  if (!std::filesystem::exists(example_path())) GTEST_SKIP() << "gpt_ch04 is not built";
  EXPECT_EQ(run("--config tiny").status, 2);
  EXPECT_EQ(run("--config").status, 2);
  EXPECT_EQ(run("--no-such-flag").status, 2);
  EXPECT_EQ(run("--check --config small").status, 2);  // --check knows the book's 124M numbers only
}

}  // namespace

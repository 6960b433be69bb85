// Runs examples/gpt_ch04 on the reduced configuration and checks that it prints, character
// for character, what the book's PyTorch code prints for it (tests/fixtures/gpt_ch04_small.txt,
// written by tools/make_gpt_fixtures.py through tools/gpt_book.py); bad flags give status 2.
// The full GPT_CONFIG_124M run, `gpt_ch04 --check`, is a ctest test of its own (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Result {
  int status = -1;
  std::string out;
};

std::string example_path() { return std::string(MINIGRAD_EXAMPLES_DIR) + "/gpt_ch04"; }

Result run(const std::string& args) {
  Result r;
  std::string command = "\"";  // appended piece by piece: GCC 12 warns (-Wrestrict) on "\"" + string
  command += example_path();
  command += "\" ";
  command += args;
  command += " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) r.out.append(buf, n);
  int st = pclose(pipe);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(GptCh04Example, SmallConfigPrintsWhatTorchPrints) {
  if (!std::filesystem::exists(example_path())) GTEST_SKIP() << "gpt_ch04 is not built";
  std::ifstream in(std::string(MINIGRAD_FIXTURE_DIR) + "/gpt_ch04_small.txt");
  std::stringstream want;
  want << in.rdbuf();
  ASSERT_FALSE(want.str().empty());
  Result r = run("--config small");
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

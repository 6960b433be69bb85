// Runs examples/attention_ch03 and checks what it promises: its stdout is, line for line,
// what PyTorch 1.13 prints for the book's chapter 3 cells (tests/fixtures/attention_ch03.txt,
// written by tools/make_attention_ch03_expected.py), every line, down to 3.3.1's last bit
// (torch's float32 sum order: core/kernels/reduce.h); --section prints one section's lines
// of it; --svg writes a well-formed heat map of 3.5.1's 6x6 causal weights, which is the
// picture committed in docs/tutorial/; bad flags give status 2. Skipped if the example was
// not built.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/examples/run_example.h"
#include "tests/paths.h"

namespace {

using minigrad::testing::example_path;
using minigrad::testing::run_example;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream ss(text);
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> torch_lines() {
  return lines_of(read_file(fs::path(MINIGRAD_FIXTURE_DIR) / "attention_ch03.txt"));
}

int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// Well-formed enough for a browser: every tag closes, in order, and attribute quotes pair up.
::testing::AssertionResult well_formed(const std::string& xml) {
  std::vector<std::string> open;
  for (size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
    size_t end = xml.find('>', at);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "a tag at byte " << at << " never ends";
    std::string tag = xml.substr(at + 1, end - at - 1);
    if (count(tag, "\"") % 2 != 0) return ::testing::AssertionFailure() << "unpaired quote in <" << tag << ">";
    if (tag.back() == '/') continue;  // <stop .../>
    std::string name = tag.substr(tag[0] == '/', tag.find_first_of(" \n") - (tag[0] == '/'));
    if (tag[0] != '/') {
      open.push_back(name);
    } else if (open.empty() || open.back() != name) {
      return ::testing::AssertionFailure() << "</" << name << "> closes <" << (open.empty() ? "" : open.back()) << ">";
    } else {
      open.pop_back();
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> is never closed";
  return ::testing::AssertionSuccess();
}

TEST(AttentionCh03Example, PrintsWhatTorchPrints) {
  if (!fs::exists(example_path("attention_ch03"))) GTEST_SKIP() << "attention_ch03 is not built";
  auto r = run_example("attention_ch03", "");
  ASSERT_EQ(r.status, 0) << r.out;
  std::vector<std::string> have = lines_of(r.out), want = torch_lines();
  ASSERT_GT(want.size(), 150u);
  for (size_t i = 0; i < std::min(have.size(), want.size()); ++i)
    ASSERT_EQ(have[i], want[i]) << "line " << i + 1 << " differs from torch's (tests/fixtures/attention_ch03.txt)";
  EXPECT_EQ(have.size(), want.size());
  // And, independently of the fixture, a few lines the book's notebook itself prints
  // (ch03.ipynb; tools/make_attention_ch03_expected.py checks more of them against torch).
  for (const char* book : {"tensor([0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865])",  // 3.3.1 attn_scores_2
                           "Sum: tensor(1.0000)",                                       // 3.3.1, one bit above 1
                           "tensor([0.4419, 0.6515, 0.5683])",                          // 3.3.1 context_vec_2
                           "tensor([0.4306, 1.4551])",                                  // 3.4.1 query_2
                           "tensor([0.3061, 0.8210])",                                  // 3.4.1 context_vec_2
                           "        [0.5517, 0.4483, 0.0000, 0.0000, 0.0000, 0.0000],",  // 3.5.1 causal weights
                           "tensor([[2., 2., 0., 2., 2., 0.],",                         // 3.5.2 dropout mask
                           "         [0.2575, 0.4028]]], grad_fn=<ViewBackward0>)"})     // 3.6.2 MultiHeadAttention
    EXPECT_NE(std::find(have.begin(), have.end(), book), have.end()) << book;
}

TEST(AttentionCh03Example, SectionPrintsOnlyItsLines) {
  if (!fs::exists(example_path("attention_ch03"))) GTEST_SKIP() << "attention_ch03 is not built";
  // Section 3.5.2's lines of torch's printout: after its heading, up to the next one. They
  // come after every earlier cell has drawn from the stream, so they also show that the other
  // sections still ran.
  std::vector<std::string> want, all = torch_lines();
  auto at = std::find(all.begin(), all.end(), "== 3.5.2 Masking additional attention weights with dropout");
  ASSERT_NE(at, all.end());
  for (++at; at != all.end() && at->rfind("== ", 0) != 0; ++at) want.push_back(*at);
  auto r = run_example("attention_ch03", "--section 3.5.2");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(lines_of(r.out), want);
}

TEST(AttentionCh03Example, SvgIsAHeatMapOfTheCausalWeights) {
  if (!fs::exists(example_path("attention_ch03"))) GTEST_SKIP() << "attention_ch03 is not built";
  fs::path file = fs::temp_directory_path() / ("attention_ch03_test_" + std::to_string(::getpid()) + ".svg");
  auto r = run_example("attention_ch03", "--section 3.5.1 --svg \"" + file.string() + "\"");
  ASSERT_EQ(r.status, 0);
  std::string svg = read_file(file);
  fs::remove(file);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_EQ(count(svg, "<rect class=\"cell\""), 36);   // 6 x 6
  EXPECT_EQ(count(svg, "<text class=\"value\""), 21);  // the weights on and below the diagonal
  EXPECT_EQ(count(svg, ": masked</title>"), 15);       // the future tokens above it
  EXPECT_EQ(count(svg, "<text class=\"key\""), 6);    // the columns' words
  EXPECT_EQ(count(svg, "<text class=\"query\""), 6);  // the rows' words
  for (const char* word : {"Your", "journey", "starts", "with", "one", "step"})
    EXPECT_EQ(count(svg, std::string(">") + word + "</text>"), 2) << word;  // once per axis
  // Two cells of the printed matrix: row "journey" is [0.5517, 0.4483, masked...], and
  // "Your" attends only to itself.
  EXPECT_NE(svg.find("<title>journey -&gt; Your: 0.5517</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>journey -&gt; starts: masked</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>Your -&gt; Your: 1.0000</title>"), std::string::npos);
  EXPECT_NE(svg.find(">0.55</text>"), std::string::npos);
  // The tutorial's picture is this program's output, not a hand-edited file.
  EXPECT_EQ(svg, read_file(fs::path(MINIGRAD_SOURCE_DIR) / "docs/tutorial/causal_attention.svg"))
      << "refresh it with tools/update_tutorial.py";
}

TEST(AttentionCh03Example, RejectsBadFlags) {
  if (!fs::exists(example_path("attention_ch03"))) GTEST_SKIP() << "attention_ch03 is not built";
  EXPECT_EQ(run_example("attention_ch03", "--section 9.9").status, 2);
  EXPECT_EQ(run_example("attention_ch03", "--section").status, 2);
  EXPECT_EQ(run_example("attention_ch03", "--svg").status, 2);
  EXPECT_EQ(run_example("attention_ch03", "--frobnicate 1").status, 2);
  EXPECT_EQ(run_example("attention_ch03", "--svg /no/such/dir/weights.svg").status, 1);
}

}  // namespace

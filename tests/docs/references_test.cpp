// Every file, and every file:symbol, that the docs and the code's comments point a reader
// to exists. The syntax it reads (docs/architecture.md, "Keeping the docs true"):
//   - a path from the repository root that starts with core/ nn/ optim/ distributed/
//     examples/ tests/ tools/ bench/ or docs/ and ends in .h .cpp .md .py .txt or .sh:
//     `core/ops/linear.cpp`;
//   - such a path with a symbol after a colon: `core/ops/linear.cpp:linear`. The symbol's
//     last part (`gemm` in `kernels::gemm`) must occur in the file as a whole word;
//   - in the opening comment of a core/, nn/, optim/ or distributed/ source (the lines that say what the
//     file is for and what it is not), a bare file name of the same folder: `sgd.cpp`,
//     `gemm.h:gemm_reference`. Elsewhere a bare name may be another project's file
//     (torch's avx_mathfun.h), so it is not read;
//   - in Markdown, the target of every relative link: [text](../core/tensor.h).
// Read: docs/**/*.md, README.md, bench/README.md, and the comments (not the code) of
// core/, nn/, optim/ and distributed/. A placeholder that is not a real file must not look
// like one: write core/ops/<op>.cpp, not core/ops/x.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include "tests/paths.h"

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = MINIGRAD_SOURCE_DIR;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The text of a C++ file with everything but its comments blanked out (newlines kept,
// so offsets still give line numbers): code, string and character literals become spaces.
std::string comments_of(const std::string& src) {
  std::string out(src.size(), ' ');
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t i = 0; i < src.size();) {
    char c = src[i];
    if (c == '\n') {
      out[i++] = '\n';
    } else if (src.compare(i, 2, "//") == 0) {
      for (; i < src.size() && src[i] != '\n'; ++i) out[i] = src[i];
    } else if (src.compare(i, 2, "/*") == 0) {
      std::size_t end = src.find("*/", i + 2);
      end = end == std::string::npos ? src.size() : end + 2;
      for (; i < end; ++i) out[i] = src[i];
    } else if (c == 'R' && i + 1 < src.size() && src[i + 1] == '"' && (i == 0 || !is_ident(src[i - 1]))) {
      std::size_t open = src.find('(', i);  // R"delim( ... )delim"
      std::string close = open == std::string::npos ? "\"" : ")" + src.substr(i + 2, open - i - 2) + "\"";
      std::size_t end = src.find(close, i + 2);
      end = end == std::string::npos ? src.size() : end + close.size();
      for (; i < end; ++i) out[i] = src[i] == '\n' ? '\n' : ' ';
    } else if (c == '"' || (c == '\'' && (i == 0 || !is_ident(src[i - 1])))) {  // not 1'000
      for (++i; i < src.size() && src[i] != c && src[i] != '\n'; ++i)
        if (src[i] == '\\') ++i;
      ++i;
    } else {
      ++i;
    }
  }
  return out;
}

// The comment lines a file opens with, up to its first line of code.
std::string opening_comment(const std::string& src) {
  std::istringstream in(src);
  std::string out;
  for (std::string l; std::getline(in, l);) {
    std::size_t b = l.find_first_not_of(" \t");
    if (b != std::string::npos && l.compare(b, 2, "//") != 0) break;
    out += l + "\n";
  }
  return out;
}

int line_of(const std::string& text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// True if `word` occurs in `text` with no identifier character on either side.
bool has_word(const std::string& text, const std::string& word) {
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    bool left = at == 0 || !is_ident(text[at - 1]);
    bool right = at + word.size() >= text.size() || !is_ident(text[at + word.size()]);
    if (left && right) return true;
  }
  return false;
}

struct Reference {
  std::string where;   // "docs/architecture.md:42"
  std::string text;    // as written
  fs::path target;     // resolved, relative to the root
  std::string symbol;  // empty if none
};

const std::string kSymbol = R"((?::([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_~][A-Za-z0-9_]*)*))?)";
const std::string kBefore = R"((^|[^A-Za-z0-9_./\-]))";
const std::string kAfter = R"((?![A-Za-z0-9_/\-]|\.[A-Za-z0-9_]))";  // a sentence's full stop may follow

void add_paths(const std::string& text, const fs::path& file, const std::regex& re, const fs::path& base,
               std::vector<Reference>& refs) {
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    const std::smatch& m = *it;
    std::string where = file.generic_string() + ":" + std::to_string(line_of(text, m.position(2)));
    std::string text = m.str(2);
    if (m[3].matched) text.append(":").append(m.str(3));
    refs.push_back({where, text, base / m.str(2), m.str(3)});
  }
}

// Paths from the root, anywhere in `text`.
void add_rooted(const std::string& text, const fs::path& file, std::vector<Reference>& refs) {
  static const std::regex re(
      kBefore + R"(((?:core|nn|optim|distributed|examples|tests|tools|bench|docs)/[A-Za-z0-9_./\-]*\.(?:h|cpp|md|py|txt|sh)))" +
      kAfter + kSymbol);
  add_paths(text, file, re, "", refs);
}

// Bare file names in a source's opening comment: siblings of that source.
void add_siblings(const std::string& comments, const fs::path& file, std::vector<Reference>& refs) {
  static const std::regex re(kBefore + R"(([A-Za-z0-9_\-]+\.(?:h|cpp)))" + kAfter + kSymbol);
  add_paths(comments, file, re, file.parent_path(), refs);
}

// Relative link targets in Markdown: [text](target) and ![alt](target).
void add_links(const std::string& text, const fs::path& file, std::vector<Reference>& refs) {
  static const std::regex re(R"(\]\(([^)\s]+)\))");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    std::string target = (*it).str(1);
    if (target.find("://") != std::string::npos || target[0] == '#' || target.rfind("mailto:", 0) == 0)
      continue;
    std::string where = file.generic_string() + ":" + std::to_string(line_of(text, it->position(1)));
    std::string path = target.substr(0, target.find('#'));
    refs.push_back({where, target, (file.parent_path() / path).lexically_normal(), ""});
  }
}

std::vector<fs::path> files_under(const std::string& dir, const std::vector<std::string>& exts) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / dir)) {
    if (!e.is_regular_file()) continue;
    if (std::find(exts.begin(), exts.end(), e.path().extension().string()) == exts.end()) continue;
    files.push_back(fs::relative(e.path(), kRoot));
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<Reference> all_references() {
  std::vector<Reference> refs;
  std::vector<fs::path> markdown = files_under("docs", {".md"});
  markdown.push_back("README.md");
  markdown.push_back("bench/README.md");
  for (const auto& md : markdown) {
    std::string text = read_file(kRoot / md);
    add_rooted(text, md, refs);
    add_links(text, md, refs);
  }
  for (const char* dir : {"core", "nn", "optim", "distributed"}) {
    for (const auto& src : files_under(dir, {".h", ".cpp"})) {
      std::string text = read_file(kRoot / src);
      add_rooted(comments_of(text), src, refs);
      add_siblings(opening_comment(text), src, refs);
    }
  }
  return refs;
}

// What is wrong with `ref`, or "" if nothing.
std::string problem(const Reference& ref) {
  fs::path target = kRoot / ref.target;
  if (!fs::exists(target)) return ref.target.generic_string() + " does not exist";
  if (ref.symbol.empty()) return "";
  std::string last = ref.symbol.substr(ref.symbol.rfind(':') == std::string::npos ? 0 : ref.symbol.rfind(':') + 1);
  if (!has_word(read_file(target), last)) return "`" + last + "` does not occur in " + ref.target.generic_string();
  return "";
}

TEST(ReferencesTest, EveryNamedFileAndSymbolExists) {
  std::vector<Reference> refs = all_references();
  std::vector<std::string> failures;  // in the order they were read, each once
  std::set<std::string> seen;
  for (const auto& ref : refs) {
    std::string p = problem(ref);
    std::string line = ref.where + ": " + ref.text + ": " + p;
    if (!p.empty() && seen.insert(line).second) failures.push_back(line);
  }
  std::ostringstream report;
  for (const auto& f : failures) report << "\n  " << f;
  EXPECT_TRUE(failures.empty()) << failures.size() << " references point nowhere:" << report.str();
  // The extractor itself still finds the pointers the docs are full of.
  EXPECT_GT(refs.size(), 100u);
}

// The syntax, on made-up text: what counts as a reference and what does not.
TEST(ReferencesTest, ReadsTheDocumentedSyntax) {
  std::vector<Reference> refs;
  add_rooted("see core/ops/linear.cpp:linear and `nn/nn.h`, then tools/x.py: done; not "
             "torch/nn/functional.py, core/ops/<op>.cpp, core/kernels/ or core/ops/linear.cpp.bak",
             "doc.md", refs);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].target, "core/ops/linear.cpp");
  EXPECT_EQ(refs[0].symbol, "linear");
  EXPECT_EQ(refs[1].target, "nn/nn.h");
  EXPECT_EQ(refs[1].symbol, "");
  EXPECT_EQ(refs[2].target, "tools/x.py");
  EXPECT_EQ(refs[2].symbol, "");
  EXPECT_EQ(refs[0].where, "doc.md:1");

  refs.clear();
  std::string comments = comments_of("int a = 1'000; const char* s = \"nn/nn.h\";  // see nn/module.h\n"
                                     "/* and\n core/kernels/gemm.h:kernels::gemm */ x = y / 2;\n");
  add_rooted(comments, "optim/optimizer.cpp", refs);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].target, "nn/module.h");
  EXPECT_EQ(refs[1].where, "optim/optimizer.cpp:3");
  EXPECT_EQ(refs[1].symbol, "kernels::gemm");

  refs.clear();
  std::string opening = opening_comment("// Optimizer: the base.\n// Not here: any rule (sgd.h:SGD).\n"
                                        "#pragma once\n// like torch's avx_mathfun.h\n");
  add_siblings(opening, "optim/optimizer.h", refs);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].target, "optim/sgd.h");
  EXPECT_EQ(refs[0].symbol, "SGD");
  EXPECT_EQ(refs[0].where, "optim/optimizer.h:2");

  refs.clear();
  add_links("[a](../core/tensor.h) [b](https://pytorch.org) [c](#top) [d](tutorial/01.md#one)",
            "docs/architecture.md", refs);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].target, "core/tensor.h");
  EXPECT_EQ(refs[1].target, "docs/tutorial/01.md");
}

}  // namespace

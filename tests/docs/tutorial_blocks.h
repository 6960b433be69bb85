// The docs' generated blocks, read and compared with a fresh run (tests/docs/tutorial_test.cpp
// says what the markers mean). Shared by the two tests that check them: tutorial_test.cpp (all
// but train_gpt's outputs) and training_tutorial_test.cpp (those, which need GPT-2's vocabulary).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/paths.h"

namespace minigrad::testing {

namespace fs = std::filesystem;

inline std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

inline std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

inline std::vector<std::string> snippet(const std::string& file, const std::string& name) {
  auto lines = read_lines(fs::path(MINIGRAD_SOURCE_DIR) / file);
  std::vector<std::string> body;
  bool inside = false;
  for (const auto& l : lines) {
    if (trim(l) == "// [end " + name + "]") break;
    if (inside) body.push_back(l);
    if (trim(l) == "// [snippet " + name + "]") inside = true;
  }
  std::size_t indent = std::string::npos;
  for (const auto& l : body)
    if (!trim(l).empty()) indent = std::min(indent, l.find_first_not_of(' '));
  for (auto& l : body) l = l.size() >= indent && indent != std::string::npos ? l.substr(indent) : trim(l);
  return body;
}

inline std::vector<std::string> run(const std::string& command_line) {
  std::string cmd = std::string(MINIGRAD_EXAMPLES_DIR) + "/" + command_line;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {"<could not run " + cmd + ">"};
  std::string out;
  std::array<char, 4096> buf;
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) out.append(buf.data(), n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << cmd;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::vector<std::string> lines;
  std::istringstream ss(out);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  return lines;
}

// Checks every block of docs/**/*.md for which wanted(kind, args) holds; returns how many.
inline int check_blocks(const std::function<bool(const std::string& kind, const std::string& args)>& wanted) {
  fs::path dir = fs::path(MINIGRAD_SOURCE_DIR) / "docs";
  std::regex marker(R"(^<!-- (snippet|output) (.*?) -->$)");
  int blocks = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".md") continue;
    auto lines = read_lines(entry.path());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::smatch m;
      if (!std::regex_match(lines[i], m, marker)) continue;
      std::string kind = m[1], args = m[2];
      if (!wanted(kind, args)) continue;
      std::vector<std::string> want;
      if (kind == "snippet") {
        std::istringstream ss(args);
        std::string file, name;
        ss >> file >> name;
        want = snippet(file, name);
        EXPECT_FALSE(want.empty()) << "no snippet " << name << " in " << file;
      } else {
        want = run(args);
      }
      std::vector<std::string> have;
      std::size_t j = i + 2;  // skip the opening fence
      for (; j < lines.size() && lines[j].rfind("```", 0) != 0; ++j) have.push_back(lines[j]);
      EXPECT_EQ(have, want) << entry.path().filename() << " line " << i + 1 << ": " << lines[i]
                            << "\n(run tools/update_tutorial.py build to refresh)";
      ++blocks;
      i = j;
    }
  }
  return blocks;
}

// The outputs of train_gpt need GPT-2's vocabulary, so only minigrad_llm_tests checks them
// (tests/docs/training_tutorial_test.cpp).
inline bool needs_gpt2_vocab(const std::string& kind, const std::string& args) {
  return kind == "output" && args.rfind("train_gpt", 0) == 0;
}

}  // namespace minigrad::testing

// check_snippets: every ```cpp block of the given Markdown files compiles as shown. Run by
// the build (tests/docs/snippets.cmake) before minigrad_tests, so a snippet that no longer
// compiles fails the build, pointing at its line in the Markdown file.
//
//   check_snippets ROOT OUT_DIR STAMP COMPILER FILE.md...     (FILE.md relative to ROOT)
//
// What the line right before a block's opening fence says decides how it is compiled
// (docs/architecture.md, "Keeping the docs true"):
//   <!-- snippet FILE NAME -->     a copy of FILE's `// [snippet NAME]` region; not compiled
//                                  here: FILE is built, and tests/docs/tutorial_test.cpp
//                                  holds the copy equal to it
//   <!-- compile: body -->         statements: compiled inside a function, after the
//                                  core, autograd, nn and optim headers and
//                                  `using namespace minigrad;`
//   <!-- compile: namespace -->    declarations and definitions: compiled inside a
//                                  namespace nested in minigrad, after the same headers
//   (nothing)                      a whole program, with `int main(`, compiled as it is
// Any other ```cpp block is an error. Each block is written to its own file in OUT_DIR
// with #line directives, so the compiler's errors name the Markdown file and line;
// only syntax and types are checked (-fsyntax-only): nothing is linked or run.
// Not a test of what a snippet prints: the tutorial's outputs are tutorial_test's job.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string identifier(const std::string& path) {
  std::string id;
  for (char c : path) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

const char* kHeaders =
    "#include \"core/core.h\"\n"
    "#include \"core/autograd.h\"\n"
    "#include \"nn/nn.h\"\n"
    "#include \"optim/optim.h\"\n";

// The generated file for one block: `body` holds the block's lines, `first` the Markdown
// line number of the first of them.
std::string wrap(const std::string& kind, const std::vector<std::string>& body, int first,
                 const std::string& md) {
  std::string includes, code;
  for (const auto& l : body) {
    bool include = kind != "program" && trim(l).rfind("#include", 0) == 0;
    if (include) includes += l + "\n";
    code += (include ? "" : l) + "\n";  // a blank line keeps the numbering
  }
  std::string line = "#line " + std::to_string(first) + " \"" + md + "\"\n";
  if (kind == "program") return line + code;
  std::string out = "// Generated from " + md + " by tests/docs/check_snippets.cpp.\n" + kHeaders + includes;
  if (kind == "body")
    return out + "using namespace minigrad;\n[[maybe_unused]] static void doc_snippet() {\n" + line + code + "}\n";
  return out + "namespace minigrad::doc_snippet {\n" + line + code + "}  // namespace minigrad::doc_snippet\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: check_snippets ROOT OUT_DIR STAMP COMPILER FILE.md...\n";
    return 2;
  }
  fs::path root = argv[1], out_dir = argv[2], stamp = argv[3];
  std::string compiler = argv[4];
  fs::remove_all(out_dir);
  fs::create_directories(out_dir);
  int blocks = 0, failures = 0;
  for (int a = 5; a < argc; ++a) {
    std::string md = argv[a];
    std::ifstream in(root / md);
    if (!in) {
      std::cerr << md << ": cannot read\n";
      return 1;
    }
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].rfind("```", 0) != 0) continue;
      std::string lang = trim(lines[i].substr(3));
      std::size_t end = i + 1;
      while (end < lines.size() && lines[end].rfind("```", 0) != 0) ++end;
      std::vector<std::string> body(lines.begin() + static_cast<long>(i) + 1,
                                    lines.begin() + static_cast<long>(end));
      std::size_t open = i;
      i = end;  // past the closing fence
      if (lang != "cpp" && lang != "c++") continue;
      std::string marker = open > 0 ? trim(lines[open - 1]) : "";
      std::string where = md + ":" + std::to_string(open + 1);
      if (marker.rfind("<!-- snippet ", 0) == 0) continue;
      std::string kind;
      if (marker == "<!-- compile: body -->") {
        kind = "body";
      } else if (marker == "<!-- compile: namespace -->") {
        kind = "namespace";
      } else {
        bool has_main = false;
        for (const auto& l : body) has_main = has_main || l.find("int main(") != std::string::npos;
        if (!has_main) {
          std::cerr << where << ": error: this ```cpp block has no main() and no marker on the line "
                    << "before it; add <!-- compile: body --> (statements) or <!-- compile: namespace --> "
                    << "(declarations), or use ```text for something that is not C++\n";
          ++failures;
          continue;
        }
        kind = "program";
      }
      fs::path file = out_dir / (identifier(md) + "_" + std::to_string(open + 1) + ".cpp");
      std::ofstream(file) << wrap(kind, body, static_cast<int>(open) + 2, md);
      std::string cmd = "\"" + compiler + "\" -std=c++20 -fsyntax-only -I\"" + root.string() + "\" \"" +
                        file.string() + "\"";
      ++blocks;
      if (std::system(cmd.c_str()) != 0) {
        std::cerr << where << ": error: this ```cpp block (" << kind << ") does not compile; "
                  << "the generated file is " << file.string() << "\n";
        ++failures;
      }
    }
  }
  if (failures) return 1;
  std::ofstream(stamp) << blocks << " snippets compiled\n";
  return 0;
}

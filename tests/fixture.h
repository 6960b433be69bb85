// Reads the fixture files written by tools/fixturelib.py: PyTorch's reference
// numbers, committed so the suite needs no Python; and text fixtures (text_records), PyTorch's
// printed output. Not a general serialiser.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "tests/paths.h"

namespace minigrad::testing {

class Fixture {
 public:
  // `file` is relative to tests/fixtures/, e.g. "random.txt".
  explicit Fixture(const std::string& file) {
    std::string path = std::string(MINIGRAD_FIXTURE_DIR) + "/" + file;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("fixture: cannot open " + path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      std::string name, code;
      int64_t ndim = 0;
      ss >> name >> code >> ndim;
      Shape shape(static_cast<size_t>(ndim));
      for (auto& d : shape) ss >> d;
      int64_t n = numel_of(shape);
      if (code == "i64" || code == "bool") {  // bool records hold 0 / 1
        std::vector<int64_t> v(static_cast<size_t>(n));
        for (auto& x : v) ss >> x;
        records_[name] = code == "bool" ? tensor(v, shape).to(DType::Bool) : tensor(v, shape);
      } else {
        // Read words and convert with strtod, which (unlike >>) accepts nan and inf.
        std::vector<double> v(static_cast<size_t>(n));
        std::string word;
        for (auto& x : v) {
          ss >> word;
          x = std::strtod(word.c_str(), nullptr);
        }
        Tensor t = tensor(v, shape);
        records_[name] = code == "f32" ? t.to(DType::Float32) : t;
      }
      if (ss.fail()) throw std::runtime_error("fixture: bad record " + name + " in " + path);
    }
  }
  Tensor operator[](const std::string& name) const {
    auto it = records_.find(name);
    if (it == records_.end()) throw std::out_of_range("fixture: no record named " + name);
    return it->second;
  }
  bool has(const std::string& name) const { return records_.count(name) != 0; }

  // The fixture `file`, read once per test run however many test files load it
  // (ops_b.txt serves four of them). Not thread-safe: gtest runs tests one at a time.
  static const Fixture& get(const std::string& file) {
    static std::map<std::string, Fixture> cache;
    auto it = cache.find(file);
    if (it == cache.end()) it = cache.emplace(file, Fixture(file)).first;
    return it->second;
  }

 private:
  std::map<std::string, Tensor> records_;
};

// A text fixture: records "=== name", each followed by its text up to the next "=== " line
// (without the final newline), e.g. str(t) or print(model) from PyTorch. `file` is relative to
// tests/fixtures/. Read once per test run.
using TextRecords = std::vector<std::pair<std::string, std::string>>;
inline const TextRecords& text_records(const std::string& file) {
  static std::map<std::string, TextRecords> cache;
  auto it = cache.find(file);
  if (it != cache.end()) return it->second;
  std::string path = std::string(MINIGRAD_FIXTURE_DIR) + "/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("fixture: cannot open " + path);
  TextRecords out;
  bool first_line = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      out.emplace_back(line.substr(4), "");
      first_line = true;
    } else if (!out.empty()) {
      out.back().second += (first_line ? "" : "\n") + line;
      first_line = false;
    }
  }
  return cache.emplace(file, std::move(out)).first->second;
}

// The text of record `name` in `file`; std::out_of_range if there is none.
inline const std::string& text_record(const std::string& file, const std::string& name) {
  for (const auto& [n, text] : text_records(file))
    if (n == name) return text;
  throw std::out_of_range("fixture: no text record named " + name + " in " + file);
}

}  // namespace minigrad::testing

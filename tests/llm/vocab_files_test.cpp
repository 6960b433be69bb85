// GPT2Tokenizer::from_files and save: OpenAI's files written back byte for byte, and a clear
// error (the path and the fetch script, or the line) for every way the files can be wrong.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "llm/tokenizer.h"
#include "tests/llm/gpt2_vocab.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using llm::GPT2Tokenizer;
using testing::gpt2_vocab_file;
using testing::throws_with;
namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A scratch folder per test, removed afterwards.
class VocabFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("minigrad_vocab_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A tiny valid pair: merges a+b (256) and ab+c (257), then <|endoftext|> (258). The JSON
  // gets one entry per line so that line numbers are easy to state: id k is on line k + 1.
  void write_tiny(const std::string& json_edit_from = "", const std::string& json_edit_to = "") {
    GPT2Tokenizer(std::vector<GPT2Tokenizer::Merge>{{"a", "b"}, {"ab", "c"}}).save(path("encoder.json"), path("vocab.bpe"));
    std::string json = read(path("encoder.json"));
    for (size_t at = 0; (at = json.find(", \"", at)) != std::string::npos;) json.replace(at, 2, ",\n");
    if (!json_edit_from.empty()) {
      size_t at = json.find(json_edit_from);
      ASSERT_NE(at, std::string::npos) << json_edit_from;
      json.replace(at, json_edit_from.size(), json_edit_to);
    }
    write(path("encoder.json"), json);
  }
  GPT2Tokenizer load() const { return GPT2Tokenizer::from_files(path("encoder.json"), path("vocab.bpe")); }

  fs::path dir_;
};

TEST_F(VocabFiles, SavesOpenAIsFilesByteForByte) {
  testing::gpt2_tokenizer().save(path("encoder.json"), path("vocab.bpe"));
  EXPECT_TRUE(read(path("encoder.json")) == read(gpt2_vocab_file("encoder.json")));
  EXPECT_TRUE(read(path("vocab.bpe")) == read(gpt2_vocab_file("vocab.bpe")));
}

TEST_F(VocabFiles, ReadsWhatItWrites) {
  write_tiny();
  GPT2Tokenizer tok = load();
  EXPECT_EQ(tok.n_vocab(), 259);
  EXPECT_EQ(tok.encode("abc ab"), (std::vector<int64_t>{257, 220, 256}));
  EXPECT_EQ(tok.encode("<|endoftext|>", {"<|endoftext|>"}), (std::vector<int64_t>{258}));
}

TEST_F(VocabFiles, SpecialTokensBeyondAsciiSurviveAsJsonEscapes) {
  // json.dumps writes U+1F642 as the UTF-16 pair \ud83d\ude42, and "é" as \u00e9.
  GPT2Tokenizer(std::vector<GPT2Tokenizer::Merge>{}, {"<|\U0001F642|>", "<|\u00e9|>"})
      .save(path("encoder.json"), path("vocab.bpe"));
  std::string json = read(path("encoder.json"));
  EXPECT_NE(json.find("\"<|\\ud83d\\ude42|>\": 256, \"<|\\u00e9|>\": 257}"), std::string::npos) << json;
  EXPECT_EQ(load().special_tokens(), (std::map<std::string, int64_t>{{"<|\U0001F642|>", 256}, {"<|\u00e9|>", 257}}));
}

TEST_F(VocabFiles, MissingFileNamesThePathAndTheFetchScript) {
  write_tiny();
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { GPT2Tokenizer::from_files(path("nope.json"), path("vocab.bpe")); },
      {"encoder.json", path("nope.json"), "tools/fetch_gpt2_vocab.sh"}));
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { GPT2Tokenizer::from_files(path("encoder.json"), path("nope.bpe")); },
      {"vocab.bpe", path("nope.bpe"), "tools/fetch_gpt2_vocab.sh"}));
}

TEST_F(VocabFiles, MalformedEncoderJsonNamesTheLine) {
  // Each case edits the tiny file's text (replacing `from` by `to`) and names what the error
  // must say. Entry k sits on line k + 1: "ab" (id 256) is on line 257, from column 1.
  struct Case {
    const char* from;
    const char* to;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"\"ab\": 256", "\"ab\" 256", {path("encoder.json"), "line 257", "expected ':'"}},
      {"\"ab\": 256", "\"ab\": 999", {"line 257, column 1", "\"ab\" has id 999", "expected id 259"}},
      {"\"ab\": 256", "\"ba\": 256", {"line 257", "never makes that token"}},
      {"\"ab\": 256", "\"a\\qb\": 256", {"line 257, column 3", "unknown escape"}},
      {"\"ab\": 256", "\"\\u00zz\": 256", {"line 257, column 6", "four hex digits"}},
      {"\"ab\": 256", "\"\\ud83d\": 256", {"line 257", "lone UTF-16 surrogate"}},
      {"\"ab\": 256", "\"a b\": 256", {"line 257", "outside GPT-2's byte alphabet"}},
      {"\"ab\": 256", "\"ab\": \"256\"", {"line 257", "expected a token id"}},
      {"\"<|endoftext|>\": 258}", "\"<|endoftext|>\": 259}", {"line 259", "has id 259", "special token", "expected id 258"}},
      {"\"ab\": 256,\n", "", {"no entry for id 256", "\"ab\""}},
      {"\"ab\": 256", "\"!\": 256", {"line 257", "\"!\" has id 256", "token 0"}},  // "!" is id 0
      {"258}", "258", {"line 259", "',' or the closing }"}},
      {"258}", "258} x", {"line 259", "after the closing }"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.from) + " -> " + c.to);
    write_tiny(c.from, c.to);
    EXPECT_TRUE(throws_with<std::runtime_error>([&] { load(); }, c.fragments));
  }
}

TEST_F(VocabFiles, MalformedVocabBpeNamesTheLine) {
  write_tiny();
  write(path("vocab.bpe"), "#version: 0.2\na b\nab c d\n");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { load(); }, {path("vocab.bpe"), "line 3", "two tokens", "ab c d"}));
  write(path("vocab.bpe"), "#version: 0.2\na\tb\n");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { load(); }, {"line 2", "byte alphabet"}));
  write(path("vocab.bpe"), "#version: 0.2\nab c\na b\n");  // "ab" is used before it is made
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { load(); }, {path("vocab.bpe"), "line 2", "\"ab\" is not a token yet"}));
  write(path("vocab.bpe"), "#version: 0.2\na b\n\nab c\n");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { load(); }, {"line 3", "two tokens"}));
}

}  // namespace
}  // namespace minigrad

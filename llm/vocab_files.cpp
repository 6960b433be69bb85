// GPT2Tokenizer::from_files and save: OpenAI's two vocabulary files. encoder.json maps
// each token (written in GPT-2's byte alphabet) to its id; vocab.bpe lists the merges in
// the order they were learned. Only this flat layout is read: not a general JSON parser.
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "llm/byte_alphabet.h"
#include "llm/tokenizer.h"

namespace minigrad::llm {

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(std::string("GPT2Tokenizer::from_files: cannot read ") + what + " at '" + path +
                             "' (" + std::strerror(errno) +
                             "); fetch GPT-2's vocabulary with tools/fetch_gpt2_vocab.sh <dir> (CTest runs it as "
                             "the test fetch_gpt2_vocab, into <build>/gpt2_vocab)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One "key": id pair of encoder.json and where its key starts.
struct Entry {
  std::string key;
  int64_t id;
  size_t offset;
};

// Reads {"key": id, ...} with JSON's string escapes. Errors name line and column.
class EncoderJsonReader {
 public:
  EncoderJsonReader(std::string text, std::string path) : s_(std::move(text)), path_(std::move(path)) {}

  std::vector<Entry> read() {
    std::vector<Entry> entries;
    expect('{', "the object's opening {");
    if (peek() == '}') {
      ++pos_;
    } else {
      for (;;) {
        skip_space();
        size_t at = pos_;
        std::string key = string();
        expect(':', "':' after the key");
        skip_space();
        entries.push_back({std::move(key), integer(), at});
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
        expect('}', "',' or the closing }");
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) fail(pos_, "unexpected text after the closing }");
    return entries;
  }

  [[noreturn]] void fail(size_t at, const std::string& what) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < s_.size(); ++i, ++column)
      if (s_[i] == '\n') line += 1, column = 0;
    throw std::runtime_error("GPT2Tokenizer::from_files: " + path_ + " line " + std::to_string(line) +
                             ", column " + std::to_string(column) + ": " + what);
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  char peek() {
    skip_space();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  void expect(char c, const char* what) {
    if (peek() != c) fail(pos_, std::string("expected ") + what);
    ++pos_;
  }
  unsigned hex4() {
    if (pos_ + 4 > s_.size()) fail(pos_, "\\u needs four hex digits");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_++])));
      if (!std::isxdigit(static_cast<unsigned char>(c))) fail(pos_ - 1, "\\u needs four hex digits");
      v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return v;
  }
  std::string string() {
    if (pos_ >= s_.size() || s_[pos_] != '"') fail(pos_, "expected a quoted key");
    ++pos_;
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail(pos_, "the string is not closed");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail(pos_ - 1, "a control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      char e = pos_ < s_.size() ? s_[pos_++] : '\0';
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          char32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a UTF-16 surrogate pair spells one code point
            if (s_.compare(pos_, 2, "\\u") != 0) fail(pos_, "a lone UTF-16 surrogate");
            pos_ += 2;
            char32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail(pos_ - 6, "a lone UTF-16 surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail(pos_ - 6, "a lone UTF-16 surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(pos_ - 2, "an unknown escape in a string");
      }
    }
  }
  int64_t integer() {
    size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])) && pos_ - start < 12) ++pos_;
    if (pos_ == start) fail(start, "expected a token id (a non-negative integer)");
    return std::stoll(s_.substr(start, pos_ - start));
  }

  std::string s_;
  std::string path_;
  size_t pos_ = 0;
};

// Python's json.dumps(..., ensure_ascii=True) for one string: \" \\ \n ..., \uXXXX beyond ASCII.
std::string json_string(std::string_view utf8) {
  std::string out = "\"";
  char buf[16];
  for (size_t pos = 0; pos < utf8.size();) {
    char32_t cp = 0;
    size_t len = decode_utf8(utf8, pos, cp);
    pos += len == 0 ? 1 : len;  // the vocabulary only holds valid UTF-8 here
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      char32_t v = cp - 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (v >> 10)),
                    static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
      out += buf;
    }
  }
  return out + "\"";
}

}  // namespace

GPT2Tokenizer GPT2Tokenizer::from_files(const std::string& encoder_json_path, const std::string& vocab_bpe_path) {
  std::string json = read_file(encoder_json_path, "encoder.json");
  std::string bpe = read_file(vocab_bpe_path, "vocab.bpe");

  // vocab.bpe: "#version: 0.2", then one merge per line: two tokens and one space.
  MergeSource source{vocab_bpe_path, {}};
  std::vector<Merge> merges;
  std::istringstream lines(bpe);
  std::string line;
  for (int64_t number = 1; std::getline(lines, line); ++number) {
    if (number == 1 && line.rfind("#version", 0) == 0) continue;
    if (line.empty() && lines.peek() == EOF) break;  // a final empty line
    size_t space = line.find(' ');
    std::optional<std::string> left, right;
    if (space != std::string::npos && line.find(' ', space + 1) == std::string::npos) {
      left = alphabet_to_bytes(std::string_view(line).substr(0, space));
      right = alphabet_to_bytes(std::string_view(line).substr(space + 1));
    }
    if (!left || !right || left->empty() || right->empty())
      throw std::runtime_error("GPT2Tokenizer::from_files: " + vocab_bpe_path + " line " + std::to_string(number) +
                               ": expected two tokens in GPT-2's byte alphabet separated by one space, got \"" +
                               line + "\"");
    merges.emplace_back(std::move(*left), std::move(*right));
    source.merge_lines.push_back(number);
  }

  // encoder.json: ids below 256 + merges are the bytes and merged tokens, the rest special.
  EncoderJsonReader reader(json, encoder_json_path);
  std::vector<Entry> entries = reader.read();
  const int64_t n_ordinary = 256 + static_cast<int64_t>(merges.size());
  std::map<int64_t, const Entry*> specials;
  for (const Entry& e : entries)
    if (e.id >= n_ordinary && !specials.emplace(e.id, &e).second)
      reader.fail(e.offset, "id " + std::to_string(e.id) + " is given twice");
  std::vector<std::string> special_texts;
  for (const auto& [id, e] : specials) {
    if (id != n_ordinary + static_cast<int64_t>(special_texts.size()))
      reader.fail(e->offset, "\"" + e->key + "\" has id " + std::to_string(id) + ", past the " +
                                 std::to_string(n_ordinary) + " ids of bytes and merges, so it is a special token; "
                                 "expected id " + std::to_string(n_ordinary + static_cast<int64_t>(special_texts.size())) +
                                 " (special tokens follow the merges without gaps)");
    special_texts.push_back(e->key);
  }
  GPT2Tokenizer tokenizer(std::move(merges), std::move(special_texts), source);

  // Every ordinary entry must name the id the merges give its bytes, and none may be missing.
  std::vector<bool> seen(static_cast<size_t>(n_ordinary), false);
  for (const Entry& e : entries) {
    if (e.id >= n_ordinary) continue;
    std::optional<std::string> bytes = alphabet_to_bytes(e.key);
    if (!bytes) reader.fail(e.offset, "the key \"" + e.key + "\" has characters outside GPT-2's byte alphabet");
    int64_t expected = tokenizer.rank_of(*bytes);
    if (expected != e.id)
      reader.fail(e.offset, "\"" + e.key + "\" has id " + std::to_string(e.id) + ", but " +
                                (expected < 0 ? "vocab.bpe never makes that token"
                                              : "vocab.bpe makes it token " + std::to_string(expected)));
    if (seen[static_cast<size_t>(e.id)]) reader.fail(e.offset, "id " + std::to_string(e.id) + " is given twice");
    seen[static_cast<size_t>(e.id)] = true;
  }
  for (int64_t id = 0; id < n_ordinary; ++id)
    if (!seen[static_cast<size_t>(id)])
      throw std::runtime_error("GPT2Tokenizer::from_files: " + encoder_json_path + " has no entry for id " +
                               std::to_string(id) + " (\"" + bytes_to_alphabet(tokenizer.token_bytes(id)) +
                               "\", which " + vocab_bpe_path + " makes)");
  return tokenizer;
}

void GPT2Tokenizer::save(const std::string& encoder_json_path, const std::string& vocab_bpe_path) const {
  std::string json = "{";
  for (int64_t id = 0; id < n_vocab(); ++id) {
    bool special = id >= 256 + static_cast<int64_t>(merges_.size());
    const std::string& bytes = tokens_[static_cast<size_t>(id)];
    json += (id ? ", " : "") + json_string(special ? bytes : bytes_to_alphabet(bytes)) + ": " + std::to_string(id);
  }
  json += "}";
  std::string bpe = "#version: 0.2\n";
  for (const auto& [left, right] : merges_) bpe += bytes_to_alphabet(left) + " " + bytes_to_alphabet(right) + "\n";
  for (const auto& [path, text] : {std::pair{&encoder_json_path, &json}, std::pair{&vocab_bpe_path, &bpe}}) {
    std::ofstream out(*path, std::ios::binary);
    out << *text;
    if (!out.flush()) throw std::runtime_error("GPT2Tokenizer::save: cannot write '" + *path + "'");
  }
}

}  // namespace minigrad::llm

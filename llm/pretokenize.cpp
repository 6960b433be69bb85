// Runs GPT-2's pre-tokenising pattern through PCRE2 (libpcre2-8), JIT-compiled when the
// library supports it. Only the splitting; the text's UTF-8 is validated once up front so
// that PCRE2 need not re-check the whole subject at every match.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "llm/pretokenize.h"

#include <pcre2.h>

#include <stdexcept>

#include "llm/byte_alphabet.h"

namespace minigrad::llm {

size_t find_invalid_utf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    size_t len = decode_utf8(text, pos, cp);
    if (len == 0) return pos;
    pos += len;
  }
  return std::string_view::npos;
}

std::string gpt2_pattern_for_pcre2() {
  const std::string ws =  // Unicode 14's White_Space property, as a character-class body
      R"(\t\n\x{0B}\f\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";
  // kGpt2Pattern with [^\s\p{L}\p{N}] -> [^ws\p{L}\p{N}], \s -> [ws], (?!\S) -> (?![^ws]).
  return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^)" + ws + R"(\p{L}\p{N}]+|[)" + ws + R"(]+(?![^)" + ws +
         R"(])|[)" + ws + "]+";
}

struct Pretokenizer::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

Pretokenizer::Pretokenizer(const std::string& pattern) {
  auto compiled = std::make_shared<Compiled>();
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  // UTF: match characters, not bytes. UCP: \s, \d, \w use Unicode properties (so U+3000
  // ideographic space is \s) for patterns that use them, such as kGpt2Pattern itself.
  compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(),
                                 PCRE2_UTF | PCRE2_UCP, &error, &error_offset, nullptr);
  if (compiled->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::invalid_argument("Pretokenizer: pattern does not compile at offset " +
                                std::to_string(error_offset) + ": " + reinterpret_cast<char*>(message));
  }
  pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE);  // if JIT is unavailable, matching still works
  re_ = compiled;
}

void Pretokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  // One match-data block per call keeps split() safe to call from several threads.
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create_from_pattern(re_->code, nullptr), &pcre2_match_data_free);
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;
  while (pos < text.size()) {
    int rc = pcre2_match(re_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, match.get(), nullptr);
    if (rc < 0) {
      // The pattern's last alternatives match any whitespace and [^\s\p{L}\p{N}] anything
      // else, so a GPT-2 pattern always matches; a custom one might not cover every byte.
      throw std::runtime_error("Pretokenizer: the pattern matches nothing at byte offset " +
                               std::to_string(pos));
    }
    PCRE2_SIZE* span = pcre2_get_ovector_pointer(match.get());
    if (span[0] != pos || span[1] == pos)
      throw std::runtime_error("Pretokenizer: the pattern skips or matches empty text at byte offset " +
                               std::to_string(pos));
    pieces.push_back(text.substr(span[0], span[1] - span[0]));
    pos = span[1];
  }
}

}  // namespace minigrad::llm

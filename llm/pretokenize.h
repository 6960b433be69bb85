// GPT-2's pre-tokeniser: cuts text into the pieces BPE works on (words with their leading
// space, number runs, punctuation runs, whitespace), with the regular expression tiktoken
// uses for its `gpt2` encoding, run by PCRE2. Not the BPE itself (see tokenizer.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace minigrad::llm {

// tiktoken's gpt2 pat_str, character for character. Read it left to right; the first
// alternative that matches at the current position wins:
//   's|'t|'re|'ve|'m|'ll|'d   English contractions (lower case only, so "'S" is punctuation + word)
//    ?\p{L}+                  a run of letters in any script, with at most one space before it
//    ?\p{N}+                  a run of digits/numerals in any script, likewise
//    ?[^\s\p{L}\p{N}]+        a run of everything else (punctuation, symbols, emoji), likewise
//   \s+(?!\S)                 whitespace, but leave the last space for the word that follows
//   \s+                       whitespace at the very end of the text
// So "Hello  world" becomes "Hello", " ", " world": the space next to a word travels with it.
inline constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// kGpt2Pattern as PCRE2 must be given it to agree with tiktoken: \s and \S spelled out
// with Unicode's White_Space characters, which tiktoken's regex engine uses. PCRE2's own
// \s also matches U+180E (Mongolian vowel separator), dropped from White_Space in Unicode 6.3.
std::string gpt2_pattern_for_pcre2();

// The byte offset of the first byte of `text` that is not valid UTF-8, or npos.
size_t find_invalid_utf8(std::string_view text);

class Pretokenizer {
 public:
  // Compiles `pattern` in PCRE2's UTF mode with Unicode properties (UCP).
  explicit Pretokenizer(const std::string& pattern = gpt2_pattern_for_pcre2());
  // Appends the pieces of `text`, in order, to `pieces` (views into `text`). Every byte
  // of `text` lands in exactly one piece. `text` must be valid UTF-8 (checked by callers).
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> re_;
};

}  // namespace minigrad::llm

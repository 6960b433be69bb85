// The GPT-2 pre-tokeniser: splits derived by hand from the pattern (pretokenize.h reads it
// out alternative by alternative), the UTF-8 check, and patterns that cannot work.
#include "llm/pretokenize.h"

#include <gtest/gtest.h>

#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;
using Pieces = std::vector<std::string>;

Pieces split(const std::string& text) {
  static const llm::Pretokenizer pretokenizer;
  std::vector<std::string_view> views;
  pretokenizer.split(text, views);
  return Pieces(views.begin(), views.end());
}

TEST(Pretokenizer, SpaceTravelsWithTheWordThatFollows) {
  // "  world": \s+(?!\S) takes "  " but must not be followed by a non-space, so it gives
  // back one space, which " ?\p{L}+" then takes with "world".
  EXPECT_EQ(split("Hello  world"), (Pieces{"Hello", " ", " world"}));
  EXPECT_EQ(split("a   "), (Pieces{"a", "   "}));  // at the end, \s+ takes the whole run
  EXPECT_EQ(split("   a"), (Pieces{"  ", " a"}));
  // "\n\ny": "\n\n" is followed by 'y', so \s+(?!\S) backs off to "\n"; the second "\n" is
  // followed by 'y' too and only the last alternative, \s+, takes it.
  EXPECT_EQ(split("x\n\ny"), (Pieces{"x", "\n", "\n", "y"}));
  EXPECT_EQ(split("a\r\nb"), (Pieces{"a", "\r", "\n", "b"}));  // likewise: CRLF before a word splits
  EXPECT_EQ(split("a\r\n"), (Pieces{"a", "\r\n"}));
}

TEST(Pretokenizer, ContractionsAreLowerCaseOnly) {
  EXPECT_EQ(split("here's I'M we'll"), (Pieces{"here", "'s", " I", "'", "M", " we", "'ll"}));
  EXPECT_EQ(split("'sa"), (Pieces{"'s", "a"}));  // the contraction wins even inside a word
}

TEST(Pretokenizer, LettersDigitsAndTheRestInAnyScript) {
  EXPECT_EQ(split("abc123def"), (Pieces{"abc", "123", "def"}));
  EXPECT_EQ(split(" 42!! ?"), (Pieces{" 42", "!!", " ?"}));
  EXPECT_EQ(split("Привет мир"), (Pieces{"Привет", " мир"}));
  EXPECT_EQ(split("٣٤ ٥"), (Pieces{"٣٤", " ٥"}));  // Arabic-Indic digits are \p{N}
  EXPECT_EQ(split("x²"), (Pieces{"x", "²"}));      // superscript two is \p{N} (No), not a letter
  // A combining accent is a mark (\p{M}), neither letter nor number: it splits the word.
  EXPECT_EQ(split("cafe\u0301s"), (Pieces{"cafe", "\u0301", "s"}));
  EXPECT_EQ(split("hi👍🏽!"), (Pieces{"hi", "👍🏽!"}));
}

TEST(Pretokenizer, UnicodeSpacesAreWhitespace) {
  // Ideographic space U+3000 is \s under PCRE2_UCP, but only U+0020 may lead a word.
  EXPECT_EQ(split("  \u3000x"), (Pieces{"  ", "\u3000", "x"}));
  EXPECT_EQ(split("a\u00a0b"), (Pieces{"a", "\u00a0", "b"}));
}

TEST(Pretokenizer, MongolianVowelSeparatorIsNotWhitespace) {
  // U+180E left Unicode's White_Space in 6.3, so tiktoken groups it with punctuation;
  // PCRE2's \s still matches it, hence the spelled-out pattern (gpt2_pattern_for_pcre2).
  EXPECT_EQ(split("x\u180e!"), (Pieces{"x", "\u180e!"}));
  llm::Pretokenizer literal(llm::kGpt2Pattern);
  std::vector<std::string_view> pieces;
  literal.split("x\u180e!", pieces);
  EXPECT_EQ(Pieces(pieces.begin(), pieces.end()), (Pieces{"x", "\u180e", "!"}));
}

TEST(Pretokenizer, FindsTheFirstInvalidUtf8Byte) {
  EXPECT_EQ(llm::find_invalid_utf8("plain ascii, é, 中, 👍"), std::string::npos);
  EXPECT_EQ(llm::find_invalid_utf8("\xc0\x80"), 0u);                // overlong NUL
  EXPECT_EQ(llm::find_invalid_utf8("a\xe2\x82"), 1u);               // cut off
  EXPECT_EQ(llm::find_invalid_utf8("\xf4\x90\x80\x80"), 0u);        // past U+10FFFF
  EXPECT_EQ(llm::find_invalid_utf8("\xc3\xa9\xbf"), 2u);            // stray continuation byte
  EXPECT_EQ(llm::find_invalid_utf8("ok\xed\xb0\x80"), 2u);          // a UTF-16 surrogate
}

TEST(Pretokenizer, RejectsPatternsThatCannotSplit) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::Pretokenizer("(a"); }, {"Pretokenizer", "offset 2"}));
  llm::Pretokenizer only_a("a+");
  std::vector<std::string_view> pieces;
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { only_a.split("aab", pieces); }, {"byte offset 2"}));
}

}  // namespace
}  // namespace minigrad

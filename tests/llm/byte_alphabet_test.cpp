// GPT-2's byte alphabet: the stand-in characters and ids the vocabulary files use, checked
// against known entries of OpenAI's encoder.json, and the UTF-8 helpers.
#include "llm/byte_alphabet.h"

#include <gtest/gtest.h>

#include <set>

namespace minigrad {
namespace {

TEST(ByteAlphabet, MatchesGpt2sKnownEntries) {
  const llm::ByteAlphabet& a = llm::byte_alphabet();
  // encoder.json begins {"!": 0, "\"": 1, ...} and has "\u0120": 220 (space), "\u010a": 198 (newline).
  EXPECT_EQ(a.id_of_byte['!'], 0);
  EXPECT_EQ(a.id_of_byte['"'], 1);
  EXPECT_EQ(a.char_of_byte[' '], U'\u0120');
  EXPECT_EQ(a.id_of_byte[' '], 220);
  EXPECT_EQ(a.char_of_byte['\n'], U'\u010a');
  EXPECT_EQ(a.id_of_byte['\n'], 198);
  EXPECT_EQ(a.id_of_byte[0xFF], 187);  // the last of the 188 printable bytes
  EXPECT_EQ(a.char_of_byte[0xAD], U'\u0143');  // the soft hyphen is the 68th shifted byte
  std::set<int64_t> ids(a.id_of_byte.begin(), a.id_of_byte.end());
  EXPECT_EQ(ids.size(), 256u);
}

TEST(ByteAlphabet, RoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(llm::bytes_to_alphabet(" the"), "\u0120the");
  EXPECT_EQ(llm::alphabet_to_bytes(llm::bytes_to_alphabet(all)), all);
  EXPECT_EQ(llm::alphabet_to_bytes("a b"), std::nullopt);       // a raw space is not in the alphabet
  EXPECT_EQ(llm::alphabet_to_bytes("\u0144"), std::nullopt);    // one past the shifted range
  EXPECT_EQ(llm::alphabet_to_bytes("\xff"), std::nullopt);      // not UTF-8
}

TEST(ByteAlphabet, DecodesUtf8) {
  char32_t cp = 0;
  EXPECT_EQ(llm::decode_utf8("\xf0\x9f\x91\x8d", 0, cp), 4u);
  EXPECT_EQ(cp, U'\U0001F44D');
  std::string out;
  llm::append_utf8(out, U'\U0001F44D');
  EXPECT_EQ(out, "\xf0\x9f\x91\x8d");
  EXPECT_EQ(llm::decode_utf8("\xe0\x80\x80", 0, cp), 0u);  // overlong
}

}  // namespace
}  // namespace minigrad

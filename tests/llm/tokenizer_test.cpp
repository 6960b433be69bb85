// GPT2Tokenizer against tiktoken: the fixture corpus (tests/fixtures/tokenizer.txt, written
// by tools/make_tokenizer_fixtures.js from tiktoken's own ids), the book's two examples,
// the whole GPL-3 text, round trips, and every bad input encode/decode can meet.
#include "llm/tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "llm/byte_alphabet.h"
#include "tests/llm/gpt2_vocab.h"
#include "tests/testing.h"
#include "tests/paths.h"

namespace minigrad {
namespace {

using llm::GPT2Tokenizer;
using testing::gpt2_tokenizer;
using testing::throws_with;
using Merges = std::vector<GPT2Tokenizer::Merge>;
const std::set<std::string> kAllowEot = {"<|endoftext|>"};

struct Case {
  std::string text;
  bool allow_eot = false;
  std::vector<int64_t> ids;
  int line = 0;
};

// Undoes the fixture's escapes: \n \r \t \\ and \u{HEX}.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    char e = s.at(++i);
    if (e == 'n') out += '\n';
    else if (e == 'r') out += '\r';
    else if (e == 't') out += '\t';
    else if (e == '\\') out += '\\';
    else if (e == 'u') {
      size_t close = s.find('}', i);
      llm::append_utf8(out, static_cast<char32_t>(std::stoul(s.substr(i + 2, close - i - 2), nullptr, 16)));
      i = close;
    } else {
      throw std::runtime_error("tokenizer.txt: unknown escape \\" + std::string(1, e));
    }
  }
  return out;
}

struct Corpus {
  std::vector<Case> cases;
  int64_t gpl_bytes = 0;
  std::vector<int64_t> gpl_ids;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus c;
    std::string path = std::string(MINIGRAD_FIXTURE_DIR) + "/tokenizer.txt";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::string line;
    bool gpl = false;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.rfind("T ", 0) == 0) {
        c.cases.push_back({unescape(line.substr(4)), line[2] == '1', {}, number});
      } else if (line.rfind("GPL ", 0) == 0) {
        std::istringstream(line.substr(4)) >> c.gpl_bytes;
        gpl = true;
      } else if (line.rfind("I", 0) == 0) {
        std::istringstream ids(line.substr(1));
        std::vector<int64_t>& into = gpl ? c.gpl_ids : c.cases.back().ids;
        for (int64_t id; ids >> id;) into.push_back(id);
      }
    }
    return c;
  }();
  return c;
}

TEST(GPT2Tokenizer, BookExamplesGiveTheBooksIds) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  EXPECT_EQ(tok.encode("Hello, do you like tea? <|endoftext|> In the sunlit terraces of the palace.", kAllowEot),
            (std::vector<int64_t>{15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114,
                                  286, 262, 20562, 13}));
  EXPECT_EQ(tok.encode("Akwirw ier"), (std::vector<int64_t>{33901, 86, 343, 86, 220, 959}));
  // The book's decode cell: the ids of "Akwirw ier" read back, piece by piece.
  EXPECT_EQ(tok.decode({33901}), "Ak");
  EXPECT_EQ(tok.decode({33901, 86, 343, 86, 220, 959}), "Akwirw ier");
}

TEST(GPT2Tokenizer, VocabularyHas50257Tokens) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  EXPECT_EQ(tok.n_vocab(), 50257);
  EXPECT_EQ(tok.merges().size(), 50000u);
  EXPECT_EQ(tok.special_tokens(), (std::map<std::string, int64_t>{{"<|endoftext|>", 50256}}));
  EXPECT_EQ(tok.token_bytes(0), "!");
  EXPECT_EQ(tok.token_bytes(220), " ");  // "Ġ" in the files
  EXPECT_EQ(tok.token_bytes(262), " the");
}

TEST(GPT2Tokenizer, EqualsTiktokenOnTheFixtureCorpus) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  ASSERT_GE(corpus().cases.size(), 200u);
  for (const Case& c : corpus().cases) {
    std::vector<int64_t> ids = tok.encode(c.text, c.allow_eot ? kAllowEot : std::set<std::string>{});
    EXPECT_EQ(ids, c.ids) << "tokenizer.txt line " << c.line;
    EXPECT_EQ(tok.decode(ids), c.text) << "tokenizer.txt line " << c.line;
  }
}

TEST(GPT2Tokenizer, EqualsTiktokenOnTheWholeGpl3Text) {
  std::ifstream in("/usr/share/common-licenses/GPL-3", std::ios::binary);
  ASSERT_TRUE(in) << "/usr/share/common-licenses/GPL-3 (Debian's base-files) is missing";
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_EQ(static_cast<int64_t>(text.str().size()), corpus().gpl_bytes) << "this GPL-3 is not the fixture's";
  std::vector<int64_t> ids = gpt2_tokenizer().encode(text.str());
  ASSERT_EQ(ids.size(), 8075u);
  ASSERT_EQ(ids.size(), corpus().gpl_ids.size());
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], corpus().gpl_ids[i]) << "first difference at token " << i;
  EXPECT_EQ(gpt2_tokenizer().decode(ids), text.str());
}

// Every code point, each in a short sample, against tiktoken (tests/fixtures/tokenizer_sweep.txt,
// from tools/make_tokenizer_sweep.js): the ids are hashed per block of 4096 code points.
// The fixture's SKIP ranges are code points Unicode assigned after PCRE2 10.42's Unicode 14.
TEST(GPT2Tokenizer, EqualsTiktokenOnEveryCodePoint) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  std::ifstream in(std::string(MINIGRAD_FIXTURE_DIR) + "/tokenizer_sweep.txt");
  ASSERT_TRUE(in);
  std::vector<std::pair<char32_t, char32_t>> skip;
  int blocks = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "SKIP") {
      std::string a, b;
      fields >> a >> b;
      skip.emplace_back(std::stoul(a, nullptr, 16), std::stoul(b, nullptr, 16));
      continue;
    }
    if (kind != "B") continue;
    std::string first_hex, want_hash;
    int want_n = 0;
    fields >> first_hex >> want_n >> want_hash;
    char32_t first = static_cast<char32_t>(std::stoul(first_hex, nullptr, 16));
    uint32_t hash = 2166136261u;
    auto mix = [&hash](uint32_t v) {  // FNV-1a over the 4 little-endian bytes of v
      for (int i = 0; i < 4; ++i) hash = (hash ^ ((v >> (8 * i)) & 0xFF)) * 16777619u;
    };
    int n = 0;
    for (char32_t cp = first; cp < first + 0x1000; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      bool skipped = false;
      for (const auto& [a, b] : skip) skipped = skipped || (cp >= a && cp <= b);
      if (skipped) continue;
      std::string c;
      llm::append_utf8(c, cp);
      for (int64_t id : tok.encode("x" + c + "x " + c + c + "1" + c + " " + c + "'s" + c)) mix(static_cast<uint32_t>(id));
      mix(0xFFFFFFFFu);
      ++n;
    }
    char have_hash[16];
    std::snprintf(have_hash, sizeof have_hash, "%x", hash);
    EXPECT_EQ(n, want_n) << "block U+" << first_hex;
    EXPECT_EQ(have_hash, want_hash) << "the ids differ from tiktoken's for a code point in U+" << first_hex << " + 4096";
    ++blocks;
  }
  EXPECT_EQ(blocks, 0x110000 / 0x1000);
}

TEST(GPT2Tokenizer, MergesTheLowestRankedPairFirst) {
  // Toy vocabulary: merge 0 " "+"l" (id 256), 1 "o"+"w" (257), 2 " l"+"ow" (258), 3 "e"+"r" (259).
  // " lower": [" ","l","o","w","e","r"] -> " l" (256) -> "ow" (257) -> " low" (258) -> "er" (259);
  // " lower" is not a token, so the piece ends as [" low", "er"].
  GPT2Tokenizer tok({{" ", "l"}, {"o", "w"}, {" l", "ow"}, {"e", "r"}});
  EXPECT_EQ(tok.encode(" lower"), (std::vector<int64_t>{258, 259}));
  // "lower" (no space) cannot use " l": ["l", "ow", "er"] = [75, 257, 259] ('l' is byte id 75).
  EXPECT_EQ(tok.encode("lower"), (std::vector<int64_t>{75, 257, 259}));
  EXPECT_EQ(tok.n_vocab(), 256 + 4 + 1);
}

TEST(GPT2Tokenizer, DecodeReturnsRawBytesEvenMidCharacter) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  std::vector<int64_t> ids = tok.encode("👍");  // four UTF-8 bytes, more than one token
  ASSERT_GT(ids.size(), 1u);
  EXPECT_EQ(tok.decode({ids[0]}), tok.token_bytes(ids[0]));
  std::string joined;
  for (int64_t id : ids) joined += tok.decode({id});
  EXPECT_EQ(joined, "👍");
}

TEST(GPT2Tokenizer, DisallowedSpecialTokenNamesItAndItsOffset) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { tok.encode("Hello <|endoftext|> world"); },
                                                 {"encode", "<|endoftext|>", "byte offset 6", "allowed_special", "50256"}));
  // Its text is still encodable as ordinary text when split: only the whole string is special.
  EXPECT_EQ(tok.decode(tok.encode("<|endoftext")), "<|endoftext");
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { tok.encode("x", {"<|endoftxt|>"}); },
                                                 {"allowed_special", "<|endoftxt|>", "not a special token"}));
}

TEST(GPT2Tokenizer, InvalidUtf8NamesTheByteOffset) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { tok.encode("abc\xff"); },
                                                 {"not valid UTF-8", "byte offset 3", "0xFF"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { tok.encode("h\xc3\xa9llo \xc3(x"); }, {"byte offset 7", "0xC3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { tok.encode("\xed\xa0\x80"); }, {"byte offset 0"}));  // a surrogate
}

TEST(GPT2Tokenizer, DecodeRejectsIdsOutsideTheVocabulary) {
  const GPT2Tokenizer& tok = gpt2_tokenizer();
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { tok.decode({15496, 11, 50257}); },
                                             {"decode", "id 50257", "position 2", "0..50256"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { tok.decode({-1}); }, {"id -1", "position 0"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { tok.token_bytes(60000); }, {"id 60000"}));
}

TEST(GPT2Tokenizer, RejectsMergesOfUnknownHalvesAndBadSpecialTokens) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { GPT2Tokenizer(Merges{{"ab", "c"}}); },
                                                 {"merge 0", "\"ab\" is not a token yet"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { GPT2Tokenizer(Merges{{"a", "b"}, {"a", "b"}}); },
                                                 {"merge 1", "already token 256"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { GPT2Tokenizer({}, {"<|x|>", "<|x|>"}); }, {"<|x|>", "twice"}));
}

}  // namespace
}  // namespace minigrad

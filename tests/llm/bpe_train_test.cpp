// train_bpe: the merges a hand-worked example predicts, ties included; stopping when
// nothing is left to merge; a trained tokenizer surviving its own saved files; bad input.
#include "llm/bpe_train.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing.h"

namespace minigrad {
namespace {

using llm::GPT2Tokenizer;
using testing::throws_with;
using Merges = std::vector<GPT2Tokenizer::Merge>;

// "hop hop top" by hand. GPT-2's pattern gives the pieces "hop", " hop", " top" (once each).
// Byte ids: 'h' 71, 'o' 78, 'p' 79, 't' 83, ' ' 220 (byte_alphabet.h).
//   pairs: h+o 2, o+p 3, ' '+h 1, ' '+t 1, t+o 1           -> merge 0: o+p (3)   = "op"  id 256
//   pieces [h,op] [' ',h,op] [' ',t,op]
//   pairs: h+op 2, ' '+h 1, ' '+t 1, t+op 1                 -> merge 1: h+op (2)  = "hop" id 257
//   pieces [hop] [' ',hop] [' ',t,op]
//   pairs: ' '+hop (220,257) 1, ' '+t (220,83) 1, t+op (83,256) 1: a three-way tie; the
//   smallest left id wins (83 < 220)                         -> merge 2: t+op      = "top" id 258
//   pieces [hop] [' ',hop] [' ',top]
//   pairs: (220,257) 1, (220,258) 1: equal left ids, so the smaller right id wins
//                                                            -> merge 3: ' '+hop   = " hop" id 259
//   then the only pair left                                  -> merge 4: ' '+top   = " top" id 260
// Every piece is now one token, so training stops there even if asked for more.
TEST(TrainBpe, LearnsTheHandWorkedMergesWithTiesBrokenBySmallerIds) {
  std::vector<int64_t> counts;
  GPT2Tokenizer tok = llm::train_bpe("hop hop top", 300, [&](int64_t index, const GPT2Tokenizer::Merge&, int64_t count) {
    EXPECT_EQ(index, static_cast<int64_t>(counts.size()));
    counts.push_back(count);
  });
  EXPECT_EQ(tok.merges(), (Merges{{"o", "p"}, {"h", "op"}, {"t", "op"}, {" ", "hop"}, {" ", "top"}}));
  EXPECT_EQ(counts, (std::vector<int64_t>{3, 2, 1, 1, 1}));
  EXPECT_EQ(tok.n_vocab(), 256 + 5 + 1);
  EXPECT_EQ(tok.special_tokens().at("<|endoftext|>"), 261);
  EXPECT_EQ(tok.encode("hop top"), (std::vector<int64_t>{257, 260}));
  // " hot" was never seen: none of " h", "ho", "ot" is a token, so it stays four bytes.
  EXPECT_EQ(tok.encode(" hot"), (std::vector<int64_t>{220, 71, 78, 83}));
}

TEST(TrainBpe, StopsAtTheRequestedVocabularySize) {
  GPT2Tokenizer tok = llm::train_bpe("hop hop top", 256 + 2 + 1);
  EXPECT_EQ(tok.merges(), (Merges{{"o", "p"}, {"h", "op"}}));
  EXPECT_EQ(llm::train_bpe("hop hop top", 257).merges().size(), 0u);
}

// "aaaa aaaa": pieces "aaaa", " aaaa". Merges replace left to right without overlap:
//   a+a counts 3 + 3 = 6 (overlapping pairs are counted) -> "aa"; pieces [aa,aa] [' ',aa,aa]
//   then aa+aa 2 beats ' '+aa 1 -> "aaaa"; then ' '+aaaa -> " aaaa".
TEST(TrainBpe, CountsOverlappingPairsButReplacesLeftToRight) {
  std::vector<int64_t> counts;
  GPT2Tokenizer tok = llm::train_bpe("aaaa aaaa", 1000,
                                     [&](int64_t, const GPT2Tokenizer::Merge&, int64_t count) { counts.push_back(count); });
  EXPECT_EQ(tok.merges(), (Merges{{"a", "a"}, {"aa", "aa"}, {" ", "aaaa"}}));
  EXPECT_EQ(counts, (std::vector<int64_t>{6, 2, 1}));
}

TEST(TrainBpe, DoesNotMergeAcrossEndOfText) {
  // Read as ordinary text, "<|endoftext|>" would give the pieces "<|", "endoftext", "|>" and
  // their pairs; as a document separator it gives none, so only a+b (twice) is learned.
  GPT2Tokenizer tok = llm::train_bpe("ab<|endoftext|>ab", 1000);
  EXPECT_EQ(tok.merges(), (Merges{{"a", "b"}}));
}

TEST(TrainBpe, TrainedTokenizerRoundTripsThroughItsFiles) {
  std::ifstream in("/usr/share/common-licenses/GPL-3", std::ios::binary);
  ASSERT_TRUE(in) << "/usr/share/common-licenses/GPL-3 (Debian's base-files) is missing";
  std::stringstream text;
  text << in.rdbuf();
  GPT2Tokenizer trained = llm::train_bpe(text.str(), 256 + 300 + 1);
  ASSERT_EQ(trained.merges().size(), 300u);
  EXPECT_EQ(trained.merges()[0], (GPT2Tokenizer::Merge{" ", "t"}));  // the most frequent pair in the GPL

  auto dir = std::filesystem::temp_directory_path() / ("minigrad_bpe_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  trained.save((dir / "encoder.json").string(), (dir / "vocab.bpe").string());
  GPT2Tokenizer loaded = GPT2Tokenizer::from_files((dir / "encoder.json").string(), (dir / "vocab.bpe").string());
  EXPECT_EQ(loaded.merges(), trained.merges());
  EXPECT_EQ(loaded.n_vocab(), trained.n_vocab());
  std::vector<int64_t> ids = trained.encode(text.str());
  EXPECT_EQ(loaded.encode(text.str()), ids);
  EXPECT_LT(ids.size(), text.str().size() / 2);  // 300 merges at least halve the GPL's 35,149 bytes
  EXPECT_EQ(loaded.decode(ids), text.str());
  std::filesystem::remove_all(dir);
}

TEST(TrainBpe, RejectsBadInput) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::train_bpe("abc", 256); }, {"train_bpe", "vocab_size 256", ">= 257"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::train_bpe("ab\x80", 300); }, {"train_bpe", "UTF-8", "byte offset 2"}));
}

}  // namespace
}  // namespace minigrad

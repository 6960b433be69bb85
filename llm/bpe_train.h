// train_bpe: learns a byte-level BPE vocabulary from a text, the from-scratch route to the
// kind of vocabulary GPT-2 ships. The result is a GPT2Tokenizer that saves to the same two
// files. Not fast at scale (it recounts all pairs after each merge): for learning and tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "llm/tokenizer.h"

namespace minigrad::llm {

// Called after each merge is learned: its index (0-based; it makes token 256 + index),
// the two halves and how many times the pair occurred in the text when it was chosen.
using MergeCallback = std::function<void(int64_t index, const GPT2Tokenizer::Merge& merge, int64_t count)>;

// Learns vocab_size - 257 merges (256 byte tokens + merges + <|endoftext|> = vocab_size),
// fewer if every word of the text has become a single token first.
//   1. Split the text with GPT-2's pattern (pretokenize.h) and count each piece; merges
//      never cross a piece, so " the" can become a token but "e." cannot. Occurrences of
//      <|endoftext|> separate documents and are not learned from.
//   2. Write every piece as a list of byte tokens.
//   3. Count each neighbouring pair of tokens over all pieces (times the piece's count),
//      pick the most frequent pair, and make it a new token: replace it in every piece,
//      left to right (so "aaa" with the pair a+a becomes "aa", "a").
//      Ties: the pair with the smaller left id wins, then the smaller right id. Ids follow
//      learning order (bytes first, in GPT-2's byte order: '!' = 0, 'a' = 64, space = 220).
//   4. Repeat 3.
GPT2Tokenizer train_bpe(const std::string& text, int64_t vocab_size, const MergeCallback& on_merge = {});

}  // namespace minigrad::llm

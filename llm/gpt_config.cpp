// GPTConfig::validate: the messages a wrong configuration gets.
// Not here: the layers' own checks (each names its layer).
#include "llm/gpt_config.h"

#include <sstream>
#include <stdexcept>
#include <string>

namespace minigrad::llm {

namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("GPTConfig: " + what); }

}  // namespace

void GPTConfig::validate() const {
  const std::pair<const char*, int64_t> sizes[] = {{"vocab_size", vocab_size}, {"context_length", context_length},
                                                   {"emb_dim", emb_dim},       {"n_heads", n_heads},
                                                   {"n_layers", n_layers}};
  for (const auto& [field, value] : sizes)
    if (value <= 0) bad(std::string(field) + " is " + std::to_string(value) + "; it must be positive");
  if (emb_dim % n_heads != 0) {
    bad("emb_dim (" + std::to_string(emb_dim) + ") must be divisible by n_heads (" + std::to_string(n_heads) +
        "): each head gets emb_dim / n_heads channels");
  }
  if (!(drop_rate >= 0.0 && drop_rate < 1.0)) {
    std::ostringstream ss;
    ss << "drop_rate is " << drop_rate << "; it must be in [0, 1)";
    bad(ss.str());
  }
}

}  // namespace minigrad::llm

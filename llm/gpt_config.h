// GPTConfig: the seven numbers that size the book's GPT (chapter 4's GPT_CONFIG_124M
// dictionary), as an aggregate in the book's order, and the check every model runs on it.
// Not here: the model (llm/gpt.h) or its layers (llm/attention.h, llm/transformer_block.h).
#pragma once

#include <cstdint>

namespace minigrad::llm {

struct GPTConfig {
  int64_t vocab_size;      // token ids are in [0, vocab_size)
  int64_t context_length;  // the most tokens the model reads at once (positions, causal mask)
  int64_t emb_dim;         // C: the width of every token's vector
  int64_t n_heads;         // attention heads; each has emb_dim / n_heads channels
  int64_t n_layers;        // transformer blocks
  double drop_rate;        // dropout probability, in [0, 1)
  bool qkv_bias;           // whether W_query, W_key and W_value have biases

  // Throws std::invalid_argument naming the first bad field and its value: a size that is
  // not positive, an emb_dim that n_heads does not divide, a drop_rate outside [0, 1).
  void validate() const;
};

// GPT-2 small: "124M" parameters once the output head shares the token embedding's weight;
// 163,009,536 as the book builds it, with a separate out_head.
inline constexpr GPTConfig GPT_CONFIG_124M{
    .vocab_size = 50257,
    .context_length = 1024,
    .emb_dim = 768,
    .n_heads = 12,
    .n_layers = 12,
    .drop_rate = 0.1,
    .qkv_bias = false,
};

}  // namespace minigrad::llm

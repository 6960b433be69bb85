// llm::GPTModel: the book's chapter 4 GPT (GPT-2's architecture), token ids in, logits out,
// and generate_text_simple, its greedy decoder. Module names and order are the book's, so
// state_dict() lists tok_emb.weight, pos_emb.weight, trf_blocks.0.att.mask, ... in
// PyTorch's order, and manual_seed(123) gives the book's weights.
// Shapes: B batch, T tokens, C = emb_dim, V = vocab_size.
// Not here: the blocks (llm/transformer_block.h), the attention (llm/attention.h), text (llm/tokenizer.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/tensor.h"
#include "llm/gpt_config.h"
#include "llm/transformer_block.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "nn/module.h"
#include "nn/sequential.h"

namespace minigrad::llm {

class GPTModel : public nn::Module {
 public:
  // Validates cfg (GPTConfig::validate), then builds, in the book's order: tok_emb, pos_emb,
  // drop_emb, trf_blocks (n_layers TransformerBlocks), final_norm, out_head (no bias).
  explicit GPTModel(const GPTConfig& cfg);

  // Int64 ids (B, T), 1 <= T <= context_length, each in [0, vocab_size) -> logits (B, T, V).
  // Anything else throws: std::invalid_argument naming the shape or dtype, std::out_of_range
  // naming the id and its position.
  Tensor forward(const Tensor& in_idx) override;
  // The book's training loss, cross_entropy(forward(in_idx).flatten(0, 1), targets.flatten()),
  // with the same bits and gradients but never the (B*T, V) logits: forward's trunk, then
  // out_head and the loss fused (linear_cross_entropy, core/ops/loss.cpp). targets (B, T) Int64.
  Tensor loss(const Tensor& in_idx, const Tensor& targets);
  std::string name() const override { return "GPTModel"; }

  GPTConfig cfg;
  std::shared_ptr<nn::Embedding> tok_emb;  // (V, C)
  std::shared_ptr<nn::Embedding> pos_emb;  // (context_length, C)
  std::shared_ptr<nn::Dropout> drop_emb;
  std::shared_ptr<nn::Sequential> trf_blocks;  // "0", "1", ...: TransformerBlock
  std::shared_ptr<LayerNorm> final_norm;
  std::shared_ptr<nn::Linear> out_head;  // (V, C)
};

// The book's greedy decoder: max_new_tokens times, crop idx to its last context_size tokens,
// run the model (under NoGradGuard), and append the id with the largest logit at the last
// position. idx (B, T) Int64 -> (B, T + max_new_tokens). The model's mode is left as it is:
// call model.eval() first, as the book does, or dropout stays on.
Tensor generate_text_simple(GPTModel& model, Tensor idx, int64_t max_new_tokens, int64_t context_size);

}  // namespace minigrad::llm

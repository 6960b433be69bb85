// llm::MultiHeadAttention: the book's causal multi-head self-attention (chapter 3's last
// class, used by chapter 4's TransformerBlock), with its attribute names, so a state_dict
// reads "att.mask", "att.W_query.weight", ... in PyTorch's order.
// Shapes: B batch, T tokens, C = d_in, D = d_out, H heads, hd = D / H channels a head.
// Not here: the block around it (llm/transformer_block.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/tensor.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "nn/module.h"

namespace minigrad::llm {

// The book's path, op by op: scores = q k^T, the causal mask filled with -inf, softmax of
// scores / sqrt(hd), dropout on the weights, weights @ v. q, k, v (B, H, T, hd);
// mask (>= T, >= T), nonzero above the diagonal (the book's float buffer). -> (B, H, T, hd).
// Dropout draws from the default generator exactly as torch's does in the book's forward.
Tensor causal_attention_composite(const Tensor& queries, const Tensor& keys, const Tensor& values,
                                  const Tensor& mask, double dropout_p, bool train);

class MultiHeadAttention : public nn::Module {
 public:
  // As the book's MultiHeadAttention(d_in, d_out, context_length, dropout, num_heads, qkv_bias):
  // draws W_query, W_key, W_value, out_proj in that order (nn::Linear's init) and registers
  // the buffer mask = triu(ones(context_length, context_length), 1), float32 as the book's.
  // Throws std::invalid_argument when a size is not positive, num_heads does not divide
  // d_out, or dropout is outside [0, 1).
  MultiHeadAttention(int64_t d_in, int64_t d_out, int64_t context_length, double dropout,
                     int64_t num_heads, bool qkv_bias = false);

  // x (B, T, d_in) -> (B, T, d_out), T <= context_length, through the composite path above:
  // with dropout active (training and p > 0) its draws are torch's. Without dropout this is
  // where core's fused scaled_dot_product_attention(q, k, v, is_causal = true) goes once it
  // is merged (branch attn). Other shapes throw std::invalid_argument naming the shape.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MultiHeadAttention"; }

  int64_t d_out;
  int64_t num_heads;
  int64_t head_dim;
  int64_t context_length;
  std::shared_ptr<nn::Linear> W_query, W_key, W_value, out_proj;
  std::shared_ptr<nn::Dropout> dropout;
  Tensor mask;  // (context_length, context_length): 1 above the diagonal, 0 elsewhere
};

}  // namespace minigrad::llm

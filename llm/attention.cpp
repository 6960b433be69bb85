// MultiHeadAttention: the book's forward, split into heads and back. While dropout is active it
// attends through the book's composite path (mask, softmax, dropout on the weights: draw for
// draw as torch); otherwise through the fused scaled_dot_product_attention (core/ops/attention.cpp),
// which gives the same values (tests/llm/attention_test.cpp) without storing the (T, T) weights.
// Not here: the linear layers' math (core/ops/linear.cpp).
// Shapes: B batch, T tokens, D = d_out, H heads, hd = D / H.
#include "llm/attention.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/random.h"

namespace minigrad::llm {

Tensor causal_attention_composite(const Tensor& queries, const Tensor& keys, const Tensor& values,
                                  const Tensor& mask, double dropout_p, bool train) {
  const int64_t T = queries.size(-2);
  const double hd = static_cast<double>(keys.size(-1));
  Tensor scores = queries.matmul(keys.transpose(-2, -1));              // (B, H, T, T)
  Tensor future = mask.slice(0, 0, T).slice(1, 0, T).to(DType::Bool);  // (T, T): j > i
  scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  Tensor weights = (scores / std::sqrt(hd)).softmax(-1);  // (B, H, T, T); each row sums to 1
  weights = dropout(weights, dropout_p, train);
  return weights.matmul(values);  // (B, H, T, hd)
}

MultiHeadAttention::MultiHeadAttention(int64_t d_in, int64_t d_out, int64_t context_length, double dropout_p,
                                       int64_t num_heads, bool qkv_bias)
    : d_out(d_out), num_heads(num_heads), context_length(context_length) {
  for (auto [field, value] : {std::pair<const char*, int64_t>{"d_in", d_in}, {"d_out", d_out},
                              {"context_length", context_length}, {"num_heads", num_heads}}) {
    if (value <= 0)
      throw std::invalid_argument("MultiHeadAttention: " + std::string(field) + " is " + std::to_string(value) +
                                  "; it must be positive");
  }
  if (d_out % num_heads != 0) {
    throw std::invalid_argument("MultiHeadAttention: d_out (" + std::to_string(d_out) +
                                ") must be divisible by num_heads (" + std::to_string(num_heads) + ")");
  }
  if (!(dropout_p >= 0.0 && dropout_p < 1.0)) {
    throw std::invalid_argument("MultiHeadAttention: dropout is " + std::to_string(dropout_p) +
                                "; it must be in [0, 1)");
  }
  head_dim = d_out / num_heads;
  // The book's order: the three projections, out_proj, dropout, then the mask buffer.
  W_query = register_module("W_query", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
  W_key = register_module("W_key", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
  W_value = register_module("W_value", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
  out_proj = register_module("out_proj", std::make_shared<nn::Linear>(d_out, d_out));
  dropout = register_module("dropout", std::make_shared<nn::Dropout>(dropout_p));
  mask = register_buffer("mask", ones({context_length, context_length}).triu(1));
}

Tensor MultiHeadAttention::forward(const Tensor& x) {
  if (x.dim() != 3) {
    throw std::invalid_argument("MultiHeadAttention: expected x of shape (batch, tokens, d_in), got " +
                                shape_str(x.sizes()));
  }
  const int64_t B = x.size(0), T = x.size(1);
  if (T > context_length) {
    throw std::invalid_argument("MultiHeadAttention: x " + shape_str(x.sizes()) + " has " + std::to_string(T) +
                                " tokens, more than context_length " + std::to_string(context_length));
  }
  // [snippet heads]
  // Project, then split D into H heads of hd channels and bring the heads forward.
  Tensor keys = (*W_key)(x).view({B, T, num_heads, head_dim}).transpose(1, 2);       // (B, H, T, hd)
  Tensor queries = (*W_query)(x).view({B, T, num_heads, head_dim}).transpose(1, 2);  // (B, H, T, hd)
  Tensor values = (*W_value)(x).view({B, T, num_heads, head_dim}).transpose(1, 2);   // (B, H, T, hd)

  const bool drop = dropout->is_training() && dropout->p > 0.0;
  Tensor context = drop ? causal_attention_composite(queries, keys, values, mask, dropout->p, true)
                        : scaled_dot_product_attention(queries, keys, values, {}, 0.0, /*is_causal=*/true);  // (B, H, T, hd)
  context = context.transpose(1, 2).reshape({B, T, d_out});  // (B, T, D): the heads side by side again
  return (*out_proj)(context);                                // (B, T, D)
  // [end heads]
}

}  // namespace minigrad::llm

// The book's LayerNorm, GELU, FeedForward and TransformerBlock: constructors in the book's
// registration order (so manual_seed gives torch's weights) and their forwards.
// Not here: the attention (llm/attention.cpp).
// Shapes: B batch, T tokens, C = emb_dim.
#include "llm/transformer_block.h"

#include "nn/linear.h"

namespace minigrad::llm {

LayerNorm::LayerNorm(int64_t emb_dim) {
  check_sizes("LayerNorm", {{"emb_dim", emb_dim}});
  scale = register_parameter("scale", ones({emb_dim}));
  shift = register_parameter("shift", zeros({emb_dim}));
}

// The book's lines, computed by one fused op (core/ops/layer_norm.cpp) that saves only each
// row's mean and 1/sigma for the backward:
//   mean = x.mean(-1, keepdim=True); var = x.var(-1, unbiased=False, keepdim=True)
//   norm_x = (x - mean) / sqrt(var + eps); return scale * norm_x + shift
Tensor LayerNorm::forward(const Tensor& x) {
  return layer_norm(x, {x.size(-1)}, scale, shift, eps);  // (*, C)
}

Tensor GELU::forward(const Tensor& x) { return gelu(x, "tanh"); }

FeedForward::FeedForward(const GPTConfig& cfg) {
  // One push_back a layer, not Sequential(Linear, GELU, Linear): the two Linears must draw
  // their weights in this order, and C++ evaluates a call's arguments in no fixed order.
  layers = register_module("layers", std::make_shared<nn::Sequential>());
  layers->push_back(std::make_shared<nn::Linear>(cfg.emb_dim, 4 * cfg.emb_dim));
  layers->push_back(std::make_shared<GELU>());
  layers->push_back(std::make_shared<nn::Linear>(4 * cfg.emb_dim, cfg.emb_dim));
}

Tensor FeedForward::forward(const Tensor& x) { return (*layers)(x); }  // (B, T, C) -> (B, T, 4C) -> (B, T, C)

TransformerBlock::TransformerBlock(const GPTConfig& cfg) {
  cfg.validate();
  att = register_module("att", std::make_shared<MultiHeadAttention>(cfg.emb_dim, cfg.emb_dim, cfg.context_length,
                                                                    cfg.drop_rate, cfg.n_heads, cfg.qkv_bias));
  ff = register_module("ff", std::make_shared<FeedForward>(cfg));
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(cfg.emb_dim));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(cfg.emb_dim));
  drop_shortcut = register_module("drop_shortcut", std::make_shared<nn::Dropout>(cfg.drop_rate));
}

// [snippet block]
Tensor TransformerBlock::forward(const Tensor& x) {
  // Attention, with a shortcut around it: the gradient reaches x through the + unchanged.
  Tensor h = x + (*drop_shortcut)((*att)((*norm1)(x)));  // (B, T, C)
  // The feed-forward network, with a shortcut around it.
  return h + (*drop_shortcut)((*ff)((*norm2)(h)));  // (B, T, C)
}
// [end block]

}  // namespace minigrad::llm

// The book's chapter 4 layers around the attention: its LayerNorm (parameters `scale` and
// `shift`), its GELU (GPT-2's tanh approximation), FeedForward (Linear, GELU, Linear) and the
// pre-LayerNorm TransformerBlock with its two shortcut connections.
// Shapes: B batch, T tokens, C = emb_dim.
// Not here: the attention (llm/attention.h) or the whole model (llm/gpt.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/tensor.h"
#include "llm/attention.h"
#include "llm/gpt_config.h"
#include "nn/dropout.h"
#include "nn/module.h"
#include "nn/sequential.h"

namespace minigrad::llm {

// The book's LayerNorm: (x - mean) / sqrt(var + eps) over the last dim, var biased (divides
// by C), then scale * . + shift. scale = ones(C), shift = zeros(C); eps = 1e-5.
// nn::LayerNorm (nn/layer_norm.h) computes the same under torch's names, weight and bias.
class LayerNorm : public nn::Module {
 public:
  explicit LayerNorm(int64_t emb_dim);
  Tensor forward(const Tensor& x) override;  // (*, C) -> (*, C)
  std::string name() const override { return "LayerNorm"; }

  double eps = 1e-5;
  Tensor scale;  // (C)
  Tensor shift;  // (C)
};

// The book's GELU class: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), which is
// gelu(x, "tanh"); it prints as the book's "GELU()".
class GELU : public nn::Module {
 public:
  Tensor forward(const Tensor& x) override;  // (*) -> (*)
  std::string name() const override { return "GELU"; }
};

// layers = Sequential(Linear(C, 4C), GELU(), Linear(4C, C)): state_dict "layers.0.weight", ...
class FeedForward : public nn::Module {
 public:
  explicit FeedForward(const GPTConfig& cfg);
  Tensor forward(const Tensor& x) override;  // (B, T, C) -> (B, T, C)
  std::string name() const override { return "FeedForward"; }

  std::shared_ptr<nn::Sequential> layers;
};

// x = x + drop_shortcut(att(norm1(x)));  x = x + drop_shortcut(ff(norm2(x))).
// Registered as the book's: att, ff, norm1, norm2, drop_shortcut.
class TransformerBlock : public nn::Module {
 public:
  explicit TransformerBlock(const GPTConfig& cfg);  // validates cfg
  Tensor forward(const Tensor& x) override;         // (B, T, C) -> (B, T, C)
  std::string name() const override { return "TransformerBlock"; }

  std::shared_ptr<MultiHeadAttention> att;
  std::shared_ptr<FeedForward> ff;
  std::shared_ptr<LayerNorm> norm1, norm2;
  std::shared_ptr<nn::Dropout> drop_shortcut;
};

}  // namespace minigrad::llm

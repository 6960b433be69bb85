// GPTModel's constructor and forward, and generate_text_simple: the book's code, line for line.
// Not here: the layers (llm/transformer_block.cpp, llm/attention.cpp).
// Shapes: B batch, T tokens, C = emb_dim, V = vocab_size.
#include "llm/gpt.h"

#include <stdexcept>
#include <string>

#include "core/autograd.h"

namespace minigrad::llm {

GPTModel::GPTModel(const GPTConfig& config) : cfg(config) {
  cfg.validate();
  tok_emb = register_module("tok_emb", std::make_shared<nn::Embedding>(cfg.vocab_size, cfg.emb_dim));
  pos_emb = register_module("pos_emb", std::make_shared<nn::Embedding>(cfg.context_length, cfg.emb_dim));
  drop_emb = register_module("drop_emb", std::make_shared<nn::Dropout>(cfg.drop_rate));
  trf_blocks = register_module("trf_blocks", std::make_shared<nn::Sequential>());
  for (int64_t i = 0; i < cfg.n_layers; ++i) trf_blocks->push_back(std::make_shared<TransformerBlock>(cfg));
  final_norm = register_module("final_norm", std::make_shared<LayerNorm>(cfg.emb_dim));
  out_head = register_module("out_head", std::make_shared<nn::Linear>(cfg.emb_dim, cfg.vocab_size, false));
}

namespace {

// The checks the book leaves to PyTorch, with messages that say which input and where.
void check_ids(const Tensor& in_idx, const GPTConfig& cfg) {
  if (in_idx.dtype() != DType::Int64) {
    throw std::invalid_argument("GPTModel: token ids must be Int64, got " + std::string(dtype_name(in_idx.dtype())) +
                                " " + shape_str(in_idx.sizes()));
  }
  if (in_idx.dim() != 2 || in_idx.size(1) == 0) {
    throw std::invalid_argument("GPTModel: expected token ids of shape (batch, tokens) with at least one token, got " +
                                shape_str(in_idx.sizes()) + "; a single sequence is ids.unsqueeze(0)");
  }
  if (in_idx.size(1) > cfg.context_length) {
    throw std::invalid_argument("GPTModel: token ids " + shape_str(in_idx.sizes()) + " hold " +
                                std::to_string(in_idx.size(1)) + " tokens, more than context_length " +
                                std::to_string(cfg.context_length) + "; keep the last ones, ids.slice(1, -" +
                                std::to_string(cfg.context_length) + "), or build the GPTDataset with max_length <= " +
                                std::to_string(cfg.context_length));
  }
  const int64_t* ids = in_idx.data_ptr<int64_t>();
  const int64_t T = in_idx.size(1);
  for (int64_t i = 0; i < in_idx.numel(); ++i) {
    if (ids[i] < 0 || ids[i] >= cfg.vocab_size) {
      throw std::out_of_range("GPTModel: token id " + std::to_string(ids[i]) + " at position (" +
                              std::to_string(i / T) + ", " + std::to_string(i % T) + ") is outside [0, vocab_size = " +
                              std::to_string(cfg.vocab_size) + ")");
    }
  }
}

}  // namespace

// [snippet forward]
Tensor GPTModel::forward(const Tensor& in_idx) {
  check_ids(in_idx, cfg);
  const int64_t T = in_idx.size(1);
  Tensor tok_embeds = (*tok_emb)(in_idx);           // (B, T, C)
  Tensor pos_embeds = (*pos_emb)(arange(T));        // (T, C): one vector per position
  Tensor x = (*drop_emb)(tok_embeds + pos_embeds);  // (B, T, C): positions broadcast over the batch
  x = (*trf_blocks)(x);                             // (B, T, C)
  x = (*final_norm)(x);                             // (B, T, C)
  return (*out_head)(x);                            // (B, T, V)
}
// [end forward]

Tensor GPTModel::loss(const Tensor& in_idx, const Tensor& targets) {
  check_ids(in_idx, cfg);
  Tensor x = (*drop_emb)((*tok_emb)(in_idx) + (*pos_emb)(arange(in_idx.size(1))));  // forward's trunk
  x = (*final_norm)((*trf_blocks)(x));                                                // (B, T, C)
  return linear_cross_entropy(x, out_head->weight, targets, out_head->bias);         // out_head, then the loss
}

Tensor generate_text_simple(GPTModel& model, Tensor idx, int64_t max_new_tokens, int64_t context_size) {
  NoGradGuard no_grad;
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    Tensor idx_cond = idx.slice(1, -context_size);          // (B, <= context_size): idx[:, -context_size:]
    Tensor logits = model(idx_cond).select(1, -1);          // (B, V): the last position's logits
    Tensor probas = logits.softmax(-1);                     // (B, V); its argmax is the logits' argmax
    Tensor idx_next = probas.argmax(-1, /*keepdim=*/true);  // (B, 1)
    idx = cat({idx, idx_next}, 1);                          // (B, T + 1)
  }
  return idx;
}

}  // namespace minigrad::llm

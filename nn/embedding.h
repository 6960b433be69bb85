// nn::Embedding: a table of num_embeddings vectors of size embedding_dim, looked up by
// token id. It computes what one_hot(ids, V) @ weight computes, without the one-hot
// (examples/embedding_vs_matmul.cpp shows the two agree, gradients included).
// Not here: the lookup and its scatter-add backward (core/ops/embedding.cpp:embedding).
#pragma once

#include <cstdint>
#include <optional>

#include "core/tensor.h"
#include "nn/module.h"

namespace minigrad::nn {

struct EmbeddingOptions {
  // A row that stays zero and never receives gradient (e.g. the id of a pad token).
  // Negative values count from the end, as torch's. Default: no padding row.
  std::optional<int64_t> padding_idx = std::nullopt;
};

class Embedding : public Module {
 public:
  // weight ~ N(0, 1), as torch.nn.Embedding: manual_seed(123); Embedding(6, 3) holds
  // the book's chapter 2 table. The padding row, if any, is then zeroed.
  Embedding(int64_t num_embeddings, int64_t embedding_dim, EmbeddingOptions options = {});

  // An Embedding over given vectors (V, C); freeze = true keeps them out of training.
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze = true,
                                   EmbeddingOptions options = {});

  // Int64 ids of any shape (*) -> vectors (*, embedding_dim). An id outside
  // [0, num_embeddings) throws std::out_of_range naming the id, its position and the table size.
  Tensor forward(const Tensor& indices) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;  // "50257, 768", then ", padding_idx=2" if set

  // Draws the weight again from the current stream (and zeroes the padding row).
  void reset_parameters();

  int64_t num_embeddings;
  int64_t embedding_dim;
  std::optional<int64_t> padding_idx;  // normalised to [0, num_embeddings)
  Tensor weight;                       // (num_embeddings, embedding_dim)
};

}  // namespace minigrad::nn

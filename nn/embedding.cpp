// nn::Embedding: argument checks, torch's initialisation, and the call into core's embedding op.
// Not here: the gather / scatter-add math (core/ops/embedding.cpp).
#include "nn/embedding.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "nn/functional.h"
#include "nn/init.h"

namespace minigrad::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, EmbeddingOptions options)
    : num_embeddings(num_embeddings), embedding_dim(embedding_dim) {
  check_sizes("Embedding", {{"num_embeddings", num_embeddings}, {"embedding_dim", embedding_dim}});
  padding_idx = functional::padding_row(options.padding_idx, num_embeddings);
  weight = register_parameter("weight", empty({num_embeddings, embedding_dim}));
  reset_parameters();
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, bool freeze, EmbeddingOptions options) {
  if (!embeddings.defined() || embeddings.dim() != 2) {
    throw std::invalid_argument("Embedding::from_pretrained: expected a 2-D tensor (num_embeddings, "
                                "embedding_dim), got " +
                                (embeddings.defined() ? shape_str(embeddings.sizes()) : std::string("undefined")));
  }
  Embedding e(0, 0, {});
  e.num_embeddings = embeddings.sizes()[0];
  e.embedding_dim = embeddings.sizes()[1];
  e.padding_idx = functional::padding_row(options.padding_idx, e.num_embeddings);
  // Like torch, the weight shares the given storage, and its padding row is not zeroed.
  e.weight = e.register_parameter("weight", embeddings.detach(), !freeze);
  return e;
}

void Embedding::reset_parameters() {
  init::normal_(weight);
  if (padding_idx) {
    // torch fills the row with 0 (a multiply by 0 would leave -0.0 where a draw was negative).
    // +0.0 is all zero bits in float32 and float64 alike.
    std::size_t row_bytes = static_cast<std::size_t>(embedding_dim) * element_size(weight.dtype());
    std::memset(static_cast<char*>(weight.raw_data()) + *padding_idx * row_bytes, 0, row_bytes);
  }
}

Tensor Embedding::forward(const Tensor& indices) {
  return embedding(weight, indices, padding_idx.value_or(-1));
}

std::string Embedding::extra_repr() const {
  std::string out = std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
  if (padding_idx) out += ", padding_idx=" + std::to_string(*padding_idx);
  return out;
}

}  // namespace minigrad::nn

// embeddings_ch02: the book's chapter 2 "Creating token embeddings" cells, in C++.
// Four token ids, a vocabulary of 6, 3-dimensional vectors, seed 123: the printed
// weight and lookups are the same text PyTorch prints, grad_fn included. An embedding
// is a lookup table: row i is the vector of token id i, and a batch of ids picks rows.
// Not a training example: examples/next_token.cpp trains one.
#include <iostream>

#include "core/core.h"
#include "nn/nn.h"

using namespace minigrad;

int main() {
  // [snippet ch02]
  // input_ids = torch.tensor([2, 3, 5, 1])
  Tensor input_ids = tensor({2, 3, 5, 1});
  int64_t vocab_size = 6;
  int64_t output_dim = 3;

  // torch.manual_seed(123); embedding_layer = torch.nn.Embedding(vocab_size, output_dim)
  manual_seed(123);
  nn::Embedding embedding_layer(vocab_size, output_dim);

  // print(embedding_layer.weight): a parameter, so torch prints "Parameter containing:" first.
  std::cout << "Parameter containing:\n" << embedding_layer.weight << "\n";

  // print(embedding_layer(torch.tensor([3]))): row 3 of the weight.
  std::cout << embedding_layer(tensor({3})) << "\n";

  // print(embedding_layer(input_ids)): rows 2, 3, 5 and 1, one per id, in order.
  std::cout << embedding_layer(input_ids) << "\n";
  // [end ch02]
  return 0;
}

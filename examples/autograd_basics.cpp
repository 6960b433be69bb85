// autograd_basics: the smallest whole story minigrad tells. Token ids pick rows
// of a table (an embedding), a loss compares what the rows predict with the next
// ids, and backward() fills weight.grad() with exactly the rows that were looked up.
// Not a model: nn::Embedding and the trained next-token demo come in examples/next_token.cpp.
#include <iostream>

#include "core/core.h"

using namespace minigrad;

int main() {
  manual_seed(123);
  Tensor weight = randn({6, 3}).requires_grad_();  // 6 tokens, 3 dims: the book's table
  std::cout << "weight:\n" << weight << "\n\n";

  Tensor ids = tensor({2, 3, 5, 1});
  Tensor vectors = embedding(weight, ids);  // (4, 3): rows 2, 3, 5, 1
  std::cout << "lookup of ids [2, 3, 5, 1]:\n" << vectors << "\n\n";

  // Score every token by a dot product with the table, then ask for "the next id".
  Tensor logits = vectors.matmul(weight.t());  // (4, 6)
  Tensor loss = cross_entropy(logits, tensor({3, 5, 1, 2}));
  std::cout << "loss: " << loss << "\n\n";

  loss.backward();
  std::cout << "weight.grad() (row 0 and row 4 were never looked up, but the\n"
               "dot-product head still reaches them):\n"
            << weight.grad() << "\n";
  return 0;
}

// embedding_vs_matmul: the book's bonus notebook "Embedding layers and linear layers", in
// C++. An embedding lookup computes exactly what a one-hot matrix times a Linear layer's
// weight computes: same forward output, printed as the notebook prints it. Then what the
// notebook does not show: after a backward, the embedding's weight gradient is the
// Linear's weight gradient transposed, and the rows of ids never looked up stay exactly
// zero. The lookup is the same math without the multiplications by zero.
// Not a training example: examples/next_token.cpp trains both forms in lockstep.
#include <cmath>
#include <iostream>

#include "core/core.h"
#include "nn/nn.h"

using namespace minigrad;

int main() {
  // Three training examples, token ids in an LLM's context; the table needs max id + 1 rows.
  Tensor idx = tensor({2, 3, 1});
  int64_t num_idx = 4;
  int64_t out_dim = 5;

  manual_seed(123);
  nn::Embedding embedding(num_idx, out_dim);
  std::cout << "embedding.weight\nParameter containing:\n" << embedding.weight << "\n\n";
  std::cout << "embedding(torch.tensor([1]))\n" << embedding(tensor({1})) << "\n\n";
  std::cout << "embedding(torch.tensor([2]))\n" << embedding(tensor({2})) << "\n\n";
  std::cout << "embedding(idx)\n" << embedding(idx) << "\n\n";

  // [snippet onehot]
  // The same lookup as a matrix product: one row per id, with a 1 in the id's column.
  Tensor onehot = nn::functional::one_hot(idx);
  std::cout << "onehot\n" << onehot << "\n\n";

  manual_seed(123);
  nn::Linear linear(num_idx, out_dim, false);
  std::cout << "linear.weight\nParameter containing:\n" << linear.weight << "\n\n";

  // The notebook wraps embedding.weight.T in a new Parameter; we copy its values in, so the
  // two layers stay separate parameters and their gradients can be compared below.
  {
    NoGradGuard no_grad;
    linear.weight.copy_(embedding.weight.t());
  }
  // (3, 4) one-hot @ (4, 5) = rows 2, 3 and 1 of the table: linear computes onehot @ W^T.
  Tensor via_linear = linear(onehot.to(DType::Float32));
  Tensor via_lookup = embedding(idx);
  std::cout << "linear(onehot.float())\n" << via_linear << "\n\n";
  std::cout << "embedding(idx)\n" << via_lookup << "\n\n";
  // [end onehot]

  // ---- beyond the notebook: the gradients ----
  // [snippet gradients]
  // Any loss will do; take the sum of squares, so d loss / d out = 2 out for both.
  via_lookup.pow(2).sum().backward();
  via_linear.pow(2).sum().backward();
  Tensor g_emb = embedding.weight.grad();      // (4, 5): a scatter-add of 2 out into rows 2, 3, 1
  Tensor g_lin = linear.weight.grad();         // (5, 4): (2 out)^T @ onehot, the same numbers transposed
  std::cout << "embedding.weight.grad\n" << g_emb << "\n\n";
  std::cout << "linear.weight.grad.T\n" << g_lin.t() << "\n\n";
  // [end gradients]

  double max_diff = 0, row0 = 0;
  const float* a = g_emb.data_ptr<float>();
  Tensor bt = g_lin.t();
  const float* b = bt.data_ptr<float>();
  for (int64_t i = 0; i < g_emb.numel(); ++i) max_diff = std::fmax(max_diff, std::fabs(a[i] - b[i]));
  for (int64_t j = 0; j < out_dim; ++j) row0 = std::fmax(row0, std::fabs(a[j]) + std::fabs(b[j]));
  std::cout << "max |embedding.weight.grad - linear.weight.grad.T| = " << max_diff << "\n";
  std::cout << "row 0 (id 0 was never looked up) in both gradients: "
            << (row0 == 0 ? "exactly zero" : "NOT zero") << "\n";
  return max_diff <= 1e-6 && row0 == 0 ? 0 : 1;
}

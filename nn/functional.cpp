// nn::functional: torch's argument orders and layouts around core's ops, the checks only
// this layer needs (padding_idx, cross_entropy's N-D targets), and mse_loss, a composite.
// Not here: the ops' math, backward and shape checks (core/ops/).
#include "nn/functional.h"

#include <stdexcept>
#include <string>

namespace minigrad::nn::functional {

namespace {

void require_defined(const Tensor& t, const char* op, const char* what) {
  if (!t.defined()) throw std::invalid_argument(std::string(op) + ": " + what + " is undefined");
}

}  // namespace

// y = x W^T + b, (*, in) -> (*, out): core's op checks the shapes and records one node
// (AddmmBackward0 for 2-D input; MmBackward0 without bias), whose backward is in core/ops/linear.cpp.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return minigrad::linear(input, weight, bias);
}

Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx) {
  require_defined(input, "embedding", "input");
  require_defined(weight, "embedding", "weight");
  int64_t V = weight.dim() > 0 ? weight.sizes()[0] : 0;
  return minigrad::embedding(weight, input, padding_row(padding_idx, V).value_or(-1));
}

std::optional<int64_t> padding_row(std::optional<int64_t> padding_idx, int64_t num_embeddings) {
  if (!padding_idx) return std::nullopt;
  int64_t p = *padding_idx, V = num_embeddings;
  if (p < -V || p >= V) {
    throw std::invalid_argument("embedding: padding_idx " + std::to_string(p) + " must be within the table of " +
                                std::to_string(V) + " rows (expected " + std::to_string(-V) + ".." +
                                std::to_string(V - 1) + ")");
  }
  return p < 0 ? p + V : p;
}

Tensor one_hot(const Tensor& tensor, int64_t num_classes) { return minigrad::one_hot(tensor, num_classes); }

Tensor cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction, int64_t ignore_index) {
  require_defined(input, "cross_entropy", "input");
  require_defined(target, "cross_entropy", "target");
  if (input.dim() == 1) {
    // One sample: (C) scores, a 0-dim class.
    if (target.dim() != 0) {
      throw std::invalid_argument("cross_entropy: for input of shape " + shape_str(input.sizes()) +
                                  " expected a 0-dim target, got shape " + shape_str(target.sizes()));
    }
    Tensor loss = minigrad::cross_entropy(input.unsqueeze(0), target.reshape({1}), reduction, ignore_index);
    return reduction == Reduction::None ? loss.reshape({}) : loss;
  }
  if (input.dim() <= 2) return minigrad::cross_entropy(input, target, reduction, ignore_index);

  // (N, C, d1, ..., dk): move the class dim last, then every position is one row.
  Shape expected = input.sizes();
  int64_t C = expected[1];
  expected.erase(expected.begin() + 1);
  if (target.sizes() != expected) {
    throw std::invalid_argument("cross_entropy: for input of shape " + shape_str(input.sizes()) +
                                " expected target of shape " + shape_str(expected) + ", got " +
                                shape_str(target.sizes()));
  }
  Tensor x = input;
  for (int64_t d = 1; d + 1 < input.dim(); ++d) x = x.transpose(d, d + 1);
  Tensor loss = minigrad::cross_entropy(x.reshape({-1, C}), target.reshape({-1}), reduction, ignore_index);
  return reduction == Reduction::None ? loss.reshape(expected) : loss;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  require_defined(input, "mse_loss", "input");
  require_defined(target, "mse_loss", "target");
  if (input.sizes() != target.sizes()) {
    throw std::invalid_argument("mse_loss: input of shape " + shape_str(input.sizes()) + " and target of shape " +
                                shape_str(target.sizes()) +
                                " must have the same shape (reshape one; torch would broadcast them)");
  }
  Tensor diff = input - target;
  Tensor squared = diff * diff;  // (*)
  switch (reduction) {
    case Reduction::None: return squared;
    case Reduction::Sum: return squared.sum();
    case Reduction::Mean: break;
  }
  return squared.mean();
}

Tensor softmax(const Tensor& input, int64_t dim) { return minigrad::softmax(input, dim); }
Tensor log_softmax(const Tensor& input, int64_t dim) { return minigrad::log_softmax(input, dim); }
Tensor relu(const Tensor& input) { return minigrad::relu(input); }

}  // namespace minigrad::nn::functional

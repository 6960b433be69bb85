// nn::functional: argument checks and layout changes around core's ops.
// Not here: the ops' math and backward (core/ops/).
#include "nn/functional.h"

#include <stdexcept>
#include <string>

namespace minigrad::nn::functional {

namespace {

void require_defined(const Tensor& t, const char* op, const char* what) {
  if (!t.defined()) throw std::invalid_argument(std::string(op) + ": " + what + " is undefined");
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  require_defined(input, "linear", "input");
  require_defined(weight, "linear", "weight");
  if (weight.dim() != 2) {
    throw std::invalid_argument("linear: weight must be 2-D (out_features, in_features), got shape " +
                                shape_str(weight.sizes()));
  }
  int64_t out_features = weight.sizes()[0], in_features = weight.sizes()[1];
  if (input.dim() == 0 || input.sizes().back() != in_features) {
    throw std::invalid_argument(
        "linear: the input's last dimension is " +
        (input.dim() == 0 ? std::string("missing (a 0-dim input)") : std::to_string(input.sizes().back())) +
        " but in_features is " + std::to_string(in_features) + " (input shape " +
        shape_str(input.sizes()) + ", weight shape " + shape_str(weight.sizes()) + ")");
  }
  if (bias.defined() && (bias.dim() != 1 || bias.sizes()[0] != out_features)) {
    throw std::invalid_argument("linear: bias must have shape [" + std::to_string(out_features) +
                                "] to match out_features, got " + shape_str(bias.sizes()));
  }
  // (*, in) -> (*, out) in one node, as torch's addmm (AddmmBackward0; MmBackward0
  // without bias): core/ops/linear.cpp, one GEMM reading W transposed in place.
  return minigrad::linear(input, weight, bias);
}

Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx) {
  require_defined(input, "embedding", "input");
  require_defined(weight, "embedding", "weight");
  int64_t pad = -1;
  if (padding_idx) {
    int64_t V = weight.dim() > 0 ? weight.sizes()[0] : 0;
    pad = *padding_idx;
    if (pad < -V || pad >= V) {
      throw std::invalid_argument("embedding: padding_idx " + std::to_string(pad) +
                                  " must be within the table of " + std::to_string(V) + " rows");
    }
    if (pad < 0) pad += V;
  }
  return minigrad::embedding(weight, input, pad);
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

Tensor softmax(const Tensor& input, int64_t dim) { return minigrad::softmax(input, dim); }
Tensor log_softmax(const Tensor& input, int64_t dim) { return minigrad::log_softmax(input, dim); }
Tensor relu(const Tensor& input) { return minigrad::relu(input); }

}  // namespace minigrad::nn::functional

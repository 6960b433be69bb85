// nn::Linear: y = x W^T + b, the layer every transformer block is mostly made of.
// Weights are (out_features, in_features), row-major, as in PyTorch and llm.c.
// Its gradients, with x (N, in), W (out, in), y and dy (N, out):
//   dx = dy W,   dW = dy^T x,   db = sum over the rows of dy
// Not here: the multiply, its shape checks and that backward: all are core's minigrad::linear,
// in core/ops/linear.cpp (one node, AddmmBackward0 as torch's). This file holds W, b and their init.
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "nn/module.h"

namespace minigrad::nn {

class Linear : public Module {
 public:
  // weight ~ kaiming_uniform_(a = sqrt(5)), i.e. U(+-1/sqrt(in_features)), then
  // bias ~ U(+-1/sqrt(in_features)): torch.nn.Linear's draws, in its order.
  Linear(int64_t in_features, int64_t out_features, bool with_bias = true);

  // (*, in_features) -> (*, out_features): minigrad::linear(input, weight, bias). A different
  // last dimension throws std::invalid_argument naming both shapes.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;  // "in_features=768, out_features=50257, bias=False"

  // Draws weight and bias again from the current stream.
  void reset_parameters();

  int64_t in_features;
  int64_t out_features;
  Tensor weight;  // (out_features, in_features)
  Tensor bias;    // (out_features); undefined when built without bias
};

}  // namespace minigrad::nn

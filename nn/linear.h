// nn::Linear: y = x W^T + b, the layer every transformer block is mostly made of.
// Weights are (out_features, in_features), row-major, as in PyTorch and llm.c.
// Not here: the multiply and its gradients (core/ops/matmul.cpp); functional::linear composes them.
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

  // (*, in_features) -> (*, out_features). A different last dimension throws
  // std::invalid_argument naming both sizes.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }

  // Draws weight and bias again from the current stream.
  void reset_parameters();

  int64_t in_features;
  int64_t out_features;
  Tensor weight;  // (out_features, in_features)
  Tensor bias;    // (out_features); undefined when built without bias
};

}  // namespace minigrad::nn

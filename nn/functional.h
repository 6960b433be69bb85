// nn::functional: the stateless forms of the layers and losses, named as
// torch.nn.functional, so `F.cross_entropy(logits, targets)` reads the same in C++.
// Thin: each calls core's op, which checks the shapes (nn::Linear and nn::Embedding call core's too).
// Not here: any formula or backward (core/ops/).
#pragma once

#include <cstdint>
#include <optional>

#include "core/tensor.h"

namespace minigrad::nn::functional {

// y = input W^T + b: input (*, in), weight (out, in), bias (out) or undefined -> (*, out).
// Exactly core's minigrad::linear (its checks throw std::invalid_argument naming both shapes).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

// Rows of weight (V, C) picked by Int64 `input` of any shape -> (*, C); torch's argument
// order (input first), the reverse of core's minigrad::embedding(weight, ids).
// padding_idx: a row that receives no gradient; negative counts from the end.
Tensor embedding(const Tensor& input, const Tensor& weight,
                 std::optional<int64_t> padding_idx = std::nullopt);

// torch's padding_idx, in [-V, V), as the row number it names in [0, V), V = num_embeddings;
// nullopt stays nullopt. Outside the range: std::invalid_argument. (nn::Embedding uses it too.)
std::optional<int64_t> padding_row(std::optional<int64_t> padding_idx, int64_t num_embeddings);

// Int64 (*) -> Int64 (*, num_classes); num_classes = -1 infers max + 1.
Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1);

// Class scores and Int64 targets in any of torch's layouts:
//   input (C) with target (), (N, C) with (N), or (N, C, d1, ...) with (N, d1, ...).
// reduction None keeps the target's shape. Targets equal to ignore_index add nothing
// and are not counted by the mean.
Tensor cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                     int64_t ignore_index = -100);

// Mean squared error: (input - target)^2 averaged (Mean), summed (Sum) or kept elementwise
// (None). A composite of sub, mul and mean, so autograd derives
//   d loss / d input = 2 (input - target) / N  (Mean),  d loss / d target = its negative.
// The shapes must be equal (torch broadcasts with a warning; here it is std::invalid_argument
// naming both shapes). reduction is core's Reduction enum, as cross_entropy's.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

Tensor softmax(const Tensor& input, int64_t dim);
Tensor log_softmax(const Tensor& input, int64_t dim);
Tensor relu(const Tensor& input);

}  // namespace minigrad::nn::functional

// cross_entropy: log_softmax and the negative log-likelihood fused into one op.
// Legend: N rows (tokens), C classes (vocabulary).
//   logits (N, C), targets (N) Int64  ->  loss_i = logsumexp(x_i) - x_i[t_i]
//   reduction: none -> (N); sum -> sum_i loss_i; mean -> sum_i loss_i / #(t_i != ignore_index)
// Fused backward: d loss_i / d x_i = softmax(x_i) - onehot(t_i), which never
// forms the (N, C) one-hot and stays finite however large the logits.
// Not here: standalone softmax / log_softmax (softmax.cpp).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/kernels/loss.h"
#include "core/kernels/reduce.h"

namespace minigrad {

namespace {

void check_inputs(const Tensor& logits, const Tensor& targets, int64_t ignore_index) {
  if (!logits.defined() || !targets.defined())
    throw std::invalid_argument("cross_entropy: undefined tensor");
  if (!is_floating(logits.dtype()))
    throw std::invalid_argument("cross_entropy: logits must be floating point, got " + dtype_name(logits.dtype()));
  if (logits.dim() != 2)
    throw std::invalid_argument("cross_entropy: expected logits of shape (N, C), got " + shape_str(logits.sizes()));
  if (targets.dtype() != DType::Int64)
    throw std::invalid_argument("cross_entropy: targets must be torch.int64 class indices, got " + dtype_name(targets.dtype()));
  if (targets.dim() != 1 || targets.sizes()[0] != logits.sizes()[0]) {
    throw std::invalid_argument("cross_entropy: expected targets of shape (" + std::to_string(logits.sizes()[0]) +
                                ") to match logits " + shape_str(logits.sizes()) + ", got " + shape_str(targets.sizes()));
  }
  const int64_t* t = targets.data_ptr<int64_t>();
  int64_t C = logits.sizes()[1];
  for (int64_t i = 0; i < targets.numel(); ++i) {
    if (t[i] != ignore_index && (t[i] < 0 || t[i] >= C)) {
      throw std::out_of_range("cross_entropy: target " + std::to_string(t[i]) + " at position " +
                              std::to_string(i) + " is out of range for " + std::to_string(C) +
                              " classes (expected 0.." + std::to_string(C - 1) +
                              " or ignore_index " + std::to_string(ignore_index) + ")");
    }
  }
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, Reduction reduction, int64_t ignore_index) {
  check_inputs(logits, targets, ignore_index);
  int64_t N = logits.sizes()[0], C = logits.sizes()[1];
  Tensor losses = empty({N}, logits.dtype());
  const bool needs_grad = any_requires_grad({&logits});
  std::vector<kernels::RowStats> stats(needs_grad ? static_cast<std::size_t>(N) : 0);
  kernels::RowStats* row_stats = needs_grad ? stats.data() : nullptr;
  if (logits.dtype() == DType::Float32)
    kernels::cross_entropy_forward(logits.data_ptr<float>(), targets.data_ptr<int64_t>(), ignore_index, losses.data_ptr<float>(), N, C, row_stats);
  else
    kernels::cross_entropy_forward(logits.data_ptr<double>(), targets.data_ptr<int64_t>(), ignore_index, losses.data_ptr<double>(), N, C, row_stats);
  int64_t count = 0;
  const int64_t* t = targets.data_ptr<int64_t>();
  for (int64_t i = 0; i < N; ++i) count += t[i] != ignore_index;

  // The reduction is part of this op, not a recorded sum: the same bits as
  // losses.sum() (kernels::sum_dim: torch's sum order) and, for mean, .div(count) in the dtype;
  // 0/0 = nan when all are ignored, as torch.
  Tensor out = losses;
  if (reduction != Reduction::None) {
    auto reduce = [&](auto* l) {
      using T = std::remove_pointer_t<decltype(l)>;
      T total;
      kernels::sum_dim(l, &total, 1, N, 1);
      return reduction == Reduction::Sum ? total : total / static_cast<T>(count);
    };
    double value = logits.dtype() == DType::Float32 ? reduce(losses.data_ptr<float>()) : reduce(losses.data_ptr<double>());
    out = full({}, value, logits.dtype());
  }
  if (!needs_grad) return out;

  // The fused backward. g is the gradient of the reduced loss (0-dim) or of each row's loss (N).
  //   loss_i = logsumexp(x_i) - x_i[t_i]  =>  dx_i = (softmax(x_i) - onehot(t_i)) * g_i
  // (g_i = g / count for mean, g for sum); rows whose target is ignore_index get zero.
  // saved: logits, targets, and (captured) each row's max and sum of exponentials from
  // the forward (kernels::RowStats), so softmax(x_i) is one pass.
  // torch's graph shows NllLossBackward0 (fed by LogSoftmaxBackward0); ours is both in one node.
  auto backward = [reduction, ignore_index, count, stats = std::move(stats)](const Node& node, const Tensor& g) -> Grads {
    Tensor x = node.saved(0), t = node.saved(1);
    Tensor dx = empty_like(x);
    int64_t N = x.sizes()[0], C = x.sizes()[1];
    double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(count) : 1.0;
    bool per_row = reduction == Reduction::None;
    if (x.dtype() == DType::Float32)
      kernels::cross_entropy_backward(x.data_ptr<float>(), t.data_ptr<int64_t>(), g.data_ptr<float>(), per_row, scale, ignore_index, dx.data_ptr<float>(), N, C, stats.data());
    else
      kernels::cross_entropy_backward(x.data_ptr<double>(), t.data_ptr<int64_t>(), g.data_ptr<double>(), per_row, scale, ignore_index, dx.data_ptr<double>(), N, C, stats.data());
    return {dx, Tensor()};
  };
  return record_op(out, {logits, targets}, "NllLossBackward0", {logits, targets}, std::move(backward));
}

}  // namespace minigrad

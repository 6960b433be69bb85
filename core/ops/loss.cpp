// cross_entropy: log_softmax and the negative log-likelihood fused into one op.
// Legend: N rows (tokens), C classes (vocabulary).
//   logits (N, C), targets (N) Int64  ->  loss_i = logsumexp(x_i) - x_i[t_i]
//   reduction: none -> (N); sum -> sum_i loss_i; mean -> sum_i loss_i / #(t_i != ignore_index)
// Fused backward: d loss_i / d x_i = softmax(x_i) - onehot(t_i), which never
// forms the (N, C) one-hot and stays finite however large the logits.
// linear_cross_entropy (below): the output layer and this loss in one op, chunk by chunk.
// Not here: standalone softmax / log_softmax (softmax.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/kernels/elementwise.h"
#include "core/kernels/gemm.h"
#include "core/kernels/loss.h"
#include "core/kernels/reduce.h"
#include "core/ops/products.h"

namespace minigrad {

namespace {

// targets: Int64 of shape `want` (the rows of `input`, called `name` in the message), each
// in [0, classes) or ignore_index.
void check_targets(const char* op, const Tensor& targets, const Shape& want, const char* name, const Tensor& input,
                   int64_t classes, int64_t ignore_index) {
  if (targets.dtype() != DType::Int64)
    throw std::invalid_argument(std::string(op) + ": targets must be torch.int64 class indices, got " + dtype_name(targets.dtype()));
  if (targets.sizes() != want) {
    std::string w = shape_str(want);
    throw std::invalid_argument(std::string(op) + ": expected targets of shape (" + w.substr(1, w.size() - 2) +
                                ") to match " + name + " " + shape_str(input.sizes()) + ", got " + shape_str(targets.sizes()));
  }
  const int64_t* t = targets.data_ptr<int64_t>();
  for (int64_t i = 0; i < targets.numel(); ++i) {
    if (t[i] != ignore_index && (t[i] < 0 || t[i] >= classes)) {
      throw std::out_of_range(std::string(op) + ": target " + std::to_string(t[i]) + " at position " +
                              std::to_string(i) + " is out of range for " + std::to_string(classes) +
                              " classes (expected 0.." + std::to_string(classes - 1) +
                              " or ignore_index " + std::to_string(ignore_index) + ")");
    }
  }
}

void check_inputs(const Tensor& logits, const Tensor& targets, int64_t ignore_index) {
  if (!logits.defined() || !targets.defined())
    throw std::invalid_argument("cross_entropy: undefined tensor");
  if (!is_floating(logits.dtype()))
    throw std::invalid_argument("cross_entropy: logits must be floating point, got " + dtype_name(logits.dtype()));
  if (logits.dim() != 2)
    throw std::invalid_argument("cross_entropy: expected logits of shape (N, C), got " + shape_str(logits.sizes()));
  check_targets("cross_entropy", targets, {logits.sizes()[0]}, "logits", logits, logits.sizes()[1], ignore_index);
}

int64_t count_kept(const Tensor& targets, int64_t ignore_index) {
  int64_t count = 0;
  const int64_t* t = targets.data_ptr<int64_t>();
  for (int64_t i = 0; i < targets.numel(); ++i) count += t[i] != ignore_index;
  return count;
}

// The reduction is part of the op, not a recorded sum: the same bits as losses.sum()
// (kernels::sum_dim: torch's sum order) and, for mean, .div(count) in the dtype; 0/0 = nan when all
// are ignored, as torch.
Tensor reduce_losses(const Tensor& losses, Reduction reduction, int64_t count) {
  if (reduction == Reduction::None) return losses;
  auto reduce = [&](auto* l) {
    using T = std::remove_pointer_t<decltype(l)>;
    T total;
    kernels::sum_dim(l, &total, 1, losses.numel(), 1);
    return reduction == Reduction::Sum ? total : total / static_cast<T>(count);
  };
  double value = losses.dtype() == DType::Float32 ? reduce(losses.data_ptr<float>()) : reduce(losses.data_ptr<double>());
  return full({}, value, losses.dtype());
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
  const int64_t count = count_kept(targets, ignore_index);
  Tensor out = reduce_losses(losses, reduction, count);
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

// ---- linear_cross_entropy: the output layer and the loss, without the (N, V) logits ----
// Legend here: N rows, C input features, V classes; x (N, C), W (V, C), b (V), t (N).
//   z = x W^T + b  (N, V),   loss = reduce_i(logsumexp(z_i) - z_i[t_i])
// With s = 1/count (mean) or 1 (sum), the cross-entropy's backward above gives
//   dz_i = (softmax(z_i) - onehot(t_i)) * s  (0 for an ignored row), and then linear's
//   dx = dz W,  dW = dz^T x = sum_i dz_i^T x_i,  db = sum_i dz_i.
// Each depends on a row's z_i alone, so the forward takes the rows kRows at a time and
// computes the chunk's loss and, at once, its share of dx, dW and db: only one chunk of
// logits (and one of dz) is ever alive. The loss is a scalar, so its upstream gradient g
// only scales: the backward returns g dx, g dW, g db.
namespace {

// 256 rows: the GEMM's K slice (KC, core/kernels/gemm_pack.h). dW's sum over the rows,
// added a chunk at a time with beta = 1, then rounds exactly as one mm_tn over all rows
// does, so the fused op gives the composite's bits (a test holds them equal). A chunk of
// logits is 256 x V (8 MiB at V = 8192, a quarter of W4's): past L2, but a smaller chunk
// would change dW's rounding.
constexpr int64_t kRows = 256;

// loss (N); dx (N, C), dw (V, C), db (V, in double: a chunk cannot resume sum_to's float
// cascade over all N rows, so db matches the composite's to float rounding, not bit for bit)
// are null when not wanted. z and dz (kRows, V) hold a chunk's logits and their gradient:
// two buffers, as the vectorised row gradient reads z_i[t_i] after writing the row.
// The chunks go in order; every kernel is thread-count exact.
template <class T>
void linear_cross_entropy_chunks(const T* x, const T* w, const T* b, const int64_t* t, int64_t ignore_index,
                                 double scale, int64_t N, int64_t C, int64_t V, T* z, T* dz, T* loss, T* dx, T* dw,
                                 double* db) {
  const bool grad = dx || dw || db;
  std::vector<kernels::RowStats> stats(grad ? kRows : 0);
  const T one = 1;
  for (int64_t r0 = 0; r0 < N; r0 += kRows) {
    const int64_t rows = std::min(kRows, N - r0);
    const T* xc = x + r0 * C;
    kernels::gemm(false, true, rows, V, C, xc, C, w, C, T(0), z, V, b);  // z = x_c W^T + b  (rows, V)
    kernels::cross_entropy_forward(z, t + r0, ignore_index, loss + r0, rows, V, grad ? stats.data() : nullptr);
    if (!grad) continue;
    kernels::cross_entropy_backward(z, t + r0, &one, false, scale, ignore_index, dz, rows, V, stats.data());
    if (dx) kernels::gemm(false, false, rows, C, V, dz, V, w, C, T(0), dx + r0 * C, C);  // dx_c = dz W
    if (dw) kernels::gemm(true, false, V, C, rows, dz, V, xc, C, T(r0 > 0), dw, C);      // dW += dz^T x_c
    for (int64_t i = 0; db && i < rows; ++i)
      for (int64_t j = 0; j < V; ++j) db[j] += static_cast<double>(dz[i * V + j]);           // db += sum_rows(dz)
  }
}

}  // namespace

Tensor linear_cross_entropy(const Tensor& input, const Tensor& weight, const Tensor& target, const Tensor& bias,
                            Reduction reduction, int64_t ignore_index) {
  check_linear("linear_cross_entropy", input, weight, bias);
  if (!target.defined()) throw std::invalid_argument("linear_cross_entropy: undefined target");
  const int64_t V = weight.sizes()[0], C = weight.sizes()[1];
  const Shape rows(input.sizes().begin(), input.sizes().end() - 1);  // input (*, C) against target (*)
  check_targets("linear_cross_entropy", target, rows, "input", input, V, ignore_index);
  const int64_t N = numel_of(rows);
  Tensor x = input.reshape({N, C}), t = target.reshape({N});  // as the composite's .flatten(0, 1)
  // Per-row losses need a per-row upstream gradient in dW: the composite is that op.
  if (reduction == Reduction::None) return cross_entropy(linear(x, weight, bias), t, reduction, ignore_index);

  const int64_t count = count_kept(t, ignore_index);
  const DType dt = input.dtype();
  Tensor losses = empty({N}, dt), z = empty({std::min(N, kRows), V}, dt), dz, dx, dw, db;
  if (any_requires_grad({&input, &weight, &bias})) dz = empty_like(z);
  if (any_requires_grad({&input})) dx = empty({N, C}, dt);
  if (any_requires_grad({&weight})) dw = N > 0 ? empty({V, C}, dt) : zeros({V, C}, dt);
  std::vector<double> db_sum(any_requires_grad({&bias}) ? V : 0);
  auto run = [&](auto* x_data) {
    using T = std::remove_pointer_t<decltype(x_data)>;
    auto ptr = [](const Tensor& a) { return a.defined() ? a.data_ptr<T>() : nullptr; };
    linear_cross_entropy_chunks(x_data, ptr(weight), ptr(bias), t.data_ptr<int64_t>(), ignore_index,
                                reduction == Reduction::Mean ? 1.0 / static_cast<double>(count) : 1.0, N, C, V,
                                ptr(z), ptr(dz), ptr(losses), ptr(dx), ptr(dw), db_sum.empty() ? nullptr : db_sum.data());
  };
  if (dt == DType::Float32) run(x.data_ptr<float>());
  else run(x.data_ptr<double>());
  if (!db_sum.empty()) db = tensor(db_sum, {V}).to(dt);
  Tensor out = reduce_losses(losses, reduction, count);

  // loss = f(dx, dW, db computed above)  =>  d/d input = g dx, d/d W = g dW, d/d b = g db
  // saved: dx, dW, db (each only if its input requires grad). One node where the composite
  // has two (NllLossBackward0 on AddmmBackward0 / MmBackward0); torch has no fused op to name it after.
  return record_op(out, {x, weight, bias}, "LinearCrossEntropyBackward0", {dx, dw, db},
                   [](const Node& node, const Tensor& g) -> Grads {
                     Grads grads(3);
                     for (std::size_t i = 0; i < 3; ++i)
                       if (node.needs_grad(i)) grads[i] = node.saved(i) * g;
                     return grads;
                   });
}

}  // namespace minigrad

// linear(x, W, b) = x W^T + b over (*, in) inputs, the op behind nn::Linear, as
// torch's F.linear: one GEMM that reads W (out, in) transposed in place, then the bias.
//   y = x W^T + b  =>  dx = dy W,  dW = dy^T x,  db = sum_rows(dy)
// From y_nj = sum_i x_ni W_ji + b_j: y_nj depends on x_ni through W_ji, on W_ji through
// x_ni (summed over every row n of every leading dim), and on b_j with slope 1.
// Not here: the multiply's speed (core/kernels/gemm.cpp); the general matmul (matmul.cpp).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/kernels/gemm.h"
#include "core/kernels/parallel.h"
#include "core/ops/broadcast.h"

namespace minigrad {

namespace {

// C (M x N) = op(A) op(B), and zeros when K == 0 (an empty sum), for either float type.
template <class T>
void product(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
             const T* B, int64_t ldb, T* C) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    std::fill(C, C + M * N, T(0));
    return;
  }
  kernels::gemm(ta, tb, M, N, K, A, lda, B, ldb, T(0), C, N);
}

void product(const Tensor& a, bool ta, const Tensor& b, bool tb, int64_t M, int64_t N, int64_t K,
             int64_t lda, int64_t ldb, Tensor& c) {
  if (c.dtype() == DType::Float32)
    product(ta, tb, M, N, K, a.data_ptr<float>(), lda, b.data_ptr<float>(), ldb, c.data_ptr<float>());
  else
    product(ta, tb, M, N, K, a.data_ptr<double>(), lda, b.data_ptr<double>(), ldb, c.data_ptr<double>());
}

// y[n, :] += b for every row n: after the GEMM, so y = round(x W^T) + b, the same
// bits as matmul then add.
template <class T>
void add_bias(T* y, const T* b, int64_t rows, int64_t cols) {
  kernels::parallel_for(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      T* row = y + r * cols;
      for (int64_t c = 0; c < cols; ++c) row[c] += b[c];
    }
  });
}

// Saved: x and W. With x viewed as (M, in) and dy as (M, out):
//   dx (M, in) = dy W        gemm NN
//   dW (out, in) = dy^T x    gemm TN, over all M rows of every leading dim at once
//   db (out) = sum_rows(dy)  sum_to's row fast path: one fixed order per element
struct LinearBackward : Node {
  LinearBackward(bool with_bias, int64_t rows) : with_bias(with_bias), M(rows) {}
  std::string name() const override { return with_bias ? "AddmmBackward0" : "MmBackward0"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor x = saved(0), w = saved(1);
    int64_t out = w.sizes()[0], in = w.sizes()[1];
    Tensor dx, dw, db;
    if (next_edges[0]) {
      dx = empty(x.sizes(), x.dtype());
      product(g, false, w, false, M, in, out, out, in, dx);
    }
    if (next_edges[1]) {
      dw = empty(w.sizes(), w.dtype());
      product(g, true, x, false, out, in, M, out, in, dw);
    }
    if (with_bias && next_edges.size() > 2 && next_edges[2]) db = sum_to(g.reshape({M, out}), {out});
    if (with_bias) return {dx, dw, db};
    return {dx, dw};
  }
  bool with_bias;
  int64_t M;  // rows: the product of x's leading dims
};

template <class Message>
void require(bool ok, Message message) {
  if (!ok) throw std::invalid_argument("linear: " + message());
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  // Messages are built only on failure (a lambda each): this runs every forward.
  require(input.defined() && weight.defined(), [] { return std::string("input and weight must be defined tensors"); });
  require(weight.dim() == 2, [&] {
    return "weight must be 2-D (out_features, in_features), got shape " + shape_str(weight.sizes());
  });
  int64_t out = weight.sizes()[0], in = weight.sizes()[1];
  require(input.dim() >= 1, [&] {
    return "input must have at least 1 dimension (the features), got shape " + shape_str(input.sizes());
  });
  int64_t features = input.sizes().back();
  require(features == in, [&] {
    return "input has " + std::to_string(features) + " features (last dim of " + shape_str(input.sizes()) +
           ") but weight expects " + std::to_string(in) + " (weight shape " + shape_str(weight.sizes()) + ")";
  });
  require(!bias.defined() || (bias.dim() == 1 && bias.sizes()[0] == out), [&] {
    return "bias must have shape [" + std::to_string(out) + "] to match weight shape " + shape_str(weight.sizes()) +
           ", got " + (bias.defined() ? shape_str(bias.sizes()) : "");
  });
  require(is_floating(input.dtype()) && input.dtype() == weight.dtype() &&
              (!bias.defined() || bias.dtype() == input.dtype()),
          [&] {
            return "expected floating point input, weight and bias of one dtype, got " + dtype_name(input.dtype()) +
                   ", " + dtype_name(weight.dtype()) +
                   (bias.defined() ? ", " + dtype_name(bias.dtype()) : std::string());
          });

  int64_t M = in == 0 ? numel_of(Shape(input.sizes().begin(), input.sizes().end() - 1))
                      : input.numel() / in;
  Shape out_shape = input.sizes();
  out_shape.back() = out;
  Tensor y = empty(out_shape, input.dtype());
  // y (M x out) = x (M x in) W^T: B = W read transposed, ldb = in.
  product(input, false, weight, true, M, out, in, in, in, y);
  if (bias.defined() && M * out > 0) {
    if (y.dtype() == DType::Float32) add_bias(y.data_ptr<float>(), bias.data_ptr<float>(), M, out);
    else add_bias(y.data_ptr<double>(), bias.data_ptr<double>(), M, out);
  }

  bool with_bias = bias.defined();
  if (with_bias ? any_requires_grad({&input, &weight, &bias}) : any_requires_grad({&input, &weight})) {
    auto node = std::make_shared<LinearBackward>(with_bias, M);
    node->save({input, weight});  // SavedTensor keeps detached aliases
    if (with_bias) attach_node(y, node, {input, weight, bias});
    else attach_node(y, node, {input, weight});
  }
  return y;
}

}  // namespace minigrad

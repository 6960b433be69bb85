// linear(x, W, b) = x W^T + b over (*, in) inputs, the op behind nn::Linear, as
// torch's F.linear: one GEMM that reads W (out, in) transposed in place and adds the bias as
// it writes each tile of y.
// Legend: x (*, in), W (out, in), b (out), y (*, out); M = the rows of x, every leading dim flattened.
// Not here: the products (products.cpp) and their speed (core/kernels/gemm.cpp); the general matmul (matmul.cpp).
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/kernels/elementwise.h"
#include "core/ops/broadcast.h"
#include "core/ops/products.h"

namespace minigrad {

namespace {

template <class Message>
void require(const char* op, bool ok, Message message) {
  if (!ok) throw std::invalid_argument(std::string(op) + ": " + message());
}

}  // namespace

void check_linear(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  // Messages are built only on failure (a lambda each): this runs every forward.
  require(op, input.defined() && weight.defined(), [] { return std::string("input and weight must be defined tensors"); });
  require(op, weight.dim() == 2, [&] {
    return "weight must be 2-D (out_features, in_features), got shape " + shape_str(weight.sizes());
  });
  int64_t out = weight.sizes()[0], in = weight.sizes()[1];
  require(op, input.dim() >= 1, [&] {
    return "input must have at least 1 dimension (the features), got shape " + shape_str(input.sizes());
  });
  int64_t features = input.sizes().back();
  require(op, features == in, [&] {
    return "input has " + std::to_string(features) + " features (last dim of " + shape_str(input.sizes()) +
           ") but weight expects " + std::to_string(in) + " (weight shape " + shape_str(weight.sizes()) + ")";
  });
  require(op, !bias.defined() || (bias.dim() == 1 && bias.sizes()[0] == out), [&] {
    return "bias must have shape [" + std::to_string(out) + "] to match weight shape " + shape_str(weight.sizes()) +
           ", got " + (bias.defined() ? shape_str(bias.sizes()) : "");
  });
  require(op, is_floating(input.dtype()) && input.dtype() == weight.dtype() &&
                  (!bias.defined() || bias.dtype() == input.dtype()),
          [&] {
            return "expected floating point input, weight and bias of one dtype, got " + dtype_name(input.dtype()) +
                   ", " + dtype_name(weight.dtype()) +
                   (bias.defined() ? ", " + dtype_name(bias.dtype()) : std::string());
          });
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  check_linear("linear", input, weight, bias);
  int64_t out = weight.sizes()[0];

  // y (*, out) = x (*, in) W^T, then + b on every row: y = round(x W^T) + b, the same bits
  // as matmul then add, the bias added as the product writes each tile (kernels::gemm).
  Tensor y = mm_nt(input, weight, bias);

  // y = x W^T + b  =>  dx = dy W,  dW = dy^T x,  db = sum_rows(dy)      saved: x, W
  // From y_nj = sum_i x_ni W_ji + b_j: y_nj depends on x_ni through W_ji, on W_ji through
  // x_ni (summed over every row n of every leading dim), and on b_j with slope 1.
  // The names are torch 1.13's, so graphs and printouts read as torch's do. Its F.linear is a
  // composite whose last op names the node: addmm for 2-D input with a bias; for contiguous
  // 3-D input with a bias, addmm on the rows then a view back (ViewBackward0); for other
  // shapes with a bias, matmul then add_ (AddBackward0); without a bias, matmul(x, W^T).
  auto backward = [](const Node& node, const Tensor& g) -> Grads {
    Tensor x = node.saved(0), w = node.saved(1);
    Tensor dx, dw, db;
    if (node.needs_grad(0)) dx = mm_nn(g, w);    // (*, out) (out, in) -> (*, in)
    if (node.needs_grad(1)) dw = mm_tn(g, x);    // (M, out)^T (M, in) -> (out, in)
    if (node.needs_grad(2)) db = sum_to(g, {w.sizes()[0]});  // sum_rows(dy): (*, out) -> (out)
    return {dx, dw, db};
  };
  if (bias.defined()) {
    const char* name = input.dim() == 2 ? "AddmmBackward0" : input.dim() == 3 ? "ViewBackward0" : "AddBackward0";
    return record_op(y, {input, weight, bias}, name, {input, weight}, backward);
  }
  const char* name = matmul_node_name(input.dim(), 2, input.dim() == 1 ? 1 : input.sizes()[input.dim() - 2], out,
                                      y.numel());
  return record_op(y, {input, weight}, name, {input, weight}, backward);
}

}  // namespace minigrad

// matmul with torch's rules: 1-D, 2-D and batched N-D operands whose batch dims broadcast.
// Legend: a (*, M, K) @ b (*, K, N) -> (*, M, N). A 1-D a is a row (1, K) and its M
// dim is dropped from the result; a 1-D b is a column (K, 1) and its N dim is dropped.
// Not here: the batched products (products.cpp) and their speed (core/kernels/gemm.cpp);
// linear (linear.cpp), which multiplies by a transposed weight.
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/ops/broadcast.h"
#include "core/ops/products.h"

namespace minigrad {

namespace {

std::string matrix_str(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out + ")";
}

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw std::invalid_argument("matmul: undefined tensor");
  if (a.dim() == 0 || b.dim() == 0) {
    throw std::invalid_argument("matmul: both arguments need at least 1 dimension, got shapes " +
                                shape_str(a.sizes()) + " and " + shape_str(b.sizes()));
  }
  if (a.dtype() != b.dtype() || !is_floating(a.dtype())) {
    throw std::invalid_argument("matmul: expected two floating point tensors of one dtype, got " +
                                dtype_name(a.dtype()) + " and " + dtype_name(b.dtype()));
  }
  // View 1-D operands as matrices: a (K) -> (1, K), b (K) -> (K, 1).
  Shape sa = a.dim() == 1 ? Shape{1, a.sizes()[0]} : a.sizes();
  Shape sb = b.dim() == 1 ? Shape{b.sizes()[0], 1} : b.sizes();
  int64_t M = sa[sa.size() - 2], K = sa.back(), N = sb.back();
  if (sb[sb.size() - 2] != K) {
    throw std::invalid_argument("matmul: shapes " + matrix_str(a.sizes()) + " and " +
                                matrix_str(b.sizes()) + " cannot be multiplied (" +
                                std::to_string(K) + " columns vs " +
                                std::to_string(sb[sb.size() - 2]) + " rows)");
  }
  Shape batch;
  try {
    batch = broadcast_shapes(batch_of(sa), batch_of(sb), "matmul");
  } catch (const std::invalid_argument& e) {
    // broadcast_shapes sees only the batch dims; name the operands the caller passed.
    throw std::invalid_argument("matmul: the batch dims of shapes " + matrix_str(a.sizes()) + " and " +
                                matrix_str(b.sizes()) + " cannot be broadcast together (" +
                                e.what() + ")");
  }
  Tensor a3 = a.detach().reshape(sa), b3 = b.detach().reshape(sb);
  Tensor out = bmm_nn(a3, b3);  // (*, M, N)
  Shape full_out = out.sizes();
  Shape shape = batch;
  if (a.dim() > 1) shape.push_back(M);
  if (b.dim() > 1) shape.push_back(N);
  out.impl()->shape = shape;

  // C = A B  =>  dA = dC B^T,  dB = A^T dC   (then summed over broadcast batch dims)
  // From C_ij = sum_k A_ik B_kj: C_ij depends on A_ik through B_kj, on B_kj through A_ik.
  // saved: a3 (*a, M, K), b3 (*b, K, N), a and b viewed as matrices
  const char* name = a.dim() == 1 && b.dim() == 1 ? "DotBackward0"
                     : a.dim() == 2 && b.dim() == 1 ? "MvBackward0"
                     : a.dim() <= 2 && b.dim() == 2 ? "MmBackward0"
                                                    : "BmmBackward0";
  return record_op(out, {a, b}, name, {a3, b3}, [full_out](const Node& node, const Tensor& g) -> Grads {
    Tensor a3 = node.saved(0), b3 = node.saved(1);
    Tensor g3 = g.reshape(full_out);  // (*, M, N)
    Tensor da, db;
    if (node.needs_grad(0)) da = sum_to(bmm_nt(g3, b3), a3.sizes()).reshape(node.input_shapes[0]);
    if (node.needs_grad(1)) db = sum_to(bmm_tn(a3, g3), b3.sizes()).reshape(node.input_shapes[1]);
    return {da, db};
  });
}

Tensor mm(const Tensor& a, const Tensor& b) {
  if (a.defined() && b.defined() && (a.dim() != 2 || b.dim() != 2)) {
    throw std::invalid_argument("mm: expected two 2-D matrices, got shapes " +
                                shape_str(a.sizes()) + " and " + shape_str(b.sizes()));
  }
  return matmul(a, b);
}

Tensor Tensor::matmul(const Tensor& other) const { return minigrad::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return minigrad::mm(*this, other); }

}  // namespace minigrad

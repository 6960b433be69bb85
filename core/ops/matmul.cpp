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

// The node's name is the one torch 1.13 prints, so the book's printouts read the same here.
// torch.matmul is a composite there, and a result's grad_fn is its decomposition's last op:
// dot, mv or mm for 1-D and 2-D operands; a 1-D @ 2-D is (1, K) @ (K, N) then squeeze_(0);
// every batched product ends in _unsafe_view back to the result's shape, except a 2-D a with
// a batched b, which torch computes transposed (b^T a^T) and copies back with
// .mT().contiguous() (CloneBackward0), a copy it skips when the result is already laid out
// right, that is when M or N is 1 or the result is empty (then the transpose is the last op).
// minigrad records one node in every case, with the same backward.
const char* matmul_node_name(int64_t a_dim, int64_t b_dim, int64_t M, int64_t N, int64_t numel) {
  if (a_dim <= 2 && b_dim <= 2) {
    if (a_dim == 1) return b_dim == 1 ? "DotBackward0" : "SqueezeBackward3";
    return b_dim == 1 ? "MvBackward0" : "MmBackward0";
  }
  if (a_dim == 2) return M == 1 || N == 1 || numel == 0 ? "TransposeBackward0" : "CloneBackward0";
  return "UnsafeViewBackward0";
}

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
  return record_op(out, {a, b}, matmul_node_name(a.dim(), b.dim(), M, N, out.numel()), {a3, b3}, [full_out](const Node& node, const Tensor& g) -> Grads {
    Tensor a3 = node.saved(0), b3 = node.saved(1);
    Tensor g3 = g.reshape(full_out);  // (*, M, N)
    Tensor da, db;
    if (node.needs_grad(0)) da = sum_to(bmm_nt(g3, b3), a3.sizes()).reshape(node.input_shape(0));
    if (node.needs_grad(1)) db = sum_to(bmm_tn(a3, g3), b3.sizes()).reshape(node.input_shape(1));
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

Tensor dot(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw std::invalid_argument("dot: undefined tensor");
  if (a.dim() != 1 || b.dim() != 1) {
    throw std::invalid_argument("dot: expected two 1-D tensors, got shapes " + shape_str(a.sizes()) + " and " +
                                shape_str(b.sizes()) + " (for matrices use mm or matmul)");
  }
  if (a.numel() != b.numel()) {
    throw std::invalid_argument("dot: the vectors have " + std::to_string(a.numel()) + " and " +
                                std::to_string(b.numel()) + " elements; they must have as many");
  }
  if (a.dtype() != b.dtype()) {
    throw std::invalid_argument("dot: expected both vectors to have one dtype, got " + dtype_name(a.dtype()) +
                                " and " + dtype_name(b.dtype()));
  }
  return matmul(a, b);  // (K) @ (K) -> (): DotBackward0
}

Tensor Tensor::matmul(const Tensor& other) const { return minigrad::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return minigrad::mm(*this, other); }
Tensor Tensor::dot(const Tensor& other) const { return minigrad::dot(*this, other); }

}  // namespace minigrad

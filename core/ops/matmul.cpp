// matmul with torch's rules: 1-D, 2-D and batched N-D operands whose batch dims broadcast.
// Legend: a (*, M, K) @ b (*, K, N) -> (*, M, N). A 1-D a is a row (1, K) and its M
// dim is dropped from the result; a 1-D b is a column (K, 1) and its N dim is dropped.
//   C = A B  =>  dA = dC B^T,   dB = A^T dC   (then summed over broadcast batch dims)
// Both come from dC_ij = sum_k A_ik B_kj: C_ij depends on A_ik through B_kj, on B_kj through A_ik.
// Not here: the multiply's speed (core/kernels/gemm.cpp).
#include <stdexcept>
#include <vector>

#include "core/autograd.h"
#include "core/kernels/gemm.h"
#include "core/ops/broadcast.h"

namespace minigrad {

namespace {

std::string matrix_str(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out + ")";
}

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

// C[n] = op(A[n]) op(B[n]) for every index n of `batch`; A's and B's own batch
// shapes broadcast to it. Each A matrix is stored (a_rows x a_cols) contiguously,
// and op(A) is (M x K): with trans_a the stored matrix is (K x M).
template <class T>
void batched_gemm(const Shape& batch, const Shape& batch_a, const Shape& batch_b, bool trans_a,
                  bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  auto sa = broadcast_strides(batch_a, batch), sb = broadcast_strides(batch_b, batch);
  int64_t a_size = M * K, b_size = K * N, lda = trans_a ? M : K, ldb = trans_b ? K : N;
  int64_t nb = numel_of(batch);
  std::vector<const T*> as(nb), bs(nb);
  std::vector<T*> cs(nb);
  for (int64_t n = 0; n < nb; ++n) {
    int64_t rest = n, oa = 0, ob = 0;  // matrix offsets of A and B for batch index n
    for (std::size_t d = batch.size(); d-- > 0;) {
      int64_t i = rest % batch[d];
      rest /= batch[d];
      oa += i * sa[d];
      ob += i * sb[d];
    }
    as[n] = A + oa * a_size;
    bs[n] = B + ob * b_size;
    cs[n] = C + n * M * N;
  }
  kernels::gemm_batched(trans_a, trans_b, nb, M, N, K, as.data(), lda, bs.data(), ldb, T(0), cs.data(), N);
}

// op(A) op(B) over broadcast batches, dispatching on dtype. `a` and `b` are already
// viewed as (*, rows, cols); the result has shape batch + [M, N].
Tensor bmm(const Tensor& a, bool ta, const Tensor& b, bool tb, const Shape& batch) {
  const Shape &sa = a.sizes(), &sb = b.sizes();
  int64_t M = ta ? sa.back() : sa[sa.size() - 2], K = ta ? sa[sa.size() - 2] : sa.back();
  int64_t N = tb ? sb[sb.size() - 2] : sb.back();
  Shape out = batch;
  out.push_back(M);
  out.push_back(N);
  Tensor c = empty(out, a.dtype());
  if (a.dtype() == DType::Float32)
    batched_gemm(batch, batch_of(sa), batch_of(sb), ta, tb, M, N, K, a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>());
  else
    batched_gemm(batch, batch_of(sa), batch_of(sb), ta, tb, M, N, K, a.data_ptr<double>(), b.data_ptr<double>(), c.data_ptr<double>());
  return c;
}

// Saved: a and b viewed as matrices (a3: (*a, M, K), b3: (*b, K, N)).
//   dA = sum_to(dC B^T, a3.shape),  dB = sum_to(A^T dC, b3.shape), reshaped to a's and b's shapes
struct MatmulBackward : Node {
  MatmulBackward(std::string name, Shape batch, Shape full_out)
      : name_(std::move(name)), batch(std::move(batch)), full_out(std::move(full_out)) {}
  std::string name() const override { return name_; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor a3 = saved(0), b3 = saved(1);
    Tensor g3 = g.reshape(full_out);
    Tensor da, db;
    if (next_edges[0]) da = sum_to(bmm(g3, false, b3, true, batch), a3.sizes()).reshape(input_shapes[0]);
    if (next_edges[1]) db = sum_to(bmm(a3, true, g3, false, batch), b3.sizes()).reshape(input_shapes[1]);
    return {da, db};
  }
  std::string name_;
  Shape batch, full_out;
};

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
  Tensor out = bmm(a3, false, b3, false, batch);
  Shape full_out = out.sizes();
  Shape shape = batch;
  if (a.dim() > 1) shape.push_back(M);
  if (b.dim() > 1) shape.push_back(N);
  out.impl()->shape = shape;

  if (any_requires_grad({&a, &b})) {
    const char* name = a.dim() == 1 && b.dim() == 1 ? "DotBackward0"
                       : a.dim() == 2 && b.dim() == 1 ? "MvBackward0"
                       : a.dim() <= 2 && b.dim() == 2 ? "MmBackward0"
                                                      : "BmmBackward0";
    auto node = std::make_shared<MatmulBackward>(name, batch, full_out);
    node->save({a3, b3});
    attach_node(out, node, {a, b});
  }
  return out;
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

// mm_nn / mm_nt / mm_tn and their batched forms (products.h): shapes in, one
// kernels::gemm or kernels::gemm_batched call out. C = op(A) op(B), row-major; A is
// stored (M x K), or (K x M) when read transposed, and B likewise.
// Not here: the multiply's speed (core/kernels/gemm.cpp), any gradient (linear.cpp, matmul.cpp).
#include "core/ops/products.h"

#include <vector>

#include "core/kernels/gemm.h"
#include "core/ops/broadcast.h"

namespace minigrad {

namespace {

int64_t rows_of(const Tensor& t) { return numel_of(Shape(t.sizes().begin(), t.sizes().end() - 1)); }

// c (M x N) = op(a) op(b) (+ bias on every row), for either float type; gemm writes zeros
// (or the bias) when K == 0.
void gemm_into(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const Tensor& a, int64_t lda,
               const Tensor& b, int64_t ldb, Tensor& c, const Tensor& bias = {}) {
  if (c.dtype() == DType::Float32)
    kernels::gemm(ta, tb, M, N, K, a.data_ptr<float>(), lda, b.data_ptr<float>(), ldb, 0.0f, c.data_ptr<float>(), N,
                  bias.defined() ? bias.data_ptr<float>() : nullptr);
  else
    kernels::gemm(ta, tb, M, N, K, a.data_ptr<double>(), lda, b.data_ptr<double>(), ldb, 0.0, c.data_ptr<double>(), N,
                  bias.defined() ? bias.data_ptr<double>() : nullptr);
}

// a's shape with its last dim replaced by n.
Shape with_last(const Shape& s, int64_t n) {
  Shape out = s;
  out.back() = n;
  return out;
}

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

// C[n] = op(A[n]) op(B[n]) for every index n of `batch`; A's and B's own batch
// shapes broadcast to it (a broadcast matrix is shared, never copied).
template <class T>
void batched_gemm(const Shape& batch, const Shape& batch_a, const Shape& batch_b, bool ta, bool tb,
                  int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  auto sa = broadcast_strides(batch_a, batch), sb = broadcast_strides(batch_b, batch);
  int64_t a_size = M * K, b_size = K * N, lda = ta ? M : K, ldb = tb ? K : N;
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
  kernels::gemm_batched(ta, tb, nb, M, N, K, as.data(), lda, bs.data(), ldb, T(0), cs.data(), N);
}

// op(a) op(b) over broadcast batches; a and b are (*, rows, cols).
Tensor bmm(const Tensor& a, bool ta, const Tensor& b, bool tb) {
  const Shape &sa = a.sizes(), &sb = b.sizes();
  int64_t M = ta ? sa.back() : sa[sa.size() - 2], K = ta ? sa[sa.size() - 2] : sa.back();
  int64_t N = tb ? sb[sb.size() - 2] : sb.back();
  Shape batch = broadcast_shapes(batch_of(sa), batch_of(sb), "bmm");
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

}  // namespace

// c (M, N) = a (M, K) b (K, N)
Tensor mm_nn(const Tensor& a, const Tensor& b) {
  int64_t M = rows_of(a), K = a.sizes().back(), N = b.sizes()[1];
  Tensor c = empty(with_last(a.sizes(), N), a.dtype());
  gemm_into(false, false, M, N, K, a, K, b, N, c);
  return c;
}

// c (M, N) = a (M, K) b^T, b stored (N, K)
Tensor mm_nt(const Tensor& a, const Tensor& b, const Tensor& bias) {
  int64_t M = rows_of(a), K = a.sizes().back(), N = b.sizes()[0];
  Tensor c = empty(with_last(a.sizes(), N), a.dtype());
  gemm_into(false, true, M, N, K, a, K, b, K, c, bias);
  return c;
}

// c (M, N) = a^T b, a stored (K, M), b (K, N): K runs over every row of both
Tensor mm_tn(const Tensor& a, const Tensor& b) {
  int64_t K = rows_of(a), M = a.sizes().back(), N = b.sizes().back();
  Tensor c = empty({M, N}, a.dtype());
  gemm_into(true, false, M, N, K, a, M, b, N, c);
  return c;
}

Tensor bmm_nn(const Tensor& a, const Tensor& b) { return bmm(a, false, b, false); }
Tensor bmm_nt(const Tensor& a, const Tensor& b) { return bmm(a, false, b, true); }
Tensor bmm_tn(const Tensor& a, const Tensor& b) { return bmm(a, true, b, false); }

}  // namespace minigrad

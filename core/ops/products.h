// The matrix products the linear and matmul ops (and their backwards) are written
// in, named by which operand is read transposed, as BLAS names them (n: as stored,
// t: transposed), so a backward reads as its formula: dx = mm_nn(g, w), dw = mm_tn(g, x).
// No transpose is ever materialised: the flag goes to kernels::gemm.
// Not recorded by autograd (building blocks, like sum_to); not the gemm itself (core/kernels/gemm.cpp).
#pragma once

#include "core/tensor.h"

namespace minigrad {

// Float32 or float64, one dtype, shapes already checked by the calling op. A (*, K)
// operand is read as a matrix (rows, K), its leading dims flattened into rows; an
// empty sum (K == 0) gives zeros.
Tensor mm_nn(const Tensor& a, const Tensor& b);  // a b:    a (*, K), b (K, N)  -> (*, N)
Tensor mm_nt(const Tensor& a, const Tensor& b, const Tensor& bias = {});  // a b^T:  a (*, K), b (N, K)  -> (*, N),
                                                                          // + bias (N) on every row if given
Tensor mm_tn(const Tensor& a, const Tensor& b);  // a^T b:  a (*, M), b (*, N)  -> (M, N), summed over every row

// The same one matrix per batch index: a (*a, ., .), b (*b, ., .) whose batch dims
// broadcast to (*); the result is (*, M, N).
Tensor bmm_nn(const Tensor& a, const Tensor& b);  // a (*a, M, K), b (*b, K, N)
Tensor bmm_nt(const Tensor& a, const Tensor& b);  // a (*a, M, K), b (*b, N, K)
Tensor bmm_tn(const Tensor& a, const Tensor& b);  // a (*a, K, M), b (*b, K, N)

// The grad_fn name torch 1.13 gives matmul(a, b) for a (a_dim-D) @ b (b_dim-D) whose result
// is (*, M, N) with `numel` elements ("UnsafeViewBackward0" for batched products); why each
// is in core/ops/matmul.cpp. linear without a bias shares it.
const char* matmul_node_name(int64_t a_dim, int64_t b_dim, int64_t M, int64_t N, int64_t numel);

// linear's argument checks (linear.cpp), shared with linear_cross_entropy (loss.cpp): throws
// std::invalid_argument "op: ..." naming the shapes or dtypes and what was expected.
void check_linear(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias);

}  // namespace minigrad

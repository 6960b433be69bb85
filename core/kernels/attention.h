// The loops behind scaled_dot_product_attention: a flash-attention forward (keys in blocks,
// an online softmax, so the L x S score matrix is never stored; it keeps only the output and
// each row's logsumexp) and the backward that recomputes the scores block by block. No
// autograd, no shapes or masks to check: the op and its derivation are in core/ops/attention.cpp.
// The *_reference loops are the plain definition, one query row at a time; the fast ones work
// on (query block x key block) tiles with the GEMM (gemm.h) and the level's vector exp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/kernels/cpu.h"
#include "core/kernels/gemm.h"
#include "core/kernels/parallel.h"

namespace minigrad::kernels {

// Legend: per batch b (every batch dim and head flattened): q (L, E), k (S, E), v (S, Ev),
// o (L, Ev), lse (L), all contiguous. s_ij = scale q_i . k_j + bias_ij, where bias (L, S) is
// the additive mask (-inf removes key j from row i) and `causal` removes every j > i.
//   p_ij = e^(s_ij - lse_i),  lse_i = log sum_j e^(s_ij),  o_i = sum_j p_ij v_j.
// A row with every key removed has lse = -inf and o = NaN (0 / 0), as torch's math path.
template <class T>
struct AttentionArgs {
  int64_t batch = 0, L = 0, S = 0, E = 0, Ev = 0;
  T scale = 1;
  bool causal = false;
  const T* bias = nullptr;   // (L, S) for batch b at bias + b * bias_stride; null = no mask
  int64_t bias_stride = 0;   // 0 when every batch shares one mask
};

namespace detail {

template <class T>
T attention_score(const AttentionArgs<T>& a, int64_t b, int64_t i, int64_t j, T dot) {
  if (a.causal && j > i) return -std::numeric_limits<T>::infinity();
  const T s = a.scale * dot;
  return a.bias ? s + a.bias[b * a.bias_stride + i * a.S + j] : s;
}

}  // namespace detail

// ---- the reference: every score of a row, then its softmax ----

template <class T>
void attention_forward_reference(const AttentionArgs<T>& a, const T* q, const T* k, const T* v, T* o, T* lse) {
  std::vector<T> s(static_cast<size_t>(a.S));
  for (int64_t b = 0; b < a.batch; ++b)
    for (int64_t i = 0; i < a.L; ++i) {
      const T* qi = q + (b * a.L + i) * a.E;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < a.S; ++j) {
        T dot = 0;
        for (int64_t e = 0; e < a.E; ++e) dot += qi[e] * k[(b * a.S + j) * a.E + e];
        s[j] = detail::attention_score(a, b, i, j, dot);
        m = std::max(m, s[j]);
      }
      double l = 0;
      for (int64_t j = 0; j < a.S && m > -INFINITY; ++j) l += std::exp(s[j] - m);
      T* oi = o + (b * a.L + i) * a.Ev;
      for (int64_t e = 0; e < a.Ev; ++e) {
        double acc = 0;
        for (int64_t j = 0; j < a.S && m > -INFINITY; ++j) acc += std::exp(s[j] - m) * v[(b * a.S + j) * a.Ev + e];
        oi[e] = static_cast<T>(acc / l);  // l = 0 (every key removed): NaN
      }
      lse[b * a.L + i] = static_cast<T>(m + std::log(l));
    }
}

// From the saved o and lse and the output's gradient dO:
//   D_i = dO_i . o_i;  dp_ij = dO_i . v_j;  ds_ij = p_ij (dp_ij - D_i)
//   dq_i = scale sum_j ds_ij k_j,  dk_j = scale sum_i ds_ij q_i,  dv_j = sum_i p_ij dO_i.
template <class T>
void attention_backward_reference(const AttentionArgs<T>& a, const T* q, const T* k, const T* v, const T* o,
                                  const T* lse, const T* dout, T* dq, T* dk, T* dv) {
  std::fill(dq, dq + a.batch * a.L * a.E, T(0));
  std::fill(dk, dk + a.batch * a.S * a.E, T(0));
  std::fill(dv, dv + a.batch * a.S * a.Ev, T(0));
  for (int64_t b = 0; b < a.batch; ++b)
    for (int64_t i = 0; i < a.L; ++i) {
      const T *qi = q + (b * a.L + i) * a.E, *doi = dout + (b * a.L + i) * a.Ev, *oi = o + (b * a.L + i) * a.Ev;
      T D = 0;
      for (int64_t e = 0; e < a.Ev; ++e) D += doi[e] * oi[e];
      for (int64_t j = 0; j < a.S; ++j) {
        const T *kj = k + (b * a.S + j) * a.E, *vj = v + (b * a.S + j) * a.Ev;
        T dot = 0, dp = 0;
        for (int64_t e = 0; e < a.E; ++e) dot += qi[e] * kj[e];
        for (int64_t e = 0; e < a.Ev; ++e) dp += doi[e] * vj[e];
        const T s = detail::attention_score(a, b, i, j, dot);
        const T lse_i = lse[b * a.L + i];  // -inf: the row kept no key, and its p are NaN
        const T p = lse_i == -INFINITY ? std::numeric_limits<T>::quiet_NaN() : s == -INFINITY ? T(0) : std::exp(s - lse_i);
        const T ds = p * (dp - D) * a.scale;
        for (int64_t e = 0; e < a.Ev; ++e) dv[(b * a.S + j) * a.Ev + e] += p * doi[e];
        for (int64_t e = 0; e < a.E; ++e) {
          dq[(b * a.L + i) * a.E + e] += ds * kj[e];
          dk[(b * a.S + j) * a.E + e] += ds * qi[e];
        }
      }
    }
}

// ---- the fast loops: (query block x key block) tiles ----

namespace detail {

inline constexpr int64_t kQueryBlock = 64, kKeyBlock = 64;

// y[j] = e^(x[j] - m) for j < n; float rows take the level's vector exp (cpu.h), the rest std::exp.
template <class T>
void exp_shifted(T* x, int64_t n, T m) {
  for (int64_t j = 0; j < n; ++j) x[j] -= m;
  int64_t done = 0;
  if constexpr (std::is_same_v<T, float>) done = cpu().exp_f32(x, x, n);
  for (int64_t j = done; j < n; ++j) x[j] = std::exp(x[j]);
}

// Scores of one tile: s (rows x cols, row stride kKeyBlock) = scale q k^T + bias, causal
// cut, for query rows i0.. and keys j0.. of batch b. Returns nothing: the caller exponentiates.
template <class T>
void tile_scores(const AttentionArgs<T>& a, int64_t b, int64_t i0, int64_t rows, int64_t j0, int64_t cols,
                 const T* q, const T* k, T* s) {
  gemm(false, true, rows, cols, a.E, q + (b * a.L + i0) * a.E, a.E, k + (b * a.S + j0) * a.E, a.E, T(0), s,
       kKeyBlock);
  for (int64_t r = 0; r < rows; ++r) {
    T* sr = s + r * kKeyBlock;
    const int64_t i = i0 + r;
    const T* br = a.bias ? a.bias + b * a.bias_stride + i * a.S + j0 : nullptr;
    if (br) for (int64_t c = 0; c < cols; ++c) sr[c] = a.scale * sr[c] + br[c];
    else for (int64_t c = 0; c < cols; ++c) sr[c] = a.scale * sr[c];
    if (a.causal) for (int64_t c = std::max<int64_t>(0, i + 1 - j0); c < cols; ++c) sr[c] = -INFINITY;
  }
}

// The online softmax's step on one row of a tile, the plain way: m = max(m, max_j s_j), then
// s_j = e^(s_j - m), summed in double. Float rows take the level's vector form (cpu.h) when the
// row's own max is finite; a row of only removed keys (max -inf) leaves m as it was and p = 0.
template <class T>
double online_softmax_row(T* s, int64_t n, T& m) {
  double sum = 0;
  if constexpr (std::is_same_v<T, float>) {
    if (cpu().attention_row(s, n, m, sum)) return sum;
  }
  for (int64_t j = 0; j < n; ++j) m = std::max(m, s[j]);
  if (m == -INFINITY) {
    std::fill(s, s + n, T(0));
    return 0;
  }
  for (int64_t j = 0; j < n; ++j) sum += s[j] = std::exp(s[j] - m);
  return sum;
}

// Key blocks a query block [i0, i0 + rows) must visit: all, or with `causal` those with j0 <= the last i.
template <class T>
int64_t key_end(const AttentionArgs<T>& a, int64_t i0, int64_t rows) {
  return a.causal ? std::min(a.S, i0 + rows) : a.S;
}

}  // namespace detail

// Each task owns one (batch, query block) and writes only its rows of o and lse, visiting the
// key blocks in order: the same bits at any thread count.
template <class T>
void attention_forward(const AttentionArgs<T>& a, const T* q, const T* k, const T* v, T* o, T* lse) {
  using detail::kKeyBlock;
  using detail::kQueryBlock;
  const int64_t qblocks = (a.L + kQueryBlock - 1) / kQueryBlock;
  const int64_t work = a.batch * a.L * a.S * (a.E + a.Ev);
  const int threads = work >= 4 * kParallelGrain ? max_threads() : 1;
  for_each_task(a.batch * qblocks, threads, [&](int64_t task) {
    const int64_t b = task / qblocks, i0 = task % qblocks * kQueryBlock;
    const int64_t rows = std::min(kQueryBlock, a.L - i0);
    std::vector<T> s(static_cast<size_t>(kQueryBlock * kKeyBlock));
    std::vector<T> m(static_cast<size_t>(rows), -std::numeric_limits<T>::infinity());  // running row max
    std::vector<double> l(static_cast<size_t>(rows), 0.0);
    T* acc = o + (b * a.L + i0) * a.Ev;  // (rows, Ev): the running sum_j e^(s_ij - m_i) v_j
    for (int64_t j0 = 0; j0 < detail::key_end(a, i0, rows); j0 += kKeyBlock) {
      const int64_t cols = std::min(kKeyBlock, a.S - j0);
      detail::tile_scores(a, b, i0, rows, j0, cols, q, k, s.data());
      for (int64_t r = 0; r < rows; ++r) {
        // The online softmax: when the max rises from m to m_new, what was summed so far shrinks
        // by e^(m - m_new) before this block's e^(s - m_new) are added (m = -inf: it was 0).
        const T m_old = m[r];
        const double block_sum = detail::online_softmax_row(s.data() + r * kKeyBlock, cols, m[r]);
        const T shrink = m_old == m[r] ? T(1) : std::exp(m_old - m[r]);
        l[r] = l[r] * shrink + block_sum;
        if (shrink != T(1) && j0 > 0) for (int64_t e = 0; e < a.Ev; ++e) acc[r * a.Ev + e] *= shrink;
      }
      // acc (rows, Ev) = acc + p (rows, cols) v_j0 (cols, Ev); the first block writes it
      gemm(false, false, rows, a.Ev, cols, s.data(), kKeyBlock, v + (b * a.S + j0) * a.Ev, a.Ev, T(j0 > 0), acc,
           a.Ev);
    }
    for (int64_t r = 0; r < rows; ++r) {
      const T inv = static_cast<T>(1.0 / l[r]);  // l = 0 (every key removed): inf, and 0 * inf = NaN
      for (int64_t e = 0; e < a.Ev; ++e) acc[r * a.Ev + e] = l[r] == 0 ? std::numeric_limits<T>::quiet_NaN()
                                                                       : acc[r * a.Ev + e] * inv;
      lse[b * a.L + i0 + r] = static_cast<T>(m[r] + std::log(l[r]));
    }
  });
}

// Each task owns one batch (all its heads' rows are independent of the others): key blocks in
// order, and for each the query blocks in order, accumulating dk, dv of the key block and dq of
// every query block. A fixed order inside a task: the same bits at any thread count.
template <class T>
void attention_backward(const AttentionArgs<T>& a, const T* q, const T* k, const T* v, const T* o, const T* lse,
                        const T* dout, T* dq, T* dk, T* dv) {
  using detail::kKeyBlock;
  using detail::kQueryBlock;
  const int64_t work = a.batch * a.L * a.S * (a.E + a.Ev);
  const int threads = work >= 4 * kParallelGrain ? max_threads() : 1;
  for_each_task(a.batch, threads, [&](int64_t b) {
    std::vector<T> p(static_cast<size_t>(kQueryBlock * kKeyBlock)), dp(p.size()), D(static_cast<size_t>(a.L));
    for (int64_t i = 0; i < a.L; ++i) {  // D_i = dO_i . o_i
      const T *doi = dout + (b * a.L + i) * a.Ev, *oi = o + (b * a.L + i) * a.Ev;
      double d = 0;
      for (int64_t e = 0; e < a.Ev; ++e) d += static_cast<double>(doi[e]) * oi[e];
      D[i] = static_cast<T>(d);
    }
    for (int64_t j0 = 0; j0 < a.S; j0 += kKeyBlock) {
      const int64_t cols = std::min(kKeyBlock, a.S - j0);
      const T *kj = k + (b * a.S + j0) * a.E, *vj = v + (b * a.S + j0) * a.Ev;
      T *dkj = dk + (b * a.S + j0) * a.E, *dvj = dv + (b * a.S + j0) * a.Ev;
      // causal: query rows i < j0 see none of these keys
      const int64_t first = a.causal ? j0 / kQueryBlock * kQueryBlock : 0;
      if (first >= a.L) {  // keys no query sees: no gradient
        std::fill(dkj, dkj + cols * a.E, T(0));
        std::fill(dvj, dvj + cols * a.Ev, T(0));
      }
      // The first product into dk_j0, dv_j0 (i0 = first) and into dq_i0 (j0 = 0) writes, the rest add.
      for (int64_t i0 = first; i0 < a.L; i0 += kQueryBlock) {
        const int64_t rows = std::min(kQueryBlock, a.L - i0);
        const T *qi = q + (b * a.L + i0) * a.E, *doi = dout + (b * a.L + i0) * a.Ev;
        detail::tile_scores(a, b, i0, rows, j0, cols, q, k, p.data());
        for (int64_t r = 0; r < rows; ++r) {  // p = e^(s - lse), a removed key's p = 0
          T* pr = p.data() + r * kKeyBlock;
          const T lse_r = lse[b * a.L + i0 + r];
          // A removed key (s = -inf) in a row that kept others gives e^(-inf) = 0; a row that
          // kept none (lse = -inf) gets p = NaN, so its NaN flows into every gradient, as torch's.
          if (lse_r == -INFINITY) std::fill(pr, pr + cols, std::numeric_limits<T>::quiet_NaN());
          else detail::exp_shifted(pr, cols, lse_r);
        }
        // dv_j0 (cols, Ev) += p^T (cols, rows) dO_i0 (rows, Ev)
        gemm(true, false, cols, a.Ev, rows, p.data(), kKeyBlock, doi, a.Ev, T(i0 > first), dvj, a.Ev);
        // dp (rows, cols) = dO_i0 (rows, Ev) v_j0^T (Ev, cols)
        gemm(false, true, rows, cols, a.Ev, doi, a.Ev, vj, a.Ev, T(0), dp.data(), kKeyBlock);
        for (int64_t r = 0; r < rows; ++r) {  // ds = scale p (dp - D), kept in dp
          const T* pr = p.data() + r * kKeyBlock;
          T* dsr = dp.data() + r * kKeyBlock;
          const T Dr = D[i0 + r];
          for (int64_t c = 0; c < cols; ++c) dsr[c] = pr[c] * (dsr[c] - Dr) * a.scale;
        }
        // dq_i0 (rows, E) += ds (rows, cols) k_j0 (cols, E);  dk_j0 (cols, E) += ds^T (cols, rows) q_i0 (rows, E)
        gemm(false, false, rows, a.E, cols, dp.data(), kKeyBlock, kj, a.E, T(j0 > 0), dq + (b * a.L + i0) * a.E, a.E);
        gemm(true, false, cols, a.E, rows, dp.data(), kKeyBlock, qi, a.E, T(i0 > first), dkj, a.E);
      }
    }
  });
}

}  // namespace minigrad::kernels

// scaled_dot_product_attention, with torch 2.x's semantics (F.scaled_dot_product_attention):
//   out = softmax(q k^T / sqrt(E) + mask) v,  over the last two dims, batch dims broadcast.
// Legend: q (..., L, E), k (..., S, E), v (..., S, Ev) -> out (..., L, Ev); `...` the batch
// dims (batch and heads), B their broadcast product; the scores s are (..., L, S).
// A Bool mask keeps key j for query i where true; a float mask is added to the scores;
// is_causal keeps j <= i (top-left aligned, as torch's tril). A query that keeps no key
// gets NaN (softmax of a row of -inf is 0 / 0), as torch 2.0-2.4's math path gives.
// Not here: the loops (core/kernels/attention.h); the heads' reshapes (nn/, llm/).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/kernels/attention.h"
#include "core/ops/broadcast.h"

namespace minigrad {

namespace {

constexpr const char* kOp = "scaled_dot_product_attention";

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(std::string(kOp) + ": " + what); }

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

// Whether shape `a` broadcasts with `b`; if so, `out` is the broadcast shape.
bool broadcast_with(const Shape& a, const Shape& b, Shape& out) {
  const size_t n = std::max(a.size(), b.size());
  out.assign(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    out[i] = da == 1 ? db : da;
  }
  return true;
}

std::string shapes_of(const Tensor& q, const Tensor& k, const Tensor& v) {
  return "query " + shape_str(q.sizes()) + ", key " + shape_str(k.sizes()) + ", value " + shape_str(v.sizes());
}

// Checks every argument (messages name the op and the shapes); returns the scores' shape (..., L, S).
Shape check_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double dropout_p,
                      bool is_causal) {
  if (!q.defined() || !k.defined() || !v.defined()) fail("query, key and value must be defined tensors");
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2)
    fail("query, key and value need at least 2 dims, (..., L, E), (..., S, E), (..., S, Ev); got " +
         shapes_of(q, k, v));
  if (!is_floating(q.dtype()) || k.dtype() != q.dtype() || v.dtype() != q.dtype())
    fail("expected query, key and value of one floating dtype, got " + dtype_name(q.dtype()) + ", " +
         dtype_name(k.dtype()) + ", " + dtype_name(v.dtype()));
  if (q.sizes().back() != k.sizes().back())
    fail("query and key must have the same embedding size E (last dim), got " + shapes_of(q, k, v));
  if (k.sizes()[k.dim() - 2] != v.sizes()[v.dim() - 2])
    fail("key and value must have the same number of keys S (dim -2), got " + shapes_of(q, k, v));
  Shape batch, bkv;
  if (!broadcast_with(batch_of(k.sizes()), batch_of(v.sizes()), bkv) || !broadcast_with(batch_of(q.sizes()), bkv, batch))
    fail("the batch dims (all but the last two) must broadcast together, got " + shapes_of(q, k, v));
  Shape scores = batch;
  scores.push_back(q.sizes()[q.dim() - 2]);
  scores.push_back(k.sizes()[k.dim() - 2]);
  if (mask.defined()) {
    if (is_causal)
      fail("an explicit attn_mask should not be set when is_causal=True (is_causal is the lower-triangular "
           "mask); pass one or the other");
    if (mask.dtype() != DType::Bool && mask.dtype() != q.dtype())
      fail("expected attn_mask of dtype torch.bool or of the query's dtype " + dtype_name(q.dtype()) + ", got " +
           dtype_name(mask.dtype()) + " (attn_mask of shape " + shape_str(mask.sizes()) + ")");
    Shape out;
    if (!broadcast_with(mask.sizes(), scores, out) || out != scores)
      fail("attn_mask of shape " + shape_str(mask.sizes()) + " does not broadcast to the scores' shape " +
           shape_str(scores) + " (..., L, S) of " + shapes_of(q, k, v));
  }
  if (!(dropout_p >= 0.0 && dropout_p <= 1.0)) {
    std::ostringstream os;
    os << "dropout_p has to be between 0 and 1, but got " << dropout_p << " (" << shapes_of(q, k, v) << ")";
    fail(os.str());
  }
  return scores;
}

// The mask as torch's math path uses it: a Bool mask becomes 0 where true and -inf where
// false (convert_boolean_attn_mask); is_causal is the Bool mask ones(L, S).tril().
Tensor additive_mask(const Tensor& mask, bool is_causal, int64_t L, int64_t S, DType dtype) {
  NoGradGuard no_grad;
  if (is_causal) return zeros({L, S}, dtype).masked_fill(tril(ones({L, S}, DType::Bool)).logical_not(), -INFINITY);
  if (mask.defined() && mask.dtype() == DType::Bool)
    return zeros(mask.sizes(), dtype).masked_fill(mask.logical_not(), -INFINITY);
  return mask;
}

// The composite, torch's math path op by op (autograd derives its backward): scale q and k^T by
// sqrt(1 / sqrt(E)) each, add the mask, softmax, dropout (drawing as torch does), then @ v.
// Taken for dropout_p > 0, for a float mask that wants a gradient, and for empty inputs.
Tensor attention_composite(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias, double dropout_p) {
  const double root_scale = std::sqrt(1.0 / std::sqrt(static_cast<double>(q.sizes().back())));
  Tensor attn = q.mul(root_scale).matmul(k.transpose(-2, -1).mul(root_scale));  // (..., L, S)
  if (bias.defined()) attn = attn + bias;
  attn = attn.softmax(-1);
  if (dropout_p > 0.0) attn = dropout(attn, dropout_p, /*train=*/true);
  return attn.matmul(v);  // (..., L, Ev)
}

template <class T>
void run_forward(const kernels::AttentionArgs<T>& a, const Tensor& q, const Tensor& k, const Tensor& v, Tensor& o,
                 Tensor& lse) {
  kernels::attention_forward(a, q.data_ptr<T>(), k.data_ptr<T>(), v.data_ptr<T>(), o.data_ptr<T>(),
                             lse.data_ptr<T>());
}

template <class T>
void run_backward(const kernels::AttentionArgs<T>& a, const Tensor& q, const Tensor& k, const Tensor& v,
                  const Tensor& o, const Tensor& lse, const Tensor& g, Tensor& dq, Tensor& dk, Tensor& dv) {
  kernels::attention_backward(a, q.data_ptr<T>(), k.data_ptr<T>(), v.data_ptr<T>(), o.data_ptr<T>(),
                              lse.data_ptr<T>(), g.data_ptr<T>(), dq.data_ptr<T>(), dk.data_ptr<T>(),
                              dv.data_ptr<T>());
}

template <class T>
kernels::AttentionArgs<T> args_for(const Shape& scores, int64_t E, int64_t Ev, bool is_causal, const Tensor& bias) {
  kernels::AttentionArgs<T> a;
  a.L = scores[scores.size() - 2];
  a.S = scores.back();
  a.batch = numel_of(scores) / (a.L * a.S);
  a.E = E;
  a.Ev = Ev;
  a.scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(E)));
  a.causal = is_causal;
  if (bias.defined()) {
    a.bias = bias.data_ptr<T>();
    a.bias_stride = bias.numel() == a.L * a.S ? 0 : a.L * a.S;
  }
  return a;
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal) {
  const Shape scores = check_attention(query, key, value, attn_mask, dropout_p, is_causal);
  const int64_t L = scores[scores.size() - 2], S = scores.back();
  const int64_t E = query.sizes().back(), Ev = value.sizes().back();
  const DType dt = query.dtype();
  const bool mask_wants_grad = attn_mask.defined() && attn_mask.requires_grad() && GradMode::is_enabled();
  if (dropout_p > 0.0 || mask_wants_grad || numel_of(scores) == 0 || E == 0 || Ev == 0)
    return attention_composite(query, key, value, additive_mask(attn_mask, is_causal, L, S, dt), dropout_p);

  // The fused path. Batch dims are broadcast by copying (the backward sums them back), and
  // the mask becomes one additive (L, S) bias shared by every batch, or one per batch.
  const Shape batch = batch_of(scores);
  auto full = [&batch](const Tensor& t) {
    Shape s = batch;
    s.insert(s.end(), t.sizes().end() - 2, t.sizes().end());
    return t.sizes() == s ? t.detach() : expand_to(t, s);
  };
  Tensor q = full(query), k = full(key), v = full(value);
  Tensor bias;
  if (attn_mask.defined()) {
    Tensor m = additive_mask(attn_mask, false, L, S, dt);
    bool shared = true;  // every mask dim before the last two is 1
    for (int64_t d = 0; d + 2 < m.dim(); ++d) shared = shared && m.sizes()[d] == 1;
    bias = shared ? expand_to(m.reshape(Shape(m.sizes().end() - std::min<int64_t>(2, m.dim()), m.sizes().end())),
                              {L, S})
                  : expand_to(m, scores);
  }
  Shape out_shape = batch;
  out_shape.insert(out_shape.end(), {L, Ev});
  Tensor out = empty(out_shape, dt);
  Tensor lse = empty({numel_of(batch) * L}, dt);  // (B L): each query row's logsumexp
  if (dt == DType::Float32) run_forward(args_for<float>(scores, E, Ev, is_causal, bias), q, k, v, out, lse);
  else run_forward(args_for<double>(scores, E, Ev, is_causal, bias), q, k, v, out, lse);

  // Per query row i (scale c = 1/sqrt(E)): s_ij = c q_i.k_j + mask_ij, p_ij = softmax_j(s_ij), o_i = sum_j p_ij v_j.
  //   dv_j = sum_i p_ij dO_i                                  (o is linear in v)
  //   dp_ij = dO_i . v_j,  ds_ij = p_ij (dp_ij - sum_l p_il dp_il) = p_ij (dp_ij - D_i),
  //     where D_i = sum_l p_il (dO_i . v_l) = dO_i . o_i       (softmax's backward, softmax.cpp)
  //   dq_i = c sum_j ds_ij k_j,   dk_j = c sum_i ds_ij q_i     (s is bilinear in q and k)
  // p is recomputed tile by tile from the saved lse_i = log sum_j e^(s_ij) as p_ij = e^(s_ij - lse_i),
  // so the (L, S) matrices are never stored.     saved: q, k, v (broadcast), o, lse, mask bias
  auto back = [scores, E, Ev, is_causal](const Node& node, const Tensor& g) -> Grads {
    Tensor q = node.saved(0), k = node.saved(1), v = node.saved(2), o = node.saved(3), lse = node.saved(4),
           bias = node.saved(5);
    Tensor dq = empty(q.sizes(), q.dtype()), dk = empty(k.sizes(), q.dtype()), dv = empty(v.sizes(), q.dtype());
    if (q.dtype() == DType::Float32) run_backward(args_for<float>(scores, E, Ev, is_causal, bias), q, k, v, o, lse, g, dq, dk, dv);
    else run_backward(args_for<double>(scores, E, Ev, is_causal, bias), q, k, v, o, lse, g, dq, dk, dv);
    // A broadcast input's gradient is summed back to its own shape.
    return {node.needs_grad(0) ? sum_to(dq, node.input_shape(0)) : Tensor(),
            node.needs_grad(1) ? sum_to(dk, node.input_shape(1)) : Tensor(),
            node.needs_grad(2) ? sum_to(dv, node.input_shape(2)) : Tensor()};
  };
  // torch 2.2+'s CPU kernel records this node name (its flash attention for CPU).
  return record_op(out, {query, key, value}, "ScaledDotProductFlashAttentionForCpuBackward0",
                   {q, k, v, out, lse, bias}, back);
}

}  // namespace minigrad

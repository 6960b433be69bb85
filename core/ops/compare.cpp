// Masks and choosing by them: the comparisons eq ne lt le gt ge (and == != < <= > >=),
// which make torch.bool tensors; logical_not (~); where(condition, a, b); masked_fill
// and masked_fill_. Comparisons broadcast and carry no gradient, as in torch; where and
// masked_fill pass g through to the positions they took, with the derivation beside each.
// Shapes: c (condition / mask), a, b broadcast to out; masked_fill's mask broadcasts to x.
// Not here: the triangles that build causal masks (triangle.cpp), the loops (kernels/elementwise.h).
#include <cfloat>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "core/convert.h"
#include "core/kernels/elementwise.h"
#include "core/ops/broadcast.h"

namespace minigrad {

namespace {

void require_defined(const Tensor& t, const char* op, const char* what) {
  if (!t.defined()) throw std::invalid_argument(std::string(op) + ": " + what + " is an undefined tensor");
}

// The dtype two compared tensors meet in, as torch promotes them:
// Bool < Int64 < Float32 < Float64.
DType promote(DType a, DType b) {
  auto rank = [](DType d) { return d == DType::Bool ? 0 : d == DType::Int64 ? 1 : d == DType::Float32 ? 2 : 3; };
  return rank(a) >= rank(b) ? a : b;
}

// out = cmp(a, b) with broadcasting, as a Bool tensor; a and b are first converted to
// their promoted dtype. No gradient: the output is Bool and records nothing.
template <class Cmp>
Tensor compare(const Tensor& a, const Tensor& b, const char* op, Cmp cmp) {
  require_defined(a, op, "the left operand");
  require_defined(b, op, "the right operand");
  Shape shape = broadcast_shapes(a.sizes(), b.sizes(), op);
  DType common = promote(a.dtype(), b.dtype());
  auto prepare = [&](const Tensor& t) {
    Tensor c = t.detach().to(common);
    return c.sizes() == shape ? c : expand_to(c, shape);
  };
  Tensor ea = prepare(a), eb = prepare(b);
  Tensor out = empty(shape, DType::Bool);
  visit_dtype(common, [&](auto tag) {
    using T = decltype(tag);
    kernels::zip(ea.data_ptr<T>(), eb.data_ptr<T>(), out.data_ptr<bool>(), out.numel(), cmp);
  });
  return out;
}

// A scalar s as the 0-dim tensor a comparison with x meets, following libtorch's rule
// for a tensor against a C++ number: a floating x keeps its own dtype (x < 0.1 compares
// in float32 for a float32 x, s rounded first); an Int64 or Bool x compares exactly with
// a whole s, and in float32 (torch's default dtype) with a fractional one.
Tensor scalar_like(const Tensor& x, double s, const char* op) {
  require_defined(x, op, "the tensor");
  DType d = x.dtype();
  if (d == DType::Float64) return scalar_tensor(s, DType::Float64);
  if (d != DType::Float32 && s == std::trunc(s) && s >= -9223372036854775808.0 && s < 9223372036854775808.0)
    return scalar_tensor(s, DType::Int64);
  // Beyond float's range s rounds to an infinity, as a float32 comparison in torch sees it.
  double f = std::isfinite(s) && std::fabs(s) > FLT_MAX ? std::copysign(INFINITY, s) : s;
  return scalar_tensor(f, DType::Float32);
}

}  // namespace

// ---- comparisons: out = (a op b) as torch.bool, broadcast; never differentiable ----

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, "eq", [](auto x, auto y) { return x == y; }); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, "ne", [](auto x, auto y) { return x != y; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, "lt", [](auto x, auto y) { return x < y; }); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, "le", [](auto x, auto y) { return x <= y; }); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, "gt", [](auto x, auto y) { return x > y; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, "ge", [](auto x, auto y) { return x >= y; }); }
Tensor eq(const Tensor& a, double s) { return eq(a, scalar_like(a, s, "eq")); }
Tensor ne(const Tensor& a, double s) { return ne(a, scalar_like(a, s, "ne")); }
Tensor lt(const Tensor& a, double s) { return lt(a, scalar_like(a, s, "lt")); }
Tensor le(const Tensor& a, double s) { return le(a, scalar_like(a, s, "le")); }
Tensor gt(const Tensor& a, double s) { return gt(a, scalar_like(a, s, "gt")); }
Tensor ge(const Tensor& a, double s) { return ge(a, scalar_like(a, s, "ge")); }

Tensor Tensor::eq(const Tensor& o) const { return minigrad::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return minigrad::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return minigrad::lt(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return minigrad::le(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return minigrad::gt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return minigrad::ge(*this, o); }
Tensor Tensor::eq(double s) const { return minigrad::eq(*this, s); }
Tensor Tensor::ne(double s) const { return minigrad::ne(*this, s); }
Tensor Tensor::lt(double s) const { return minigrad::lt(*this, s); }
Tensor Tensor::le(double s) const { return minigrad::le(*this, s); }
Tensor Tensor::gt(double s) const { return minigrad::gt(*this, s); }
Tensor Tensor::ge(double s) const { return minigrad::ge(*this, s); }

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, double s) { return eq(a, s); }
Tensor operator!=(const Tensor& a, double s) { return ne(a, s); }
Tensor operator<(const Tensor& a, double s) { return lt(a, s); }
Tensor operator<=(const Tensor& a, double s) { return le(a, s); }
Tensor operator>(const Tensor& a, double s) { return gt(a, s); }
Tensor operator>=(const Tensor& a, double s) { return ge(a, s); }
// s op a is a op' s with the comparison mirrored, as libtorch's operators do.
Tensor operator==(double s, const Tensor& a) { return eq(a, s); }
Tensor operator!=(double s, const Tensor& a) { return ne(a, s); }
Tensor operator<(double s, const Tensor& a) { return gt(a, s); }
Tensor operator<=(double s, const Tensor& a) { return ge(a, s); }
Tensor operator>(double s, const Tensor& a) { return lt(a, s); }
Tensor operator>=(double s, const Tensor& a) { return le(a, s); }

// out = not c, for a Bool c (torch's ~mask); other dtypes: c == 0, as torch.logical_not.
Tensor logical_not(const Tensor& c) {
  require_defined(c, "logical_not", "the tensor");
  if (c.dtype() != DType::Bool) return eq(c, 0.0);
  Tensor out = empty(c.sizes(), DType::Bool);
  kernels::map(c.data_ptr<bool>(), out.data_ptr<bool>(), c.numel(), [](bool v) { return !v; });
  return out;
}
Tensor Tensor::logical_not() const { return minigrad::logical_not(*this); }
Tensor operator~(const Tensor& c) { return logical_not(c); }

// ---- where ----

namespace {

void require_bool(const Tensor& t, const char* op, const char* what) {
  if (t.dtype() != DType::Bool) {
    throw std::invalid_argument(std::string(op) + ": expected " + what + " to be a torch.bool tensor, but got " +
                                dtype_name(t.dtype()) + " of shape " + shape_str(t.sizes()) +
                                " (make one with a comparison, e.g. x > 0, or with to(DType::Bool))");
  }
}

}  // namespace

// out = c ? a : b, all three broadcast together
//   =>  da = sum_to(g where c, else 0;  a.shape),  db = sum_to(g where not c, else 0;  b.shape)
// saved: c
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  const char* op = "where";
  require_defined(condition, op, "the condition");
  require_defined(a, op, "the first value tensor");
  require_defined(b, op, "the second value tensor");
  require_bool(condition, op, "the condition");
  if (a.dtype() != b.dtype()) {
    throw std::invalid_argument("where: the value tensors have different dtypes, " + dtype_name(a.dtype()) +
                                " (shape " + shape_str(a.sizes()) + ") and " + dtype_name(b.dtype()) +
                                " (shape " + shape_str(b.sizes()) + "); convert one with to()");
  }
  Shape shape = broadcast_shapes(broadcast_shapes(condition.sizes(), a.sizes(), op), b.sizes(), op);
  auto expand = [&shape](const Tensor& t) { return t.sizes() == shape ? t : expand_to(t, shape); };
  Tensor c = expand(condition), ea = expand(a), eb = expand(b);
  Tensor out = empty(shape, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::select(c.data_ptr<bool>(), ea.data_ptr<T>(), eb.data_ptr<T>(), out.data_ptr<T>(), out.numel());
  });
  Shape sa = a.sizes(), sb = b.sizes();
  return record_op(out, {a, b}, "WhereBackward0", {condition}, [sa, sb](const Node& node, const Tensor& g) -> Grads {
    Tensor cond = node.saved(0);
    Tensor da = node.needs_grad(0) ? sum_to(g.masked_fill(logical_not(cond), 0.0), sa) : Tensor();
    Tensor db = node.needs_grad(1) ? sum_to(g.masked_fill(cond, 0.0), sb) : Tensor();
    return {da, db};
  });
}

// A number in place of a or b is a 0-dim tensor of the other's dtype (torch's
// where(c, x, -inf), as the book's top-k sampling writes it), with no gradient of its own.
Tensor where(const Tensor& condition, const Tensor& a, double b) {
  require_defined(a, "where", "the first value tensor");
  return where(condition, a, scalar_tensor(b, a.dtype()));
}
Tensor where(const Tensor& condition, double a, const Tensor& b) {
  require_defined(b, "where", "the second value tensor");
  return where(condition, scalar_tensor(a, b.dtype()), b);
}

// ---- masked_fill ----

namespace {

// The mask, checked and broadcast to x's shape. Unlike an elementwise op the mask may
// not make x grow: x keeps its shape, as masked_fill_ must.
Tensor mask_for(const Tensor& x, const Tensor& mask, const char* op) {
  require_defined(x, op, "the tensor");
  require_defined(mask, op, "the mask");
  require_bool(mask, op, "the mask");
  bool fits = mask.dim() <= x.dim();
  for (int64_t k = 1; fits && k <= mask.dim(); ++k) {
    int64_t m = mask.sizes()[mask.dim() - k];
    fits = m == 1 || m == x.sizes()[x.dim() - k];
  }
  if (!fits) {
    throw std::invalid_argument(std::string(op) + ": the mask of shape " + shape_str(mask.sizes()) +
                                " does not broadcast to the tensor's shape " + shape_str(x.sizes()) +
                                " (each mask dim, aligned from the right, must be 1 or equal the tensor's)");
  }
  return mask.sizes() == x.sizes() ? mask : expand_to(mask, x.sizes());
}

// x = value where m (m already x's shape), in x's element type (see checked_scalar).
void fill_masked(const Tensor& x, const Tensor& m, double value, const char* op) {
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::fill_where(m.data_ptr<bool>(), checked_scalar<T>(value, op), x.data_ptr<T>(), x.numel());
  });
}

// y = x with y[mask] = v  =>  dx = g with the masked positions zeroed      saved: mask
Grads masked_fill_backward(const Node& node, const Tensor& g) {
  return {g.masked_fill(node.saved(0), 0.0)};
}

}  // namespace

Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  Tensor m = mask_for(*this, mask, "masked_fill");
  Tensor y = detach().clone();
  fill_masked(y, m, value, "masked_fill");
  return record_op(y, {*this}, "MaskedFillBackward0", {mask}, masked_fill_backward);
}

// The same, in place: recorded on a tensor that requires grad (rebase_history), as the
// book's attn_scores.masked_fill_(mask, -inf) is.
Tensor& Tensor::masked_fill_(const Tensor& mask, double value) {
  check_inplace(*this, "masked_fill_", {&mask});
  Tensor m = mask_for(*this, mask, "masked_fill_");
  fill_masked(*this, m, value, "masked_fill_");
  return rebase_history(*this, {}, "MaskedFillBackward0", {mask}, masked_fill_backward);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) { return x.masked_fill(mask, value); }

}  // namespace minigrad

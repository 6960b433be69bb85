// Tensor's own members: metadata, raw access, copies, autograd accessors and
// the in-place ops (which bump the version counter, and are recorded by rebase_history).
// Not here: differentiable ops (core/ops/), factories (factory.cpp), printing (print.cpp).
#include "core/tensor.h"

#include <cfloat>
#include <cmath>
#include <sstream>
#include <type_traits>

#include "core/autograd.h"
#include "core/convert.h"
#include "core/kernels/elementwise.h"
#include "core/ops/broadcast.h"

namespace minigrad {

// ---- shared helpers ----

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // a 0-dim tensor accepts dim 0 and -1, as torch
  if (dim < -n || dim >= n) {
    throw std::out_of_range(std::string(op) + ": dimension " + std::to_string(dim) +
                            " is out of range for a tensor of " + std::to_string(ndim) +
                            " dimension(s) (expected a dim in [" + std::to_string(-n) + ", " +
                            std::to_string(n - 1) + "])");
  }
  return dim < 0 ? dim + n : dim;
}

std::string shape_str(const Shape& shape) {
  std::ostringstream ss;
  ss << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) ss << (i ? ", " : "") << shape[i];
  ss << "]";
  return ss.str();
}

std::string tuple_str(const Shape& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

void throw_undefined(const char* op) { throw std::invalid_argument(std::string(op) + ": undefined tensor"); }

void throw_data_ptr_dtype(DType held, DType asked) {
  throw std::invalid_argument("data_ptr: the tensor holds " + dtype_name(held) +
                              " but the pointer asked for is to " + dtype_name(asked));
}

namespace {

// Arithmetic on an Int64 tensor takes only whole numbers: torch refuses
// int64.add_(0.5), whose result would be a float that the tensor cannot hold.
uint64_t integral_scalar(double value, const char* op, const char* what) {
  if (value != std::trunc(value)) {
    throw std::invalid_argument(std::string(op) + ": " + what + " " + num(value) +
                                " is not a whole number, so it cannot update a torch.int64 "
                                "tensor in place");
  }
  // As uint64_t, so that the arithmetic wraps on overflow instead of being undefined.
  return static_cast<uint64_t>(checked_scalar<int64_t>(value, op));
}

}  // namespace

// ---- metadata ----

int64_t Tensor::size(int64_t d) const {
  // wrap_dim lets a 0-dim tensor take dim 0 (for reductions), but it has no size to return.
  if (dim() == 0) {
    throw std::out_of_range("size: dimension " + std::to_string(d) +
                            " specified, but the tensor has no dimensions (it is 0-dim)");
  }
  return sizes()[wrap_dim(d, dim(), "size")];
}
uint64_t Tensor::version() const { require_defined(*this, "version"); return impl_->storage->version; }


double Tensor::item_double() const {
  if (numel() != 1) {
    throw std::invalid_argument("item: a tensor with " + std::to_string(numel()) +
                                " elements (shape " + shape_str(sizes()) +
                                ") cannot be converted to a scalar; expected exactly one element");
  }
  return visit_dtype(dtype(), [&](auto tag) { return static_cast<double>(*data_ptr<decltype(tag)>()); });
}

template <class T> T Tensor::item() const {
  double v = item_double();  // validates numel
  if constexpr (std::is_same_v<T, int64_t>) {
    if (dtype() == DType::Int64) return *data_ptr<int64_t>();  // exact, even beyond 2^53
  }
  return checked_scalar<T>(v, "item");
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template bool Tensor::item<bool>() const;

// ---- copies ----

Tensor Tensor::detach() const {
  require_defined(*this, "detach");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->shape = impl_->shape;
  impl->storage_offset = impl_->storage_offset;
  impl->dtype = impl_->dtype;
  return Tensor(impl);
}

// ---- autograd accessors ----

bool Tensor::requires_grad() const {
  require_defined(*this, "requires_grad");
  return impl_->requires_grad || impl_->grad_fn != nullptr;
}

// As torch: a non-leaf already requires grad, so requires_grad_(true) leaves it be;
// only turning it off is refused (that would cut the graph; detach() does it openly).
Tensor& Tensor::requires_grad_(bool requires_grad) {
  require_defined(*this, "requires_grad_");
  if (!is_leaf()) {
    if (requires_grad) return *this;
    throw std::runtime_error(
        "requires_grad_: you can only change requires_grad flags of leaf tensors; this one "
        "was made by " + grad_fn_name() + ". Use detach() to get a tensor without history.");
  }
  if (requires_grad && !is_floating(dtype())) {
    throw std::runtime_error("requires_grad_: only floating point tensors can require "
                             "gradients, not " + dtype_name(dtype()));
  }
  impl_->requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  require_defined(*this, "grad");
  return Tensor(impl_->grad);
}

void Tensor::set_grad(const Tensor& grad) const {
  require_defined(*this, "set_grad");
  if (grad.defined() && (grad.sizes() != sizes() || grad.dtype() != dtype())) {
    throw std::invalid_argument("set_grad: gradient of shape " + shape_str(grad.sizes()) + " " +
                                dtype_name(grad.dtype()) + " does not match the tensor's " +
                                shape_str(sizes()) + " " + dtype_name(dtype()));
  }
  impl_->grad = grad.impl_ptr();
}

bool Tensor::is_leaf() const { require_defined(*this, "is_leaf"); return impl_->grad_fn == nullptr; }
std::shared_ptr<Node> Tensor::grad_fn() const { require_defined(*this, "grad_fn"); return impl_->grad_fn; }
std::string Tensor::grad_fn_name() const { auto fn = grad_fn(); return fn ? fn->name() : ""; }

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  require_defined(*this, "backward");
  run_backward(*this, gradient, retain_graph);
}

void Tensor::register_hook(Hook hook) const {
  if (!requires_grad()) {
    throw std::runtime_error("register_hook: cannot register a hook on a tensor that doesn't "
                             "require gradient");
  }
  if (impl_->grad_fn) impl_->grad_fn->hooks.push_back(std::move(hook));
  else impl_->hooks.push_back(std::move(hook));
}

unsigned Tensor::register_post_accumulate_grad_hook(PostAccumulateGradHook hook) const {
  if (!requires_grad() || !is_leaf())
    throw std::runtime_error("register_post_accumulate_grad_hook: the tensor of shape " + shape_str(sizes()) +
                             (is_leaf() ? " does not require grad" : " is not a leaf (its grad_fn is " +
                                                                         grad_fn_name() + ")") +
                             "; post-accumulate-grad hooks go on leaves that require grad, such as parameters");
  impl_->post_accumulate_grad_hooks.push_back(std::move(hook));
  return static_cast<unsigned>(impl_->post_accumulate_grad_hooks.size() - 1);
}

// As libtorch's remove_hook: the slot is emptied, not erased, so other handles stay valid.
void Tensor::remove_post_accumulate_grad_hook(unsigned handle) const {
  require_defined(*this, "remove_post_accumulate_grad_hook");
  auto& hooks = impl_->post_accumulate_grad_hooks;
  if (handle >= hooks.size() || !hooks[handle])
    throw std::out_of_range("remove_post_accumulate_grad_hook: no hook with handle " + std::to_string(handle) +
                            " on this tensor (it has " + std::to_string(hooks.size()) +
                            " handles; a removed hook cannot be removed again)");
  hooks[handle] = nullptr;
}

void Tensor::set_name(const std::string& name) const { require_defined(*this, "set_name"); impl_->name = name; }
const std::string& Tensor::name() const { require_defined(*this, "name"); return impl_->name; }

// ---- in-place ops ----
//
// Each checks first (check_inplace: no leaf that requires grad, no view while recording),
// writes, then records itself with rebase_history (core/autograd.h), which bumps the
// version counter and makes the op's node the tensor's grad_fn. torch's node names.

namespace {

// The type in-place arithmetic runs in: T itself, but uint64_t for Int64, whose unsigned
// arithmetic wraps on overflow, as torch's does, where signed overflow would be undefined.
template <class T> using wrapping_t = std::conditional_t<std::is_same_v<T, int64_t>, uint64_t, T>;

// dst[i] = f(dst[i], src[i]) in wrapping_t, src broadcast to dst's shape.
template <class F>
void write_binary(Tensor& dst, const Tensor& src, const char* op, F f) {
  require_defined(src, op);
  if (src.dtype() != dst.dtype()) {
    throw std::invalid_argument(std::string(op) + ": dtypes differ: " + dtype_name(dst.dtype()) +
                                " and " + dtype_name(src.dtype()));
  }
  if (src.sizes() != dst.sizes() && broadcast_shapes(dst.sizes(), src.sizes(), op) != dst.sizes()) {
    throw std::invalid_argument(std::string(op) + ": the source of shape " +
                                shape_str(src.sizes()) + " cannot be broadcast to shape " +
                                shape_str(dst.sizes()));
  }
  Tensor s = src.sizes() == dst.sizes() ? src : expand_to(src, dst.sizes());
  visit_dtype(dst.dtype(), [&](auto tag) {  // Bool: copy_ only
    using T = decltype(tag);
    auto* d = reinterpret_cast<wrapping_t<T>*>(dst.data_ptr<T>());
    const auto* x = reinterpret_cast<const wrapping_t<T>*>(s.data_ptr<T>());
    for (int64_t i = 0, n = dst.numel(); i < n; ++i) d[i] = f(d[i], x[i]);
  });
}

// dst[i] = f(dst[i], c), where c is `scalar` in dst's element type (see checked_scalar);
// as in torch, float32 arithmetic happens in float32 with the scalar rounded first.
// An Int64 dst needs a whole-number scalar unless `truncate` (fill_).
template <class F>
void write_scalar(Tensor& dst, double scalar, const char* op, bool truncate, F f) {
  visit_dtype(dst.dtype(), [&](auto tag) {  // Bool: fill_ only
    using T = decltype(tag);
    wrapping_t<T> c;
    if constexpr (std::is_same_v<T, int64_t>)
      c = truncate ? checked_scalar<T>(scalar, op) : integral_scalar(scalar, op, "the scalar");
    else
      c = checked_scalar<T>(scalar, op);
    auto* d = reinterpret_cast<wrapping_t<T>*>(dst.data_ptr<T>());
    for (int64_t i = 0, n = dst.numel(); i < n; ++i) d[i] = f(d[i], c);
  });
}

// x' = x + alpha o (sub_: alpha negated)  =>  dx = g,  do = sum_to(alpha g, o.shape)
// torch's CPU kernel computes it as one fused multiply-add, fma(o, alpha, x), with
// alpha rounded to the element type; doing the same keeps optimizer steps
// (p.add_(g, -lr)) bit-identical to torch's.
Tensor& add_scaled_(Tensor& x, const Tensor& other, double alpha, const char* op, const char* node_name) {
  check_inplace(x, op, {&other});
  require_not_bool(x.dtype(), op);
  uint64_t int_alpha = x.dtype() == DType::Int64 ? integral_scalar(alpha, op, "alpha") : 0;
  if (x.dtype() == DType::Float32 && other.defined() && other.dtype() == DType::Float32 &&
      other.sizes() == x.sizes() && alpha != 1.0) {
    // An optimizer's step on floats: the same fmas, in the CPU level's vectors.
    kernels::add_scaled_float(x.data_ptr<float>(), other.data_ptr<float>(), static_cast<float>(alpha), x.numel());
  } else {
    write_binary(x, other, op, [alpha, int_alpha](auto a, auto b) -> decltype(a) {
      using T = decltype(a);
      if constexpr (std::is_floating_point_v<T>) {
        if (alpha == 1.0) return a + b;  // fma(b, 1, a) == a + b; skip the call on the hot path
        return std::fma(b, static_cast<T>(alpha), a);
      } else {
        return a + int_alpha * b;
      }
    });
  }
  return rebase_history(x, {other}, node_name, {}, [alpha](const Node& node, const Tensor& g) -> Grads {
    return {g, sum_to(alpha == 1.0 ? g : g.mul(alpha), node.input_shape(1))};
  });
}

// x' = x op s for a scalar s, f the per-element formula: dx = g * dx_scale.
template <class F>
Tensor& scalar_op_(Tensor& x, double s, const char* op, const char* node_name, double dx_scale, F f) {
  check_inplace(x, op);
  require_not_bool(x.dtype(), op);
  write_scalar(x, s, op, false, f);
  return rebase_history(x, {}, node_name, {}, [dx_scale](const Node&, const Tensor& g) -> Grads {
    return {dx_scale == 1.0 ? g : g.mul(dx_scale)};
  });
}

// x' = v everywhere  =>  dx = 0 (the old values no longer matter)
Tensor& fill_value_(Tensor& x, double v, const char* op, const char* node_name) {
  check_inplace(x, op);
  write_scalar(x, v, op, true, [](auto, auto c) { return c; });
  return rebase_history(x, {}, node_name, {}, [](const Node&, const Tensor& g) -> Grads {
    return {zeros_like(g)};
  });
}

}  // namespace

Tensor& Tensor::add_(const Tensor& other, double alpha) { return add_scaled_(*this, other, alpha, "add_", "AddBackward0"); }
Tensor& Tensor::sub_(const Tensor& other, double alpha) { return add_scaled_(*this, other, -alpha, "sub_", "SubBackward0"); }

// x' = x * o  =>  dx = g * o,  do = sum_to(g * x, o.shape)      saved: o, x as it was
Tensor& Tensor::mul_(const Tensor& other) {
  check_inplace(*this, "mul_", {&other});
  require_not_bool(dtype(), "mul_");
  require_defined(other, "mul_");
  // The write destroys x, so do's factor is copied first, only when it will be needed;
  // and x.mul_(x) destroys o too.
  Tensor x_before = GradMode::is_enabled() && other.requires_grad() ? detach().clone() : Tensor();
  Tensor o = other.impl()->storage == impl_->storage ? other.detach().clone() : other;
  write_binary(*this, other, "mul_", [](auto a, auto b) -> decltype(a) {
    if constexpr (std::is_same_v<decltype(a), bool>) return a && b;  // never runs: Bool refused above
    else return a * b;
  });
  return rebase_history(*this, {other}, "MulBackward0", {o, x_before}, [](const Node& node, const Tensor& g) -> Grads {
    Tensor dx = node.needs_grad(0) ? g * node.saved(0) : Tensor();
    Tensor dother = node.needs_grad(1) ? sum_to(g * node.saved(1), node.input_shape(1)) : Tensor();
    return {dx, dother};
  });
}

Tensor& Tensor::add_(double s) {
  return scalar_op_(*this, s, "add_", "AddBackward0", 1.0, [](auto a, auto c) { return a + c; });
}
Tensor& Tensor::sub_(double s) {
  return scalar_op_(*this, s, "sub_", "SubBackward0", 1.0, [](auto a, auto c) { return a - c; });
}
Tensor& Tensor::mul_(double s) {
  return scalar_op_(*this, s, "mul_", "MulBackward0", s, [](auto a, auto c) { return a * c; });
}
Tensor& Tensor::fill_(double v) { return fill_value_(*this, v, "fill_", "FillBackward2"); }
Tensor& Tensor::zero_() { return fill_value_(*this, 0.0, "zero_", "ZeroBackward0"); }

// x' = src (converted to x's dtype, broadcast)  =>  dx = 0,  dsrc = sum_to(g, src.shape)
Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace(*this, "copy_", {&src});
  Tensor converted = src.defined() ? src.to(dtype()) : src;  // ToCopyBackward0 carries the dtype back
  write_binary(*this, converted, "copy_", [](auto, auto b) { return b; });
  return rebase_history(*this, {converted}, "CopyBackwards", {}, [](const Node& node, const Tensor& g) -> Grads {
    return {zeros_like(g), sum_to(g, node.input_shape(1))};
  });
}

}  // namespace minigrad

// Tensor's own members: metadata, raw access, copies, autograd accessors and
// the in-place ops (which are not recorded, and bump the version counter).
// Not here: differentiable ops (core/ops/), factories (factory.cpp), printing (print.cpp).
#include "core/tensor.h"

#include <cfloat>
#include <cmath>
#include <sstream>
#include <type_traits>

#include "core/autograd.h"
#include "core/convert.h"
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

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

namespace {

void require_defined(const Tensor& t, const char* op) {
  if (!t.defined())
    throw std::invalid_argument(std::string(op) + ": called on an undefined tensor");
}

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

const Shape& Tensor::sizes() const { require_defined(*this, "sizes"); return impl_->shape; }
int64_t Tensor::dim() const { return static_cast<int64_t>(sizes().size()); }
int64_t Tensor::numel() const { return numel_of(sizes()); }
DType Tensor::dtype() const { require_defined(*this, "dtype"); return impl_->dtype; }
int64_t Tensor::size(int64_t d) const {
  // wrap_dim lets a 0-dim tensor take dim 0 (for reductions), but it has no size to return.
  if (dim() == 0) {
    throw std::out_of_range("size: dimension " + std::to_string(d) +
                            " specified, but the tensor has no dimensions (it is 0-dim)");
  }
  return sizes()[wrap_dim(d, dim(), "size")];
}
uint64_t Tensor::version() const { require_defined(*this, "version"); return impl_->storage->version; }

void* Tensor::raw_data() const {
  require_defined(*this, "data_ptr");
  return static_cast<char*>(impl_->storage->data) +
         impl_->storage_offset * static_cast<int64_t>(element_size(impl_->dtype));
}

template <class T> T* Tensor::data_ptr() const {
  if (dtype() != dtype_of<T>::value) {
    throw std::invalid_argument("data_ptr: the tensor holds " + dtype_name(dtype()) +
                                " but the pointer asked for is to " +
                                dtype_name(dtype_of<T>::value));
  }
  return static_cast<T*>(raw_data());
}
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;

double Tensor::item_double() const {
  if (numel() != 1) {
    throw std::invalid_argument("item: a tensor with " + std::to_string(numel()) +
                                " elements (shape " + shape_str(sizes()) +
                                ") cannot be converted to a scalar; expected exactly one element");
  }
  switch (dtype()) {
    case DType::Float32: return *data_ptr<float>();
    case DType::Float64: return *data_ptr<double>();
    case DType::Int64: return static_cast<double>(*data_ptr<int64_t>());
  }
  return 0;
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

void Tensor::set_name(const std::string& name) const { require_defined(*this, "set_name"); impl_->name = name; }
const std::string& Tensor::name() const { require_defined(*this, "name"); return impl_->name; }

// ---- in-place ops ----

namespace {

// In-place writes are not recorded; refuse them where they would silently corrupt a gradient.
void check_inplace(const Tensor& t, const char* op) {
  require_defined(t, op);
  if (GradMode::is_enabled() && t.requires_grad()) {
    if (t.is_leaf()) {
      throw std::runtime_error(std::string(op) +
                               ": a leaf tensor that requires grad is being used in an in-place "
                               "operation; wrap the update in a NoGradGuard (as optimizers do)");
    }
    throw std::runtime_error(std::string(op) + ": in-place ops are not recorded by autograd, and "
                             "this tensor was made by " + t.grad_fn_name() +
                             "; use the out-of-place op instead");
  }
}

// dst[i] = f(dst[i], src[i]), src broadcast to dst's shape. f sees float, double,
// or, for Int64, uint64_t: unsigned arithmetic wraps on overflow, as torch's does,
// where signed overflow would be undefined behaviour.
template <class F>
void inplace_binary(Tensor& dst, const Tensor& src, const char* op, F f) {
  check_inplace(dst, op);
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
  int64_t n = dst.numel();
  auto run = [&](auto* d, const auto* x) {
    for (int64_t i = 0; i < n; ++i) d[i] = f(d[i], x[i]);
  };
  switch (dst.dtype()) {
    case DType::Float32: run(dst.data_ptr<float>(), s.data_ptr<float>()); break;
    case DType::Float64: run(dst.data_ptr<double>(), s.data_ptr<double>()); break;
    case DType::Int64:
      run(reinterpret_cast<uint64_t*>(dst.data_ptr<int64_t>()),
          reinterpret_cast<const uint64_t*>(s.data_ptr<int64_t>()));
      break;
  }
  dst.impl()->storage->version++;
}

// dst[i] = f(dst[i], c), where c is `scalar` in dst's element type (see checked_scalar);
// as in torch, float32 arithmetic happens in float32 with the scalar rounded first.
// An Int64 dst needs a whole-number scalar unless `truncate` (fill_).
template <class F>
void inplace_scalar(Tensor& dst, double scalar, const char* op, bool truncate, F f) {
  check_inplace(dst, op);
  int64_t n = dst.numel();
  auto run = [&](auto* d, auto c) {
    for (int64_t i = 0; i < n; ++i) d[i] = f(d[i], c);
  };
  switch (dst.dtype()) {
    case DType::Float32: run(dst.data_ptr<float>(), checked_scalar<float>(scalar, op)); break;
    case DType::Float64: run(dst.data_ptr<double>(), scalar); break;
    case DType::Int64:
      run(reinterpret_cast<uint64_t*>(dst.data_ptr<int64_t>()),
          truncate ? static_cast<uint64_t>(checked_scalar<int64_t>(scalar, op))
                   : integral_scalar(scalar, op, "the scalar"));
      break;
  }
  dst.impl()->storage->version++;
}

// dst += alpha * src. torch's CPU kernel computes this as one fused multiply-add,
// fma(src, alpha, dst), with alpha rounded to the element type; doing the same
// keeps optimizer steps (p.add_(g, -lr)) bit-identical to torch's.
void axpy(Tensor& dst, const Tensor& src, double alpha, const char* op) {
  uint64_t int_alpha =
      dst.defined() && dst.dtype() == DType::Int64 ? integral_scalar(alpha, op, "alpha") : 0;
  inplace_binary(dst, src, op, [alpha, int_alpha](auto a, auto b) -> decltype(a) {
    using T = decltype(a);
    if constexpr (std::is_floating_point_v<T>) {
      if (alpha == 1.0) return a + b;  // fma(b, 1, a) == a + b; skip the call on the hot path
      return std::fma(b, static_cast<T>(alpha), a);
    } else {
      return a + int_alpha * b;
    }
  });
}

}  // namespace

Tensor& Tensor::add_(const Tensor& other, double alpha) { axpy(*this, other, alpha, "add_"); return *this; }
Tensor& Tensor::sub_(const Tensor& other, double alpha) { axpy(*this, other, -alpha, "sub_"); return *this; }
Tensor& Tensor::mul_(const Tensor& other) {
  inplace_binary(*this, other, "mul_", [](auto a, auto b) { return a * b; });
  return *this;
}
Tensor& Tensor::add_(double s) {
  inplace_scalar(*this, s, "add_", false, [](auto a, auto c) { return a + c; });
  return *this;
}
Tensor& Tensor::sub_(double s) {
  inplace_scalar(*this, s, "sub_", false, [](auto a, auto c) { return a - c; });
  return *this;
}
Tensor& Tensor::mul_(double s) {
  inplace_scalar(*this, s, "mul_", false, [](auto a, auto c) { return a * c; });
  return *this;
}
Tensor& Tensor::fill_(double v) {
  inplace_scalar(*this, v, "fill_", true, [](auto, auto c) { return c; });
  return *this;
}
Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::copy_(const Tensor& src) {
  inplace_binary(*this, src.defined() ? src.to(dtype()) : src, "copy_",
                 [](auto, auto b) { return b; });
  return *this;
}

}  // namespace minigrad

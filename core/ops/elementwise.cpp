// Elementwise ops: + - * / with PyTorch broadcasting, the unary functions a
// network needs, and dtype conversion / clone. Each forward is followed by its
// backward node, whose comment derives the gradient.
// Shapes: a, b broadcast to out; the gradient of a broadcast input is summed back (sum_to).
// Not here: the loops' speed (core/kernels/elementwise.h), in-place ops (core/tensor.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "core/autograd.h"
#include "core/kernels/elementwise.h"
#include "core/ops/broadcast.h"

namespace minigrad {

namespace {

void require_floating(const Tensor& x, const char* op) {
  if (!x.defined()) throw std::invalid_argument(std::string(op) + ": undefined tensor");
  if (!is_floating(x.dtype())) {
    throw std::invalid_argument(std::string(op) + ": expected a floating point tensor "
                                "(torch.float32 or torch.float64), got " + dtype_name(x.dtype()));
  }
}

// y = f(x) for a floating tensor; f takes and returns the element type.
template <class F>
Tensor unary(const Tensor& x, const char* op, F f) {
  require_floating(x, op);
  Tensor y = empty_like(x);
  if (x.dtype() == DType::Float32) kernels::map(x.data_ptr<float>(), y.data_ptr<float>(), x.numel(), f);
  else kernels::map(x.data_ptr<double>(), y.data_ptr<double>(), x.numel(), f);
  return y;
}

// unary, where float32 goes through `floats`, a kernel with a vector form
// (kernels::exp_float, ...): for the functions the compiler cannot vectorise (libm's exp, tanh).
template <class F>
Tensor unary(const Tensor& x, const char* op, F f, void (*floats)(const float*, float*, int64_t)) {
  if (!x.defined() || x.dtype() != DType::Float32) return unary(x, op, f);
  Tensor y = empty_like(x);
  floats(x.data_ptr<float>(), y.data_ptr<float>(), x.numel());
  return y;
}

// out = f(a, b) with broadcasting; any dtype, but a and b must match.
template <class F>
Tensor binary(const Tensor& a, const Tensor& b, const char* op, F f) {
  if (!a.defined() || !b.defined()) throw std::invalid_argument(std::string(op) + ": undefined tensor");
  require_not_bool(a.dtype(), op);
  require_not_bool(b.dtype(), op);
  if (a.dtype() != b.dtype()) {
    throw std::invalid_argument(std::string(op) + ": dtypes differ: " + dtype_name(a.dtype()) +
                                " and " + dtype_name(b.dtype()) + " (convert one with to())");
  }
  Shape shape = broadcast_shapes(a.sizes(), b.sizes(), op);
  Tensor ea = a.sizes() == shape ? a : expand_to(a, shape);
  Tensor eb = b.sizes() == shape ? b : expand_to(b, shape);
  Tensor out = empty(shape, a.dtype());
  int64_t n = out.numel();
  switch (a.dtype()) {
    case DType::Float32: kernels::zip(ea.data_ptr<float>(), eb.data_ptr<float>(), out.data_ptr<float>(), n, f); break;
    case DType::Float64: kernels::zip(ea.data_ptr<double>(), eb.data_ptr<double>(), out.data_ptr<double>(), n, f); break;
    case DType::Int64:  // in uint64 so that overflow wraps instead of being undefined
      kernels::zip(ea.data_ptr<int64_t>(), eb.data_ptr<int64_t>(), out.data_ptr<int64_t>(), n,
                   [&f](int64_t x, int64_t y) {
                     return static_cast<int64_t>(f(static_cast<uint64_t>(x), static_cast<uint64_t>(y)));
                   });
      break;
    case DType::Bool: break;  // refused above
  }
  return out;
}

// out = f(x, s) for a scalar s. Floating tensors compute in their own type; an
// Int64 tensor takes only an integral s within int64 range, and wraps on overflow.
template <class F>
Tensor with_scalar(const Tensor& x, double s, const char* op, F f) {
  if (x.defined()) require_not_bool(x.dtype(), op);
  if (x.defined() && x.dtype() == DType::Int64) {
    if (s != std::trunc(s) || !(s >= -9223372036854775808.0 && s < 9223372036854775808.0)) {
      std::ostringstream value;
      value << s;
      throw std::invalid_argument(std::string(op) + ": the scalar " + value.str() +
                                  " is not an integer that fits a torch.int64 tensor");
    }
    return binary(x, full({}, s, DType::Int64), op, f);
  }
  return unary(x, op, [s, &f](auto v) { return f(v, static_cast<decltype(v)>(s)); });
}

}  // namespace

// ---- binary ops ----

// out = a + b  =>  da = sum_to(g, a.shape),  db = sum_to(g, b.shape)
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "add", [](auto x, auto y) { return x + y; });
  Shape sa = a.sizes(), sb = b.sizes();
  return record_op(out, {a, b}, "AddBackward0", {}, [sa, sb](const Node&, const Tensor& g) -> Grads {
    return {sum_to(g, sa), sum_to(g, sb)};
  });
}

// out = a - b  =>  da = sum_to(g),  db = -sum_to(g)
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "sub", [](auto x, auto y) { return x - y; });
  Shape sa = a.sizes(), sb = b.sizes();
  return record_op(out, {a, b}, "SubBackward0", {}, [sa, sb](const Node&, const Tensor& g) -> Grads {
    return {sum_to(g, sa), -sum_to(g, sb)};
  });
}

// out = a * b  =>  da = sum_to(g * b),  db = sum_to(g * a)      saved: a, b
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "mul", [](auto x, auto y) { return x * y; });
  Shape sa = a.sizes(), sb = b.sizes();
  return record_op(out, {a, b}, "MulBackward0", {a, b}, [sa, sb](const Node& node, const Tensor& g) -> Grads {
    Tensor x = node.saved(0), y = node.saved(1);
    return {sum_to(g * y, sa), sum_to(g * x, sb)};
  });
}

// out = a / b  =>  da = sum_to(g / b),  db = sum_to(-g * (a / b) / b)      saved: a, b
// (grouped as torch groups it, so float results round the same way)
Tensor div(const Tensor& a, const Tensor& b) {
  require_floating(a, "div");  // integer division by zero would be undefined; torch divides in float
  require_floating(b, "div");
  Tensor out = binary(a, b, "div", [](auto x, auto y) { return x / y; });
  Shape sa = a.sizes(), sb = b.sizes();
  return record_op(out, {a, b}, "DivBackward0", {a, b}, [sa, sb](const Node& node, const Tensor& g) -> Grads {
    Tensor x = node.saved(0), y = node.saved(1);
    return {sum_to(g / y, sa), sum_to(-g * ((x / y) / y), sb)};
  });
}

// ---- with a scalar s (not a tensor, so no gradient for it) ----

// out = x + s  =>  dx = g
Tensor Tensor::add(double s) const {
  Tensor out = with_scalar(*this, s, "add", [](auto v, auto c) { return v + c; });
  return record_op(out, {*this}, "AddBackward0", {}, [](const Node&, const Tensor& g) -> Grads {
    return {g};
  });
}
// out = x - s  =>  dx = g
Tensor Tensor::sub(double s) const {
  Tensor out = with_scalar(*this, s, "sub", [](auto v, auto c) { return v - c; });
  return record_op(out, {*this}, "SubBackward0", {}, [](const Node&, const Tensor& g) -> Grads {
    return {g};
  });
}
// out = x * s  =>  dx = g * s
Tensor Tensor::mul(double s) const {
  Tensor out = with_scalar(*this, s, "mul", [](auto v, auto c) { return v * c; });
  return record_op(out, {*this}, "MulBackward0", {}, [s](const Node&, const Tensor& g) -> Grads {
    return {g.mul(s)};
  });
}
// out = x / s  =>  dx = g / s
Tensor Tensor::div(double s) const {
  Tensor out = unary(*this, "div", [s](auto v) { return v / static_cast<decltype(v)>(s); });
  return record_op(out, {*this}, "DivBackward0", {}, [s](const Node&, const Tensor& g) -> Grads {
    return {g.div(s)};
  });
}
// out = s - x  =>  dx = -g        (torch names it RsubBackward1)
Tensor operator-(double s, const Tensor& x) {
  Tensor out = with_scalar(x, s, "rsub", [](auto v, auto c) { return c - v; });
  return record_op(out, {x}, "RsubBackward1", {}, [](const Node&, const Tensor& g) -> Grads {
    return {-g};
  });
}
// out = s / x, computed as torch computes it: r = 1 / x, out = r * s (hence the node's name)
//   =>  dx = d(out)/dr * dr/dx = -(g s) r^2      saved: r
Tensor operator/(double s, const Tensor& x) {
  Tensor r = unary(x, "div", [](auto v) { return decltype(v)(1) / v; });
  Tensor out = unary(r, "div", [s](auto v) { return v * static_cast<decltype(v)>(s); });
  return record_op(out, {x}, "MulBackward0", {r}, [s](const Node& node, const Tensor& g) -> Grads {
    Tensor rv = node.saved(0);
    return {-g.mul(s) * (rv * rv)};
  });
}

// ---- unary functions ----

// y = -x  =>  dx = -g.  Int64 too, as 0 - x in wrapping arithmetic: -INT64_MIN is INT64_MIN, as in torch.
Tensor neg(const Tensor& x) {
  Tensor y = x.defined() && x.dtype() == DType::Int64
                 ? with_scalar(x, 0.0, "neg", [](auto v, auto zero) { return zero - v; })
                 : unary(x, "neg", [](auto v) { return -v; });
  return record_op(y, {x}, "NegBackward0", {}, [](const Node&, const Tensor& g) -> Grads {
    return {unary(g, "neg", [](auto v) { return -v; })};
  });
}

// y = e^x  =>  dx = g * y      saved: y
Tensor exp(const Tensor& x) {
  Tensor y = unary(x, "exp", [](auto v) { return std::exp(v); }, kernels::exp_float);
  return record_op(y, {x}, "ExpBackward0", {y}, [](const Node& node, const Tensor& g) -> Grads {
    return {g * node.saved(0)};
  });
}

// y = ln x  =>  dx = g / x      saved: x
Tensor log(const Tensor& x) {
  Tensor y = unary(x, "log", [](auto v) { return std::log(v); });
  return record_op(y, {x}, "LogBackward0", {x}, [](const Node& node, const Tensor& g) -> Grads {
    return {g / node.saved(0)};
  });
}

namespace {
// v^p the way torch's CPU kernel computes it: the common exponents by products,
// sqrt or a reciprocal (exact to the last bit, and faster), the rest by std::pow in double.
template <class T> T pow_value(T v, double p) {
  if (p == 0.0) return T(1);
  if (p == 1.0) return v;
  if (p == 0.5) return std::sqrt(v);
  if (p == -0.5) return T(1) / std::sqrt(v);
  if (p == -1.0) return T(1) / v;
  if (p == 2.0) return v * v;
  if (p == 3.0) return v * v * v;
  if (p == -2.0) return T(1) / (v * v);
  return static_cast<T>(std::pow(v, p));
}
}  // namespace

// y = x^p  =>  dx = g * (p * x^(p-1))  (0 when p == 0, as torch)      saved: x
Tensor pow(const Tensor& x, double p) {
  Tensor y = unary(x, "pow", [p](auto v) { return pow_value(v, p); });
  return record_op(y, {x}, "PowBackward0", {x}, [p](const Node& node, const Tensor& g) -> Grads {
    if (p == 0.0) return {zeros_like(g)};
    Tensor dydx = unary(node.saved(0), "pow", [p](auto v) {
      return static_cast<decltype(v)>(p) * pow_value(v, p - 1.0);
    });
    return {g * dydx};
  });
}

// y = sqrt(x)  =>  dx = g / (2 y)      saved: y
Tensor sqrt(const Tensor& x) {
  Tensor y = unary(x, "sqrt", [](auto v) { return std::sqrt(v); });
  return record_op(y, {x}, "SqrtBackward0", {y}, [](const Node& node, const Tensor& g) -> Grads {
    return {g / node.saved(0).mul(2.0)};
  });
}

// y = tanh(x)  =>  dx = g * (1 - y^2)      saved: y
Tensor tanh(const Tensor& x) {
  Tensor y = unary(x, "tanh", [](auto v) { return std::tanh(v); }, kernels::tanh_float);
  return record_op(y, {x}, "TanhBackward0", {y}, [](const Node& node, const Tensor& g) -> Grads {
    Tensor yv = node.saved(0);
    return {g * (1.0 - yv * yv)};
  });
}

// y = max(x, 0), NaN staying NaN as in torch  =>  dx = g where y > 0, else 0      saved: y
// (torch's threshold_backward: a select, not g * mask, so an infinite g still gives 0 where y <= 0)
Tensor relu(const Tensor& x) {
  Tensor y = unary(x, "relu", [](auto v) { return v > 0 || std::isnan(v) ? v : decltype(v)(0); });
  return record_op(y, {x}, "ReluBackward0", {y}, [](const Node& node, const Tensor& g) -> Grads {
    Tensor yv = node.saved(0);
    Tensor dx = empty_like(g);
    auto select = [&](const auto* gp, const auto* yp, auto* dp) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(gp)>>;
      kernels::zip(gp, yp, dp, g.numel(), [](T gv, T y) { return y <= 0 ? T(0) : gv; });
    };
    if (g.dtype() == DType::Float32) select(g.data_ptr<float>(), yv.data_ptr<float>(), dx.data_ptr<float>());
    else select(g.data_ptr<double>(), yv.data_ptr<double>(), dx.data_ptr<double>());
    return {dx};
  });
}

// y = 1 / (1 + e^-x)  =>  dx = g * (1 - y) * y      saved: y
Tensor sigmoid(const Tensor& x) {
  Tensor y = unary(x, "sigmoid", [](auto v) { return decltype(v)(1) / (decltype(v)(1) + std::exp(-v)); },
                   kernels::sigmoid_float);
  return record_op(y, {x}, "SigmoidBackward0", {y}, [](const Node& node, const Tensor& g) -> Grads {
    Tensor yv = node.saved(0);
    return {g * (1.0 - yv) * yv};
  });
}

// ---- copies ----

namespace {
// Truncates toward zero. A float outside int64's range (or NaN) has no defined C++
// conversion; torch on x86 gives INT64_MIN (what cvttsd2si returns), and so do we.
template <class T> int64_t to_int64(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!(v >= T(-9223372036854775808.0) && v < T(9223372036854775808.0)))
      return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}
}  // namespace

// y = x as another dtype  =>  dx = g converted back (floating types only carry gradients)
Tensor Tensor::to(DType target) const {
  if (!defined()) throw std::invalid_argument("to: undefined tensor");
  if (target == dtype()) return *this;  // torch returns self too
  Tensor y = empty(sizes(), target);
  int64_t n = numel();
  auto convert = [&](const auto* src) {
    switch (target) {
      case DType::Float32: std::copy(src, src + n, y.data_ptr<float>()); break;
      case DType::Float64: std::copy(src, src + n, y.data_ptr<double>()); break;
      case DType::Int64: std::transform(src, src + n, y.data_ptr<int64_t>(), [](auto v) { return to_int64(v); }); break;
      case DType::Bool: std::transform(src, src + n, y.data_ptr<bool>(), [](auto v) { return v != 0; }); break;  // NaN too
    }
  };
  switch (dtype()) {
    case DType::Float32: convert(data_ptr<float>()); break;
    case DType::Float64: convert(data_ptr<double>()); break;
    case DType::Int64: convert(data_ptr<int64_t>()); break;
    case DType::Bool: convert(data_ptr<bool>()); break;  // True -> 1
  }
  if (!is_floating(target)) return y;  // integers carry no gradient
  DType source = dtype();
  return record_op(y, {*this}, "ToCopyBackward0", {}, [source](const Node&, const Tensor& g) -> Grads {
    return {g.to(source)};
  });
}

// y = copy of x  =>  dx = g
Tensor Tensor::clone() const {
  if (!defined()) throw std::invalid_argument("clone: undefined tensor");
  Tensor y = empty_like(*this);
  std::copy_n(static_cast<const char*>(raw_data()), numel() * element_size(dtype()),
              static_cast<char*>(y.raw_data()));
  return record_op(y, {*this}, "CloneBackward0", {}, [](const Node&, const Tensor& g) -> Grads {
    return {g};
  });
}

// ---- members and operators forward to the free functions ----

Tensor Tensor::add(const Tensor& o) const { return minigrad::add(*this, o); }
Tensor Tensor::sub(const Tensor& o) const { return minigrad::sub(*this, o); }
Tensor Tensor::mul(const Tensor& o) const { return minigrad::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return minigrad::div(*this, o); }
Tensor Tensor::neg() const { return minigrad::neg(*this); }
Tensor Tensor::exp() const { return minigrad::exp(*this); }
Tensor Tensor::log() const { return minigrad::log(*this); }
Tensor Tensor::pow(double p) const { return minigrad::pow(*this, p); }
Tensor Tensor::sqrt() const { return minigrad::sqrt(*this); }
Tensor Tensor::tanh() const { return minigrad::tanh(*this); }
Tensor Tensor::relu() const { return minigrad::relu(*this); }
Tensor Tensor::sigmoid() const { return minigrad::sigmoid(*this); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double s) { return a.add(s); }
Tensor operator-(const Tensor& a, double s) { return a.sub(s); }
Tensor operator*(const Tensor& a, double s) { return a.mul(s); }
Tensor operator/(const Tensor& a, double s) { return a.div(s); }
Tensor operator+(double s, const Tensor& a) { return a.add(s); }
Tensor operator*(double s, const Tensor& a) { return a.mul(s); }
Tensor operator-(const Tensor& a) { return neg(a); }

}  // namespace minigrad

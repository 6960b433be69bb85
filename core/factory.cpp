// Factories: tensors made from values, constants or ranges. Random ones are in random.cpp.
// Not here: anything recorded by autograd (a new tensor is always a leaf).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/convert.h"
#include "core/kernels/parallel.h"
#include "core/tensor.h"

namespace minigrad {

namespace {

// Refuses negative sizes, and shapes whose byte count would overflow (a wrapped
// product would allocate a small buffer for a huge tensor). A zero anywhere makes
// the shape empty, however large the other sizes.
void check_shape(const Shape& shape, const char* op) {
  bool empty_shape = false;
  for (int64_t d : shape) {
    if (d < 0) {
      throw std::invalid_argument(std::string(op) + ": negative dimension " + std::to_string(d) +
                                  " in shape " + shape_str(shape));
    }
    empty_shape = empty_shape || d == 0;
  }
  if (empty_shape) return;
  int64_t bytes = 8;  // the largest element size
  for (int64_t d : shape) {
    if (bytes > std::numeric_limits<int64_t>::max() / d) {
      throw std::invalid_argument(std::string(op) + ": shape " + shape_str(shape) +
                                  " has too many elements to allocate");
    }
    bytes *= d;
  }
}

template <class T>
Tensor from_values(const T* values, std::size_t count, const Shape& shape) {
  check_shape(shape, "tensor");
  int64_t n = numel_of(shape);
  if (static_cast<int64_t>(count) != n) {
    throw std::invalid_argument("tensor: " + std::to_string(count) + " values do not fill shape " +
                                shape_str(shape) + " (" + std::to_string(n) + " elements)");
  }
  Tensor t = empty(shape, dtype_of<T>::value);
  std::copy(values, values + count, t.data_ptr<T>());
  return t;
}

Shape flat(std::size_t n) { return {static_cast<int64_t>(n)}; }

// An empty shape in the initializer-list forms means "1-D", since a brace list is never 0-dim.
template <class T>
Tensor from_list(std::initializer_list<T> values, const Shape& shape) {
  return from_values(values.begin(), values.size(), shape.empty() ? flat(values.size()) : shape);
}

// A tensor on fresh storage, zero-filled when `zeroed` (lazily for big ones: storage.h).
Tensor allocate(const Shape& shape, DType dtype, bool zeroed, const char* op) {
  check_shape(shape, op);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(numel_of(shape)) * element_size(dtype), zeroed);
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(impl);
}

}  // namespace

Tensor empty(const Shape& shape, DType dtype) { return allocate(shape, dtype, false, "empty"); }

Tensor tensor(const std::vector<float>& v, const Shape& s) { return from_values(v.data(), v.size(), s); }
Tensor tensor(const std::vector<double>& v, const Shape& s) { return from_values(v.data(), v.size(), s); }
Tensor tensor(const std::vector<int64_t>& v, const Shape& s) { return from_values(v.data(), v.size(), s); }
Tensor tensor(const std::vector<float>& v) { return tensor(v, flat(v.size())); }
Tensor tensor(const std::vector<double>& v) { return tensor(v, flat(v.size())); }
Tensor tensor(const std::vector<int64_t>& v) { return tensor(v, flat(v.size())); }
Tensor tensor(std::initializer_list<float> v, const Shape& s) { return from_list(v, s); }
Tensor tensor(std::initializer_list<double> v, const Shape& s) { return from_list(v, s); }
Tensor tensor(std::initializer_list<int64_t> v, const Shape& s) { return from_list(v, s); }
Tensor tensor(std::initializer_list<bool> v, const Shape& s) { return from_list(v, s); }
Tensor tensor(std::initializer_list<int> v, const Shape& s) {
  return tensor(std::vector<int64_t>(v.begin(), v.end()), s.empty() ? flat(v.size()) : s);
}

Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

namespace {

// p[0, n) = v. Large fills (a dense embedding gradient is V x 256) are split over
// threads, which also spreads the first-touch page faults of a fresh buffer; a
// value whose bytes are all zero (0, but not -0.0) is a memset. std::fill_n is the reference.
template <class T> void fill(T* p, int64_t n, T v) {
  if (n == 0) return;  // p is null for an empty tensor, and memset(nullptr, 0, 0) is undefined
  constexpr int64_t kThreadedFill = int64_t{1} << 18;  // elements; below, a team costs more than it saves
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  bool zero = std::all_of(bytes, bytes + sizeof(T), [](unsigned char c) { return c == 0; });
  auto run = [&](int64_t b, int64_t e) {
    if (zero) std::memset(p + b, 0, sizeof(T) * static_cast<std::size_t>(e - b));
    else std::fill(p + b, p + e, v);
  };
  if (n < kThreadedFill) run(0, n);
  else kernels::parallel_for(n, kernels::kParallelGrain, run);
}

}  // namespace

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    fill(t.data_ptr<T>(), t.numel(), checked_scalar<T>(value, "full"));
  });
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) { return allocate(shape, dtype, true, "zeros"); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

// ---- arange ----

namespace {

[[noreturn]] void bad_range(double start, double end, double step, const std::string& why) {
  throw std::invalid_argument("arange: cannot go from " + num(start) + " to " + num(end) +
                              " in steps of " + num(step) + ": " + why);
}

// Int64: torch truncates start, end and step to integers first, so
// arange(0.5, 5, 1.5, Int64) is arange(0, 5, 1) = [0, 1, 2, 3, 4].
Tensor arange_int64(double start, double end, double step) {
  const char* op = "arange";
  int64_t a = checked_scalar<int64_t>(start, op), b = checked_scalar<int64_t>(end, op);
  int64_t s = checked_scalar<int64_t>(step, op);
  if (s == 0) bad_range(start, end, step, "the step is 0 once truncated to an integer");
  if ((s > 0 && b < a) || (s < 0 && b > a)) bad_range(start, end, step, "the step has the wrong sign");
  // n = ceil(|b - a| / |s|), in uint64_t: |b - a| can exceed int64's range.
  uint64_t span = s > 0 ? static_cast<uint64_t>(b) - static_cast<uint64_t>(a)
                        : static_cast<uint64_t>(a) - static_cast<uint64_t>(b);
  uint64_t stride = s > 0 ? static_cast<uint64_t>(s) : 0 - static_cast<uint64_t>(s);
  uint64_t n = span / stride + (span % stride != 0);
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 8))
    bad_range(start, end, step, "that is too many elements");
  Tensor t = empty({static_cast<int64_t>(n)}, DType::Int64);
  int64_t* out = t.data_ptr<int64_t>();
  for (uint64_t i = 0; i < n; ++i)  // wraps through uint64_t, but every true value fits
    out[i] = static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(s) * i);
  return t;
}

// Floating types, bit for bit as torch 1.13's AVX2 kernel. It fills 2 vectors of
// W lanes at a time (W = 8 floats or 4 doubles), each vector from its first index
// i0 as  base = T(start + step * i0),  lane k = T(base + k * step),  in double; the
// elements past the last whole pair of vectors are T(start + step * i). Compiled
// with FMA, each of those is one fused multiply-add, so ours are too.
// (Above 32768 elements torch splits the range across threads, each restarting the
// pattern at its own first index; minigrad keeps the single-thread pattern.)
template <class T>
void fill_arange(T* out, int64_t n, double start, double step) {
  constexpr int64_t W = 32 / sizeof(T);
  int64_t vectorized = n / (2 * W) * (2 * W);
  for (int64_t i0 = 0; i0 < vectorized; i0 += W) {
    T base = static_cast<T>(std::fma(step, static_cast<double>(i0), start));
    out[i0] = base;
    for (int64_t k = 1; k < W; ++k)
      out[i0 + k] = static_cast<T>(std::fma(static_cast<double>(k), step, static_cast<double>(base)));
  }
  for (int64_t i = vectorized; i < n; ++i)
    out[i] = static_cast<T>(std::fma(step, static_cast<double>(i), start));
}

}  // namespace

Tensor arange(int64_t end, DType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (!std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step))
    bad_range(start, end, step, "the bounds and step must be finite");
  if (dtype == DType::Int64) return arange_int64(start, end, step);
  if (step == 0) bad_range(start, end, step, "the step is 0");
  if ((step > 0 && end < start) || (step < 0 && end > start))
    bad_range(start, end, step, "the step has the wrong sign");
  double n = std::ceil((end - start) / step);
  if (!(n <= static_cast<double>(std::numeric_limits<int64_t>::max() / 8)))
    bad_range(start, end, step, "that is too many elements");
  Tensor t = empty({static_cast<int64_t>(n)}, dtype);
  visit_floating(dtype, [&](auto tag) { fill_arange(t.data_ptr<decltype(tag)>(), t.numel(), start, step); });
  return t;
}

Tensor empty_like(const Tensor& t) { return empty(t.sizes(), t.dtype()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.sizes(), value, t.dtype()); }

}  // namespace minigrad

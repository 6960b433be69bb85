// Factories: tensors made from values, constants or ranges. Random ones are in random.cpp.
// Not here: anything recorded by autograd (a new tensor is always a leaf).
#include <cmath>
#include <stdexcept>

#include "core/tensor.h"

namespace minigrad {

namespace {

void check_shape(const Shape& shape, const char* op) {
  for (int64_t d : shape) {
    if (d < 0) {
      throw std::invalid_argument(std::string(op) + ": negative dimension " + std::to_string(d) +
                                  " in shape " + shape_str(shape));
    }
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

}  // namespace

Tensor empty(const Shape& shape, DType dtype) {
  check_shape(shape, "empty");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(numel_of(shape)) * element_size(dtype));
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(impl);
}

Tensor tensor(const std::vector<float>& v, const Shape& s) { return from_values(v.data(), v.size(), s); }
Tensor tensor(const std::vector<double>& v, const Shape& s) { return from_values(v.data(), v.size(), s); }
Tensor tensor(const std::vector<int64_t>& v, const Shape& s) { return from_values(v.data(), v.size(), s); }
Tensor tensor(const std::vector<float>& v) { return tensor(v, flat(v.size())); }
Tensor tensor(const std::vector<double>& v) { return tensor(v, flat(v.size())); }
Tensor tensor(const std::vector<int64_t>& v) { return tensor(v, flat(v.size())); }
// An empty shape in the initializer-list forms means "1-D", since a brace list is never 0-dim.
Tensor tensor(std::initializer_list<float> v, const Shape& s) {
  return from_values(v.begin(), v.size(), s.empty() ? flat(v.size()) : s);
}
Tensor tensor(std::initializer_list<double> v, const Shape& s) {
  return from_values(v.begin(), v.size(), s.empty() ? flat(v.size()) : s);
}
Tensor tensor(std::initializer_list<int64_t> v, const Shape& s) {
  return from_values(v.begin(), v.size(), s.empty() ? flat(v.size()) : s);
}

Tensor tensor(std::initializer_list<int> v, const Shape& s) {
  return tensor(std::vector<int64_t>(v.begin(), v.end()), s.empty() ? flat(v.size()) : s);
}

Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  int64_t n = t.numel();
  switch (dtype) {
    case DType::Float32: std::fill_n(t.data_ptr<float>(), n, static_cast<float>(value)); break;
    case DType::Float64: std::fill_n(t.data_ptr<double>(), n, value); break;
    case DType::Int64: std::fill_n(t.data_ptr<int64_t>(), n, static_cast<int64_t>(value)); break;
  }
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

Tensor arange(int64_t end, DType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step) ||
      (step > 0 && end < start) || (step < 0 && end > start)) {
    throw std::invalid_argument("arange: cannot go from " + std::to_string(start) + " to " +
                                std::to_string(end) + " in steps of " + std::to_string(step));
  }
  auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = empty({n}, dtype);
  for (int64_t i = 0; i < n; ++i) {
    double v = start + static_cast<double>(i) * step;
    switch (dtype) {
      case DType::Float32: t.data_ptr<float>()[i] = static_cast<float>(v); break;
      case DType::Float64: t.data_ptr<double>()[i] = v; break;
      case DType::Int64: t.data_ptr<int64_t>()[i] = static_cast<int64_t>(v); break;
    }
  }
  return t;
}

Tensor empty_like(const Tensor& t) { return empty(t.sizes(), t.dtype()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.sizes(), value, t.dtype()); }

}  // namespace minigrad

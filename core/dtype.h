// Element types a Tensor can hold, and the small facts about each.
// Not a type-promotion system: minigrad ops require matching dtypes and say so
// (comparisons alone promote, as torch's do: core/ops/compare.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace minigrad {

// Bool holds one byte per element, 0 or 1, as a C++ bool (torch.bool): the
// dtype of comparisons and masks. Arithmetic on it throws; to() converts it.
enum class DType { Float32, Float64, Int64, Bool };

inline std::size_t element_size(DType d) {
  return d == DType::Bool ? 1 : d == DType::Float32 ? 4 : 8;
}

inline bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }

// The names PyTorch prints: "torch.float32", "torch.float64", "torch.int64", "torch.bool".
inline std::string dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "torch.float32";
    case DType::Float64: return "torch.float64";
    case DType::Int64: return "torch.int64";
    case DType::Bool: return "torch.bool";
  }
  return "unknown";
}

// Arithmetic refuses Bool tensors: torch allows a few (+ and * as logical or / and)
// and refuses others (-, neg); minigrad keeps masks out of arithmetic altogether.
inline void require_not_bool(DType d, const char* op) {
  if (d == DType::Bool) {
    throw std::invalid_argument(std::string(op) + ": arithmetic on torch.bool tensors is not supported; "
                                "convert the mask first, e.g. mask.to(DType::Float32)");
  }
}

// Compile-time map from a C++ type to its DType.
template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };

// Code written once for every element type: visit_dtype(d, f) calls f(T{}) with T the
// C++ type of d (float, double, int64_t or bool) and returns what f returns, in place of
// a four-case switch; visit_floating does the same for Float32 and Float64 (d is one):
//   visit_dtype(t.dtype(), [&](auto tag) { using T = decltype(tag); fill(t.data_ptr<T>(), n); });
template <class F> decltype(auto) visit_dtype(DType d, F&& f) {
  switch (d) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int64: return f(int64_t{});
    case DType::Bool: return f(bool{});
  }
  throw std::logic_error("visit_dtype: unknown dtype");
}

template <class F> decltype(auto) visit_floating(DType d, F&& f) {
  if (d == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace minigrad

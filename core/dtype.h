// Element types a Tensor can hold, and the small facts about each.
// Not a type-promotion system: minigrad ops require matching dtypes and say so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace minigrad {

enum class DType { Float32, Float64, Int64 };

inline std::size_t element_size(DType d) {
  return d == DType::Float32 ? 4 : 8;
}

inline bool is_floating(DType d) { return d != DType::Int64; }

// The names PyTorch prints: "torch.float32", "torch.float64", "torch.int64".
inline std::string dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "torch.float32";
    case DType::Float64: return "torch.float64";
    case DType::Int64: return "torch.int64";
  }
  return "unknown";
}

// Compile-time map from a C++ type to its DType.
template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };

}  // namespace minigrad

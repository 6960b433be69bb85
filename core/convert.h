// Scalars crossing into tensors: num() prints a double for an error message, and
// checked_scalar<T>() converts one to an element type as torch's checked
// conversion does, for factories (full, arange) and members (item, fill_).
// Not a general cast library: only the four dtypes minigrad has.
#pragma once

#include <cfloat>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace minigrad {

// A double as `ostream << v` prints it (shortest form): for error messages.
inline std::string num(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

// Refuses a finite value beyond float's range (rather than making inf), and for
// int64 NaN, inf or anything beyond its range (a plain cast would be undefined
// behaviour). Int64 truncates toward zero, as torch's fill_(2.5) does. Bool is
// value != 0 (NaN too is True), as torch's conversion to bool.
template <class T> T checked_scalar(double value, const char* op) {
  if constexpr (std::is_same_v<T, bool>) return value != 0.0;
  auto fail = [&](const char* dtype) {
    throw std::invalid_argument(std::string(op) + ": value " + num(value) + " cannot be converted to " +
                                dtype + " without overflow");
  };
  if constexpr (std::is_same_v<T, int64_t>) {
    if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0)) fail("torch.int64");
  } else if constexpr (std::is_same_v<T, float>) {
    if (std::isfinite(value) && std::fabs(value) > FLT_MAX) fail("torch.float32");
  }
  return static_cast<T>(value);
}

}  // namespace minigrad

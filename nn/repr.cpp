// Python's repr() of floats, tuples, bools and strings, for the layers' extra_repr.
// Not here: where a layer uses them (each layer's extra_repr) or the tree layout (module.cpp).
#include "nn/repr.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace minigrad::nn::repr {

std::string py_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // std::to_chars gives the shortest digits that round-trip, as Python's repr picks them:
  // "d.ddde±XX". Take the digits and the exponent, then lay them out as Python does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e_at = sci.find('e');
  int exponent = std::atoi(sci.c_str() + e_at + 1);
  std::string digits = sci.substr(0, 1);
  if (e_at > 2) digits.append(sci, 2, e_at - 2);
  // Appended piece by piece (GCC 12 warns falsely, -Wrestrict, on "0." + std::string(...)).
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {  // 1e-05, 1.5e+16: at least two exponent digits
    out += digits[0];
    if (digits.size() > 1) out.append(".").append(digits, 1);
    out += exponent < 0 ? "e-" : "e+";
    if (std::abs(exponent) < 10) out += '0';
    return out.append(std::to_string(std::abs(exponent)));
  }
  if (exponent < 0) return out.append("0.").append(static_cast<size_t>(-exponent - 1), '0').append(digits);
  // The point falls after digit exponent + 1; pad with zeros if the digits run out.
  size_t point = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= point) return out.append(digits).append(point - digits.size(), '0').append(".0");
  return out.append(digits, 0, point).append(".").append(digits, point);
}

std::string py_tuple(const Shape& shape) { return tuple_str(shape); }

std::string py_bool(bool value) { return value ? "True" : "False"; }

std::string py_str(const std::string& s) { return "'" + s + "'"; }

}  // namespace minigrad::nn::repr

// Python's spelling of values, for the text layers print in Module::extra_repr, so that
// `std::cout << model` reads exactly as PyTorch's print(model): a float as Python's repr()
// writes it (0.1, 1e-05, 1.0), a shape as a tuple ((768,), (3, 4)), True / False, 'none'.
// Not here: the module tree's layout (module.cpp: operator<<) or tensor printing (core/print.cpp).
#pragma once

#include <string>

#include "core/tensor.h"

namespace minigrad::nn::repr {

// The shortest digits that read back as `value`, laid out as Python's repr(float):
// fixed notation for exponents -5 < e < 16, with ".0" if integral; else "1e-05", "1.5e+16".
std::string py_float(double value);
std::string py_tuple(const Shape& shape);  // (768,)  (3, 4)  ()
std::string py_bool(bool value);           // True / False
std::string py_str(const std::string& s);  // 'none'

}  // namespace minigrad::nn::repr

// nn::Dropout: checks p once, then calls core's dropout with the module's training flag.
// Not here: the mask and its backward (core/ops/dropout.cpp).
#include "nn/dropout.h"

#include <sstream>
#include <stdexcept>

#include "nn/repr.h"

namespace minigrad::nn {

Dropout::Dropout(double p) : p(p) {
  if (!(p >= 0.0 && p <= 1.0)) {  // written so that NaN fails too
    std::ostringstream os;
    os << "Dropout: probability has to be between 0 and 1, but got p=" << p
       << " (p is the fraction of elements zeroed during training)";
    throw std::invalid_argument(os.str());
  }
}

Tensor Dropout::forward(const Tensor& input) { return minigrad::dropout(input, p, is_training()); }

// torch stores no inplace mode here; it prints inplace=False as torch.nn.Dropout's default.
std::string Dropout::extra_repr() const { return "p=" + repr::py_float(p) + ", inplace=False"; }

}  // namespace minigrad::nn

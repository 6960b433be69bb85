// nn::Dropout: during training, zeroes each element with probability p and scales the rest
// by 1 / (1 - p); in eval() mode it passes the input through. Same draws as torch.nn.Dropout
// after the same manual_seed.
// Not here: the mask, its draws and its gradient (core/ops/dropout.cpp:dropout).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include "core/tensor.h"
#include "nn/module.h"
#include "nn/repr.h"

namespace minigrad::nn {

class Dropout : public Module {
 public:
  // p outside [0, 1] (NaN too) throws std::invalid_argument naming p.
  explicit Dropout(double p = 0.5) : p(p) {
    if (!(p >= 0.0 && p <= 1.0)) {
      std::ostringstream os;
      os << "Dropout: probability has to be between 0 and 1, but got p=" << p
         << " (p is the fraction of elements zeroed during training)";
      throw std::invalid_argument(os.str());
    }
  }

  Tensor forward(const Tensor& input) override { return minigrad::dropout(input, p, is_training()); }  // (*) -> (*)
  std::string name() const override { return "Dropout"; }
  // torch stores no inplace mode here; it prints inplace=False as torch.nn.Dropout's default.
  std::string extra_repr() const override { return "p=" + repr::py_float(p) + ", inplace=False"; }

  double p;
};

}  // namespace minigrad::nn

// Optimizer's checks of its parameter list, and zero_grad (core's, over that list).
// Not here: the update rules (sgd.cpp).
#include "optim/optimizer.h"

#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "core/autograd.h"

namespace minigrad::optim {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  if (params_.empty()) throw std::invalid_argument("optimizer got an empty parameter list");
  std::unordered_set<const TensorImpl*> seen;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    std::string which = "parameter " + std::to_string(i);
    if (!p.defined()) throw std::invalid_argument("optimizer: " + which + " is undefined");
    if (!is_floating(p.dtype())) {
      throw std::invalid_argument("optimizer: " + which + " holds " + dtype_name(p.dtype()) +
                                  "; only floating-point tensors can be optimized");
    }
    if (!p.is_leaf()) {
      throw std::invalid_argument("optimizer: can't optimize a non-leaf tensor (" + which +
                                  " was made by " + p.grad_fn_name() + ")");
    }
    // torch only warns; updating one tensor twice per step is never what was meant.
    if (!seen.insert(p.impl()).second)
      throw std::invalid_argument("optimizer: " + which + " appears more than once in the list");
  }
}

void Optimizer::zero_grad(bool set_to_none) { minigrad::zero_grad(params_, set_to_none); }

std::string detail::num(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

}  // namespace minigrad::optim

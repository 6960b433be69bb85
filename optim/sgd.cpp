// optim::SGD's update, written as torch 1.13's _single_tensor_sgd so the numbers agree.
// Every write is an in-place op under NoGradGuard: an update is not part of any graph.
// Not here: the base bookkeeping (optimizer.cpp).
#include "optim/sgd.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/autograd.h"

namespace minigrad::optim {

namespace {

std::string num(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params)), options_(options), momentum_buffers_(params_.size()) {
  if (std::isnan(options_.lr))
    throw std::invalid_argument("SGD: the learning rate is required (SGDOptions{lr, ...})");
  if (options_.lr < 0) throw std::invalid_argument("SGD: Invalid learning rate: " + num(options_.lr));
  if (options_.momentum < 0) throw std::invalid_argument("SGD: Invalid momentum value: " + num(options_.momentum));
  if (options_.weight_decay < 0)
    throw std::invalid_argument("SGD: Invalid weight_decay value: " + num(options_.weight_decay));
  if (options_.nesterov && (options_.momentum <= 0 || options_.dampening != 0)) {
    throw std::invalid_argument("SGD: Nesterov momentum requires a momentum and zero dampening (got momentum " +
                                num(options_.momentum) + ", dampening " + num(options_.dampening) + ")");
  }
}

void SGD::step() {
  NoGradGuard no_grad;
  const SGDOptions& o = options_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    Tensor d_p = p.grad();
    if (!d_p.defined()) continue;  // this parameter took no part in the last backward
    if (o.maximize) d_p = -d_p;
    if (o.weight_decay != 0) d_p = d_p.clone().add_(p, o.weight_decay);  // d/dp of (wd/2)|p|^2 = wd p
    if (o.momentum != 0) {
      Tensor& buf = momentum_buffers_[i];
      if (!buf.defined()) {
        buf = d_p.clone();  // torch starts the buffer at the first gradient, not at zero
      } else {
        buf.mul_(o.momentum).add_(d_p, 1 - o.dampening);
      }
      // Nesterov looks ahead: the step uses the gradient plus the buffer it will be added to.
      d_p = o.nesterov ? d_p.clone().add_(buf, o.momentum) : buf;
    }
    p.add_(d_p, -o.lr);
  }
}

}  // namespace minigrad::optim

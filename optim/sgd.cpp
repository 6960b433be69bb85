// optim::SGD's update, written as torch 1.13's _single_tensor_sgd so the numbers agree.
// Every write is an in-place op under NoGradGuard: an update is not part of any graph.
// Not here: the base bookkeeping (optimizer.cpp).
#include "optim/sgd.h"

#include <cmath>
#include <stdexcept>

#include "core/autograd.h"

namespace minigrad::optim {

namespace {

using detail::num;

void check_options(const SGDOptions& o) {
  if (std::isnan(o.lr)) throw std::invalid_argument("SGD: the learning rate is required (SGDOptions{lr, ...})");
  if (o.lr < 0) throw std::invalid_argument("SGD: Invalid learning rate: " + num(o.lr));
  if (o.momentum < 0) throw std::invalid_argument("SGD: Invalid momentum value: " + num(o.momentum));
  if (o.weight_decay < 0) throw std::invalid_argument("SGD: Invalid weight_decay value: " + num(o.weight_decay));
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0)) {
    throw std::invalid_argument("SGD: Nesterov momentum requires a momentum and zero dampening (got momentum " +
                                num(o.momentum) + ", dampening " + num(o.dampening) + ")");
  }
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : SGD(std::vector<ParamGroup<SGDOptions>>{{std::move(params), options}}) {}

SGD::SGD(std::vector<ParamGroup<SGDOptions>> groups)
    : GroupedOptimizer(std::move(groups)), momentum_buffers_(params_.size()) {
  for (const Group& g : groups_) check_options(g.options);
}

void SGD::step() {
  NoGradGuard no_grad;
  for_each_param([&](const Group& group, std::size_t i, Tensor& p) {
    const SGDOptions& o = group.options;
    Tensor d_p = p.grad();
    if (!d_p.defined()) return;  // this parameter took no part in the last backward
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
  });
}

}  // namespace minigrad::optim

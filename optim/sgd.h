// optim::SGD: stochastic gradient descent with torch.optim.SGD's exact rule:
// weight decay, momentum (with dampening), Nesterov momentum, and maximize.
// Parameter groups (optimizer.h) may each have their own options.
// Not here: learning-rate schedules (lr_schedule.h).
#pragma once

#include <limits>
#include <vector>

#include "core/tensor.h"
#include "optim/optimizer.h"

namespace minigrad::optim {

// A plain aggregate, in torch's argument order: SGDOptions{0.1}, SGDOptions{0.1, 0.9},
// or SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true}.
struct SGDOptions {
  double lr = std::numeric_limits<double>::quiet_NaN();  // required, >= 0
  double momentum = 0;      // >= 0; 0 turns momentum off
  double dampening = 0;     // scales each new gradient's share of the momentum buffer by (1 - dampening)
  double weight_decay = 0;  // >= 0; L2 penalty: adds weight_decay * p to the gradient
  bool nesterov = false;    // needs momentum > 0 and dampening == 0
  bool maximize = false;    // ascend the objective instead of descending
};

class SGD : public GroupedOptimizer<SGDOptions> {
 public:
  // Bad options throw std::invalid_argument with torch's wording and the value.
  SGD(std::vector<Tensor> params, SGDOptions options);
  explicit SGD(std::vector<ParamGroup<SGDOptions>> groups);  // each group with its own options

  // For each parameter p with gradient g (torch.optim.SGD, single-tensor path):
  //   g = maximize ? -g : g
  //   g = g + weight_decay * p                         if weight_decay != 0
  //   if momentum != 0:
  //     buf = g (first step) | buf = momentum * buf + (1 - dampening) * g
  //     g = nesterov ? g + momentum * buf : buf
  //   p = p - lr * g
  void step() override;

  // The first group's options (the only group's, when built from a parameter list).
  const SGDOptions& options() const { return groups_.front().options; }
  SGDOptions& options() { return groups_.front().options; }  // e.g. to decay lr between steps
  // The momentum buffer of parameters()[i] (undefined before its first step with momentum).
  const Tensor& momentum_buffer(std::size_t i) const { return momentum_buffers_.at(i); }

 private:
  std::vector<Tensor> momentum_buffers_;  // one per parameter
};

}  // namespace minigrad::optim

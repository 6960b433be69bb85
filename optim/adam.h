// optim::Adam and optim::AdamW with torch 1.13's single-tensor rules (foreach=False):
// bias-corrected moments, L2 weight decay (Adam) or decoupled weight decay (AdamW),
// amsgrad and maximize; parameter groups (optimizer.h); every parameter's state readable.
// Not here: learning-rate schedules (lr_schedule.h), saving the state (a checkpoint's job).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "optim/optimizer.h"

namespace minigrad::optim {

// Plain aggregates with torch's defaults: AdamOptions{}, AdamOptions{.lr = 3e-4},
// AdamWOptions{.lr = 0.0004, .weight_decay = 0.1} (the book's chapter 5).
struct AdamOptions {
  double lr = 1e-3;                            // >= 0
  std::pair<double, double> betas{0.9, 0.999};  // each in [0, 1): decay of the first and second moments
  double eps = 1e-8;                           // >= 0; added to the denominator's square root
  double weight_decay = 0;                     // >= 0; L2 penalty: adds weight_decay * p to the gradient
  bool amsgrad = false;                        // divide by the largest second moment so far
  bool maximize = false;                       // ascend the objective instead of descending
};

struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;  // >= 0; decoupled: p = p * (1 - lr * weight_decay) before the Adam step
  bool amsgrad = false;
  bool maximize = false;
};

// One parameter's state, torch's optimizer.state[p]. The tensors are undefined before the
// parameter's first update; max_exp_avg_sq stays undefined unless amsgrad is on.
struct AdamParamState {
  int64_t step = 0;       // updates this parameter has had (steps it had no gradient are not counted)
  Tensor exp_avg;         // m: running average of the gradient
  Tensor exp_avg_sq;      // v: running average of the squared gradient
  Tensor max_exp_avg_sq;  // amsgrad: the element-wise largest v so far
};

// What Adam and AdamW share: all of the rule but where the weight decay goes.
// For each parameter p with gradient g, after step += 1 (torch's _single_tensor_adam[w]):
//   g = maximize ? -g : g
//   Adam:  g = g + weight_decay * p            AdamW:  p = p * (1 - lr * weight_decay)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   v_hat = amsgrad ? (max_v = max(max_v, v)) : v
//   p = p - lr / (1 - beta1^step) * m / (sqrt(v_hat) / sqrt(1 - beta2^step) + eps)
template <class Options>
class AdamFamily : public GroupedOptimizer<Options> {
 public:
  void step() override;

  // The state of parameters()[i].
  const AdamParamState& state(std::size_t i) const { return states_.at(i); }
  AdamParamState& state(std::size_t i) { return states_.at(i); }  // to restore a checkpoint

 protected:
  // `name` starts error messages; `decoupled` picks AdamW's weight decay.
  AdamFamily(std::vector<ParamGroup<Options>> groups, const char* name, bool decoupled);

 private:
  const char* name_;
  bool decoupled_;
  std::vector<AdamParamState> states_;  // one per parameter
};

class Adam : public AdamFamily<AdamOptions> {
 public:
  // Bad options throw std::invalid_argument naming the option and its value, as torch does.
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);  // each group with its own options
};

class AdamW : public AdamFamily<AdamWOptions> {
 public:
  explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  explicit AdamW(std::vector<ParamGroup<AdamWOptions>> groups);
};

}  // namespace minigrad::optim

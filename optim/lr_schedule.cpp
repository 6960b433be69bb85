// WarmupCosine: the book's appendix D formulas, written in its order of operations.
// Not here: how an optimizer stores its lr (optimizer.h).
#include "optim/lr_schedule.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

namespace minigrad::optim {

WarmupCosine::WarmupCosine(WarmupCosineOptions options) : options_(options) {
  const WarmupCosineOptions& o = options_;
  if (o.warmup_steps < 0)
    throw std::invalid_argument("WarmupCosine: warmup_steps must be >= 0, got " + std::to_string(o.warmup_steps));
  if (o.total_steps <= o.warmup_steps) {
    throw std::invalid_argument("WarmupCosine: total_steps (" + std::to_string(o.total_steps) +
                                ") must exceed warmup_steps (" + std::to_string(o.warmup_steps) +
                                "): the cosine phase needs at least one step");
  }
  for (auto [name, v] : {std::pair{"initial_lr", o.initial_lr}, {"peak_lr", o.peak_lr}, {"min_lr", o.min_lr}}) {
    if (!(v >= 0)) throw std::invalid_argument(std::string("WarmupCosine: ") + name + " must be >= 0, got " + detail::num(v));
  }
}

double WarmupCosine::lr(int64_t step) const {
  const WarmupCosineOptions& o = options_;
  if (step < o.warmup_steps) {
    const double lr_increment = (o.peak_lr - o.initial_lr) / static_cast<double>(o.warmup_steps);
    return o.initial_lr + static_cast<double>(step) * lr_increment;
  }
  if (step >= o.total_steps) return o.min_lr;
  const double progress =
      static_cast<double>(step - o.warmup_steps) / static_cast<double>(o.total_steps - o.warmup_steps);
  return o.min_lr + (o.peak_lr - o.min_lr) * 0.5 * (1 + std::cos(std::numbers::pi * progress));
}

double WarmupCosine::apply(Optimizer& optimizer, int64_t step) const {
  const double value = lr(step);
  optimizer.set_lr(value);
  return value;
}

}  // namespace minigrad::optim

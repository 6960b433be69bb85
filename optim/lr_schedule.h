// The learning-rate schedule of the book's appendix D: a linear warm-up from initial_lr
// to peak_lr over warmup_steps, then a half cosine from peak_lr down to min_lr at total_steps.
// Not here: the optimizers it drives (optimizer.h: set_lr).
#pragma once

#include <cstdint>

#include "optim/optimizer.h"

namespace minigrad::optim {

struct WarmupCosineOptions {
  double initial_lr = 1e-4;  // the lr at step 0 (the book: 0.0001)
  double peak_lr = 1e-2;     // reached at step warmup_steps (the book: 0.01)
  double min_lr = 1e-5;      // reached at step total_steps (the book: 0.1 * initial_lr)
  int64_t warmup_steps = 0;  // >= 0 (the book: 20% of total_steps)
  int64_t total_steps = 1;   // > warmup_steps: the training's length in optimizer steps
};

// The book's loop, with `step` its global_step (0 for the first batch):
//   step < warmup_steps:  lr = initial_lr + step * (peak_lr - initial_lr) / warmup_steps
//   otherwise:            progress = (step - warmup_steps) / (total_steps - warmup_steps)
//                         lr = min_lr + (peak_lr - min_lr) * 0.5 * (1 + cos(pi * progress))
// in the book's order of operations, so the values are Python's to the last bit. From
// total_steps on (where the book stops) the lr stays at min_lr.
class WarmupCosine {
 public:
  // std::invalid_argument for warmup_steps < 0, total_steps <= warmup_steps, or a negative lr.
  explicit WarmupCosine(WarmupCosineOptions options);

  double lr(int64_t step) const;
  // Sets every parameter group's lr to lr(step) and returns it; call before optimizer.step().
  double apply(Optimizer& optimizer, int64_t step) const;

  const WarmupCosineOptions& options() const { return options_; }

 private:
  WarmupCosineOptions options_;
};

}  // namespace minigrad::optim

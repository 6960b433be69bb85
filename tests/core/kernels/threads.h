// Test helper: run a block at a chosen thread count, restoring the old one after.
#pragma once

#include "core/kernels/parallel.h"

namespace minigrad::kernels::testing_threads {

class Scoped {
 public:
  explicit Scoped(int threads) : old_(get_num_threads()) { set_num_threads(threads); }
  ~Scoped() { set_num_threads(old_); }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;

 private:
  int old_;
};

}  // namespace minigrad::kernels::testing_threads

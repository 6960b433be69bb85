// Test helper: run a block at a chosen CPU level (core/kernels/cpu.h), restoring the old
// one after; and the list of levels this machine runs, to loop a check over all of them.
#pragma once

#include <string>

#include "core/kernels/cpu.h"

namespace minigrad::kernels::testing_levels {

class Scoped {
 public:
  explicit Scoped(const std::string& level) : old_(cpu_capability()) { set_cpu_capability(level); }
  ~Scoped() { set_cpu_capability(old_); }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;

 private:
  std::string old_;
};

}  // namespace minigrad::kernels::testing_levels

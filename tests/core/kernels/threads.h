// Test helper: run a block at a chosen OpenMP thread count, restoring the old one after.
// Tests that compare bits across thread counts skip themselves when OpenMP is absent.
#pragma once

#ifdef MINIGRAD_HAVE_OPENMP
#include <omp.h>
#endif

namespace minigrad::kernels::testing_threads {

inline bool available() {
#ifdef MINIGRAD_HAVE_OPENMP
  return true;
#else
  return false;
#endif
}

class Scoped {
 public:
  explicit Scoped(int threads) {
#ifdef MINIGRAD_HAVE_OPENMP
    old_ = omp_get_max_threads();
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
  }
  ~Scoped() {
#ifdef MINIGRAD_HAVE_OPENMP
    omp_set_num_threads(old_);
#endif
  }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;

 private:
  int old_ = 1;
};

}  // namespace minigrad::kernels::testing_threads

// One place that decides how loops split across threads. Every split is by
// output element, so each output is computed by one thread in one fixed order:
// results are bit-identical for any thread count. Works with OpenMP absent.
#pragma once

#include <cstdint>

#ifdef MINIGRAD_HAVE_OPENMP
#include <omp.h>
#endif

namespace minigrad::kernels {

// Below this much work (roughly, element-operations) a loop stays on one thread:
// waking a team costs more than it saves.
inline constexpr int64_t kParallelGrain = 32768;

inline int max_threads() {
#ifdef MINIGRAD_HAVE_OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Calls f(begin, end) over disjoint chunks covering [0, n). `cost` is the work
// per index, used only to decide whether threads are worth it.
template <class F>
void parallel_for(int64_t n, int64_t cost, F f) {
  if (n <= 0) return;
#ifdef MINIGRAD_HAVE_OPENMP
  if (n * cost >= kParallelGrain && max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel
    {
      int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
      int64_t chunk = (n + nt - 1) / nt;
      int64_t b = t * chunk, e = b + chunk < n ? b + chunk : n;
      if (b < e) f(b, e);
    }
    return;
  }
#endif
  (void)cost;
  f(0, n);
}

}  // namespace minigrad::kernels

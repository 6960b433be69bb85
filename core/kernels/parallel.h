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
  return omp_in_parallel() ? 1 : omp_get_max_threads();
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
  if (n * cost >= kParallelGrain && n > 1 && max_threads() > 1) {
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

// Runs f(thread_id, thread_count) once on each of up to `threads` threads (one
// call f(0, 1) when threads <= 1 or OpenMP is absent). For kernels that work in
// phases (pack, then compute) separated by barrier().
template <class F>
void parallel_region(int threads, F f) {
#ifdef MINIGRAD_HAVE_OPENMP
  if (threads > 1 && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
    f(omp_get_thread_num(), omp_get_num_threads());
    return;
  }
#endif
  (void)threads;
  f(0, 1);
}

// Waits until all `thread_count` threads of the parallel_region arrive. A no-op on one
// thread, which matters: called from a region that ran inline inside another team's
// loop, an OpenMP barrier would bind to that outer team and wait forever.
inline void barrier(int thread_count) {
#ifdef MINIGRAD_HAVE_OPENMP
  if (thread_count > 1) {
#pragma omp barrier
  }
#else
  (void)thread_count;
#endif
}

// The [begin, end) share of n items that thread t of nt takes: contiguous, balanced.
inline void split_range(int64_t n, int t, int nt, int64_t& begin, int64_t& end) {
  begin = n * t / nt;
  end = n * (t + 1) / nt;
}

}  // namespace minigrad::kernels

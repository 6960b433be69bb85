// One place that decides how loops split across threads, and the threads themselves.
// Every split is by output element, so each output is computed by one thread in one
// fixed order: results are bit-identical for any thread count.
//
// The threads are OpenMP's (parallel.cpp). A job is cut into a fixed list of tasks,
// more tasks than threads, and the team claims them one at a time (schedule(dynamic, 1)):
// a thread the OS runs late just claims fewer. Only the list fixes the results, not
// who ran what. An OpenMP team still waits at its closing barrier for every thread, so
// when that wait shows another process holds a core, jobs run on the calling thread
// alone for a while (parallel.cpp says how). The build option MINIGRAD_THREADS=pool
// swaps in minigrad's own claim-based pool (parallel_pool.cpp) behind the same functions.
#pragma once

#include <algorithm>
#include <cstdint>

namespace minigrad {

// How many threads kernels may use, as torch.get_num_threads / set_num_threads.
// The default is OMP_NUM_THREADS (or MINIGRAD_NUM_THREADS) when set, else the
// number of CPUs this process may run on. set_num_threads(n) needs n >= 1.
int get_num_threads();
void set_num_threads(int threads);

}  // namespace minigrad

namespace minigrad::kernels {

// Below this much work (roughly, element-operations) a loop stays on one thread:
// handing out tasks costs more than it saves.
inline constexpr int64_t kParallelGrain = 32768;

// Threads a kernel may use here: get_num_threads(), or 1 inside a task (a nested loop
// runs inline, on the thread that reached it).
int max_threads();

// Runs call(ctx, t) once for every t in [0, tasks), on up to `threads` threads
// (the caller included), and returns when all have finished. Any task may run on any
// thread; nothing may depend on which. A task's exception is rethrown here (the first
// one, if several throw).
void run_tasks(int64_t tasks, int threads, void (*call)(void*, int64_t), void* ctx);

// The same with a lambda: f(t).
template <class F>
void for_each_task(int64_t tasks, int threads, F&& f) {
  if (tasks <= 0) return;
  if (threads <= 1 || tasks == 1) {
    for (int64_t t = 0; t < tasks; ++t) f(t);
    return;
  }
  run_tasks(tasks, threads, [](void* p, int64_t t) { (*static_cast<F*>(p))(t); }, &f);
}

// Calls f(begin, end) over disjoint chunks covering [0, n). `cost` is the work per
// index, used only to decide how many chunks are worth it: up to 4 per thread (so a
// slow thread holds up little), none under kParallelGrain of work.
template <class F>
void parallel_for(int64_t n, int64_t cost, F f) {
  if (n <= 0) return;
  const int threads = max_threads();
  const int64_t work = n * std::max<int64_t>(cost, 1);
  const int64_t chunks = threads > 1 ? std::min({n, int64_t{4} * threads, work / kParallelGrain}) : 1;
  if (chunks <= 1) {
    f(0, n);
    return;
  }
  for_each_task(chunks, threads, [&](int64_t c) { f(n * c / chunks, n * (c + 1) / chunks); });
}

}  // namespace minigrad::kernels

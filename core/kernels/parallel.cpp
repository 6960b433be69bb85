// The thread count (set_num_threads / get_num_threads) and, in the default build, the
// OpenMP team behind parallel_for. With -DMINIGRAD_THREADS=pool the team is replaced
// by minigrad's own pool (parallel_pool.cpp); everything else here stays.
//
// A job is one `#pragma omp parallel` region whose threads claim the job's fixed task
// list one task at a time (schedule(dynamic, 1)). Which thread runs a task never
// matters: each task computes whole outputs. Exceptions are caught per task (OpenMP
// terminates on one that escapes a region) and the first is rethrown after the region.
//
// Under load. The region ends at a barrier that waits for every thread, also for one
// the OS has not run for a time slice because another process holds its core. After
// each job the caller compares how long the job took with how long it would have
// taken alone (its own busy time scaled by the share of tasks it ran) and keeps the
// difference as credit, what the team saved lately (at most 2 ms). A job that costs more
// than the credit holds means the team costs more than it gives: the next jobs run on
// the calling thread alone for 50 times the deficit (at least 5 ms), then one job tries
// the team again; each further deficit doubles the time alone, up to 1 s. A busy
// neighbour costs a job a time slice (milliseconds) and spends the credit at once. The
// credit is for the idle machine, above all a virtual one, whose cores pause now and
// then for 20 us to 2 ms (about 20 times a second here): charging each such hiccup in
// full, as this rule first did, sent a GPT step at 2 threads to its caller alone most of
// the time (W3: 41 ms at 2 threads, no faster than 1; 23 ms with the credit).
#include "core/kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(MINIGRAD_THREADS_POOL)
#if defined(__linux__)
#include <sched.h>
#endif
#else
#include <omp.h>
#endif

namespace minigrad {

namespace {

// A positive integer from the environment (OMP_NUM_THREADS may be a list: its first), or 0.
int threads_from_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return 0;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return end != v && n >= 1 && n <= 4096 ? static_cast<int>(n) : 0;
}

int default_threads() {
  for (const char* name : {"MINIGRAD_NUM_THREADS", "OMP_NUM_THREADS"})
    if (int n = threads_from_env(name)) return n;
#if defined(MINIGRAD_THREADS_POOL)
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
#else
  return std::max(1, omp_get_max_threads());  // the CPUs this process may run on
#endif
}

std::atomic<int> g_threads{0};  // 0: not yet read from the environment

}  // namespace

int get_num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = default_threads();
    g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}

void set_num_threads(int threads) {
  if (threads < 1)
    throw std::invalid_argument("set_num_threads: expected at least 1 thread, got " + std::to_string(threads));
  g_threads.store(threads, std::memory_order_relaxed);
#if !defined(MINIGRAD_THREADS_POOL)
  omp_set_num_threads(threads);  // the caller's own OpenMP loops agree, as with torch
#endif
}

#if !defined(MINIGRAD_THREADS_POOL)

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// After a deficit, jobs run alone for 50 times it (at least 5 ms), and twice as long
// after each further deficit, up to 1 s: a trial costs at most ~2 %. A trial (and the
// first job) starts with 0.5 ms of credit: its threads have slept and must be woken
// (~50 us), while a busy neighbour costs it a time slice.
constexpr int64_t kAloneMin = 5'000'000, kAloneMax = 1'000'000'000;                 // ns
constexpr int64_t kCreditMax = 2'000'000, kTrialCredit = 500'000;                   // ns
std::atomic<int64_t> g_alone_until{0};         // jobs started before this run on their caller alone
std::atomic<int64_t> g_alone_for{0};           // the last time alone; 0 after a job the team won
std::atomic<int64_t> g_credit{kTrialCredit};  // ns the team saved lately, at most kCreditMax

// A job took `took` ns with the team; the caller alone would have needed about `alone`.
void note_job(int64_t took, int64_t alone, int64_t now) {
  const int64_t credit = std::min(kCreditMax, g_credit.load(std::memory_order_relaxed) + alone - took);
  if (credit >= 0) {  // the team paid, counting what it saved before
    g_credit.store(credit, std::memory_order_relaxed);
    if (took <= alone) g_alone_for.store(0, std::memory_order_relaxed);
    return;
  }
  const int64_t last = g_alone_for.load(std::memory_order_relaxed);
  const int64_t wait = std::min(kAloneMax, std::max({kAloneMin, 50 * -credit, 2 * last}));
  g_alone_until.store(now + wait, std::memory_order_relaxed);
  g_alone_for.store(wait, std::memory_order_relaxed);
  g_credit.store(kTrialCredit, std::memory_order_relaxed);
}

thread_local bool t_alone = false;  // running a job's tasks on its caller alone

// Runs every task here, in order, and then rethrows the first task's exception, as
// the team does; loops inside the tasks run inline too.
void run_alone(int64_t tasks, void (*call)(void*, int64_t), void* ctx) {
  const bool outer = t_alone;
  t_alone = true;
  std::exception_ptr error;
  for (int64_t t = 0; t < tasks; ++t) {
    try {
      call(ctx, t);
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  t_alone = outer;
  if (error) std::rethrow_exception(error);
}

}  // namespace

namespace kernels {

int max_threads() { return omp_in_parallel() || t_alone ? 1 : get_num_threads(); }

void run_tasks(int64_t tasks, int threads, void (*call)(void*, int64_t), void* ctx) {
  if (tasks <= 0) return;
  const int64_t start = now_ns();
  if (threads <= 1 || tasks == 1 || omp_in_parallel() || t_alone ||
      start < g_alone_until.load(std::memory_order_relaxed)) {
    run_alone(tasks, call, ctx);
    return;
  }
  std::exception_ptr error;
  int64_t caller_done = start, caller_tasks = 0;
#pragma omp parallel num_threads(static_cast<int>(std::min<int64_t>(threads, tasks)))
  {
    const bool caller = omp_get_thread_num() == 0;
#pragma omp for schedule(dynamic, 1) nowait
    for (int64_t t = 0; t < tasks; ++t) {
      if (caller) ++caller_tasks;
      try {
        call(ctx, t);
      } catch (...) {
#pragma omp critical(minigrad_task_error)
        if (!error) error = std::current_exception();
      }
    }
    if (caller) caller_done = now_ns();
  }
  const int64_t end = now_ns();
  // A caller that ran no task was not running while the team claimed them: typically the
  // woken thread shares the caller's CPU (a busy neighbour holds the other) and preempted
  // it, and the two take turns by time slices at each barrier. It would not have been
  // slower alone: the whole job counts as lost.
  note_job(end - start, caller_tasks > 0 ? (caller_done - start) * tasks / caller_tasks : 0, end);
  if (error) std::rethrow_exception(error);
}

}  // namespace kernels

#endif  // !MINIGRAD_THREADS_POOL

}  // namespace minigrad

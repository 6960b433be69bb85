// The claim-based thread pool behind parallel_for when minigrad is built with
// -DMINIGRAD_THREADS=pool (the default is OpenMP, parallel.cpp). Kept because on a
// busy machine it never waits for a thread the OS has not scheduled (see bench/RESULTS.md).
//
// One job at a time. The job's tasks are claimed from `state_`, one 64-bit word
// holding the job's generation (high half) and the next unclaimed task (low half):
// a claim is a compare-and-swap that only succeeds for the current generation, so a
// worker that wakes late, after its job ended, can never run a task of the next one.
// The caller claims tasks too, then waits for `done_` to count every task: it never
// waits for a worker that claimed nothing. Workers spin a little between jobs (jobs
// come in bursts: one training step starts dozens), then sleep on the state word.
#if defined(MINIGRAD_THREADS_POOL)
#include "core/kernels/parallel.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MINIGRAD_PAUSE() _mm_pause()
#else
#define MINIGRAD_PAUSE() ((void)0)
#endif

namespace minigrad {

namespace {

thread_local bool t_in_task = false;

// Runs every task here, in order, as one thread's work: loops inside them run inline too.
void run_inline(int64_t tasks, void (*call)(void*, int64_t), void* ctx) {
  const bool outer = t_in_task;
  t_in_task = true;
  try {
    for (int64_t t = 0; t < tasks; ++t) call(ctx, t);
  } catch (...) {
    t_in_task = outer;
    throw;
  }
  t_in_task = outer;
}

class Pool {
 public:
  void run(int64_t tasks, int threads, void (*call)(void*, int64_t), void* ctx) {
    std::unique_lock<std::mutex> lock(caller_, std::try_to_lock);
    if (!lock.owns_lock()) {  // another thread's job is running: do this one here
      run_inline(tasks, call, ctx);
      return;
    }
    start_workers(threads - 1);
    call_.store(call, std::memory_order_relaxed);
    ctx_.store(ctx, std::memory_order_relaxed);
    tasks_.store(tasks, std::memory_order_relaxed);
    helpers_.store(threads - 1, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    const uint64_t gen = ++generation_;
    state_.store(gen << 32, std::memory_order_release);
    state_.notify_all();

    claim_and_run(gen);
    for (int spins = 0; done_.load(std::memory_order_acquire) < tasks; ++spins) {
      if (spins < 4096) MINIGRAD_PAUSE();
      else std::this_thread::yield();  // a claimed task's thread was preempted: let it run
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Claims and runs tasks of generation `gen` until none is left.
  void claim_and_run(uint64_t gen) {
    auto call = call_.load(std::memory_order_relaxed);
    void* ctx = ctx_.load(std::memory_order_relaxed);
    const uint64_t tasks = static_cast<uint64_t>(tasks_.load(std::memory_order_relaxed));
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if ((s >> 32) != gen || (s & 0xffffffffu) >= tasks) return;
      if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) continue;
      // The claim succeeded, so job `gen` was still open: call/ctx/tasks are its own.
      const bool outer = t_in_task;
      t_in_task = true;
      try {
        call(ctx, static_cast<int64_t>(s & 0xffffffffu));
      } catch (...) {
        std::lock_guard<std::mutex> g(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      t_in_task = outer;
      done_.fetch_add(1, std::memory_order_acq_rel);
      s = state_.load(std::memory_order_acquire);
    }
  }

  void start_workers(int wanted) {
    while (static_cast<int>(workers_.size()) < wanted) {
      const int id = static_cast<int>(workers_.size());
      workers_.emplace_back([this, id] { work(id); });
      workers_.back().detach();  // the pool lives as long as the process
    }
  }

  void work(int id) {
    uint64_t seen = state_.load(std::memory_order_acquire) >> 32;
    for (;;) {
      uint64_t s = state_.load(std::memory_order_acquire);
      // Spin a while for the next job, then sleep until the state word changes.
      auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      for (int i = 0; (s >> 32) == seen; ++i) {
        if (i % 64 == 63 && std::chrono::steady_clock::now() > until) {
          state_.wait(s, std::memory_order_acquire);
          until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
        }
        MINIGRAD_PAUSE();
        s = state_.load(std::memory_order_acquire);
      }
      seen = s >> 32;
      if (id < helpers_.load(std::memory_order_relaxed)) claim_and_run(seen);
    }
  }

  std::mutex caller_;  // held by the thread whose job is running
  uint64_t generation_ = 0;
  std::atomic<uint64_t> state_{0};
  std::atomic<void (*)(void*, int64_t)> call_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  std::atomic<int64_t> tasks_{0};
  std::atomic<int> helpers_{0};  // workers 0 .. helpers_-1 may join this job
  std::atomic<int64_t> done_{0};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
};

// Never destroyed: workers may still be asleep on it when the process exits.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

namespace kernels {

int max_threads() { return t_in_task ? 1 : get_num_threads(); }

void run_tasks(int64_t tasks, int threads, void (*call)(void*, int64_t), void* ctx) {
  if (tasks <= 0) return;
  if (tasks >= (int64_t{1} << 32)) throw std::length_error("run_tasks: more than 2^32 tasks");
  if (threads <= 1 || t_in_task) {
    run_inline(tasks, call, ctx);
    return;
  }
  pool().run(tasks, threads, call, ctx);
}

}  // namespace kernels

}  // namespace minigrad

#endif  // MINIGRAD_THREADS_POOL

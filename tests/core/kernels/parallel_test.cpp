// The threads behind parallel_for (OpenMP, or the pool with MINIGRAD_THREADS=pool):
// every task runs exactly once at any thread count, from one caller or from several
// std::threads at once; a task's exception reaches the caller; loops nested in a task
// run inline; thread counts are checked like torch.set_num_threads.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/kernels/parallel.h"
#include "tests/core/kernels/threads.h"
#include "tests/testing.h"

namespace minigrad::kernels {
namespace {

using minigrad::testing::contains;
using minigrad::testing::message_of;

TEST(KernelsTestParallel, EveryTaskRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 4}) {
    for (int64_t tasks : {1, 2, 3, 7, 64, 1000}) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(tasks));
      for_each_task(tasks, threads, [&](int64_t t) { runs[static_cast<std::size_t>(t)]++; });
      for (int64_t t = 0; t < tasks; ++t) ASSERT_EQ(runs[static_cast<std::size_t>(t)].load(), 1) << threads << " threads, task " << t;
    }
  }
}

TEST(KernelsTestParallel, ParallelForCoversTheRangeInDisjointChunks) {
  for (int threads : {1, 2, 4}) {
    testing_threads::Scoped scoped(threads);
    const int64_t n = 100003;
    std::vector<int> hits(static_cast<std::size_t>(n), 0);
    parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[static_cast<std::size_t>(i)]++;
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<std::size_t>(i)], 1) << i;
  }
}

TEST(KernelsTestParallel, ATaskExceptionReachesTheCallerAndTheThreadsGoOn) {
  std::atomic<int> ran{0};
  EXPECT_THROW(for_each_task(16, 2, [&](int64_t t) {
                 ran++;
                 if (t == 5) throw std::runtime_error("task 5 failed");
               }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 16);  // the other tasks still ran: none is left half-done
  std::atomic<int> after{0};
  for_each_task(8, 2, [&](int64_t) { after++; });
  EXPECT_EQ(after.load(), 8);
}

TEST(KernelsTestParallel, ExceptionsFromSeveralTasksOfAParallelForGiveOne) {
  testing_threads::Scoped scoped(2);
  std::atomic<int64_t> covered{0};
  const std::string what = message_of<std::out_of_range>([&] {
    parallel_for(1 << 20, kParallelGrain, [&](int64_t b, int64_t e) {
      covered += e - b;
      throw std::out_of_range("chunk " + std::to_string(b));
    });
  });
  EXPECT_TRUE(contains(what, "chunk ")) << what;
  EXPECT_EQ(covered.load(), 1 << 20);  // every chunk still ran
}

TEST(KernelsTestParallel, LoopsInsideATaskRunInline) {
  testing_threads::Scoped scoped(2);
  std::atomic<int> inner_threads{0};
  for_each_task(4, 2, [&](int64_t) { inner_threads.fetch_add(max_threads()); });
  EXPECT_EQ(inner_threads.load(), 4);  // max_threads() is 1 in every task
  EXPECT_EQ(max_threads(), 2);
}

TEST(KernelsTestParallel, CallersOnSeveralThreadsEachGetTheirOwnResults) {
  testing_threads::Scoped scoped(2);
  auto work = [](int64_t seed) {
    std::vector<int64_t> out(4096);
    for (int rep = 0; rep < 200; ++rep)
      parallel_for(4096, kParallelGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[static_cast<std::size_t>(i)] = i * seed + rep;
      });
    for (int64_t i = 0; i < 4096; ++i)
      if (out[static_cast<std::size_t>(i)] != i * seed + 199) return false;
    return true;
  };
  bool ok[4] = {};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) callers.emplace_back([&, c] { ok[c] = work(3 + c); });
  for (auto& t : callers) t.join();
  for (int c = 0; c < 4; ++c) EXPECT_TRUE(ok[c]) << "caller " << c;
}

TEST(KernelsTestParallel, ThreadCountsAreChecked) {
  testing_threads::Scoped scoped(3);
  EXPECT_EQ(get_num_threads(), 3);
  EXPECT_TRUE(contains(message_of<std::invalid_argument>([] { set_num_threads(0); }),
                       "set_num_threads: expected at least 1 thread, got 0"));
  EXPECT_EQ(get_num_threads(), 3);
#ifdef _OPENMP
  EXPECT_EQ(omp_get_max_threads(), 3);  // set_num_threads is omp_set_num_threads too
#endif
}

}  // namespace
}  // namespace minigrad::kernels

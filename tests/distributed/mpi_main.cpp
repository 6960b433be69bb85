// main() of minigrad_distributed_tests: starts MPI around GoogleTest, which every rank runs.
// Rank 0 prints GoogleTest's usual report; the other ranks print only their failures, each
// line marked with the rank, so a failure on rank 1 is seen without doubling the log.
// With MINIGRAD_TEST_WITHOUT_MPI=1 MPI is not started (the tests of what happens then);
// with MINIGRAD_TEST_RANK_FAILS=1 it runs no test but a failing rank (see failing_rank).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "distributed/distributed.h"

namespace {

class FailuresOnly : public ::testing::EmptyTestEventListener {
 public:
  explicit FailuresOnly(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (result.failed())
      std::printf("[rank %d] %s:%d: Failure\n%s\n", rank_, result.file_name() ? result.file_name() : "?",
                  result.line_number(), result.message());
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Failed()) std::printf("[rank %d] FAILED %s.%s\n", rank_, info.test_suite_name(), info.name());
  }

 private:
  int rank_;
};

// Rank 1 throws past its Guard while the others wait for it in a barrier: the Guard's
// MPI_Abort must end the whole job with its message (tests/CMakeLists.txt looks for it,
// under a timeout), where finalize would leave the others waiting for ever.
int failing_rank(int argc, char** argv) {
  try {
    minigrad::distributed::Guard guard(argc, argv);
    if (minigrad::distributed::rank() == 1) throw std::runtime_error("rank 1 fails");
    MPI_Barrier(MPI_COMM_WORLD);
  } catch (const std::exception&) {
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("MINIGRAD_TEST_RANK_FAILS") != nullptr) return failing_rank(argc, argv);
  std::optional<minigrad::distributed::Guard> guard;
  if (std::getenv("MINIGRAD_TEST_WITHOUT_MPI") == nullptr) guard.emplace(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (guard && minigrad::distributed::rank() != 0) {
    ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailuresOnly(minigrad::distributed::rank()));
  }
  return RUN_ALL_TESTS();
}

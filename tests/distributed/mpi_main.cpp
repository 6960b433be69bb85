// main() of minigrad_distributed_tests: starts MPI around GoogleTest, which every rank runs.
// Rank 0 prints GoogleTest's usual report; the other ranks print only their failures, each
// line marked with the rank, so a failure on rank 1 is seen without doubling the log.
// With MINIGRAD_TEST_WITHOUT_MPI=1 MPI is not started (the tests of what happens then).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

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

}  // namespace

int main(int argc, char** argv) {
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

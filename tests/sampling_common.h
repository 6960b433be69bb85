// Helpers shared by the tests that read tests/fixtures/sampling.txt (written by
// tools/make_sampling_fixtures.py): the hash its large records use, the record of what the
// stream gives next, and a loop over 1 and 2 threads. Not a fixture reader (tests/fixture.h).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad::testing {

inline const Fixture& sampling_fixture() { return Fixture::get("sampling.txt"); }

// The script's hash_of: sum_i v_i * ((i * 2654435761) mod 2^20) over the flattened values.
inline int64_t sampling_hash(const Tensor& t) {
  int64_t h = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    auto w = static_cast<int64_t>((static_cast<uint64_t>(i) * 2654435761ULL) % (uint64_t{1} << 20));
    h += static_cast<int64_t>(element(t, i)) * w;
  }
  return h;
}

// The stream position after a case: torch.rand(3) drawn next must equal the record `<name>_next`.
inline ::testing::AssertionResult next_draws_match(const std::string& name) {
  return bitwise_equal(rand({3}), sampling_fixture()[name + "_next"]);
}

// Runs body() with 1 thread and with 2, then restores the thread count.
template <class F>
void at_one_and_two_threads(F&& body) {
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    SCOPED_TRACE("threads=" + std::to_string(threads));
    body();
  }
  set_num_threads(before);
}

inline const uint64_t kSamplingSeeds[] = {0, 123, 3000000000ULL};

inline std::string seed_tag(uint64_t seed) { return "_s" + std::to_string(seed); }

}  // namespace minigrad::testing

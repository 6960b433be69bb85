// Checks llm/data.cpp against the book's GPTDatasetV1 and torch.utils.data.DataLoader
// (tests/fixtures/llm_data.txt, tools/make_data_fixtures.py): the windows, the batches of two
// passes in a row after manual_seed (shuffled or not, drop_last both ways, several seeds,
// sizes and batch sizes) and the default generator's state after them; hand-derived windows;
// and the errors.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/data.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::bitwise_equal;
using testing::throws_with;

const testing::Fixture& fx() { return testing::Fixture::get("llm_data.txt"); }

std::vector<int64_t> to_vector(const Tensor& t) {
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

struct Config {
  std::string name;
  uint64_t seed;
  int64_t max_length, stride, batch_size;
  bool shuffle, drop_last;
};

void check_config(const Config& c) {
  SCOPED_TRACE(c.name);
  llm::GPTDataset dataset(to_vector(fx()[c.name + "_ids"]), c.max_length, c.stride);
  llm::DataLoader loader(dataset, c.batch_size, c.shuffle, c.drop_last);
  manual_seed(c.seed);
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE("pass " + std::to_string(pass));
    const std::string prefix = c.name + "_pass" + std::to_string(pass);
    std::vector<Tensor> xs, ys;
    std::vector<int64_t> sizes;
    for (auto [inputs, targets] : loader) {
      EXPECT_EQ(inputs.dtype(), DType::Int64);
      EXPECT_EQ(inputs.sizes(), targets.sizes());
      xs.push_back(inputs);
      ys.push_back(targets);
      sizes.push_back(inputs.size(0));
    }
    EXPECT_EQ(static_cast<int64_t>(sizes.size()), loader.size());
    EXPECT_EQ(sizes, to_vector(fx()[prefix + "_sizes"]));
    if (!xs.empty()) {
      EXPECT_TRUE(bitwise_equal(cat(xs), fx()[prefix + "_inputs"]));
      EXPECT_TRUE(bitwise_equal(cat(ys), fx()[prefix + "_targets"]));
    }
  }
  // The passes drew what torch's drew: the next draws agree.
  EXPECT_TRUE(bitwise_equal(rand({4}), fx()[c.name + "_rand_after"]));
}

TEST(LlmDataLoader, MatchesTorchsBatchesAndDraws) {
  for (const Config& c : std::vector<Config>{
           {"book", 123, 4, 4, 8, false, false},
           {"shuffle_s123", 123, 4, 4, 2, true, true},
           {"shuffle_s0_keep_last", 0, 5, 3, 4, true, false},
           {"shuffle_s7_stride1", 7, 6, 1, 5, true, true},
           {"shuffle_s42_keep_last", 42, 8, 5, 7, true, false},
           {"shuffle_big_seed", 3000000000ULL, 2, 2, 3, true, false},
           {"noshuffle_drop", 5, 4, 2, 6, false, true},
           {"one_window", 9, 4, 10, 2, true, false},
       })
    check_config(c);
}

// ids 0..9, max_length 3, stride 2: starts 0, 2, 4, 6 (range(0, 7, 2)).
TEST(LlmGPTDataset, HandDerivedWindows) {
  llm::GPTDataset d({10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 3, 2);
  ASSERT_EQ(d.size(), 4);
  auto [x, y] = d.get(3);
  EXPECT_TRUE(bitwise_equal(x, tensor({16, 17, 18})));
  EXPECT_TRUE(bitwise_equal(y, tensor({17, 18, 19})));
  // Exactly max_length + 1 ids make one window.
  EXPECT_EQ(llm::GPTDataset({1, 2, 3}, 2, 5).size(), 1);
  llm::DataLoader loader(d, 3);
  EXPECT_EQ(loader.size(), 2);
  auto it = loader.begin();
  Tensor first = (*it).inputs;
  EXPECT_TRUE(bitwise_equal(first, tensor({10, 11, 12, 12, 13, 14, 14, 15, 16}, {3, 3})));
  ++it;
  EXPECT_TRUE(bitwise_equal((*it).targets, tensor({17, 18, 19}, {1, 3})));
  ++it;
  EXPECT_TRUE(it == loader.end());
}

TEST(LlmGPTDataset, Errors) {
  std::vector<int64_t> ids = {1, 2, 3, 4, 5};
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::GPTDataset(ids, 0, 1); }, {"GPTDataset", "max_length", "got 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::GPTDataset(ids, 2, -1); }, {"stride", "got -1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::GPTDataset(ids, 5, 1); },
                                                 {"5 token ids", "too few", "at least 6"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::GPTDataset({}, 1, 1); }, {"0 token ids"}));
  llm::GPTDataset d(ids, 2, 1);
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { d.get(3); }, {"window 3", "[0, 3)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::DataLoader(d, 0); }, {"DataLoader", "batch_size", "got 0"}));
  llm::DataLoader loader(d, 2);
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { *loader.end(); }, {"past the last batch"}));
  // A corpus shorter than a batch: with drop_last no batch is left (torch yields none, silently).
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { llm::DataLoader(d, 4, true, true); },
                                                 {"DataLoader", "3 windows", "batch_size 4", "drop_last", "no batch"}));
  EXPECT_EQ(llm::DataLoader(d, 4, true, false).size(), 1);  // without drop_last: one short batch
  EXPECT_EQ(llm::DataLoader(d, 3, true, true).size(), 1);
}

}  // namespace
}  // namespace minigrad

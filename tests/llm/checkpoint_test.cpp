// llm/checkpoint.h: a run stopped halfway, saved, loaded into fresh objects and finished ends
// with the weights of a run that never stopped, bit for bit (dropout, shuffling, AdamW and
// clipping all on, the stop in the middle of a pass); and each kind of bad file is refused
// with the file, the tensor and the problem named, leaving the model as it was.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/llm.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;

constexpr llm::GPTConfig kConfig{64, 8, 16, 2, 2, 0.1, false};
constexpr int64_t kBatchSize = 3;

std::vector<int64_t> token_ids() {  // 130 ids: 16 windows of 8, so 6 batches a pass (the last of 1)
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < 130; ++i) ids.push_back((i * 7 + i / 5) % kConfig.vocab_size);
  return ids;
}

// A training run's objects, built as train_gpt builds them (the model draws its weights).
struct TrainingRun {
  explicit TrainingRun(uint64_t seed, llm::GPTConfig cfg = kConfig)
      : model((manual_seed(seed), cfg)),
        optimizer(model.parameters(), {.lr = 0.004, .weight_decay = 0.1}),
        loader(llm::GPTDataset(token_ids(), cfg.context_length, cfg.context_length), kBatchSize, true, false) {}

  // n steps of the book's loop, a new pass (and its draws) whenever one ends.
  void train(int64_t n) {
    model.train();
    for (int64_t k = 0; k < n; ++k, ++step) {
      if (!it || *it == loader.end()) it = loader.begin();
      auto [inputs, targets] = **it;
      ++*it;
      optimizer.zero_grad();
      Tensor loss = cross_entropy(model(inputs).flatten(0, 1), targets.flatten());
      loss.backward();
      nn::utils::clip_grad_norm_(model.parameters(), 1.0);
      optimizer.step();
    }
  }

  llm::TrainingState state() const { return {step, it->order(), it->batch(), {}, {{"note", "halfway"}}}; }
  void restore(const llm::TrainingState& s) {
    step = s.step;
    it = loader.resume(s.data_order, s.data_batch);
  }

  llm::GPTModel model;
  optim::AdamW optimizer;
  llm::DataLoader loader;
  std::optional<llm::DataLoader::Iterator> it;
  int64_t step = 0;
};

::testing::AssertionResult same_bytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.sizes() != b.sizes()) return ::testing::AssertionFailure() << "dtype or shape differ";
  if (std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * element_size(a.dtype())) != 0)
    return ::testing::AssertionFailure() << "the bytes differ";
  return ::testing::AssertionSuccess();
}

class CheckpointTest : public minigrad::testing::TempDirTest {
 protected:
  // A checkpoint of a run 4 steps in, at `p`.
  void save_small(const std::string& p) {
    TrainingRun run(5);
    run.train(4);
    llm::save_checkpoint(p, run.model, run.optimizer, run.state());
  }
};

TEST_F(CheckpointTest, ResumingHalfwayEndsWithTheUninterruptedRunsWeightsBitForBit) {
  constexpr int64_t kSteps = 16;  // passes of 6 batches: the stop at 8 is in the middle of the second
  TrainingRun straight(123);
  straight.train(kSteps / 2);
  (void)randn({1});  // leaves a cached normal in the generator, which the checkpoint must carry
  straight.train(kSteps - kSteps / 2);

  {
    TrainingRun first_half(123);
    first_half.train(kSteps / 2);
    (void)randn({1});
    llm::save_checkpoint(path("run.safetensors"), first_half.model, first_half.optimizer, first_half.state());
  }
  manual_seed(999);  // whatever the generator did in between is undone by the load
  TrainingRun second_half(77);  // different initial weights, which the load replaces
  llm::TrainingState state = llm::load_checkpoint(path("run.safetensors"), second_half.model, second_half.optimizer);
  EXPECT_EQ(state.step, kSteps / 2);
  EXPECT_EQ(state.data_batch, 2);
  EXPECT_EQ(state.metadata.at("note"), "halfway");
  second_half.restore(state);
  second_half.train(kSteps - kSteps / 2);

  auto a = straight.model.named_parameters(), b = second_half.model.named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same_bytes(a[i].second, b[i].second)) << a[i].first;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(straight.optimizer.state(i).step, second_half.optimizer.state(i).step);
    EXPECT_TRUE(same_bytes(straight.optimizer.state(i).exp_avg_sq, second_half.optimizer.state(i).exp_avg_sq));
  }
}

TEST_F(CheckpointTest, AdamWithAmsgradRoundTripsItsStateAndOptions) {
  manual_seed(2);
  llm::GPTModel model(kConfig);
  optim::Adam adam(model.parameters(), {.lr = 0.01, .betas = {0.8, 0.9}, .amsgrad = true});
  Tensor ids = tensor(std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}, {1, 8});
  cross_entropy(model(ids).flatten(0, 1), ids.flatten()).backward();
  adam.step();
  llm::save_checkpoint(path("adam.safetensors"), model, adam, {1, {}, 0, {{"losses", tensor({1.5, 2.5})}}, {}});

  manual_seed(3);
  llm::GPTModel fresh(kConfig);
  optim::Adam fresh_adam(fresh.parameters());  // default options, which the load replaces
  llm::TrainingState s = llm::load_checkpoint(path("adam.safetensors"), fresh, fresh_adam);
  EXPECT_EQ(fresh_adam.param_groups()[0].options.lr, 0.01);
  EXPECT_EQ(fresh_adam.param_groups()[0].options.betas.first, 0.8);
  EXPECT_TRUE(fresh_adam.param_groups()[0].options.amsgrad);
  EXPECT_TRUE(same_bytes(fresh_adam.state(0).max_exp_avg_sq, adam.state(0).max_exp_avg_sq));
  EXPECT_TRUE(same_bytes(fresh.out_head->weight, model.out_head->weight));
  ASSERT_EQ(s.extra.size(), 1u);
  EXPECT_EQ(s.extra[0].first, "losses");
  EXPECT_TRUE(same_bytes(s.extra[0].second, tensor({1.5, 2.5})));
}

TEST_F(CheckpointTest, GeneratorStateRoundTripsWithTheCachedNormal) {
  manual_seed(3);
  (void)randn({1});  // caches the second Box-Muller value
  GeneratorState saved = get_rng_state();
  Tensor want = randn({5}), want_more = rand({20});
  manual_seed(4);
  set_rng_state(saved);
  EXPECT_TRUE(same_bytes(randn({5}), want));
  EXPECT_TRUE(same_bytes(rand({20}), want_more));
  saved.index = 625;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { set_rng_state(saved); }, {"set_state", "625", "[0, 624]"}));
}

TEST_F(CheckpointTest, DataLoaderResumeChecksItsOrderAndBatch) {
  TrainingRun run(1);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { run.loader.resume({0, 1, 2}, 0); },
                                                 {"DataLoader::resume", "3 indices", "not a permutation", "16 windows"}));
  std::vector<int64_t> order(16);
  for (int64_t i = 0; i < 16; ++i) order[static_cast<std::size_t>(i)] = i;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { run.loader.resume(order, 7); }, {"batch 7", "[0, 6]"}));
  order[3] = 4;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { run.loader.resume(order, 0); }, {"not a permutation"}));
}

TEST_F(CheckpointTest, AMissingTruncatedOrCorruptedFileIsRefusedNamingFileAndTensor) {
  const std::string p = path("ck.safetensors");
  TrainingRun target(9);
  const Tensor before = target.model.tok_emb->weight.clone();
  auto load = [&] { llm::load_checkpoint(p, target.model, target.optimizer); };

  EXPECT_TRUE(throws_with<std::runtime_error>(load, {p, "cannot open"}));

  save_small(p);
  const auto size = std::filesystem::file_size(p);
  std::string bytes(size, '\0');
  std::ifstream(p, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
  auto write = [&](const std::string& b) { std::ofstream(p, std::ios::binary | std::ios::trunc) << b; };

  write(bytes.substr(0, size / 2));
  EXPECT_TRUE(throws_with<std::runtime_error>(load, {p, "tensor '", "truncated"}));

  // The last tensor is data.batch (8 bytes): flip a bit of it.
  std::string flipped = bytes;
  flipped[size - 8] = static_cast<char>(flipped[size - 8] ^ 1);
  write(flipped);
  EXPECT_TRUE(throws_with<std::runtime_error>(load, {p, "tensor 'data.batch'", "checksum", "corrupted"}));

  std::string bad_header = bytes;
  bad_header[8] = '[';  // the JSON header's opening brace
  write(bad_header);
  EXPECT_TRUE(throws_with<std::runtime_error>(load, {p, "not valid JSON"}));

  save_safetensors(p, {{"w", zeros({2})}});
  EXPECT_TRUE(throws_with<std::runtime_error>(load, {p, "not a minigrad training checkpoint"}));

  EXPECT_TRUE(same_bytes(target.model.tok_emb->weight, before));  // every failed load left it alone
}

TEST_F(CheckpointTest, AWrongShapeOrDtypeIsRefusedNamingTheTensor) {
  const std::string p = path("ck.safetensors");
  save_small(p);
  llm::GPTConfig wider = kConfig;
  wider.emb_dim = 32;
  TrainingRun other(1, wider);
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { llm::load_checkpoint(p, other.model, other.optimizer); },
                                              {"load_checkpoint", p, "tensor 'model.tok_emb.weight'",
                                               "has shape [64, 16], expected [64, 32]"}));

  manual_seed(1);
  llm::GPTModel f64(kConfig);
  f64.to(DType::Float64);
  optim::AdamW f64_opt(f64.parameters());
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { llm::load_checkpoint(p, f64, f64_opt); },
                                              {p, "tensor 'model.tok_emb.weight'", "has dtype", "expected"}));

  llm::GPTModel same(kConfig);
  optim::Adam adam(same.parameters());
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { llm::load_checkpoint(p, same, adam); },
                                              {p, "saved by AdamW, not Adam"}));
}

}  // namespace
}  // namespace minigrad

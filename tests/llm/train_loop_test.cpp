// The book's chapter 5 training loop, draw for draw, against PyTorch 1.13 (tests/fixtures/
// train_loop.txt, written by tools/make_train_loop_fixtures.py): a reduced GPT with dropout,
// a shuffled DataLoader, AdamW and clip_grad_norm_ for 20 steps give PyTorch's losses, and
// llm::generate's sampled continuation of the trained model gives PyTorch's ids. Also: a
// W3-shaped GPT (bench/workloads.cpp) trained with AdamW gives the same bits at 1, 2 and 4 threads.
// Not a test of one source file: of llm/, optim/ and nn/ together, as the book uses them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/llm.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "tests/core/kernels/threads.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::Fixture;

// tools/make_train_loop_fixtures.py's CONFIG, SEED, BATCH_SIZE, STEPS, GEN_SEED.
constexpr llm::GPTConfig kConfig{96, 16, 32, 2, 2, 0.1, false};
constexpr uint64_t kSeed = 123;
constexpr int64_t kBatchSize = 4;
constexpr int64_t kSteps = 20;
constexpr uint64_t kGenSeed = 7;

// The book's calc_loss_batch: the mean cross-entropy of every position's next-token logits.
Tensor calc_loss_batch(const Tensor& input_batch, const Tensor& target_batch, llm::GPTModel& model) {
  Tensor logits = model(input_batch);                                      // (B, T, V)
  return cross_entropy(logits.flatten(0, 1), target_batch.flatten());  // (B*T, V) against (B*T)
}

double relative_difference(double ours, double torch) { return std::fabs(ours - torch) / std::fabs(torch); }

TEST(TrainLoop, TwentyStepsOfChapter5GiveTorchsLossesAndSample) {
  const Fixture& f = Fixture::get("train_loop.txt");
  Tensor ids_tensor = f["ids"];
  std::vector<int64_t> ids(ids_tensor.data_ptr<int64_t>(), ids_tensor.data_ptr<int64_t>() + ids_tensor.numel());

  manual_seed(kSeed);
  llm::GPTModel model(kConfig);
  optim::AdamW optimizer(model.parameters(), {.lr = 0.0004, .weight_decay = 0.1});
  llm::DataLoader loader(llm::GPTDataset(ids, kConfig.context_length, kConfig.context_length), kBatchSize,
                         /*shuffle=*/true, /*drop_last=*/true);
  ASSERT_EQ(loader.size(), 6);  // 24 windows: 20 steps are three passes and two batches of a fourth

  std::vector<double> losses, norms;
  while (static_cast<int64_t>(losses.size()) < kSteps) {
    model.train();
    for (auto [input_batch, target_batch] : loader) {  // each pass draws the loader's seeds
      optimizer.zero_grad();
      Tensor loss = calc_loss_batch(input_batch, target_batch, model);  // draws the dropout masks
      loss.backward();
      norms.push_back(nn::utils::clip_grad_norm_(model.parameters(), 1.0).item_double());
      optimizer.step();
      losses.push_back(loss.item_double());
      if (static_cast<int64_t>(losses.size()) == kSteps) break;
    }
  }

  Tensor torch_losses = f["losses"], torch_norms = f["grad_norms"];
  double max_loss_diff = 0, max_norm_diff = 0;
  for (int64_t i = 0; i < kSteps; ++i) {
    const double loss_diff = relative_difference(losses[i], testing::element(torch_losses, i));
    const double norm_diff = relative_difference(norms[i], testing::element(torch_norms, i));
    EXPECT_LE(loss_diff, 1e-5) << "step " << i << ": loss " << losses[i] << ", torch's "
                               << testing::element(torch_losses, i);
    EXPECT_LE(norm_diff, 1e-4) << "step " << i << ": gradient norm " << norms[i] << ", torch's "
                               << testing::element(torch_norms, i);
    max_loss_diff = std::max(max_loss_diff, loss_diff);
    max_norm_diff = std::max(max_norm_diff, norm_diff);
  }
  RecordProperty("max_relative_loss_difference", std::to_string(max_loss_diff));
  std::printf("max relative difference: loss %.3g, gradient norm %.3g\n", max_loss_diff, max_norm_diff);
  // The loop consumed exactly PyTorch's draws: weights, 4 passes' seeds and permutations,
  // 20 forwards' dropout masks.
  EXPECT_TRUE(testing::bitwise_equal(rand({3}), f["rand_after"]));
  // The trained weights, first and last layer, as close as float32 training allows.
  for (const auto& [name, param] : model.named_parameters()) {
    if (!f.has("final." + name)) continue;
    EXPECT_TRUE(testing::all_close(param, f["final." + name], testing::Tolerance{.atol = 1e-5, .rtol = 1e-4}))
        << name;
  }

  model.eval();
  manual_seed(kGenSeed);
  Tensor generated = llm::generate(model, f["prompt"], 12, kConfig.context_length, /*temperature=*/1.4,
                                   /*top_k=*/25);
  EXPECT_TRUE(testing::bitwise_equal(generated, f["generated"])) << generated << "\nexpected\n" << f["generated"];
}

// bench/workloads.cpp's W3 step (no dropout, AdamW) on a smaller model whose loops still cross
// their threading thresholds (GEMMs, attention heads, layer_norm's backward blocks, AdamW on the
// (V, C) matrices): the losses and every parameter after four steps, as raw floats.
std::vector<float> train_w3_shaped(int threads) {
  kernels::testing_threads::Scoped scoped(threads);
  const llm::GPTConfig cfg{.vocab_size = 256, .context_length = 32, .emb_dim = 64, .n_heads = 4, .n_layers = 2,
                           .drop_rate = 0.0, .qkv_bias = false};
  manual_seed(123);
  llm::GPTModel model(cfg);
  optim::AdamW opt(model.parameters(), optim::AdamWOptions{.lr = 4e-4, .weight_decay = 0.1});
  Tensor ids = randint(0, cfg.vocab_size, {8, cfg.context_length});
  Tensor targets = randint(0, cfg.vocab_size, {8, cfg.context_length});
  std::vector<float> bits;
  for (int step = 0; step < 4; ++step) {
    Tensor loss = calc_loss_batch(ids, targets, model);
    loss.backward();
    opt.step();
    opt.zero_grad(true);
    bits.push_back(loss.item<float>());
  }
  for (const Tensor& p : model.parameters()) {
    const float* v = p.data_ptr<float>();
    bits.insert(bits.end(), v, v + p.numel());
  }
  return bits;
}

TEST(TrainLoop, GPTTrainingGivesTheSameBitsAtOneTwoAndFourThreads) {
  const std::vector<float> one = train_w3_shaped(1);
  ASSERT_LT(one[3], one[0]);  // it trained: the fourth loss is below the first
  for (int threads : {2, 4}) {
    EXPECT_TRUE(testing::bitwise_equal(one, train_w3_shaped(threads))) << "at " << threads << " threads";
  }
}

}  // namespace
}  // namespace minigrad

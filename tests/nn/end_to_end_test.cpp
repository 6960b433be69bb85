// The whole path at once, against PyTorch (tests/fixtures/nn_end_to_end.txt): a model
// Embedding(V, d) -> Linear(d, V) -> cross_entropy and its twin one_hot(ids) ->
// Linear(V, d, bias = false) -> Linear(d, V), both built after torch's seed and trained
// 50 steps with SGD (momentum, weight decay) on the same batches. The loss trajectories
// and final weights must match torch's within 1e-5, so init, forward, backward and update
// are checked together; and every step the two models must agree with each other.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/core.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
namespace F = nn::functional;

const testing::Fixture& fx() { return testing::Fixture::get("nn_end_to_end.txt"); }

// Token ids at the given positions of the stream, shifted by `offset` (1 gives the next tokens).
Tensor gather(const Tensor& stream, const Tensor& starts, int64_t step, int64_t offset) {
  int64_t B = starts.sizes()[1];
  std::vector<int64_t> out(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b)
    out[static_cast<size_t>(b)] = stream.data_ptr<int64_t>()[starts.data_ptr<int64_t>()[step * B + b] + offset];
  return tensor(out);
}

TEST(NnEndToEnd, TwinModelsTrainLikeTorchFor50Steps) {
  const int64_t* sz = fx()["sizes"].data_ptr<int64_t>();
  int64_t V = sz[0], d = sz[1], seed = sz[2], steps = sz[3];
  const double* cfg = fx()["config"].data_ptr<double>();
  optim::SGDOptions options{.lr = cfg[0], .momentum = cfg[1], .weight_decay = cfg[2]};
  Tensor stream = fx()["stream"], starts = fx()["starts"];

  manual_seed(static_cast<uint64_t>(seed));
  nn::Embedding emb(V, d);
  nn::Linear head(d, V);
  ASSERT_TRUE(all_close(emb.weight, fx()["init_emb"], {.atol = 1e-7, .rtol = 1e-6}));
  ASSERT_TRUE(all_close(head.weight, fx()["init_head_w"], {.atol = 1e-7, .rtol = 1e-6}));
  ASSERT_TRUE(all_close(head.bias, fx()["init_head_b"], {.atol = 1e-7, .rtol = 1e-6}));

  // The twin starts where the model starts: its (d, V) weight is the embedding transposed.
  nn::Linear twin(V, d, false), twin_head(d, V);
  {
    NoGradGuard no_grad;
    twin.weight.copy_(emb.weight.t());
    twin_head.weight.copy_(head.weight);
    twin_head.bias.copy_(head.bias);
  }
  std::vector<Tensor> params = emb.parameters(), twin_params = twin.parameters();
  for (const Tensor& p : head.parameters()) params.push_back(p);
  for (const Tensor& p : twin_head.parameters()) twin_params.push_back(p);
  optim::SGD opt(params, options), opt_twin(twin_params, options);

  std::vector<float> losses, twin_losses;
  for (int64_t k = 0; k < steps; ++k) {
    SCOPED_TRACE("step " + std::to_string(k));
    Tensor ids = gather(stream, starts, k, 0), targets = gather(stream, starts, k, 1);
    opt.zero_grad();
    Tensor logits = head(emb(ids));
    Tensor loss = F::cross_entropy(logits, targets);
    loss.backward();
    opt_twin.zero_grad();
    Tensor twin_logits = twin_head(twin(F::one_hot(ids, V).to(DType::Float32)));
    Tensor twin_loss = F::cross_entropy(twin_logits, targets);
    twin_loss.backward();
    // The two models compute the same function and the same gradients.
    ASSERT_TRUE(all_close(logits, twin_logits, {.atol = 1e-5}));
    ASSERT_TRUE(all_close(emb.weight.grad(), twin.weight.grad().t(), {.atol = 1e-5}));
    ASSERT_TRUE(all_close(head.weight.grad(), twin_head.weight.grad(), {.atol = 1e-5}));
    if (k == 0) {
      EXPECT_TRUE(all_close(emb.weight.grad(), fx()["step0_emb_grad"], {.atol = 1e-6, .rtol = 1e-5}));
      EXPECT_TRUE(all_close(twin.weight.grad(), fx()["step0_twin_grad"], {.atol = 1e-6, .rtol = 1e-5}));
    }
    opt.step();
    opt_twin.step();
    ASSERT_TRUE(all_close(emb.weight, twin.weight.t(), {.atol = 1e-5}));
    losses.push_back(loss.item<float>());
    twin_losses.push_back(twin_loss.item<float>());
  }
  EXPECT_TRUE(all_close(tensor(losses), fx()["losses"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(tensor(twin_losses), fx()["twin_losses"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(emb.weight, fx()["final_emb"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(head.weight, fx()["final_head_w"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(head.bias, fx()["final_head_b"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(twin.weight, fx()["final_twin_w"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(twin_head.weight, fx()["final_twin_head_w"], {.atol = 1e-5}));
  EXPECT_TRUE(all_close(twin_head.bias, fx()["final_twin_head_b"], {.atol = 1e-5}));
  // Training did something: the last losses are below the first.
  EXPECT_LT(losses.back(), losses.front());
}

}  // namespace
}  // namespace minigrad

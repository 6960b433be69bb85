// Whole training runs give the same bits at 1, 2, 3 and 4 threads: every kernel
// reduces each output element in one fixed order and no float is added atomically.
// The model (embedding -> matmul -> cross_entropy, hand-written SGD) is sized so that
// the GEMM, the loss, softmax and the embedding scatter all cross their threading thresholds.
#include <gtest/gtest.h>

#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "core/tensor.h"
#include "tests/core/kernels/threads.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;

struct TrainingRun {
  std::vector<float> losses, emb, out;
};

std::vector<float> bits_of(const Tensor& t) {
  const float* p = t.data_ptr<float>();
  return std::vector<float>(p, p + t.numel());
}

TrainingRun train(int threads) {
  kernels::testing_threads::Scoped scoped(threads);
  const int64_t V = 300, C = 64, P = 512;
  manual_seed(7);
  Tensor emb = randn({V, C}).requires_grad_();
  Tensor out = (randn({C, V}) * 0.1).detach().requires_grad_();
  Tensor ids = (rand({P}) * static_cast<double>(V)).to(DType::Int64);
  Tensor targets = (rand({P}) * static_cast<double>(V)).to(DType::Int64);
  TrainingRun run;
  for (int step = 0; step < 4; ++step) {
    Tensor h = embedding(emb, ids);                             // (P, C)
    Tensor logits = h.matmul(out);                              // (P, V)
    Tensor loss = cross_entropy(logits, targets) + log_softmax(logits, 1).mean() * 0.01 +
                  softmax(h.t().matmul(h), 0).sum(1).mean();    // extra terms reach more kernels
    loss.backward();
    run.losses.push_back(loss.item<float>());
    NoGradGuard no_grad;
    emb.sub_(emb.grad(), 0.5);
    out.sub_(out.grad(), 0.5);
    emb.set_grad(Tensor());
    out.set_grad(Tensor());
  }
  run.emb = bits_of(emb);
  run.out = bits_of(out);
  return run;
}

TEST(KernelsTestDeterminism, TrainingIsBitIdenticalAtAnyThreadCount) {
  TrainingRun one = train(1);
  ASSERT_EQ(one.losses.size(), 4u);
  EXPECT_LT(one.losses.back(), one.losses.front());  // it trained: the loss went down
  for (int threads : {2, 3, 4}) {
    TrainingRun other = train(threads);
    EXPECT_TRUE(bitwise_equal(one.losses, other.losses)) << "losses differ at " << threads << " threads";
    EXPECT_TRUE(bitwise_equal(one.emb, other.emb)) << "embedding differs at " << threads << " threads";
    EXPECT_TRUE(bitwise_equal(one.out, other.out)) << "output weights differ at " << threads << " threads";
  }
}

}  // namespace
}  // namespace minigrad

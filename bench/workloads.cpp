// Whole training steps and the embedding-vs-one-hot comparison, timed per step.
// Built from core ops only (embedding, matmul, cross_entropy, in-place SGD under
// NoGradGuard) so it measures the engine, not nn/ or optim/. bench/torch_workloads.py
// runs the same steps in PyTorch; bench/compare prints the two side by side.
//   W1  Embedding(6, 3) -> Linear(3, 6) -> cross_entropy, batch 4, SGD lr 0.1
//   W2  bigram: Embedding(1024, 64) -> Linear(64, 1024) -> cross_entropy, 512 tokens, SGD momentum 0.9
//   W5  Embedding(V, 256) on 1024 ids vs one_hot(ids, V).to(float) @ W, forward + backward
// Linear keeps its weight as (in, out) here so x W needs no transpose copy; torch's
// Linear does the same product with a transposed-operand GEMM call.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "core/tensor.h"

namespace {

using namespace minigrad;

Tensor random_ids(int64_t n, int64_t V) { return (rand({n}) * static_cast<double>(V)).to(DType::Int64); }

// A step of plain or momentum SGD on each parameter, then zero_grad (set_to_none).
void sgd_step(std::vector<Tensor>& params, std::vector<Tensor>& bufs, double lr, double momentum) {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    Tensor g = params[i].grad();
    if (momentum != 0) {
      if (!bufs[i].defined()) bufs[i] = g.clone();
      else bufs[i].mul_(momentum).add_(g);
      g = bufs[i];
    }
    params[i].sub_(g, lr);
    params[i].set_grad(Tensor());
  }
}

void embedding_linear_step(benchmark::State& state, int64_t V, int64_t C, int64_t batch, double lr,
                           double momentum) {
  manual_seed(0);
  Tensor emb = randn({V, C}).requires_grad_();
  Tensor w = (randn({C, V}) * 0.1).detach().requires_grad_();
  Tensor b = zeros({V}).requires_grad_();
  Tensor ids = random_ids(batch, V), targets = random_ids(batch, V);
  std::vector<Tensor> params = {emb, w, b}, bufs(3);
  for (auto _ : state) {
    Tensor loss = cross_entropy(embedding(emb, ids).matmul(w) + b, targets);
    loss.backward();
    sgd_step(params, bufs, lr, momentum);
    benchmark::DoNotOptimize(loss.impl());
  }
}

void BM_W1_toy_step(benchmark::State& state) { embedding_linear_step(state, 6, 3, 4, 0.1, 0.0); }
BENCHMARK(BM_W1_toy_step)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_W2_bigram_step(benchmark::State& state) { embedding_linear_step(state, 1024, 64, 512, 0.1, 0.9); }
BENCHMARK(BM_W2_bigram_step)->Unit(benchmark::kMicrosecond)->UseRealTime();

// out = W[ids] (1024, 256); loss = out.sum(); backward.
void BM_W5_embedding(benchmark::State& state) {
  int64_t V = state.range(0);
  manual_seed(0);
  Tensor w = randn({V, 256}).requires_grad_();
  Tensor ids = random_ids(1024, V);
  for (auto _ : state) {
    embedding(w, ids).sum().backward();
    w.set_grad(Tensor());
  }
}
BENCHMARK(BM_W5_embedding)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The same rows picked by a (1024, V) one-hot matrix product: O(V) work per id.
void BM_W5_one_hot(benchmark::State& state) {
  int64_t V = state.range(0);
  manual_seed(0);
  Tensor w = randn({V, 256}).requires_grad_();
  Tensor ids = random_ids(1024, V);
  for (auto _ : state) {
    one_hot(ids, V).to(DType::Float32).matmul(w).sum().backward();
    w.set_grad(Tensor());
  }
}
BENCHMARK(BM_W5_one_hot)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

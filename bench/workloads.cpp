// Whole training steps and the embedding-vs-one-hot comparison, timed per step.
// W1 and W2 are the model bench/torch_workloads.py runs in PyTorch, layer for layer
// (nn::Embedding, nn::Linear, optim::SGD, zero_grad set_to_none); bench/compare prints
// the two side by side.
//   W1  Embedding(6, 3) -> Linear(3, 6) -> cross_entropy, batch 4, SGD lr 0.1
//   W2  bigram: Embedding(1024, 64) -> Linear(64, 1024) -> cross_entropy, 512 tokens, SGD momentum 0.9
//   W5  Embedding(V, 256) on 1024 ids vs one_hot(ids, V).to(float) @ W, forward + backward
//   softmax_rows, log_softmax_rows: (512, 1024) over the last dim, forward + backward
//   exp, tanh, gelu_tanh: 2^20 float32 values, forward
#include <benchmark/benchmark.h>

#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "core/tensor.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "optim/sgd.h"

namespace {

using namespace minigrad;

Tensor random_ids(int64_t n, int64_t V) { return (rand({n}) * static_cast<double>(V)).to(DType::Int64); }

void embedding_linear_step(benchmark::State& state, int64_t V, int64_t C, int64_t batch, double lr,
                           double momentum) {
  manual_seed(0);
  nn::Embedding emb(V, C);
  nn::Linear lin(C, V);
  std::vector<Tensor> params = emb.parameters();
  for (const Tensor& p : lin.parameters()) params.push_back(p);
  optim::SGD opt(params, optim::SGDOptions{lr, momentum});
  Tensor ids = random_ids(batch, V), targets = random_ids(batch, V);
  for (auto _ : state) {
    Tensor loss = cross_entropy(lin(emb(ids)), targets);
    loss.backward();
    opt.step();
    opt.zero_grad(true);
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

// softmax / log_softmax over the last dim of (512, 1024) float32 logits, forward and
// backward with a given upstream gradient: the attention / logits shape.
void softmax_step(benchmark::State& state, bool log) {
  manual_seed(0);
  Tensor x = randn({512, 1024}).requires_grad_(), g = randn({512, 1024});
  for (auto _ : state) {
    Tensor y = log ? x.log_softmax(-1) : x.softmax(-1);
    y.backward(g);
    x.set_grad(Tensor());
  }
}
void BM_softmax_rows(benchmark::State& state) { softmax_step(state, false); }
void BM_log_softmax_rows(benchmark::State& state) { softmax_step(state, true); }
BENCHMARK(BM_softmax_rows)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_log_softmax_rows)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Elementwise float32 functions the compiler cannot vectorise from libm, on 2^20 values
// (a GPT MLP's hidden activations are a few million): forward only, output allocated.
void elementwise(benchmark::State& state, Tensor (*f)(const Tensor&)) {
  manual_seed(0);
  Tensor x = randn({1 << 20});
  for (auto _ : state) {
    Tensor y = f(x);
    benchmark::DoNotOptimize(y.impl());
  }
}
void BM_exp(benchmark::State& state) { elementwise(state, [](const Tensor& x) { return x.exp(); }); }
void BM_tanh(benchmark::State& state) { elementwise(state, [](const Tensor& x) { return x.tanh(); }); }
void BM_gelu_tanh(benchmark::State& state) { elementwise(state, [](const Tensor& x) { return gelu(x, "tanh"); }); }
BENCHMARK(BM_exp)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_tanh)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_gelu_tanh)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

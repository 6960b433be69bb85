// The fused layers a GPT-2 block spends its time in, forward + backward, timed per step;
// bench/torch_workloads.py runs the same in PyTorch 1.13 (its F.layer_norm, its composite
// attention: matmul, masked_fill, softmax, matmul; F.dropout) and bench/compare prints both.
//   layer_norm        (8, 256, 768) over the last dim, with weight and bias
//   attention/T       causal, batch 1, 12 heads, head dim 64 (GPT-2 small), T = 256 and 1024:
//                     scaled_dot_product_attention (fused) and the composite of ops it replaces
//   dropout           p = 0.1 on (8, 256, 768), training mode
#include <benchmark/benchmark.h>

#include <cmath>

#include "core/autograd.h"
#include "core/random.h"
#include "core/tensor.h"

namespace {

using namespace minigrad;

void BM_layer_norm(benchmark::State& state) {
  manual_seed(0);
  Tensor x = randn({8, 256, 768}).requires_grad_(), g = randn({8, 256, 768});
  Tensor w = randn({768}).requires_grad_(), b = randn({768}).requires_grad_();
  for (auto _ : state) {
    layer_norm(x, {768}, w, b).backward(g);
    for (Tensor* t : {&x, &w, &b}) t->set_grad(Tensor());
  }
}
BENCHMARK(BM_layer_norm)->Unit(benchmark::kMicrosecond)->UseRealTime();

// q, k, v (1, 12, T, 64) that require grad, and an upstream gradient.
struct Heads {
  Tensor q, k, v, g;
  explicit Heads(int64_t T) {
    manual_seed(0);
    q = randn({1, 12, T, 64}).requires_grad_(), k = randn({1, 12, T, 64}).requires_grad_();
    v = randn({1, 12, T, 64}).requires_grad_(), g = randn({1, 12, T, 64});
  }
  void clear() {
    for (Tensor* t : {&q, &k, &v}) t->set_grad(Tensor());
  }
};

void BM_attention(benchmark::State& state) {
  Heads h(state.range(0));
  for (auto _ : state) {
    scaled_dot_product_attention(h.q, h.k, h.v, {}, 0.0, /*is_causal=*/true).backward(h.g);
    h.clear();
  }
}
BENCHMARK(BM_attention)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The same attention from ops, as the book and nanoGPT write it: (T, T) scores stored.
void BM_attention_composite(benchmark::State& state) {
  const int64_t T = state.range(0);
  Heads h(T);
  Tensor future = triu(ones({T, T}), 1).to(DType::Bool);
  for (auto _ : state) {
    Tensor att = h.q.matmul(h.k.transpose(-2, -1)) * (1.0 / std::sqrt(64.0));  // (1, 12, T, T)
    att = att.masked_fill(future, -INFINITY).softmax(-1);
    att.matmul(h.v).backward(h.g);
    h.clear();
  }
}
BENCHMARK(BM_attention_composite)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_dropout(benchmark::State& state) {
  manual_seed(0);
  Tensor x = randn({8, 256, 768}).requires_grad_(), g = randn({8, 256, 768});
  for (auto _ : state) {
    dropout(x, 0.1, true).backward(g);
    x.set_grad(Tensor());
  }
}
BENCHMARK(BM_dropout)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

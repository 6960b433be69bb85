// What the autograd layer costs per op, apart from arithmetic: a chain of 100 tiny
// (4-element) ops, recorded into a graph, then the same chain with backward, and
// with recording off. ns per op = time / 100. bench/torch_workloads.py times the same chain.
#include <benchmark/benchmark.h>

#include "core/autograd.h"
#include "core/tensor.h"

namespace {

using namespace minigrad;

constexpr int kChain = 100;

Tensor chain(const Tensor& x) {
  Tensor y = x;
  for (int i = 0; i < kChain / 2; ++i) y = (y * 1.0001) + 0.5;  // two recorded ops per turn
  return y;
}

void BM_overhead_forward_recorded(benchmark::State& state) {
  Tensor x = ones({4}).requires_grad_();
  for (auto _ : state) benchmark::DoNotOptimize(chain(x).impl());
  state.counters["ns_per_op"] = benchmark::Counter(kChain, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_overhead_forward_recorded)->UseRealTime();

void BM_overhead_forward_backward(benchmark::State& state) {
  Tensor x = ones({4}).requires_grad_();
  for (auto _ : state) {
    chain(x).sum().backward();
    x.set_grad(Tensor());
  }
  state.counters["ns_per_op"] = benchmark::Counter(kChain, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_overhead_forward_backward)->UseRealTime();

void BM_overhead_no_grad(benchmark::State& state) {
  Tensor x = ones({4}).requires_grad_();
  NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(chain(x).impl());
  state.counters["ns_per_op"] = benchmark::Counter(kChain, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_overhead_no_grad)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

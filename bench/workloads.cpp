// Whole training steps and the embedding-vs-one-hot comparison, timed per step.
// W1 and W2 are the model bench/torch_workloads.py runs in PyTorch, layer for layer
// (nn::Embedding, nn::Linear, optim::SGD, zero_grad set_to_none); bench/compare prints
// the two side by side.
//   W1  Embedding(6, 3) -> Linear(3, 6) -> cross_entropy, batch 4, SGD lr 0.1
//   W2  bigram: Embedding(1024, 64) -> Linear(64, 1024) -> cross_entropy, 512 tokens, SGD momentum 0.9
//   W5  Embedding(V, 256) on 1024 ids vs one_hot(ids, V).to(float) @ W, forward + backward
//   softmax_rows, log_softmax_rows: (512, 1024) over the last dim, forward + backward
//   cross_entropy_rows: cross_entropy of (512, 1024) logits, forward + backward
//   exp, tanh, gelu_tanh: 2^20 float32 values, forward
//   W3  "gpt-mini": llm::GPTModel vocab 512, context 64, dim 128, 4 layers, 4 heads, batch 8
//   W4  vocab 8192, context 256, dim 384, 6 layers, 6 heads, batch 4
//       both: dropout 0, no qkv bias, one full context of random ids, GPTModel::loss (the trunk,
//       then out_head + cross_entropy fused), backward, AdamW(lr 4e-4, weight_decay 0.1).step(),
//       zero_grad; counters: tokens/s, peak RSS of the process (run each alone:
//       --benchmark_filter=W3) and its RSS before the model
//   head_fused, head_composite: W4's output layer + loss, (1024, 384) rows against V = 8192
//       (/1024/384/8192), and W3's (/512/128/512): linear_cross_entropy vs
//       cross_entropy(linear(x, W), t), forward + backward; peak RSS: run each alone
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/random.h"
#include "core/tensor.h"
#include "nn/embedding.h"
#include "llm/gpt.h"
#include "nn/linear.h"
#include "optim/adam.h"
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

// cross_entropy on the same (512, 1024) logits (the fused row kernels of core/kernels/loss.h),
// forward and backward.
void BM_cross_entropy_rows(benchmark::State& state) {
  manual_seed(0);
  Tensor x = randn({512, 1024}).requires_grad_(), t = random_ids(512, 1024);
  for (auto _ : state) {
    cross_entropy(x, t).backward();
    x.set_grad(Tensor());
  }
}
BENCHMARK(BM_cross_entropy_rows)->Unit(benchmark::kMicrosecond)->UseRealTime();

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

// This process's resident memory now (VmRSS) and at its peak (ru_maxrss), in MiB.
double rss_now_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}
double rss_peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void gpt_step(benchmark::State& state, llm::GPTConfig cfg, int64_t batch) {
  static const double rss_before = rss_now_mib();  // once: later runs find the block cache filled
  manual_seed(123);
  llm::GPTModel model(cfg);
  model.train();
  optim::AdamW opt(model.parameters(), optim::AdamWOptions{.lr = 4e-4, .weight_decay = 0.1});
  Tensor ids = random_ids(batch * cfg.context_length, cfg.vocab_size).view({batch, cfg.context_length});
  Tensor targets = random_ids(batch * cfg.context_length, cfg.vocab_size).view({batch, cfg.context_length});
  auto step = [&] {
    Tensor loss = model.loss(ids, targets);  // = cross_entropy(model(ids).flatten(0, 1), targets.flatten())
    loss.backward();
    opt.step();
    opt.zero_grad(true);
    return loss;
  };
  step();  // untimed: AdamW's state, first touch of every buffer
  for (auto _ : state) benchmark::DoNotOptimize(step().impl());
  state.counters["tokens_per_s"] =
      benchmark::Counter(static_cast<double>(batch * cfg.context_length), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rss_before_MiB"] = rss_before;
  state.counters["peak_rss_MiB"] = rss_peak_mib();
}

void BM_W3_gpt_mini_step(benchmark::State& state) {
  gpt_step(state, {.vocab_size = 512, .context_length = 64, .emb_dim = 128, .n_heads = 4, .n_layers = 4,
                   .drop_rate = 0.0, .qkv_bias = false}, 8);
}
BENCHMARK(BM_W3_gpt_mini_step)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_W4_gpt_step(benchmark::State& state) {
  gpt_step(state, {.vocab_size = 8192, .context_length = 256, .emb_dim = 384, .n_heads = 6, .n_layers = 6,
                   .drop_rate = 0.0, .qkv_bias = false}, 4);
}
BENCHMARK(BM_W4_gpt_step)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// The output layer and the loss alone: x (N, C), W (V, C), targets (N); forward + backward.
void head_step(benchmark::State& state, bool fused) {
  const int64_t N = state.range(0), C = state.range(1), V = state.range(2);
  manual_seed(0);
  Tensor x = randn({N, C}).requires_grad_(), w = (randn({V, C}) * 0.05).requires_grad_();
  Tensor targets = random_ids(N, V);
  for (auto _ : state) {
    Tensor loss = fused ? linear_cross_entropy(x, w, targets) : cross_entropy(linear(x, w), targets);
    loss.backward();
    x.set_grad({}), w.set_grad({});  // set_to_none, as the optimizers' zero_grad(true)
    benchmark::DoNotOptimize(loss.impl());
  }
  state.counters["peak_rss_MiB"] = rss_peak_mib();
}
void BM_head_fused(benchmark::State& state) { head_step(state, true); }
void BM_head_composite(benchmark::State& state) { head_step(state, false); }
BENCHMARK(BM_head_fused)->Args({1024, 384, 8192})->Args({512, 128, 512})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_head_composite)->Args({1024, 384, 8192})->Args({512, 128, 512})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

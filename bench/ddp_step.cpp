// bench/ddp_step: data-parallel GPT training steps under mpirun, timed. bench/ddp_scaling
// runs it on 1 and 2 ranks and prints the table; run alone it prints one JSON line (rank 0):
//   mpirun -np 2 build/bench/ddp_step --batch 8 --ctx 64 --steps 4 --mode overlap
// Every rank builds the same GPT (rank 0's weights, broadcast), takes its share of the same
// global batch of random token ids, and each step is forward, backward, the gradient
// average (--mode after: Reducer without overlap, i.e. all_reduce_gradients once the
// backward is over; overlap: buckets start during the backward), AdamW. The first step is a
// warm-up; the medians of the others are printed. Not a test: nothing is checked here.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/core.h"
#include "distributed/distributed.h"
#include "llm/llm.h"
#include "nn/nn.h"
#include "optim/optim.h"

using namespace minigrad;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  distributed::Guard guard(argc, argv);
  const int rank = distributed::rank(), ranks = distributed::world_size();
  // GPT-shaped by default: GPT-2's vocabulary, a narrow and shallow body (the 124M model's
  // step takes minutes on two shared cores); --emb 768 --heads 12 --layers 12 --ctx 1024 is it.
  llm::GPTConfig cfg{.vocab_size = 50257, .context_length = 64, .emb_dim = 128, .n_heads = 4, .n_layers = 2,
                     .drop_rate = 0.0, .qkv_bias = false};
  int64_t batch = 8, steps = 4;
  std::string mode = "overlap";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int64_t v = std::atoll(argv[i + 1]);
    if (flag == "--batch") batch = v;
    else if (flag == "--ctx") cfg.context_length = v;
    else if (flag == "--emb") cfg.emb_dim = v;
    else if (flag == "--heads") cfg.n_heads = v;
    else if (flag == "--layers") cfg.n_layers = v;
    else if (flag == "--vocab") cfg.vocab_size = v;
    else if (flag == "--steps") steps = v;
    else if (flag == "--mode") mode = argv[i + 1];
    else {
      if (rank == 0) std::fprintf(stderr, "ddp_step: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (mode != "overlap" && mode != "after") {
    if (rank == 0) std::fprintf(stderr, "ddp_step: --mode is overlap or after, not %s\n", mode.c_str());
    return 2;
  }

  manual_seed(123);
  llm::GPTModel model(cfg);
  distributed::broadcast_parameters(model);
  optim::AdamW opt(model.parameters(), optim::AdamWOptions{.lr = 4e-4, .weight_decay = 0.1});
  distributed::Reducer reducer(model, {.overlap = mode == "overlap"});
  int64_t params = 0;
  for (const Tensor& p : model.parameters()) params += p.numel();

  std::vector<double> step_ms, compute_ms, wait_ms, opt_ms;
  for (int64_t step = 0; step < steps; ++step) {
    manual_seed(1000 + static_cast<uint64_t>(step));  // the same global batch on every rank
    Tensor x = distributed::shard(randint(cfg.vocab_size, {batch, cfg.context_length}));
    Tensor y = distributed::shard(randint(cfg.vocab_size, {batch, cfg.context_length}));
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now_ms();
    Tensor logits = model(x);  // (B/N, T, V)
    Tensor loss = nn::functional::cross_entropy(logits.flatten(0, 1), y.flatten());
    opt.zero_grad();
    loss.backward();
    const double t1 = now_ms();
    reducer.wait();
    const double t2 = now_ms();
    opt.step();
    double t[4] = {now_ms() - t0, t1 - t0, t2 - t1, now_ms() - t2};
    // The slowest rank sets the pace: each phase's maximum over the ranks.
    MPI_Allreduce(MPI_IN_PLACE, t, 4, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (step == 0) continue;  // warm-up: first allocations, first touch of the weights
    step_ms.push_back(t[0]), compute_ms.push_back(t[1]), wait_ms.push_back(t[2]), opt_ms.push_back(t[3]);
  }
  const char* threads = std::getenv("OMP_NUM_THREADS");
  const double tokens = static_cast<double>(batch * cfg.context_length);
  if (rank == 0)
    std::printf("{\"ranks\": %d, \"omp_threads\": \"%s\", \"mode\": \"%s\", \"global_batch\": %lld, \"ctx\": %lld, "
                "\"params\": %lld, \"grad_bytes\": %lld, \"step_ms\": %.2f, \"forward_backward_ms\": %.2f, "
                "\"wait_ms\": %.2f, \"optimizer_ms\": %.2f, \"tokens_per_s\": %.1f}\n",
                ranks, threads ? threads : "unset", mode.c_str(), static_cast<long long>(batch),
                static_cast<long long>(cfg.context_length), static_cast<long long>(params),
                static_cast<long long>(params * 4), median(step_ms), median(compute_ms), median(wait_ms),
                median(opt_ms), tokens / (median(step_ms) / 1000.0));
  return 0;
}

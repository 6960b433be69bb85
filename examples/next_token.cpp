// next_token: train a toy next-word model and watch the embedding learn.
// The model is Embedding(V, d) -> Linear(d, V) -> cross_entropy over a small word-level
// corpus, trained with SGD. Beside it, in lockstep, trains its twin
// one_hot(ids, V) -> Linear(V, d, bias = false) -> the same head: the same function
// written as a matrix product. Every step the two must agree (logits, loss, gradients,
// updated weights) within 1e-5, and the first step's embedding gradient is checked
// against float64 finite differences; any disagreement exits with status 1.
// What to look for: only the rows of ids in the batch receive gradient; the loss falls;
// at the end, each word's likeliest next words come from the corpus.
// Read top to bottom: the two models, then main's training loop. Flags, the corpus and
// the printing are in next_token_helpers.h.
// Not a language model: one word of context, no attention (that comes later).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/core.h"
#include "examples/next_token_helpers.h"
#include "nn/nn.h"
#include "optim/optim.h"

using namespace minigrad;
using namespace next_token;  // Config, Corpus, Agreement, the printing helpers
namespace F = nn::functional;

// [snippet model]
// The model: a word's vector, then a score for every possible next word.
// As a Module its parameters are listed, and labelled, "emb.weight", "head.weight", "head.bias".
struct NextWord : nn::Module {
  NextWord(int64_t V, int64_t d) {
    emb = register_module("emb", std::make_shared<nn::Embedding>(V, d));
    head = register_module("head", std::make_shared<nn::Linear>(d, V));
  }
  Tensor forward(const Tensor& ids) override { return head->forward(emb->forward(ids)); }  // (B) -> (B, V)
  std::shared_ptr<nn::Embedding> emb;
  std::shared_ptr<nn::Linear> head;
};
// [end model]

// The twin: the lookup written as one_hot(ids) @ W^T. It starts from a copy of the model's
// numbers (W = emb.weight^T, the head copied) and then trains on its own.
struct OneHotTwin : nn::Module {
  explicit OneHotTwin(const NextWord& m) : V(m.emb->num_embeddings) {
    proj = register_module("proj", std::make_shared<nn::Linear>(V, m.emb->embedding_dim, false));
    head = register_module("head", std::make_shared<nn::Linear>(m.emb->embedding_dim, V));
    NoGradGuard no_grad;
    proj->weight.copy_(m.emb->weight.t());  // (d, V): one_hot(id) @ W^T is column id of W = row id of the table
    head->weight.copy_(m.head->weight);
    head->bias.copy_(m.head->bias);
  }
  Tensor forward(const Tensor& ids) override {
    return head->forward(proj->forward(F::one_hot(ids, V).to(DType::Float32)));
  }
  int64_t V;
  std::shared_ptr<nn::Linear> proj, head;
};

// What the program checks above all: the gather's scatter-add backward against the matrix product's.
const char* kEmbeddingGradient = "embedding gradient vs the twin's one-hot weight gradient^T";

int main(int argc, char** argv) {
  const Config cfg = parse_args(argc, argv);
  const Corpus corpus = load_corpus(cfg);
  std::fprintf(stderr, "kernels: %s (the CPU level; MINIGRAD_CPU=portable|avx2|avx512 forces one)\n", minigrad::cpu_capability().c_str());
  const int64_t V = int64_t(corpus.vocab.size()), d = cfg.dim;
  const int64_t n_pairs = int64_t(corpus.ids.size()) - 1, B = std::min<int64_t>(cfg.batch, n_pairs);
  if (cfg.batch > n_pairs)
    std::printf("note: --batch %lld is more than the corpus's %lld (word, next word) pairs; each step uses all %lld\n",
                cfg.batch, (long long)n_pairs, (long long)n_pairs);

  // The model (drawn from the seed as torch.nn would draw it), its twin, an optimizer each.
  manual_seed(uint64_t(cfg.seed));
  NextWord model(V, d);
  OneHotTwin twin(model);
  optim::SGDOptions opts{.lr = cfg.lr, .momentum = cfg.momentum};
  optim::SGD opt(model.parameters(), opts), twin_opt(twin.parameters(), opts);

  // Every (word, next word) pair of the corpus, to measure the loss on all of it.
  Tensor all_x = tensor(std::vector<int64_t>(corpus.ids.begin(), corpus.ids.end() - 1));
  Tensor all_y = tensor(std::vector<int64_t>(corpus.ids.begin() + 1, corpus.ids.end()));
  auto corpus_loss = [&] {
    NoGradGuard no_grad;
    return F::cross_entropy(model(all_x), all_y).item<float>();
  };
  const double floor = bigram_floor(corpus.ids);
  const float first_loss = corpus_loss();
  if (!cfg.quiet) print_header(cfg, corpus, B, first_loss, floor);

  Agreement twins;
  Generator batches(uint64_t(cfg.seed));  // its own stream: batches do not depend on the model's draws
  const long long every = std::max(1LL, cfg.steps / 10);
  const auto t0 = std::chrono::steady_clock::now();
  for (long long step = 1; step <= cfg.steps; ++step) {
    // A batch of B (word, next word) pairs: x the ids read, y the ids that follow.
    std::vector<int64_t> bx(B), by(B);
    for (int64_t b = 0; b < B; ++b) {
      int64_t p = B == n_pairs ? b : int64_t(batches.random() % uint32_t(n_pairs));
      bx[b] = corpus.ids[p];
      by[b] = corpus.ids[p + 1];
    }
    Tensor x = tensor(bx), y = tensor(by);

    // [snippet step]
    opt.zero_grad();
    twin_opt.zero_grad();
    Tensor logits = model(x), twin_logits = twin(x);  // (B, V) each
    Tensor loss = F::cross_entropy(logits, y), twin_loss = F::cross_entropy(twin_logits, y);
    if (step == 1 && !cfg.dot_file.empty()) write_graph(loss, cfg.dot_file);
    {
      auto trace = trace_backward(step == 1 && cfg.trace);  // --trace: log the first backward
      loss.backward();
    }
    twin_loss.backward();

    // The two models are one function, so their numbers must agree. The embedding's
    // gradient is the twin's one-hot weight gradient, transposed: (V, d) vs (d, V).
    Tensor g_emb = model.emb->weight.grad();
    if (!twins.check(step, {{"logits", max_diff(logits, twin_logits)},
                            {"loss", std::fabs(loss.item<double>() - twin_loss.item<double>())},
                            {kEmbeddingGradient, max_diff(g_emb, twin.proj->weight.grad().t())},
                            {"head weight gradient", max_diff(model.head->weight.grad(), twin.head->weight.grad())},
                            {"head bias gradient", max_diff(model.head->bias.grad(), twin.head->bias.grad())}}))
      return 1;
    if (step == 1 && !(show_gradient_rows(g_emb, bx, corpus, cfg.quiet) &&
                       finite_difference_check(*model.emb, *model.head, g_emb, x, y, corpus, cfg.quiet)))
      return 1;

    opt.step();
    twin_opt.step();
    // [end step]
    if (!twins.check(step, {{"updated embedding vs the twin's weight^T", max_diff(model.emb->weight, twin.proj->weight.t())},
                            {"updated head weight", max_diff(model.head->weight, twin.head->weight)},
                            {"updated head bias", max_diff(model.head->bias, twin.head->bias)}}))
      return 1;

    if (!cfg.quiet && (step % every == 0 || step == 1 || step == cfg.steps)) {
      if (step == 1) print_bar_legend();
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      print_progress(step, cfg, loss.item<float>(), twin_loss.item<float>(), corpus_loss(), first_loss, floor,
                     double(step * B) / std::max(secs, 1e-9));
    }
  }

  std::printf("%scorpus loss %.4f -> %.4f after %lld steps (floor %.4f)\n", cfg.quiet ? "" : "\n", first_loss,
              corpus_loss(), cfg.steps, floor);
  twins.print_largest(kEmbeddingGradient);
  show_predictions(model, corpus);
  return 0;
}

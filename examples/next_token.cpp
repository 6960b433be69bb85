// next_token: train a toy next-word model and watch the embedding learn.
// The model is Embedding(V, d) -> Linear(d, V) -> cross_entropy over a small word-level
// corpus, trained with SGD. Beside it, in lockstep, trains its twin
// one_hot(ids, V) -> Linear(V, d, bias = false) -> the same head: the same function
// written as a matrix product. Every step the two must agree (logits, loss, gradients,
// updated weights) within 1e-5, and the first step's embedding gradient is checked
// against float64 finite differences; any disagreement exits with status 1.
// What to look for: only the rows of ids in the batch receive gradient; the loss falls;
// at the end, each word's likeliest next words come from the corpus.
// Not a language model: one word of context, no attention (that comes later).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"
#include "core/graph.h"
#include "nn/nn.h"
#include "optim/optim.h"

using namespace minigrad;
namespace F = nn::functional;

namespace {

const char* kCorpus =
    "the cat sat on the mat . the dog sat on the rug . "
    "the cat chased the mouse . the dog chased the cat . "
    "the mouse ran into the hole . a bird sang in the tree . "
    "the bird flew over the house . the children read a book . "
    "the children played in the garden . every morning the sun rises in the east . "
    "every evening the sun sets in the west .";

const double kTolerance = 1e-5;  // how far apart the twins' float32 numbers may be

struct Config {
  long long steps = 400, dim = 16, batch = 48;
  double lr = 0.05, momentum = 0.9;
  long long seed = 123;
  std::string corpus_file, dot_file;
  bool quiet = false, trace = false, timing = true;
};

const char* kUsage =
    "usage: next_token [--steps N] [--dim D] [--batch B] [--lr LR] [--momentum M] [--seed S]\n"
    "                  [--corpus FILE] [--quiet] [--no-timing] [--dot FILE] [--trace]\n"
    "  --steps N      SGD steps (default 400)\n"
    "  --dim D        embedding size (default 16)\n"
    "  --batch B      (word, next word) pairs per step (default 48)\n"
    "  --lr LR        learning rate (default 0.05)\n"
    "  --momentum M   SGD momentum (default 0.9)\n"
    "  --seed S       seed for the initial weights and the batches (default 123)\n"
    "  --corpus FILE  train on this text instead of the built-in sentences\n"
    "  --quiet        print only the summary\n"
    "  --no-timing    leave out tokens/s, so two runs print the same text\n"
    "  --dot FILE     write the first step's backward graph as Graphviz DOT\n"
    "  --trace        log each node of the first backward pass\n";

[[noreturn]] void usage_error(const std::string& why) {
  std::cerr << "next_token: " << why << "\n" << kUsage;
  std::exit(2);
}

// Parses argv; anything malformed ends the program with the usage text and status 2.
Config parse_args(int argc, char** argv) {
  Config c;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage_error(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  auto number = [&](int& i, double lo, bool whole) {
    std::string flag = argv[i], v = value(i);
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    bool ok = !v.empty() && *end == '\0' && std::isfinite(x) && x >= lo && (!whole || (x == std::floor(x) && x < 1e15));
    if (!ok) usage_error(flag + " expects " + (whole ? "a whole number" : "a number") + " >= " + std::to_string(int(lo)) + ", got \"" + v + "\"");
    return x;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps") c.steps = static_cast<long long>(number(i, 0, true));
    else if (a == "--dim") c.dim = static_cast<long long>(number(i, 1, true));
    else if (a == "--batch") c.batch = static_cast<long long>(number(i, 1, true));
    else if (a == "--lr") c.lr = number(i, 0, false);
    else if (a == "--momentum") c.momentum = number(i, 0, false);
    else if (a == "--seed") c.seed = static_cast<long long>(number(i, 0, true));
    else if (a == "--corpus") c.corpus_file = value(i);
    else if (a == "--dot") c.dot_file = value(i);
    else if (a == "--quiet") c.quiet = true;
    else if (a == "--trace") c.trace = true;
    else if (a == "--no-timing") c.timing = false;
    else if (a == "--help" || a == "-h") { std::cout << kUsage; std::exit(0); }
    else usage_error("unknown argument \"" + a + "\"");
  }
  return c;
}

// The text as token ids: lower-case words, each punctuation mark a word of its own;
// the vocabulary is the sorted distinct words (as the book builds it), an id its rank.
struct Corpus {
  std::vector<std::string> words, vocab;
  std::vector<int64_t> ids;
  std::map<std::string, int64_t> id_of;
};

Corpus tokenize(const std::string& text) {
  Corpus c;
  std::string cur;
  auto flush = [&] { if (!cur.empty()) c.words.push_back(cur), cur.clear(); };
  for (unsigned char ch : text) {
    if (std::isspace(ch)) flush();
    else if (std::ispunct(ch) && ch != '\'' && ch != '-') { flush(); c.words.emplace_back(1, static_cast<char>(ch)); }
    else cur += static_cast<char>(std::tolower(ch));
  }
  flush();
  c.vocab = c.words;
  std::sort(c.vocab.begin(), c.vocab.end());
  c.vocab.erase(std::unique(c.vocab.begin(), c.vocab.end()), c.vocab.end());
  for (std::size_t i = 0; i < c.vocab.size(); ++i) c.id_of[c.vocab[i]] = static_cast<int64_t>(i);
  for (const auto& w : c.words) c.ids.push_back(c.id_of[w]);
  return c;
}

// The floor no one-word-context model can go below: the entropy of the next word given
// this word, from the corpus's own counts, -mean_i log(count(w_i, w_i+1) / count(w_i)).
double bigram_floor(const std::vector<int64_t>& ids) {
  std::map<std::pair<int64_t, int64_t>, double> pairs;
  std::map<int64_t, double> firsts;
  std::size_t n = ids.size() - 1;
  for (std::size_t i = 0; i < n; ++i) pairs[{ids[i], ids[i + 1]}] += 1, firsts[ids[i]] += 1;
  double h = 0;
  for (std::size_t i = 0; i < n; ++i) h -= std::log(pairs[{ids[i], ids[i + 1]}] / firsts[ids[i]]) / double(n);
  return h;
}

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

// Largest |a - b| over two same-shaped float32 tensors.
double max_diff(const Tensor& a, const Tensor& b) {
  const float *x = a.data_ptr<float>(), *y = b.data_ptr<float>();
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(double(x[i]) - double(y[i])));
  return m;
}

// Names the first of `diffs` above the tolerance; true if none is.
bool agree(long long step, std::initializer_list<std::pair<const char*, double>> diffs) {
  for (auto [what, diff] : diffs) {
    if (!(diff <= kTolerance)) {
      std::printf("step %lld: the twins disagree on the %s by %g (> %g)\n", step, what, diff, kTolerance);
      return false;
    }
  }
  return true;
}

// Which rows got gradient? The lookup's backward is a scatter-add into the rows of the
// batch's ids, so no other row may have any. (A looked-up row can still come out exactly
// zero, e.g. if its predictions were already perfect; that is reported, not an error.)
bool show_gradient_rows(const Tensor& grad, const std::vector<int64_t>& batch, const Corpus& c, bool quiet) {
  int64_t V = grad.sizes()[0], d = grad.sizes()[1];
  std::set<int64_t> in_batch(batch.begin(), batch.end()), with_grad;
  const float* g = grad.data_ptr<float>();
  if (!quiet) std::printf("after step 1's backward, these rows of the %lld-row embedding have gradient:\n", (long long)V);
  for (int64_t v = 0; v < V; ++v) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += double(g[v * d + j]) * g[v * d + j];
    if (s == 0) continue;
    with_grad.insert(v);
    if (!quiet)
      std::printf("  row %3lld  %-10s looked up %2lld times in the batch  |grad| = %.6f\n", (long long)v,
                  c.vocab[v].c_str(), (long long)std::count(batch.begin(), batch.end(), v), std::sqrt(s));
  }
  for (int64_t v : with_grad) {
    if (!in_batch.count(v)) {
      std::printf("row %lld (%s) has gradient but is not in the batch\n", (long long)v, c.vocab[v].c_str());
      return false;
    }
  }
  if (!quiet) {
    std::printf("  = the %zu distinct ids of the batch; the other %lld rows are exactly 0\n", in_batch.size(),
                (long long)(V - (long long)in_batch.size()));
    for (int64_t v : in_batch)
      if (!with_grad.count(v)) std::printf("  (row %lld was looked up, but its gradient happens to be 0)\n", (long long)v);
  }
  return true;
}

// Central differences of the float64 loss at the model's weights, for a few embedding
// entries (the last in a row never looked up, so both sides must say 0), set beside backward's.
bool finite_difference_check(const NextWord& m, const Tensor& grad, const Tensor& x, const Tensor& y,
                             const Corpus& c, bool quiet) {
  NoGradGuard no_grad;
  Tensor w = m.emb->weight.to(DType::Float64), hw = m.head->weight.to(DType::Float64), hb = m.head->bias.to(DType::Float64);
  auto loss = [&] { return F::cross_entropy(F::linear(F::embedding(x, w), hw, hb), y).item<double>(); };
  int64_t V = grad.sizes()[0], d = grad.sizes()[1];
  const int64_t* ix = x.data_ptr<int64_t>();
  std::vector<int64_t> rows = {ix[0], ix[x.numel() / 2]};
  for (int64_t v = 0; v < V; ++v)
    if (std::find(ix, ix + x.numel(), v) == ix + x.numel()) { rows.push_back(v); break; }
  if (!quiet) std::printf("\nfinite differences (float64, eps 1e-6) vs backward (float32):\n");
  for (std::size_t k = 0; k < rows.size(); ++k) {
    int64_t v = rows[k], j = int64_t(k) % d;
    double* p = w.data_ptr<double>() + v * d + j;
    double orig = *p, eps = 1e-6;
    *p = orig + eps;
    double up = loss();
    *p = orig - eps;
    double down = loss();
    *p = orig;
    double numeric = (up - down) / (2 * eps), analytic = grad.data_ptr<float>()[v * d + j];
    bool ok = std::fabs(numeric - analytic) <= 1e-5 + 1e-3 * std::fabs(numeric);
    if (!quiet || !ok)
      std::printf("  d loss / d emb.weight[%lld][%lld] (%s): numeric %+.8f  backward %+.8f  %s\n", (long long)v,
                  (long long)j, c.vocab[v].c_str(), numeric, analytic, ok ? "ok" : "MISMATCH");
    if (!ok) return false;
  }
  if (!quiet) std::printf("\n");
  return true;
}

// What it learned: the three likeliest next words after the corpus's first few words.
void show_predictions(NextWord& model, const Corpus& c) {
  NoGradGuard no_grad;
  std::printf("\nlikeliest next words:\n");
  std::vector<std::string> shown;
  for (const auto& w : c.words)
    if (shown.size() < 6 && std::find(shown.begin(), shown.end(), w) == shown.end()) shown.push_back(w);
  int64_t V = int64_t(c.vocab.size()), top = std::min<int64_t>(3, V);
  for (const auto& w : shown) {
    Tensor probs = F::softmax(model(tensor({c.id_of.at(w)})), -1);  // (1, V)
    const float* p = probs.data_ptr<float>();
    std::vector<int64_t> order(V);
    for (int64_t v = 0; v < V; ++v) order[v] = v;
    std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](int64_t a, int64_t b) { return p[a] > p[b]; });
    std::printf("  %-10s ->", w.c_str());
    for (int64_t k = 0; k < top; ++k) std::printf("  %s (%.2f)", c.vocab[order[k]].c_str(), p[order[k]]);
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = parse_args(argc, argv);
  std::fprintf(stderr, "kernels: %s (the CPU level; MINIGRAD_CPU=portable|avx2|avx512 forces one)\n", minigrad::cpu_capability().c_str());
  std::string text = kCorpus;
  if (!cfg.corpus_file.empty()) {
    std::ifstream in(cfg.corpus_file);
    if (!in) usage_error("cannot read corpus file \"" + cfg.corpus_file + "\"");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  Corpus corpus = tokenize(text);
  if (corpus.vocab.size() < 2) usage_error("the corpus needs at least two distinct words");
  const int64_t V = int64_t(corpus.vocab.size()), d = cfg.dim;
  const int64_t n_pairs = int64_t(corpus.ids.size()) - 1, B = std::min<int64_t>(cfg.batch, n_pairs);

  // The model (drawn from the seed as torch.nn would draw it), its twin, an optimizer each.
  manual_seed(uint64_t(cfg.seed));
  NextWord model(V, d);
  OneHotTwin twin(model);
  optim::SGDOptions opts{.lr = cfg.lr, .momentum = cfg.momentum};
  optim::SGD opt(model.parameters(), opts), twin_opt(twin.parameters(), opts);

  Tensor all_x = tensor(std::vector<int64_t>(corpus.ids.begin(), corpus.ids.end() - 1));
  Tensor all_y = tensor(std::vector<int64_t>(corpus.ids.begin() + 1, corpus.ids.end()));
  auto corpus_loss = [&] {
    NoGradGuard no_grad;
    return F::cross_entropy(model(all_x), all_y).item<float>();
  };
  const double floor = bigram_floor(corpus.ids);
  const float first_loss = corpus_loss();
  if (!cfg.quiet) {
    std::printf("corpus: %zu words, V = %lld distinct; model: Embedding(%lld, %lld) -> Linear(%lld, %lld)\n",
                corpus.words.size(), (long long)V, (long long)V, (long long)d, (long long)d, (long long)V);
    std::printf("twin: one_hot(ids, %lld) -> Linear(%lld, %lld, bias=false) -> the same head\n", (long long)V,
                (long long)V, (long long)d);
    std::printf("SGD lr %g momentum %g, %lld steps of %lld (word, next word) pairs\n", cfg.lr, cfg.momentum,
                cfg.steps, (long long)B);
    std::printf("corpus loss before training %.4f; uniform guessing gives ln V = %.4f; the floor for\n"
                "any model that sees one word is %.4f\n\n", first_loss, std::log(double(V)), floor);
  }

  Generator batches(uint64_t(cfg.seed));  // its own stream: batches do not depend on the model's draws
  const long long every = std::max(1LL, cfg.steps / 10);
  const auto t0 = std::chrono::steady_clock::now();
  for (long long step = 1; step <= cfg.steps; ++step) {
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
    if (step == 1 && !cfg.dot_file.empty()) {
      std::ofstream(cfg.dot_file) << to_dot(loss);
      std::printf("wrote step 1's backward graph to %s (render: dot -Tsvg %s > graph.svg)\n\n",
                  cfg.dot_file.c_str(), cfg.dot_file.c_str());
    }
    {
      std::optional<GradTraceGuard> trace;
      if (step == 1 && cfg.trace) {
        std::printf("backward trace of step 1 (node, incoming gradient, gradients it passes on):\n");
        std::fflush(stdout);
        trace.emplace(std::cout);
      }
      loss.backward();
    }
    twin_loss.backward();

    // The two models are one function: their numbers must agree.
    Tensor g_emb = model.emb->weight.grad();
    if (!agree(step, {{"logits", max_diff(logits, twin_logits)},
                      {"loss", std::fabs(loss.item<double>() - twin_loss.item<double>())},
                      {"embedding gradient (vs the twin's, transposed)", max_diff(g_emb, twin.proj->weight.grad().t())},
                      {"head weight gradient", max_diff(model.head->weight.grad(), twin.head->weight.grad())},
                      {"head bias gradient", max_diff(model.head->bias.grad(), twin.head->bias.grad())}}))
      return 1;
    if (step == 1 && !(show_gradient_rows(g_emb, bx, corpus, cfg.quiet) &&
                       finite_difference_check(model, g_emb, x, y, corpus, cfg.quiet)))
      return 1;

    opt.step();
    twin_opt.step();
    // [end step]
    if (!agree(step, {{"updated embedding", max_diff(model.emb->weight, twin.proj->weight.t())},
                      {"updated head weight", max_diff(model.head->weight, twin.head->weight)},
                      {"updated head bias", max_diff(model.head->bias, twin.head->bias)}}))
      return 1;

    if (!cfg.quiet && (step % every == 0 || step == 1 || step == cfg.steps)) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      float now = corpus_loss();
      // The bar shrinks from the starting loss toward the floor.
      double frac = (now - floor) / std::max(double(first_loss) - floor, 1e-9);
      int filled = int(std::lround(20 * std::clamp(frac, 0.0, 1.0)));
      std::printf("step %5lld/%lld  batch loss %.4f (twin %.4f)  corpus loss %.4f |%s%s|", step, cfg.steps,
                  loss.item<float>(), twin_loss.item<float>(), now, std::string(filled, '#').c_str(),
                  std::string(20 - filled, '.').c_str());
      if (cfg.timing) std::printf("  %.0f tokens/s", double(step * B) / std::max(secs, 1e-9));
      std::printf("\n");
    }
  }

  std::printf("%scorpus loss %.4f -> %.4f after %lld steps (floor %.4f); the twins agreed within %g at every step\n",
              cfg.quiet ? "" : "\n", first_loss, corpus_loss(), cfg.steps, floor, kTolerance);
  show_predictions(model, corpus);
  return 0;
}

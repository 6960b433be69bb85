// train_gpt: the book's chapter 5 in one program. Trains llm::GPTModel from scratch on a text
// file (default: the GNU GPL v3 every Debian system ships), tokenized with GPT-2's tokenizer:
// the book's 90/10 split, AdamW with a warm-up and cosine schedule, gradient clipping; at each
// evaluation the train and validation losses, a generated sample and a checkpoint. --resume
// goes on from the checkpoint bit for bit as if the run had never stopped; Ctrl-C saves one
// before it exits. At the end: losses.csv and losses.svg (the book's loss figure).
//   ./build/examples/train_gpt --preset tiny                  # seconds
//   ./build/examples/train_gpt --preset small --text moby_dick.txt --out moby
// Needs GPT-2's encoder.json + vocab.bpe (tools/fetch_gpt2_vocab.sh; --vocab DIR).
// Flags, presets and the plotting are in train_gpt_helpers.h.
// --ddp, when minigrad::distributed was built (MPI found): `mpirun -np N train_gpt --ddp ...`
// trains on N processes, each on 1/N of every batch, averaging the gradients (docs/distributed.md).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"
#include "examples/train_gpt_helpers.h"
#include "llm/llm.h"
#include "nn/nn.h"
#include "optim/optim.h"
#ifdef MINIGRAD_HAVE_DISTRIBUTED
#include "distributed/distributed.h"
#endif

namespace {

using namespace minigrad;
using train_gpt::Config;
using train_gpt::Eval;

// Ctrl-C only raises this flag; the loop sees it between two steps, saves and stops.
volatile std::sig_atomic_t interrupted = 0;
void on_sigint(int) { interrupted = 1; }

// [snippet loss]
// The book's calc_loss_batch: the mean cross-entropy of every position's next-token logits.
Tensor calc_loss_batch(const Tensor& input_batch, const Tensor& target_batch, llm::GPTModel& model) {
  Tensor logits = model(input_batch);                                  // (B, T, V)
  return cross_entropy(logits.flatten(0, 1), target_batch.flatten());  // (B*T, V) against (B*T)
}

// The book's calc_loss_loader: the mean loss of the loader's first num_batches batches.
double calc_loss_loader(llm::DataLoader& loader, llm::GPTModel& model, long num_batches) {
  double total = 0;
  long n = 0;
  for (auto [input_batch, target_batch] : loader) {
    if (n == num_batches) break;
    total += calc_loss_batch(input_batch, target_batch, model).item_double();
    ++n;
  }
  return total / static_cast<double>(n);
}
// [end loss]

std::vector<int64_t> encode(const llm::GPT2Tokenizer& tokenizer, const std::string& text) {
  return tokenizer.encode(text, {"<|endoftext|>"});
}

// Everything one run holds; main() below is the loop itself.
struct Trainer {
  Config cfg;
  llm::GPT2Tokenizer tokenizer;
  std::vector<int64_t> train_ids, val_ids;
  double entropy = 0;  // of the whole text's ids, in nats

  bool leader = true;  // rank 0 of a --ddp run (or the only process): it alone prints and saves

  std::string checkpoint_path() const { return cfg.out + "/checkpoint.safetensors"; }
  bool saves() const { return cfg.out != "none" && leader; }
};

llm::GPT2Tokenizer load_tokenizer(const std::string& dir) {
  for (const char* name : {"encoder.json", "vocab.bpe"})
    if (!std::filesystem::exists(dir + "/" + name))
      throw std::runtime_error("GPT-2's " + std::string(name) + " is not in " + dir +
                               "; fetch it with tools/fetch_gpt2_vocab.sh " + dir + " or pass --vocab DIR");
  return llm::GPT2Tokenizer::from_files(dir + "/encoder.json", dir + "/vocab.bpe");
}

// Reads and splits the text, with the checks a too-short corpus needs.
void load_text(Trainer& t) {
  const Config& c = t.cfg;
  const std::string text = train_gpt::read_text(c.text);
  if (text.empty()) throw std::runtime_error("the text file \"" + c.text + "\" is empty");
  const std::size_t split = train_gpt::split_point(text);
  t.train_ids = encode(t.tokenizer, text.substr(0, split));
  t.val_ids = encode(t.tokenizer, text.substr(split));
  const auto train_n = static_cast<long>(t.train_ids.size()), val_n = static_cast<long>(t.val_ids.size());
  // batch_size windows of max_length inputs, each target one token further: B * L + 1 tokens.
  if (train_n < c.batch_size * c.max_length + 1)
    throw std::runtime_error("the training part of \"" + c.text + "\" (its first 90%) has " + std::to_string(train_n) +
                             " tokens, too few for one batch of " + std::to_string(c.batch_size) + " windows of " +
                             std::to_string(c.max_length) + " (at least " + std::to_string(c.batch_size * c.max_length + 1) +
                             " are needed): use a longer text, or a smaller --batch-size or --max-length");
  if (val_n < c.max_length + 1)
    throw std::runtime_error("the validation part of \"" + c.text + "\" (its last 10%) has " + std::to_string(val_n) +
                             " tokens, too few for one window of " + std::to_string(c.max_length) +
                             " (at least " + std::to_string(c.max_length + 1) +
                             " are needed): use a longer text or a smaller --max-length");
  std::vector<int64_t> all = t.train_ids;
  all.insert(all.end(), t.val_ids.begin(), t.val_ids.end());
  t.entropy = train_gpt::unigram_entropy(all);
  std::printf("text: %s, %zu characters, %ld tokens (%ld train, %ld validation); unigram entropy %.3f nats\n",
              c.text.c_str(), text.size(), train_n + val_n, train_n, val_n, t.entropy);
}

// The checkpoint's own copy of the loss history: F64 (n, 4).
Tensor history_tensor(const std::vector<Eval>& history) {
  std::vector<double> v;
  for (const Eval& e : history)
    v.insert(v.end(), {double(e.step), double(e.tokens_seen), e.train_loss, e.val_loss});
  return tensor(v, {static_cast<int64_t>(history.size()), 4});
}

std::vector<Eval> history_from(const Tensor& h) {
  std::vector<Eval> out;
  const double* v = h.data_ptr<double>();
  for (int64_t i = 0; i < h.size(0); ++i)
    out.push_back({long(v[4 * i]), long(v[4 * i + 1]), v[4 * i + 2], v[4 * i + 3]});
  return out;
}

void write_plots(const Trainer& t, const std::vector<Eval>& history) {
  if (!t.saves() || history.empty()) return;
  const std::string csv = t.cfg.out + "/losses.csv", svg = t.cfg.out + "/losses.svg";
  const std::string caption = "train_gpt --preset " + t.cfg.preset + ": " +
                              std::filesystem::path(t.cfg.text).filename().string();
  if (!train_gpt::write_csv(csv, history) || !train_gpt::write_svg(svg, history, t.entropy, caption))
    throw std::runtime_error("cannot write " + csv + " or " + svg);
  std::printf("losses: %s, %s\n", csv.c_str(), svg.c_str());
}

// --ddp: every rank starts from rank 0's weights and trains on its share of each global
// batch; a Reducer averages the gradients over the ranks, bucket by bucket, while the
// backward is still running. Every rank keeps the same seed: each pass's shuffle (and the
// dropout masks) come from the default generator, in step because every rank draws alike.
// Without --ddp (or without MPI) both calls do nothing.
class DataParallel {
 public:
  DataParallel(const Config& c, llm::GPTModel& model) {
    if (!c.ddp) return;
#ifdef MINIGRAD_HAVE_DISTRIBUTED
    if (c.batch_size % distributed::world_size() != 0)
      throw std::runtime_error("--ddp: --batch-size " + std::to_string(c.batch_size) + " must be a multiple of the " +
                               std::to_string(distributed::world_size()) + " ranks (each rank takes an equal share)");
    distributed::broadcast_parameters(model);
    reducer_.emplace(model);
#endif
  }
  void shard(Tensor& inputs, Tensor& targets) const {
#ifdef MINIGRAD_HAVE_DISTRIBUTED
    if (reducer_) inputs = distributed::shard(inputs), targets = distributed::shard(targets);
#endif
  }
  void average_gradients() {
#ifdef MINIGRAD_HAVE_DISTRIBUTED
    if (reducer_) reducer_->wait();
#endif
  }

 private:
#ifdef MINIGRAD_HAVE_DISTRIBUTED
  std::optional<distributed::Reducer> reducer_;
#endif
};

int train(Trainer& t) {
  const Config& c = t.cfg;
  // [snippet setup]
  manual_seed(static_cast<uint64_t>(c.seed));
  const llm::GPTConfig model_cfg{.vocab_size = 50257, .context_length = c.context_length, .emb_dim = c.emb_dim,
                                 .n_heads = c.n_heads, .n_layers = c.n_layers, .drop_rate = c.dropout,
                                 .qkv_bias = false};
  llm::GPTModel model(model_cfg);
  optim::AdamW optimizer(model.parameters(), {.lr = c.lr, .weight_decay = c.weight_decay});
  // The book's loaders: windows of max_length tokens, stride max_length; shuffled training
  // batches with the last partial one dropped, validation batches in order.
  llm::DataLoader train_loader(llm::GPTDataset(t.train_ids, c.max_length, c.max_length), c.batch_size,
                               /*shuffle=*/true, /*drop_last=*/true);
  llm::DataLoader val_loader(llm::GPTDataset(t.val_ids, c.max_length, c.max_length), c.batch_size,
                             /*shuffle=*/false, /*drop_last=*/false);
  // [end setup]
  if (c.epochs > 0) t.cfg.steps = c.epochs * train_loader.size();
  if (c.warmup >= c.steps)
    throw std::runtime_error("--warmup " + std::to_string(c.warmup) + " must be less than the run's " +
                             std::to_string(c.steps) + " steps");
  const optim::WarmupCosine schedule({.initial_lr = c.min_lr, .peak_lr = c.lr, .min_lr = c.min_lr,
                                      .warmup_steps = c.warmup, .total_steps = c.steps});
  int64_t n_params = 0;
  for (const Tensor& p : model.parameters()) n_params += p.numel();
  std::printf("model: %ld layers, %ld heads, %ld-dim embeddings, context %ld: %ld parameters\n", c.n_layers,
              c.n_heads, c.emb_dim, c.context_length, static_cast<long>(n_params));
  std::printf("training: %ld steps of %ld x %ld tokens (%ld batches a pass), AdamW lr %g weight decay %g\n",
              c.steps, c.batch_size, c.max_length, static_cast<long>(train_loader.size()), c.lr, c.weight_decay);

  std::map<std::string, std::string> fingerprint;
  for (const auto& [key, value] : c.fingerprint()) fingerprint["config." + key] = value;
  int64_t step = 0;
  std::optional<llm::DataLoader::Iterator> batches;  // the current pass over the training data
  std::vector<Eval> history;
  if (c.resume) {
    if (!std::filesystem::exists(t.checkpoint_path()))
      throw std::runtime_error("--resume: there is no checkpoint " + t.checkpoint_path() + " to resume from");
    llm::TrainingState s = llm::load_checkpoint(t.checkpoint_path(), model, optimizer);
    for (const auto& [key, value] : fingerprint)
      if (s.metadata[key] != value)
        throw std::runtime_error(t.checkpoint_path() + " was made with " + key.substr(7) + " = \"" + s.metadata[key] +
                                 "\", this run has \"" + value + "\": resume with the flags the run started with");
    step = s.step;
    batches = train_loader.resume(s.data_order, s.data_batch);
    for (const auto& [name, h] : s.extra)
      if (name == "history") history = history_from(h);
    std::printf("resumed from %s at step %ld\n", t.checkpoint_path().c_str(), static_cast<long>(step));
  } else if (t.saves()) {
    std::filesystem::create_directories(c.out);
  }
  DataParallel ddp(c, model);
  auto save = [&] {
    if (!t.saves()) return;
    llm::save_checkpoint(t.checkpoint_path(), model, optimizer,
                         {step, batches->order(), batches->batch(), {{"history", history_tensor(history)}}, fingerprint});
    std::printf("  checkpoint: %s\n", t.checkpoint_path().c_str());
    std::fflush(stdout);
  };

  const bool live = isatty(STDOUT_FILENO);
  const auto start = std::chrono::steady_clock::now();
  const int64_t first_step = step, tokens_per_step = c.batch_size * c.max_length;
  if (!c.ddp) std::signal(SIGINT, on_sigint);  // under mpirun, Ctrl-C ends every rank
  model.train();
  while (step < c.steps) {
    // [snippet step]
    if (!batches || *batches == train_loader.end()) batches = train_loader.begin();  // a new pass
    auto [input_batch, target_batch] = **batches;
    ++*batches;
    ddp.shard(input_batch, target_batch);  // --ddp: this rank's rows of the batch (else nothing)
    const double lr = schedule.apply(optimizer, step);
    optimizer.zero_grad();
    Tensor loss = model.loss(input_batch, target_batch);  // calc_loss_batch's bits, without the (B*T, V) logits
    loss.backward();
    ddp.average_gradients();  // --ddp: every rank now holds the mean over the ranks (else nothing)
    if (c.grad_clip > 0) nn::utils::clip_grad_norm_(model.parameters(), c.grad_clip);
    optimizer.step();
    ++step;
    // [end step]

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = static_cast<double>((step - first_step) * tokens_per_step) / seconds;
    std::string timing = "  " + std::to_string(std::lround(rate)) + " tok/s  ETA " +
                         train_gpt::clock(static_cast<double>((c.steps - step) * tokens_per_step) / rate);
    if (!c.timing) timing.clear();
    if (live || step % c.log_interval == 0)
      std::printf("%sstep %ld/%ld  loss %.3f  lr %.2e%s%s", live ? "\r\033[K" : "", static_cast<long>(step), c.steps,
                  loss.item_double(), lr, timing.c_str(), live ? "" : "\n");
    std::fflush(stdout);

    if (t.leader && (step == 1 || step % c.eval_interval == 0 || step == c.steps)) {
      // [snippet evaluate]
      // Evaluation and the sample draw from the default generator (a pass's shuffle, the
      // sampling); putting its state back keeps the training the same however often we look.
      const GeneratorState rng = get_rng_state();
      model.eval();
      double train_loss, val_loss;
      std::vector<int64_t> sample;
      {
        NoGradGuard no_grad;
        train_loss = calc_loss_loader(train_loader, model, c.eval_batches);
        val_loss = calc_loss_loader(val_loader, model, c.eval_batches);
        std::vector<int64_t> prompt = encode(t.tokenizer, c.prompt);
        Tensor idx = tensor(prompt, {1, static_cast<int64_t>(prompt.size())});
        Tensor out = llm::generate(model, idx, c.sample_tokens, c.context_length, c.temperature,
                                   c.top_k > 0 ? std::optional<int64_t>(c.top_k) : std::nullopt);
        sample.assign(out.data_ptr<int64_t>(), out.data_ptr<int64_t>() + out.numel());
      }
      model.train();
      set_rng_state(rng);
      // [end evaluate]
      history.push_back({static_cast<long>(step), static_cast<long>(step * tokens_per_step), train_loss, val_loss});
      std::string text = t.tokenizer.decode(sample);
      for (char& ch : text) ch = ch == '\n' ? ' ' : ch;
      std::printf("%sstep %ld (%ld tokens seen): train loss %.3f, val loss %.3f\n  sample: \"%s\"\n",
                  live ? "\r\033[K" : "", static_cast<long>(step), static_cast<long>(step * tokens_per_step),
                  train_loss, val_loss, text.c_str());
      save();
    }
    if (interrupted) {
      std::printf("%sinterrupted at step %ld\n", live ? "\r\033[K" : "", static_cast<long>(step));
      save();
      if (t.saves()) std::printf("resume with the same flags and --resume\n");
      write_plots(t, history);
      return 130;
    }
  }
  std::signal(SIGINT, SIG_DFL);
  if (!history.empty())
    std::printf("done: step %ld, val loss %.3f (the text's unigram entropy: %.3f nats)\n",
                static_cast<long>(step), history.back().val_loss, t.entropy);
  write_plots(t, history);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // By default the vocabulary is build/gpt2_vocab, beside build/examples/ where this runs from.
  const std::string vocab = (std::filesystem::path(argv[0]).parent_path() / ".." / "gpt2_vocab").string();
  const Config cfg = train_gpt::parse_args(argc, argv, vocab);
  if (cfg.prompt.empty()) train_gpt::usage_error("--prompt must not be empty");
  if (cfg.resume && cfg.out == "none") train_gpt::usage_error("--resume needs the run's --out DIR");
  try {
    bool leader = true;
#ifdef MINIGRAD_HAVE_DISTRIBUTED
    // Inside the try: an exception unwinding past the guard ends every rank (MPI_Abort)
    // instead of leaving them waiting for this one.
    std::optional<distributed::Guard> guard;
    if (cfg.ddp) {
      guard.emplace(argc, argv);
      leader = distributed::rank() == 0;
      if (!leader && !std::freopen("/dev/null", "w", stdout)) throw std::runtime_error("cannot silence rank's stdout");
      std::printf("data parallel: %d ranks; the step lines show rank 0's share of each batch's loss\n",
                  distributed::world_size());
    }
#else
    if (cfg.ddp) throw std::runtime_error("--ddp: this build has no MPI (install libopenmpi-dev openmpi-bin and rebuild)");
#endif
    Trainer t{cfg, load_tokenizer(cfg.vocab), {}, {}, 0, leader};
    load_text(t);
    return train(t);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "train_gpt: %s\n", e.what());
    return 1;
  }
}

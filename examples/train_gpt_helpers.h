// train_gpt's plumbing, kept out of the training loop's way: its configuration (presets and a
// flag per hyper-parameter), reading the text, the unigram entropy baseline, the progress line,
// and the CSV and SVG of the losses. Read train_gpt.cpp first; nothing here trains anything.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace train_gpt {

// Every number that shapes a run. A preset fills them; a flag overrides one.
struct Config {
  std::string preset = "tiny";
  std::string text = "/usr/share/common-licenses/GPL-3";  // every Debian system has it
  std::string vocab;                                      // GPT-2's encoder.json + vocab.bpe
  std::string out = "train_gpt_out";                      // checkpoint, losses.csv, losses.svg; "none": no files
  bool resume = false;
  bool ddp = false;     // data parallel over MPI ranks (mpirun -np N train_gpt --ddp ...)
  bool timing = true;  // tokens/s and ETA in the progress lines (--no-timing: reproducible output)
  // the model (llm::GPTConfig; the vocabulary is GPT-2's 50,257)
  long context_length = 32, emb_dim = 32, n_layers = 2, n_heads = 2;
  double dropout = 0.1;
  // the data: windows of max_length tokens, stride max_length (0: the context length)
  long max_length = 0, batch_size = 4;
  // the optimizer: AdamW, a linear warm-up to lr then a cosine down to min_lr (0: lr / 10)
  double lr = 5e-3, min_lr = 0, weight_decay = 0.1, grad_clip = 1.0;  // grad_clip 0: no clipping
  long steps = 40, epochs = 0, warmup = 4, seed = 123;                   // epochs > 0 overrides steps
  // evaluation: every eval_interval steps, eval_batches batches of each split, and a sample
  long eval_interval = 10, eval_batches = 2, log_interval = 5, sample_tokens = 12, top_k = 0;
  double temperature = 0.0;  // 0: greedy, as the book's generate_and_print_sample
  std::string prompt = "Every effort moves you";

  // What a resumed run must agree on: everything but where the files go and how it prints.
  std::map<std::string, std::string> fingerprint() const {
    auto num = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      return std::string(buf);
    };
    return {{"text", text},
            {"context_length", num(context_length)},
            {"emb_dim", num(emb_dim)},
            {"n_layers", num(n_layers)},
            {"n_heads", num(n_heads)},
            {"dropout", num(dropout)},
            {"max_length", num(max_length)},
            {"batch_size", num(batch_size)},
            {"lr", num(lr)},
            {"min_lr", num(min_lr)},
            {"weight_decay", num(weight_decay)},
            {"grad_clip", num(grad_clip)},
            {"steps", num(steps)},
            {"warmup", num(warmup)},
            {"seed", num(seed)},
            {"eval_interval", num(eval_interval)},
            {"eval_batches", num(eval_batches)},
            {"sample_tokens", num(sample_tokens)},
            {"top_k", num(top_k)},
            {"temperature", num(temperature)},
            {"prompt", prompt}};
  }
};

inline const char* kUsage =
    "usage: train_gpt [--preset tiny|small|124M] [--text FILE] [--vocab DIR] [--out DIR|none] [--resume] [--ddp]\n"
    "                 [--context-length N] [--emb-dim N] [--layers N] [--heads N] [--dropout P]\n"
    "                 [--max-length N] [--batch-size N] [--lr X] [--min-lr X] [--weight-decay X]\n"
    "                 [--grad-clip X] [--steps N | --epochs N] [--warmup N] [--seed N]\n"
    "                 [--eval-interval N] [--eval-batches N] [--log-interval N] [--prompt TEXT]\n"
    "                 [--sample-tokens N] [--temperature T] [--top-k K] [--no-timing]\n"
    "  tiny: trains in seconds (for tests); small: learns Moby-Dick in ~10 minutes on 2 cores;\n"
    "  124M: the book's GPT-2 small with its chapter 5 settings (slow on a CPU)\n"
    "  --ddp: under mpirun -np N, each rank trains on 1/N of every batch (docs/distributed.md)\n";

[[noreturn]] inline void usage_error(const std::string& why) {
  std::fprintf(stderr, "train_gpt: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

inline void apply_preset(Config& c, const std::string& name) {
  c.preset = name;
  if (name == "tiny") {
    c = Config{};  // the defaults above
    c.preset = name;
  } else if (name == "small") {  // ~21 MFLOP a token forward and backward, 90% in the output head
    c.context_length = 128, c.emb_dim = 64, c.n_layers = 4, c.n_heads = 4, c.dropout = 0.0;
    c.batch_size = 4, c.lr = 4e-3, c.weight_decay = 0.1, c.grad_clip = 1.0;
    c.steps = 600, c.warmup = 30, c.eval_interval = 50, c.eval_batches = 8, c.log_interval = 10;
    c.sample_tokens = 24, c.prompt = "Call me";
  } else if (name == "124M") {  // the book's chapter 5: GPT_CONFIG_124M at 256 tokens, AdamW, 10 epochs
    c.context_length = 256, c.emb_dim = 768, c.n_layers = 12, c.n_heads = 12, c.dropout = 0.1;
    c.batch_size = 2, c.lr = 4e-4, c.min_lr = 4e-4, c.weight_decay = 0.1, c.grad_clip = 0;
    c.epochs = 10, c.warmup = 0, c.eval_interval = 5, c.eval_batches = 5, c.log_interval = 1;
    c.sample_tokens = 50;
  } else {
    usage_error("--preset must be tiny, small or 124M, got \"" + name + "\"");
  }
}

inline long parse_long(const std::string& flag, const std::string& v, long min) {
  char* end = nullptr;
  long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || x < min)
    usage_error(flag + " expects a whole number >= " + std::to_string(min) + ", got \"" + v + "\"");
  return x;
}

inline double parse_double(const std::string& flag, const std::string& v, double min, double below) {
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x >= min && x < below)) {
    std::ostringstream range;
    range << "[" << min << ", " << below << ")";
    usage_error(flag + " expects a number in " + range.str() + ", got \"" + v + "\"");
  }
  return x;
}

// The preset first (wherever it is on the line), then each flag over it.
inline Config parse_args(int argc, char** argv, const std::string& default_vocab) {
  Config c;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--preset") apply_preset(c, argv[i + 1]);
  c.vocab = default_vocab;
  const double inf = HUGE_VAL;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--resume") { c.resume = true; continue; }
    if (flag == "--no-timing") { c.timing = false; continue; }
    if (flag == "--ddp") { c.ddp = true; continue; }
    if (flag == "--help" || flag == "-h") { std::fputs(kUsage, stdout); std::exit(0); }
    if (i + 1 >= argc) usage_error(flag.rfind("--", 0) == 0 ? flag + " needs a value" : "unknown argument \"" + flag + "\"");
    const std::string v = argv[++i];
    if (flag == "--preset") continue;  // applied above
    else if (flag == "--text") c.text = v;
    else if (flag == "--vocab") c.vocab = v;
    else if (flag == "--out") c.out = v;
    else if (flag == "--prompt") c.prompt = v;
    else if (flag == "--context-length") c.context_length = parse_long(flag, v, 1);
    else if (flag == "--emb-dim") c.emb_dim = parse_long(flag, v, 1);
    else if (flag == "--layers") c.n_layers = parse_long(flag, v, 1);
    else if (flag == "--heads") c.n_heads = parse_long(flag, v, 1);
    else if (flag == "--dropout") c.dropout = parse_double(flag, v, 0, 1);
    else if (flag == "--max-length") c.max_length = parse_long(flag, v, 1);
    else if (flag == "--batch-size") c.batch_size = parse_long(flag, v, 1);
    else if (flag == "--lr") c.lr = parse_double(flag, v, 0, inf);
    else if (flag == "--min-lr") c.min_lr = parse_double(flag, v, 0, inf);
    else if (flag == "--weight-decay") c.weight_decay = parse_double(flag, v, 0, inf);
    else if (flag == "--grad-clip") c.grad_clip = parse_double(flag, v, 0, inf);
    else if (flag == "--steps") c.steps = parse_long(flag, v, 1), c.epochs = 0;
    else if (flag == "--epochs") c.epochs = parse_long(flag, v, 1);
    else if (flag == "--warmup") c.warmup = parse_long(flag, v, 0);
    else if (flag == "--seed") c.seed = parse_long(flag, v, 0);
    else if (flag == "--eval-interval") c.eval_interval = parse_long(flag, v, 1);
    else if (flag == "--eval-batches") c.eval_batches = parse_long(flag, v, 1);
    else if (flag == "--log-interval") c.log_interval = parse_long(flag, v, 1);
    else if (flag == "--sample-tokens") c.sample_tokens = parse_long(flag, v, 0);
    else if (flag == "--temperature") c.temperature = parse_double(flag, v, 0, inf);
    else if (flag == "--top-k") c.top_k = parse_long(flag, v, 0);
    else usage_error("unknown argument \"" + flag + "\"");
  }
  if (c.max_length == 0) c.max_length = c.context_length;
  if (c.max_length > c.context_length)
    usage_error("--max-length " + std::to_string(c.max_length) + " is longer than the model's context length " +
                std::to_string(c.context_length) + " (a window must fit the model)");
  if (c.min_lr == 0) c.min_lr = c.lr / 10;
  return c;
}

// The whole file, or an error naming the path.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the text file \"" + path + "\" (pass another with --text FILE)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read the text file \"" + path + "\"");
  return buffer.str();
}

// The book's split: the first 90% of the characters train, the rest validate; moved forward
// to the start of a UTF-8 character so that no character is cut in two.
inline std::size_t split_point(const std::string& text) {
  std::size_t at = static_cast<std::size_t>(0.9 * static_cast<double>(text.size()));
  while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  return at;
}

// The entropy of the ids' unigram distribution, in nats: the lowest loss a model that ignores
// the context could reach on this text. A model below it has learned something from context.
inline double unigram_entropy(const std::vector<int64_t>& ids) {
  std::map<int64_t, double> counts;
  for (int64_t id : ids) counts[id] += 1;
  double h = 0, n = static_cast<double>(ids.size());
  for (const auto& [id, k] : counts) h -= k / n * std::log(k / n);
  return h;
}

inline std::string clock(double seconds) {  // 75 -> "1:15"
  long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// One evaluation: the step, tokens seen so far, and the mean losses.
struct Eval {
  long step;
  long tokens_seen;
  double train_loss, val_loss;
};

inline bool write_csv(const std::string& file, const std::vector<Eval>& history) {
  std::ofstream out(file);
  out << "step,tokens_seen,train_loss,val_loss\n";
  char line[128];
  for (const Eval& e : history) {
    std::snprintf(line, sizeof line, "%ld,%ld,%.6f,%.6f\n", e.step, e.tokens_seen, e.train_loss, e.val_loss);
    out << line;
  }
  return static_cast<bool>(out);
}

// The book's figure 5.x: training and validation loss against tokens seen, with the text's
// unigram entropy as a dashed line for scale. Plain SVG, as attention_ch03 writes its heat map.
inline bool write_svg(const std::string& file, const std::vector<Eval>& history, double entropy,
                      const std::string& caption) {
  const double W = 640, H = 400, left = 64, right = 150, top = 48, bottom = 52;
  const double pw = W - left - right, ph = H - top - bottom;
  double max_x = 1, max_y = entropy, min_y = entropy;
  for (const Eval& e : history) {
    max_x = std::max(max_x, static_cast<double>(e.tokens_seen));
    max_y = std::max({max_y, e.train_loss, e.val_loss});
    min_y = std::min({min_y, e.train_loss, e.val_loss});
  }
  min_y = std::floor(min_y), max_y = std::ceil(max_y);
  if (max_y <= min_y) max_y = min_y + 1;
  auto X = [&](double x) { return left + pw * x / max_x; };
  auto Y = [&](double y) { return top + ph * (max_y - y) / (max_y - min_y); };
  std::ostringstream svg;
  svg.setf(std::ios::fixed);
  svg.precision(1);
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
      << " " << H << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"24\" font-size=\"14\">" << caption << "</text>\n"
      << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"#888\"/>\n";
  const double ystep = max_y - min_y > 6 ? 2 : 1;
  for (double y = min_y; y <= max_y + 1e-9; y += ystep)
    svg << "<line x1=\"" << left - 4 << "\" x2=\"" << left << "\" y1=\"" << Y(y) << "\" y2=\"" << Y(y)
        << "\" stroke=\"#888\"/><text x=\"" << left - 8 << "\" y=\"" << Y(y) + 4 << "\" text-anchor=\"end\">" << y
        << "</text>\n";
  for (int k = 0; k <= 4; ++k) {
    const double x = max_x * k / 4;
    svg << "<line x1=\"" << X(x) << "\" x2=\"" << X(x) << "\" y1=\"" << top + ph << "\" y2=\"" << top + ph + 4
        << "\" stroke=\"#888\"/><text x=\"" << X(x) << "\" y=\"" << top + ph + 18 << "\" text-anchor=\"middle\">"
        << std::lround(x) << "</text>\n";
  }
  svg << "<text x=\"" << left + pw / 2 << "\" y=\"" << H - 12 << "\" text-anchor=\"middle\">Tokens seen</text>\n"
      << "<text x=\"16\" y=\"" << top + ph / 2 << "\" transform=\"rotate(-90 16 " << top + ph / 2
      << ")\" text-anchor=\"middle\">Loss (nats)</text>\n"
      << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << Y(entropy) << "\" y2=\"" << Y(entropy)
      << "\" stroke=\"#999\" stroke-dasharray=\"5,4\"/>\n";
  const char* colours[2] = {"#1f77b4", "#ff7f0e"};
  const char* names[2] = {"Training loss", "Validation loss"};
  for (int s = 0; s < 2; ++s) {
    svg << "<polyline fill=\"none\" stroke=\"" << colours[s] << "\" stroke-width=\"2\"" << (s ? " stroke-dasharray=\"6,3\"" : "")
        << " points=\"";
    for (const Eval& e : history)
      svg << X(static_cast<double>(e.tokens_seen)) << "," << Y(s ? e.val_loss : e.train_loss) << " ";
    svg << "\"/>\n<line x1=\"" << left + pw + 12 << "\" x2=\"" << left + pw + 36 << "\" y1=\"" << top + 12 + 20 * s
        << "\" y2=\"" << top + 12 + 20 * s << "\" stroke=\"" << colours[s] << "\" stroke-width=\"2\"/><text x=\""
        << left + pw + 42 << "\" y=\"" << top + 16 + 20 * s << "\">" << names[s] << "</text>\n";
  }
  svg << "<line x1=\"" << left + pw + 12 << "\" x2=\"" << left + pw + 36 << "\" y1=\"" << top + 52 << "\" y2=\""
      << top + 52 << "\" stroke=\"#999\" stroke-dasharray=\"5,4\"/><text x=\"" << left + pw + 42 << "\" y=\""
      << top + 56 << "\">Unigram entropy</text>\n</svg>\n";
  std::ofstream out(file);
  out << svg.str();
  return static_cast<bool>(out);
}

}  // namespace train_gpt

// Everything examples/attention_ch03.cpp needs that is not the lesson: its flags, the
// section headings (and --section, which lets one section's printout through), torch's
// `torch.Size([...])`, and the SVG heat map that --svg writes. Read attention_ch03.cpp first.
// Not reusable library code: one program's helpers, kept in one header.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"

namespace attention_ch03 {

using namespace minigrad;

// ---- flags ----

struct Options {
  std::string svg_file;  // --svg FILE: the causal attention weights of 3.5.1 as a heat map
  std::string section;   // --section N: print only section N (e.g. 3.5.1); empty: all, with headings
};

inline const char* kUsage =
    "usage: attention_ch03 [--section N] [--svg FILE]\n"
    "  --section N  print only the cells of section N (3.3.1, 3.3.2, 3.4.1, 3.4.2, 3.5.1, 3.5.2,\n"
    "               3.5.3, 3.6.1 or 3.6.2); every cell still runs, so the seeds are the book's\n"
    "  --svg FILE   also write the causal attention weights of section 3.5.1 as an SVG heat map\n";

[[noreturn]] inline void usage_error(const std::string& why) {
  std::cerr << "attention_ch03: " << why << "\n" << kUsage;
  std::exit(2);
}

inline Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag != "--svg" && flag != "--section") usage_error("unknown argument \"" + flag + "\"");
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    (flag == "--svg" ? options.svg_file : options.section) = argv[++i];
  }
  return options;
}

// ---- sections ----

// Every cell runs in the book's order (later cells reuse earlier tensors and the random
// stream), but with --section only the chosen section reaches stdout: begin() points
// std::cout at a buffer that drops everything for the other sections.
class Sections {
 public:
  explicit Sections(std::string only) : only_(std::move(only)) {}
  ~Sections() { std::cout.rdbuf(stdout_); }

  void begin(const std::string& number, const std::string& title) {
    bool shown = only_.empty() || only_ == number;
    found_ = found_ || only_ == number;
    std::cout.rdbuf(shown ? stdout_ : &discard_);
    if (only_.empty()) std::cout << "== " << number << " " << title << "\n";
  }
  // After the last section: an unknown --section printed nothing, and is an error.
  void end() {
    std::cout.rdbuf(stdout_);
    if (!only_.empty() && !found_) usage_error("there is no section \"" + only_ + "\"");
  }

 private:
  struct Discard : std::streambuf {
    int overflow(int c) override { return c; }
  };
  std::string only_;
  bool found_ = false;
  Discard discard_;
  std::streambuf* stdout_ = std::cout.rdbuf();
};

// print(t.shape) in torch: "torch.Size([6, 2])".
inline std::string torch_size(const Tensor& t) { return "torch.Size(" + shape_str(t.sizes()) + ")"; }

// ---- the heat map ----

inline std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The colour of a weight in [0, 1]: white, through light blue, to dark blue (the same three
// stops as the legend's gradient).
inline std::string colour(double w) {
  const double stops[3][3] = {{247, 251, 255}, {107, 174, 214}, {8, 48, 107}};
  w = std::clamp(w, 0.0, 1.0);
  int lo = w < 0.5 ? 0 : 1;
  double t = (w - 0.5 * lo) / 0.5;
  char hex[8];
  int rgb[3];
  for (int k = 0; k < 3; ++k) rgb[k] = static_cast<int>(stops[lo][k] + t * (stops[lo + 1][k] - stops[lo][k]) + 0.5);
  std::snprintf(hex, sizeof hex, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return hex;
}

inline std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Writes a (T, T) matrix of causal attention weights as an SVG heat map: row i is the query
// token, column j the key token it attends to; each cell shows its weight, and the cells
// above the diagonal (the future, masked to -inf before the softmax) are grey. Returns false
// if the file cannot be written.
inline bool write_attention_svg(const std::string& file, const Tensor& weights, const std::vector<std::string>& tokens,
                                const std::string& caption) {
  const int64_t T = weights.size(0);
  Tensor w = weights.detach().to(DType::Float64);
  const double* v = w.data_ptr<double>();
  const int cell = 56, left = 90, top = 130, bar = 16;
  const int width = left + static_cast<int>(T) * cell + 90, height = top + static_cast<int>(T) * cell + 40;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      << "<title>" << xml_escape(caption) << "</title>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"16\" y=\"24\" font-size=\"14\">" << xml_escape(caption) << "</text>\n"
      << "<text x=\"16\" y=\"44\" font-size=\"12\" fill=\"#555\">row: the query token; column: the token it "
         "attends to</text>\n"
      << "<text x=\"16\" y=\"60\" font-size=\"12\" fill=\"#555\">grey: a later token, masked out</text>\n";
  for (int64_t j = 0; j < T; ++j) {  // column labels, slanted so long words fit
    int x = left + static_cast<int>(j) * cell + cell / 2;
    svg << "<text class=\"key\" x=\"" << x << "\" y=\"" << top - 8 << "\" font-size=\"13\" transform=\"rotate(-40 "
        << x << " " << top - 8 << ")\">" << xml_escape(tokens[static_cast<size_t>(j)]) << "</text>\n";
  }
  for (int64_t i = 0; i < T; ++i) {
    int y = top + static_cast<int>(i) * cell;
    svg << "<text class=\"query\" x=\"" << left - 8 << "\" y=\"" << y + cell / 2 + 5
        << "\" font-size=\"13\" text-anchor=\"end\">" << xml_escape(tokens[static_cast<size_t>(i)]) << "</text>\n";
    for (int64_t j = 0; j < T; ++j) {
      int x = left + static_cast<int>(j) * cell;
      double weight = v[i * T + j];
      bool masked = j > i;
      svg << "<rect class=\"cell\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << cell << "\" height=\"" << cell
          << "\" fill=\"" << (masked ? std::string("#e0e0e0") : colour(weight)) << "\" stroke=\"white\"><title>"
          << xml_escape(tokens[static_cast<size_t>(i)] + " -> " + tokens[static_cast<size_t>(j)] + ": " +
                        (masked ? std::string("masked") : fixed(weight, 4)))
          << "</title></rect>\n";
      if (!masked)
        svg << "<text class=\"value\" x=\"" << x + cell / 2 << "\" y=\"" << y + cell / 2 + 5
            << "\" font-size=\"13\" text-anchor=\"middle\" fill=\"" << (weight > 0.45 ? "white" : "#222") << "\">"
            << fixed(weight, 2) << "</text>\n";
    }
  }
  // The colour scale: a vertical bar from 1 (top) to 0 (bottom).
  const int bx = left + static_cast<int>(T) * cell + 30, bh = static_cast<int>(T) * cell;
  svg << "<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
      << "<stop offset=\"0\" stop-color=\"" << colour(0) << "\"/><stop offset=\"0.5\" stop-color=\"" << colour(0.5)
      << "\"/><stop offset=\"1\" stop-color=\"" << colour(1) << "\"/></linearGradient></defs>\n"
      << "<rect x=\"" << bx << "\" y=\"" << top << "\" width=\"" << bar << "\" height=\"" << bh
      << "\" fill=\"url(#scale)\" stroke=\"#888\"/>\n";
  for (double tick : {0.0, 0.5, 1.0})
    svg << "<text x=\"" << bx + bar + 4 << "\" y=\"" << top + static_cast<int>((1 - tick) * bh) + 4
        << "\" font-size=\"11\">" << fixed(tick, 1) << "</text>\n";
  svg << "</svg>\n";
  std::ofstream out(file);
  out << svg.str();
  return static_cast<bool>(out);
}

}  // namespace attention_ch03

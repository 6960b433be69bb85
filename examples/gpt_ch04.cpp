// gpt_ch04: the book's chapter 4, "Implementing a GPT model from scratch to generate text",
// cell by cell, with the book's seeds: layer normalization, GELU, the feed-forward network,
// shortcut connections, the transformer block, GPTModel(GPT_CONFIG_124M) in training mode
// (the book's printed logits), its parameter count and size, and greedy generation.
// It prints what tools/gpt_book.py prints with PyTorch 1.13, line for line.
//   gpt_ch04 [--config 124M|small] [--check] [--dot FILE] [--print-model]
// --config small: GPT_CONFIG_124M with context_length 64, emb_dim 48, n_heads 4, n_layers 2
// (tests/examples/gpt_ch04_test.cpp compares it with tests/fixtures/gpt_ch04_small.txt).
// --check (124M only): exit 1 unless the logits, counts and generated ids are the book's.
// --dot FILE: write the backward graph of 4.5's TransformerBlock as Graphviz text (core/graph.h).
// --print-model: print the GPTModel's module tree, as print(model) does in PyTorch, and stop.
// Not a training example: the model is untrained, so the generated ids are gibberish.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/llm.h"
#include "nn/nn.h"

using namespace minigrad;

namespace {

// ---- Python's ways of writing numbers, so the text equals the book's ----

// f"{n:,}": 163009536 -> "163,009,536".
std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// ---- 4.4: the book's network of five Linear + GELU layers, with optional shortcuts ----

// [snippet shortcut]
struct ExampleDeepNeuralNetwork : nn::Module {
  ExampleDeepNeuralNetwork(const std::vector<int64_t>& layer_sizes, bool use_shortcut) : use_shortcut(use_shortcut) {
    layers = register_module("layers", std::make_shared<nn::ModuleList>());
    for (std::size_t i = 0; i + 1 < layer_sizes.size(); ++i) {
      // A braced list (evaluated left to right), so the Linear draws its weights first, as in torch.
      layers->push_back(std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
          std::make_shared<nn::Linear>(layer_sizes[i], layer_sizes[i + 1]), std::make_shared<llm::GELU>()}));
    }
  }
  Tensor forward(const Tensor& input) override {
    Tensor x = input;
    for (const auto& layer : *layers) {
      Tensor layer_output = (*layer)(x);
      // A shortcut adds the layer's input to its output (where the shapes allow it).
      x = use_shortcut && x.sizes() == layer_output.sizes() ? x + layer_output : layer_output;
    }
    return x;
  }
  bool use_shortcut;
  std::shared_ptr<nn::ModuleList> layers;
};

void print_gradients(nn::Module& model, const Tensor& x) {
  Tensor output = model(x);
  Tensor target = tensor({0.0f}, {1, 1});
  nn::MSELoss loss_fn;
  Tensor loss = loss_fn(output, target);
  loss.backward();
  for (const auto& [name, param] : model.named_parameters()) {
    if (name.find("weight") == std::string::npos) continue;
    Tensor g = param.grad();
    double mean_abs = where(g < 0, -g, g).mean().item<float>();  // param.grad.abs().mean().item()
    // Four significant digits: the book prints all seventeen of the double, but the last
    // ones depend on the order of float32 sums (they differ between PyTorch builds, too).
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", mean_abs);
    std::cout << name << " has gradient mean of " << text << "\n";
  }
}
// [end shortcut]

int usage(const char* why) {
  std::cerr << "gpt_ch04: " << why << "\nusage: gpt_ch04 [--config 124M|small] [--check] [--dot FILE] [--print-model]\n";
  return 2;
}

// The book's printout for GPT_CONFIG_124M, seed 123, training mode: the first and last three
// logits of each of the eight rows of out (B = 2, T = 4), to the four decimals it prints.
constexpr double kBookLogits[8][6] = {
    {0.3613, 0.4222, -0.0711, 0.3483, 0.4661, -0.2838},   {-0.1792, -0.5660, -0.9485, 0.0477, 0.5181, -0.3168},
    {0.7120, 0.0332, 0.1085, 0.1018, -0.4327, -0.2553},   {-1.0076, 0.3418, -0.1190, 0.7195, 0.4023, 0.0532},
    {-0.2564, 0.0900, 0.0335, 0.2659, 0.4454, -0.6806},   {0.1230, 0.3653, -0.2074, 0.7705, 0.2710, 0.2246},
    {1.0558, 1.0318, -0.2800, 0.6936, 0.3205, -0.3178},   {-0.1565, 0.3926, 0.3288, 1.2630, -0.1858, 0.0388},
};
constexpr int64_t kBookGenerated[10] = {15496, 11, 314, 716, 27018, 24086, 47843, 30961, 42348, 7267};

// --check: the 48 logits rounded to four decimals, the counts and the ids, against the book.
int check_against_book(const Tensor& out, int64_t total_params, int64_t tied_params, const Tensor& generated) {
  int mismatches = 0;
  const float* o = out.data_ptr<float>();
  const int64_t V = out.size(2);
  for (int64_t row = 0; row < 8; ++row) {
    for (int64_t k = 0; k < 6; ++k) {
      int64_t col = k < 3 ? k : V - 6 + k;
      double have = std::round(o[row * V + col] * 1e4), want = std::round(kBookLogits[row][k] * 1e4);
      if (have != want) {
        std::fprintf(stderr, "check: out[%lld][%lld][%lld] = %.6f, the book prints %.4f\n",
                     static_cast<long long>(row / 4), static_cast<long long>(row % 4), static_cast<long long>(col),
                     o[row * V + col], kBookLogits[row][k]);
        ++mismatches;
      }
    }
  }
  if (total_params != 163009536 || tied_params != 124412160) {
    std::fprintf(stderr, "check: %lld and %lld parameters, the book counts 163,009,536 and 124,412,160\n",
                 static_cast<long long>(total_params), static_cast<long long>(tied_params));
    ++mismatches;
  }
  for (int64_t i = 0; i < 10; ++i) {
    if (generated.numel() != 10 || generated.data_ptr<int64_t>()[i] != kBookGenerated[i]) {
      std::fprintf(stderr, "check: the generated ids differ from the book's at position %lld\n",
                   static_cast<long long>(i));
      ++mismatches;
      break;
    }
  }
  std::fprintf(stderr, mismatches == 0 ? "check: everything equals the book's printout\n"
                                       : "check: %d difference(s) from the book\n", mismatches);
  return mismatches == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  llm::GPTConfig cfg = llm::GPT_CONFIG_124M;
  bool small = false, check = false, print_model = false;
  std::string dot_file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--check") {
      check = true;
    } else if (arg == "--print-model") {
      print_model = true;
    } else if (arg == "--dot" && i + 1 < argc) {
      dot_file = argv[++i];
    } else if (arg == "--config" && i + 1 < argc) {
      std::string name = argv[++i];
      if (name == "small") small = true;
      else if (name != "124M") return usage(("unknown config '" + name + "'").c_str());
    } else {
      return usage(("unknown argument '" + arg + "'").c_str());
    }
  }
  if (check && small) return usage("--check compares with the book's 124M printout; drop --config small");
  if (small) {
    cfg.context_length = 64;
    cfg.emb_dim = 48;
    cfg.n_heads = 4;
    cfg.n_layers = 2;
  }

  if (print_model) {  // print(model)
    std::cout << llm::GPTModel(cfg) << "\n";
    return 0;
  }

  std::cout << "== 4.2 Normalizing activations with layer normalization\n";
  // [snippet layernorm]
  manual_seed(123);
  Tensor batch_example = randn({2, 5});
  nn::Sequential layer{std::make_shared<nn::Linear>(5, 6), std::make_shared<nn::ReLU>()};
  Tensor out = layer(batch_example);
  std::cout << out << "\n";
  Tensor mean = out.mean(-1, /*keepdim=*/true);
  Tensor var = out.var(-1, /*unbiased=*/true, /*keepdim=*/true);
  std::cout << "Mean:\n " << mean << "\n";
  std::cout << "Variance:\n " << var << "\n";
  Tensor out_norm = (out - mean) / var.sqrt();
  mean = out_norm.mean(-1, true);
  var = out_norm.var(-1, true, true);
  std::cout << "Normalized layer outputs:\n " << out_norm << "\n";
  // The book prints these means: rounding noise of order 1e-8 whose digits depend on the
  // order of the sums. We print that they are zero to six decimals instead.
  std::cout << "Mean is zero (|mean| < 1e-6):\n " << (mean * mean < 1e-12) << "\n";
  std::cout << "Variance:\n " << var << "\n";
  llm::LayerNorm ln(5);
  Tensor out_ln = ln(batch_example);
  mean = out_ln.mean(-1, true);
  var = out_ln.var(-1, /*unbiased=*/false, true);
  std::cout << "Mean is zero (|mean| < 1e-6):\n " << (mean * mean < 1e-12) << "\n";
  std::cout << "Variance:\n " << var << "\n";
  // [end layernorm]

  std::cout << "\n== 4.3 A feed forward network with GELU activations\n";
  {
    llm::GELU gelu;
    nn::ReLU relu;
    Tensor x = arange(-3.0, 4.0);  // torch.linspace(-3, 3, 7)
    std::cout << "x:    " << x << "\n";
    std::cout << "GELU: " << gelu(x) << "\n";
    std::cout << "ReLU: " << relu(x) << "\n";
    llm::FeedForward ffn(cfg);
    x = rand({2, 3, cfg.emb_dim});
    std::cout << "FeedForward output shape: " << shape_str(ffn(x).sizes()) << "\n";
  }

  std::cout << "\n== 4.4 Adding shortcut connections\n";
  {
    std::vector<int64_t> layer_sizes = {3, 3, 3, 3, 3, 1};
    Tensor sample_input = tensor({1.0f, 0.0f, -1.0f}, {1, 3});
    manual_seed(123);
    ExampleDeepNeuralNetwork model_without_shortcut(layer_sizes, false);
    print_gradients(model_without_shortcut, sample_input);
    std::cout << "\n";
    manual_seed(123);
    ExampleDeepNeuralNetwork model_with_shortcut(layer_sizes, true);
    print_gradients(model_with_shortcut, sample_input);
  }

  std::cout << "\n== 4.5 Connecting attention and linear layers in a transformer block\n";
  {
    manual_seed(123);
    Tensor x = rand({2, 4, cfg.emb_dim});
    llm::TransformerBlock block(cfg);
    Tensor output = block(x);
    std::cout << "Input shape: " << shape_str(x.sizes()) << "\n";
    std::cout << "Output shape: " << shape_str(output.sizes()) << "\n";
    if (!dot_file.empty()) {
      std::ofstream(dot_file) << to_dot(output);
      std::cerr << "wrote the TransformerBlock's backward graph to " << dot_file << "\n";
    }
  }

  std::cout << "\n== 4.6 Coding the GPT model\n";
  // [snippet gpt]
  Tensor batch = tensor({6109, 3626, 6100, 345, 6109, 1110, 6622, 257}, {2, 4});  // "Every effort moves you", "Every day holds a"
  manual_seed(123);
  llm::GPTModel model(cfg);
  Tensor logits = model(batch);  // training mode, as the book's: dropout is active
  std::cout << "Input batch:\n " << batch << "\n";
  std::cout << "\nOutput shape: " << shape_str(logits.sizes()) << "\n";
  std::cout << logits << "\n";
  int64_t total_params = 0;
  for (const Tensor& p : model.parameters()) total_params += p.numel();
  std::cout << "Total number of parameters: " << with_commas(total_params) << "\n";
  std::cout << "Token embedding layer shape: " << shape_str(model.tok_emb->weight.sizes()) << "\n";
  std::cout << "Output layer shape: " << shape_str(model.out_head->weight.sizes()) << "\n";
  // GPT-2 ties out_head's weight to tok_emb's; without that copy the count is GPT-2's "124M".
  int64_t total_params_gpt2 = total_params - model.out_head->weight.numel();
  std::cout << "Number of trainable parameters considering weight tying: " << with_commas(total_params_gpt2) << "\n";
  char size_mb[32];
  std::snprintf(size_mb, sizeof size_mb, "%.2f", static_cast<double>(total_params) * 4 / (1024 * 1024));
  std::cout << "Total size of the model: " << size_mb << " MB\n";
  // [end gpt]

  std::cout << "\n== 4.7 Generating text\n";
  // [snippet generate]
  std::vector<int64_t> encoded = {15496, 11, 314, 716};  // "Hello, I am"
  std::cout << "encoded: [";
  for (std::size_t i = 0; i < encoded.size(); ++i) std::cout << (i ? ", " : "") << encoded[i];
  std::cout << "]\n";
  Tensor encoded_tensor = tensor(encoded).unsqueeze(0);  // (1, 4)
  std::cout << "encoded_tensor.shape: " << shape_str(encoded_tensor.sizes()) << "\n";
  model.eval();  // dropout off
  Tensor generated = llm::generate_text_simple(model, encoded_tensor, 6, cfg.context_length);
  std::cout << "Output: " << generated << "\n";
  std::cout << "Output length: " << generated.size(1) << "\n";
  // [end generate]

  return check ? check_against_book(logits, total_params, total_params_gpt2, generated) : 0;
}

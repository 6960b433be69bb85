// attention_ch03: the book's chapter 3 "Coding attention mechanisms" cells, in C++.
// Self-attention on the six tokens of "Your journey starts with one step": first without
// weights (3.3), then with trainable query, key and value projections (3.4), a causal mask and
// dropout (3.5), and several heads (3.6). With the book's seeds, every printed line is the
// text PyTorch prints, digit for digit, but one sum in 3.3.1 that differs in its last bit
// (tools/make_attention_ch03_expected.py writes torch's printout; tests/examples/attention_ch03_test.cpp
// compares, and says why). --svg FILE draws 3.5.1's causal attention weights as a heat map;
// --section N prints one section. Not a trained model.
#include <cmath>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "examples/attention_ch03_helpers.h"
#include "nn/nn.h"

using namespace minigrad;
using attention_ch03::torch_size;

// [snippet self_attention_v1]
// class SelfAttention_v1(nn.Module): the three projections are plain rand() matrices.
struct SelfAttention_v1 : nn::Module {
  SelfAttention_v1(int64_t d_in, int64_t d_out) {
    W_query = register_parameter("W_query", rand({d_in, d_out}));  // nn.Parameter(torch.rand(d_in, d_out))
    W_key = register_parameter("W_key", rand({d_in, d_out}));
    W_value = register_parameter("W_value", rand({d_in, d_out}));
  }
  Tensor forward(const Tensor& x) override {  // x (T, d_in) -> (T, d_out)
    Tensor keys = x.matmul(W_key);
    Tensor queries = x.matmul(W_query);
    Tensor values = x.matmul(W_value);
    Tensor attn_scores = queries.matmul(keys.t());  // omega (T, T)
    Tensor attn_weights = softmax(attn_scores / std::sqrt(keys.size(-1)), -1);  // keys.shape[-1]**0.5
    return attn_weights.matmul(values);
  }
  Tensor W_query, W_key, W_value;
};
// [end self_attention_v1]

// [snippet self_attention_v2]
// class SelfAttention_v2(nn.Module): the projections are nn.Linear(d_in, d_out, bias=False).
struct SelfAttention_v2 : nn::Module {
  SelfAttention_v2(int64_t d_in, int64_t d_out, bool qkv_bias = false) {
    W_query = register_module("W_query", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    W_key = register_module("W_key", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    W_value = register_module("W_value", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
  }
  Tensor forward(const Tensor& x) override {
    Tensor keys = W_key->forward(x);
    Tensor queries = W_query->forward(x);
    Tensor values = W_value->forward(x);
    Tensor attn_scores = queries.matmul(keys.t());
    Tensor attn_weights = softmax(attn_scores / std::sqrt(keys.size(-1)), -1);
    return attn_weights.matmul(values);
  }
  std::shared_ptr<nn::Linear> W_query, W_key, W_value;
};
// [end self_attention_v2]

// The book's dropout layer is nn.Dropout(p) and its mask a register_buffer; here p is a number
// given to dropout(x, p, is_training()) and the mask a plain member (nn::Dropout and buffers
// are on their way to nn/).
// [snippet causal_attention]
struct CausalAttention : nn::Module {
  CausalAttention(int64_t d_in, int64_t d_out, int64_t context_length, double dropout, bool qkv_bias = false)
      : d_out(d_out), dropout_p(dropout) {
    W_query = register_module("W_query", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    W_key = register_module("W_key", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    W_value = register_module("W_value", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    mask = triu(ones({context_length, context_length}), 1);  // 1 above the diagonal: the future
  }
  Tensor forward(const Tensor& x) override {  // x (b, num_tokens, d_in) -> (b, num_tokens, d_out)
    int64_t num_tokens = x.size(1);
    Tensor keys = W_key->forward(x);
    Tensor queries = W_query->forward(x);
    Tensor values = W_value->forward(x);
    Tensor attn_scores = queries.matmul(keys.transpose(1, 2));  // (b, num_tokens, num_tokens)
    // attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf), in place
    attn_scores.masked_fill_(mask.to(DType::Bool).slice(0, {}, num_tokens).slice(1, {}, num_tokens), -INFINITY);
    Tensor attn_weights = softmax(attn_scores / std::sqrt(keys.size(-1)), -1);
    attn_weights = dropout(attn_weights, dropout_p, is_training());
    return attn_weights.matmul(values);
  }
  int64_t d_out;
  double dropout_p;
  std::shared_ptr<nn::Linear> W_query, W_key, W_value;
  Tensor mask;  // (context_length, context_length)
};
// [end causal_attention]

// [snippet wrapper]
// nn.ModuleList(heads): a plain Module holding the heads as children "0", "1", ..., so their
// parameters are named "heads.0.W_query.weight" as torch names them; `heads` keeps them in order.
struct MultiHeadAttentionWrapper : nn::Module {
  MultiHeadAttentionWrapper(int64_t d_in, int64_t d_out, int64_t context_length, double dropout, int64_t num_heads,
                            bool qkv_bias = false) {
    auto list = std::make_shared<nn::Module>();
    for (int64_t i = 0; i < num_heads; ++i)
      heads.push_back(list->register_module(std::to_string(i), std::make_shared<CausalAttention>(
                                                                   d_in, d_out, context_length, dropout, qkv_bias)));
    register_module("heads", list);  // after its children, so their labels get the "heads." prefix too
  }
  Tensor forward(const Tensor& x) override {  // torch.cat([head(x) for head in self.heads], dim=-1)
    std::vector<Tensor> outputs;
    for (auto& head : heads) outputs.push_back(head->forward(x));
    return cat(outputs, -1);
  }
  std::vector<std::shared_ptr<CausalAttention>> heads;
};
// [end wrapper]

// [snippet multi_head_attention]
struct MultiHeadAttention : nn::Module {
  MultiHeadAttention(int64_t d_in, int64_t d_out, int64_t context_length, double dropout, int64_t num_heads,
                     bool qkv_bias = false)
      : d_out(d_out), num_heads(num_heads), head_dim(d_out / num_heads), dropout_p(dropout) {
    if (d_out % num_heads != 0) throw std::invalid_argument("d_out must be divisible by num_heads");
    W_query = register_module("W_query", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    W_key = register_module("W_key", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    W_value = register_module("W_value", std::make_shared<nn::Linear>(d_in, d_out, qkv_bias));
    out_proj = register_module("out_proj", std::make_shared<nn::Linear>(d_out, d_out));  // combines the heads
    mask = triu(ones({context_length, context_length}), 1);
  }
  Tensor forward(const Tensor& x) override {
    int64_t b = x.size(0), num_tokens = x.size(1);
    Tensor keys = W_key->forward(x);  // (b, num_tokens, d_out)
    Tensor queries = W_query->forward(x);
    Tensor values = W_value->forward(x);
    // Split the last dim into heads: (b, num_tokens, d_out) -> (b, num_tokens, num_heads, head_dim)
    keys = keys.view({b, num_tokens, num_heads, head_dim});
    values = values.view({b, num_tokens, num_heads, head_dim});
    queries = queries.view({b, num_tokens, num_heads, head_dim});
    // (b, num_tokens, num_heads, head_dim) -> (b, num_heads, num_tokens, head_dim)
    keys = keys.transpose(1, 2);
    queries = queries.transpose(1, 2);
    values = values.transpose(1, 2);
    Tensor attn_scores = queries.matmul(keys.transpose(2, 3));  // (b, num_heads, num_tokens, num_tokens)
    Tensor mask_bool = mask.to(DType::Bool).slice(0, {}, num_tokens).slice(1, {}, num_tokens);
    attn_scores.masked_fill_(mask_bool, -INFINITY);
    Tensor attn_weights = softmax(attn_scores / std::sqrt(keys.size(-1)), -1);
    attn_weights = dropout(attn_weights, dropout_p, is_training());
    Tensor context_vec = attn_weights.matmul(values).transpose(1, 2);  // (b, num_tokens, num_heads, head_dim)
    context_vec = context_vec.contiguous().view({b, num_tokens, d_out});  // the heads side by side again
    return out_proj->forward(context_vec);
  }
  int64_t d_out, num_heads, head_dim;
  double dropout_p;
  std::shared_ptr<nn::Linear> W_query, W_key, W_value, out_proj;
  Tensor mask;
};
// [end multi_head_attention]

int main(int argc, char** argv) {
  attention_ch03::Options options = attention_ch03::parse_args(argc, argv);
  attention_ch03::Sections sections(options.section);

  // [snippet inputs]
  Tensor inputs = tensor({0.43f, 0.15f, 0.89f,   // Your     (x^1)
                          0.55f, 0.87f, 0.66f,   // journey  (x^2)
                          0.57f, 0.85f, 0.64f,   // starts   (x^3)
                          0.22f, 0.58f, 0.33f,   // with     (x^4)
                          0.77f, 0.25f, 0.10f,   // one      (x^5)
                          0.05f, 0.80f, 0.55f},  // step     (x^6)
                         {6, 3});
  // [end inputs]
  const std::vector<std::string> words = {"Your", "journey", "starts", "with", "one", "step"};

  sections.begin("3.3.1", "A simple self-attention mechanism without trainable weights");
  // [snippet simple]
  Tensor query = inputs.select(0, 1);  // inputs[1]: the 2nd token is the query
  // The book fills torch.empty(6) in a loop; we stack the six dot products instead.
  std::vector<Tensor> dots;
  for (int64_t i = 0; i < inputs.size(0); ++i) dots.push_back(inputs.select(0, i).dot(query));
  Tensor attn_scores_2 = stack(dots);
  std::cout << attn_scores_2 << "\n";

  Tensor attn_weights_2_tmp = attn_scores_2 / attn_scores_2.sum();
  std::cout << "Attention weights: " << attn_weights_2_tmp << "\n";
  std::cout << "Sum: " << attn_weights_2_tmp.sum() << "\n";

  auto softmax_naive = [](const Tensor& x) { return x.exp() / x.exp().sum(0); };
  Tensor attn_weights_2_naive = softmax_naive(attn_scores_2);
  std::cout << "Attention weights: " << attn_weights_2_naive << "\n";
  std::cout << "Sum: " << attn_weights_2_naive.sum() << "\n";

  Tensor attn_weights_2 = softmax(attn_scores_2, 0);
  std::cout << "Attention weights: " << attn_weights_2 << "\n";
  std::cout << "Sum: " << attn_weights_2.sum() << "\n";

  Tensor context_vec_2 = zeros(query.sizes());
  for (int64_t i = 0; i < inputs.size(0); ++i) context_vec_2.add_(attn_weights_2.select(0, i) * inputs.select(0, i));
  std::cout << context_vec_2 << "\n";
  // [end simple]

  sections.begin("3.3.2", "Computing attention weights for all input tokens");
  // [snippet all]
  Tensor attn_scores = inputs.matmul(inputs.t());  // inputs @ inputs.T: every pair's dot product
  std::cout << attn_scores << "\n";
  Tensor attn_weights = softmax(attn_scores, -1);
  std::cout << attn_weights << "\n";
  std::cout << "All row sums: " << attn_weights.sum(-1) << "\n";
  Tensor all_context_vecs = attn_weights.matmul(inputs);
  std::cout << all_context_vecs << "\n";
  std::cout << "Previous 2nd context vector: " << context_vec_2 << "\n";
  // [end all]

  sections.begin("3.4.1", "Computing the attention weights step by step");
  // [snippet weights]
  Tensor x_2 = inputs.select(0, 1);
  int64_t d_in = inputs.size(1), d_out = 2;
  manual_seed(123);
  // torch.nn.Parameter(torch.rand(d_in, d_out), requires_grad=False): a plain tensor
  Tensor W_query = rand({d_in, d_out});
  Tensor W_key = rand({d_in, d_out});
  Tensor W_value = rand({d_in, d_out});
  Tensor query_2 = x_2.matmul(W_query);
  std::cout << query_2 << "\n";

  Tensor keys = inputs.matmul(W_key);
  Tensor values = inputs.matmul(W_value);
  std::cout << "keys.shape: " << torch_size(keys) << "\n";
  std::cout << "values.shape: " << torch_size(values) << "\n";

  Tensor keys_2 = keys.select(0, 1);
  Tensor attn_score_22 = query_2.dot(keys_2);
  std::cout << attn_score_22 << "\n";
  attn_scores_2 = query_2.matmul(keys.t());  // all attention scores for the query
  std::cout << attn_scores_2 << "\n";

  int64_t d_k = keys.size(1);
  attn_weights_2 = softmax(attn_scores_2 / std::pow(d_k, 0.5), -1);  // d_k**0.5
  std::cout << attn_weights_2 << "\n";
  context_vec_2 = attn_weights_2.matmul(values);
  std::cout << context_vec_2 << "\n";
  // [end weights]

  sections.begin("3.4.2", "Implementing a compact self-attention Python class");
  // [snippet compact]
  manual_seed(123);
  SelfAttention_v1 sa_v1(d_in, d_out);
  std::cout << sa_v1(inputs) << "\n";

  manual_seed(789);
  SelfAttention_v2 sa_v2(d_in, d_out);
  std::cout << sa_v2(inputs) << "\n";
  // [end compact]

  sections.begin("3.5.1", "Applying a causal attention mask");
  // [snippet causal]
  Tensor queries = sa_v2.W_query->forward(inputs);  // reuse sa_v2's projections
  keys = sa_v2.W_key->forward(inputs);
  attn_scores = queries.matmul(keys.t());
  attn_weights = softmax(attn_scores / std::sqrt(keys.size(-1)), -1);
  std::cout << attn_weights << "\n";

  int64_t context_length = attn_scores.size(0);
  Tensor mask_simple = tril(ones({context_length, context_length}));
  std::cout << mask_simple << "\n";
  Tensor masked_simple = attn_weights * mask_simple;
  std::cout << masked_simple << "\n";
  Tensor row_sums = masked_simple.sum(-1, /*keepdim=*/true);
  Tensor masked_simple_norm = masked_simple / row_sums;
  std::cout << masked_simple_norm << "\n";

  Tensor mask = triu(ones({context_length, context_length}), /*diagonal=*/1);
  Tensor masked = attn_scores.masked_fill(mask.to(DType::Bool), -INFINITY);  // mask.bool(), -torch.inf
  std::cout << masked << "\n";
  attn_weights = softmax(masked / std::sqrt(keys.size(-1)), -1);
  std::cout << attn_weights << "\n";
  // [end causal]
  if (!options.svg_file.empty()) {
    if (!attention_ch03::write_attention_svg(options.svg_file, attn_weights, words,
                                             "Causal attention weights, section 3.5.1 (SelfAttention_v2, seed 789)")) {
      std::cerr << "attention_ch03: cannot write " << options.svg_file << "\n";
      return 1;
    }
    std::cerr << "wrote " << options.svg_file << "\n";
  }

  sections.begin("3.5.2", "Masking additional attention weights with dropout");
  // [snippet dropout]
  manual_seed(123);
  double p = 0.5;  // torch.nn.Dropout(0.5), in training mode
  Tensor example = ones({6, 6});
  std::cout << dropout(example, p, /*train=*/true) << "\n";
  manual_seed(123);
  std::cout << dropout(attn_weights, p, /*train=*/true) << "\n";
  // [end dropout]

  sections.begin("3.5.3", "Implementing a compact causal attention class");
  // [snippet batch]
  Tensor batch = stack({inputs, inputs}, 0);
  std::cout << torch_size(batch) << "\n";  // 2 inputs of 6 tokens, each a 3-vector

  manual_seed(123);
  context_length = batch.size(1);
  CausalAttention ca(d_in, d_out, context_length, 0.0);
  Tensor context_vecs = ca(batch);
  std::cout << context_vecs << "\n";
  std::cout << "context_vecs.shape: " << torch_size(context_vecs) << "\n";
  // [end batch]

  sections.begin("3.6.1", "Stacking multiple single-head attention layers");
  // [snippet heads]
  manual_seed(123);
  MultiHeadAttentionWrapper wrapper(d_in, d_out, context_length, 0.0, /*num_heads=*/2);
  context_vecs = wrapper(batch);
  std::cout << context_vecs << "\n";
  std::cout << "context_vecs.shape: " << torch_size(context_vecs) << "\n";
  // [end heads]

  sections.begin("3.6.2", "Implementing multi-head attention with weight splits");
  // [snippet mha]
  manual_seed(123);
  MultiHeadAttention mha(d_in, d_out, context_length, 0.0, /*num_heads=*/2);
  context_vecs = mha(batch);
  std::cout << context_vecs << "\n";
  std::cout << "context_vecs.shape: " << torch_size(context_vecs) << "\n";
  // [end mha]

  // [snippet batched_matmul]
  // (b, num_heads, num_tokens, head_dim) = (1, 2, 3, 4)
  Tensor a = tensor({0.2745f, 0.6584f, 0.2775f, 0.8573f,  //
                     0.8993f, 0.0390f, 0.9268f, 0.7388f,  //
                     0.7179f, 0.7058f, 0.9156f, 0.4340f,  //

                     0.0772f, 0.3565f, 0.1479f, 0.5331f,  //
                     0.4066f, 0.2318f, 0.4545f, 0.9737f,  //
                     0.4606f, 0.5159f, 0.4220f, 0.5786f},
                    {1, 2, 3, 4});
  std::cout << a.matmul(a.transpose(2, 3)) << "\n";  // one (3, 3) product per head
  Tensor first_head = a.select(0, 0).select(0, 0);   // a[0, 0, :, :]
  Tensor first_res = first_head.matmul(first_head.t());
  std::cout << "First head:\n " << first_res << "\n";
  Tensor second_head = a.select(0, 0).select(0, 1);  // a[0, 1, :, :]
  Tensor second_res = second_head.matmul(second_head.t());
  std::cout << "\nSecond head:\n " << second_res << "\n";
  // [end batched_matmul]

  sections.end();
  return 0;
}

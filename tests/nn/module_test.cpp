// Checks nn/module.cpp: registration order, dotted names and tensor labels, de-duplication
// of tied weights, zero_grad both ways, train/eval recursion, the registration errors; buffers,
// state_dict's order and load_state_dict's errors against PyTorch 1.13 (tools/make_module_fixtures.py),
// Module::to, and printing a module tree as print(model) does.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::throws_with;

// A two-layer model built the way a user builds one.
struct Bigram : nn::Module {
  Bigram() {
    emb = register_module("emb", std::make_shared<nn::Embedding>(5, 3));
    head = register_module("head", std::make_shared<nn::Linear>(3, 5));
    scale = register_parameter("scale", ones({1}));
  }
  Tensor forward(const Tensor& ids) override { return head->forward(emb->forward(ids)) * scale; }
  std::shared_ptr<nn::Embedding> emb;
  std::shared_ptr<nn::Linear> head;
  Tensor scale;
};

// torch's order: a module's own parameters first, then each child's, children in
// registration order (torch lists Bigram's as scale, emb.weight, head.weight, head.bias).
TEST(NnModule, ParametersInTorchsOrderWithDottedNames) {
  Bigram m;
  auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "scale");
  EXPECT_EQ(named[1].first, "emb.weight");
  EXPECT_EQ(named[2].first, "head.weight");
  EXPECT_EQ(named[3].first, "head.bias");
  EXPECT_TRUE(named[1].second.is_same(m.emb->weight));
  EXPECT_TRUE(named[3].second.is_same(m.head->bias));
  // Each tensor's label is its path, for printing and graph export.
  EXPECT_EQ(m.emb->weight.name(), "emb.weight");
  EXPECT_EQ(m.head->bias.name(), "head.bias");
  EXPECT_EQ(m.scale.name(), "scale");
  auto params = m.parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_TRUE(params[2].is_same(m.head->weight));
  for (const Tensor& p : params) EXPECT_TRUE(p.requires_grad());
  // Without recursion only the module's own.
  ASSERT_EQ(m.parameters(false).size(), 1u);
  EXPECT_EQ(m.named_children().size(), 2u);
}

TEST(NnModule, NestingTwiceRelabelsWithTheFullPath) {
  nn::Module outer;
  auto inner = std::make_shared<Bigram>();
  outer.register_module("model", inner);
  auto named = outer.named_parameters();
  EXPECT_EQ(named[0].first, "model.scale");
  EXPECT_EQ(named[1].first, "model.emb.weight");
  EXPECT_EQ(inner->emb->weight.name(), "model.emb.weight");
}

TEST(NnModule, TiedWeightsAreListedOnce) {
  nn::Module m;
  auto a = m.register_module("a", std::make_shared<nn::Linear>(3, 3, false));
  auto b = m.register_module("b", std::make_shared<nn::Linear>(3, 3, false));
  b->weight = b->register_parameter("weight", a->weight);  // tie b to a, as GPT ties wte and lm_head
  auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].first, "a.weight");
}

TEST(NnModule, RegisteringAnExistingNameReplacesInPlace) {
  nn::Linear lin(2, 3);
  Tensor w = zeros({3, 2});
  lin.weight = lin.register_parameter("weight", w);
  auto named = lin.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");  // kept its place before bias
  EXPECT_TRUE(named[0].second.is_same(w));
  EXPECT_TRUE(w.requires_grad());
}

TEST(NnModule, ZeroGradDropsOrZeroes) {
  manual_seed(0);
  Bigram m;
  Tensor loss = m(tensor({1, 2})).sum();
  loss.backward();
  for (const Tensor& p : m.parameters()) ASSERT_TRUE(p.grad().defined());
  m.zero_grad(false);
  for (const Tensor& p : m.parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_EQ(p.grad().sum().item<float>(), 0.0f);
    EXPECT_EQ(p.grad().pow(2).sum().item<float>(), 0.0f);
  }
  m.zero_grad();
  for (const Tensor& p : m.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(NnModule, TrainAndEvalReachEverySubmodule) {
  Bigram m;
  EXPECT_TRUE(m.is_training());
  m.eval();
  EXPECT_FALSE(m.is_training());
  EXPECT_FALSE(m.emb->is_training());
  EXPECT_FALSE(m.head->is_training());
  m.train();
  EXPECT_TRUE(m.head->is_training());
}

TEST(NnModule, OperatorCallsForward) {
  manual_seed(3);
  nn::Linear lin(4, 2);
  Tensor x = randn({3, 4});
  EXPECT_TRUE(testing::all_close(lin(x), lin.forward(x), 0));
  nn::Module bare;
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { bare(x); }, {"no forward"}));
}

TEST(NnModule, RegistrationErrors) {
  nn::Module m;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("", zeros({1})); }, {"empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("a.b", zeros({1})); }, {"a.b", "'.'"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("ids", tensor({1, 2})); },
                                                 {"ids", "torch.int64"}));
  Tensor leaf = ones({2}).requires_grad_();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("w", leaf * 2.0); },
                                                 {"w", "MulBackward0", "leaf"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { m.register_module("sub", std::shared_ptr<nn::Linear>()); }, {"sub", "null"}));
  m.register_parameter("w", zeros({1}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { m.register_module("w", std::make_shared<nn::Linear>(1, 1)); }, {"w", "parameter"}));
}

// ---- buffers, state_dict, load_state_dict, to, printing ----

const std::string& text(const std::string& name) { return testing::text_record("nn_module_text.txt", name); }

std::string keys(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::string out;
  for (const auto& [n, t] : named) out += (out.empty() ? "" : "\n") + n;
  return out;
}

std::string printed(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

using Modules = std::vector<std::shared_ptr<nn::Module>>;

// tools/make_module_fixtures.py's Tiny, registered in the same order: Block registers a
// sub-module, then a buffer, then a parameter, which state_dict lists parameter, buffer, child.
struct Block : nn::Module {
  Block() {
    att = register_module("att", std::make_shared<nn::Linear>(4, 4, false));
    mask = register_buffer("mask", triu(ones({3, 3}), 1));
    scale = register_parameter("scale", ones({4}));
    ff = register_module("ff", std::make_shared<nn::Sequential>(Modules{
                                   std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::GELU>(),
                                   std::make_shared<nn::Linear>(8, 4)}));
    register_module("drop", std::make_shared<nn::Dropout>(0.1));
  }
  std::string name() const override { return "Block"; }
  std::shared_ptr<nn::Linear> att;
  std::shared_ptr<nn::Sequential> ff;
  Tensor mask, scale;
};

struct Tiny : nn::Module {
  Tiny() {
    tok_emb = register_module("tok_emb", std::make_shared<nn::Embedding>(10, 4));
    steps = register_buffer("steps", zeros({}, DType::Int64));
    blocks = register_module("blocks",
                             std::make_shared<nn::Sequential>(Modules{std::make_shared<Block>(), std::make_shared<Block>()}));
    norm = register_module("norm", std::make_shared<nn::LayerNorm>(Shape{4}));
    heads = register_module("heads", std::make_shared<nn::ModuleList>());
    auto head = heads->push_back(std::make_shared<nn::Linear>(4, 10, false));
    head->weight = head->register_parameter("weight", tok_emb->weight);  // tied, as GPT-2's
  }
  std::string name() const override { return "Tiny"; }
  std::shared_ptr<nn::Embedding> tok_emb;
  std::shared_ptr<nn::Sequential> blocks;
  std::shared_ptr<nn::LayerNorm> norm;
  std::shared_ptr<nn::ModuleList> heads;
  Tensor steps;
};

TEST(NnModule, StateDictInTorchsOrder) {
  Tiny m;
  auto state = m.state_dict();
  EXPECT_EQ(keys(state), text("state_dict_keys"));
  EXPECT_EQ(keys(m.named_parameters()), text("named_parameters_keys"));
  EXPECT_EQ(keys(m.named_buffers()), text("named_buffers_keys"));
  ASSERT_EQ(m.buffers().size(), 3u);
  EXPECT_TRUE(m.buffers()[1].is_same(m.blocks->at<Block>(0)->mask));
  // Entries are detached handles on the module's own storage: no grad, same bytes.
  for (const auto& [n, t] : state) EXPECT_FALSE(t.requires_grad()) << n;
  EXPECT_EQ(state[1].second.raw_data(), m.tok_emb->weight.raw_data());
  EXPECT_EQ(state.back().second.raw_data(), m.tok_emb->weight.raw_data());  // heads.0.weight, tied
  EXPECT_EQ(m.blocks->at<Block>(1)->mask.name(), "blocks.1.mask");
}

TEST(NnModule, LoadStateDictRoundTripsExactly) {
  manual_seed(1);
  Tiny a;
  {
    NoGradGuard no_grad;
    a.steps.fill_(7);
    a.blocks->at<Block>(0)->scale.normal_();
  }
  manual_seed(2);
  Tiny b;
  b.load_state_dict(a.state_dict());
  auto sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_TRUE(testing::bitwise_equal(sb[i].second, sa[i].second)) << sa[i].first;
    EXPECT_NE(sb[i].second.raw_data(), sa[i].second.raw_data()) << "copied, not shared: " << sa[i].first;
  }
  // Copied in place: b's handles, requires_grad, and its tie are untouched.
  EXPECT_TRUE(b.heads->at<nn::Linear>(0)->weight.is_same(b.tok_emb->weight));
  EXPECT_TRUE(b.tok_emb->weight.requires_grad());
  EXPECT_TRUE(b.tok_emb->weight.is_leaf());
  EXPECT_EQ(b.steps.item<int64_t>(), 7);
}

TEST(NnModule, LoadStateDictErrorsReadAsTorchs) {
  nn::Linear lin(2, 3);
  using State = std::vector<std::pair<std::string, Tensor>>;
  auto message = [&](const State& state, bool strict = true) -> std::string {
    try {
      lin.load_state_dict(state, strict);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  };
  Tensor before = lin.weight.clone();
  EXPECT_EQ(message({{"weight", zeros({3, 2})}}), text("error_missing"));
  EXPECT_EQ(message({{"weight", zeros({3, 2})}, {"bias", zeros({3})}, {"extra", zeros({1})}}),
            text("error_unexpected"));
  EXPECT_EQ(message({{"weight", zeros({3, 3})}, {"bias", zeros({3})}}), text("error_size"));
  EXPECT_EQ(message({{"weight", zeros({2, 3})}, {"x", zeros({1})}, {"y", zeros({1})}}), text("error_all"));
  EXPECT_EQ(message({{"weight", zeros({3, 3})}}, false), text("error_size_not_strict"));
  // A failed load copies nothing (torch would have copied the entries that fit).
  EXPECT_TRUE(testing::bitwise_equal(lin.weight, before));

  Tiny tiny;
  auto state = Tiny().state_dict();
  std::erase_if(state, [](const auto& e) { return e.first == "steps" || e.first == "blocks.1.mask"; });
  try {
    tiny.load_state_dict(state);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), text("error_nested"));
  }
}

TEST(NnModule, LoadStateDictNonStrictSkipsMissingAndUnexpected) {
  nn::Linear lin(2, 3);
  Tensor bias = lin.bias.clone();
  lin.load_state_dict({{"weight", full({3, 2}, 0.5, DType::Float64)}, {"extra", zeros({1})}}, false);
  EXPECT_TRUE(testing::all_close(lin.weight, full({3, 2}, 0.5), 0));
  EXPECT_EQ(lin.weight.dtype(), DType::Float32);  // converted into the module's dtype, as copy_
  EXPECT_TRUE(testing::bitwise_equal(lin.bias, bias));
}

TEST(NnModule, BuffersAreStateButNotParameters) {
  nn::Module m;
  Tensor mask = m.register_buffer("mask", ones({2, 2}));
  m.register_parameter("w", zeros({2}));
  EXPECT_EQ(m.parameters().size(), 1u);
  ASSERT_EQ(m.buffers().size(), 1u);
  EXPECT_TRUE(m.buffers()[0].is_same(mask));
  EXPECT_FALSE(mask.requires_grad());
  EXPECT_EQ(mask.name(), "mask");
  // Registering the name again replaces the buffer in place; undefined is kept but skipped.
  Tensor other = m.register_buffer("mask", zeros({3}));
  m.register_buffer("none", Tensor());
  ASSERT_EQ(m.buffers().size(), 1u);
  EXPECT_TRUE(m.buffers()[0].is_same(other));
  EXPECT_EQ(keys(m.state_dict()), "w\nmask");
  // One name, one kind.
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_buffer("w", ones({1})); },
                                                 {"register_buffer", "\"w\"", "parameter"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_parameter("mask", ones({1})); },
                                                 {"register_parameter", "\"mask\"", "buffer"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { m.register_module("mask", std::make_shared<nn::ReLU>()); }, {"register_module", "buffer"}));
  m.register_module("sub", std::make_shared<nn::ReLU>());
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_buffer("sub", ones({1})); },
                                                 {"register_buffer", "sub-module"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.register_buffer("a.b", ones({1})); }, {"'.'"}));
}

TEST(NnModule, ToConvertsFloatingTensorsInPlace) {
  manual_seed(4);
  Tiny m;
  Tensor w = m.blocks->at<Block>(0)->att->weight;  // a handle held outside, as an optimizer holds one
  Tensor w_before = w.clone();
  (w * w).sum().backward();
  std::vector<Tensor> params = m.parameters();
  EXPECT_EQ(&m.to(DType::Float64), &m);
  EXPECT_EQ(w.dtype(), DType::Float64);
  EXPECT_TRUE(testing::all_close(w, w_before.to(DType::Float64), 0));
  EXPECT_TRUE(testing::all_close(w.grad(), (w_before * 2.0).to(DType::Float64), 0));
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
  std::vector<Tensor> after = m.parameters();
  ASSERT_EQ(after.size(), params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_TRUE(after[i].is_same(params[i]));
    EXPECT_EQ(after[i].dtype(), DType::Float64);
  }
  // Floating buffers convert, Int64 ones stay (torch's module.to(dtype) casts floating ones only).
  EXPECT_EQ(m.blocks->at<Block>(1)->mask.dtype(), DType::Float64);
  EXPECT_EQ(m.steps.dtype(), DType::Int64);
  EXPECT_TRUE(m.heads->at<nn::Linear>(0)->weight.is_same(m.tok_emb->weight));
  m.to(DType::Float32);
  EXPECT_TRUE(testing::bitwise_equal(w, w_before));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { m.to(DType::Int64); }, {"Tiny.to", "torch.int64"}));
}

// The reason to(Float64) exists: a float64 finite-difference check through a whole model.
TEST(NnModule, ToFloat64AllowsAGradcheckThroughASequential) {
  manual_seed(5);
  nn::Sequential seq{std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::GELU>(),
                     std::make_shared<nn::Linear>(4, 2)};
  seq.to(DType::Float64);
  std::vector<Tensor> inputs{randn({2, 3}, DType::Float64).requires_grad_()};
  for (const Tensor& p : seq.parameters()) inputs.push_back(p);  // the same tensors: perturbed in place
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return seq(in[0]); }, inputs));
}

TEST(NnModule, PrintsAsPyTorch) {
  EXPECT_EQ(printed(Tiny()), text("print_tiny"));
  nn::Sequential layers{
      std::make_shared<nn::Linear>(768, 50257, false), std::make_shared<nn::Embedding>(50257, 768),
      std::make_shared<nn::Embedding>(5, 3, nn::EmbeddingOptions{.padding_idx = -1}),
      std::make_shared<nn::Dropout>(0.1), std::make_shared<nn::Dropout>(0.0), std::make_shared<nn::GELU>(),
      std::make_shared<nn::GELU>("tanh"), std::make_shared<nn::ReLU>(), std::make_shared<nn::LayerNorm>(Shape{768}),
      std::make_shared<nn::LayerNorm>(Shape{3, 4}, nn::LayerNormOptions{.eps = 1e-6, .elementwise_affine = false}),
      std::make_shared<nn::MSELoss>(), std::make_shared<nn::ModuleList>(), std::make_shared<nn::Sequential>(),
      std::make_shared<nn::Module>()};
  EXPECT_EQ(printed(layers), text("print_layers"));
  nn::ModuleList list{std::make_shared<nn::Linear>(2, 3), std::make_shared<nn::Sequential>(Modules{std::make_shared<nn::ReLU>()})};
  EXPECT_EQ(printed(list), text("print_module_list"));
}

}  // namespace
}  // namespace minigrad

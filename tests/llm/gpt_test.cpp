// Checks llm/gpt.cpp against the book's PyTorch GPTModel (tests/fixtures/gpt.txt, written by
// tools/make_gpt_fixtures.py): logits, loss and every parameter's gradient on five reduced
// configurations, training-mode dropout draw for draw; generate_text_simple's greedy ids;
// state_dict's keys in PyTorch's order and a load_state_dict round trip; the input errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/data.h"
#include "llm/gpt.h"
#include "tests/fixture.h"
#include "tests/llm/gpt_test.h"
#include "tests/testing.h"
#include "tests/paths.h"

namespace minigrad {
namespace {

using testing::close_to_torch;
using testing::Fixture;
using testing::GPTCase;
using testing::throws_with;
using testing::Tolerance;

class GPTModelTest : public ::testing::TestWithParam<GPTCase> {};

TEST_P(GPTModelTest, LogitsLossAndEveryGradientMatchTorch) {
  const GPTCase& c = GetParam();
  const Fixture& f = Fixture::get("gpt.txt");
  manual_seed(c.seed);
  llm::GPTModel model(c.cfg);
  model.train(c.train);
  Tensor ids = f[c.tag + ".ids"];  // (B, T + 1)
  const int64_t T = ids.size(1) - 1;
  Tensor logits = model(ids.slice(1, 0, T));  // (B, T, V)
  ASSERT_TRUE(close_to_torch(logits, f[c.tag + ".logits"]));
  Tensor loss = cross_entropy(logits.flatten(0, 1), ids.slice(1, 1).flatten());
  EXPECT_TRUE(close_to_torch(loss, f[c.tag + ".loss"]));
  loss.backward();
  int checked = 0;
  for (const auto& [name, param] : model.named_parameters()) {
    ASSERT_TRUE(f.has(c.tag + ".grad." + name)) << name << " is not a parameter of the book's model";
    Tensor torch_grad = f[c.tag + ".grad." + name];
    if (name.ends_with("att.W_key.bias")) {
      // Exactly zero in exact arithmetic: the key bias adds q . b_k to a whole row of scores,
      // and softmax ignores a row's constant. Both sides hold rounding noise of order 1e-10.
      EXPECT_TRUE(testing::all_close(param.grad(), zeros_like(torch_grad), Tolerance{.atol = 1e-7}));
      EXPECT_TRUE(testing::all_close(torch_grad, zeros_like(torch_grad), Tolerance{.atol = 1e-7}));
    } else {
      EXPECT_TRUE(close_to_torch(param.grad(), torch_grad)) << name;
    }
    ++checked;
  }
  // Per block: 5 or 8 tensors of attention, 4 of feed-forward, 4 of LayerNorm; plus 5 outside.
  EXPECT_EQ(checked, 5 + c.cfg.n_layers * (c.cfg.qkv_bias ? 16 : 13));
}

// GPTModel::loss (out_head and the loss fused) against the book's composite on the same draws:
// the loss and every parameter's gradient bit for bit, and so torch's loss.
TEST_P(GPTModelTest, FusedLossGivesTheCompositesBits) {
  const GPTCase& c = GetParam();
  const Fixture& f = Fixture::get("gpt.txt");
  Tensor ids = f[c.tag + ".ids"], in = ids.slice(1, 0, ids.size(1) - 1), target = ids.slice(1, 1);
  std::vector<Tensor> runs[2];
  for (int fused = 0; fused < 2; ++fused) {
    manual_seed(c.seed);
    llm::GPTModel model(c.cfg);
    model.train(c.train);
    Tensor loss = fused ? model.loss(in, target) : cross_entropy(model(in).flatten(0, 1), target.flatten());
    loss.backward();
    runs[fused].push_back(loss);
    for (const Tensor& p : model.parameters()) runs[fused].push_back(p.grad());
  }
  EXPECT_TRUE(close_to_torch(runs[1][0], f[c.tag + ".loss"]));
  for (size_t i = 0; i < runs[0].size(); ++i) EXPECT_TRUE(testing::all_close(runs[1][i], runs[0][i], 0)) << i;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GPTModelTest, ::testing::ValuesIn(testing::gpt_cases()),
                         [](const auto& info) { return info.param.tag; });

TEST(GPTModel, GenerateTextSimpleIsTorchsGreedyContinuation) {
  const GPTCase& c = testing::gpt_cases()[0];  // eval_nobias
  const Fixture& f = Fixture::get("gpt.txt");
  manual_seed(c.seed);
  llm::GPTModel model(c.cfg);
  model.eval();
  // The first three ids, five new tokens, a context of four: the crop is exercised.
  Tensor out = llm::generate_text_simple(model, f[c.tag + ".ids"].slice(1, 0, 3), 5, 4);
  EXPECT_TRUE(testing::bitwise_equal(out, f[c.tag + ".generate"]));
  EXPECT_FALSE(out.requires_grad());
}

// The keys, dtypes and shapes of tests/fixtures/gpt_state_dict.txt, in its order.
std::vector<std::string> torch_state_dict_lines() {
  std::ifstream in(std::string(MINIGRAD_FIXTURE_DIR) + "/gpt_state_dict.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  return lines;
}

TEST(GPTModel, StateDictHasTorchsKeysInTorchsOrder) {
  manual_seed(0);
  llm::GPTModel model(testing::gpt_cases()[1].cfg);  // qkv_bias on
  std::vector<std::string> ours;
  for (const auto& [key, t] : model.state_dict()) {
    std::string dtype = dtype_name(t.dtype()).substr(6);  // "torch.float32" -> "float32"
    ours.push_back(key + " " + dtype + " " + shape_str(t.sizes()));
  }
  EXPECT_EQ(ours, torch_state_dict_lines());
}

TEST(GPTModel, PrintsItsModuleTreeAsTorchPrintsTheBooksModel) {
  // tools/gpt_book.py's GPT_CONFIG_SMALL: GPT-2's vocabulary, 64 positions, 48 channels, 4 heads, 2 blocks.
  llm::GPTConfig small = llm::GPT_CONFIG_124M;
  small.context_length = 64;
  small.emb_dim = 48;
  small.n_heads = 4;
  small.n_layers = 2;
  manual_seed(0);
  std::ostringstream ours;
  ours << llm::GPTModel(small) << "\n";
  std::ifstream in(std::string(MINIGRAD_FIXTURE_DIR) + "/gpt_module_tree.txt");
  std::stringstream torch;
  torch << in.rdbuf();
  EXPECT_EQ(ours.str(), torch.str());
}

TEST(GPTModel, LoadStateDictRoundTripsExactly) {
  const llm::GPTConfig cfg = testing::gpt_cases()[2].cfg;
  manual_seed(1);
  llm::GPTModel a(cfg);
  manual_seed(2);
  llm::GPTModel b(cfg);
  b.load_state_dict(a.state_dict());
  auto sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (std::size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_FALSE(sa[i].second.is_same(sb[i].second)) << "copied, not shared: " << sa[i].first;
    EXPECT_TRUE(testing::bitwise_equal(sb[i].second, sa[i].second)) << sa[i].first;
  }
  a.eval();
  b.eval();
  Tensor ids = tensor({1, 5, 9, 63, 0, 2}, {2, 3});
  EXPECT_TRUE(testing::bitwise_equal(b(ids), a(ids)));
}

TEST(GPTModel, LoadStateDictNamesMissingExtraAndMisShapedKeys) {
  const llm::GPTConfig cfg = testing::gpt_cases()[1].cfg;
  manual_seed(0);
  llm::GPTModel model(cfg);
  auto state = model.state_dict();
  auto missing = state;
  missing.erase(missing.begin() + 3);  // trf_blocks.0.att.W_query.weight
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { model.load_state_dict(missing); },
                                              {"Missing key(s)", "trf_blocks.0.att.W_query.weight"}));
  auto extra = state;
  extra.emplace_back("trf_blocks.1.att.mask", ones({6, 6}));
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { model.load_state_dict(extra); },
                                              {"Unexpected key(s)", "trf_blocks.1.att.mask"}));
  auto wrong = state;
  wrong[0].second = zeros({36, 8});  // tok_emb.weight is [37, 8]
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { model.load_state_dict(wrong); },
                                              {"tok_emb.weight", "[36, 8]", "[37, 8]"}));
}

TEST(GPTModel, BadIdsAreNamed) {
  manual_seed(0);
  llm::GPTModel model(testing::gpt_cases()[1].cfg);  // vocab 37, context 6
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { model(tensor({1.0f, 2.0f}, {1, 2})); },
                                                 {"GPTModel", "Int64", "torch.float32"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { model(tensor({1, 2, 3})); },
                                                 {"GPTModel", "(batch, tokens)", "[3]", "unsqueeze(0)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { model(zeros({2, 7}, DType::Int64)); },
                                                 {"GPTModel", "[2, 7]", "7 tokens", "context_length 6"}));
  // Where the data meets the model: windows longer than the context fail at the first forward,
  // before any draw or update, with the dataset's knob named.
  llm::DataLoader loader(llm::GPTDataset({1, 2, 3, 4, 5, 6, 7, 8, 9}, 7, 1), 2);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { model((*loader.begin()).inputs); },
                                                 {"GPTModel", "7 tokens", "context_length 6", "max_length <= 6"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { model(tensor({0, 1, 2, 3, 37, 5}, {2, 3})); },
                                             {"GPTModel", "token id 37", "position (1, 1)", "vocab_size = 37"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { model(tensor({-1}, {1, 1})); },
                                             {"token id -1", "position (0, 0)"}));
}

TEST(GPTModel, ABadConfigIsRefusedBeforeAnyDraw) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { llm::GPTModel({50, 8, 10, 3, 1, 0.0, false}); },
                                                 {"GPTConfig", "emb_dim (10)", "n_heads (3)"}));
}

}  // namespace
}  // namespace minigrad

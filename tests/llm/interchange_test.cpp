// GPT weights carried between minigrad and the book's PyTorch GPTModel as safetensors files,
// with PyTorch's logits both ways (tools/make_interchange_fixtures.py writes the fixtures):
//   PyTorch -> minigrad: gpt_torch.safetensors (torch's state_dict) loads, strict, into
//     llm::GPTModel, whose logits then equal the book's model's (interchange.txt);
//   minigrad -> PyTorch: this test writes a GPTModel's state_dict and checks it is byte for byte
//     gpt_minigrad.safetensors, the file the script loaded into the book's model (strict) and
//     whose logits it recorded; minigrad's logits on the same ids equal those.
// And a tied out_head (GPT-2's weight tying) is written under both names and loads untied.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/core.h"
#include "llm/llm.h"
#include "tests/fixture.h"
#include "tests/llm/gpt_test.h"
#include "tests/paths.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;
using testing::close_to_torch;
using testing::Fixture;

// tools/make_interchange_fixtures.py's TORCH_CFG and MINIGRAD_CFG.
constexpr llm::GPTConfig kTorchCfg{40, 6, 8, 2, 2, 0.1, true};
constexpr llm::GPTConfig kMinigradCfg{40, 6, 8, 2, 2, 0.1, false};

const Fixture& fx() { return Fixture::get("interchange.txt"); }
std::string fixture_path(const std::string& name) { return std::string(MINIGRAD_FIXTURE_DIR) + "/" + name; }

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> names_of(const NamedTensors& tensors) {
  std::vector<std::string> names;
  for (const auto& [name, t] : tensors) names.push_back(name);
  return names;
}

// A fresh directory per test, removed afterwards.
class GPTInterchange : public minigrad::testing::TempDirTest {};

// Logits of a model in eval mode (dropout off: no draws).
Tensor eval_logits(llm::GPTModel& model, const Tensor& ids) {
  model.eval();
  NoGradGuard no_grad;
  return model(ids);
}

// Weights are the same bits on both sides, so the logits differ only by float32 summation
// order (minigrad's gemm, fused layer_norm and attention against PyTorch's composite ops): a
// few ulps per op, compounding over two blocks (measured: at most 3.6e-7 on logits up to 1.8,
// two ulps, at every CPU level). close_to_torch allows 1e-5 of the logits' largest magnitude
// plus 1e-5 relative: 50x that, and far below what one misplaced tensor does (weights unlike
// the file's move the logits by more than 0.1, as the check before loading shows).
TEST_F(GPTInterchange, TorchWrittenStateDictLoadsWithTorchsLogits) {
  const SafetensorsFile file = load_safetensors_file(fixture_path("gpt_torch.safetensors"));
  EXPECT_EQ(file.metadata.at("source"), "tools/make_interchange_fixtures.py");
  manual_seed(5);  // weights unlike the file's (torch's were made after manual_seed(11))
  llm::GPTModel model(kTorchCfg);
  // The file holds torch's state_dict: our keys, in our (PyTorch's) order.
  EXPECT_EQ(names_of(file.tensors), names_of(model.state_dict()));
  const Tensor ids = fx()["ids"], want = fx()["torch_written.logits"];
  EXPECT_FALSE(close_to_torch(eval_logits(model, ids), want));
  model.load_state_dict(file.tensors);  // strict: every key present, none unknown, shapes equal
  EXPECT_TRUE(close_to_torch(eval_logits(model, ids), want));
  for (const auto& [name, t] : model.state_dict()) {
    auto it = std::find_if(file.tensors.begin(), file.tensors.end(), [&](const auto& e) { return e.first == name; });
    EXPECT_TRUE(bitwise_equal(t, it->second)) << name;
  }
}

// minigrad's side of gpt_minigrad.safetensors: GPTModel(kMinigradCfg) after manual_seed(21),
// every parameter then moved by randn / 16 (so LayerNorm's ones and zeros cannot hide a tensor
// loaded under the wrong key). Dividing by a power of two is exact and the add rounds once, so
// the bytes are the same on every machine and CPU level.
std::unique_ptr<llm::GPTModel> minigrad_model() {
  manual_seed(21);
  auto model = std::make_unique<llm::GPTModel>(kMinigradCfg);
  NoGradGuard no_grad;
  for (Tensor& p : model->parameters()) p.add_(randn(p.sizes()) / 16.0);
  return model;
}

// MINIGRAD_UPDATE_FIXTURES=1 writes the fixture file instead of checking it; then run
// tools/make_interchange_fixtures.py, which loads it into the book's model.
TEST_F(GPTInterchange, MinigradWrittenStateDictIsTheFileTorchLoaded) {
  auto model = minigrad_model();
  const std::string fixture = fixture_path("gpt_minigrad.safetensors");
  if (std::getenv("MINIGRAD_UPDATE_FIXTURES") != nullptr) {
    save_safetensors(fixture, model->state_dict());
    GTEST_SKIP() << "wrote " << fixture << "; now run tools/make_interchange_fixtures.py";
  }
  save_safetensors(path("gpt.safetensors"), model->state_dict());
  ASSERT_EQ(read_all(path("gpt.safetensors")), read_all(fixture))
      << "minigrad no longer writes the file PyTorch loaded; if that is intended, see tools/make_interchange_fixtures.py";
  EXPECT_TRUE(close_to_torch(eval_logits(*model, fx()["ids"]), fx()["minigrad_written.logits"]));
}

// GPT-2 ties out_head.weight to tok_emb.weight. state_dict lists the tied tensor under both
// names (as torch's does), so the file holds it twice and loads into the book's untied model
// (and ours) as two equal tensors, giving the tied model's logits bit for bit.
TEST_F(GPTInterchange, TiedOutHeadIsWrittenUnderBothNamesAndLoadsUntied) {
  manual_seed(3);
  llm::GPTModel tied(kMinigradCfg);
  tied.out_head->weight = tied.out_head->register_parameter("weight", tied.tok_emb->weight);
  save_safetensors(path("tied.safetensors"), tied.state_dict());
  const NamedTensors file = load_safetensors(path("tied.safetensors"));
  EXPECT_EQ(names_of(file), names_of(tied.state_dict()));
  EXPECT_TRUE(bitwise_equal(file.front().second, file.back().second));  // tok_emb.weight, out_head.weight
  EXPECT_EQ(file.back().first, "out_head.weight");

  manual_seed(4);
  llm::GPTModel untied(kMinigradCfg);
  EXPECT_EQ(tied.parameters().size() + 1, untied.parameters().size());  // a tied tensor is one parameter
  untied.load_state_dict(file);
  EXPECT_FALSE(untied.out_head->weight.is_same(untied.tok_emb->weight));
  const Tensor ids = fx()["ids"];
  EXPECT_TRUE(bitwise_equal(eval_logits(untied, ids), eval_logits(tied, ids)));
}

// A torch file cut short or with a tensor whose dtype minigrad has no type for is refused,
// naming the file, the tensor and the problem.
TEST_F(GPTInterchange, DamagedTorchFileNamesFileTensorAndProblem) {
  const std::string bytes = read_all(fixture_path("gpt_torch.safetensors"));
  const std::string cut = path("cut.safetensors");
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 100));
  EXPECT_TRUE(testing::throws_with<std::runtime_error>([&] { load_safetensors(cut); },
                                                       {cut, "tensor 'out_head.weight'", "truncated"}));
  std::string f16 = bytes;
  const std::string key = R"("tok_emb.weight":{"dtype":"F32")";
  const std::size_t at = f16.find(key);
  ASSERT_NE(at, std::string::npos);
  f16.replace(at + key.size() - 4, 3, "F16");  // same length: the header keeps its size
  const std::string half = path("f16.safetensors");
  std::ofstream(half, std::ios::binary).write(f16.data(), static_cast<std::streamsize>(f16.size()));
  EXPECT_TRUE(testing::throws_with<std::runtime_error>([&] { load_safetensors(half); },
                                                       {half, "tensor 'tok_emb.weight'", "F16", "F32, F64, I64 and BOOL"}));
}

}  // namespace
}  // namespace minigrad

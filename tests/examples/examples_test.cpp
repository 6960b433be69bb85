// Runs the example programs (built beside the tests) and checks what they promise:
// embeddings_ch02 prints exactly what PyTorch 1.13 prints for the book's cells (the text
// below is torch's own output), embedding_vs_matmul and a short next_token succeed,
// next_token says what it compares and notes a capped --batch, rejects bad flags with
// status 2, and prints the same with the block cache and gradient stealing switched off.
// Skipped if the examples were not built.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/kernels/cpu.h"
#include "tests/examples/run_example.h"

namespace {

using minigrad::testing::example_path;
using Result = minigrad::testing::ProgramResult;

Result run(const std::string& name, const std::string& args, const std::string& env = "",
           const std::string& redirect = " 2>/dev/null") {
  if (!std::filesystem::exists(example_path(name))) return {};
  return minigrad::testing::run_example(name, args, env, redirect);
}

// python3 -c 'import torch; torch.manual_seed(123); e = torch.nn.Embedding(6, 3);
//             print(e.weight); print(e(torch.tensor([3]))); print(e(torch.tensor([2, 3, 5, 1])))'
const char* kTorchCh02 =
    "Parameter containing:\n"
    "tensor([[ 0.3374, -0.1778, -0.1690],\n"
    "        [ 0.9178,  1.5810,  1.3010],\n"
    "        [ 1.2753, -0.2010, -0.1606],\n"
    "        [-0.4015,  0.9666, -1.1481],\n"
    "        [-1.1589,  0.3255, -0.6315],\n"
    "        [-2.8400, -0.7849, -1.4096]], requires_grad=True)\n"
    "tensor([[-0.4015,  0.9666, -1.1481]], grad_fn=<EmbeddingBackward0>)\n"
    "tensor([[ 1.2753, -0.2010, -0.1606],\n"
    "        [-0.4015,  0.9666, -1.1481],\n"
    "        [-2.8400, -0.7849, -1.4096],\n"
    "        [ 0.9178,  1.5810,  1.3010]], grad_fn=<EmbeddingBackward0>)\n";

TEST(Examples, EmbeddingsCh02PrintsWhatTorchPrints) {
  if (!std::filesystem::exists(example_path("embeddings_ch02"))) GTEST_SKIP() << "embeddings_ch02 is not built";
  Result r = run("embeddings_ch02", "");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, kTorchCh02);
}

TEST(Examples, EmbeddingVsMatmulAgrees) {
  if (!std::filesystem::exists(example_path("embedding_vs_matmul"))) GTEST_SKIP() << "embedding_vs_matmul is not built";
  Result r = run("embedding_vs_matmul", "");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("exactly zero"), std::string::npos) << r.out;
  // torch's linear(onehot.float()) after the weight swap: rows 2, 3, 1 of the table.
  EXPECT_NE(r.out.find("tensor([[ 0.6957, -1.8061, -1.1589,  0.3255, -0.6315],\n"
                       "        [-2.8400, -0.7849, -1.4096, -0.4076,  0.7953],\n"
                       "        [ 1.3010,  1.2753, -0.2010, -0.1606, -0.4015]], grad_fn=<MmBackward0>)"),
            std::string::npos)
      << r.out;
}

TEST(Examples, NextTokenTrainsAndRejectsBadFlags) {
  if (!std::filesystem::exists(example_path("next_token"))) GTEST_SKIP() << "next_token is not built";
  Result r = run("next_token", "--steps 30 --quiet");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("the twins agreed"), std::string::npos) << r.out;
  // It says what it compared, and by how much they differed at most.
  EXPECT_NE(r.out.find("embedding gradient vs the twin's one-hot weight gradient^T"), std::string::npos) << r.out;
  Result level = run("next_token", "--steps 1 --quiet", "", " 2>&1 >/dev/null");  // the CPU level, on stderr
  EXPECT_NE(level.out.find("kernels: " + minigrad::cpu_capability()), std::string::npos) << level.out;
  EXPECT_NE(r.out.find("likeliest next words"), std::string::npos) << r.out;
  Result full = run("next_token", "--steps 3 --dim 4 --batch 5");
  EXPECT_EQ(full.status, 0) << full.out;
  EXPECT_NE(full.out.find("the other"), std::string::npos) << full.out;  // rows without gradient
  EXPECT_NE(full.out.find("ok"), std::string::npos) << full.out;         // finite differences
  EXPECT_NE(full.out.find("the bar |####....|"), std::string::npos) << full.out;  // the bar's legend
  EXPECT_EQ(full.out.find("note:"), std::string::npos) << full.out;
  // A batch above the corpus's 77 pairs is capped, and the program says so.
  Result capped = run("next_token", "--steps 1 --quiet --batch 500");
  EXPECT_EQ(capped.status, 0) << capped.out;
  EXPECT_NE(capped.out.find("note: --batch 500 is more than the corpus's 77 (word, next word) pairs; each step uses all 77"),
            std::string::npos) << capped.out;
  EXPECT_EQ(run("next_token", "--no-such-flag").status, 2);
  EXPECT_EQ(run("next_token", "--steps").status, 2);
  EXPECT_EQ(run("next_token", "--lr minus-one").status, 2);
}

// The block cache and gradient stealing change where bytes live, never a value: with both
// switched off in the environment (README), next_token prints the same text, digit for digit.
TEST(Examples, NextTokenPrintsTheSameWithTheCacheAndStealingOff) {
  if (!std::filesystem::exists(example_path("next_token"))) GTEST_SKIP() << "next_token is not built";
  const std::string args = "--steps 40 --no-timing";
  Result plain = run("next_token", args, "MINIGRAD_BLOCK_CACHE=0 MINIGRAD_STEAL_GRAD=0");
  Result usual = run("next_token", args);
  EXPECT_EQ(plain.status, 0) << plain.out;
  EXPECT_EQ(usual.status, 0) << usual.out;
  EXPECT_EQ(plain.out, usual.out);
}

}  // namespace

// A program that uses minigrad the way an outside project does: tests/consumer/CMakeLists.txt
// pulls it in with add_subdirectory or with find_package, and .ci/run builds it both ways and
// runs it. It checks one training step against hand-derived numbers (core, nn, optim), that
// the llm library links with its PCRE2, and that the kernels run at the best level this CPU
// has; it exits non-zero if any of that fails. Not a test of the ops: tests/ does that.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "llm/llm.h"
#include "nn/nn.h"
#include "optim/optim.h"

namespace {

// The best level this CPU runs, asked of the CPU here rather than of minigrad, so a build
// that left out a level (or a dispatch that ignores one) shows. Same rule as core/kernels/cpu.cpp.
std::string best_level_of_this_cpu() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return "portable";
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "avx512";
  return "avx2";
#else
  return "portable";
#endif
}

int failures = 0;

// Every element of t (float32) equals want; all the numbers below are exact in float.
void expect_all(const char* what, const minigrad::Tensor& t, float want) {
  const float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (p[i] != want) {
      std::printf("FAIL %s[%lld] = %g, expected %g\n", what, static_cast<long long>(i), p[i], want);
      ++failures;
      return;
    }
  }
  std::printf("ok   %s = %g\n", what, want);
}

}  // namespace

int main() {
  using namespace minigrad;

  // y = x W^T + b with x (64, 96) all 0.5, W (80, 96) all 1, b (80) all 0: every y is
  // 96 * 0.5 = 48, so loss = sum(y) = 64 * 80 * 48 = 245760. With dy = 1:
  //   dx = dy W      every entry 80 * 1   = 80
  //   dW = dy^T x    every entry 64 * 0.5 = 32
  //   db = sum_rows  every entry 64
  // One SGD step, lr = 1/64: W = 1 - 32/64 = 0.5, b = 0 - 64/64 = -1.
  nn::Linear layer(96, 80);
  nn::init::ones_(layer.weight);
  nn::init::zeros_(layer.bias);
  Tensor x = full({64, 96}, 0.5).requires_grad_();
  optim::SGD opt(layer.parameters(), optim::SGDOptions{1.0 / 64});
  Tensor loss = layer(x).sum();
  loss.backward();
  expect_all("loss", loss, 245760.0f);
  expect_all("dx", x.grad(), 80.0f);
  expect_all("dW", layer.weight.grad(), 32.0f);
  expect_all("db", layer.bias.grad(), 64.0f);
  opt.step();
  expect_all("W after step", layer.weight, 0.5f);
  expect_all("b after step", layer.bias, -1.0f);

  // llm (and its PCRE2): GPT-2's pre-tokeniser leaves the last space to the next word.
  std::vector<std::string_view> pieces;
  llm::Pretokenizer().split("Hello  world", pieces);
  const bool split_ok = pieces == std::vector<std::string_view>{"Hello", " ", " world"};
  std::printf("%s pre-tokenised \"Hello  world\" into %zu pieces\n", split_ok ? "ok  " : "FAIL", pieces.size());
  failures += split_ok ? 0 : 1;

  const std::string level = cpu_capability(), best = best_level_of_this_cpu();
  std::printf("cpu_capability: %s\n", level.c_str());
  if (level != best) {
    std::printf("FAIL the kernels run at '%s', but this CPU's best level is '%s'\n", level.c_str(), best.c_str());
    ++failures;
  }
  return failures == 0 ? 0 : 1;
}

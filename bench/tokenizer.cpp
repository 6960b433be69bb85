// GPT-2 tokenizer throughput: encode (and decode) of a large text, in MB/s of UTF-8 input.
// The text is $MINIGRAD_TOKENIZER_TEXT (bench/fetch_moby_dick.sh fetches Moby-Dick, 1.2 MB,
// the benchmark text) or else the GPL-3 repeated 34 times (also ~1.2 MB).
// bench/tiktoken_encode.js times tiktoken (WASM) and js-tiktoken on the same file via node.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "llm/tokenizer.h"

namespace {

using minigrad::llm::GPT2Tokenizer;

std::string g_vocab_dir;  // set in main from argv[0]

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("bench/tokenizer: cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& text() {
  static const std::string t = [] {
    if (const char* path = std::getenv("MINIGRAD_TOKENIZER_TEXT")) return read(path);
    std::string gpl = read("/usr/share/common-licenses/GPL-3"), out;
    for (int i = 0; i < 34; ++i) out += gpl;
    return out;
  }();
  return t;
}

const GPT2Tokenizer& tokenizer() {
  static const GPT2Tokenizer tok = GPT2Tokenizer::from_files(g_vocab_dir + "/encoder.json", g_vocab_dir + "/vocab.bpe");
  return tok;
}

void BM_tokenizer_load(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(GPT2Tokenizer::from_files(g_vocab_dir + "/encoder.json", g_vocab_dir + "/vocab.bpe").n_vocab());
}
BENCHMARK(BM_tokenizer_load)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_tokenizer_encode(benchmark::State& state) {
  const GPT2Tokenizer& tok = tokenizer();
  size_t n = 0;
  for (auto _ : state) n = tok.encode(text()).size();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text().size()));
  state.counters["tokens"] = static_cast<double>(n);
}
BENCHMARK(BM_tokenizer_encode)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_tokenizer_decode(benchmark::State& state) {
  const GPT2Tokenizer& tok = tokenizer();
  std::vector<int64_t> ids = tok.encode(text());
  for (auto _ : state) benchmark::DoNotOptimize(tok.decode(ids).size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text().size()));
}
BENCHMARK(BM_tokenizer_decode)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // GPT-2's files: $MINIGRAD_GPT2_VOCAB, or build/gpt2_vocab beside build/bench/ (ctest fetches them there).
  const char* dir = std::getenv("MINIGRAD_GPT2_VOCAB");
  g_vocab_dir = dir ? dir : (std::filesystem::path(argv[0]).parent_path() / ".." / "gpt2_vocab").string();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

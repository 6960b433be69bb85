// GEMM throughput: minigrad through the public Tensor::matmul (NN) and through
// kernels::gemm for the Linear layer's other two products (NT: y = x W^T, TN: dW = dy^T x),
// and, when the build found it, OpenBLAS's cblas_sgemm on the same shapes.
// Arguments are (M, K, N) of op(A) (M x K) times op(B) (K x N); bench/compare turns times into GFLOP/s.
// Threads: MINIGRAD_NUM_THREADS (or OMP_NUM_THREADS) for minigrad, OPENBLAS_NUM_THREADS for OpenBLAS.
// CPU level: MINIGRAD_CPU=portable|avx2|avx512 (core/kernels/cpu.h); bench/levels runs each.
#include <benchmark/benchmark.h>

#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/kernels/gemm.h"
#include "core/random.h"
#include "core/tensor.h"

#ifdef MINIGRAD_BENCH_OPENBLAS
#include <cblas.h>
#endif

namespace {

using minigrad::Tensor;

void shapes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {64, 128, 256, 512, 1024, 2048}) b->Args({n, n, n});
  b->Args({512, 128, 512})->Args({512, 128, 384})->Args({2048, 768, 768});
  b->Args({2048, 768, 3072})->Args({512, 128, 8192});
  // W3's (gpt-mini) products besides 512 x 128 x 512/384: a 128-wide layer's forward and input
  // gradient, and the weight gradients, whose K is the 512 tokens of a batch (TN).
  b->Args({512, 128, 128})->Args({128, 512, 128})->Args({512, 512, 128})->Args({128, 512, 512});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

void set_flops(benchmark::State& state, int64_t M, int64_t K, int64_t N) {
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * M * K * N * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// C (M x N) = A (M x K) B (K x N), allocating C each time as a training step does.
void BM_matmul_nn(benchmark::State& state) {
  int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  minigrad::manual_seed(0);
  Tensor a = minigrad::randn({M, K}), b = minigrad::randn({K, N});
  for (auto _ : state) {
    Tensor c = a.matmul(b);
    benchmark::DoNotOptimize(c.data_ptr<float>());
  }
  set_flops(state, M, K, N);
}
BENCHMARK(BM_matmul_nn)->Apply(shapes);

// op(A) op(B) straight through the kernel, transposes folded into packing.
void run_gemm(benchmark::State& state, bool ta, bool tb) {
  int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  std::vector<float> A(M * K, 0.5f), B(K * N, 0.25f), C(M * N);
  for (auto _ : state) {
    minigrad::kernels::gemm(ta, tb, M, N, K, A.data(), ta ? M : K, B.data(), tb ? K : N, 0.0f, C.data(), N);
    benchmark::DoNotOptimize(C.data());
  }
  set_flops(state, M, K, N);
}
void BM_gemm_nt(benchmark::State& state) { run_gemm(state, false, true); }
void BM_gemm_tn(benchmark::State& state) { run_gemm(state, true, false); }
BENCHMARK(BM_gemm_nt)->Apply(shapes);
BENCHMARK(BM_gemm_tn)->Apply(shapes);

#if defined(__x86_64__)
// The machine's FMA peak on one thread: 12 independent chains of FMAs, all in registers
// (what a 6-row micro-kernel issues per k, minus its loads), on 8 floats (AVX2, ymm) and
// on 16 (AVX-512, zmm): the ceilings every GEMM row above is measured against. Which one
// applies depends on the CPU: a Zen 4 runs a zmm FMA as two halves (the same peak), a
// Zen 5 or a Xeon has full-width units (twice the peak). Threads run one copy each.
// Compiled by target attributes, whatever the build flags; run only where the CPU has them.
// Returns a float, and its argument is made opaque per call: once the build stopped adding
// -march=native, the compiler treated this as a pure call and ran it once, not per iteration.
__attribute__((target("avx2,fma"), noinline)) float fma_chains8(int64_t iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t k = 0; k < iters; ++k)
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  return lanes[0] + lanes[7];
}

__attribute__((target("avx512f"), noinline)) float fma_chains16(int64_t iters) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t k = 0; k < iters; ++k)
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  return lanes[0] + lanes[15];
}

// lanes = 8 or 16; the counter GFLOPS is the rate of one thread's chains.
template <int lanes>
void BM_fma_peak(benchmark::State& state) {
  const bool ok = lanes == 8 ? __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                             : __builtin_cpu_supports("avx512f");
  if (!ok) {
    state.SkipWithError(lanes == 8 ? "this CPU has no AVX2 + FMA" : "this CPU has no AVX-512F");
    return;
  }
  constexpr int64_t kIters = 1 << 20;
  for (auto _ : state) {
    int64_t iters = kIters;
    benchmark::DoNotOptimize(iters);  // opaque: a pure call with a known argument would be hoisted
    benchmark::DoNotOptimize(lanes == 8 ? fma_chains8(iters) : fma_chains16(iters));
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(kIters * 12 * lanes * 2 * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_fma_peak<8>)->Name("BM_fma_peak")->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK(BM_fma_peak<16>)->Name("BM_fma_peak_avx512")->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);
#endif

#ifdef MINIGRAD_BENCH_OPENBLAS
void run_openblas(benchmark::State& state, bool ta, bool tb) {
  int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  std::vector<float> A(M * K, 0.5f), B(K * N, 0.25f), C(M * N);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f,
                A.data(), ta ? M : K, B.data(), tb ? K : N, 0.0f, C.data(), N);
    benchmark::DoNotOptimize(C.data());
  }
  set_flops(state, M, K, N);
}
void BM_openblas_nn(benchmark::State& state) { run_openblas(state, false, false); }
void BM_openblas_nt(benchmark::State& state) { run_openblas(state, false, true); }
void BM_openblas_tn(benchmark::State& state) { run_openblas(state, true, false); }
BENCHMARK(BM_openblas_nn)->Apply(shapes);
BENCHMARK(BM_openblas_nt)->Apply(shapes);
BENCHMARK(BM_openblas_tn)->Apply(shapes);
#endif

}  // namespace

BENCHMARK_MAIN();

// Run-time CPU dispatch. The hot kernels are compiled three times, once per
// instruction-set level (portable x86-64, AVX2 + FMA, AVX-512), and the best level this
// CPU runs is chosen once, at first use, as OpenBLAS's DYNAMIC_ARCH and PyTorch's CPU
// capability do. How a level is built: core/kernels/level_kernels.h. Not here: the kernels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace minigrad {

// The level the kernels run at: "portable", "avx2" or "avx512". The best this CPU
// supports, or the one named by the environment variable MINIGRAD_CPU, read when the
// program starts: if it names a level that is unknown or that this CPU lacks, the program
// stops there (exit status 1), printing the level and the ones available.
std::string cpu_capability();
// The levels this CPU (and this build) can run, lowest first.
std::vector<std::string> available_cpu_capabilities();
// Switches level, for tests and for teaching; a bad level is a std::runtime_error with
// the same message as MINIGRAD_CPU's, and the level stays as it was. Not while
// kernels run on other threads.
void set_cpu_capability(const std::string& level);

}  // namespace minigrad

namespace minigrad::kernels {

// One Adam / AdamW step's constants, each already rounded to float where torch passes it
// to an op (optim/adam.cpp holds the rule and its scalar loop).
struct AdamStepF32 {
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float l2;      // Adam: g = fma(p, l2, g) when l2 != 0
  float shrink;  // AdamW: p = p * shrink
  float bias_correction2_sqrt, eps, neg_step_size;
  bool decoupled;
};

// The functions each level provides: one table per level, filled in
// core/kernels/level_kernels.h, called through cpu(). Every entry is a whole loop or a
// whole row, so the indirect call costs nothing next to the work.
struct CpuKernels {
  const char* name;
  // C = op(A) op(B) + beta C (+ bias on every row, if not null); may_thread = false keeps it
  // on the calling thread.
  void (*gemm_f32)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                   const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias,
                   bool may_thread);
  void (*gemm_f64)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
                   const double* B, int64_t ldb, double beta, double* C, int64_t ldc, const double* bias,
                   bool may_thread);
  // y[i] = f(x[i]) on the whole vectors of x[0, n); returns how many elements it did
  // (a multiple of the lanes, 0 at the portable level): the caller does the rest with
  // the scalar reference (elementwise.h: map_float).
  int64_t (*exp_f32)(const float* x, float* y, int64_t n);
  int64_t (*tanh_f32)(const float* x, float* y, int64_t n);
  int64_t (*sigmoid_f32)(const float* x, float* y, int64_t n);
  int64_t (*gelu_tanh_f32)(const float* x, float* y, int64_t n);
  int64_t (*gelu_tanh_grad_f32)(const float* x, float* y, int64_t n);
  // One contiguous float row (softmax.h, loss.h); false = "take the reference loop".
  bool (*softmax_row)(const float* x, float* y, int64_t n, bool log);
  bool (*softmax_backward_row)(const float* y, const float* g, float* dx, int64_t n, bool log);
  bool (*max_and_sum_exp)(const float* x, int64_t n, float& m, double& s);
  void (*cross_entropy_grad_row)(const float* x, int64_t t, double w, float* d, int64_t n, float m, double s);
  // One row of a flash-attention tile (attention.h): m = max(m, max_j s_j), s_j = e^(s_j - m) in
  // place, returns sum_j s_j in `sum`; false (nothing written) for a row whose own max is not finite.
  bool (*attention_row)(float* s, int64_t n, float& m, double& sum);
  // Adam's update (without amsgrad or maximize) on the whole vectors of [0, n), the same
  // bits as optim/adam.cpp's scalar loop, which does the rest; returns how many it did.
  int64_t (*adam_f32)(float* p, const float* g, float* m, float* v, int64_t n, const AdamStepF32& c);
  // y[i] = fma(x[i], a, y[i]) on the whole vectors of [0, n) (an fma is exact, so the same bits
  // as std::fma, which does the rest: elementwise.h, add_scaled_float); returns how many it did.
  int64_t (*axpy_f32)(float* y, const float* x, float a, int64_t n);
  // layer_norm's rows [lo, hi) and its backward's (core/kernels/layer_norm_rows.h; the split across
  // threads: layer_norm.h): the same bits at every level.
  void (*layer_norm_rows_f32)(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd,
                              int64_t lo, int64_t hi, int64_t C, double eps);
  void (*layer_norm_rows_f64)(const double* x, const double* w, const double* b, double* y, double* mean,
                              double* rstd, int64_t lo, int64_t hi, int64_t C, double eps);
  void (*layer_norm_backward_rows_f32)(const float* x, const float* g, const float* w, const float* mean,
                                       const float* rstd, float* dx, double* sw, double* sb, int64_t lo, int64_t hi,
                                       int64_t C);
  void (*layer_norm_backward_rows_f64)(const double* x, const double* g, const double* w, const double* mean,
                                       const double* rstd, double* dx, double* sw, double* sb, int64_t lo,
                                       int64_t hi, int64_t C);
};

// Map loops are split across threads only at multiples of this many elements, so
// which elements take a level's vector path never depends on the thread count.
inline constexpr int64_t kMapBlock = 16;

// The table of the level in use (chosen on the first call).
const CpuKernels& cpu();

namespace portable { extern const CpuKernels table; }
namespace avx2 { extern const CpuKernels table; }
namespace avx512 { extern const CpuKernels table; }

}  // namespace minigrad::kernels

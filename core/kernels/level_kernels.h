// One CPU level's kernels and its dispatch table (core/kernels/cpu.h). This file is
// compiled three times, by core/kernels/cpu_portable.cpp, cpu_avx2.cpp and cpu_avx512.cpp,
// each defining MINIGRAD_LEVEL (the namespace: portable, avx2, avx512) and MINIGRAD_LEVEL_ID
// (0, 1, 2) and compiled with that level's flags (CMakeLists.txt: -mavx2 -mfma, -mavx512f ...).
//
// How it works, for a learner:
//  - Everything here and in the level headers it includes (gemm_level.h, gemm_micro.h,
//    gemm_pack.h, vec_lanes.h, vec_exp.h, vec_rows.h, layer_norm_rows.h) lives in namespace
//    minigrad::kernels::<level>, so the three copies are three different sets of functions
//    that the linker never mixes up. Code here calls only its own namespace and the C
//    library: an inline function or template from a shared header compiled here with
//    -mavx512f could be picked by the linker for every caller, and crash a CPU without AVX-512.
//  - `#if MINIGRAD_LEVEL_ID >= 1` marks code written with AVX2 intrinsics (the AVX-512 level
//    compiles it too); `== 2` the AVX-512 code (the 16-lane loops of the exp-bound kernels:
//    vec_lanes.h). The portable level keeps the plain loops, which the compiler vectorises
//    for SSE2, the x86-64 baseline.
//  - Each level ends with `const CpuKernels table`; cpu.cpp picks one at start-up.
//  - Level TUs compile with -ffp-contract=off: an FMA happens only where an intrinsic says so.
// Bits: each level is bit-identical to itself at any thread count. GEMM gives the same bits
// at the AVX2 and AVX-512 levels (same KC, same k order, explicit FMAs), and so do exp,
// tanh, sigmoid, GELU, softmax, cross-entropy and attention rows (one formula over 8 or 16
// lanes, the double sums in one order at both: vec_exp.h's DoubleSum16); layer_norm gives the
// same bits at every level.
// The exp-bound kernels differ between portable (std:: functions) and the vector levels
// (vec_exp.h), within a few ulp.
#pragma once

#ifndef MINIGRAD_LEVEL
#error "core/kernels/level_kernels.h is compiled through core/kernels/cpu_<level>.cpp only"
#endif
#if MINIGRAD_LEVEL_ID >= 1 && !(defined(__AVX2__) && defined(__FMA__))
#error "the AVX2 level needs -mavx2 -mfma (set in CMakeLists.txt)"
#endif
#if MINIGRAD_LEVEL_ID >= 2 && !defined(__AVX512F__)
#error "the AVX-512 level needs -mavx512f (set in CMakeLists.txt)"
#endif

#include <math.h>

#include <cstdint>

#include "core/kernels/cpu.h"
#include "core/kernels/gemm_level.h"
#include "core/kernels/layer_norm_rows.h"
#include "core/kernels/vec_exp.h"
#include "core/kernels/vec_rows.h"

#define MINIGRAD_STRINGIFY2(x) #x
#define MINIGRAD_STRINGIFY(x) MINIGRAD_STRINGIFY2(x)

namespace minigrad::kernels::MINIGRAD_LEVEL {
namespace {

#if MINIGRAD_LEVEL_ID >= 1
// y = f(x) on every whole vector, 16 lanes at a time at the AVX-512 level, then 8 (the
// same operations per lane, so the same bits); returns how many elements it did, a
// multiple of 8 (the caller runs the scalar reference on the rest).
template <class F>
int64_t map_vectors(const float* x, float* y, int64_t n, F f) {
  return for_each_vector(0, n, [&](int64_t i, auto lanes) { store(y + i, f(load<decltype(lanes)>(x + i))); });
}
int64_t exp_f32(const float* x, float* y, int64_t n) { return map_vectors(x, y, n, [](auto v) { return vexp_all(v); }); }
int64_t tanh_f32(const float* x, float* y, int64_t n) { return map_vectors(x, y, n, [](auto v) { return vtanh(v); }); }
int64_t sigmoid_f32(const float* x, float* y, int64_t n) { return map_vectors(x, y, n, [](auto v) { return vsigmoid(v); }); }
int64_t gelu_tanh_f32(const float* x, float* y, int64_t n) {
  return map_vectors(x, y, n, [](auto v) { return gelu_tanh_value(v); });
}
int64_t gelu_tanh_grad_f32(const float* x, float* y, int64_t n) {
  return map_vectors(x, y, n, [](auto v) { return gelu_tanh_slope(v); });
}

// optim/adam.cpp's scalar rule, a vector at a time (16 lanes at AVX-512): the same
// operations in the same order (mul, fma, sqrt and div are exact in every lane), so the same bits.
int64_t adam_f32(float* p, const float* g, float* m, float* v, int64_t n, const AdamStepF32& c) {
  const bool add_l2 = !c.decoupled && c.l2 != 0;
  return for_each_vector(0, n, [&](int64_t i, auto lanes) {
    using V = decltype(lanes);
    V pi = load<V>(p + i), gi = load<V>(g + i);
    if (c.decoupled) pi = mul(pi, splat<V>(c.shrink));
    else if (add_l2) gi = fmadd(pi, splat<V>(c.l2), gi);
    V mi = fmadd(gi, splat<V>(c.one_minus_beta1), mul(load<V>(m + i), splat<V>(c.beta1)));
    V vi = fmadd(mul(splat<V>(c.one_minus_beta2), gi), gi, mul(load<V>(v + i), splat<V>(c.beta2)));
    V denom = add(div(vsqrt(vi), splat<V>(c.bias_correction2_sqrt)), splat<V>(c.eps));
    store(m + i, mi);
    store(v + i, vi);
    store(p + i, add(pi, div(mul(splat<V>(c.neg_step_size), mi), denom)));
  });
}

// y = fma(x, a, y): torch's add_(x, alpha=a), an SGD step's p.add_(d_p, -lr). The result does
// not depend on the vector width, as every fma is exact.
int64_t axpy_f32(float* y, const float* x, float a, int64_t n) {
  return for_each_vector(0, n, [&](int64_t i, auto lanes) {
    using V = decltype(lanes);
    store(y + i, fmadd(load<V>(x + i), splat<V>(a), load<V>(y + i)));
  });
}
#else
// The portable level has no vector exp: every element takes the scalar reference.
int64_t no_vector_map(const float*, float*, int64_t) { return 0; }
bool no_vector_row(const float*, float*, int64_t, bool) { return false; }
bool no_vector_backward_row(const float*, const float*, float*, int64_t, bool) { return false; }
bool no_max_and_sum_exp(const float*, int64_t, float&, double&) { return false; }
void no_grad_row(const float*, int64_t, double, float*, int64_t, float, double) {}
bool no_attention_row(float*, int64_t, float&, double&) { return false; }
int64_t no_adam(float*, const float*, float*, float*, int64_t, const AdamStepF32&) { return 0; }
int64_t no_axpy(float*, const float*, float, int64_t) { return 0; }
#endif

}  // namespace

const CpuKernels table = {
    MINIGRAD_STRINGIFY(MINIGRAD_LEVEL),
    &gemm_impl<float>,
    &gemm_impl<double>,
#if MINIGRAD_LEVEL_ID >= 1
    &exp_f32, &tanh_f32, &sigmoid_f32, &gelu_tanh_f32, &gelu_tanh_grad_f32,
    &softmax_row_fast, &softmax_backward_row_fast, &max_and_sum_exp, &cross_entropy_grad_row, &attention_row,
    &adam_f32, &axpy_f32,
#else
    &no_vector_map, &no_vector_map, &no_vector_map, &no_vector_map, &no_vector_map,
    &no_vector_row, &no_vector_backward_row, &no_max_and_sum_exp, &no_grad_row, &no_attention_row,
    &no_adam, &no_axpy,
#endif
    &layer_norm_rows<float>,
    &layer_norm_rows<double>,
    &layer_norm_backward_rows<float>,
    &layer_norm_backward_rows<double>,
};

}  // namespace minigrad::kernels::MINIGRAD_LEVEL

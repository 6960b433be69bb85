// Checks core/ops/attention.cpp: scaled_dot_product_attention against torch 2.x's math path
// (tests/fixtures/attention.txt, computed op by op with torch 1.13 by
// tools/make_attention_fixtures.py), the fused node against the composite of existing ops,
// float64 gradchecks of q, k and v, the same bits at 1 and 2 threads, and each bad argument.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("attention.txt"); }

// The definition, from existing ops (autograd derives its backward): the reference the fused
// op is held to. mask: Bool (true = kept) or float (added); causal: keys j <= i.
Tensor attention_composite(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask = {},
                           bool causal = false) {
  const int64_t L = q.sizes()[q.dim() - 2], S = k.sizes()[k.dim() - 2];
  Tensor scores = q.matmul(k.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.sizes().back()));  // (..., L, S)
  if (causal) scores = scores.masked_fill(triu(ones({L, S}), 1).to(DType::Bool), -INFINITY);
  if (mask.defined()) scores = mask.dtype() == DType::Bool ? scores.masked_fill(~mask, -INFINITY) : scores + mask;
  return scores.softmax(-1).matmul(v);  // (..., L, Ev)
}

struct Case {
  std::string name;
  bool causal;
  double dropout_p;
  bool transposed;  // q, k, v are the stored tensors .transpose(1, 2)
};

const Case kCases[] = {
    {"plain", false, 0.0, false},      {"causal", true, 0.0, false},          {"causal_l_lt_s", true, 0.0, false},
    {"bool_mask", false, 0.0, false},  {"float_mask", false, 0.0, false},     {"batch_broadcast", false, 0.0, false},
    {"transposed", true, 0.0, true},   {"two_dims", false, 0.0, false},       {"dropout", true, 0.3, false},
    {"masked_row", false, 0.0, false},
};

class AttentionTorchTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AttentionTorchTest, OutputAndGradientsMatchTorch) {
  const testing::Fixture& f = fixture();
  for (const Case& c : kCases) {
    const std::string key = c.name + "." + GetParam();
    SCOPED_TRACE(key);
    Tensor qs = f[key + ".q"].clone().requires_grad_(), ks = f[key + ".k"].clone().requires_grad_(),
           vs = f[key + ".v"].clone().requires_grad_();
    Tensor mask = f.has(key + ".mask") ? f[key + ".mask"] : Tensor();
    auto in = [&c](const Tensor& t) { return c.transposed ? t.transpose(1, 2) : t; };
    manual_seed(1234);  // the dropout case's draws
    Tensor out = scaled_dot_product_attention(in(qs), in(ks), in(vs), mask, c.dropout_p, c.causal);
    if (c.dropout_p == 0.0) {
      EXPECT_EQ(out.grad_fn_name(), "ScaledDotProductFlashAttentionForCpuBackward0");
    }
    out.backward(f[key + ".g"]);
    // torch's math path rounds each of its five ops; the fused loops round differently.
    const double tol = std::string(GetParam()) == "f32" ? 2e-5 : 1e-12;
    EXPECT_TRUE(all_close(out, f[key + ".out"], tol));
    EXPECT_TRUE(all_close(qs.grad(), f[key + ".dq"], tol));
    EXPECT_TRUE(all_close(ks.grad(), f[key + ".dk"], tol));
    EXPECT_TRUE(all_close(vs.grad(), f[key + ".dv"], tol));
  }
}

INSTANTIATE_TEST_SUITE_P(Attention, AttentionTorchTest, ::testing::Values("f32", "f64"));

// The fused op and the composite on the same inputs: output and the three gradients.
void expect_fused_equals_composite(const Shape& qs, const Shape& ks, const Shape& vs, const Tensor& mask, bool causal,
                                   DType dt, bool transposed = false) {
  SCOPED_TRACE("q " + shape_str(qs) + " k " + shape_str(ks) + " v " + shape_str(vs) + " causal " +
               std::to_string(causal) + " " + dtype_name(dt) + (mask.defined() ? " mask " + shape_str(mask.sizes()) : ""));
  Tensor q0 = randn(qs, dt), k0 = randn(ks, dt), v0 = randn(vs, dt);
  Shape gs = scaled_dot_product_attention(transposed ? q0.transpose(1, 2) : q0, transposed ? k0.transpose(1, 2) : k0,
                                          transposed ? v0.transpose(1, 2) : v0, mask, 0.0, causal).sizes();
  Tensor g = randn(gs, dt);
  Tensor outs[2];
  std::vector<Tensor> grads[2];
  for (int fused = 0; fused < 2; ++fused) {
    Tensor q = q0.clone().requires_grad_(), k = k0.clone().requires_grad_(), v = v0.clone().requires_grad_();
    Tensor qi = transposed ? q.transpose(1, 2) : q, ki = transposed ? k.transpose(1, 2) : k,
           vi = transposed ? v.transpose(1, 2) : v;
    outs[fused] = fused ? scaled_dot_product_attention(qi, ki, vi, mask, 0.0, causal)
                        : attention_composite(qi, ki, vi, mask, causal);
    outs[fused].backward(g);
    grads[fused] = {q.grad(), k.grad(), v.grad()};
  }
  const double tol = dt == DType::Float64 ? 1e-12 : 1e-5;
  EXPECT_TRUE(all_close(outs[1], outs[0], tol));
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(all_close(grads[1][i], grads[0][i], tol)) << "gradient " << "qkv"[i];
}

TEST(AttentionTest, FusedEqualsComposite) {
  manual_seed(5);
  for (DType dt : {DType::Float64, DType::Float32}) {
    for (bool causal : {false, true}) {
      expect_fused_equals_composite({2, 3, 70, 16}, {2, 3, 70, 16}, {2, 3, 70, 16}, {}, causal, dt);
      expect_fused_equals_composite({2, 2, 65, 8}, {2, 2, 130, 8}, {2, 2, 130, 12}, {}, causal, dt);  // L != S, E != Ev
      expect_fused_equals_composite({1, 2, 9, 8}, {1, 2, 9, 8}, {1, 2, 9, 8}, {}, causal, dt, /*transposed=*/true);
    }
    // Masks: key 0 is kept in every row (a row keeping none is NaN, tested below).
    Tensor col0 = (arange(90) == 0.0).to(dt);                           // (S): 1 at key 0
    Tensor keep = (rand({70, 90}, dt) + col0) > 0.3;                    // Bool (L, S), shared by every batch
    Tensor add = randn({2, 1, 70, 90}, dt).masked_fill((rand({2, 1, 70, 90}, dt) - col0) > 0.8, -INFINITY);  // per batch
    expect_fused_equals_composite({2, 3, 70, 16}, {2, 3, 90, 16}, {2, 3, 90, 16}, keep, false, dt);
    expect_fused_equals_composite({2, 3, 70, 16}, {2, 3, 90, 16}, {2, 3, 90, 16}, add, false, dt);
    expect_fused_equals_composite({2, 3, 70, 16}, {3, 90, 16}, {1, 90, 16}, keep.view({1, 70, 90}), false, dt);
  }
}

TEST(AttentionGradcheck, QueryKeyValue) {
  manual_seed(7);
  Tensor q = randn({2, 3, 4}, DType::Float64).requires_grad_(), k = randn({2, 5, 4}, DType::Float64).requires_grad_(),
         v = randn({2, 5, 3}, DType::Float64).requires_grad_();
  Tensor keep = tensor({true, false, true, true, false, true, true, false, false, true, true, true, false, true, true},
                       {3, 5});
  Tensor add = randn({3, 5}, DType::Float64);
  for (int variant = 0; variant < 4; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& in) {
          const Tensor mask = variant == 2 ? keep : variant == 3 ? add : Tensor();
          return scaled_dot_product_attention(in[0], in[1], in[2], mask, 0.0, /*is_causal=*/variant == 1);
        },
        {q, k, v}));
  }
}

TEST(AttentionTest, AFloatMaskThatWantsAGradientGetsOne) {
  // The fused node treats the mask as a constant; a mask that requires grad takes the composite.
  manual_seed(8);
  Tensor q = randn({3, 4}, DType::Float64), k = randn({5, 4}, DType::Float64), v = randn({5, 2}, DType::Float64);
  Tensor mask = randn({3, 5}, DType::Float64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Tensor>& in) { return scaled_dot_product_attention(q, k, v, in[0]); }, {mask}));
}

TEST(AttentionTest, EmptyKeysGiveZeros) {
  // softmax over no keys is empty, and an empty sum is 0: torch's math path gives zeros.
  Tensor out = scaled_dot_product_attention(ones({2, 3, 4}), zeros({2, 0, 4}), zeros({2, 0, 5}));
  EXPECT_TRUE(all_close(out, zeros({2, 3, 5})));
}

TEST(AttentionTest, SameBitsAtOneAndTwoThreads) {
  manual_seed(9);
  Tensor q = randn({2, 4, 96, 32}), k = randn({2, 4, 96, 32}), v = randn({2, 4, 96, 32}), g = randn({2, 4, 96, 32});
  std::vector<Tensor> out[2];
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Tensor qv = q.clone().requires_grad_(), kv = k.clone().requires_grad_(), vv = v.clone().requires_grad_();
    Tensor y = scaled_dot_product_attention(qv, kv, vv, {}, 0.0, true);
    y.backward(g);
    out[threads - 1] = {y, qv.grad(), kv.grad(), vv.grad()};
  }
  set_num_threads(before);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(all_close(out[1][i], out[0][i], 0)) << "tensor " << i;
}

TEST(AttentionTest, Errors) {
  const char* op = "scaled_dot_product_attention";
  Tensor q = zeros({2, 3, 4}), k = zeros({2, 5, 4}), v = zeros({2, 5, 6});
  auto sdpa = [](const Tensor& a, const Tensor& b, const Tensor& c, const Tensor& m = {}, double p = 0.0,
                 bool causal = false) { return scaled_dot_product_attention(a, b, c, m, p, causal); };
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(zeros({4}), k, v); },
                                                 {op, "at least 2 dims", "query [4]", "key [2, 5, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, zeros({2, 5, 3}), v); },
                                                 {op, "embedding size E", "query [2, 3, 4]", "key [2, 5, 3]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, zeros({2, 4, 6})); },
                                                 {op, "number of keys S", "value [2, 4, 6]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, zeros({3, 5, 4}), zeros({3, 5, 6})); },
                                                 {op, "batch dims", "query [2, 3, 4]", "key [3, 5, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v.to(DType::Float64)); },
                                                 {op, "one floating dtype", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, zeros({3, 5}, DType::Int64)); },
                                                 {op, "attn_mask", "torch.bool", "torch.int64", "[3, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, zeros({3, 5}, DType::Float64)); },
                                                 {op, "attn_mask", "torch.float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, zeros({3, 4}).to(DType::Bool)); },
                                                 {op, "attn_mask of shape [3, 4]", "[2, 3, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, zeros({4, 3, 5}).to(DType::Bool)); },
                                                 {op, "attn_mask of shape [4, 3, 5]", "does not broadcast"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, {}, 1.5); },
                                                 {op, "dropout_p", "1.5", "query [2, 3, 4]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, {}, -0.1); }, {op, "dropout_p", "-0.1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sdpa(q, k, v, ones({3, 5}).to(DType::Bool), 0.0, true); },
                                                 {op, "attn_mask should not be set when is_causal=True"}));
}

}  // namespace
}  // namespace minigrad

// Checks core/ops/join.cpp against PyTorch 1.13 (tests/fixtures/shape_ops.txt, written by
// tools/make_shape_fixtures.py): cat, stack, split and chunk values, gradients and grad_fn
// names in float32 and float64, float64 gradchecks, Int64 inputs, and the errors.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/core/ops/fixture_case.h"
#include "tests/gradcheck.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::all_close;
using testing::gradcheck;
using testing::throws_with;

const testing::Fixture& fixture() { return testing::Fixture::get("shape_ops.txt"); }

// The records <key>_<field>0, <key>_<field>1, ... that exist.
std::vector<Tensor> numbered(const std::string& key, const std::string& field) {
  std::vector<Tensor> out;
  for (int i = 0; fixture().has(key + "_" + field + std::to_string(i)); ++i)
    out.push_back(fixture()[key + "_" + field + std::to_string(i)].clone());
  return out;
}

using JoinFn = Tensor (*)(const std::vector<Tensor>&, int64_t);

struct JoinCase {
  std::string name;
  int64_t dim;
};

// Loads the inputs x0, x1, ... of a cat or stack case, joins them and checks the output,
// its grad_fn and each input's gradient of sum(out * g).
void check_join(const std::string& key, JoinFn join, int64_t dim, const std::string& grad_fn) {
  SCOPED_TRACE(key);
  std::vector<Tensor> xs = numbered(key, "x");
  ASSERT_FALSE(xs.empty());
  for (Tensor& x : xs) x.requires_grad_();
  Tensor out = join(xs, dim);
  EXPECT_TRUE(all_close(out, fixture()[key + "_out"])) << "forward";
  EXPECT_EQ(out.grad_fn_name(), grad_fn);
  out.backward(fixture()[key + "_g"]);
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_TRUE(all_close(xs[i].grad(), fixture()[key + "_dx" + std::to_string(i)])) << "gradient of x" << i;
}

const std::vector<JoinCase> kCatCases = {{"d0", 0}, {"d1", 1}, {"dm1", -1}, {"with_empty", 1},
                                         {"legacy_empty", 1}, {"one", 0}};
const std::vector<JoinCase> kStackCases = {{"d0", 0}, {"d1", 1}, {"dm1", -1}, {"d2_end", 2},
                                           {"scalars", 0}, {"empty", 1}};

TEST(JoinTest, CatMatchesTorch) {
  for (const auto& c : kCatCases)
    for (const char* code : testing::kCodes)
      check_join("cat_" + c.name + "_" + code, [](const std::vector<Tensor>& v, int64_t d) { return cat(v, d); },
                 c.dim, "CatBackward0");
}

TEST(JoinTest, StackMatchesTorch) {
  for (const auto& c : kStackCases)
    for (const char* code : testing::kCodes)
      check_join("stack_" + c.name + "_" + code, [](const std::vector<Tensor>& v, int64_t d) { return stack(v, d); },
                 c.dim, "StackBackward0");
}

// A float64 gradcheck of `join` on each case's inputs x0, x1, ....
void gradcheck_join(const std::string& prefix, const std::vector<JoinCase>& cases, JoinFn join) {
  for (const auto& c : cases) {
    SCOPED_TRACE(prefix + c.name);
    std::vector<Tensor> xs = numbered(prefix + c.name + "_f64", "x");
    for (Tensor& x : xs) x.requires_grad_();
    int64_t dim = c.dim;
    EXPECT_TRUE(gradcheck([dim, join](const std::vector<Tensor>& v) { return join(v, dim); }, xs));
  }
}

TEST(JoinTest, CatAndStackGradcheck) {
  gradcheck_join("cat_", kCatCases, [](const std::vector<Tensor>& v, int64_t d) { return cat(v, d); });
  gradcheck_join("stack_", kStackCases, [](const std::vector<Tensor>& v, int64_t d) { return stack(v, d); });
}

// The C++ spelling of each case in tools/make_shape_fixtures.py (SPLIT_CASES).
struct SplitCase {
  std::string name;
  std::vector<Tensor> (*fn)(const Tensor&);
  int64_t dim;  // the dim the pieces are cut along (for the gradcheck, which joins them back)
  std::string grad_fn = "SplitBackward0";
};

const std::vector<SplitCase>& split_cases() {
  static const std::vector<SplitCase> cases = {
      {"split_2_d0", [](const Tensor& x) { return x.split(2, 0); }, 0},
      {"split_3_d1", [](const Tensor& x) { return split(x, 3, 1); }, 1},
      {"split_big", [](const Tensor& x) { return x.split(10); }, 0},
      {"split_dm1", [](const Tensor& x) { return x.split(2, -1); }, -1},
      {"split_empty_dim", [](const Tensor& x) { return x.split(2); }, 0},
      {"split_zero_of_empty", [](const Tensor& x) { return x.split(0); }, 0},
      {"chunk_3_d0", [](const Tensor& x) { return x.chunk(3, 0); }, 0},
      {"chunk_4_of_5", [](const Tensor& x) { return chunk(x, 4); }, 0},
      {"chunk_dm1", [](const Tensor& x) { return x.chunk(2, -1); }, -1},
      {"chunk_more_than_rows", [](const Tensor& x) { return x.chunk(5); }, 0},
      {"chunk_of_empty", [](const Tensor& x) { return x.chunk(3); }, 0, "SplitWithSizesBackward0"},
  };
  return cases;
}

TEST(JoinTest, SplitAndChunkMatchTorch) {
  for (const auto& c : split_cases()) {
    for (const char* code : testing::kCodes) {
      const std::string key = c.name + "_" + code;
      SCOPED_TRACE(key);
      Tensor x = fixture()[key + "_x"].clone().requires_grad_();
      std::vector<Tensor> pieces = c.fn(x);
      std::vector<Tensor> want = numbered(key, "out"), gs = numbered(key, "g");
      ASSERT_EQ(pieces.size(), want.size());
      Tensor loss = scalar_tensor(0.0, x.dtype());
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        EXPECT_TRUE(all_close(pieces[i], want[i])) << "piece " << i;
        EXPECT_EQ(pieces[i].grad_fn_name(), c.grad_fn);
        loss = loss + (pieces[i] * gs[i]).sum();
      }
      loss.backward();
      EXPECT_TRUE(all_close(x.grad(), fixture()[key + "_dx"])) << "gradient";
    }
  }
}

// Each piece weighted differently (by i + 1), then joined back: every piece's gradient is checked.
TEST(JoinTest, SplitAndChunkGradcheck) {
  for (const auto& c : split_cases()) {
    SCOPED_TRACE(c.name);
    auto fn = c.fn;
    int64_t dim = c.dim;
    auto f = [fn, dim](const std::vector<Tensor>& v) {
      std::vector<Tensor> pieces = fn(v[0]);
      for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i] = pieces[i] * static_cast<double>(i + 1);
      return cat(pieces, dim);
    };
    EXPECT_TRUE(gradcheck(f, {fixture()[c.name + "_f64_x"].clone().requires_grad_()}));
  }
}

TEST(JoinTest, PieceSizesFollowTorch) {
  auto sizes = [](const std::vector<Tensor>& pieces, int64_t dim) {
    std::vector<int64_t> s;
    for (const Tensor& p : pieces) s.push_back(p.size(dim));
    return s;
  };
  using V = std::vector<int64_t>;
  Tensor x = zeros({10, 3});
  EXPECT_EQ(sizes(x.split(3), 0), (V{3, 3, 3, 1}));
  EXPECT_EQ(sizes(x.split(5), 0), (V{5, 5}));
  EXPECT_EQ(sizes(x.split(11), 0), (V{10}));
  EXPECT_EQ(sizes(x.split(std::numeric_limits<int64_t>::max()), 0), (V{10}));  // no overflow
  EXPECT_EQ(sizes(x.split(1, 1), 1), (V{1, 1, 1}));
  EXPECT_EQ(sizes(x.chunk(3), 0), (V{4, 4, 2}));
  EXPECT_EQ(sizes(x.chunk(4), 0), (V{3, 3, 3, 1}));
  EXPECT_EQ(sizes(x.chunk(6), 0), (V{2, 2, 2, 2, 2}));  // fewer pieces than asked, as torch
  EXPECT_EQ(sizes(x.chunk(20), 0), (V{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(sizes(x.chunk(2, -1), 1), (V{2, 1}));
  EXPECT_EQ(sizes(zeros({0, 2}).chunk(2), 0), (V{0, 0}));
  EXPECT_EQ(sizes(zeros({0, 2}).split(4), 0), (V{0}));
}

TEST(JoinTest, Int64Values) {
  Tensor a = tensor({1, 2, 3, 4}, {2, 2}), b = tensor({5, 6}, {2, 1});
  EXPECT_TRUE(all_close(cat({a, b}, 1), tensor({1, 2, 5, 3, 4, 6}, {2, 3})));
  EXPECT_TRUE(all_close(stack({a, a}, -1), tensor({1, 1, 2, 2, 3, 3, 4, 4}, {2, 2, 2})));
  std::vector<Tensor> pieces = tensor({1, 2, 3, 4, 5}).split(2);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_TRUE(all_close(pieces[2], tensor({5})));
  EXPECT_EQ(cat({a, a}).grad_fn_name(), "");
}

// A legacy empty tensor (1-D, 0 elements) is skipped by cat whatever its rank, as in torch:
// the idiom of growing a result from torch.tensor([]).
TEST(JoinTest, CatSkipsLegacyEmptyTensors) {
  Tensor acc = tensor(std::vector<float>{});
  Tensor row = tensor({1.0f, 2.0f}, {1, 2});
  acc = cat({acc, row});
  acc = cat({acc, row * 2.0});
  EXPECT_TRUE(all_close(acc, tensor({1.0f, 2.0f, 2.0f, 4.0f}, {2, 2})));
  EXPECT_EQ(cat({tensor(std::vector<float>{}), tensor(std::vector<float>{})}).sizes(), (Shape{0}));
}

// Only the inputs that require grad get one.
TEST(JoinTest, GradientsOnlyWhereAsked) {
  Tensor a = tensor({1.0, 2.0}).requires_grad_();
  Tensor b = tensor({3.0, 4.0, 5.0});
  Tensor y = cat({b, a, b});
  y.backward(tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}));
  EXPECT_TRUE(all_close(a.grad(), tensor({4.0, 5.0})));
  EXPECT_FALSE(b.grad().defined());
}

TEST(JoinTest, CatErrorsNameTheTensorAndDim) {
  Tensor a = zeros({4, 5});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { cat({}); }, {"cat", "non-empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cat({a, zeros({4, 6})}); },
      {"cat", "except in dimension 0", "tensor 1", "[4, 6]", "tensor 0", "[4, 5]", "dimension 1: 6 vs 5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cat({a, a, zeros({3, 5})}, 1); }, {"cat", "except in dimension 1", "tensor 2", "[3, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cat({a, zeros({4, 5}, DType::Float64)}); }, {"cat", "tensor 1", "torch.float64", "torch.float32", "to()"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { cat({a, zeros({4, 5, 1})}); }, {"cat", "tensor 1", "3 dimensions", "[4, 5, 1]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { cat({a, scalar_tensor(1.0)}); }, {"cat", "tensor 1", "0-dim"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { cat({a, Tensor()}); }, {"cat", "tensor 1", "undefined"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { cat({a, a}, 2); }, {"cat", "dimension 2", "[-2, 1]"}));
}

TEST(JoinTest, StackErrors) {
  Tensor a = zeros({4, 5});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { stack({}); }, {"stack", "non-empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { stack({a, a, zeros({2, 5})}); }, {"stack", "equal shape", "tensor 2", "[2, 5]", "[4, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { stack({a, zeros({4, 5}, DType::Int64)}); }, {"stack", "tensor 1", "torch.int64"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { stack({a, a}, 3); }, {"stack", "dimension 3", "[-3, 2]"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { stack({a, a}, -4); }, {"stack", "dimension -4"}));
}

TEST(JoinTest, SplitAndChunkErrors) {
  Tensor x = zeros({4, 5});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.split(-1); }, {"split", "non-negative", "-1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { x.split(0, 1); }, {"split", "split_size 0", "dimension 1 of size 5", "[4, 5]"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { scalar_tensor(1.0).split(1); }, {"split", "0-dim"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.split(2, 2); }, {"split", "dimension 2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.chunk(0); }, {"chunk", "greater than 0", "got 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { x.chunk(-2); }, {"chunk", "got -2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { scalar_tensor(1.0).chunk(1); }, {"chunk", "0-dim"}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { x.chunk(2, -3); }, {"chunk", "dimension -3"}));
}

}  // namespace
}  // namespace minigrad

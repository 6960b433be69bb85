// Checks to_string / operator<< against str(t) from PyTorch 1.13, character for
// character. Inputs and expected text are written by tools/make_print_fixtures.py.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "tests/fixture.h"

namespace minigrad {
namespace {

using Cases = testing::TextRecords;

// print_expected.txt: "=== name" then the text of str(t) up to the next "=== ".
const Cases& expected_cases() { return testing::text_records("print_expected.txt"); }

const testing::Fixture& inputs() {
  static const testing::Fixture fx("print_inputs.txt");
  return fx;
}

// The fixture format has no spelling for nan/inf, so those cases carry a code
// tensor `name__nonfinite` (1 nan, 2 inf, 3 -inf) that we write back here.
template <class T>
void patch_nonfinite(const Tensor& t, const Tensor& codes) {
  T* v = t.data_ptr<T>();
  const int64_t* c = codes.data_ptr<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (c[i] == 1) v[i] = std::numeric_limits<T>::quiet_NaN();
    if (c[i] == 2) v[i] = std::numeric_limits<T>::infinity();
    if (c[i] == 3) v[i] = -std::numeric_limits<T>::infinity();
  }
}

Tensor input(const std::string& name) {
  Tensor t = inputs()[name];
  if (inputs().has(name + "__nonfinite")) {
    Tensor codes = inputs()[name + "__nonfinite"];
    if (t.dtype() == DType::Float32) patch_nonfinite<float>(t, codes);
    else patch_nonfinite<double>(t, codes);
  }
  return t;
}

const std::string& expected(const std::string& name) {
  for (const auto& [n, text] : expected_cases())
    if (n == name) return text;
  throw std::out_of_range("print_expected.txt has no case " + name);
}

// Runs every fixture case whose name starts with `prefix`; returns how many ran.
int check_cases_with_prefix(const std::string& prefix) {
  int ran = 0;
  for (const auto& [name, text] : expected_cases()) {
    if (name.rfind(prefix, 0) != 0) continue;
    EXPECT_EQ(to_string(input(name)), text) << "case " << name;
    ++ran;
  }
  return ran;
}

TEST(Print, IntDtypeUsesWidestDecimal) { EXPECT_EQ(check_cases_with_prefix("int_"), 5); }

TEST(Print, FixedPointFourDecimals) {
  // includes exact binary ties (1.03125 -> 1.0312, 1.09375 -> 1.0938) and -0.0000
  EXPECT_EQ(check_cases_with_prefix("float_"), 5);
}

TEST(Print, IntegerValuedFloatsPrintWithTrailingDot) {
  EXPECT_EQ(check_cases_with_prefix("intval_"), 6);
  EXPECT_EQ(check_cases_with_prefix("zeros"), 1);
}

TEST(Print, ScientificNotationThresholds) {
  EXPECT_EQ(check_cases_with_prefix("sci_"), 6);
  EXPECT_EQ(check_cases_with_prefix("not_sci_"), 2);
}

TEST(Print, NonfiniteValuesDoNotWidenColumns) {
  EXPECT_EQ(check_cases_with_prefix("nonfinite_"), 5);
}

TEST(Print, ZeroDimTensors) { EXPECT_EQ(check_cases_with_prefix("scalar_"), 6); }

TEST(Print, EmptyTensorsNameSizeAndDtype) { EXPECT_EQ(check_cases_with_prefix("empty_"), 4); }

TEST(Print, RowsWrapAtEightyColumns) { EXPECT_EQ(check_cases_with_prefix("wrap_"), 7); }

TEST(Print, NestedBracketsAndBlankLines) { EXPECT_EQ(check_cases_with_prefix("nd_"), 6); }

TEST(Print, SummarizesPastThousandElements) { EXPECT_EQ(check_cases_with_prefix("sum_"), 9); }

TEST(Print, Float64SuffixWrapsLikeTorch) { EXPECT_EQ(check_cases_with_prefix("f64_"), 3); }

// "True" / "False", right-aligned to the widest; dtype named only when empty.
TEST(Print, BoolPrintsTrueAndFalse) { EXPECT_EQ(check_cases_with_prefix("bool_"), 11); }

// Cases named grad_* are rebuilt here exactly as make_print_fixtures.py builds them.
TEST(Print, AutogradSuffixes) {
  auto leaf = [](const std::string& name) { return input(name).requires_grad_(); };
  std::map<std::string, std::function<Tensor()>> build = {
      {"grad_leaf", [&] { return leaf("grad_leaf_a"); }},
      {"grad_leaf_f64", [&] { return leaf("grad_leaf_f64_a"); }},
      {"grad_leaf_wrap", [&] { return leaf("grad_leaf_wrap_a"); }},
      {"grad_leaf_f64_wrap", [&] { return leaf("grad_leaf_f64_wrap_a"); }},
      {"grad_leaf_oneline_wrap", [&] { return leaf("grad_leaf_oneline_wrap_a"); }},
      {"grad_leaf_scalar", [&] { return leaf("grad_leaf_scalar_a"); }},
      {"grad_add", [&] { return leaf("grad_add_a") + input("grad_add_b"); }},
      {"grad_mul", [&] { return leaf("grad_mul_a") * leaf("grad_mul_b"); }},
      {"grad_exp_f64", [&] { return leaf("grad_exp_f64_a").exp(); }},
      {"grad_sum", [&] { return leaf("grad_sum_a").sum(); }},
      {"grad_add_wrap", [&] { return leaf("grad_add_wrap_a") + input("grad_add_wrap_b"); }},
      {"grad_mul_2d_wrap",
       [&] { return leaf("grad_mul_2d_wrap_a") * input("grad_mul_2d_wrap_b"); }},
  };
  int ran = 0;
  for (const auto& [name, text] : expected_cases()) {
    if (name.rfind("grad_", 0) != 0) continue;
    auto it = build.find(name);
    ASSERT_NE(it, build.end()) << "no C++ builder for fixture case " << name;
    EXPECT_EQ(to_string(it->second()), text) << "case " << name;
    ++ran;
  }
  EXPECT_EQ(ran, static_cast<int>(build.size()));
}

TEST(Print, EveryFixtureCaseIsChecked) {
  const std::vector<std::string> prefixes = {"int_",  "float_", "intval_", "zeros",  "sci_",
                                             "not_sci_", "nonfinite_", "scalar_", "empty_",
                                             "wrap_", "nd_", "sum_", "f64_", "bool_", "grad_"};
  for (const auto& [name, text] : expected_cases()) {
    bool covered = false;
    for (const auto& p : prefixes) covered = covered || name.rfind(p, 0) == 0;
    EXPECT_TRUE(covered) << "fixture case " << name << " belongs to no test";
  }
}

TEST(Print, StreamOperatorWritesToString) {
  Tensor t = input("nd_3d_float");
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), expected("nd_3d_float"));
}

TEST(Print, UndefinedTensorSaysSo) { EXPECT_EQ(to_string(Tensor()), "[ Tensor (undefined) ]"); }

}  // namespace
}  // namespace minigrad

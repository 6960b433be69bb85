// Checks nn/repr.cpp against Python: repr() of floats (written by tools/make_module_fixtures.py,
// each from its exact hex value), tuples, bools and strings.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "nn/repr.h"
#include "tests/fixture.h"

namespace minigrad {
namespace {

TEST(NnRepr, FloatsAsPythonsRepr) {
  std::istringstream inputs(testing::text_record("nn_module_text.txt", "py_float_inputs"));
  std::istringstream expected(testing::text_record("nn_module_text.txt", "py_float"));
  std::string hex, want;
  int cases = 0;
  while (std::getline(inputs, hex) && std::getline(expected, want)) {
    double v = std::strtod(hex.c_str(), nullptr);  // strtod reads Python's float.hex exactly
    EXPECT_EQ(nn::repr::py_float(v), want) << hex;
    ++cases;
  }
  EXPECT_EQ(cases, 20);
  EXPECT_EQ(nn::repr::py_float(1.0 / 0.0), "inf");
  EXPECT_EQ(nn::repr::py_float(-1.0 / 0.0), "-inf");
}

TEST(NnRepr, TuplesBoolsStrings) {
  EXPECT_EQ(nn::repr::py_tuple({768}), "(768,)");
  EXPECT_EQ(nn::repr::py_tuple({3, 4}), "(3, 4)");
  EXPECT_EQ(nn::repr::py_tuple({}), "()");
  EXPECT_EQ(nn::repr::py_bool(true), "True");
  EXPECT_EQ(nn::repr::py_bool(false), "False");
  EXPECT_EQ(nn::repr::py_str("none"), "'none'");
}

}  // namespace
}  // namespace minigrad

// Runs one PyTorch fixture case through a minigrad op and compares every number:
// the forward output, then the gradients after out.backward(g). Cases are written by
// tools/make_ops_a_fixtures.py as records <key>_x, <key>_y, <key>_out, <key>_g, <key>_dx, <key>_dy.
// Not a gradient checker: finite differences are tests/gradcheck.h.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad::testing {

using CaseFn = std::function<Tensor(const std::vector<Tensor>&)>;

// The dtype suffixes every fixture case comes in.
inline const char* const kCodes[] = {"f32", "f64"};

// One op under test: the fixture key prefix, how to call it, and torch's grad_fn name.
struct OpCase {
  std::string name;
  CaseFn fn;
  std::string grad_fn;
};

// Loads <key>_x (and <key>_y if present) as leaves that require grad, applies `fn`,
// and checks the output, its grad_fn name, and the gradients of out.backward(<key>_g).
inline void check_case(const Fixture& fx, const std::string& key, const CaseFn& fn,
                       const std::string& grad_fn) {
  SCOPED_TRACE("fixture case " + key);
  std::vector<Tensor> inputs{fx[key + "_x"].clone()};
  if (fx.has(key + "_y")) inputs.push_back(fx[key + "_y"].clone());
  for (Tensor& t : inputs) t.requires_grad_();
  Tensor out = fn(inputs);
  EXPECT_TRUE(all_close(out, fx[key + "_out"])) << "forward";
  EXPECT_EQ(out.grad_fn_name(), grad_fn);
  out.backward(fx[key + "_g"]);
  const char* grads[] = {"_dx", "_dy"};
  for (std::size_t i = 0; i < inputs.size(); ++i)
    EXPECT_TRUE(all_close(inputs[i].grad(), fx[key + grads[i]])) << "gradient" << grads[i];
}

// The float64 inputs of a fixture case, as fresh leaves that require grad (for gradcheck).
inline std::vector<Tensor> f64_inputs(const Fixture& fx, const std::string& name) {
  std::vector<Tensor> inputs{fx[name + "_f64_x"].clone().requires_grad_()};
  if (fx.has(name + "_f64_y")) inputs.push_back(fx[name + "_f64_y"].clone().requires_grad_());
  return inputs;
}

}  // namespace minigrad::testing

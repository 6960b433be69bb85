// Test data for the softmax-shaped kernels: n normal floats of a given spread
// (spread 30 makes exponents that overflow without the max shift), from a seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace minigrad::kernels::testing_data {

inline std::vector<float> random_logits(int64_t n, uint32_t seed, float spread) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0.0f, spread);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = d(gen);
  return v;
}

}  // namespace minigrad::kernels::testing_data

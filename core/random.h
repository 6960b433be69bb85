// Random streams that reproduce PyTorch's CPU generator bit for bit, so that
// `manual_seed(123); randn({6, 3})` prints what `torch.manual_seed(123); torch.randn(6, 3)` prints.
// Not a general RNG library: only the draws torch's CPU kernels make, in torch's order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/tensor.h"

namespace minigrad {

// Everything a Generator draws from, so a checkpoint can stop a stream and resume it
// draw for draw (torch: Generator.get_state / set_state, torch.get_rng_state).
struct GeneratorState {
  uint64_t seed = 0;                  // initial_seed()
  std::array<uint32_t, 624> mt{};     // the Mersenne Twister's words
  int64_t index = 624;                // the next word to temper, in [0, 624]; 624 twists first
  std::optional<double> next_normal;  // the scalar Box-Muller path's cached second value
};

// A local stream, like torch.Generator: mt19937 plus the cached second normal
// of torch's scalar Box-Muller path.
class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL);  // torch's default seed
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }
  GeneratorState get_state() const { return {seed_, state_, index_, next_double_normal_}; }
  void set_state(const GeneratorState& s);  // std::invalid_argument if s.index is outside [0, 624]

  uint32_t random() {  // one 32-bit draw of mt19937 (inline: dropout draws two per element)
    if (index_ >= 624) twist();
    // Tempering: an invertible bit scramble that evens out the output's equidistribution.
    uint32_t y = state_[static_cast<std::size_t>(index_++)];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    return y ^ (y >> 18);
  }
  uint64_t random64() {  // two draws, as torch's random64(): the first is the high half
    const uint64_t hi = random();
    return (hi << 32) | random();
  }
  // Uniform in [from, to): floats from 24 random bits, doubles from 53, as torch.
  float uniform_float(float from, float to);
  double uniform_double(double from, double to);
  // torch's scalar normal path (normal_distribution<double>): Box-Muller that caches its second value.
  double normal_double(double mean, double std);

  // Fill n contiguous elements the way torch's uniform_/normal_ kernels do.
  void fill_uniform(float* data, int64_t n, double from, double to);
  void fill_uniform(double* data, int64_t n, double from, double to);
  void fill_normal(float* data, int64_t n, double mean, double std);
  void fill_normal(double* data, int64_t n, double mean, double std);

 private:
  void twist();  // regenerates all 624 words (random.cpp)
  uint64_t seed_ = 0;
  std::array<uint32_t, 624> state_{};
  int64_t index_ = 624;
  std::optional<double> next_double_normal_;
};

Generator& default_generator();
void manual_seed(uint64_t seed);  // reseeds default_generator()
inline GeneratorState get_rng_state() { return default_generator().get_state(); }
inline void set_rng_state(const GeneratorState& s) { default_generator().set_state(s); }

Tensor rand(const Shape& shape, DType dtype = DType::Float32);
Tensor randn(const Shape& shape, DType dtype = DType::Float32);
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::Float32);
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::Float32);
Tensor rand_like(const Tensor& t);
Tensor randn_like(const Tensor& t);
// In-place fills with an explicit generator (Tensor::uniform_/normal_ use the default one).
Tensor& uniform_(Tensor& t, double from, double to, Generator& gen);
Tensor& normal_(Tensor& t, double mean, double std, Generator& gen);

// ---- discrete draws (core/sampling.cpp): torch 1.13's CPU kernels, draw for draw ----
// bernoulli_ fills t with 1 where a uniform double u < p, else 0 (any dtype).
Tensor& bernoulli_(Tensor& t, double p, Generator& gen);
// A random permutation of 0 .. n-1 (Int64): Fisher-Yates from the front, one 32-bit draw a step.
Tensor randperm(int64_t n);
Tensor randperm(int64_t n, Generator& gen);
// Int64 values uniform in [low, high): (draw mod (high - low)) + low.
Tensor randint(int64_t low, int64_t high, const Shape& shape);
Tensor randint(int64_t high, const Shape& shape);  // low = 0
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen);
// num_samples category indices per row of 1-D or 2-D floating `probs` (weights need not sum to 1);
// Int64, shape (num_samples) or (rows, num_samples).
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false);
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator& gen);

}  // namespace minigrad

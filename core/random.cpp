// PyTorch's CPU random streams, reproduced bit for bit: the mt19937 engine, the
// uniform transforms, and the two Box-Muller paths torch's normal_ kernel takes.
// Every rounding step mirrors torch 1.13's compiled x86 kernels (normal_ runs its AVX2
// kernel even on AVX-512 machines), including the fused multiply-adds its compiler
// formed, so values match exactly, and on any machine (std::fma is exact everywhere).
// Not here: other distributions, or locking (a Generator is used from one thread).
#include "core/random.h"

#include <bit>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "core/autograd.h"

namespace minigrad {

// ============================== the engine: mt19937 ==============================
//
// Seeding: torch stores the full 64-bit seed (initial_seed() returns it), but the
// engine's first state word is only its low 32 bits, so seeds 7 and 2^40 + 7 give
// the same stream. The rest of the state is Knuth's recurrence, mod 2^32.
// The twist runs on the first draw (index_ = 624), as in the reference mt19937.

namespace {
constexpr int kStateSize = 624;  // N
constexpr int kShift = 397;      // M
constexpr uint32_t kMatrixA = 0x9908b0dfU;
constexpr uint32_t kUpperBit = 0x80000000U;
constexpr uint32_t kLowerBits = 0x7fffffffU;
constexpr double kPi = 3.14159265358979323846;
}  // namespace

Generator::Generator(uint64_t seed) { manual_seed(seed); }

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  state_[0] = static_cast<uint32_t>(seed);
  for (int i = 1; i < kStateSize; ++i) {
    uint32_t prev = state_[i - 1];
    state_[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<uint32_t>(i);
  }
  index_ = kStateSize;
  next_double_normal_.reset();  // torch drops the cached normal on reseed, too
}

void Generator::set_state(const GeneratorState& s) {
  if (s.index < 0 || s.index > kStateSize)
    throw std::invalid_argument("Generator::set_state: index " + std::to_string(s.index) + " is outside [0, 624]");
  seed_ = s.seed;
  state_ = s.mt;
  index_ = s.index;
  next_double_normal_ = s.next_normal;
}

// Regenerates all 624 words: each mixes the top bit of one word with the low 31 bits of
// the next, and xors in the word 397 ahead (mod 624). Three runs, so no index wraps inside
// a loop: i + 397 < 624, then i + 397 - 624, then the last word, whose next is word 0.
void Generator::twist() {
  auto mix = [](uint32_t hi_word, uint32_t lo_word, uint32_t ahead) {
    const uint32_t y = (hi_word & kUpperBit) | (lo_word & kLowerBits);
    return ahead ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  };
  int i = 0;
  for (; i < kStateSize - kShift; ++i) state_[i] = mix(state_[i], state_[i + 1], state_[i + kShift]);
  for (; i < kStateSize - 1; ++i) state_[i] = mix(state_[i], state_[i + 1], state_[i + kShift - kStateSize]);
  state_[i] = mix(state_[i], state_[0], state_[kShift - 1]);
  index_ = 0;
}

// ============================== uniforms ==============================
//
// A float takes the low 24 bits of one 32-bit draw (its 24-bit significand), a
// double the low 53 bits of a 64-bit draw: k / 2^bits lies on an exact grid in
// [0, 1). Then from + x (to - from), which torch's compiler fuses into one fma
// (it matters: for uniform_(-2, 3), 5x - 2 and fma(x, 5, -2) differ in over a third of draws).

float Generator::uniform_float(float from, float to) {
  float x = static_cast<float>(random() & 0xffffffU) * (1.0f / 16777216.0f);  // 2^-24
  return std::fma(x, to - from, from);
}

double Generator::uniform_double(double from, double to) {
  double x = static_cast<double>(random64() & ((uint64_t{1} << 53) - 1)) *
             (1.0 / 9007199254740992.0);  // 2^-53
  return std::fma(x, to - from, from);
}

// ============================== the scalar Box-Muller path ==============================
//
// Used for tensors of fewer than 16 elements (both dtypes). Two uniforms u1, u2 give
//   r = sqrt(-2 log(1 - u2)),  theta = 2 pi u1,  z0 = r cos(theta),  z1 = r sin(theta)
// (1 - u2 lies in (0, 1], so the log is finite). z0 is returned now; z1 is cached
// and returned by the next call, before any new draw. All in double, even for floats.

double Generator::normal_double(double mean, double std) {
  if (next_double_normal_) {
    double z1 = *next_double_normal_;
    next_double_normal_.reset();
    return std::fma(z1, std, mean);
  }
  double u1 = uniform_double(0.0, 1.0);
  double u2 = uniform_double(0.0, 1.0);
  double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  double theta = 2.0 * kPi * u1;
  next_double_normal_ = r * std::sin(theta);
  return std::fma(r * std::cos(theta), std, mean);
}

// ============================== the 16-wide Box-Muller path ==============================
//
// For 16 or more contiguous elements torch first fills the whole tensor with
// uniforms, then turns each block of 16 into normals: u1 = 1 - data[j] (in (0, 1])
// pairs with u2 = data[j + 8], giving data[j] = r cos(theta), data[j + 8] = r sin(theta).
// If n is not a multiple of 16, the leftover elements are handled by drawing 16
// fresh uniforms into the LAST 16 slots (overwriting normals already made there)
// and transforming that block. So n elements cost n + 16 draws unless 16 | n,
// and the cached scalar normal is neither used nor touched.
//
// Float blocks run through AVX2 in torch, with Cephes-style polynomial log and
// sincos (avx_mathfun.h) instead of libm. The two functions below evaluate one lane
// of those, step for step; each std::fma stands where torch's compiler fused a
// multiply into the following add. Valid on the arguments Box-Muller gives them:
// log on [2^-24, 1], sincos on [0, 2 pi).

namespace {

// log(x) = e ln 2 + log(m), with x = m 2^e and m moved into [sqrt(1/2), sqrt(2)),
// so that log(m) = log(1 + f) is a short polynomial in f = m - 1.
float lane_log(float x) {
  constexpr float kP[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                           -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                           2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
  // ln 2 split as kLn2Hi + kLn2Lo; kLn2Hi has few bits, so e * kLn2Hi is exact.
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kSqrtHalf = 0.707106781186547524f;

  uint32_t bits = std::bit_cast<uint32_t>(x);
  // Biased exponent minus 127, plus 1: the exponent e for a mantissa m in [0.5, 1).
  float e = static_cast<float>(static_cast<int32_t>(bits >> 23) - 0x7f) + 1.0f;
  float m = std::bit_cast<float>((bits & ~0x7f800000U) | 0x3f000000U);
  float f;
  if (m < kSqrtHalf) {  // use 2m in [sqrt(1/2), 1) and e - 1 instead
    e -= 1.0f;
    f = (m - 1.0f) + m;
  } else {
    f = m - 1.0f;
  }
  float z = f * f;
  float y = kP[0];
  for (int k = 1; k < 9; ++k) y = std::fma(y, f, kP[k]);
  y = y * f;
  // log(1 + f) ~ f - f^2/2 + f^3 P(f); the low part of e ln 2 joins the small terms first.
  y = std::fma(y, z, e * kLn2Lo);
  y = std::fma(-z, 0.5f, y);
  return std::fma(e, kLn2Hi, f + y);
}

// sin and cos of x >= 0 together: reduce x by j pi/4 (j even, nearest the octant),
// evaluate both Cephes polynomials on the remainder, then pick and sign them by j.
void lane_sincos(float x, float* sin_out, float* cos_out) {
  constexpr float kFourOverPi = 1.27323954473516f;
  // pi/4 = kDp1 + kDp2 + kDp3; the first two have few bits, so j * kDp1, j * kDp2 are exact.
  constexpr float kDp1 = 0.78515625f;
  constexpr float kDp2 = 2.4187564849853515625e-4f;
  constexpr float kDp3 = 3.77489497744594108e-8f;

  int j = static_cast<int>(x * kFourOverPi);  // truncation, as cvttps
  j = (j + 1) & ~1;
  float y = static_cast<float>(j);
  x = std::fma(y, -kDp1, x);
  x = std::fma(y, -kDp2, x);
  x = std::fma(y, -kDp3, x);  // now x is in [-pi/4, pi/4]

  float z = x * x;
  // cos(x) ~ 1 - z/2 + z^2 C(z)
  float c = std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f);
  c = std::fma(c, z, 4.166664568298827E-002f);
  c = c * z;
  c = std::fma(c, z, -(z * 0.5f));
  c = c + 1.0f;
  // sin(x) ~ x + x z S(z)
  float s = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
  s = std::fma(s, z, -1.6666654611E-1f);
  s = s * z;
  s = std::fma(s, x, x);

  // Octant pairs j = 0, 2, 4, 6 (mod 8) shift the angle by 0, pi/2, pi, 3pi/2.
  bool swap = (j & 2) != 0;
  float sin_v = swap ? c : s;
  float cos_v = swap ? s : c;
  if (j & 4) sin_v = -sin_v;
  if (((j - 2) & 4) == 0) cos_v = -cos_v;
  *sin_out = sin_v;
  *cos_out = cos_v;
}

void box_muller_16(float* d, float mean, float std) {
  const float two_pi = static_cast<float>(2.0 * kPi);
  for (int j = 0; j < 8; ++j) {
    float radius = std::sqrt(-2.0f * lane_log(1.0f - d[j]));
    float sin_t, cos_t;
    lane_sincos(two_pi * d[j + 8], &sin_t, &cos_t);
    d[j] = std::fma(radius * cos_t, std, mean);
    d[j + 8] = std::fma(radius * sin_t, std, mean);
  }
}

// Float64 blocks are scalar C++ in torch, so libm's log, cos and sin.
void box_muller_16(double* d, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    double radius = std::sqrt(-2.0 * std::log(1.0 - d[j]));
    double theta = 2.0 * kPi * d[j + 8];
    d[j] = std::fma(radius * std::cos(theta), std, mean);
    d[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

template <class T>
void fill_uniform_01(Generator& gen, T* data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, float>) {
      data[i] = gen.uniform_float(0.0f, 1.0f);
    } else {
      data[i] = gen.uniform_double(0.0, 1.0);
    }
  }
}

// The whole threshold-and-tail logic, shared by both dtypes.
template <class T>
void fill_normal_impl(Generator& gen, T* data, int64_t n, double mean, double std) {
  if (n < 16) {
    for (int64_t i = 0; i < n; ++i) data[i] = static_cast<T>(gen.normal_double(mean, std));
    return;
  }
  const T m = static_cast<T>(mean);
  const T s = static_cast<T>(std);
  fill_uniform_01(gen, data, n);
  for (int64_t i = 0; i + 16 <= n; i += 16) box_muller_16(data + i, m, s);
  if (n % 16 != 0) {
    fill_uniform_01(gen, data + n - 16, 16);
    box_muller_16(data + n - 16, m, s);
  }
}

}  // namespace

void Generator::fill_uniform(float* data, int64_t n, double from, double to) {
  const float f = static_cast<float>(from), t = static_cast<float>(to);
  for (int64_t i = 0; i < n; ++i) data[i] = uniform_float(f, t);
}

void Generator::fill_uniform(double* data, int64_t n, double from, double to) {
  for (int64_t i = 0; i < n; ++i) data[i] = uniform_double(from, to);
}

void Generator::fill_normal(float* data, int64_t n, double mean, double std) {
  fill_normal_impl(*this, data, n, mean, std);
}

void Generator::fill_normal(double* data, int64_t n, double mean, double std) {
  fill_normal_impl(*this, data, n, mean, std);
}

// ============================== the global stream and tensor entry points ==============================

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

namespace {

void require_floating(DType dtype, const char* op) {
  if (!is_floating(dtype)) {
    throw std::invalid_argument(std::string(op) + ": random values need a floating dtype, got " +
                                dtype_name(dtype));
  }
}

// Writes into t's data without touching its version (a fresh tensor starts at 0, as torch's).
void fill_uniform_tensor(const Tensor& t, double from, double to, Generator& gen) {
  if (t.dtype() == DType::Float32) {
    gen.fill_uniform(t.data_ptr<float>(), t.numel(), from, to);
  } else {
    gen.fill_uniform(t.data_ptr<double>(), t.numel(), from, to);
  }
}

void fill_normal_tensor(const Tensor& t, double mean, double std, Generator& gen) {
  if (t.dtype() == DType::Float32) {
    gen.fill_normal(t.data_ptr<float>(), t.numel(), mean, std);
  } else {
    gen.fill_normal(t.data_ptr<double>(), t.numel(), mean, std);
  }
}

// The checks every in-place fill makes before writing.
void check_fill(const Tensor& t, const char* op) {
  if (!t.defined()) throw std::invalid_argument(std::string(op) + ": called on an undefined tensor");
  require_floating(t.dtype(), op);
  if (GradMode::is_enabled() && t.requires_grad()) {
    throw std::runtime_error(std::string(op) +
                             ": a tensor that requires grad is being used in an in-place "
                             "operation; wrap the fill in a NoGradGuard (as nn::init does)");
  }
}

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  require_floating(dtype, "rand");
  Tensor t = empty(shape, dtype);
  fill_uniform_tensor(t, 0.0, 1.0, gen);
  return t;
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  require_floating(dtype, "randn");
  Tensor t = empty(shape, dtype);
  fill_normal_tensor(t, 0.0, 1.0, gen);
  return t;
}

Tensor rand(const Shape& shape, DType dtype) { return rand(shape, default_generator(), dtype); }
Tensor randn(const Shape& shape, DType dtype) { return randn(shape, default_generator(), dtype); }
Tensor rand_like(const Tensor& t) { return rand(t.sizes(), t.dtype()); }
Tensor randn_like(const Tensor& t) { return randn(t.sizes(), t.dtype()); }

Tensor& uniform_(Tensor& t, double from, double to, Generator& gen) {
  check_fill(t, "uniform_");
  if (!(from <= to)) {
    throw std::invalid_argument("uniform_: expects a [from, to) range, but found from=" + num(from) +
                                " > to=" + num(to));
  }
  fill_uniform_tensor(t, from, to, gen);
  t.impl()->storage->version++;
  return t;
}

Tensor& normal_(Tensor& t, double mean, double std, Generator& gen) {
  check_fill(t, "normal_");
  if (!(std >= 0.0)) {
    throw std::invalid_argument("normal_: expects std >= 0.0, but found std " + num(std));
  }
  fill_normal_tensor(t, mean, std, gen);
  t.impl()->storage->version++;
  return t;
}

Tensor& Tensor::uniform_(double from, double to) {
  return minigrad::uniform_(*this, from, to, default_generator());
}

Tensor& Tensor::normal_(double mean, double std) {
  return minigrad::normal_(*this, mean, std, default_generator());
}

}  // namespace minigrad

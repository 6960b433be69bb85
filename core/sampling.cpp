// Discrete draws from PyTorch's CPU streams, draw for draw as torch 1.13 makes them:
// bernoulli_ (dropout's mask), randperm, randint (torch's random_(from, to)) and multinomial.
// Each takes a Generator (by default the global one) and draws sequentially, in linear
// element order, so results never depend on the thread count.
// Not here: the engine and the uniform/normal transforms (random.cpp), dropout and topk (core/ops/).
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/convert.h"
#include "core/random.h"

namespace minigrad {

namespace {

// One uniform double in [0, 1): 53 bits of random64(), as torch's uniform_real_distribution<double>.
double uniform01(Generator& gen) { return gen.uniform_double(0.0, 1.0); }

}  // namespace

// ============================== bernoulli_ ==============================
//
// torch's CPU bernoulli_(p) (no MKL) walks the tensor in order and, for each element,
// draws one uniform double u and writes (u < p). dropout calls it with p = 1 - p_drop.

Tensor& bernoulli_(Tensor& t, double p, Generator& gen) {
  if (!t.defined()) throw std::invalid_argument("bernoulli_: called on an undefined tensor");
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("bernoulli_: expects 0 <= p <= 1, but got p=" + num(p));
  }
  if (GradMode::is_enabled() && t.requires_grad()) {
    throw std::runtime_error("bernoulli_: a tensor that requires grad is being used in an in-place "
                             "operation; wrap the fill in a NoGradGuard");
  }
  visit_dtype(t.dtype(), [&](auto tag) {  // a bool tensor too: torch fills it with the same draws
    using T = decltype(tag);
    T* d = t.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) d[i] = static_cast<T>(uniform01(gen) < p);
  });
  t.impl()->storage->version++;
  return t;
}

Tensor& Tensor::bernoulli_(double p) { return minigrad::bernoulli_(*this, p, default_generator()); }

// ============================== randperm ==============================
//
// torch's randperm_cpu: r = [0, 1, .., n-1]; for i = 0 .. n-2 draw z = random() % (n - i)
// (one 32-bit draw, whatever n) and swap r[i] with r[i + z]. So n - 1 draws in all.

Tensor randperm(int64_t n, Generator& gen) {
  if (n < 0) throw std::invalid_argument("randperm: n must be non-negative, got n=" + std::to_string(n));
  Tensor r = empty({n}, DType::Int64);
  int64_t* d = r.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) d[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    int64_t z = static_cast<int64_t>(gen.random() % static_cast<uint64_t>(n - i));
    std::swap(d[i], d[i + z]);
  }
  return r;
}

Tensor randperm(int64_t n) { return randperm(n, default_generator()); }

// ============================== randint ==============================
//
// torch.randint(low, high, shape) is empty(shape, int64).random_(low, high). Its CPU kernel
// (uniform_int_from_to_distribution) takes, per element in order, one 32-bit draw if the
// range = high - low is below 2^32 and a 64-bit draw (two words) otherwise, and returns
// (draw mod range) + low in wrapping 64-bit arithmetic. The modulo is slightly biased
// toward small values when range does not divide 2^32 (or 2^64); torch accepts that.

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen) {
  if (!(low < high)) {
    throw std::invalid_argument("randint: expects low < high (values are drawn from [low, high)), but got low=" +
                                std::to_string(low) + " >= high=" + std::to_string(high));
  }
  Tensor r = empty(shape, DType::Int64);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  const bool wide = range >= (uint64_t{1} << 32);
  int64_t* d = r.data_ptr<int64_t>();
  for (int64_t i = 0; i < r.numel(); ++i) {
    uint64_t draw = wide ? gen.random64() : gen.random();
    d[i] = static_cast<int64_t>(draw % range + static_cast<uint64_t>(low));
  }
  return r;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape) {
  return randint(low, high, shape, default_generator());
}
Tensor randint(int64_t high, const Shape& shape) { return randint(0, high, shape, default_generator()); }

// ============================== multinomial ==============================
//
// torch 1.13 (aten/src/ATen/native/Distributions.cpp, multinomial_out) takes two roads,
// chosen by `replacement` alone (later torch versions also send a single sample with
// replacement down the first road; 1.13 does not, and the fixtures confirm it).
//
// Without replacement: the "exponential race". For every element of probs, in linear order,
// draw q ~ Exp(1) (exponential_: q = -log(1 - u) from one uniform double u, rounded to the
// dtype); category j's score is p_j / q_j. The largest score wins with P(argmax = j) =
// p_j / sum(p), and the k largest scores are k draws without replacement (the Gumbel-top-k
// trick, exponentiated: log p - log q). So one sample is argmax(p / q) along the row (first
// maximum on ties) and several are the topk(p / q, k) indices. rows x cols draws, whatever
// num_samples is.
//
// With replacement (cpu/MultinomialKernel.cpp), row by row: the running sum of the row, in
// the dtype, divided by the total is the cumulative distribution; its last entry is then set
// to exactly 1. Each sample draws one uniform double u and takes the first category whose
// cumulative value is >= u (a binary search). rows x num_samples draws.

namespace {

constexpr int64_t kMaxCategories = int64_t{1} << 24;  // torch: floats count categories exactly up to 2^24

std::string row_of(const Tensor& probs, int64_t row) {
  return probs.dim() == 2 ? " in row " + std::to_string(row) : "";
}

// Where the fast road rejects probs: any entry that is negative, infinite or NaN, or a row of zeros.
template <class T>
void check_fast_road(const Tensor& probs, int64_t rows, int64_t cols) {
  const T* p = probs.data_ptr<T>();
  for (int64_t r = 0; r < rows; ++r) {
    bool any_positive = false;
    for (int64_t j = 0; j < cols; ++j) {
      T v = p[r * cols + j];
      if (!(v >= 0) || std::isinf(v)) {
        throw std::invalid_argument("multinomial: probability tensor contains either `inf`, `nan` or element < 0: "
                                    "probs" + row_of(probs, r) + " at column " + std::to_string(j) + " is " +
                                    num(static_cast<double>(v)) + " (shape " + shape_str(probs.sizes()) + ")");
      }
      any_positive = any_positive || v > 0;
    }
    if (!any_positive) {
      throw std::invalid_argument("multinomial: invalid multinomial distribution (sum of probabilities <= 0): "
                                  "every probability" + row_of(probs, r) + " of probs of shape " +
                                  shape_str(probs.sizes()) + " is 0");
    }
  }
}

// The exponential race: scores = probs / q with q = T(-log(1 - u)), drawn in linear order.
template <class T>
Tensor race_scores(const Tensor& probs, Generator& gen) {
  Tensor scores = empty_like(probs);
  const T* p = probs.data_ptr<T>();
  T* s = scores.data_ptr<T>();
  for (int64_t i = 0; i < probs.numel(); ++i) {
    T q = static_cast<T>(-std::log(1.0 - uniform01(gen)));
    s[i] = p[i] / q;
  }
  return scores;
}

template <class T>
void sample_with_replacement(const Tensor& probs, int64_t rows, int64_t cols, int64_t num_samples,
                             int64_t* out, Generator& gen) {
  const T* p = probs.data_ptr<T>();
  std::vector<T> cum(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    // Checked row by row while drawing, as torch does: earlier rows have drawn by then.
    T sum = 0;
    for (int64_t j = 0; j < cols; ++j) {
      T v = p[r * cols + j];
      if (!(v >= 0) || std::isinf(v)) {
        std::string what = v < 0 ? "probability entry < 0" : "probability entry = infinity or NaN";
        throw std::invalid_argument("multinomial: invalid multinomial distribution (encountering " + what +
                                    "): probs" + row_of(probs, r) + " at column " + std::to_string(j) + " is " +
                                    num(static_cast<double>(v)) + " (shape " + shape_str(probs.sizes()) + ")");
      }
      sum += v;
      cum[j] = sum;
    }
    if (!(sum > 0)) {
      throw std::invalid_argument("multinomial: invalid multinomial distribution (sum of probabilities <= 0): "
                                  "every probability" + row_of(probs, r) + " of probs of shape " +
                                  shape_str(probs.sizes()) + " is 0");
    }
    for (int64_t j = 0; j < cols; ++j) cum[j] /= sum;
    cum[cols - 1] = 1;  // rounding must not leave the last bucket short of 1
    for (int64_t s = 0; s < num_samples; ++s) {
      double u = uniform01(gen);
      int64_t lo = 0, hi = cols;  // first j with cum[j] >= u
      while (hi > lo) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cum[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      out[r * num_samples + s] = lo;
    }
  }
}

}  // namespace

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator& gen) {
  if (!probs.defined()) throw std::invalid_argument("multinomial: undefined probs tensor");
  if (probs.dim() < 1 || probs.dim() > 2) {
    throw std::invalid_argument("multinomial: prob_dist must be 1 or 2 dim, got probs of shape " +
                                shape_str(probs.sizes()));
  }
  if (!is_floating(probs.dtype())) {
    throw std::invalid_argument("multinomial: only supports floating-point dtypes for probs, got " +
                                dtype_name(probs.dtype()) + " (convert with to(DType::Float32))");
  }
  if (num_samples <= 0) {
    throw std::invalid_argument("multinomial: cannot sample num_samples <= 0 samples, got num_samples=" +
                                std::to_string(num_samples));
  }
  const int64_t cols = probs.size(-1);
  const int64_t rows = probs.dim() == 2 ? probs.size(0) : 1;
  if (!replacement && num_samples > cols) {
    throw std::invalid_argument("multinomial: cannot sample num_samples=" + std::to_string(num_samples) +
                                " > prob_dist.size(-1)=" + std::to_string(cols) +
                                " samples without replacement (probs of shape " + shape_str(probs.sizes()) +
                                "); pass replacement=true or ask for at most " + std::to_string(cols));
  }
  if (cols > kMaxCategories) {
    throw std::invalid_argument("multinomial: number of categories cannot exceed 2^24, got " +
                                std::to_string(cols));
  }
  NoGradGuard no_grad;  // sampling is not differentiable; torch records nothing either
  Shape out_shape = probs.dim() == 2 ? Shape{rows, num_samples} : Shape{num_samples};
  if (rows == 0) return empty(out_shape, DType::Int64);  // torch returns before any check

  if (!replacement) {
    bool f32 = probs.dtype() == DType::Float32;
    if (f32) check_fast_road<float>(probs, rows, cols);
    else check_fast_road<double>(probs, rows, cols);
    Tensor scores = f32 ? race_scores<float>(probs, gen) : race_scores<double>(probs, gen);
    if (num_samples == 1) return scores.argmax(-1, /*keepdim=*/true);
    return std::get<1>(scores.topk(num_samples, -1));
  }

  Tensor out = empty(out_shape, DType::Int64);
  visit_floating(probs.dtype(), [&](auto tag) {
    sample_with_replacement<decltype(tag)>(probs, rows, cols, num_samples, out.data_ptr<int64_t>(), gen);
  });
  return out;
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement) {
  return multinomial(probs, num_samples, replacement, default_generator());
}

Tensor Tensor::multinomial(int64_t num_samples, bool replacement) const {
  return minigrad::multinomial(*this, num_samples, replacement, default_generator());
}

}  // namespace minigrad

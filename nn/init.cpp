// torch.nn.init's formulas, computed in the same order with the same doubles, so the
// bounds (and so every drawn weight) agree with torch to the last bit.
// Not here: the draws (Tensor::uniform_ / normal_ in core/random.cpp consume the stream as torch).
#include "nn/init.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/autograd.h"

namespace minigrad::nn::init {

namespace {

void check_defined(const Tensor& t, const char* op) {
  if (!t.defined()) throw std::invalid_argument(std::string("nn::init::") + op + ": undefined tensor");
}

int64_t correct_fan(const Tensor& t, FanMode mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return mode == FanMode::FanIn ? fan_in : fan_out;
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, std::optional<double> param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv1d:
    case Nonlinearity::Conv2d:
    case Nonlinearity::Conv3d:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: {
      double slope = param.value_or(0.01);
      return std::sqrt(2.0 / (1 + slope * slope));
    }
    case Nonlinearity::SELU: return 3.0 / 4;
  }
  throw std::invalid_argument("nn::init::calculate_gain: unknown nonlinearity");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  check_defined(tensor, "calculate_fan_in_and_fan_out");
  if (tensor.dim() < 2) {
    throw std::invalid_argument(
        "nn::init: fan in and fan out can not be computed for a tensor with fewer than 2 "
        "dimensions (got shape " + shape_str(tensor.sizes()) + ")");
  }
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.sizes()[d];
  return {tensor.sizes()[1] * receptive_field, tensor.sizes()[0] * receptive_field};
}

Tensor uniform_(Tensor tensor, double a, double b) {
  check_defined(tensor, "uniform_");
  NoGradGuard no_grad;  // initialising a parameter is not part of any graph
  tensor.uniform_(a, b);
  return tensor;
}

Tensor normal_(Tensor tensor, double mean, double std) {
  check_defined(tensor, "normal_");
  NoGradGuard no_grad;
  tensor.normal_(mean, std);
  return tensor;
}

Tensor constant_(Tensor tensor, double value) {
  check_defined(tensor, "constant_");
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}

Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0.0); }
Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1.0); }

// Var[U(-b, b)] = b^2 / 3; asking for variance gain^2 / fan gives b = sqrt(3) * gain / sqrt(fan).
Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  check_defined(tensor, "kaiming_uniform_");
  if (tensor.numel() == 0) return tensor;  // torch warns "a no-op" and returns too
  double gain = calculate_gain(nonlinearity, a);
  double std = gain / std::sqrt(static_cast<double>(correct_fan(tensor, mode)));
  double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  check_defined(tensor, "kaiming_normal_");
  if (tensor.numel() == 0) return tensor;
  double gain = calculate_gain(nonlinearity, a);
  double std = gain / std::sqrt(static_cast<double>(correct_fan(tensor, mode)));
  return normal_(std::move(tensor), 0.0, std);
}

// Keeping both the forward and the backward variance: Var = 2 / (fan_in + fan_out), times gain^2.
Tensor xavier_uniform_(Tensor tensor, double gain) {
  check_defined(tensor, "xavier_uniform_");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  if (tensor.numel() == 0) return tensor;
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  double a = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -a, a);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  check_defined(tensor, "xavier_normal_");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  if (tensor.numel() == 0) return tensor;
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(std::move(tensor), 0.0, std);
}

}  // namespace minigrad::nn::init

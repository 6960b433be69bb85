// nn::init: the weight initialisers of torch.nn.init, with its formulas and its draws
// from the random stream, so a layer built after manual_seed(s) holds torch's numbers.
// Each fills a tensor in place without recording a graph and returns it.
// Not here: the random streams themselves (core/random.h).
#pragma once

#include <optional>
#include <utility>

#include "core/tensor.h"

namespace minigrad::nn::init {

// Which fan kaiming_* scales by: fan_in keeps the forward pass's variance, fan_out the backward's.
enum class FanMode { FanIn, FanOut };

// The non-linearity that follows the layer; it sets the gain (torch.nn.init.calculate_gain).
enum class Nonlinearity { Linear, Conv1d, Conv2d, Conv3d, Sigmoid, Tanh, ReLU, LeakyReLU, SELU };

// gain: 1 for linear, conv and sigmoid; 5/3 for tanh; sqrt(2) for relu; 3/4 for selu;
// sqrt(2 / (1 + slope^2)) for leaky_relu, whose negative slope is `param` (0.01 when absent).
double calculate_gain(Nonlinearity nonlinearity, std::optional<double> param = std::nullopt);

// (fan_in, fan_out) = (size(1) * receptive field, size(0) * receptive field), where the
// receptive field is the product of dims 2.. ; needs at least 2 dims (std::invalid_argument).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor uniform_(Tensor tensor, double a = 0.0, double b = 1.0);      // U(a, b)
Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0);  // N(mean, std^2)
Tensor constant_(Tensor tensor, double value);
Tensor zeros_(Tensor tensor);
Tensor ones_(Tensor tensor);

// U(-bound, bound), bound = gain * sqrt(3 / fan): the variance gain^2 / fan.
// nn.Linear uses a = sqrt(5) (leaky_relu gain sqrt(1/3)), so its bound is 1/sqrt(fan_in).
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0, FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
// N(0, std^2), std = gain / sqrt(fan).
Tensor kaiming_normal_(Tensor tensor, double a = 0.0, FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
// U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
// N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);

}  // namespace minigrad::nn::init

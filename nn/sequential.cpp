// nn::Sequential's forward: each module's output is the next one's input.
// Not here: the list (module_list.cpp).
#include "nn/sequential.h"

namespace minigrad::nn {

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& module : *this) x = module->forward(x);
  return x;
}

}  // namespace minigrad::nn

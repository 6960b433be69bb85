// nn::Sequential: a ModuleList whose forward feeds each module's output to the next, as
// torch.nn.Sequential: the book's FeedForward is Sequential(Linear, GELU, Linear) and its
// GPT's trf_blocks a Sequential of TransformerBlocks ("trf_blocks.0.att.W_query.weight").
// Not here: the list itself, push_back and indexing (module_list.h).
#pragma once

#include <string>

#include "core/tensor.h"
#include "nn/module_list.h"

namespace minigrad::nn {

// Derives from ModuleList for its list; torch's two classes are siblings, which matters only
// to code that asks a module for its exact type.
class Sequential : public ModuleList {
 public:
  // Sequential seq{std::make_shared<Linear>(2, 3), std::make_shared<GELU>()}; push_back one
  // at a time; or make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{...}). Braces
  // on purpose: C++ evaluates a braced list left to right but a call's arguments in any order
  // (GCC: right to left), so Sequential(Linear, GELU, Linear) would draw the two Linears'
  // initial weights in the reverse of torch's order. There is no such constructor.
  using ModuleList::ModuleList;

  // x -> modules[n-1](...modules[0](x)); an empty Sequential returns x, as torch's.
  Tensor forward(const Tensor& input) override {
    Tensor x = input;
    for (const auto& module : *this) x = module->forward(x);
    return x;
  }
  std::string name() const override { return "Sequential"; }
};

}  // namespace minigrad::nn

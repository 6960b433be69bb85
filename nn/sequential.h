// nn::Sequential: a ModuleList whose forward feeds each module's output to the next, as
// torch.nn.Sequential: the book's FeedForward is Sequential(Linear, GELU, Linear) and its
// GPT's trf_blocks a Sequential of TransformerBlocks ("trf_blocks.0.att.W_query.weight").
// Not here: the list itself, push_back and indexing (module_list.h).
#pragma once

#include <memory>
#include <string>

#include "core/tensor.h"
#include "nn/module_list.h"

namespace minigrad::nn {

// Derives from ModuleList for its list; torch's two classes are siblings, which matters only
// to code that asks a module for its exact type.
class Sequential : public ModuleList {
 public:
  using ModuleList::ModuleList;
  // Sequential(std::make_shared<Linear>(2, 3), std::make_shared<GELU>()), which also lets
  // std::make_shared<Sequential>(...) take the modules.
  template <class... Ms>
    requires(sizeof...(Ms) > 0)
  explicit Sequential(std::shared_ptr<Ms>... modules)
      : ModuleList(std::initializer_list<std::shared_ptr<Module>>{std::move(modules)...}) {}

  // x -> modules[n-1](...modules[0](x)); an empty Sequential returns x, as torch's.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sequential"; }
};

}  // namespace minigrad::nn

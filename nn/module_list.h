// nn::ModuleList: sub-modules held in a list and named by their position ("0", "1", ...),
// so their parameters read "trf_blocks.0.att.W_query.weight", as torch.nn.ModuleList's. It has
// no forward: the module that owns it decides how to call them. nn::Sequential (sequential.h)
// is this list plus a forward that chains them.
// Not here: any layer.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace minigrad::nn {

class ModuleList : public Module {
 public:
  ModuleList() = default;
  // ModuleList list{std::make_shared<Linear>(2, 3), std::make_shared<GELU>()}: a braced list
  // builds its modules left to right, so their initial draws come in torch's order.
  ModuleList(std::initializer_list<std::shared_ptr<Module>> modules);
  explicit ModuleList(const std::vector<std::shared_ptr<Module>>& modules);

  // Appends `module` under the name std::to_string(size()) and returns it (torch's append).
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    append(module);
    return module;
  }

  int64_t size() const { return static_cast<int64_t>(modules_.size()); }
  bool empty() const { return modules_.empty(); }

  // The module at `index`; negative counts from the end, as Python's. Out of range throws
  // std::out_of_range naming the index and the size.
  std::shared_ptr<Module> operator[](int64_t index) const { return checked(index); }
  // The same, as its own type: list.at<Linear>(0)->weight. A module of another type throws
  // std::invalid_argument naming the index and what it holds.
  template <class M = Module>
  std::shared_ptr<M> at(int64_t index) const {
    std::shared_ptr<M> typed = std::dynamic_pointer_cast<M>(checked(index));
    if (!typed) wrong_type(index);
    return typed;
  }

  std::vector<std::shared_ptr<Module>>::const_iterator begin() const { return modules_.begin(); }
  std::vector<std::shared_ptr<Module>>::const_iterator end() const { return modules_.end(); }

  std::string name() const override { return "ModuleList"; }

 private:
  void append(std::shared_ptr<Module> module);
  std::shared_ptr<Module> checked(int64_t index) const;
  [[noreturn]] void wrong_type(int64_t index) const;

  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace minigrad::nn

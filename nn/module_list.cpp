// nn::ModuleList: appending under positional names, and checked indexing.
// Not here: the chained forward (sequential.h) or registration itself (module.cpp).
#include "nn/module_list.h"

#include <stdexcept>

namespace minigrad::nn {

ModuleList::ModuleList(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) append(m);
}

ModuleList::ModuleList(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& m : modules) append(m);
}

void ModuleList::append(std::shared_ptr<Module> module) {
  // register_module rejects a null module, naming its would-be position.
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

std::shared_ptr<Module> ModuleList::checked(int64_t index) const {
  int64_t n = size();
  if (index < -n || index >= n) {
    throw std::out_of_range(name() + ": index " + std::to_string(index) + " is out of range for " +
                            std::to_string(n) + " modules (valid: " + std::to_string(-n) + " to " +
                            std::to_string(n - 1) + ")");
  }
  return modules_[static_cast<size_t>(index < 0 ? index + n : index)];
}

void ModuleList::wrong_type(int64_t index) const {
  throw std::invalid_argument(name() + ": module " + std::to_string(index) + " is a " + checked(index)->name() +
                              ", not the type asked for in at<...>()");
}

}  // namespace minigrad::nn

// The backward walk, gradient accumulation into leaves, saved-tensor checks and grad mode.
// Not here: any op's formula (core/ops/).
#include "core/autograd.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/debug.h"

namespace minigrad {

namespace {
thread_local bool grad_mode_enabled = true;

std::string legacy_type_name(const Tensor& t) {
  switch (t.dtype()) {
    case DType::Float32: return "torch.FloatTensor";
    case DType::Float64: return "torch.DoubleTensor";
    case DType::Int64: return "torch.LongTensor";
  }
  return "?";
}
}  // namespace

bool GradMode::is_enabled() { return grad_mode_enabled; }
void GradMode::set_enabled(bool enabled) { grad_mode_enabled = enabled; }

// ---- saved tensors ----

SavedTensor::SavedTensor(const Tensor& t) {
  if (!t.defined()) return;
  data_ = t.detach();
  saved_version_ = t.version();
}

Tensor SavedTensor::unpack(const std::string& owner_name, bool owner_released) const {
  if (owner_released) {
    throw std::runtime_error(
        owner_name +
        ": trying to backward through the graph a second time (or to read saved tensors "
        "after they have been freed). Saved intermediate values of the graph are freed when "
        "you call backward(). Call backward(gradient, /*retain_graph=*/true) the first time "
        "if you need to backward through the graph again.");
  }
  if (data_.defined() && data_.version() != saved_version_) {
    throw std::runtime_error(
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [" + legacy_type_name(data_) + " " + shape_str(data_.sizes()) +
        "], which is saved by " + owner_name + ", is at version " +
        std::to_string(data_.version()) + "; expected version " +
        std::to_string(saved_version_) +
        " instead. Modify a copy (clone()) or make the change before the op that saved it.");
  }
  return data_;
}

void Node::save(std::initializer_list<Tensor> tensors) {
  for (const Tensor& t : tensors) saved_.emplace_back(t);
}

Tensor Node::saved(std::size_t i) const { return saved_.at(i).unpack(name(), released); }

void Node::release_saved() {
  if (saved_.empty()) return;  // nothing to free: a second backward stays legal, as in torch
  for (auto& s : saved_) s.reset();
  released = true;
}

// ---- recording ----

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined()) return nullptr;
  TensorImpl* impl = t.impl();
  if (impl->grad_fn) return impl->grad_fn;
  if (!impl->requires_grad) return nullptr;
  // A leaf: share one AccumulateGrad among all graphs alive at once. The leaf
  // holds it weakly, so the node dies with the last graph that uses it.
  if (auto acc = impl->grad_accumulator.lock()) return acc;
  auto acc = std::make_shared<AccumulateGrad>(t.impl_ptr());
  impl->grad_accumulator = acc;
  return acc;
}

void record(const Tensor& output, std::shared_ptr<Node> node, const std::vector<Tensor>& inputs) {
  for (const Tensor& in : inputs) {
    node->next_edges.push_back(gradient_edge(in));
    node->input_shapes.push_back(in.defined() ? in.sizes() : Shape{});
    node->input_dtypes.push_back(in.defined() ? in.dtype() : DType::Float32);
  }
  output.impl()->grad_fn = std::move(node);
  debug::on_forward(output);
}

// ---- leaves ----

std::vector<Tensor> AccumulateGrad::backward(const Tensor& grad_output) {
  Tensor g = grad_output;
  for (const Hook& hook : leaf->hooks) {
    Tensor replaced = hook(g);
    if (replaced.defined()) g = replaced;
  }
  if (!leaf->grad) {
    leaf->grad = g.clone().impl_ptr();  // own the buffer: g may alias another gradient
  } else {
    Tensor(leaf->grad).add_(g);  // in place, so optimizers holding grad() see it
  }
  return {};
}

// ---- the walk ----

namespace {

// Nodes reachable from `root`, outputs before inputs (reverse DFS post-order).
std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> post;
  std::unordered_set<Node*> seen{root};
  std::vector<std::pair<Node*, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->next_edges.size()) {
      Node* child = node->next_edges[next++].get();
      if (child && seen.insert(child).second) stack.emplace_back(child, 0);
    } else {
      post.push_back(node);
      stack.pop_back();
    }
  }
  std::reverse(post.begin(), post.end());
  return post;
}

void check_gradient(const Node& node, std::size_t i, const Tensor& g) {
  if (g.sizes() != node.input_shapes[i] || g.dtype() != node.input_dtypes[i]) {
    throw std::runtime_error(node.name() + " returned a gradient of shape " +
                             shape_str(g.sizes()) + " " + dtype_name(g.dtype()) +
                             " for input " + std::to_string(i) + ", which has shape " +
                             shape_str(node.input_shapes[i]) + " " +
                             dtype_name(node.input_dtypes[i]));
  }
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph) {
  if (!root.requires_grad()) {
    throw std::runtime_error(
        "backward: element 0 of tensors does not require grad and does not have a grad_fn "
        "(call requires_grad_() on a leaf before the ops, and not under NoGradGuard)");
  }
  Tensor seed = gradient;
  if (!seed.defined()) {
    if (root.numel() != 1) {
      throw std::runtime_error(
          "backward: grad can be implicitly created only for scalar outputs, but this tensor "
          "has shape " + shape_str(root.sizes()) +
          "; pass a gradient of that shape, or reduce it first (e.g. sum())");
    }
    seed = ones_like(root);
  } else if (seed.sizes() != root.sizes() || seed.dtype() != root.dtype()) {
    throw std::invalid_argument("backward: gradient has shape " + shape_str(seed.sizes()) + " " +
                                dtype_name(seed.dtype()) + " but the tensor has shape " +
                                shape_str(root.sizes()) + " " + dtype_name(root.dtype()));
  }

  Edge root_edge = gradient_edge(root);
  NoGradGuard no_grad;  // backward formulas build no graph of their own
  std::unordered_map<Node*, Tensor> pending{{root_edge.get(), seed}};
  for (Node* node : topological_order(root_edge.get())) {
    auto it = pending.find(node);
    if (it == pending.end()) continue;  // every path to it carried no gradient
    Tensor g = std::move(it->second);
    pending.erase(it);
    for (const Hook& hook : node->hooks) {
      Tensor replaced = hook(g);
      if (replaced.defined()) g = replaced;
    }
    debug::before_backward(*node, g);
    std::vector<Tensor> input_grads = node->backward(g);
    if (!retain_graph) node->release_saved();
    debug::after_backward(*node, input_grads);
    for (std::size_t i = 0; i < input_grads.size() && i < node->next_edges.size(); ++i) {
      Node* next = node->next_edges[i].get();
      const Tensor& gi = input_grads[i];
      if (!next || !gi.defined()) continue;
      check_gradient(*node, i, gi);
      auto [slot, inserted] = pending.try_emplace(next, gi);
      if (!inserted) slot->second = slot->second + gi;  // a tensor used twice: sum the paths
    }
  }
}

}  // namespace minigrad

// The autograd engine's pieces: Node (one recorded op), SavedTensor (what a
// backward needs, checked against in-place edits), GradMode / NoGradGuard, and
// the helpers every op uses to record itself. The walk itself is in autograd.cpp.
// Not here: any formula. Each op's backward lives beside its forward in core/ops/.
//
// Ownership, which keeps the graph free of cycles:
//   result TensorImpl --grad_fn--> Node --next_edges--> input Nodes --> ... --> AccumulateGrad --> leaf
// A Node owns its inputs' nodes and its saved tensors, never its own output. Saved
// outputs (exp saves exp(x)) are stored as detached aliases: same storage, no grad_fn.
// Saved inputs are the inputs themselves, which own only nodes upstream of this one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minigrad {

// Where the gradient for one input of a Node goes: the input's grad_fn (for a
// non-leaf) or its AccumulateGrad (for a leaf that requires grad); null if the
// input needs no gradient.
using Edge = std::shared_ptr<Node>;

// A tensor a backward will need, remembered with the version it had when saved.
class SavedTensor {
 public:
  SavedTensor() = default;
  // `is_output`: t is the output of the node that saves it, so it is kept as a detached
  // alias (same storage, no grad_fn): holding t itself would make a cycle
  // (t -> grad_fn -> node -> t). An input or an intermediate is kept as it is, as torch's
  // SavedVariable does: no new TensorImpl per saved tensor.
  SavedTensor(const Tensor& t, bool is_output);
  // Returns the saved data; throws std::runtime_error if the graph was freed
  // (`owner` was released) or the tensor was modified in place since it was saved.
  // The message names `owner`; the name is built only then (this runs every backward).
  Tensor unpack(const Node& owner) const;
  void reset() { data_ = Tensor(); }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;  // the tensor, or for an output a detached alias: never owns its own node
  uint64_t saved_version_ = 0;
};

struct Node {
  // Iterative, so that dropping a graph a million ops deep cannot overflow the stack
  // (a defaulted destructor would free next_edges recursively, one frame per op).
  virtual ~Node();
  // PyTorch's name for this node, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  // Given dL/d(output), return dL/d(input_i) for each input, in the order the
  // inputs were recorded. An undefined Tensor means "no gradient for this input".
  virtual std::vector<Tensor> backward(const Tensor& grad_output) = 0;

  // Whether input i wants a gradient (a backward may skip computing the others).
  bool needs_grad(std::size_t i) const { return i < next_edges.size() && next_edges[i] != nullptr; }

  // Saved tensors, in the order the forward saved them (each op's comment lists them);
  // `output` is the node's output (see SavedTensor).
  void save(std::initializer_list<Tensor> tensors, const Tensor& output);
  Tensor saved(std::size_t i) const;  // throws if freed or modified in place since saved
  // Drops saved tensors after a backward without retain_graph.
  void release_saved();

  std::vector<Edge> next_edges;     // one per recorded input
  // Input i's shape and dtype as recorded: the gradient a backward returns for it is
  // checked against them, and some backwards need the shape.
  Shape input_shape(std::size_t i) const;
  DType input_dtype(std::size_t i) const;
  bool input_matches(std::size_t i, const Tensor& g) const;  // same shape and dtype
  void record_inputs(std::span<const Tensor> inputs);          // attach_node's part
  std::vector<Hook> hooks;          // hooks of this node's output tensor (a non-leaf)
  bool released = false;
  // Creation order, set by attach_node(). The engine runs ready nodes newest first, as
  // torch's does: that fixes the order in which a tensor used several times sums
  // its gradients, so float results match PyTorch's bit for bit.
  uint64_t sequence_nr = 0;

 private:
  std::vector<SavedTensor> saved_;
  // The inputs' dtypes and shapes in one array, one allocation per node (not one per input):
  // entries [0, n] are offsets, and input i is {dtype, d0, d1, ...} in [meta_[i], meta_[i+1]).
  std::vector<int64_t> input_meta_;
};

// The node that ends every path at a leaf: adds the incoming gradient to leaf.grad.
struct AccumulateGrad : Node {
  // Runs as soon as it is ready (torch gives it the largest sequence number, too).
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf(std::move(leaf)) {
    sequence_nr = std::numeric_limits<uint64_t>::max();
  }
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> backward(const Tensor& grad_output) override;
  std::shared_ptr<TensorImpl> leaf;
};

// Whether AccumulateGrad may take a leaf's first gradient as its .grad when nothing else
// holds it, instead of copying it (autograd.cpp, can_steal). On unless the environment held
// MINIGRAD_STEAL_GRAD=0 when it was first asked (read once); off, every first gradient is
// copied: the plain engine, same values, another buffer.
bool grad_stealing_enabled();
void set_grad_stealing_enabled(bool enabled);

// Whether ops record themselves. Thread-local, as in PyTorch.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// While alive, no op records a graph (libtorch's torch::NoGradGuard).
class NoGradGuard {
 public:
  NoGradGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

// ---- recording an op: the one way every op in core/ops/ writes its backward ----
//
// An op computes its output, then calls record_op with the output, its inputs,
// the tensors its backward will need, and the backward itself: a lambda given the
// node (node.saved(i), node.needs_grad(i), node.input_shape(i)) and g = dL/d(output),
// returning one gradient per input (an undefined Tensor for "none"). So every op
// file reads top to bottom: the forward, then its backward, with the derivation
// in a comment between them:
//
//   Tensor exp(const Tensor& x) {
//     Tensor y = ...;                                   // forward: y = e^x
//     // y = e^x  =>  dx = g * y                        // derivation
//     return record_op(y, {x}, "ExpBackward0", /*saved=*/{y},
//                      [](const Node& node, const Tensor& g) -> Grads {
//                        return {g * node.saved(0)};    // backward
//                      });
//   }
//
// Nothing is recorded (the lambda is dropped unrun) when grad mode is off or no
// input requires grad. State the backward needs besides tensors (a dim, a flag,
// row statistics) is captured by the lambda. `name` is PyTorch's node name.
using Grads = std::vector<Tensor>;

template <class Backward>
struct FunctionNode final : Node {
  FunctionNode(const char* name, Backward backward) : name_(name), backward_(std::move(backward)) {}
  std::string name() const override { return name_; }
  Grads backward(const Tensor& grad_output) override { return backward_(*this, grad_output); }

 private:
  const char* name_;
  Backward backward_;
};

// True if grad mode is on and any input requires grad: the op must record a Node.
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
bool any_requires_grad(std::span<const Tensor> inputs);
// Wires `node` between `inputs` and `output`: sets edges, input shapes, and output's
// grad_fn (the engine's half of record_op; AccumulateGrad is the only other Node).
void attach_node(const Tensor& output, std::shared_ptr<Node> node, std::span<const Tensor> inputs);

// `inputs` is a brace list ({x, w, b}: no vector is built for an op that records
// nothing) or, for ops with any number of inputs (cat, stack), a vector.
template <class Backward>
Tensor record_op(Tensor output, std::span<const Tensor> inputs, const char* name,
                 std::initializer_list<Tensor> saved, Backward backward) {
  if (!any_requires_grad(inputs)) return output;
  auto node = std::make_shared<FunctionNode<Backward>>(name, std::move(backward));
  node->save(saved, output);
  attach_node(output, std::move(node), inputs);
  return output;
}
template <class Backward>
Tensor record_op(Tensor output, std::initializer_list<Tensor> inputs, const char* name,
                 std::initializer_list<Tensor> saved, Backward backward) {
  return record_op(std::move(output), std::span<const Tensor>(inputs.begin(), inputs.size()), name, saved,
                   std::move(backward));
}
template <class Backward>
Tensor record_op(Tensor output, const std::vector<Tensor>& inputs, const char* name,
                 std::initializer_list<Tensor> saved, Backward backward) {
  return record_op(std::move(output), std::span<const Tensor>(inputs), name, saved, std::move(backward));
}

// ---- recording an in-place op: rebase_history ----
//
// An in-place op (add_, mul_, masked_fill_, ...) overwrites `self`, so self's history
// must now end with that op, as PyTorch's rebase_history does: the op's node takes
// self's old grad_fn as its first input edge, and becomes self's grad_fn.
//
//   Tensor s = q.matmul(k.transpose(-2, -1));   // s.grad_fn: UnsafeViewBackward0
//   s.masked_fill_(mask, -INFINITY);            // s.grad_fn: MaskedFillBackward0 -> UnsafeViewBackward0
//
// An in-place op is written in three steps:
//
//   check_inplace(*this, "masked_fill_", {&mask});   // before writing (see below)
//   ...write the new values into *this...
//   // x' = x with masked positions set to v  =>  dx = g with masked positions zeroed
//   return rebase_history(*this, {}, "MaskedFillBackward0", /*saved=*/{mask},
//                         [](const Node& node, const Tensor& g) -> Grads {
//                           return {g.masked_fill(node.saved(0), 0.0)};
//                         });
//
// rebase_history bumps self's version counter, so a node that saved self before the
// write refuses to run (SavedTensor names it), then records as record_op does with
// inputs {self as it was, others...}: the lambda returns the old self's gradient first.
// A value the backward needs from self *before* the write must be cloned before it.
//
// check_inplace refuses, while grad mode is on, an in-place op on a leaf that requires
// grad (torch's error), and a recorded one on a view or on a tensor that has views:
// torch rebases every view of the storage (CopySlices); minigrad does not, and says so.
void check_inplace(const Tensor& self, const char* op, std::initializer_list<const Tensor*> others = {});

// `others`, as record_op's inputs: a brace list, or a vector.
template <class Backward>
Tensor& rebase_history(Tensor& self, std::span<const Tensor> others, const char* name,
                       std::initializer_list<Tensor> saved, Backward backward) {
  self.impl()->storage->version++;
  if (!GradMode::is_enabled()) return self;  // an optimizer's update: nothing to record or build
  std::vector<Tensor> inputs;
  inputs.reserve(1 + others.size());
  inputs.push_back(self);
  inputs.insert(inputs.end(), others.begin(), others.end());
  if (!any_requires_grad(inputs)) return self;
  auto node = std::make_shared<FunctionNode<Backward>>(name, std::move(backward));
  node->save(saved, self);
  attach_node(self, std::move(node), inputs);  // reads self's old grad_fn, then replaces it
  return self;
}
template <class Backward>
Tensor& rebase_history(Tensor& self, std::initializer_list<Tensor> others, const char* name,
                       std::initializer_list<Tensor> saved, Backward backward) {
  return rebase_history(self, std::span<const Tensor>(others.begin(), others.size()), name, saved,
                        std::move(backward));
}
template <class Backward>
Tensor& rebase_history(Tensor& self, const std::vector<Tensor>& others, const char* name,
                       std::initializer_list<Tensor> saved, Backward backward) {
  return rebase_history(self, std::span<const Tensor>(others), name, saved, std::move(backward));
}

// The edge a gradient for `t` should flow along (null if t needs no gradient).
Edge gradient_edge(const Tensor& t);

// Runs backpropagation from `root` (the engine; see autograd.cpp).
void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph);

// Clears the gradient of every tensor in `params`, for nn::Module::zero_grad and
// optim::Optimizer::zero_grad alike: set_to_none drops it (grad() becomes undefined,
// torch 2.x's default, and the next backward writes instead of adds); otherwise it is
// filled with zeros in place, so a handle to it held elsewhere sees the zeros.
void zero_grad(const std::vector<Tensor>& params, bool set_to_none = true);

}  // namespace minigrad

// The backward walk, gradient accumulation into leaves, saved-tensor checks and grad mode.
// Not here: any op's formula (core/ops/).
#include "core/autograd.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/debug.h"

namespace minigrad {

namespace {
thread_local bool grad_mode_enabled = true;
thread_local uint64_t next_sequence_nr = 0;  // per thread, as torch's sequence numbers are

std::string legacy_type_name(const Tensor& t) {
  switch (t.dtype()) {
    case DType::Float32: return "torch.FloatTensor";
    case DType::Float64: return "torch.DoubleTensor";
    case DType::Int64: return "torch.LongTensor";
    case DType::Bool: return "torch.BoolTensor";
  }
  return "?";
}
}  // namespace

bool GradMode::is_enabled() { return grad_mode_enabled; }
void GradMode::set_enabled(bool enabled) { grad_mode_enabled = enabled; }

// ---- saved tensors ----

SavedTensor::SavedTensor(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  data_ = is_output ? t.detach() : t;
  saved_version_ = t.version();
}

Tensor SavedTensor::unpack(const Node& owner) const {
  if (owner.released) {
    throw std::runtime_error(
        owner.name() +
        ": trying to backward through the graph a second time (or to read saved tensors "
        "after they have been freed). Saved intermediate values of the graph are freed when "
        "you call backward(). Call backward(gradient, /*retain_graph=*/true) the first time "
        "if you need to backward through the graph again.");
  }
  if (data_.defined() && data_.version() != saved_version_) {
    throw std::runtime_error(
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [" + legacy_type_name(data_) + " " + shape_str(data_.sizes()) +
        "], which is saved by " + owner.name() + ", is at version " +
        std::to_string(data_.version()) + "; expected version " +
        std::to_string(saved_version_) +
        " instead. Modify a copy (clone()) or make the change before the op that saved it.");
  }
  return data_;
}

// ---- nodes ----

// A graph is a chain of shared_ptrs: freeing its root would free the next node
// from inside this destructor, and so on, one stack frame per op. Instead every
// input node this one holds the last reference to is moved onto a local stack,
// and each is stripped of its own inputs before it dies, so no destructor nests.
// Saved tensors go first (torch's release_variables): a saved input owns its grad_fn,
// the node's other reference to the node before it.
Node::~Node() {
  std::vector<Edge> doomed;
  auto take_last_references = [&doomed](Node& node) {
    node.saved_.clear();
    std::vector<Edge>& edges = node.next_edges;
    for (Edge& e : edges) {
      // Dropping a shared reference first makes a later duplicate (x * x) the last one.
      if (e.use_count() == 1) {
        if (doomed.capacity() == 0) doomed.reserve(16);  // one allocation for a whole step's graph
        doomed.push_back(std::move(e));
      } else {
        e.reset();
      }
    }
    edges.clear();
  };
  take_last_references(*this);
  while (!doomed.empty()) {
    Edge node = std::move(doomed.back());
    doomed.pop_back();
    take_last_references(*node);
  }  // `node` dies here with no inputs or saved tensors left to free
}

void Node::save(std::initializer_list<Tensor> tensors, const Tensor& output) {
  saved_.reserve(tensors.size());
  for (const Tensor& t : tensors) saved_.emplace_back(t, t.is_same(output));
}

Tensor Node::saved(std::size_t i) const { return saved_.at(i).unpack(*this); }

void Node::record_inputs(std::span<const Tensor> inputs) {
  std::size_t n = inputs.size(), size = n + 1;
  for (const Tensor& in : inputs) size += 1 + (in.defined() ? in.sizes().size() : 0);
  input_meta_.clear();
  input_meta_.reserve(size);
  input_meta_.resize(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    input_meta_[i] = static_cast<int64_t>(input_meta_.size());
    const Tensor& in = inputs[i];
    input_meta_.push_back(static_cast<int64_t>(in.defined() ? in.dtype() : DType::Float32));
    if (in.defined()) input_meta_.insert(input_meta_.end(), in.sizes().begin(), in.sizes().end());
  }
  input_meta_[n] = static_cast<int64_t>(input_meta_.size());
}

Shape Node::input_shape(std::size_t i) const {
  return Shape(input_meta_.begin() + input_meta_.at(i) + 1, input_meta_.begin() + input_meta_.at(i + 1));
}

DType Node::input_dtype(std::size_t i) const { return static_cast<DType>(input_meta_.at(input_meta_.at(i))); }

bool Node::input_matches(std::size_t i, const Tensor& g) const {
  const int64_t* dims = input_meta_.data() + input_meta_.at(i) + 1;
  const Shape& s = g.sizes();
  return g.dtype() == input_dtype(i) && static_cast<int64_t>(s.size()) == input_meta_[i + 1] - input_meta_[i] - 1 &&
         std::equal(s.begin(), s.end(), dims);
}

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

bool any_requires_grad(std::span<const Tensor> inputs) {
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

void attach_node(const Tensor& output, std::shared_ptr<Node> node, std::span<const Tensor> inputs) {
  node->next_edges.reserve(inputs.size());  // one allocation, not one per growth
  for (const Tensor& in : inputs) node->next_edges.push_back(gradient_edge(in));
  node->record_inputs(inputs);
  node->sequence_nr = next_sequence_nr++;
  output.impl()->grad_fn = std::move(node);
  debug::on_forward(output);
}

void check_inplace(const Tensor& self, const char* op, std::initializer_list<const Tensor*> others) {
  if (!self.defined()) throw std::invalid_argument(std::string(op) + ": called on an undefined tensor");
  if (!GradMode::is_enabled()) return;
  if (self.is_leaf() && self.requires_grad()) {
    throw std::runtime_error(std::string(op) +
                             ": a leaf Variable that requires grad is being used in an in-place "
                             "operation. Wrap the update in a NoGradGuard (as optimizers do), or "
                             "apply it to a copy (clone())");
  }
  bool recorded = self.requires_grad();
  for (const Tensor* t : others) recorded = recorded || (t->defined() && t->requires_grad());
  if (!recorded || !(self.impl()->is_view || self.impl()->has_views)) return;
  throw std::runtime_error(
      std::string(op) + ": the tensor of shape " + shape_str(self.sizes()) +
      (self.is_leaf() ? "" : " (grad_fn " + self.grad_fn_name() + ")") +
      (self.impl()->is_view ? " is a view of another tensor (made by view, reshape, squeeze, ...)"
                            : " has views sharing its storage (made by view, reshape, squeeze, ...)") +
      ", and minigrad's autograd cannot record an in-place op on a tensor that shares storage with "
      "a view (torch's CopySlices). Apply the op out of place, or to a clone() of the tensor");
}

// ---- hooks and leaves ----

namespace {

// Runs `hooks` in the order they were registered; each sees the gradient the
// previous one left, and may replace it with one of the same shape and dtype.
Tensor apply_hooks(const std::vector<Hook>& hooks, Tensor g) {
  for (std::size_t k = 0; k < hooks.size(); ++k) {
    Hook hook = hooks[k];  // a copy: the hook may register another one and move the vector
    Tensor replaced = hook(g);
    if (!replaced.defined()) continue;
    if (replaced.sizes() != g.sizes() || replaced.dtype() != g.dtype()) {
      throw std::runtime_error("register_hook: a hook returned a gradient of shape " +
                               shape_str(replaced.sizes()) + " " + dtype_name(replaced.dtype()) +
                               " in place of one of shape " + shape_str(g.sizes()) + " " +
                               dtype_name(g.dtype()));
    }
    g = replaced;
  }
  return g;
}

}  // namespace

namespace {

// Why steal: the walk holds the only handle on most first gradients, so copying one into
// .grad would be a wasted pass over memory (a dense embedding gradient is the whole table).
std::atomic<bool>& steal_on() {
  static std::atomic<bool> on{[] {
    const char* v = std::getenv("MINIGRAD_STEAL_GRAD");
    return v == nullptr || std::string_view(v) != "0";
  }()};
  return on;
}

// Whether `g` may become a leaf's .grad as it is, without a copy (torch steals
// such gradients too). Only when nothing else can see its bytes: this handle is
// the only one on the TensorImpl (the user's backward(gradient) tensor, a hook's
// capture or a second pending path all add a count), the impl is the only one on
// the Storage (a view backward's result shares the upstream gradient's storage),
// and it covers its whole storage from offset 0 (not a slice of a bigger buffer).
bool can_steal(const Tensor& g) {
  const auto& impl = g.impl_ptr();
  if (impl.use_count() != 1 || impl->grad_fn || impl->requires_grad) return false;
  if (!impl->storage || impl->storage.use_count() != 1 || impl->storage_offset != 0) return false;
  return impl->storage->nbytes == static_cast<std::size_t>(g.numel()) * element_size(g.dtype());
}

}  // namespace

bool grad_stealing_enabled() { return steal_on().load(); }
void set_grad_stealing_enabled(bool enabled) { steal_on().store(enabled); }

std::vector<Tensor> AccumulateGrad::backward(const Tensor& grad_output) {
  if (!leaf->grad && leaf->hooks.empty() && steal_on().load(std::memory_order_relaxed) &&
      can_steal(grad_output)) {
    // Take the buffer the walk handed over (steal_on says why); the plain path below
    // is the reference, and MINIGRAD_STEAL_GRAD=0 makes every leaf take it.
    leaf->grad = grad_output.impl_ptr();
  } else {
    Tensor g = apply_hooks(leaf->hooks, grad_output);
    if (!leaf->grad) leaf->grad = g.clone().impl_ptr();  // own the buffer: g may alias another gradient
    else Tensor(leaf->grad).add_(g);  // in place, so optimizers holding grad() see it
  }
  // The engine summed every path into grad_output before running this node, which runs once
  // per backward: .grad is final for this backward, and the post-accumulate hooks may read it.
  for (std::size_t k = 0; k < leaf->post_accumulate_grad_hooks.size(); ++k) {
    PostAccumulateGradHook hook = leaf->post_accumulate_grad_hooks[k];  // a copy: a hook may add one
    if (hook) hook(Tensor(leaf));
  }
  return {};
}

void zero_grad(const std::vector<Tensor>& params, bool set_to_none) {
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (set_to_none) p.set_grad(Tensor());
    else g.zero_();
  }
}

// ---- the walk ----

namespace {

// What the walk keeps per node: how many consumers have yet to run, and the gradient
// summed so far. An open-addressing table keyed by the node's address, one array for the
// whole walk (an unordered_map allocates once per node, and a W1 step has a dozen nodes).
struct WalkEntry {
  Node* node = nullptr;
  std::size_t dependencies = 0;
  Tensor grad;  // undefined until a path carries a gradient here
};

class WalkTable {
 public:
  // The entry for `node`, made empty if absent; `added` tells which.
  WalkEntry& get(Node* node, bool& added) {
    if (slots_.empty()) grow();
    std::size_t i = probe(node);
    added = slots_[i].node == nullptr;
    if (added) {
      if (2 * (used_ + 1) > slots_.size()) {
        grow();
        i = probe(node);
      }
      slots_[i].node = node;
      ++used_;
    }
    return slots_[i];
  }
  WalkEntry& get(Node* node) {
    bool added;
    return get(node, added);
  }
  // Empties the table, keeping its array for the next walk on this thread (each node's
  // gradient was moved out when it ran).
  void clear() {
    for (WalkEntry& e : slots_) {
      if (e.node == nullptr) continue;
      e.node = nullptr;
      e.dependencies = 0;
      if (e.grad.defined()) e.grad = Tensor();
    }
    used_ = 0;
  }

 private:
  // The slot holding `node`, or the empty one where it belongs (linear probing).
  std::size_t probe(Node* node) const {
    std::size_t mask = slots_.size() - 1;
    std::size_t i = ((reinterpret_cast<std::uintptr_t>(node) >> 4) * 0x9E3779B97F4A7C15ull >> 32) & mask;
    while (slots_[i].node != nullptr && slots_[i].node != node) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<WalkEntry> old = std::exchange(slots_, std::vector<WalkEntry>(std::max<std::size_t>(16, 2 * slots_.size())));
    used_ = 0;
    for (WalkEntry& e : old) {
      if (e.node == nullptr) continue;
      WalkEntry& moved = get(e.node);
      moved.dependencies = e.dependencies;
      moved.grad = std::move(e.grad);
    }
  }
  std::vector<WalkEntry> slots_;  // size 0 or a power of two, at most half full
  std::size_t used_ = 0;
};

// For every node reachable from `root`: how many edges point at it. A node is
// ready to run once that many of its consumers have run.
void count_dependencies(Node* root, WalkTable& table, std::vector<Node*>& stack) {
  table.get(root);
  stack.assign(1, root);  // iterative: a graph may be a million ops deep
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& next : node->next_edges) {
      if (!next) continue;
      bool first_visit;
      ++table.get(next.get(), first_visit).dependencies;
      if (first_visit) stack.push_back(next.get());
    }
  }
}

// The walk's containers, kept per thread between walks so that a step of small ops
// allocates none of them. A backward started from inside a hook finds them taken
// (empty) and makes its own.
struct WalkBuffers {
  WalkTable table;
  std::vector<Node*> stack;  // count_dependencies' stack, then the heap of ready nodes
};
thread_local WalkBuffers walk_buffers;

void check_gradient(const Node& node, std::size_t i, const Tensor& g) {
  if (!node.input_matches(i, g)) {
    throw std::runtime_error(node.name() + " returned a gradient of shape " +
                             shape_str(g.sizes()) + " " + dtype_name(g.dtype()) +
                             " for input " + std::to_string(i) + ", which has shape " +
                             shape_str(node.input_shape(i)) + " " +
                             dtype_name(node.input_dtype(i)));
  }
}

}  // namespace

// A topological walk from the root: a node runs once every node that feeds it a
// gradient has run, and among the ready nodes the newest (highest sequence_nr)
// runs first, exactly PyTorch's order. Gradients reaching a node along several
// paths are summed in arrival order before it runs.
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

  Edge root_edge = gradient_edge(root);  // keeps the graph alive while we walk it
  NoGradGuard no_grad;  // backward formulas build no graph of their own
  WalkBuffers buffers = std::move(walk_buffers);
  WalkTable& table = buffers.table;
  count_dependencies(root_edge.get(), table, buffers.stack);
  table.get(root_edge.get()).grad = seed;
  // The ready nodes, a max-heap on sequence_nr in the stack's array (now empty).
  std::vector<Node*>& ready = buffers.stack;
  auto older = [](const Node* a, const Node* b) { return a->sequence_nr < b->sequence_nr; };
  ready.push_back(root_edge.get());
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), older);
    Node* node = ready.back();
    ready.pop_back();
    std::vector<Tensor> input_grads;
    if (Tensor pending = std::move(table.get(node).grad); pending.defined()) {  // else no path carried one
      Tensor g = apply_hooks(node->hooks, std::move(pending));
      debug::before_backward(*node, g);
      input_grads = node->backward(g);
      if (!retain_graph) node->release_saved();
      debug::after_backward(*node, input_grads);
    }
    for (std::size_t i = 0; i < node->next_edges.size(); ++i) {
      Node* next = node->next_edges[i].get();
      if (!next) continue;
      WalkEntry& entry = table.get(next);
      if (i < input_grads.size() && input_grads[i].defined()) {
        check_gradient(*node, i, input_grads[i]);
        if (!entry.grad.defined()) entry.grad = std::move(input_grads[i]);
        else entry.grad = entry.grad + input_grads[i];  // used twice: sum the paths
      }
      if (--entry.dependencies == 0) {
        ready.push_back(next);
        std::push_heap(ready.begin(), ready.end(), older);
      }
    }
  }
  table.clear();
  walk_buffers = std::move(buffers);
}

}  // namespace minigrad

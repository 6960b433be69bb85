// Tensor: an n-dimensional array that remembers how it was made.
// A Tensor is a cheap handle: a shared pointer to a TensorImpl, exactly like
// libtorch's. Copying a Tensor copies the handle, not the data; `clone()` copies
// the data, `detach()` makes a handle on the same data that forgets its history.
// Every Tensor is row-major and contiguous. View ops (view, reshape, squeeze,
// unsqueeze, flatten) share storage; transpose materialises a copy.
// Not here: the formulas (core/ops/), the loops that make them fast (core/kernels/).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"
#include "core/storage.h"

namespace minigrad {

struct Node;
class Tensor;

// A hook sees the gradient flowing into a tensor. Returning a defined Tensor
// replaces that gradient; returning an undefined one (Tensor{}) keeps it.
using Hook = std::function<Tensor(const Tensor&)>;
// A post-accumulate-grad hook runs once a backward has finished a leaf's .grad (torch's
// register_post_accumulate_grad_hook); it is given the leaf, whose grad() it may read.
using PostAccumulateGradHook = std::function<void(const Tensor&)>;

// The state behind a Tensor handle. Autograd fields are documented in core/autograd.h.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  int64_t storage_offset = 0;  // in elements
  DType dtype = DType::Float32;

  bool requires_grad = false;        // set on leaves by the user
  std::shared_ptr<Node> grad_fn;     // set on results of recorded ops (non-leaves)
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient of a leaf
  std::weak_ptr<Node> grad_accumulator;  // a leaf's AccumulateGrad node, while a graph uses it
  std::vector<Hook> hooks;           // leaf hooks; a non-leaf's hooks live on its grad_fn
  std::vector<PostAccumulateGradHook> post_accumulate_grad_hooks;  // leaves only; removed ones are empty
  std::string name;                  // optional label (nn::Module sets "emb.weight"); used by to_dot
  // Set by the view ops (view, reshape, squeeze, ...): this tensor is a view of another's
  // storage, or another tensor is a view of its storage. autograd cannot rebase a view's
  // history (torch's CopySlices), so a recorded in-place op refuses either (check_inplace).
  bool is_view = false;
  bool has_views = false;
};

enum class Reduction { None, Mean, Sum };

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor, like torch's `Tensor()`
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- identity and metadata ----
  bool defined() const { return impl_ != nullptr; }
  const Shape& sizes() const;
  int64_t size(int64_t dim) const;  // negative dims count from the end
  int64_t dim() const;
  int64_t numel() const;
  DType dtype() const;
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- raw data ----
  template <class T> T* data_ptr() const;  // throws std::invalid_argument on a dtype mismatch
  void* raw_data() const;
  template <class T> T item() const;       // one-element tensors; converts like torch's item()
  double item_double() const;              // item<double>() for any dtype
  uint64_t version() const;                // this tensor's storage version counter

  // ---- copies and conversions ----
  Tensor to(DType dtype) const;  // differentiable between floating types (ToCopyBackward0)
  Tensor clone() const;          // new storage; differentiable (CloneBackward0)
  Tensor detach() const;         // same storage, no history, requires_grad false
  Tensor contiguous() const { return *this; }  // always true in minigrad

  // ---- autograd ----
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);  // turning it off is for leaves only, as in torch
  Tensor grad() const;  // undefined until a backward reaches this leaf
  void set_grad(const Tensor& grad) const;  // grad = Tensor{} clears it (set_to_none)
  bool is_leaf() const;
  std::string grad_fn_name() const;  // "" for leaves, else e.g. "AddBackward0"
  std::shared_ptr<Node> grad_fn() const;
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  void register_hook(Hook hook) const;
  // Calls hook(leaf) each time a backward has added this leaf's gradient into its .grad:
  // once per backward, after every path's gradient has been summed and accumulated, so
  // grad() is final for that backward (DDP starts reducing a bucket from here). Leaves
  // that require grad only. Returns a handle for remove_post_accumulate_grad_hook.
  unsigned register_post_accumulate_grad_hook(PostAccumulateGradHook hook) const;
  void remove_post_accumulate_grad_hook(unsigned handle) const;
  void set_name(const std::string& name) const;
  const std::string& name() const;

  // ---- in-place: they bump the version counter, and on tensors that require grad
  // (never a leaf) they are recorded, as in torch (see rebase_history in core/autograd.h) ----
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& add_(double scalar);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);
  Tensor& sub_(double scalar);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double scalar);
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);
  Tensor& uniform_(double from = 0.0, double to = 1.0);  // default generator
  Tensor& normal_(double mean = 0.0, double std = 1.0);  // default generator

  // ---- differentiable ops (core/ops/) ----
  Tensor add(const Tensor& other) const;
  Tensor sub(const Tensor& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor add(double scalar) const;
  Tensor sub(double scalar) const;
  Tensor mul(double scalar) const;
  Tensor div(double scalar) const;
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor pow(double exponent) const;
  Tensor sqrt() const;
  Tensor tanh() const;
  Tensor relu() const;
  Tensor sigmoid() const;

  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;  // 2-D only, as torch.mm
  Tensor dot(const Tensor& other) const;  // 1-D only, as torch.dot: sum of a_i b_i, 0-dim

  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // 0-, 1- or 2-D, as torch

  // ---- slicing, joining, moments (core/ops/slice.cpp, join.cpp, moments.cpp) ----
  // Slices and pieces are copies, not views (every minigrad tensor is contiguous):
  // writing into one leaves the input unchanged. All are differentiable, any dtype.
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;  // start may be negative
  // x[start:end:step] along dim with Python's rules: negative bounds count from the end,
  // out-of-range ones clamp, so idx[:, -ctx:] is idx.slice(1, -ctx). step >= 1.
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = {}, std::optional<int64_t> end = {},
               int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // x[..., index, ...]: logits[:, -1, :] is select(1, -1)
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;  // the last piece may be shorter
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;      // split(ceil(n / chunks), dim)
  // Variance and standard deviation over dim (or everything); unbiased divides by N - 1.
  // The int overloads make x.var(1) mean dim 1 (with only int64_t and bool, int -> bool and
  // int -> int64_t would tie; libtorch resolves x.var(1) to var(unbiased = true) instead).
  Tensor var(int64_t dim, bool unbiased = true, bool keepdim = false) const;
  Tensor var(int dim, bool unbiased = true, bool keepdim = false) const { return var(int64_t{dim}, unbiased, keepdim); }
  Tensor var(bool unbiased = true) const;
  Tensor std(int64_t dim, bool unbiased = true, bool keepdim = false) const;
  Tensor std(int dim, bool unbiased = true, bool keepdim = false) const { return std(int64_t{dim}, unbiased, keepdim); }
  Tensor std(bool unbiased = true) const;

  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;  // (values, indices)
  Tensor max() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor argmax() const;  // over the flattened tensor

  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;

  // ---- top-k and sampling (core/ops/topk.cpp, core/sampling.cpp) ----
  // The k largest (or smallest) along dim, as (values, Int64 indices); NaN counts as largest.
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  Tensor multinomial(int64_t num_samples, bool replacement = false) const;  // default generator
  Tensor& bernoulli_(double p = 0.5);  // default generator; not recorded, bumps the version

  // ---- masks (core/ops/compare.cpp, core/ops/triangle.cpp) ----
  // Comparisons broadcast, promote mixed dtypes as torch does, and return torch.bool
  // with no gradient. A double compares exactly with Int64 / Bool when it is whole.
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(double other) const;
  Tensor ne(double other) const;
  Tensor lt(double other) const;
  Tensor le(double other) const;
  Tensor gt(double other) const;
  Tensor ge(double other) const;
  Tensor logical_not() const;  // ~mask
  // value where mask (torch.bool, broadcasting to this tensor's shape); g is zeroed there.
  Tensor masked_fill(const Tensor& mask, double value) const;
  Tensor& masked_fill_(const Tensor& mask, double value);  // recorded when this requires grad
  // The upper / lower triangle of the last two dims (any leading batch), the rest zeroed:
  // element (i, j) is kept by triu when j - i >= diagonal, by tril when j - i <= diagonal.
  Tensor triu(int64_t diagonal = 0) const;
  Tensor tril(int64_t diagonal = 0) const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// ---- factories (core/factory.cpp) ----
Tensor tensor(const std::vector<float>& values, const Shape& shape);
Tensor tensor(const std::vector<double>& values, const Shape& shape);
Tensor tensor(const std::vector<int64_t>& values, const Shape& shape);
Tensor tensor(const std::vector<float>& values);
Tensor tensor(const std::vector<double>& values);
Tensor tensor(const std::vector<int64_t>& values);
Tensor tensor(std::initializer_list<float> values, const Shape& shape = {});
Tensor tensor(std::initializer_list<double> values, const Shape& shape = {});
Tensor tensor(std::initializer_list<int64_t> values, const Shape& shape = {});
// Plain integer literals, tensor({2, 3, 5, 1}), make Int64 as torch.tensor([2, 3, 5, 1]) does.
Tensor tensor(std::initializer_list<int> values, const Shape& shape = {});
Tensor tensor(std::initializer_list<bool> values, const Shape& shape = {});  // tensor({true, false}): Bool
Tensor scalar_tensor(double value, DType dtype = DType::Float32);  // 0-dim
Tensor empty(const Shape& shape, DType dtype = DType::Float32);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
Tensor arange(int64_t end, DType dtype = DType::Int64);
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::Float32);
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
// rand/randn and Generator live in core/random.h.

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double s);
Tensor operator-(const Tensor& a, double s);
Tensor operator*(const Tensor& a, double s);
Tensor operator/(const Tensor& a, double s);
Tensor operator+(double s, const Tensor& a);
Tensor operator-(double s, const Tensor& a);
Tensor operator*(double s, const Tensor& a);
Tensor operator/(double s, const Tensor& a);
Tensor operator-(const Tensor& a);

// ---- free-function forms of the ops ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor pow(const Tensor& a, double exponent);
Tensor sqrt(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor sigmoid(const Tensor& a);
// GELU, exact ("none") or GPT-2's tanh approximation ("tanh"), as torch.nn.functional.gelu.
Tensor gelu(const Tensor& a, const std::string& approximate = "none");
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
// x W^T + b over (*, in) inputs, torch's F.linear: one GEMM reading W (out, in) transposed
// in place; an undefined bias means none. Backward: core/ops/linear.cpp.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1);
Tensor reshape(const Tensor& a, const Shape& shape);
Tensor flatten(const Tensor& a, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
// ---- slicing, joining, moments (core/ops/slice.cpp, join.cpp, moments.cpp) ----
// cat: shapes equal except along dim (1-D empty tensors are skipped, as torch); one dtype.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
// stack: equal shapes, joined along a new dim in [-(ndim + 1), ndim].
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim = 0);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
Tensor slice(const Tensor& a, int64_t dim = 0, std::optional<int64_t> start = {}, std::optional<int64_t> end = {},
             int64_t step = 1);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor var(const Tensor& a, int64_t dim, bool unbiased = true, bool keepdim = false);
inline Tensor var(const Tensor& a, int dim, bool unbiased = true, bool keepdim = false) { return var(a, int64_t{dim}, unbiased, keepdim); }
Tensor var(const Tensor& a, bool unbiased = true);
Tensor std(const Tensor& a, int64_t dim, bool unbiased = true, bool keepdim = false);
inline Tensor std(const Tensor& a, int dim, bool unbiased = true, bool keepdim = false) { return std(a, int64_t{dim}, unbiased, keepdim); }
Tensor std(const Tensor& a, bool unbiased = true);
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
// Rows of `weight` (num_embeddings, embedding_dim) picked by Int64 `indices` of
// any shape: result shape = indices.shape + [embedding_dim]. The padding row
// (if padding_idx >= 0) receives no gradient. Same argument order as at::embedding.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1);
Tensor one_hot(const Tensor& indices, int64_t num_classes = -1);
Tensor cross_entropy(const Tensor& logits, const Tensor& targets,
                     Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
// cross_entropy(linear(input, weight, bias), target) without the (N, V) logits: input (*, C),
// weight (V, C), bias (V) or undefined, target (*) Int64; the rows go through in chunks and
// the gradients are made in the forward (core/ops/loss.cpp). Reduction::None is the composite.
Tensor linear_cross_entropy(const Tensor& input, const Tensor& weight, const Tensor& target, const Tensor& bias = {},
                            Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
// ---- dropout and top-k (core/ops/dropout.cpp, core/ops/topk.cpp) ----
// Training-mode dropout draws its mask from the default generator, as torch's CPU dropout.
// randperm, randint and multinomial are declared in core/random.h.
Tensor dropout(const Tensor& input, double p, bool train);
std::tuple<Tensor, Tensor> topk(const Tensor& input, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);

// ---- fused layers (core/ops/layer_norm.cpp, core/ops/attention.cpp) ----
// F.layer_norm: each row of the last dims (normalized_shape) to mean 0, variance 1, then
// * weight + bias (both of shape normalized_shape; either may be undefined). One node,
// NativeLayerNormBackward0, which saves the row means and 1/sigma.
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
// F.scaled_dot_product_attention (torch 2.x): softmax(q k^T / sqrt(E) + mask) v over
// q (..., L, E), k (..., S, E), v (..., S, Ev) -> (..., L, Ev), batch dims broadcasting.
// attn_mask: Bool (true = the key takes part) or the query's float dtype (added to the
// scores), broadcasting to (..., L, S); is_causal: keys j <= i only (not with attn_mask).
// A query that keeps no key gives NaN, as torch's math path. dropout_p > 0 drops attention
// weights with torch's draws (the composite path); otherwise one fused node that never
// stores the (L, S) scores.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0.0, bool is_causal = false);

// ---- masks (core/ops/compare.cpp, core/ops/triangle.cpp) ----
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
Tensor operator==(double a, const Tensor& b);
Tensor operator!=(double a, const Tensor& b);
Tensor operator<(double a, const Tensor& b);
Tensor operator<=(double a, const Tensor& b);
Tensor operator>(double a, const Tensor& b);
Tensor operator>=(double a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor operator~(const Tensor& a);  // logical_not
// condition ? a : b, the three broadcast together; condition is torch.bool, a and b share
// a dtype. Differentiable in a and b (WhereBackward0).
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, double b);  // b as a 0-dim tensor of a's dtype
Tensor where(const Tensor& condition, double a, const Tensor& b);
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);
Tensor triu(const Tensor& a, int64_t diagonal = 0);
Tensor tril(const Tensor& a, int64_t diagonal = 0);

// ---- printing (core/print.cpp) ----
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

// ---- helpers shared by every op ----
// Wraps a possibly negative dim into [0, ndim); throws std::out_of_range naming `op`.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
std::string shape_str(const Shape& shape);  // "[2, 3]"
std::string tuple_str(const Shape& shape);  // Python's str(tuple): "(3,)", "(2, 3)", "()"

// ---- the accessors every op calls, inline: a step of tiny ops (W1) makes hundreds of
// these calls, and out of line each was a call plus a call to require_defined ----
[[noreturn]] void throw_undefined(const char* op);
[[noreturn]] void throw_data_ptr_dtype(DType held, DType asked);
// Throws std::invalid_argument "<op>: undefined tensor" if t is an undefined Tensor().
inline void require_defined(const Tensor& t, const char* op) {
  if (!t.defined()) [[unlikely]] throw_undefined(op);
}
inline int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}
inline const Shape& Tensor::sizes() const { require_defined(*this, "sizes"); return impl_->shape; }
inline int64_t Tensor::dim() const { return static_cast<int64_t>(sizes().size()); }
inline int64_t Tensor::numel() const { return numel_of(sizes()); }
inline DType Tensor::dtype() const { require_defined(*this, "dtype"); return impl_->dtype; }
inline void* Tensor::raw_data() const {
  require_defined(*this, "data_ptr");
  return static_cast<char*>(impl_->storage->data) +
         impl_->storage_offset * static_cast<int64_t>(element_size(impl_->dtype));
}
template <class T> T* Tensor::data_ptr() const {
  if (dtype() != dtype_of<T>::value) [[unlikely]] throw_data_ptr_dtype(dtype(), dtype_of<T>::value);
  return static_cast<T*>(raw_data());
}

}  // namespace minigrad

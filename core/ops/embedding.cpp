// Looking rows up by index: embedding, index_select, and one_hot.
// Legend: V rows in the table (vocabulary), C columns (embedding dim), P looked-up positions.
//   out = embedding(W (V, C), ids (*))  ->  out[p] = W[ids[p]],  shape ids.shape + [C]
// This is one_hot(ids, V) (P, V) @ W (V, C) without forming the one-hot: the product
// picks row ids[p]. Its backward is that product's dW = onehot^T @ g, i.e. a scatter-add:
//   dW[v] = sum_{p : ids[p] == v} g[p]
// so only rows that were looked up receive gradient.
// Not here: the fast gather / scatter loops (core/kernels/embedding.h).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/autograd.h"
#include "core/kernels/embedding.h"

namespace minigrad {

namespace {

// Every index must address a row of the table; names the first one that does not.
// `table()` completes the message, "a table of 6 rows" or "dimension 1 of size 4" (a
// callable, so that the string is built only for the error).
template <class Table>
void check_indices(const Tensor& ids, int64_t rows, const char* op, Table table) {
  if (!ids.defined()) throw std::invalid_argument(std::string(op) + ": undefined indices");
  if (ids.dtype() != DType::Int64) {
    throw std::invalid_argument(std::string(op) + ": indices must be torch.int64, got " +
                                dtype_name(ids.dtype()));
  }
  const int64_t* p = ids.data_ptr<int64_t>();
  for (int64_t i = 0, n = ids.numel(); i < n; ++i) {
    if (p[i] < 0 || p[i] >= rows) {
      throw std::out_of_range(std::string(op) + ": index " + std::to_string(p[i]) +
                              " at position " + std::to_string(i) + " is out of range for " +
                              table() + " (expected 0.." + std::to_string(rows - 1) + ")");
    }
  }
}

// out (P, C) = rows of table (V, C)
Tensor gather_rows(const Tensor& table, const Tensor& ids, Shape out_shape) {
  int64_t C = numel_of(Shape(table.sizes().begin() + 1, table.sizes().end()));
  Tensor out = empty(out_shape, table.dtype());
  visit_dtype(table.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::gather_rows(table.data_ptr<T>(), ids.data_ptr<int64_t>(), out.data_ptr<T>(), ids.numel(), C);
  });
  return out;
}

// dW (V, C) = scatter-add of g (P, C) into rows ids[p], skipping `skip_row` (padding)
Tensor scatter_add_rows(const Tensor& g, const Tensor& ids, const Shape& table_shape, int64_t skip_row) {
  Tensor dw = zeros(table_shape, g.dtype());
  int64_t V = table_shape[0], C = numel_of(Shape(table_shape.begin() + 1, table_shape.end()));
  visit_floating(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::scatter_add_rows(g.data_ptr<T>(), ids.data_ptr<int64_t>(), dw.data_ptr<T>(), ids.numel(), V, C, skip_row);
  });
  return dw;
}

// Records the backward shared by embedding (EmbeddingBackward0) and index_select
// (IndexSelectBackward0), both out = gather of rows ids from a table:
//   out[p] = table[ids[p]]  =>  d table[v] = sum_{p : ids[p] == v} g[p]   (skipping padding_idx)
// The gather ran along `dim` moved to the front, on a table of shape `table` (the
// source with dims 0 and `dim` swapped); the scatter runs the same way and the result
// is swapped back and shaped like the input (a 0-dim source included).      saved: ids
Tensor record_gather(const Tensor& out, const Tensor& source, const Tensor& index, const char* name,
                     const Tensor& ids, Shape table, int64_t dim, int64_t padding_idx) {
  // g's shape with `dim` moved to the front, before a 0-dim source's output lost its one dim.
  Shape gathered = table;
  gathered[0] = ids.numel();
  if (dim != 0) std::swap(gathered[0], gathered[static_cast<std::size_t>(dim)]);
  return record_op(out, {source, index}, name, {ids},
                   [gathered, table, dim, padding_idx](const Node& node, const Tensor& g) -> Grads {
                     // (the reshapes make a new view only where the shape changes)
                     Tensor g_front = g.sizes() == gathered ? g : g.reshape(gathered);
                     if (dim != 0) g_front = g_front.transpose(0, dim);
                     Tensor d = scatter_add_rows(g_front, node.saved(0), table, padding_idx);
                     if (dim != 0) d = d.transpose(0, dim);
                     Shape source = node.input_shape(0);
                     return {d.sizes() == source ? d : d.reshape(source), Tensor()};
                   });
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
  if (!weight.defined()) throw std::invalid_argument("embedding: undefined weight");
  if (weight.dim() != 2) {
    throw std::invalid_argument("embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape " +
                                shape_str(weight.sizes()));
  }
  int64_t V = weight.sizes()[0];
  if (padding_idx < -1 || padding_idx >= V) {
    throw std::out_of_range("embedding: padding_idx " + std::to_string(padding_idx) +
                            " is out of range for a table of " + std::to_string(V) + " rows");
  }
  check_indices(indices, V, "embedding", [V] { return "a table of " + std::to_string(V) + " rows"; });
  Shape out_shape = indices.sizes();
  out_shape.push_back(weight.sizes()[1]);
  Tensor out = gather_rows(weight, indices, out_shape);
  // out[p] = W[ids[p]]  =>  dW[v] = sum_{p : ids[p] == v} g[p], none for padding_idx  (record_gather)
  return record_gather(out, weight, indices, "EmbeddingBackward0", indices, weight.sizes(), 0, padding_idx);
}

// index_select(dim, index): moves `dim` to the front, gathers rows, moves it back.
// Output shape: the source's, with size index.numel() at `dim` (a 0-dim index counts as
// one element; a 0-dim source gives a 0-dim result, as torch). One recorded node,
// IndexSelectBackward0, whatever the dim: the transposes are part of this op.
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  require_defined(*this, "index_select");
  if (index.defined() && index.dim() > 1) {
    throw std::invalid_argument("index_select: index must be 0-D or 1-D, got shape " + shape_str(index.sizes()));
  }
  int64_t d = wrap_dim(dim, this->dim(), "index_select");
  Tensor src = this->dim() == 0 ? detach().reshape({1}) : detach();
  if (d != 0) src = src.transpose(0, d);
  check_indices(index, src.sizes()[0], "index_select",
                [&] { return "dimension " + std::to_string(d) + " of size " + std::to_string(src.sizes()[0]); });
  if (this->dim() == 0 && index.numel() != 1) {
    throw std::invalid_argument("index_select: a 0-dim tensor takes exactly one index, got " +
                                std::to_string(index.numel()));
  }
  Tensor flat_ix = index.reshape({index.numel()});
  Shape out_shape = src.sizes();
  out_shape[0] = flat_ix.numel();
  Tensor out = gather_rows(src, flat_ix, out_shape);
  if (d != 0) out = out.transpose(0, d);
  if (this->dim() == 0) out = out.reshape({});
  // out = x.index_select(dim, idx)  =>  dx = g scatter-added back along dim  (record_gather)
  return record_gather(out, *this, index, "IndexSelectBackward0", flat_ix, src.sizes(), d, -1);
}

Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) { return a.index_select(dim, index); }

// one_hot(ids, C)[p, c] = (ids[p] == c); C = max(ids) + 1 when num_classes is -1. Int64 in and out, as torch.
Tensor one_hot(const Tensor& indices, int64_t num_classes) {
  if (!indices.defined()) throw std::invalid_argument("one_hot: undefined indices");
  if (indices.dtype() != DType::Int64)
    throw std::invalid_argument("one_hot: indices must be torch.int64, got " + dtype_name(indices.dtype()));
  const int64_t* p = indices.data_ptr<int64_t>();
  int64_t n = indices.numel();
  if (num_classes == -1) {
    if (n == 0) throw std::invalid_argument("one_hot: cannot infer the number of classes from an empty tensor; pass num_classes");
    num_classes = *std::max_element(p, p + n) + 1;
  } else if (num_classes < 0) {
    throw std::invalid_argument("one_hot: num_classes must be -1 or non-negative, got " + std::to_string(num_classes));
  }
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] < 0 || p[i] >= num_classes) {
      throw std::out_of_range("one_hot: class value " + std::to_string(p[i]) + " at position " +
                              std::to_string(i) + " is out of range for " + std::to_string(num_classes) +
                              " classes (expected 0.." + std::to_string(num_classes - 1) + ")");
    }
  }
  Shape shape = indices.sizes();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i * num_classes + p[i]] = 1;
  return out;
}

}  // namespace minigrad

// Joining and cutting along one dim: cat and stack (many tensors into one), split and
// chunk (one into many). Results are new contiguous tensors: split and chunk return
// copies, not torch's views (see slice.cpp), each piece with its own SplitBackward0 node.
// Legend: along `dim` every input is (outer, n_i, inner) (dims.h); cat lays the n_i
// end to end, stack gives each input one new row of size 1.
// Not here: narrow / slice / select (slice.cpp).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/kernels/rows.h"
#include "core/ops/dims.h"
#include "core/ops/slice.h"

namespace minigrad {

namespace {

// Checks that `tensors` is non-empty, every tensor is defined, and all share the first
// one's dtype (minigrad does not promote: convert with to()).
void require_joinable(const std::vector<Tensor>& tensors, const char* op) {
  if (tensors.empty()) throw std::invalid_argument(std::string(op) + ": expected a non-empty list of tensors");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined())
      throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " is undefined");
    if (tensors[i].dtype() != tensors[0].dtype()) {
      throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " has dtype " +
                                  dtype_name(tensors[i].dtype()) + " but tensor 0 has " +
                                  dtype_name(tensors[0].dtype()) + "; convert them to one dtype with to()");
    }
  }
}

// Torch's cat skips 1-D tensors with no elements (the legacy torch.tensor([]) start of an
// accumulation), whatever the other tensors' shapes.
bool skipped_by_cat(const Tensor& t) { return t.dim() == 1 && t.numel() == 0; }

int64_t row_bytes(const Shape& shape, int64_t dim, DType dtype) {
  return split_at(shape, dim).inner * static_cast<int64_t>(element_size(dtype));
}

}  // namespace

// cat(tensors, dim): every shape equal except along dim.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  require_joinable(tensors, "cat");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].dim() == 0) {
      throw std::invalid_argument("cat: tensor " + std::to_string(i) + " is 0-dim, and 0-dim tensors cannot be "
                                  "concatenated; unsqueeze(0) them, or use stack");
    }
  }
  // The shape the others are checked against: the first tensor cat does not skip.
  auto ref_it = std::find_if(tensors.begin(), tensors.end(), [](const Tensor& t) { return !skipped_by_cat(t); });
  const Tensor& ref = ref_it == tensors.end() ? tensors[0] : *ref_it;
  const auto ref_index = std::to_string(ref_it == tensors.end() ? 0 : ref_it - tensors.begin());
  const int64_t d = wrap_dim(dim, ref.dim(), "cat");
  Shape out = ref.sizes();
  out[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_by_cat(t)) continue;
    Shape a = t.sizes(), b = ref.sizes();
    if (a.size() != b.size()) {
      throw std::invalid_argument("cat: tensor " + std::to_string(i) + " has " + std::to_string(a.size()) +
                                  " dimensions (shape " + shape_str(a) + ") but tensor " + ref_index + " has " +
                                  std::to_string(b.size()) + " (shape " + shape_str(b) + "); all must have the same");
    }
    for (int64_t k = 0; k < static_cast<int64_t>(a.size()); ++k) {
      if (k != d && a[k] != b[k]) {
        throw std::invalid_argument("cat: sizes must match except in dimension " + std::to_string(d) + ", but tensor " +
                                    std::to_string(i) + " has shape " + shape_str(a) + " and tensor " + ref_index +
                                    " has shape " + shape_str(b) + " (dimension " + std::to_string(k) + ": " +
                                    std::to_string(a[k]) + " vs " + std::to_string(b[k]) + ")");
      }
    }
    out[d] += a[d];
  }
  Tensor y = empty(out, ref.dtype());  // (outer, sum n_i, inner)
  const int64_t outer = split_at(out, d).outer, bytes = row_bytes(out, d, ref.dtype());
  std::vector<int64_t> offsets;  // where each input starts along dim (skipped ones: nowhere)
  std::vector<Shape> shapes;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    offsets.push_back(offset);
    shapes.push_back(t.sizes());
    if (skipped_by_cat(t)) continue;
    const int64_t n = t.sizes()[d];
    kernels::copy_rows(t.raw_data(), {n, 0, 1}, y.raw_data(), {out[d], offset, 1}, outer, n, bytes);
    offset += n;
  }
  // y = [x_0, x_1, ...] along dim  =>  dx_i = g[off_i : off_i + n_i] along dim
  return record_op(y, tensors, "CatBackward0", {}, [d, offsets, shapes](const Node& node, const Tensor& g) -> Grads {
    Grads grads(shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      if (!node.needs_grad(i)) continue;
      const bool skipped = shapes[i].size() == 1 && shapes[i][0] == 0;
      grads[i] = skipped ? zeros(shapes[i], g.dtype()) : take_rows(g, d, offsets[i], shapes[i][d], 1);
    }
    return grads;
  });
}

// stack(tensors, dim): equal shapes; a new dim of size K = tensors.size() at `dim`, in [-(ndim+1), ndim].
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  require_joinable(tensors, "stack");
  const Shape& in = tensors[0].sizes();
  for (std::size_t i = 1; i < tensors.size(); ++i) {
    if (tensors[i].sizes() != in) {
      throw std::invalid_argument("stack: expects tensors of equal shape, but tensor " + std::to_string(i) +
                                  " has shape " + shape_str(tensors[i].sizes()) + " and tensor 0 has shape " +
                                  shape_str(in));
    }
  }
  const int64_t d = wrap_dim(dim, static_cast<int64_t>(in.size()) + 1, "stack");
  const auto k = static_cast<int64_t>(tensors.size());
  Shape out = in;
  out.insert(out.begin() + d, k);
  Tensor y = empty(out, tensors[0].dtype());  // (outer, K, inner)
  const int64_t outer = split_at(out, d).outer, bytes = row_bytes(out, d, y.dtype());
  for (int64_t i = 0; i < k; ++i)
    kernels::copy_rows(tensors[i].raw_data(), {1, 0, 1}, y.raw_data(), {k, i, 1}, outer, 1, bytes);
  // y[..., i, ...] = x_i along dim  =>  dx_i = g[..., i, ...] (row i of g along dim, the dim dropped)
  return record_op(y, tensors, "StackBackward0", {}, [d, in](const Node& node, const Tensor& g) -> Grads {
    Grads grads(node.next_edges.size());
    for (std::size_t i = 0; i < grads.size(); ++i) {
      if (!node.needs_grad(i)) continue;
      grads[i] = take_rows(g, d, static_cast<int64_t>(i), 1, 1);  // a new tensor: safe to reshape in place
      grads[i].impl()->shape = in;
    }
    return grads;
  });
}

// Pieces of split_size rows along dim, the last one shorter if split_size does not divide
// the size n (torch's rule: ceil(n / split_size) pieces, at least one). Each piece is a copy
// recorded as SplitBackward0, whose gradient is the piece's g in its rows and zeros
// elsewhere: a gradient of x's full size per piece, where torch's one node for all pieces
// writes one. Exact all the same (adding a zero changes no value).
std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const {
  require_defined(*this, "split");
  if (this->dim() == 0) throw std::invalid_argument("split: expects a tensor with at least 1 dimension, got a 0-dim one");
  const int64_t d = wrap_dim(dim, this->dim(), "split");
  const int64_t n = sizes()[d];
  if (split_size < 0)
    throw std::invalid_argument("split: split_size must be non-negative, got " + std::to_string(split_size));
  if (split_size == 0 && n != 0) {
    throw std::invalid_argument("split: split_size 0 cannot cut dimension " + std::to_string(d) + " of size " +
                                std::to_string(n) + " (shape " + shape_str(sizes()) +
                                "); 0 fits only a dim of size 0. Pass the rows per piece, e.g. split(" +
                                std::to_string(n) + ", " + std::to_string(d) + ") for one piece");
  }
  const int64_t pieces = n == 0 ? 1 : (n - 1) / split_size + 1;  // ceil(n / split_size), at least 1
  std::vector<Tensor> out;
  for (int64_t i = 0; i < pieces; ++i) {
    const int64_t len = i < pieces - 1 ? split_size : n - split_size * (pieces - 1);
    out.push_back(slice_rows(*this, d, i * split_size, len, 1, "SplitBackward0"));
  }
  return out;
}

// split with split_size = ceil(n / chunks): so at most `chunks` pieces, fewer when the
// rounding leaves nothing (5 rows in 4 chunks are 2 + 2 + 1), as torch's chunk. A dim of
// size 0 gives `chunks` empty pieces (torch records those as SplitWithSizesBackward0).
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const {
  require_defined(*this, "chunk");
  if (this->dim() == 0) throw std::invalid_argument("chunk: expects a tensor with at least 1 dimension, got a 0-dim one");
  if (chunks <= 0) throw std::invalid_argument("chunk: chunks must be greater than 0, got " + std::to_string(chunks));
  const int64_t d = wrap_dim(dim, this->dim(), "chunk");
  const int64_t n = sizes()[d];
  if (n == 0) {
    std::vector<Tensor> out;
    for (int64_t i = 0; i < chunks; ++i) out.push_back(slice_rows(*this, d, 0, 0, 1, "SplitWithSizesBackward0"));
    return out;
  }
  return split((n - 1) / chunks + 1, d);  // ceil(n / chunks) without overflowing for huge chunks
}

std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim) { return a.split(split_size, dim); }
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim) { return a.chunk(chunks, dim); }

}  // namespace minigrad

// topk: the k largest (or smallest) entries along one dim and where they were, as torch 1.13's
// CPU kernel (aten/src/ATen/native/TopKImpl.h) picks and orders them, ties and NaN included.
// Legend: x viewed as (outer, n, inner) around `dim`; values and indices are (outer, k, inner).
// Not here: sort / argsort, or sampling (core/sampling.cpp calls topk for multinomial).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/kernels/parallel.h"
#include "core/ops/dims.h"

namespace minigrad {

namespace {

// One row of torch's topk_impl_loop. Each entry becomes (value, index) with the value
// widened to double (torch's accscalar_t on CPU: the order is unchanged). NaN ranks above
// every number ("largest") or below ("smallest" puts it last). Then:
//   k * 64 <= n: std::partial_sort of the first k: sorted, whatever `sorted` says;
//   otherwise:   std::nth_element at k - 1, and if sorted, std::sort of the first k - 1
//                (the k-th is already in place).
// Neither algorithm is stable, so equal values come out in the order these exact libstdc++
// calls leave them; making the same calls with the same comparisons reproduces torch's
// order (libtorch is compiled against the same library).
template <class T>
void topk_row(const T* x, int64_t n, int64_t inner, int64_t k, bool largest, bool sorted,
              std::vector<std::pair<double, int64_t>>& queue, T* values, int64_t* indices) {
  using Elem = std::pair<double, int64_t>;
  for (int64_t j = 0; j < n; ++j) queue[j] = {static_cast<double>(x[j * inner]), j};
  auto larger = [](const Elem& a, const Elem& b) {
    return (std::isnan(a.first) && !std::isnan(b.first)) || a.first > b.first;
  };
  auto smaller = [](const Elem& a, const Elem& b) {
    return (!std::isnan(a.first) && std::isnan(b.first)) || a.first < b.first;
  };
  auto run = [&](auto before) {
    if (k * 64 <= n) {
      std::partial_sort(queue.begin(), queue.begin() + k, queue.begin() + n, before);
    } else {
      std::nth_element(queue.begin(), queue.begin() + k - 1, queue.begin() + n, before);
      if (sorted) std::sort(queue.begin(), queue.begin() + k - 1, before);
    }
  };
  if (largest) run(larger);
  else run(smaller);
  for (int64_t j = 0; j < k; ++j) {
    values[j * inner] = static_cast<T>(queue[j].first);
    indices[j * inner] = queue[j].second;
  }
}

template <class T>
void topk_forward(const Tensor& x, const DimSplit& p, int64_t k, bool largest, bool sorted, Tensor& values,
                  Tensor& indices) {
  const T* xd = x.data_ptr<T>();
  T* vd = values.data_ptr<T>();
  int64_t* id = indices.data_ptr<int64_t>();
  // Rows are independent, so any partition gives the same bits.
  kernels::parallel_for(p.outer * p.inner, p.n * 8, [&](int64_t r0, int64_t r1) {
    std::vector<std::pair<double, int64_t>> queue(static_cast<size_t>(p.n));
    for (int64_t r = r0; r < r1; ++r) {
      int64_t o = r / p.inner, i = r % p.inner;
      topk_row(xd + o * p.n * p.inner + i, p.n, p.inner, k, largest, sorted, queue,
               vd + o * k * p.inner + i, id + o * k * p.inner + i);
    }
  });
}

// dx[o, indices[o, j, i], i] = g[o, j, i], zero elsewhere (indices in a row are distinct).
template <class T>
void scatter_rows(const T* g, const int64_t* idx, T* dx, const DimSplit& p, int64_t k) {
  kernels::parallel_for(p.outer, k * p.inner, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o)
      for (int64_t j = 0; j < k; ++j)
        for (int64_t i = 0; i < p.inner; ++i) {
          int64_t at = (o * k + j) * p.inner + i;
          dx[(o * p.n + idx[at]) * p.inner + i] = g[at];
        }
  });
}

}  // namespace

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  require_defined(x, "topk");
  if (!is_floating(x.dtype())) {
    throw std::invalid_argument("topk: expected a floating point tensor, got " + dtype_name(x.dtype()));
  }
  const int64_t d = wrap_dim(dim, x.dim(), "topk");
  const int64_t size = x.dim() == 0 ? 1 : x.size(d);
  if (k < 0 || k > size) {
    throw std::out_of_range("topk: selected index k out of range: k=" + std::to_string(k) + " but dim " +
                            std::to_string(d) + " of the tensor of shape " + shape_str(x.sizes()) + " has size " +
                            std::to_string(size) + " (k must be in [0, " + std::to_string(size) + "])");
  }
  Shape out_shape = x.sizes();
  if (!out_shape.empty()) out_shape[d] = k;
  DimSplit p = split_at(x.sizes(), d);
  Tensor values = empty(out_shape, x.dtype());
  Tensor indices = empty(out_shape, DType::Int64);
  const int64_t rows_k = x.dim() == 0 ? 1 : k;  // torch copies a 0-dim x whatever k is
  if (rows_k > 0) {
    visit_floating(x.dtype(), [&](auto tag) { topk_forward<decltype(tag)>(x, p, rows_k, largest, sorted, values, indices); });
  }

  // values = x gathered at indices along dim  =>  dx = zeros like x, with g scattered back
  // to the picked positions (torch's value_selecting_reduction_backward).      saved: indices
  Shape in_shape = x.sizes();
  values = record_op(values, {x}, "TopkBackward0", {indices},
                     [in_shape, p, rows_k](const Node& node, const Tensor& g) -> Grads {
                       Tensor idx = node.saved(0);
                       Tensor dx = zeros(in_shape, g.dtype());
                       visit_floating(g.dtype(), [&](auto tag) {
                         using T = decltype(tag);
                         scatter_rows(g.data_ptr<T>(), idx.data_ptr<int64_t>(), dx.data_ptr<T>(), p, rows_k);
                       });
                       return {dx};
                     });
  return {values, indices};
}

std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return minigrad::topk(*this, k, dim, largest, sorted);
}

}  // namespace minigrad

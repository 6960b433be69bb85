// The bytes behind one or more Tensors, and the version counter they share.
// Not a tensor: it knows nothing of shapes or dtypes, only a 64-byte aligned block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace minigrad {

struct Storage {
  explicit Storage(std::size_t nbytes) : nbytes(nbytes) {
    // 64-byte alignment lets kernels use aligned vector loads on whole rows.
    std::size_t rounded = (nbytes + 63) / 64 * 64;
    data = rounded == 0 ? nullptr : std::aligned_alloc(64, rounded);
    if (rounded != 0 && data == nullptr) throw std::bad_alloc();
  }
  ~Storage() { std::free(data); }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  std::size_t nbytes = 0;
  // Bumped by every in-place write. Views share the storage, hence the counter,
  // exactly as PyTorch's views share their base's version counter.
  uint64_t version = 0;
};

}  // namespace minigrad

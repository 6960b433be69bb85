// The bytes behind one or more Tensors, and the version counter they share.
// Not a tensor: it knows nothing of shapes or dtypes, only a 64-byte aligned block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define MINIGRAD_HAVE_MMAP 1
#endif

namespace minigrad {

struct Storage {
  // Zeroed blocks at least this big are fresh pages from the OS, which reads them as
  // zeros until first written: a (V, 256) embedding gradient costs only the rows a
  // batch touched, not a memset of all V rows.
  static constexpr std::size_t kLazyZeroBytes = std::size_t{4} << 20;

  explicit Storage(std::size_t nbytes, bool zeroed = false) : nbytes(nbytes) {
    // 64-byte alignment lets kernels use aligned vector loads on whole rows.
    std::size_t rounded = (nbytes + 63) / 64 * 64;
    if (rounded == 0) return;
#ifdef MINIGRAD_HAVE_MMAP
    if (zeroed && rounded >= kLazyZeroBytes) {
      void* p = mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      data = p;
      mapped = rounded;
      return;
    }
#endif
    data = std::aligned_alloc(64, rounded);
    if (data == nullptr) throw std::bad_alloc();
    if (zeroed) std::memset(data, 0, rounded);
  }
  ~Storage() {
#ifdef MINIGRAD_HAVE_MMAP
    if (mapped != 0) {
      munmap(data, mapped);
      return;
    }
#endif
    std::free(data);
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  std::size_t nbytes = 0;
  std::size_t mapped = 0;  // non-zero: data came from mmap, this many bytes
  // Bumped by every in-place write. Views share the storage, hence the counter,
  // exactly as PyTorch's views share their base's version counter.
  uint64_t version = 0;
};

}  // namespace minigrad

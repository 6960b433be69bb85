// The bytes behind one or more Tensors, and the version counter they share.
// Not a tensor: it knows nothing of shapes or dtypes, only a block of bytes (aligned
// to 64 from 4 KiB up, to 16 below; up to 128 bytes, inside the Storage).
// Where the bytes come from (storage.cpp): small blocks from malloc; big ones from
// the OS, and back to a cache when freed, so a training loop that allocates the same
// big tensors every step (logits, a dense embedding gradient) reuses them instead of
// paying page faults every step.
#pragma once

#include <cstddef>
#include <cstdint>

namespace minigrad {

struct Storage {
  // Blocks at least this big are cached when freed and reused (storage.cpp).
  static constexpr std::size_t kBigBlockBytes = std::size_t{1} << 17;
  // Blocks up to this size live inside the Storage itself (`local`), so a tiny tensor
  // costs one allocation (make_shared's Storage and count), not two (storage.cpp).
  static constexpr std::size_t kInlineBytes = 128;

  // `zeroed`: the bytes read as zero. A fresh big block already does (the OS hands
  // out zero pages lazily, so only the pages written ever cost anything); a reused
  // one is cleared.
  explicit Storage(std::size_t nbytes, bool zeroed = false);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  std::size_t nbytes = 0;
  std::size_t capacity = 0;  // bytes in the block (>= nbytes): the block cache's size key
  bool big = false;          // from (and back to) the block cache
  // Bumped by every in-place write. Views share the storage, hence the counter,
  // exactly as PyTorch's views share their base's version counter.
  uint64_t version = 0;
  alignas(16) unsigned char local[kInlineBytes];  // the block, when it fits (data == local)
};

// What the block cache holds now: blocks freed and kept for reuse, and their bytes.
struct BlockCacheStats {
  std::size_t blocks = 0, bytes = 0;
  std::size_t fresh = 0, reused = 0;  // big allocations served since start, each way
};
BlockCacheStats block_cache_stats();
// Returns every cached block to the OS (as torch.cuda.empty_cache does for its cache).
void empty_cache();

// The block cache is on unless the environment held MINIGRAD_BLOCK_CACHE=0 when it was
// first asked (read once). Off, every big block comes from the OS and goes straight back:
// the plain allocator, for reading or comparing. Values never depend on it. Switching it
// off here (tests do) also empties the cache.
bool block_cache_enabled();
void set_block_cache_enabled(bool enabled);

}  // namespace minigrad

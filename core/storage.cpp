// Where tensor bytes come from. Small blocks (< 128 KiB): malloc / aligned_alloc and free.
// Big blocks: glibc would mmap a fresh region for many of them, or give freed heap back
// to the OS and fault it in again (an aligned request is always a little over the size
// its threshold learnt from the last free), so each step of a training loop paid a page
// fault per 4 KiB of every big tensor: about 12 us each on this project's VMs, where a
// bigram step (bench/workloads W2) took ~19 faults and a GPT-mini step (W3) ~450.
// Instead a freed big block goes to a cache, and the next request of about its size
// takes it back; fresh ones come straight from mmap, whose pages read as zero until
// written. "Big" starts at 128 KiB, glibc's default mmap threshold; it was 1 MiB, which
// left out W3's (512, 128) activations. MINIGRAD_BLOCK_CACHE=0 turns the cache off
// (storage.h).
//
// The cache keeps at most kCacheBytes; the oldest blocks leave first. It is shared by
// all threads (one mutex; big allocations are rare next to the work done on them).
// Under AddressSanitizer a cached block is poisoned, and a reused one unpoisoned only
// up to the bytes asked for, so use-after-free and overflow are still caught.
#include "core/storage.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <string_view>

#include "core/kernels/parallel.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define MINIGRAD_HAVE_MMAP 1
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define MINIGRAD_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define MINIGRAD_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define MINIGRAD_POISON(p, n) ((void)(p), (void)(n))
#define MINIGRAD_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace minigrad {

namespace {

constexpr std::size_t kCacheBytes = std::size_t{1} << 30;  // at most 1 GiB kept for reuse
constexpr std::size_t kPage = 4096;

struct Block {
  void* data;
  std::size_t bytes;
};

// Fresh big blocks: zero pages from the OS where there is mmap, else aligned_alloc + memset.
void* os_allocate(std::size_t bytes) {
#ifdef MINIGRAD_HAVE_MMAP
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
#else
  void* p = std::aligned_alloc(kPage, bytes);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  return p;
#endif
}

// Unpoisoned first: the OS may hand these addresses out again, and ASan must not see them poisoned.
void os_free(void* p, std::size_t bytes) {
  MINIGRAD_UNPOISON(p, bytes);
#ifdef MINIGRAD_HAVE_MMAP
  munmap(p, bytes);
#else
  (void)bytes;
  std::free(p);
#endif
}

class BlockCache {
 public:
  // A cached block of at least `bytes` and at most 1/8 more (best fit), or a fresh one.
  // `fresh` says which: a fresh block reads as zeros.
  Block take(std::size_t bytes, bool& fresh) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::size_t best = blocks_.size();
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        std::size_t b = blocks_[i].bytes;
        if (b >= bytes && b - bytes <= bytes / 8 && (best == blocks_.size() || b < blocks_[best].bytes)) best = i;
      }
      if (best != blocks_.size()) {
        Block block = blocks_[best];
        blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(best));
        cached_bytes_ -= block.bytes;
        ++stats_.reused;
        fresh = false;
        return block;
      }
      ++stats_.fresh;
    }
    fresh = true;
    return Block{os_allocate(bytes), bytes};
  }

  void give_back(Block block) {
    std::deque<Block> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (block.bytes > kCacheBytes / 2) {
        evicted.push_back(block);
      } else {
        MINIGRAD_POISON(block.data, block.bytes);
        blocks_.push_back(block);
        cached_bytes_ += block.bytes;
        while (cached_bytes_ > kCacheBytes) {  // the oldest leave first
          evicted.push_back(blocks_.front());
          cached_bytes_ -= blocks_.front().bytes;
          blocks_.pop_front();
        }
      }
    }
    for (Block& b : evicted) os_free(b.data, b.bytes);
  }

  void clear() {
    std::deque<Block> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      all.swap(blocks_);
      cached_bytes_ = 0;
    }
    for (Block& b : all) os_free(b.data, b.bytes);
  }

  BlockCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    BlockCacheStats s = stats_;
    s.blocks = blocks_.size();
    s.bytes = cached_bytes_;
    return s;
  }

 private:
  std::mutex mutex_;
  std::deque<Block> blocks_;  // oldest first
  std::size_t cached_bytes_ = 0;
  BlockCacheStats stats_;
};

// Never destroyed: tensors in static objects may be freed after any static destructor ran.
BlockCache& cache() {
  static BlockCache* c = new BlockCache;
  return *c;
}

std::atomic<bool>& cache_on() {
  static std::atomic<bool> on{[] {
    const char* v = std::getenv("MINIGRAD_BLOCK_CACHE");
    return v == nullptr || std::string_view(v) != "0";
  }()};
  return on;
}

}  // namespace

Storage::Storage(std::size_t nbytes, bool zeroed) : nbytes(nbytes) {
  std::size_t rounded = (nbytes + 63) / 64 * 64;
  if (rounded == 0) return;
  if (rounded >= kBigBlockBytes) {
    std::size_t bytes = (rounded + kPage - 1) / kPage * kPage;
    bool fresh = true;
    Block b = cache_on().load(std::memory_order_relaxed) ? cache().take(bytes, fresh)
                                                         : Block{os_allocate(bytes), bytes};
    data = b.data;
    capacity = b.bytes;
    big = true;
    MINIGRAD_POISON(data, capacity);  // past nbytes stays poisoned
    MINIGRAD_UNPOISON(data, nbytes);
    if (zeroed && !fresh) {
      char* bytes = static_cast<char*>(data);
      kernels::parallel_for(static_cast<int64_t>(nbytes), 1, [&](int64_t b0, int64_t b1) {
        std::memset(bytes + b0, 0, static_cast<std::size_t>(b1 - b0));
      });
    }
    return;
  }
  // Up to 128 bytes (32 floats: W1's logits, a scalar loss) the block is the Storage's
  // own array: a step of tiny tensors (W1) makes dozens, each then one allocation instead
  // of two. Rows of 4 KiB and more start on a cache line (64 bytes). Other blocks take
  // malloc's fast path (16-byte aligned): glibc's aligned_alloc splits and merges
  // chunks on every call, a cost W1 paid dozens of times. No kernel needs more than
  // 16: they load tensor data unaligned.
  if (rounded <= kInlineBytes) {
    data = local;
    capacity = kInlineBytes;
    if (zeroed) std::memset(local, 0, kInlineBytes);
    const std::size_t used = (nbytes + 7) / 8 * 8;  // ASan poisons whole 8-byte granules
    MINIGRAD_POISON(local + used, kInlineBytes - used);  // ASan: past the end
    return;
  }
  data = rounded >= kPage ? std::aligned_alloc(64, rounded) : std::malloc(rounded);
  if (data == nullptr) throw std::bad_alloc();
  capacity = rounded;
  if (zeroed) std::memset(data, 0, rounded);
}

Storage::~Storage() {
  if (data == local) MINIGRAD_UNPOISON(local, kInlineBytes);
  else if (!big) std::free(data);
  else if (cache_on().load(std::memory_order_relaxed)) cache().give_back(Block{data, capacity});
  else os_free(data, capacity);
}

BlockCacheStats block_cache_stats() { return cache().stats(); }

void empty_cache() { cache().clear(); }

bool block_cache_enabled() { return cache_on().load(); }

void set_block_cache_enabled(bool enabled) {
  cache_on().store(enabled);
  if (!enabled) empty_cache();
}

}  // namespace minigrad

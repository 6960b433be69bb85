// core/storage.cpp: the block cache keeps freed big blocks for reuse until emptied, and
// its switch (MINIGRAD_BLOCK_CACHE=0, set_block_cache_enabled) turns that off without
// changing any value; tiny blocks live inside the Storage. Not here: zeros reading as zero on reused blocks (factory_test.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/core.h"
#include "tests/scoped_switch.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;

const int64_t kBigFloats = static_cast<int64_t>(Storage::kBigBlockBytes / sizeof(float)) * 2;

// The cache switched on or off for one scope.
testing::ScopedSwitch block_cache(bool on) {
  return testing::ScopedSwitch(block_cache_enabled, set_block_cache_enabled, on);
}

// Up to kInlineBytes a block is the Storage's own array: one allocation per tiny tensor.
TEST(StorageTest, TinyBlocksLiveInsideTheStorage) {
  const int64_t fits = static_cast<int64_t>(Storage::kInlineBytes / sizeof(float));
  Tensor a = zeros({fits}), b = zeros({fits + 1});
  const Storage& sa = *a.impl()->storage;
  const Storage& sb = *b.impl()->storage;
  EXPECT_EQ(sa.data, static_cast<const void*>(sa.local));
  EXPECT_NE(sb.data, static_cast<const void*>(sb.local));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(sa.data) % 16, 0u);
  EXPECT_TRUE(bitwise_equal(a, full({fits}, 0.0)));  // zeroed although the array is not malloc's
  a.fill_(2.5);
  EXPECT_TRUE(bitwise_equal(a.view({2, fits / 2}).sum(1), full({2}, 2.5 * static_cast<double>(fits / 2))));
}

TEST(StorageTest, BlockCacheKeepsFreedBigBlocksUntilEmptied) {
  auto on = block_cache(true);
  empty_cache();
  { Tensor a = ones({kBigFloats}); }
  BlockCacheStats s = block_cache_stats();
  EXPECT_EQ(s.blocks, 1u);
  EXPECT_GE(s.bytes, static_cast<std::size_t>(kBigFloats) * 4);
  { Tensor b = empty({kBigFloats}); EXPECT_EQ(block_cache_stats().blocks, 0u); }  // taken back
  empty_cache();
  s = block_cache_stats();
  EXPECT_EQ(s.blocks, 0u);
  EXPECT_EQ(s.bytes, 0u);
}

TEST(StorageTest, BlockCacheSwitchedOffKeepsAndReusesNothing) {
  {
    auto on = block_cache(true);
    { Tensor a = ones({kBigFloats}); }
    EXPECT_EQ(block_cache_stats().blocks, 1u);
  }
  auto off = block_cache(false);  // switching off empties the cache
  EXPECT_FALSE(block_cache_enabled());
  EXPECT_EQ(block_cache_stats().blocks, 0u);
  const BlockCacheStats before = block_cache_stats();
  for (int i = 0; i < 3; ++i) {
    Tensor a = full({kBigFloats}, 7.0);
    EXPECT_TRUE(a.impl()->storage->big);  // still a big block from the OS, only never cached
  }
  const BlockCacheStats after = block_cache_stats();
  EXPECT_EQ(after.blocks, 0u);
  EXPECT_EQ(after.bytes, 0u);
  EXPECT_EQ(after.reused, before.reused);
}

// The same seeded work over big tensors gives the same bits with the cache on or off,
// including zeros taken on memory a freed tensor had filled.
TEST(StorageTest, BlockCacheSwitchChangesNoValue) {
  auto work = [] {
    manual_seed(5);
    { Tensor dirty = full({kBigFloats}, 3.0); }
    Tensor z = zeros({kBigFloats});
    Tensor x = randn({kBigFloats});
    return (x * 2.0 + z).sum();
  };
  Tensor with_cache, without_cache;
  {
    auto on = block_cache(true);
    with_cache = work();
  }
  {
    auto off = block_cache(false);
    without_cache = work();
  }
  EXPECT_TRUE(bitwise_equal(with_cache, without_cache));
}

// Run by its own ctest entry with MINIGRAD_BLOCK_CACHE=0 (tests/CMakeLists.txt); skipped otherwise.
TEST(StorageTest, BlockCacheSwitchReadFromTheEnvironment) {
  const char* v = std::getenv("MINIGRAD_BLOCK_CACHE");
  if (v == nullptr || std::string(v) != "0") GTEST_SKIP() << "needs MINIGRAD_BLOCK_CACHE=0";
  EXPECT_FALSE(block_cache_enabled());
  { Tensor a = ones({kBigFloats}); }
  EXPECT_EQ(block_cache_stats().blocks, 0u);
}

}  // namespace
}  // namespace minigrad

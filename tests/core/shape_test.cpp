// Shape (core/shape.h): std::vector<int64_t>'s behaviour with up to 6 dims kept inline;
// past that on the heap, and tensors of more dims still work. Not here: shape rules of the
// ops (broadcasting, views), tested with the ops.
#include "core/shape.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "core/core.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

using V = std::vector<int64_t>;

// Where a shape's dims live: inside the object or not.
bool inline_dims(const Shape& s) {
  auto* self = reinterpret_cast<const char*>(&s);
  auto* d = reinterpret_cast<const char*>(s.data());
  return d >= self && d < self + sizeof(Shape);
}

TEST(ShapeTest, ReadsAndWritesLikeAVector) {
  Shape s{2, 3};
  s.push_back(4);
  s.insert(s.begin(), 1);
  s.insert(s.begin() + 2, {7, 8});
  EXPECT_EQ(V(s), (V{1, 2, 7, 8, 3, 4}));
  s.erase(s.begin() + 2, s.begin() + 4);
  s.erase(s.begin());
  EXPECT_EQ(V(s), (V{2, 3, 4}));
  s.resize(5, 9);
  EXPECT_EQ(V(s), (V{2, 3, 4, 9, 9}));
  s.pop_back();
  EXPECT_EQ(s.front(), 2);
  EXPECT_EQ(s.back(), 9);
  EXPECT_EQ(V(s.rbegin(), s.rend()), (V{9, 4, 3, 2}));
  EXPECT_EQ(Shape(3, 1), (Shape{1, 1, 1}));
  EXPECT_TRUE(Shape().empty());
  EXPECT_THROW(s.at(4), std::out_of_range);
  EXPECT_EQ(s.at(3), 9);
}

TEST(ShapeTest, ConvertsToAndFromStdVector) {
  V v{4, 5, 6};
  Shape s = v;
  V back = s;
  EXPECT_EQ(back, v);
  EXPECT_TRUE(s == v);  // either side may be the vector
  EXPECT_TRUE(v == s);
  EXPECT_TRUE(s != (V{4, 5}));
  EXPECT_LT(Shape({4, 5}), s);  // lexicographic, as vectors compare
  EXPECT_LT(s, Shape({4, 6}));
}

TEST(ShapeTest, UpToSixDimsInlineMoreOnTheHeap) {
  Shape small{1, 2, 3, 4, 5, 6};
  EXPECT_TRUE(inline_dims(small));
  Shape big = small;
  big.push_back(7);
  EXPECT_FALSE(inline_dims(big));
  EXPECT_EQ(V(big), (V{1, 2, 3, 4, 5, 6, 7}));
  // copies and moves of both kinds keep the dims and leave a moved-from shape empty
  Shape big_copy = big, small_copy = small;
  Shape big_moved = std::move(big_copy), small_moved = std::move(small_copy);
  EXPECT_EQ(big_moved, big);
  EXPECT_EQ(small_moved, small);
  EXPECT_TRUE(big_copy.empty());  // NOLINT(bugprone-use-after-move): the state is specified here
  EXPECT_TRUE(small_copy.empty());  // NOLINT(bugprone-use-after-move)
  small_moved = big;
  EXPECT_EQ(small_moved, big);
  big_moved = small;
  EXPECT_EQ(big_moved, small);
  big_moved = big_moved;  // NOLINT: self-assignment keeps the dims
  EXPECT_EQ(big_moved, small);
}

TEST(ShapeTest, InsertingItsOwnRangeIsSafe) {
  Shape s{1, 2, 3, 4};
  s.insert(s.begin() + 1, s.begin(), s.end());  // grows past 6: the range moves mid-insert
  EXPECT_EQ(V(s), (V{1, 1, 2, 3, 4, 2, 3, 4}));
}

TEST(ShapeTest, TensorsOfManyDims) {
  Shape dims{2, 1, 2, 1, 2, 1, 2, 1, 2};  // 9 dims: on the heap
  Tensor x = arange(32, DType::Float64).reshape(dims);
  EXPECT_EQ(x.sizes(), dims);
  EXPECT_EQ(x.dim(), 9);
  Tensor y = x.sum(8).unsqueeze(0);
  EXPECT_EQ(y.sizes(), (Shape{1, 2, 1, 2, 1, 2, 1, 2, 1}));
  EXPECT_EQ(y.sum().item<double>(), 31.0 * 32.0 / 2.0);
  Tensor w = x.clone().requires_grad_();
  (w * w).sum().backward();  // the node checks the 9-dim gradient against its input
  EXPECT_TRUE(testing::bitwise_equal(w.grad(), x * 2.0));
}

}  // namespace
}  // namespace minigrad

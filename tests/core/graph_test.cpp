// to_dot on a known graph: nodes, edges, names and shapes.
#include "core/graph.h"

#include <gtest/gtest.h>

#include "core/core.h"

namespace minigrad {
namespace {

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(GraphTest, EmbeddingMatmulLossGraph) {
  Tensor w = zeros({6, 3}).requires_grad_();
  w.set_name("emb.weight");
  Tensor head = zeros({3, 6}).requires_grad_();
  head.set_name("head.weight");
  Tensor loss = cross_entropy(embedding(w, tensor({2, 3})).matmul(head), tensor({1, 2}));
  std::string dot = to_dot(loss);
  // Ops as boxes, leaves as named ellipses, the output, in walk order.
  EXPECT_NE(dot.find("n0 [shape=box, label=\"NllLossBackward0\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n1 [shape=box, label=\"MmBackward0\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n2 [shape=box, label=\"EmbeddingBackward0\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"emb.weight\\n(6, 3)\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"head.weight\\n(3, 6)\""), std::string::npos) << dot;
  // Edges flow from input to op, labelled with the input's shape.
  EXPECT_NE(dot.find("n0 -> out [label=\"()\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n1 -> n0 [label=\"(2, 6)\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n2 -> n1 [label=\"(2, 3)\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n4 -> n2 [label=\"(6, 3)\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n3 -> n1 [label=\"(3, 6)\"]"), std::string::npos) << dot;
  EXPECT_EQ(count(dot, "->"), 5) << dot;
  EXPECT_EQ(count(dot, "shape=box"), 3) << dot;
  EXPECT_EQ(dot.rfind("digraph minigrad {", 0), 0u);
}

TEST(GraphTest, SharedInputAppearsOnceWithTwoEdges) {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = (x * x).sum();
  std::string dot = to_dot(y);
  EXPECT_EQ(count(dot, "label=\"leaf\\n(2)\""), 1) << dot;
  EXPECT_EQ(count(dot, "n2 -> n1"), 2) << dot;  // x feeds MulBackward0 twice
}

TEST(GraphTest, TensorWithoutHistoryIsJustTheOutput) {
  std::string dot = to_dot(ones({2, 2}));
  EXPECT_EQ(count(dot, "->"), 0);
  EXPECT_NE(dot.find("output\\n(2, 2)"), std::string::npos);
  EXPECT_THROW(to_dot(Tensor()), std::invalid_argument);
}

}  // namespace
}  // namespace minigrad

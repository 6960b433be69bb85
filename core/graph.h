// to_dot: the backward graph behind a tensor, as Graphviz DOT text, so a learner
// can see what backward() will walk. Render with `dot -Tsvg graph.dot > graph.svg`.
// Not a renderer, and not part of the engine: it only reads nodes and edges.
#pragma once

#include <string>

#include "core/tensor.h"

namespace minigrad {

// One box per op node (its grad_fn name), one ellipse per leaf that requires grad
// (labelled with its name, e.g. "emb.weight", set by nn::Module, and its shape),
// and one for `root` itself. Edges run the way data flowed in the forward pass,
// from input to op, each labelled with the input's shape. A depth-first walk from
// `root` numbers each node's inputs, in input order, when it visits the node, so
// the text is the same every time.
std::string to_dot(const Tensor& root);

}  // namespace minigrad

// to_dot: writes the graph reachable from a tensor's grad_fn as DOT (see graph.h).
#include "core/graph.h"

#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "core/autograd.h"

namespace minigrad {

namespace {

// "n0", "n1", ...: built with += (GCC 12 warns falsely, -Wrestrict, on "n" + std::string).
std::string node_id(std::size_t k) {
  std::string id = "n";
  id += std::to_string(k);
  return id;
}

std::string dims(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + ")";
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') { out += "\\n"; continue; }  // Graphviz's line break inside a label
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string node_line(const std::string& id, const Node& node) {
  if (auto* acc = dynamic_cast<const AccumulateGrad*>(&node)) {
    const std::string& name = acc->leaf->name;
    return "  " + id + " [shape=ellipse, style=filled, fillcolor=lightblue, label=" +
           quote((name.empty() ? std::string("leaf") : name) + "\n" + dims(acc->leaf->shape)) + "];\n";
  }
  return "  " + id + " [shape=box, label=" + quote(node.name()) + "];\n";
}

}  // namespace

std::string to_dot(const Tensor& root) {
  if (!root.defined()) throw std::invalid_argument("to_dot: undefined tensor");
  std::ostringstream out;
  out << "digraph minigrad {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n";
  out << "  out [shape=ellipse, style=filled, fillcolor=darkolivegreen1, label="
      << quote("output\n" + dims(root.sizes())) << "];\n";
  Edge start = gradient_edge(root);
  if (!start) {
    out << "}\n";
    return out.str();
  }
  std::unordered_map<const Node*, std::string> ids;
  std::vector<const Node*> stack{start.get()};
  std::ostringstream edges;
  ids[start.get()] = "n0";
  edges << "  n0 -> out [label=" << quote(dims(root.sizes())) << "];\n";
  while (!stack.empty()) {  // depth-first, children in input order
    const Node* node = stack.back();
    stack.pop_back();
    out << node_line(ids[node], *node);
    std::vector<const Node*> fresh;
    for (std::size_t i = 0; i < node->next_edges.size(); ++i) {
      const Node* child = node->next_edges[i].get();
      if (!child) continue;
      auto [it, inserted] = ids.try_emplace(child, node_id(ids.size()));
      if (inserted) fresh.push_back(child);
      edges << "  " << it->second << " -> " << ids[node] << " [label="
            << quote(dims(node->input_shape(i))) << "];\n";
    }
    for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) stack.push_back(*it);
  }
  out << edges.str() << "}\n";
  return out.str();
}

}  // namespace minigrad

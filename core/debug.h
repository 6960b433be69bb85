// Tools for watching autograd work: DetectAnomalyGuard (the first NaN/inf names
// its op) and GradTraceGuard (log every backward step). The engine calls the
// debug:: hooks; each costs one flag test when no guard is alive.
// Not here: the engine itself (autograd.cpp).
#pragma once

#include <iosfwd>
#include <vector>

#include "core/tensor.h"

namespace minigrad {

struct Node;

// While alive, every recorded forward op checks its output and every backward
// step checks the gradients it returns; the first NaN or inf throws
// std::runtime_error naming the op (libtorch's torch::autograd::DetectAnomalyGuard).
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;
  static bool is_enabled();
};

// While alive, each backward step writes one line to `out` (std::clog by
// default): the node, the incoming gradient's shape and L2 norm, and each input
// gradient's shape and norm. MINIGRAD_TRACE_GRAD=1 in the environment turns it on too.
class GradTraceGuard {
 public:
  explicit GradTraceGuard(std::ostream& out);
  GradTraceGuard();
  ~GradTraceGuard();
  GradTraceGuard(const GradTraceGuard&) = delete;
  GradTraceGuard& operator=(const GradTraceGuard&) = delete;

 private:
  std::ostream* prev_;
};

namespace debug {
void on_forward(const Tensor& output);
void before_backward(const Node& node, const Tensor& grad_output);
void after_backward(const Node& node, const std::vector<Tensor>& input_grads);
}  // namespace debug

}  // namespace minigrad

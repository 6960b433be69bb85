// DetectAnomalyGuard and GradTraceGuard: the checks and the log the engine calls into.
// Not here: the walk (autograd.cpp).
#include "core/debug.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <stdexcept>

#include "core/autograd.h"

namespace minigrad {

namespace {
thread_local int anomaly_depth = 0;
thread_local std::ostream* trace_out = nullptr;

std::ostream* env_trace() {
  static std::ostream* out = [] {
    const char* v = std::getenv("MINIGRAD_TRACE_GRAD");
    return (v && *v && std::string(v) != "0") ? &std::clog : nullptr;
  }();
  return out;
}

std::ostream* active_trace() { return trace_out ? trace_out : env_trace(); }

// "nan", "inf" or "-inf" for the first non-finite element, or "" if all are finite.
std::string first_nonfinite(const Tensor& t) {
  if (!t.defined() || !is_floating(t.dtype())) return "";
  auto scan = [&](const auto* p) -> std::string {
    for (int64_t i = 0, n = t.numel(); i < n; ++i) {
      if (std::isnan(p[i])) return "nan";
      if (std::isinf(p[i])) return p[i] > 0 ? "inf" : "-inf";
    }
    return "";
  };
  return t.dtype() == DType::Float32 ? scan(t.data_ptr<float>()) : scan(t.data_ptr<double>());
}

double l2_norm(const Tensor& t) {
  if (!t.defined() || !is_floating(t.dtype())) return 0;
  double s = 0;
  auto acc = [&](const auto* p) { for (int64_t i = 0, n = t.numel(); i < n; ++i) s += double(p[i]) * double(p[i]); };
  if (t.dtype() == DType::Float32) acc(t.data_ptr<float>()); else acc(t.data_ptr<double>());
  return std::sqrt(s);
}

// "SqrtBackward0" -> "sqrt": the forward op a node was recorded by.
std::string forward_name(const std::string& node) {
  std::string base = node.substr(0, node.find("Backward"));
  std::string out;
  for (std::size_t i = 0; i < base.size(); ++i) {
    char c = base[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

DetectAnomalyGuard::DetectAnomalyGuard() { ++anomaly_depth; }
DetectAnomalyGuard::~DetectAnomalyGuard() { --anomaly_depth; }
bool DetectAnomalyGuard::is_enabled() { return anomaly_depth > 0; }

GradTraceGuard::GradTraceGuard(std::ostream& out) : prev_(trace_out) { trace_out = &out; }
GradTraceGuard::GradTraceGuard() : GradTraceGuard(std::clog) {}
GradTraceGuard::~GradTraceGuard() { trace_out = prev_; }

namespace debug {

void on_forward(const Tensor& output) {
  if (anomaly_depth == 0) return;
  std::string bad = first_nonfinite(output);
  if (bad.empty()) return;
  std::string node = output.grad_fn_name();
  throw std::runtime_error("anomaly: " + forward_name(node) + " produced " + bad +
                           " in its output of shape " + shape_str(output.sizes()) +
                           " (its backward would be " + node + ")");
}

void before_backward(const Node& node, const Tensor& grad_output) {
  std::ostream* out = active_trace();
  if (!out) return;
  *out << "backward " << node.name() << ": grad_output " << shape_str(grad_output.sizes())
       << " norm " << std::setprecision(6) << l2_norm(grad_output) << "\n";
}

void after_backward(const Node& node, const std::vector<Tensor>& input_grads) {
  if (std::ostream* out = active_trace()) {
    for (std::size_t i = 0; i < input_grads.size(); ++i) {
      if (!input_grads[i].defined()) continue;
      *out << "  -> input " << i << " " << shape_str(input_grads[i].sizes()) << " norm "
           << std::setprecision(6) << l2_norm(input_grads[i]);
      if (i < node.next_edges.size() && node.next_edges[i])
        *out << " into " << node.next_edges[i]->name();
      *out << "\n";
    }
  }
  if (anomaly_depth == 0) return;
  for (std::size_t i = 0; i < input_grads.size(); ++i) {
    std::string bad = first_nonfinite(input_grads[i]);
    if (bad.empty()) continue;
    throw std::runtime_error(node.name() + " produced " + bad + " in its gradient for input " +
                             std::to_string(i) + "; the forward op that created it was " +
                             forward_name(node.name()));
  }
}

}  // namespace debug
}  // namespace minigrad

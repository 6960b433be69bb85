// Printing: `std::cout << t` and to_string(t) give exactly what str(t) gives for
// the same tensor in PyTorch 1.13, so a session in Python and a run of minigrad
// can be diffed character for character. Each function mirrors one in
// torch/_tensor_str.py and is named after it.
// Not here: print options (torch's defaults are fixed below), or the complex,
// sparse, quantized and named tensors that minigrad does not have.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minigrad {
namespace {

// torch.set_printoptions(profile="default").
constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;  // more elements than this: summarize with "..."
constexpr int64_t kEdgeItems = 3;     // items kept at each end of a summarized dim
constexpr int64_t kLineWidth = 80;

// Python's '{:W.Pf}' / '{:W.Pe}'. printf rounds the exact binary value to
// nearest, ties to even, as Python's repr machinery does, and writes at least two
// exponent digits ("1.0000e-05"), as Python does. They differ only on NaN, which
// printf may spell "-nan" (sign bit set) and Python always spells "nan".
std::string py_format(double v, char conv, int width, int precision) {
  if (std::isnan(v)) {
    return std::string(static_cast<size_t>(std::max(0, width - 3)), ' ') + "nan";
  }
  char small[64];
  int n = conv == 'e' ? std::snprintf(small, sizeof small, "%*.*e", width, precision, v)
                      : std::snprintf(small, sizeof small, "%*.*f", width, precision, v);
  if (n < static_cast<int>(sizeof small)) return std::string(small, static_cast<size_t>(n));
  // '%.4f' of 1e300 has 300 digits; only then do we pay for a second pass.
  std::string big(static_cast<size_t>(n) + 1, '\0');
  if (conv == 'e') std::snprintf(big.data(), big.size(), "%*.*e", width, precision, v);
  else std::snprintf(big.data(), big.size(), "%*.*f", width, precision, v);
  big.resize(static_cast<size_t>(n));
  return big;
}

// Reads element `i` (a flat, row-major index) of any dtype.
struct Elements {
  DType dtype;
  const void* data;
  double as_double(int64_t i) const {
    if (dtype == DType::Float32) return static_cast<const float*>(data)[i];
    if (dtype == DType::Float64) return static_cast<const double*>(data)[i];
    return static_cast<double>(static_cast<const int64_t*>(data)[i]);
  }
  // Int64 and Bool elements as Python's str() spells them: "-42", "True", "False".
  std::string as_text(int64_t i) const {
    if (dtype == DType::Bool) return static_cast<const bool*>(data)[i] ? "True" : "False";
    return std::to_string(static_cast<const int64_t*>(data)[i]);
  }
};

// The positions of dim of size n that get printed: all of them, or when
// summarizing a long dim the first and last kEdgeItems with -1 marking the "...".
std::vector<int64_t> shown_positions(int64_t n, bool summarize) {
  std::vector<int64_t> pos;
  if (summarize && n > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) pos.push_back(i);
    pos.push_back(-1);
    for (int64_t i = n - kEdgeItems; i < n; ++i) pos.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) pos.push_back(i);
  }
  return pos;
}

// Flat indices of the elements that will be printed: torch's get_summarized_data.
void collect_shown(const Shape& sizes, size_t d, int64_t offset, bool summarize,
                   std::vector<int64_t>& out) {
  if (d == sizes.size()) {
    out.push_back(offset);
    return;
  }
  int64_t stride = 1;
  for (size_t k = d + 1; k < sizes.size(); ++k) stride *= sizes[k];
  for (int64_t i : shown_positions(sizes[d], summarize))
    if (i >= 0) collect_shown(sizes, d + 1, offset + i * stride, summarize, out);
}

// torch's _Formatter: one look at every printed value decides a single style and
// a single column width for the whole tensor, so columns line up across rows.
class Formatter {
 public:
  Formatter(const Elements& el, const std::vector<int64_t>& shown)
      : floating_(is_floating(el.dtype)) {
    if (!floating_) {
      for (int64_t i : shown)
        max_width_ = std::max(max_width_, static_cast<int>(el.as_text(i).size()));
      return;
    }
    // Only nonzero finite values decide the style: 0, nan and inf fit any of them.
    std::vector<double> vals;
    for (int64_t i : shown) {
      double v = el.as_double(i);
      if (std::isfinite(v) && v != 0.0) vals.push_back(v);
    }
    if (vals.empty()) return;  // int mode, width 1: "0.", "nan"
    double lo = std::fabs(vals[0]), hi = lo;
    for (double v : vals) {
      lo = std::min(lo, std::fabs(v));
      hi = std::max(hi, std::fabs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    // A wide dynamic range or huge/tiny magnitudes would print as long runs of
    // zeros in fixed point, so scientific notation takes over. Integer-valued
    // floats never count as tiny (they are >= 1).
    sci_mode_ = hi / lo > 1000.0 || hi > 1.0e8 || (!int_mode_ && lo < 1.0e-4);
    for (double v : vals) {
      int w = sci_mode_   ? static_cast<int>(py_format(v, 'e', 0, kPrecision).size())
              : int_mode_ ? static_cast<int>(py_format(v, 'f', 0, 0).size()) + 1  // the "."
                          : static_cast<int>(py_format(v, 'f', 0, kPrecision).size());
      max_width_ = std::max(max_width_, w);
    }
  }

  int width() const { return max_width_; }

  // Right-aligned in the column. Nonfinite values may be wider than the column:
  // torch does not count them, and neither do we.
  std::string format(const Elements& el, int64_t i) const {
    std::string s;
    if (!floating_) {
      s = el.as_text(i);
    } else {
      double v = el.as_double(i);
      if (sci_mode_) {
        s = py_format(v, 'e', max_width_, kPrecision);
      } else if (int_mode_) {
        s = py_format(v, 'f', 0, 0);
        if (std::isfinite(v)) s += ".";  // "1." says "float" where "1" would say "int"
      } else {
        s = py_format(v, 'f', 0, kPrecision);
      }
    }
    int pad = max_width_ - static_cast<int>(s.size());
    return pad > 0 ? std::string(static_cast<size_t>(pad), ' ') + s : s;
  }

 private:
  bool floating_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int max_width_ = 1;
};

struct Printer {
  Elements el;
  Shape sizes;
  bool summarize;
  Formatter formatter;

  int64_t stride(size_t d) const {
    int64_t s = 1;
    for (size_t k = d + 1; k < sizes.size(); ++k) s *= sizes[k];
    return s;
  }

  // torch's _vector_str: the last dim, as many elements per line as fit in
  // kLineWidth after `indent`, continuation lines aligned under the first element.
  std::string vector_str(int64_t offset, int64_t indent) const {
    int64_t element_length = formatter.width() + 2;  // the value, then ", "
    int64_t per_line = std::max<int64_t>(1, (kLineWidth - indent) / element_length);
    std::vector<std::string> data;
    for (int64_t i : shown_positions(sizes.back(), summarize))
      data.push_back(i < 0 ? " ..." : formatter.format(el, offset + i));
    std::string out = "[";
    for (size_t k = 0; k < data.size(); ++k) {
      if (k > 0) {
        out += k % static_cast<size_t>(per_line) == 0
                   ? ",\n" + std::string(static_cast<size_t>(indent + 1), ' ')
                   : ", ";
      }
      out += data[k];
    }
    return out + "]";
  }

  // torch's _tensor_str_with_formatter: sub-tensors separated by dim-2 blank lines
  // (none between rows of a matrix, one between matrices, two between 3-D blocks...).
  std::string tensor_str(size_t d, int64_t offset, int64_t indent) const {
    if (sizes.empty()) return formatter.format(el, offset);
    if (d + 1 == sizes.size()) return vector_str(offset, indent);
    size_t rank_left = sizes.size() - d;
    std::string sep = ",";  // appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "," + string
    sep.append(rank_left - 1, '\n').append(static_cast<size_t>(indent + 1), ' ');
    std::string out = "[";
    bool first = true;
    for (int64_t i : shown_positions(sizes[d], summarize)) {
      if (!first) out += sep;
      first = false;
      out += i < 0 ? "..." : tensor_str(d + 1, offset + i * stride(d), indent + 1);
    }
    return out + "]";
  }
};

// torch's _add_suffixes. The "+ 1" below and the "+ 2" in the test are torch's
// own arithmetic (it counts the last line two characters long); kept so that
// suffixes wrap at exactly the same place.
std::string add_suffixes(std::string str, const std::vector<std::string>& suffixes,
                         int64_t indent) {
  auto nl = str.rfind('\n');
  int64_t last_line_len = static_cast<int64_t>(str.size()) -
                          (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  for (const std::string& suffix : suffixes) {
    auto len = static_cast<int64_t>(suffix.size());
    if (last_line_len + len + 2 > kLineWidth) {
      str += ",\n" + std::string(static_cast<size_t>(indent), ' ') + suffix;
      last_line_len = indent + len;
    } else {
      str += ", " + suffix;
      last_line_len += len + 2;
    }
  }
  return str + ")";
}

}  // namespace

// torch's _str_intern for a dense CPU tensor.
std::string to_string(const Tensor& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";  // libtorch's spelling
  const std::string prefix = "tensor(";
  const auto indent = static_cast<int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  std::string body;
  if (t.numel() == 0) {
    // Nothing to infer the dtype from, so any non-default dtype (even int64) is named.
    if (t.dim() != 1) suffixes.push_back("size=" + tuple_str(t.sizes()));
    if (t.dtype() != DType::Float32) suffixes.push_back("dtype=" + dtype_name(t.dtype()));
    body = "[]";
  } else {
    // float32 is the default dtype, int64 shows itself by having no "." and bool by its words
    if (t.dtype() == DType::Float64) suffixes.push_back("dtype=" + dtype_name(t.dtype()));
    Elements el{t.dtype(), t.raw_data()};
    bool summarize = t.numel() > kThreshold;
    std::vector<int64_t> shown;
    collect_shown(t.sizes(), 0, 0, summarize, shown);
    Printer printer{el, t.sizes(), summarize, Formatter(el, shown)};
    body = printer.tensor_str(0, 0, indent);
  }
  std::string grad_fn = t.grad_fn_name();
  if (!grad_fn.empty()) suffixes.push_back("grad_fn=<" + grad_fn + ">");
  else if (t.requires_grad()) suffixes.push_back("requires_grad=True");
  return add_suffixes(prefix + body, suffixes, indent);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace minigrad

// Checkpoints in the safetensors format (Hugging Face's), so weights travel between minigrad
// and PyTorch: 8 bytes of little-endian header length N, N bytes of JSON naming each tensor's
// dtype, shape and byte range, then the raw little-endian data. Writes are atomic; reads check
// everything and throw, never crash. Not here: which tensors a model or an optimizer saves.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace minigrad {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Writes `named_tensors` (F32, F64, I64 or BOOL) and the optional string metadata (the
// header's "__metadata__") to `path`. The header lists "__metadata__" first, then the
// tensors in the order given, as compact JSON padded with spaces to a multiple of 8; the
// data follows in the same order. Atomic: written to a temporary file in the same
// directory, flushed to disk (fsync), then renamed over `path`, so a crash mid-save leaves
// the previous file whole. std::invalid_argument for an undefined tensor, an empty or
// repeated name, or the reserved name "__metadata__"; std::runtime_error (naming the path
// and the system's reason) when the file cannot be written.
void save_safetensors(const std::string& path, const NamedTensors& named_tensors,
                      const std::map<std::string, std::string>& metadata = {});

// A whole file: its tensors in the order of their data (for files minigrad writes, the order
// they were saved in) and its metadata (empty when the header has none).
struct SafetensorsFile {
  NamedTensors tensors;
  std::map<std::string, std::string> metadata;
};

// Reads a file written by save_safetensors, by Python's safetensors or by
// tools/safetensors_io.py. Dtypes F32, F64, I64 and BOOL load; others are an error. Any
// problem (a missing or truncated file, a header length past the end or over 100,000,000,
// invalid JSON, a repeated name, an unknown dtype, a shape that disagrees with data_offsets,
// tensors that overlap or leave gaps, a size that disagrees with the header, a BOOL byte
// other than 0 or 1) throws std::runtime_error naming the file, the tensor and the problem.
SafetensorsFile load_safetensors_file(const std::string& path);
// The tensors alone: load_safetensors_file(path).tensors.
NamedTensors load_safetensors(const std::string& path);

}  // namespace minigrad

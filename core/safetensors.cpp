// save_safetensors / load_safetensors: the format's layout, its checks, and the atomic write.
// The header is parsed with nlohmann::json (Debian's nlohmann-json3-dev). Data is copied as
// raw bytes: the format and every machine minigrad runs on are little-endian.
// Not here: what a checkpoint holds (model weights, optimizer state): that is the caller's.
#include "core/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace minigrad {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian; so must the host be");

namespace {

constexpr uint64_t kMaxHeader = 100'000'000;  // the reference reader's limit

const char* format_name(DType d) {
  switch (d) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
    case DType::Bool: return "BOOL";
  }
  return "?";
}

// The format's dtypes that minigrad has no tensor for: named as known, but refused.
bool is_other_format_dtype(const std::string& s) {
  static const std::set<std::string> others = {"U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "U64",
                                               "F8_E4M3", "F8_E5M2", "C64"};
  return others.count(s) != 0;
}

// ---------------------------------------------------------------- writing

// A temporary file next to `path`, removed again unless commit() renamed it into place.
class AtomicFile {
 public:
  // A fresh name (pid and a counter; O_EXCL never reuses one a crash left behind) opened with
  // mode 0666, so the kernel applies the umask as for any file, torch.save's included
  // (mkstemp would make it 0600, and reading the umask means setting it, racing other threads).
  explicit AtomicFile(const std::string& path) : path_(path) {
    static std::atomic<unsigned> counter{0};
    do {
      tmp_ = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
      fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    } while (fd_ < 0 && errno == EEXIST);
    if (fd_ < 0) fail("cannot create the temporary file " + tmp_);
  }
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  void write(const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) fail("cannot write " + tmp_);
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  // fsync the data, rename over `path`, then fsync the directory so the rename lasts too.
  void commit() {
    if (::fsync(fd_) != 0) fail("cannot flush " + tmp_ + " to disk");
    if (::close(fd_) != 0) {
      fd_ = -1;
      fail("cannot close " + tmp_);
    }
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot rename " + tmp_ + " to " + path_);
    committed_ = true;
    std::string dir = path_.find('/') == std::string::npos ? "." : path_.substr(0, path_.rfind('/') + 1);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
      ::fsync(dfd);  // best effort: some file systems refuse to sync a directory
      ::close(dfd);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("save_safetensors: " + path_ + ": " + what + ": " + std::strerror(errno));
  }
  std::string path_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& named_tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : named_tensors) {
    const std::string where = "save_safetensors: " + path + ": tensor '" + name + "'";
    if (name.empty()) throw std::invalid_argument("save_safetensors: " + path + ": a tensor has an empty name");
    if (name == "__metadata__") throw std::invalid_argument(where + ": the name is reserved for the metadata");
    if (header.contains(name)) throw std::invalid_argument(where + ": the name appears twice");
    if (!t.defined()) throw std::invalid_argument(where + ": the tensor is undefined");
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * element_size(t.dtype());
    header[name] = {{"dtype", format_name(t.dtype())}, {"shape", t.sizes()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();  // compact, as the reference writer's
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t n = text.size();

  AtomicFile file(path);
  file.write(&n, 8);
  file.write(text.data(), text.size());
  for (const auto& [name, t] : named_tensors) file.write(t.raw_data(), static_cast<std::size_t>(t.numel()) * element_size(t.dtype()));
  file.commit();
}

// ---------------------------------------------------------------- reading

namespace {

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) fail("cannot open the file: " + std::string(std::strerror(errno)));
    in_.seekg(0, std::ios::end);
    const std::streamoff size = in_.tellg();
    if (!in_ || size < 0) fail("cannot find the file's size (is it a regular file?)");
    size_ = static_cast<uint64_t>(size);
  }

  SafetensorsFile read() {
    if (size_ < 8) fail("truncated: " + std::to_string(size_) + " bytes, too few for the 8-byte header length");
    uint64_t n = 0;
    read_bytes(0, &n, 8);
    if (n > kMaxHeader) fail("the header length " + std::to_string(n) + " is over the format's limit of 100000000 (corrupt file?)");
    if (n > size_ - 8)
      fail("the header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(size_) +
           " bytes): truncated or corrupt");
    std::string text(n, '\0');
    read_bytes(8, text.data(), n);

    SafetensorsFile out;
    std::vector<Entry> entries = parse_header(text, out.metadata);
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    uint64_t expect = 0;
    std::string previous;
    for (const Entry& e : entries) {
      if (e.begin != expect) {
        const std::string what = previous.empty() ? "the data does not start at offset 0"
                                                  : "tensor '" + previous + "' ends at byte " + std::to_string(expect);
        fail("tensor '" + e.name + "' starts at byte " + std::to_string(e.begin) + " but " + what +
             (e.begin > expect ? " (a gap)" : " (they overlap)"));
      }
      expect = e.end;
      previous = e.name;
    }
    const uint64_t data_size = size_ - 8 - n;
    if (expect != data_size) {
      // Truncated: name the first tensor cut off.
      auto cut = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.end > data_size; });
      fail("the header describes " + std::to_string(expect) + " bytes of data but the file holds " +
           std::to_string(data_size) +
           (cut != entries.end() ? " (truncated: tensor '" + cut->name + "' is cut off)" : " (trailing bytes)"));
    }
    for (const Entry& e : entries) out.tensors.emplace_back(e.name, read_tensor(e, 8 + n));
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("load_safetensors: " + path_ + ": " + what);
  }
  [[noreturn]] void fail(const std::string& tensor, const std::string& what) const {
    fail("tensor '" + tensor + "': " + what);
  }

  void read_bytes(uint64_t at, void* to, uint64_t n) {
    in_.seekg(static_cast<std::streamoff>(at));
    in_.read(static_cast<char*>(to), static_cast<std::streamsize>(n));
    if (!in_) fail("cannot read " + std::to_string(n) + " bytes at offset " + std::to_string(at));
  }

  // The header as entries, with every field checked; the metadata goes to `metadata`.
  std::vector<Entry> parse_header(const std::string& text, std::map<std::string, std::string>& metadata) const {
    using json = nlohmann::json;
    // nlohmann keeps the last of two equal keys; the format forbids them, so look as it parses.
    std::vector<std::set<std::string>> keys;
    std::string duplicate;
    auto callback = [&](int, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::object_start) keys.emplace_back();
      if (event == json::parse_event_t::object_end) keys.pop_back();
      if (event == json::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second && duplicate.empty())
        duplicate = parsed.get<std::string>();
      return true;
    };
    json header;
    try {
      header = json::parse(text, callback);
    } catch (const json::exception& e) {
      fail("the header is not valid JSON: " + std::string(e.what()));
    }
    if (!duplicate.empty()) fail("the header names '" + duplicate + "' twice");
    if (!header.is_object()) fail("the header is JSON but not an object of tensors");

    std::vector<Entry> entries;
    for (auto& [name, info] : header.items()) {
      if (name == "__metadata__") {
        if (!info.is_object()) fail("__metadata__ is not an object of strings");
        for (auto& [key, value] : info.items()) {
          if (!value.is_string()) fail("__metadata__ entry '" + key + "' is not a string");
          metadata[key] = value.get<std::string>();
        }
        continue;
      }
      entries.push_back(parse_entry(name, info));
    }
    return entries;
  }

  Entry parse_entry(const std::string& name, const nlohmann::json& info) const {
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
      fail(name, "the entry needs \"dtype\", \"shape\" and \"data_offsets\"");
    const auto& dtype = info["dtype"];
    if (!dtype.is_string()) fail(name, "\"dtype\" is not a string");
    const std::string d = dtype.get<std::string>();
    Entry e{name, DType::Float32, {}, 0, 0};
    if (d == "F32") e.dtype = DType::Float32;
    else if (d == "F64") e.dtype = DType::Float64;
    else if (d == "I64") e.dtype = DType::Int64;
    else if (d == "BOOL") e.dtype = DType::Bool;
    else if (is_other_format_dtype(d)) fail(name, "dtype " + d + " has no minigrad tensor type (F32, F64, I64 and BOOL load)");
    else fail(name, "unknown dtype '" + d + "'");

    const auto& shape = info["shape"];
    if (!shape.is_array()) fail(name, "\"shape\" is not an array");
    uint64_t numel = 1;
    for (const auto& dim : shape) {
      if (!dim.is_number_unsigned()) fail(name, "\"shape\" holds " + dim.dump() + ", not a size >= 0");
      const uint64_t v = dim.get<uint64_t>();
      if (v > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, v, &numel))
        fail(name, "the shape " + shape.dump() + " is too large");
      e.shape.push_back(static_cast<int64_t>(v));
    }
    const auto& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      fail(name, "\"data_offsets\" is " + offsets.dump() + ", not [begin, end]");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.end < e.begin) fail(name, "data_offsets " + offsets.dump() + " end before they begin");
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(element_size(e.dtype)), &bytes) || bytes != e.end - e.begin) {
      fail(name, "the shape " + shape.dump() + " of " + d + " needs " + std::to_string(numel) + " x " +
                     std::to_string(element_size(e.dtype)) + " bytes but data_offsets " + offsets.dump() + " span " +
                     std::to_string(e.end - e.begin));
    }
    return e;
  }

  Tensor read_tensor(const Entry& e, uint64_t data_start) {
    Tensor t = empty(e.shape, e.dtype);
    if (e.end == e.begin) return t;
    if (e.dtype == DType::Bool) {
      // Read as bytes and check before any byte is seen as a bool (2 would be undefined behaviour).
      std::vector<unsigned char> bytes(e.end - e.begin);
      read_bytes(data_start + e.begin, bytes.data(), bytes.size());
      auto bad = std::find_if(bytes.begin(), bytes.end(), [](unsigned char b) { return b > 1; });
      if (bad != bytes.end())
        fail(e.name, "BOOL element " + std::to_string(bad - bytes.begin()) + " is byte " + std::to_string(*bad) + ", not 0 or 1");
      bool* out = t.data_ptr<bool>();
      for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i] == 1;
      return t;
    }
    read_bytes(data_start + e.begin, t.raw_data(), e.end - e.begin);
    return t;
  }

  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
};

}  // namespace

SafetensorsFile load_safetensors_file(const std::string& path) { return Reader(path).read(); }

NamedTensors load_safetensors(const std::string& path) { return load_safetensors_file(path).tensors; }

}  // namespace minigrad

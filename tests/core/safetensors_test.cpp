// Checks core/safetensors.cpp: a round trip of every dtype (scalars and empty tensors too)
// with metadata and order kept; the format's known bytes; a file PyTorch's tensors were written
// to by tools/safetensors_io.py loads with equal values, and minigrad writes the same bytes
// back; atomic replacement; and every kind of damage (truncation, bad header length, bad JSON,
// overlapping / gapped / out-of-range offsets, size mismatches, unknown dtypes, shape and offsets
// disagreeing, repeated names, bad BOOL bytes) gives an error naming the file, tensor and problem.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/fixture.h"
#include "tests/testing.h"
#include "tests/paths.h"

namespace minigrad {
namespace {

using testing::bitwise_equal;
using testing::throws_with;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// 8 bytes of little-endian n, then the header text, then the data.
std::string file_bytes(const std::string& header, const std::string& data, uint64_t n) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}
std::string file_bytes(const std::string& header, const std::string& data = "") {
  return file_bytes(header, data, header.size());
}

// Each test gets a fresh directory, removed afterwards.
class SafetensorsTest : public minigrad::testing::TempDirTest {
 protected:
  // Writes `bytes` to a file and checks loading it throws std::runtime_error with the file's
  // path and every fragment in its message.
  ::testing::AssertionResult rejects(const std::string& bytes, std::vector<std::string> fragments) {
    const std::string p = path("bad.safetensors");
    write_all(p, bytes);
    fragments.push_back(p);
    return throws_with<std::runtime_error>([&] { load_safetensors(p); }, fragments);
  }

};

NamedTensors sample() {
  return {{"wte.weight", tensor({1.5f, -2.f, 3.25f, 0.f, 1e-30f, -7.f}, {2, 3})},
          {"scale", scalar_tensor(0.1, DType::Float64)},
          {"ids", tensor(std::vector<int64_t>{-1, 0, int64_t{1} << 62}, {3})},
          {"mask", tensor({true, false, true, true}, {2, 2})},
          {"empty", zeros({0, 4})}};
}

TEST_F(SafetensorsTest, RoundTripKeepsDtypesShapesOrderAndMetadata) {
  const std::string p = path("model.safetensors");
  save_safetensors(p, sample(), {{"step", "120"}, {"format", "pt"}});
  SafetensorsFile f = load_safetensors_file(p);
  NamedTensors want = sample();
  ASSERT_EQ(f.tensors.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(f.tensors[i].first, want[i].first);
    EXPECT_TRUE(bitwise_equal(f.tensors[i].second, want[i].second)) << want[i].first;
  }
  EXPECT_EQ(f.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"step", "120"}}));
  EXPECT_EQ(load_safetensors(p).size(), want.size());
}

// The format's worked example: one F32 tensor "attn.0" of shape [1, 2, 3] has a 64-byte header.
TEST_F(SafetensorsTest, KnownBytes) {
  const std::string p = path("attn.safetensors");
  save_safetensors(p, {{"attn.0", zeros({1, 2, 3})}});
  const std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  EXPECT_EQ(read_all(p), file_bytes(header + std::string(64 - header.size(), ' '), std::string(24, '\0'), 64));
  save_safetensors(p, {});
  EXPECT_EQ(read_all(p), file_bytes("{}      "));  // no tensors: N = 8
  EXPECT_TRUE(load_safetensors_file(p).tensors.empty());
}

// PyTorch's tensors written by the standard-library writer load with equal values, and
// minigrad writes them back byte for byte (so tools/safetensors_io.py reads minigrad's files).
TEST_F(SafetensorsTest, InterchangeWithPython) {
  const std::string fixture = std::string(MINIGRAD_FIXTURE_DIR) + "/torch_written.safetensors";
  SafetensorsFile f = load_safetensors_file(fixture);
  const auto& values = testing::Fixture::get("safetensors.txt");
  const std::vector<std::string> names = {"wte.weight", "blocks.0.ln.bias", "counts", "mask", "scale", "empty", "dropout_rng"};
  ASSERT_EQ(f.tensors.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(f.tensors[i].first, names[i]);
    EXPECT_TRUE(bitwise_equal(f.tensors[i].second, values[names[i]])) << names[i];
  }
  EXPECT_EQ(f.metadata.at("step"), "42");
  save_safetensors(path("again.safetensors"), f.tensors, f.metadata);
  EXPECT_EQ(read_all(path("again.safetensors")), read_all(fixture));
}

TEST_F(SafetensorsTest, SaveReplacesAtomically) {
  const std::string p = path("ckpt.safetensors");
  save_safetensors(p, sample());
  save_safetensors(p, {{"x", ones({2})}});
  EXPECT_EQ(load_safetensors(p).size(), 1u);
  // A save that fails leaves the previous file whole, and no temporary file behind.
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { save_safetensors(p, {{"a", ones({1})}, {"a", ones({1})}}); },
                                                 {p, "tensor 'a'", "twice"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { save_safetensors(p, {{"b", Tensor()}}); }, {"'b'", "undefined"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { save_safetensors(p, {{"__metadata__", ones({1})}}); }, {"reserved"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { save_safetensors(p, {{"", ones({1})}}); }, {"empty name"}));
  EXPECT_TRUE(bitwise_equal(load_safetensors(p).at(0).second, ones({2})));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
  // The file gets the mode a plain open would give it (0666 minus the umask), not mkstemp's 0600.
  const mode_t mask = ::umask(022);
  save_safetensors(p, sample());
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  const std::string nowhere = path("no/such/dir/x.safetensors");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { save_safetensors(nowhere, {}); }, {nowhere, "temporary file"}));
}

TEST_F(SafetensorsTest, MissingOrTruncatedFile) {
  const std::string missing = path("missing.safetensors");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { load_safetensors(missing); }, {missing, "cannot open"}));
  EXPECT_TRUE(rejects(std::string("\x05\x00\x00", 3), {"truncated", "3 bytes"}));
  // A good file cut short is an error, never a crash.
  const std::string good = path("good.safetensors");
  save_safetensors(good, sample(), {{"k", "v"}});
  const std::string bytes = read_all(good);
  // Every length through the 8-byte header length, then every 3rd (cuts in the JSON, in
  // the data, at tensor boundaries).
  for (std::size_t n = 0; n < bytes.size(); n += n < 16 ? 1 : 3) {
    write_all(path("cut.safetensors"), bytes.substr(0, n));
    EXPECT_THROW(load_safetensors(path("cut.safetensors")), std::runtime_error) << "cut at " << n;
  }
}

TEST_F(SafetensorsTest, BadHeaderLength) {
  EXPECT_TRUE(rejects(file_bytes("{}", "", 200'000'000), {"header length 200000000", "limit"}));
  EXPECT_TRUE(rejects(file_bytes("{}      ", "", 1000), {"header length 1000", "past the end"}));
}

TEST_F(SafetensorsTest, BadJson) {
  EXPECT_TRUE(rejects(file_bytes("{not json}"), {"not valid JSON"}));
  EXPECT_TRUE(rejects(file_bytes("[1, 2]  "), {"not an object"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                 std::string(8, '\0')),
                      {"'a' twice"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"a":{"dtype":"F32","shape":[1]}})"), {"tensor 'a'", "data_offsets"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd"), {"tensor 'a'", "-1"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"__metadata__":{"step":3}})"), {"__metadata__", "'step'", "not a string"}));
}

TEST_F(SafetensorsTest, BadOffsets) {
  // An F32 tensor of shape [2] (8 bytes) named `name`, at `offsets`.
  auto entry = [](const std::string& name, const std::string& offsets) {
    return R"(")" + name + R"(":{"dtype":"F32","shape":[2],"data_offsets":)" + offsets + "}";
  };
  const std::string data16(16, '\0');
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[0,8]") + "," + entry("b", "[4,12]") + "}", data16.substr(0, 12)),
                      {"tensor 'b' starts at byte 4", "'a' ends at byte 8", "overlap"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[0,8]") + "," + entry("b", "[12,20]") + "}", data16 + "abcd"), {"tensor 'b'", "gap"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[4,12]") + "}", data16.substr(0, 12)), {"tensor 'a'", "does not start at offset 0"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[0,8]") + "}", "abcd"),
                      {"describes 8 bytes", "holds 4", "truncated", "tensor 'a' is cut off"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[0,8]") + "," + entry("b", "[8,16]") + "}", data16.substr(0, 12)),
                      {"holds 12", "truncated: tensor 'b' is cut off"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[0,8]") + "}", data16), {"describes 8 bytes", "holds 16", "trailing"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[8,0]") + "}", data16), {"tensor 'a'", "end before they begin"}));
  EXPECT_TRUE(rejects(file_bytes("{" + entry("a", "[0,12]") + "}", data16.substr(0, 12)), {"tensor 'a'", "[2]", "span 12"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", "abcd"),
                      {"tensor 'a'", "too large"}));
}

TEST_F(SafetensorsTest, BadDtypes) {
  EXPECT_TRUE(rejects(file_bytes(R"({"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}})", "abcd"),
                      {"tensor 'w'", "unknown dtype 'F17'"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "abcd"),
                      {"tensor 'w'", "F16", "F32, F64, I64 and BOOL"}));
  EXPECT_TRUE(rejects(file_bytes(R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})", std::string("\x01\x00\x02", 3)),
                      {"tensor 'm'", "element 2", "byte 2"}));
  // A dtype that disagrees with the data's size (I64 data labelled F32) is caught by the sizes.
  EXPECT_TRUE(rejects(file_bytes(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", std::string(16, '\0')),
                      {"tensor 'w'", "needs 2 x 4 bytes"}));
}

// Flipping a header byte (every other one) gives a file that loads or throws, never one that crashes.
TEST_F(SafetensorsTest, CorruptHeaderBytesNeverCrash) {
  const std::string good = path("good.safetensors");
  save_safetensors(good, sample(), {{"k", "v"}});
  const std::string bytes = read_all(good);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  for (std::size_t i = 0; i < 8 + n; i += 2) {
    const unsigned char flips[] = {0x01, 0x20, 0x80};  // the low bit, ASCII case, the high bit
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ flips[i % 3]);
    write_all(path("flip.safetensors"), bad);
    try {
      load_safetensors(path("flip.safetensors"));
    } catch (const std::runtime_error&) {
    }
  }
}

}  // namespace
}  // namespace minigrad

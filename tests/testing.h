// The assertions every test file shares: reading an element, comparing a result with
// PyTorch's (or a reference's) numbers, bit equality, and checking a thrown error's type
// and message. Each returns a ::testing::AssertionResult whose failure names what differs.
// Not a fixture reader (tests/fixture.h) and not a gradient checker (tests/gradcheck.h).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minigrad::testing {

// A fixture whose every test gets a fresh directory (dir_), removed afterwards; path(name)
// is a file in it. Derive from it: class SafetensorsTest : public TempDirTest {...}.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "minigrad_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

// Element i of a contiguous tensor as a double, whatever its dtype.
inline double element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data_ptr<float>()[i];
    case DType::Float64: return t.data_ptr<double>()[i];
    case DType::Int64: return static_cast<double>(t.data_ptr<int64_t>()[i]);
    case DType::Bool: return t.data_ptr<bool>()[i] ? 1.0 : 0.0;
  }
  return 0;
}

// A tolerance of the form |actual - expected| <= atol + rtol * |expected|, for call sites
// that state both parts: all_close(y, want, {.atol = 1e-7, .rtol = 1e-6}).
struct Tolerance {
  double atol = 0;
  double rtol = 0;
};

namespace detail {

// n elements compared one by one; `bound(e)` is how far from e an actual value may be.
// NaN matches only NaN and an infinity only itself, whatever the bound.
template <class Actual, class Expected, class Bound>
::testing::AssertionResult compare_elements(int64_t n, Actual actual_at, Expected expected_at,
                                            Bound bound) {
  for (int64_t i = 0; i < n; ++i) {
    double a = actual_at(i), e = expected_at(i);
    bool ok = std::isnan(e) ? std::isnan(a) : std::isinf(e) ? a == e : std::fabs(a - e) <= bound(e);
    if (!ok) {
      std::ostringstream ss;
      ss.precision(17);
      ss << "element " << i << ": got " << a << ", expected " << e << " (diff " << a - e << ")";
      return ::testing::AssertionFailure() << ss.str();
    }
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult same_layout(const Tensor& actual, const Tensor& expected) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "the result is undefined";
  if (!expected.defined()) return ::testing::AssertionFailure() << "the expected tensor is undefined";
  if (actual.sizes() != expected.sizes() || actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "got shape " << shape_str(actual.sizes()) << " " << dtype_name(actual.dtype())
           << ", expected " << shape_str(expected.sizes()) << " " << dtype_name(expected.dtype());
  }
  return ::testing::AssertionSuccess();
}

// The bytes of a contiguous tensor, whatever its dtype.
inline const unsigned char* bytes_of(const Tensor& t) {
  switch (t.dtype()) {
    case DType::Float32: return reinterpret_cast<const unsigned char*>(t.data_ptr<float>());
    case DType::Float64: return reinterpret_cast<const unsigned char*>(t.data_ptr<double>());
    case DType::Int64: return reinterpret_cast<const unsigned char*>(t.data_ptr<int64_t>());
    case DType::Bool: return reinterpret_cast<const unsigned char*>(t.data_ptr<bool>());
  }
  return nullptr;
}

}  // namespace detail

// Same bytes, element for element: the check for "bit for bit as torch" and for
// thread-count determinism. +0 and -0 differ; a NaN matches a NaN of the same bits.
inline ::testing::AssertionResult bitwise_equal(const Tensor& actual, const Tensor& expected) {
  if (auto layout = detail::same_layout(actual, expected); !layout) return layout;
  const std::size_t size = element_size(expected.dtype());
  const unsigned char* a = detail::bytes_of(actual);
  const unsigned char* e = detail::bytes_of(expected);
  for (int64_t i = 0; i < expected.numel(); ++i) {
    if (std::memcmp(a + i * size, e + i * size, size) != 0) {
      std::ostringstream ss;
      ss.precision(17);
      ss << "element " << i << ": got " << element(actual, i) << ", expected " << element(expected, i)
         << " (bits differ)";
      return ::testing::AssertionFailure() << ss.str();
    }
  }
  return ::testing::AssertionSuccess();
}

template <class T>
::testing::AssertionResult bitwise_equal(const std::vector<T>& actual, const std::vector<T>& expected) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << "got " << actual.size() << " elements, expected " << expected.size();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::memcmp(&actual[i], &expected[i], sizeof(T)) != 0) {
      std::ostringstream ss;
      ss.precision(17);
      ss << "element " << i << ": got " << actual[i] << ", expected " << expected[i] << " (bits differ)";
      return ::testing::AssertionFailure() << ss.str();
    }
  }
  return ::testing::AssertionSuccess();
}

// Same shape, same dtype, and every element close: float32 within 1e-6 relative
// (1e-6 absolute below magnitude 1), float64 within 1e-12 the same way, Int64 exact;
// or within `tol` (relative, absolute below 1) if given, 0 asking for bit equality.
// NaN matches NaN and an infinity only itself.
inline ::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double tol = -1) {
  if (tol == 0) return bitwise_equal(actual, expected);
  if (auto layout = detail::same_layout(actual, expected); !layout) return layout;
  if (tol < 0) tol = expected.dtype() == DType::Float32 ? 1e-6 : expected.dtype() == DType::Float64 ? 1e-12 : 0;  // Int64, Bool exact
  return detail::compare_elements(
      expected.numel(), [&](int64_t i) { return element(actual, i); },
      [&](int64_t i) { return element(expected, i); },
      [&](double e) { return tol * std::max(std::fabs(e), 1.0); });
}

// Same shape and dtype, every element within atol + rtol * |expected|.
inline ::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, Tolerance tol) {
  if (auto layout = detail::same_layout(actual, expected); !layout) return layout;
  return detail::compare_elements(
      expected.numel(), [&](int64_t i) { return element(actual, i); },
      [&](int64_t i) { return element(expected, i); },
      [&](double e) { return tol.atol + tol.rtol * std::fabs(e); });
}

// The same comparison for raw kernel buffers; `tol` is required here (no dtype to default from).
template <class T>
::testing::AssertionResult all_close(const std::vector<T>& actual, const std::vector<T>& expected, double tol) {
  if (tol == 0) return bitwise_equal(actual, expected);
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << "got " << actual.size() << " elements, expected " << expected.size();
  auto n = static_cast<int64_t>(expected.size());
  return detail::compare_elements(
      n, [&](int64_t i) { return static_cast<double>(actual[i]); },
      [&](int64_t i) { return static_cast<double>(expected[i]); },
      [&](double e) { return tol * std::max(std::fabs(e), 1.0); });
}

// Whether `needle` occurs in `haystack`; the failure prints the haystack.
inline ::testing::AssertionResult contains(const std::string& haystack, const std::string& needle) {
  if (haystack.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << haystack << "\" lacks \"" << needle << "\"";
}

// Runs `fn` and checks it throws E (or a subclass) with every one of `fragments` in its
// message. Fails if nothing is thrown, if another type is, or if a fragment is missing;
// the failure prints the message.
template <class E, class Fn>
::testing::AssertionResult throws_with(Fn&& fn, const std::vector<std::string>& fragments) {
  try {
    fn();
  } catch (const E& e) {
    std::string msg = e.what();
    for (const std::string& f : fragments) {
      if (msg.find(f) == std::string::npos)
        return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << f << "\"";
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another type, with message \"" << e.what() << "\"";
  }
  return ::testing::AssertionFailure() << "did not throw";
}

// The message of the E that `fn` throws, for tests that inspect it further; records
// a failure (and returns "") if nothing or another type is thrown.
template <class E, class Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type; message: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception thrown";
  return "";
}

}  // namespace minigrad::testing

// Shape: a tensor's sizes. It reads and writes like std::vector<int64_t> (and converts to
// and from one), but keeps up to kInline dims inside the object, as libtorch keeps sizes
// in a SmallVector<int64_t, 5>: making, copying and dropping the shape of a tensor of up
// to 6 dims allocates nothing. A step of tiny ops (bench/workloads W1) made some thirty
// shapes, each a malloc and a free when Shape was a std::vector.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace minigrad {

class Shape {
 public:
  using value_type = int64_t;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  using pointer = int64_t*;
  using const_pointer = const int64_t*;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;
  static constexpr size_type kInline = 6;

  Shape() noexcept {}
  Shape(std::initializer_list<int64_t> dims) { append(dims.begin(), dims.end()); }
  template <std::input_iterator It>
  Shape(It first, It last) { append(first, last); }
  explicit Shape(size_type n, int64_t value = 0) { resize(n, value); }
  Shape(const std::vector<int64_t>& dims) { append(dims.begin(), dims.end()); }  // NOLINT: implicit on purpose
  Shape(const Shape& other) { append(other.begin(), other.end()); }
  Shape(Shape&& other) noexcept { take(other); }
  Shape& operator=(const Shape& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  Shape& operator=(Shape&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  Shape& operator=(std::initializer_list<int64_t> dims) {
    assign(dims.begin(), dims.end());
    return *this;
  }
  ~Shape() { release(); }
  operator std::vector<int64_t>() const { return std::vector<int64_t>(begin(), end()); }  // NOLINT

  size_type size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  int64_t* data() noexcept { return data_; }
  const int64_t* data() const noexcept { return data_; }
  iterator begin() noexcept { return data_; }
  iterator end() noexcept { return data_ + size_; }
  const_iterator begin() const noexcept { return data_; }
  const_iterator end() const noexcept { return data_ + size_; }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }
  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
  int64_t& operator[](size_type i) { return data_[i]; }
  const int64_t& operator[](size_type i) const { return data_[i]; }
  int64_t& at(size_type i) { return data_[checked(i)]; }
  const int64_t& at(size_type i) const { return data_[checked(i)]; }
  int64_t& front() { return data_[0]; }
  const int64_t& front() const { return data_[0]; }
  int64_t& back() { return data_[size_ - 1]; }
  const int64_t& back() const { return data_[size_ - 1]; }

  void reserve(size_type n) {
    if (n <= capacity_) return;
    int64_t* bigger = new int64_t[n];
    std::copy(begin(), end(), bigger);
    size_type size = size_;
    release();
    data_ = bigger;
    size_ = size;
    capacity_ = n;
  }
  void push_back(int64_t d) {
    if (size_ == capacity_) reserve(2 * capacity_);
    data_[size_++] = d;
  }
  void pop_back() { --size_; }
  void clear() noexcept { size_ = 0; }
  void resize(size_type n, int64_t value = 0) {
    reserve(n);
    if (n > size_) std::fill(data_ + size_, data_ + n, value);
    size_ = n;
  }
  template <std::input_iterator It>
  void assign(It first, It last) {
    clear();
    append(first, last);
  }
  void assign(size_type n, int64_t value) {
    clear();
    resize(n, value);
  }
  iterator insert(const_iterator pos, int64_t d) { return insert(pos, &d, &d + 1); }
  iterator insert(const_iterator pos, std::initializer_list<int64_t> dims) { return insert(pos, dims.begin(), dims.end()); }
  iterator insert(const_iterator pos, size_type n, int64_t d) {
    Shape run(n, d);
    return insert(pos, run.begin(), run.end());
  }
  // The range may point into this shape: the result is built aside, then taken.
  template <std::input_iterator It>
  iterator insert(const_iterator pos, It first, It last) {
    size_type at = static_cast<size_type>(pos - begin());
    Shape out;
    out.append(cbegin(), pos);
    out.append(first, last);
    out.append(pos, cend());
    *this = std::move(out);
    return begin() + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    iterator out = begin() + (first - cbegin());
    std::copy(last, cend(), out);
    size_ -= static_cast<size_type>(last - first);
    return out;
  }

  friend bool operator==(const Shape& a, const Shape& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
  friend std::strong_ordering operator<=>(const Shape& a, const Shape& b) {
    return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  template <class It>
  void append(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }
  size_type checked(size_type i) const {
    if (i >= size_) throw std::out_of_range("Shape::at: index " + std::to_string(i) + " >= size " + std::to_string(size_));
    return i;
  }
  // Takes other's dims (its heap block, or a copy of its inline ones) and leaves it empty.
  void take(Shape& other) noexcept {
    if (other.data_ != other.inline_) {
      data_ = other.data_;
      capacity_ = other.capacity_;
    } else {
      std::copy(other.begin(), other.end(), inline_);
    }
    size_ = other.size_;
    other.data_ = other.inline_;
    other.size_ = 0;
    other.capacity_ = kInline;
  }
  void release() noexcept {
    if (data_ != inline_) delete[] data_;
    data_ = inline_;
    size_ = 0;
    capacity_ = kInline;
  }

  int64_t* data_ = inline_;
  size_type size_ = 0;
  size_type capacity_ = kInline;
  int64_t inline_[kInline];
};

}  // namespace minigrad

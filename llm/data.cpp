// GPTDataset's windows and DataLoader's passes. The shuffle draws follow torch 1.13's
// _BaseDataLoaderIter (its _base_seed) and RandomSampler.__iter__ (a seed for a fresh
// generator, then randperm on it). Not here: the random streams (core/random.h).
#include "llm/data.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/random.h"

namespace minigrad::llm {

GPTDataset::GPTDataset(const std::vector<int64_t>& token_ids, int64_t max_length, int64_t stride)
    : ids_(token_ids), max_length_(max_length) {
  if (max_length <= 0)
    throw std::invalid_argument("GPTDataset: max_length must be positive, got " + std::to_string(max_length));
  if (stride <= 0) throw std::invalid_argument("GPTDataset: stride must be positive, got " + std::to_string(stride));
  const auto n = static_cast<int64_t>(ids_.size());
  if (n <= max_length) {
    throw std::invalid_argument("GPTDataset: " + std::to_string(n) + " token ids are too few for one window of " +
                                std::to_string(max_length) + " inputs and its shifted targets (at least " +
                                std::to_string(max_length + 1) + " are needed); use more text or a smaller max_length");
  }
  for (int64_t start = 0; start < n - max_length; start += stride) starts_.push_back(start);
}

void GPTDataset::copy_window(int64_t i, int64_t* input, int64_t* target) const {
  if (i < 0 || i >= size())
    throw std::out_of_range("GPTDataset: window " + std::to_string(i) + " out of range [0, " + std::to_string(size()) + ")");
  const int64_t* from = ids_.data() + starts_[static_cast<size_t>(i)];
  std::copy(from, from + max_length_, input);
  std::copy(from + 1, from + max_length_ + 1, target);
}

std::pair<Tensor, Tensor> GPTDataset::get(int64_t i) const {
  Tensor input = empty({max_length_}, DType::Int64), target = empty({max_length_}, DType::Int64);
  copy_window(i, input.data_ptr<int64_t>(), target.data_ptr<int64_t>());
  return {input, target};
}

DataLoader::DataLoader(GPTDataset dataset, int64_t batch_size, bool shuffle, bool drop_last)
    : dataset_(std::move(dataset)), batch_size_(batch_size), shuffle_(shuffle), drop_last_(drop_last) {
  if (batch_size <= 0) throw std::invalid_argument("DataLoader: batch_size must be positive, got " + std::to_string(batch_size));
  if (drop_last && dataset_.size() < batch_size) {  // torch's loader would yield nothing, silently
    throw std::invalid_argument("DataLoader: the dataset's " + std::to_string(dataset_.size()) +
                                " windows are fewer than batch_size " + std::to_string(batch_size) +
                                " and drop_last drops the partial batch, so a pass would yield no batch; use more "
                                "text, a smaller batch_size or stride, or drop_last = false");
  }
}

int64_t DataLoader::size() const {
  const int64_t n = dataset_.size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

DataLoader::Iterator DataLoader::begin() {
  // torch.empty((), dtype=torch.int64).random_() draws a 63-bit value: random64() & (2^63 - 1).
  auto draw_seed = [] { return default_generator().random64() & ((uint64_t{1} << 63) - 1); };
  draw_seed();  // _BaseDataLoaderIter's _base_seed: for worker processes, which minigrad has none of
  std::vector<int64_t> order(static_cast<size_t>(dataset_.size()));
  if (shuffle_) {
    Generator gen(draw_seed());  // RandomSampler: a fresh generator seeded from the default one
    Tensor perm = randperm(dataset_.size(), gen);
    std::copy(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + perm.numel(), order.begin());
  } else {
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  }
  return Iterator(this, std::move(order), 0);
}

DataLoader::Iterator DataLoader::resume(std::vector<int64_t> order, int64_t batch) const {
  const int64_t n = dataset_.size();
  std::vector<bool> seen(static_cast<size_t>(n), false);
  bool permutation = static_cast<int64_t>(order.size()) == n;
  for (int64_t i : order) {
    permutation = permutation && i >= 0 && i < n && !seen[static_cast<size_t>(i)];
    if (permutation) seen[static_cast<size_t>(i)] = true;
  }
  if (!permutation)
    throw std::invalid_argument("DataLoader::resume: the order (" + std::to_string(order.size()) +
                                " indices) is not a permutation of the dataset's " + std::to_string(n) + " windows");
  if (batch < 0 || batch > size())
    throw std::invalid_argument("DataLoader::resume: batch " + std::to_string(batch) + " is outside [0, " +
                                std::to_string(size()) + "]");
  return Iterator(this, std::move(order), batch);
}

Batch DataLoader::Iterator::operator*() const {
  const int64_t n = static_cast<int64_t>(order_.size()), L = loader_->dataset_.max_length();
  const int64_t first = batch_ * loader_->batch_size_;
  if (batch_ < 0 || batch_ >= loader_->size() || first >= n)
    throw std::out_of_range("DataLoader: dereferenced an iterator past the last batch");
  const int64_t B = std::min(loader_->batch_size_, n - first);
  Batch batch{empty({B, L}, DType::Int64), empty({B, L}, DType::Int64)};
  int64_t* x = batch.inputs.data_ptr<int64_t>();
  int64_t* y = batch.targets.data_ptr<int64_t>();
  for (int64_t b = 0; b < B; ++b) loader_->dataset_.copy_window(order_[static_cast<size_t>(first + b)], x + b * L, y + b * L);
  return batch;
}

}  // namespace minigrad::llm

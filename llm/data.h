// The book's training data path (chapter 2): GPTDataset cuts token ids into overlapping
// (input, target) windows, DataLoader serves them in batches, shuffled the way
// torch.utils.data.DataLoader(shuffle=True) shuffles, draw for draw.
// Not here: turning text into ids (tokenizer.h), or splitting a corpus into train / validation.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace minigrad::llm {

// The book's GPTDatasetV1 given token ids: window i starts at token i * stride,
//   for start in range(0, len(ids) - max_length, stride):
//     input = ids[start : start + max_length],  target = ids[start + 1 : start + max_length + 1]
// so each target is its input shifted one token to the left (the next-token labels).
class GPTDataset {
 public:
  // std::invalid_argument if max_length or stride <= 0, or if the ids are too few for one
  // window (at least max_length + 1 are needed).
  GPTDataset(const std::vector<int64_t>& token_ids, int64_t max_length, int64_t stride);

  int64_t size() const { return static_cast<int64_t>(starts_.size()); }  // len(dataset)
  int64_t max_length() const { return max_length_; }
  // Window i as (input, target), each Int64 (max_length); i in [0, size()).
  std::pair<Tensor, Tensor> get(int64_t i) const;
  // Writes window i's input and target into two rows of max_length elements.
  void copy_window(int64_t i, int64_t* input, int64_t* target) const;

 private:
  std::vector<int64_t> ids_;
  std::vector<int64_t> starts_;
  int64_t max_length_;
};

// One batch: inputs and targets, each Int64 (B, max_length). `auto [x, y] = batch` works.
struct Batch {
  Tensor inputs;
  Tensor targets;
};

// torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last) with num_workers=0:
//   for (auto [inputs, targets] : loader) { ... }   // one pass (an epoch)
// Each range-for (each begin()) starts a new pass and draws from the default generator as
// torch's does when its loop starts: one 63-bit value (the workers' base seed, unused here
// but drawn all the same) and, with shuffle, another that seeds a fresh Generator whose
// randperm(size) is the pass's order. So after manual_seed(s) the batches, and every draw
// after them, are PyTorch's. Without shuffle the windows come in order. The last batch
// is smaller when size is not a multiple of batch_size, unless drop_last drops it.
class DataLoader {
 public:
  // std::invalid_argument if batch_size <= 0, or if drop_last leaves no batch at all (fewer
  // windows than batch_size: torch's loader yields none, silently). The loader keeps its own
  // copy of the dataset.
  DataLoader(GPTDataset dataset, int64_t batch_size, bool shuffle = false, bool drop_last = false);

  int64_t size() const;  // batches per pass: len(loader)
  const GPTDataset& dataset() const { return dataset_; }

  class Iterator {
   public:
    Batch operator*() const;  // builds the batch (copies batch_size windows)
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return batch_ != other.batch_; }
    bool operator==(const Iterator& other) const { return batch_ == other.batch_; }
    // Where the pass stands, for a checkpoint: its window order and the next batch's index.
    const std::vector<int64_t>& order() const { return order_; }
    int64_t batch() const { return batch_; }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, std::vector<int64_t> order, int64_t batch)
        : loader_(loader), order_(std::move(order)), batch_(batch) {}
    const DataLoader* loader_;
    std::vector<int64_t> order_;  // this pass's window indices
    int64_t batch_;
  };

  Iterator begin();  // a new pass: draws from the default generator (see above)
  Iterator end() const { return Iterator(this, {}, size()); }
  // The pass a checkpoint saved (Iterator::order() and batch()), at that batch; draws nothing.
  // std::invalid_argument unless `order` is a permutation of 0 .. dataset().size() - 1 and
  // batch is in [0, size()].
  Iterator resume(std::vector<int64_t> order, int64_t batch) const;

 private:
  GPTDataset dataset_;
  int64_t batch_size_;
  bool shuffle_;
  bool drop_last_;
};

}  // namespace minigrad::llm

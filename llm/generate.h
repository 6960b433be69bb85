// llm::generate: the book's chapter 5 decoder. Greedy, or sampled with a temperature and a
// top-k cut, and stopping at an end-of-text id; the same tokens as PyTorch's after the same
// manual_seed, because its draws are torch.multinomial's.
// Not here: the model (llm/gpt.h, with the greedy-only generate_text_simple), text (llm/tokenizer.h).
// Shapes: B batch, T tokens, V = vocab_size.
#pragma once

#include <cstdint>
#include <optional>

#include "core/tensor.h"
#include "llm/gpt.h"

namespace minigrad::llm {

// max_new_tokens times, under NoGradGuard (the book's loop):
//   logits = model(idx[:, -context_size:])[:, -1, :]                       (B, V)
//   top_k:           logits = where(logits < k-th largest of its row, -inf, logits)
//   temperature > 0: idx_next = multinomial(softmax(logits / temperature), 1)   (B, 1)
//   temperature = 0: idx_next = argmax(logits, -1, keepdim=true)               (B, 1)
//   if idx_next == eos_id: stop (the end-of-text id is not appended)
//   idx = cat(idx, idx_next)                                                   (B, T + 1)
// idx (B, T) Int64 -> (B, T + n), n <= max_new_tokens. Each sampled token draws V uniform
// doubles from the default generator (multinomial's exponential race); greedy draws none.
// The model's mode is left as it is: call model.eval() first, as the book does, or dropout
// stays on (and draws). std::invalid_argument, naming the argument and its value, for
// max_new_tokens < 0, context_size outside [1, context_length], a negative or NaN temperature, top_k outside
// [1, vocab_size], or an eos_id with more than one row (the book compares one id; PyTorch
// raises there too). Bad ids are the model's to report (GPTModel::forward).
Tensor generate(GPTModel& model, Tensor idx, int64_t max_new_tokens, int64_t context_size, double temperature = 0.0,
                std::optional<int64_t> top_k = {}, std::optional<int64_t> eos_id = {});

}  // namespace minigrad::llm

// llm::generate: the book's chapter 5 generate, line for line, and the argument checks it
// leaves to PyTorch. Not here: the model's forward (llm/gpt.cpp).
// Shapes: B batch, T tokens, V = vocab_size.
#include "llm/generate.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/autograd.h"

namespace minigrad::llm {

namespace {

void check_arguments(const GPTModel& model, const Tensor& idx, int64_t max_new_tokens, int64_t context_size,
                     double temperature, std::optional<int64_t> top_k, std::optional<int64_t> eos_id) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("generate: " + what); };
  if (max_new_tokens < 0) fail("max_new_tokens must be >= 0, got " + std::to_string(max_new_tokens));
  if (context_size <= 0 || context_size > model.cfg.context_length) {
    fail("context_size must be in [1, context_length = " + std::to_string(model.cfg.context_length) + "], got " +
         std::to_string(context_size) + " (the model reads at most context_length tokens)");
  }
  if (!(temperature >= 0)) {  // also NaN
    std::ostringstream os;
    os << "temperature must be >= 0 (0 is greedy), got " << temperature;
    fail(os.str());
  }
  if (top_k && (*top_k <= 0 || *top_k > model.cfg.vocab_size)) {
    fail("top_k must be in [1, vocab_size = " + std::to_string(model.cfg.vocab_size) + "], got " +
         std::to_string(*top_k));
  }
  if (eos_id && idx.dim() == 2 && idx.size(0) != 1) {
    fail("eos_id = " + std::to_string(*eos_id) + " needs a batch of one sequence (the book stops when the one new " +
         "id is eos_id), got idx " + shape_str(idx.sizes()) + "; generate each row on its own");
  }
}

}  // namespace

// [snippet generate]
Tensor generate(GPTModel& model, Tensor idx, int64_t max_new_tokens, int64_t context_size, double temperature,
                std::optional<int64_t> top_k, std::optional<int64_t> eos_id) {
  check_arguments(model, idx, max_new_tokens, context_size, temperature, top_k, eos_id);
  NoGradGuard no_grad;
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    Tensor idx_cond = idx.slice(1, -context_size);  // (B, <= context_size): idx[:, -context_size:]
    Tensor logits = model(idx_cond).select(1, -1);  // (B, V): the last position's logits
    if (top_k) {
      auto [top_logits, top_pos] = logits.topk(*top_k);  // (B, k), each row largest first
      Tensor min_val = top_logits.slice(1, -1);           // (B, 1): each row's k-th largest
      logits = where(logits < min_val, -std::numeric_limits<double>::infinity(), logits);
    }
    Tensor idx_next;  // (B, 1)
    if (temperature > 0.0) {
      Tensor probs = (logits / temperature).softmax(-1);  // (B, V); 0 where the logit was cut
      idx_next = probs.multinomial(1);                    // one draw per row
    } else {
      idx_next = logits.argmax(-1, /*keepdim=*/true);
    }
    if (eos_id && idx_next.item<int64_t>() == *eos_id) break;  // the end of the text: stop
    idx = cat({idx, idx_next}, 1);                              // (B, T + 1)
  }
  return idx;
}
// [end generate]

}  // namespace minigrad::llm

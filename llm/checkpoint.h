// Training checkpoints: one safetensors file with everything a run needs to go on where it
// stopped (the model's state_dict, Adam/AdamW's moments, steps and options, the default
// generator's state, the data loader's pass and position, the step), so that a resumed run
// continues bit for bit as one that never stopped. Every tensor carries a checksum.
// Not here: the training loop (examples/train_gpt.cpp) or the file format (core/safetensors.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/safetensors.h"
#include "nn/module.h"
#include "optim/adam.h"

namespace minigrad::llm {

// What a checkpoint holds besides the model, the optimizer and the default generator.
struct TrainingState {
  int64_t step = 0;                 // optimizer steps taken
  std::vector<int64_t> data_order;  // the current pass: DataLoader::Iterator::order() ...
  int64_t data_batch = 0;           // ... and batch(); DataLoader::resume(order, batch) goes on from there
  NamedTensors extra;               // the program's own tensors (say, its loss history)
  std::map<std::string, std::string> metadata;  // the program's own strings (keys not starting "minigrad.")
};

// Writes, atomically (save_safetensors), the tensors
//   model.<name>                       model.state_dict()
//   optim.<i>.exp_avg, .exp_avg_sq     parameter i's moments (and .max_exp_avg_sq with amsgrad),
//                                      for the parameters updated so far
//   optim.steps  I64 (P)               each parameter's step count
//   optim.group.<g>  F64 (7)           lr, beta1, beta2, eps, weight_decay, amsgrad, maximize
//                                      (torch saves its param_groups too; load restores them)
//   rng.mt I64 (624), rng.index I64 (), rng.next_normal F64 (0 or 1)   get_rng_state()
//   train.step, data.batch  I64 (), data.order I64 (n)      state.step, data_batch, data_order
//   extra.<name>                       state.extra
// and the metadata: state.metadata, "minigrad.format", "minigrad.optimizer" ("Adam" or
// "AdamW"), "minigrad.rng_seed", and "minigrad.fnv1a.<tensor>", each tensor's FNV-1a hash.
template <class Options>
void save_checkpoint(const std::string& path, const nn::Module& model, const optim::AdamFamily<Options>& optimizer,
                     const TrainingState& state);

// Restores `model`, `optimizer` and the default generator (built as the saved ones were: the
// same configuration and parameter list) and returns the rest. Checks everything before it
// changes anything: a file that is missing, truncated or not a checkpoint, a tensor whose bytes
// disagree with its checksum, or one that is missing or has the wrong dtype or shape for this
// model and optimizer, throws std::runtime_error naming the file, the tensor and the problem.
template <class Options>
TrainingState load_checkpoint(const std::string& path, nn::Module& model, optim::AdamFamily<Options>& optimizer);

}  // namespace minigrad::llm

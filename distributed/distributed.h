// distributed: data-parallel training over MPI, the way PyTorch's DistributedDataParallel
// and llm.c do it: every rank (process) holds the whole model, takes its share of each
// global batch, and averages the gradients with the others before the optimizer step.
// Not here: loading the data (llm::DataLoader serves the global batches; shard cuts out a
// rank's rows), or anything but the CPU.
//
// Deterministic by construction: all_reduce_gradients sums the ranks' gradients in the
// fixed order rank 0, 1, ..., N-1 (distributed.cpp says how), never in the tree an MPI
// library picks, so a run on N ranks gives the same bits every time, on every rank.
// This header does not include MPI's own: programs that include it need no MPI flags.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/tensor.h"
#include "nn/module.h"

namespace minigrad::distributed {

// Starts MPI (MPI_Init_thread, FUNNELED: only the main thread calls MPI; OpenMP threads
// run the kernels in between) and makes MPI errors come back as return codes, which every
// call here turns into a std::runtime_error naming the MPI call. Called twice, or after
// finalize, it throws std::logic_error. mpirun's arguments are removed from argc/argv.
void init(int& argc, char**& argv);
// Shuts MPI down; every rank must call it. Does nothing if MPI is not running.
void finalize();
// True between init and finalize.
bool is_initialized();

// init in the constructor, finalize in the destructor:
//   int main(int argc, char** argv) { distributed::Guard guard(argc, argv); ... }
// If the guard is destroyed by an exception unwinding the stack, it calls MPI_Abort
// instead: the other ranks may be waiting in a collective for this one, and MPI_Abort
// ends them all with a message where finalize could hang.
class Guard {
 public:
  Guard(int& argc, char**& argv);
  ~Guard();
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  int exceptions_at_start_;
};

// This process's rank in 0 .. world_size() - 1, and the number of ranks (mpirun's -np).
// Before init (or after finalize) they throw std::logic_error naming the function.
int rank();
int world_size();

// DDP's default bucket: gradients travel in messages of at most this many bytes, so a
// large model is not copied into one huge buffer and a small one needs few messages.
inline constexpr std::size_t kDefaultBucketBytes = 25u << 20;  // 25 MiB

// Makes every rank's parameters equal to rank `root`'s, bit for bit (MPI_Bcast of the
// bytes), so that ranks start from the same weights whatever seed each drew them with.
// First it checks that every rank has the same parameters: the same names, shapes and
// dtypes, in the same order (one hash per rank, compared in one collective). If they
// differ, every rank throws the same std::invalid_argument naming the first parameter
// that differs and its shape on both ranks. Not recorded by autograd; bumps the versions.
void broadcast_parameters(nn::Module& module, int root = 0);
// The same for a list of parameters; they are named "parameter 0", "parameter 1", ...
void broadcast_parameters(const std::vector<Tensor>& params, int root = 0);

// Replaces every parameter's .grad() by the average of all ranks' .grad():
//   grad = (g_0 + g_1 + ... + g_{N-1}) / N
// summed left to right in rank order, in the gradient's dtype (float32 or float64), then
// divided by N (a correctly rounded division, not a multiply by 1/N, so that N = 3 gives
// the nearest float to sum / 3). The result is the same bits on every rank.
// A gradient that is undefined on some ranks counts as zeros there (a layer this rank's
// batch did not reach); undefined on every rank, it stays undefined. Parameters are sent
// in buckets of at most `bucket_bytes`, in parameters() order. Every rank must call it
// with the same parameters (checked as in broadcast_parameters).
void all_reduce_gradients(nn::Module& module, std::size_t bucket_bytes = kDefaultBucketBytes);
void all_reduce_gradients(const std::vector<Tensor>& params, std::size_t bucket_bytes = kDefaultBucketBytes);

struct ReducerOptions {
  std::size_t bucket_bytes = kDefaultBucketBytes;
  // true: each bucket starts its reduction during the backward, as soon as the backward has
  // finished all its gradients, while the gradients of earlier layers are still being
  // computed (DDP's overlap). false: wait() calls all_reduce_gradients after the backward.
  bool overlap = true;
};

// PyTorch DDP's Reducer: averages the gradients exactly as all_reduce_gradients does (the
// same bits: the same sum in rank order, element by element), but can overlap the messages
// with the backward. It registers a post-accumulate-grad hook on every parameter that
// requires grad; buckets hold parameters in reverse order, since the backward finishes the
// last layers first, and start in bucket order on every rank (MPI requires it).
//   distributed::Reducer reducer(model);      // all ranks together, the same model (checked)
//   for (...) { opt.zero_grad(); loss.backward(); reducer.wait(); opt.step(); }
// One backward per wait(): a gradient finished twice before wait() throws (accumulating
// micro-batches: use overlap = false, or all_reduce_gradients after the last one).
// A parameter this rank's backward did not reach counts as zeros, as in all_reduce_gradients.
class Reducer {
 public:
  explicit Reducer(nn::Module& module, ReducerOptions options = {});
  explicit Reducer(const std::vector<Tensor>& params, ReducerOptions options = {});
  // Removes its hooks. Destroyed between a backward and its wait(), with messages in
  // flight that the other ranks still expect, it ends the job (MPI_Abort) rather than hang.
  ~Reducer();
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Finishes this backward's reduction: starts what the backward did not, waits for every
  // bucket; then every parameter's .grad() is the average over the ranks.
  void wait();

  struct State;  // reduce.cpp

 private:
  std::unique_ptr<State> state_;
};

// This rank's share of a global batch, as torch's DistributedSampler gives each rank its
// share of the data: rows [rank * B/N, (rank + 1) * B/N) of `batch` (B, ...), a copy.
// Every rank loads the same global batch (same seed, same order) and keeps its rows, so
// rank 0 takes the first B/N, rank 1 the next, and so on. B must be a multiple of N:
// all_reduce_gradients weighs every rank's mean alike, which is the global batch's mean
// only when the shares are equal (else std::invalid_argument; use drop_last).
Tensor shard(const Tensor& batch, int rank, int world_size);
// The same with this process's rank() and world_size().
Tensor shard(const Tensor& batch);

}  // namespace minigrad::distributed

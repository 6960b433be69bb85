// reduce.cpp: averaging the gradients over the ranks, summed in rank order: one bucket's
// journey (Bucket), all_reduce_gradients (after the backward) and Reducer (during it,
// driven by post-accumulate-grad hooks, as PyTorch DDP's reducer).
// Not here: the MPI runtime or the same-parameters check (distributed.cpp).
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "core/autograd.h"
#include "distributed/detail.h"
#include "distributed/distributed.h"

namespace minigrad::distributed {
namespace {

using namespace detail;

// One bucket of same-dtype gradients, averaged as a reduce-scatter and an all-gather done
// by hand so that the order of the sum is ours, not the MPI library's:
//   1. the bucket (its gradients end to end, `total` numbers) is cut into N slices; rank r
//      owns slice r, [start[r], start[r + 1]);                                     (pack)
//   2. MPI_Ialltoallv sends slice r of every rank's bucket to rank r, which then holds N
//      copies of its slice, one per rank, in rank order;                        (scatter)
//   3. each rank sums its copies left to right, rank 0 first, and divides by N;     (sum)
//   4. MPI_Iallgatherv gives every rank every averaged slice.              (gather, unpack)
// MPI only moves bytes (steps 2 and 4), so the bits depend on N alone, never on when a
// step ran. Each rank sends and receives about 2 (N-1)/N of the bucket, as a ring does.
// Steps 2 and 4 are non-blocking: the Reducer goes on with the backward while they fly.
struct Bucket {
  std::vector<Tensor> params;  // whose .grad() travel, in this order
  Tensor flat, copies, mean;   // (total) the bucket, (N * mine) the copies of my slice, (mine)
  std::vector<int> start, count, copy_counts, copy_displs;
  MPI_Request request = MPI_REQUEST_NULL;  // of the step in flight

  MPI_Datatype type() const { return params[0].dtype() == DType::Float32 ? MPI_FLOAT : MPI_DOUBLE; }

  void plan(const char* fn) {
    const int n = num_ranks(), me = my_rank();
    int64_t total = 0;
    for (const Tensor& p : params) total += p.numel();
    if (total > INT_MAX)  // only a single gradient can be this big: buckets close before
      throw std::invalid_argument(std::string("distributed::") + fn + ": a gradient of " + std::to_string(total) +
                                  " elements is over MPI's int count limit (" + std::to_string(INT_MAX) + ")");
    start.assign(n + 1, 0);
    count.assign(n, 0);
    for (int r = 0; r <= n; ++r) start[r] = static_cast<int>(total * r / n);
    for (int r = 0; r < n; ++r) count[r] = start[r + 1] - start[r];
    const int mine = count[me];
    copy_counts.assign(n, mine);
    copy_displs.assign(n, 0);
    for (int r = 0; r < n; ++r) copy_displs[r] = r * mine;
    const DType dt = params[0].dtype();
    flat = empty({total}, dt);
    copies = empty({int64_t{mine} * n}, dt);
    mean = empty({mine}, dt);
  }

  void pack() {
    auto* at = static_cast<char*>(flat.raw_data());
    for (const Tensor& p : params) {
      const std::size_t bytes = static_cast<std::size_t>(p.numel()) * element_size(p.dtype());
      std::copy_n(static_cast<const char*>(p.grad().raw_data()), bytes, at);
      at += bytes;
    }
  }

  void scatter(MPI_Comm comm, const char* fn) {
    check(MPI_Ialltoallv(flat.raw_data(), count.data(), start.data(), type(), copies.raw_data(), copy_counts.data(),
                         copy_displs.data(), type(), comm, &request),
          fn, "MPI_Ialltoallv");
  }

  // sum = ((g_0 + g_1) + g_2) + ... : rank order, one element at a time, then / N.
  template <class T>
  void sum_as() {
    const int n = static_cast<int>(copy_counts.size());
    const int64_t mine = mean.numel();
    const T* c = copies.data_ptr<T>();
    T* m = mean.data_ptr<T>();
    std::copy_n(c, mine, m);
    for (int r = 1; r < n; ++r)
      for (int64_t k = 0; k < mine; ++k) m[k] += c[r * mine + k];
    for (int64_t k = 0; k < mine; ++k) m[k] /= static_cast<T>(n);
  }
  void sum() { params[0].dtype() == DType::Float32 ? sum_as<float>() : sum_as<double>(); }

  void gather(MPI_Comm comm, const char* fn) {
    check(MPI_Iallgatherv(mean.raw_data(), static_cast<int>(mean.numel()), type(), flat.raw_data(), count.data(),
                          start.data(), type(), comm, &request),
          fn, "MPI_Iallgatherv");
  }

  // True once the step in flight is over; waits for it if `block`.
  bool done(bool block, const char* fn) {
    int flag = 1;
    if (block) check(MPI_Wait(&request, MPI_STATUS_IGNORE), fn, "MPI_Wait");
    else check(MPI_Test(&request, &flag, MPI_STATUS_IGNORE), fn, "MPI_Test");
    return flag != 0;
  }

  void unpack() {
    const auto* from = static_cast<const char*>(flat.raw_data());
    for (const Tensor& p : params) {
      const std::size_t bytes = static_cast<std::size_t>(p.numel()) * element_size(p.dtype());
      std::copy_n(from, bytes, static_cast<char*>(p.grad().raw_data()));  // in place: optimizers hold grad()
      from += bytes;
    }
  }
};

// Groups `params` (in the order given) into buckets: consecutive parameters of one dtype,
// up to bucket_bytes each (a larger gradient gets a bucket of its own).
std::vector<Bucket> make_buckets(const std::vector<Tensor>& params, std::size_t bucket_bytes, const char* fn) {
  std::vector<Bucket> buckets;
  std::size_t bytes = 0;
  for (const Tensor& p : params) {
    const std::size_t nbytes = static_cast<std::size_t>(p.numel()) * element_size(p.dtype());
    if (buckets.empty() || buckets.back().params[0].dtype() != p.dtype() || bytes + nbytes > bucket_bytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().params.push_back(p);
    bytes += nbytes;
  }
  for (Bucket& b : buckets) b.plan(fn);
  return buckets;
}

void require_bucket_bytes(std::size_t bucket_bytes, const char* fn) {
  if (bucket_bytes == 0) throw std::invalid_argument(std::string("distributed::") + fn + ": bucket_bytes must be > 0");
}

void require_floating(const std::string& name, const Tensor& p, const char* fn) {
  if (!is_floating(p.dtype()))
    throw std::invalid_argument(std::string("distributed::") + fn + ": " + name + " is " + dtype_name(p.dtype()) +
                                "; only float32 and float64 gradients can be averaged");
}

// A gradient undefined on every rank stays undefined; one undefined on some ranks counts as
// zeros there. `had[i]`: does this rank have one for parameter i? Becomes: does any rank?
void agree_on_defined(std::vector<int>& had, const char* fn) {
  check(MPI_Allreduce(MPI_IN_PLACE, had.data(), static_cast<int>(had.size()), MPI_INT, MPI_MAX, MPI_COMM_WORLD), fn,
        "MPI_Allreduce");
}

void all_reduce(const Named& params, std::size_t bucket_bytes, const char* fn) {
  require_running(fn);
  require_bucket_bytes(bucket_bytes, fn);
  check_same_parameters(params, 0, fn);
  std::vector<int> any_grad;
  for (const auto& [name, p] : params) any_grad.push_back(p.grad().defined() ? 1 : 0);
  agree_on_defined(any_grad, fn);
  std::vector<Tensor> reduced;  // every rank builds the same buckets from them
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!any_grad[i]) continue;
    const Tensor& p = params[i].second;
    require_floating(params[i].first, p, fn);
    if (!p.grad().defined()) p.set_grad(zeros_like(p));  // this rank's batch did not reach it
    reduced.push_back(p);
  }
  if (num_ranks() == 1) return;  // the average of one gradient is itself, bit for bit: no copies
  for (Bucket& b : make_buckets(reduced, bucket_bytes, fn)) {  // one at a time, each step waited for
    b.pack();
    b.scatter(MPI_COMM_WORLD, fn);
    b.done(true, fn);
    b.sum();
    b.gather(MPI_COMM_WORLD, fn);
    b.done(true, fn);
    b.unpack();
  }
}

}  // namespace

void all_reduce_gradients(nn::Module& module, std::size_t bucket_bytes) {
  all_reduce(module.named_parameters(), bucket_bytes, "all_reduce_gradients");
}

void all_reduce_gradients(const std::vector<Tensor>& params, std::size_t bucket_bytes) {
  all_reduce(numbered(params), bucket_bytes, "all_reduce_gradients");
}

// ---- Reducer: the same buckets, started from the backward ----
//
// MPI matches the collectives of a communicator in the order each rank starts them, so
// every rank must start the same ones in the same order, whatever the order its hooks fire
// in. Hence: buckets start step 2 in bucket order only (a bucket ready early waits for the
// ones before it), step 4 too, and steps 2 and 4 go on two communicators of their own, so
// that when a rank starts bucket 1's scatter relative to bucket 0's gather does not matter.
struct Reducer::State {
  Named params;  // those that require grad
  ReducerOptions options;
  std::vector<Bucket> buckets;     // parameters in reverse order
  std::vector<std::size_t> bucket_of;  // parameter i -> its bucket
  std::vector<int> ready;          // parameter i's gradient is final for this backward
  std::vector<int> waiting;        // bucket b: how many of its parameters are not ready yet
  std::size_t scattered = 0, gathered = 0;  // buckets that started step 2, step 4
  MPI_Comm scatter_comm = MPI_COMM_NULL, gather_comm = MPI_COMM_NULL;
  std::vector<unsigned> hooks;
  static constexpr const char* fn = "Reducer";

  void init(const Named& all, ReducerOptions opts);

  // Starts whatever may start, in bucket order; with `block`, everything up to step 4.
  void advance(bool block) {
    while (scattered < buckets.size() && waiting[scattered] == 0) {
      buckets[scattered].pack();
      buckets[scattered++].scatter(scatter_comm, fn);
    }
    while (gathered < scattered && buckets[gathered].done(block, fn)) {  // MPI_Test also moves messages on
      buckets[gathered].sum();
      buckets[gathered++].gather(gather_comm, fn);
    }
  }

  void mark_ready(std::size_t i) {
    if (ready[i])
      throw std::runtime_error("distributed::Reducer: the gradient of '" + params[i].first +
                               "' was finished twice before wait(); call wait() after every backward (to "
                               "accumulate gradients over several backwards, use ReducerOptions::overlap = false)");
    ready[i] = 1;
    --waiting[bucket_of[i]];
    advance(false);
  }
};

void Reducer::State::init(const Named& all, ReducerOptions opts) {
  require_running(fn);
  require_bucket_bytes(opts.bucket_bytes, fn);
  for (const auto& [name, p] : all) {
    if (!p.requires_grad()) continue;
    require_floating(name, p, fn);
    params.emplace_back(name, p);
  }
  options = opts;
  check_same_parameters(params, 0, fn);
  if (num_ranks() == 1) options.overlap = false;  // nothing to overlap: wait() does nothing
  if (!options.overlap) return;
  std::vector<Tensor> reversed;
  for (auto it = params.rbegin(); it != params.rend(); ++it) reversed.push_back(it->second);
  buckets = make_buckets(reversed, options.bucket_bytes, fn);
  bucket_of.assign(params.size(), 0);
  for (std::size_t b = 0, i = params.size(); b < buckets.size(); ++b)
    for (std::size_t k = 0; k < buckets[b].params.size(); ++k) bucket_of[--i] = b;
  ready.assign(params.size(), 0);
  for (const Bucket& b : buckets) waiting.push_back(static_cast<int>(b.params.size()));
  check(MPI_Comm_dup(MPI_COMM_WORLD, &scatter_comm), fn, "MPI_Comm_dup");
  check(MPI_Comm_dup(MPI_COMM_WORLD, &gather_comm), fn, "MPI_Comm_dup");
  for (std::size_t i = 0; i < params.size(); ++i)
    hooks.push_back(params[i].second.register_post_accumulate_grad_hook([this, i](const Tensor&) { mark_ready(i); }));
}

Reducer::Reducer(const std::vector<Tensor>& params, ReducerOptions options) : state_(std::make_unique<State>()) {
  state_->init(numbered(params), options);
}

Reducer::Reducer(nn::Module& module, ReducerOptions options) : state_(std::make_unique<State>()) {
  state_->init(module.named_parameters(), options);
}

Reducer::~Reducer() {
  State& s = *state_;
  for (std::size_t i = 0; i < s.hooks.size(); ++i) s.params[i].second.remove_post_accumulate_grad_hook(s.hooks[i]);
  if (!running()) return;
  if (s.scattered > 0) {
    std::fprintf(stderr, "distributed::Reducer: destroyed on rank %d with gradients in flight (a backward without its "
                         "wait()); aborting the job so that the other ranks do not wait for them\n", my_rank());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (s.scatter_comm != MPI_COMM_NULL) MPI_Comm_free(&s.scatter_comm);
  if (s.gather_comm != MPI_COMM_NULL) MPI_Comm_free(&s.gather_comm);
}

void Reducer::wait() {
  State& s = *state_;
  require_running(State::fn);
  if (!s.options.overlap) return all_reduce(s.params, s.options.bucket_bytes, "Reducer::wait");
  std::vector<int> had(s.params.size(), 1);
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    if (s.ready[i]) continue;  // the backward did not reach it: what it has, or zeros
    const Tensor& p = s.params[i].second;
    if (!p.grad().defined()) had[i] = 0, p.set_grad(zeros_like(p));
    s.ready[i] = 1;
    --s.waiting[s.bucket_of[i]];
  }
  s.advance(true);
  for (Bucket& b : s.buckets) {
    b.done(true, State::fn);
    b.unpack();
  }
  agree_on_defined(had, State::fn);
  for (std::size_t i = 0; i < s.params.size(); ++i)
    if (!had[i]) s.params[i].second.set_grad(Tensor());
  std::fill(s.ready.begin(), s.ready.end(), 0);
  for (std::size_t b = 0; b < s.buckets.size(); ++b) s.waiting[b] = static_cast<int>(s.buckets[b].params.size());
  s.scattered = s.gathered = 0;
}

}  // namespace minigrad::distributed

// distributed.cpp: the MPI runtime (init, finalize, rank, world_size), the check that
// every rank holds the same parameters, broadcast_parameters and shard. Only MPI's C API is
// used (its C++ bindings are deprecated), and only in distributed/*.cpp.
// Not here: averaging gradients (reduce.cpp), or when to call these (a training loop's job).
#include "distributed/distributed.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/autograd.h"
#include "distributed/detail.h"

namespace minigrad::distributed {
namespace detail {

bool running() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

void require_running(const char* fn) {
  if (!running())
    throw std::logic_error(std::string("distributed::") + fn +
                           ": MPI is not running; call distributed::init(argc, argv) first (or create a "
                           "distributed::Guard at the top of main), and launch the program with mpirun");
}

int my_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int num_ranks() {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

// MPI_ERRORS_RETURN (set by init) makes a failed call return its code instead of aborting;
// this turns the code into an exception naming our function and the MPI call.
void check(int rc, const char* fn, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(std::string("distributed::") + fn + ": " + call + " failed on rank " +
                           std::to_string(my_rank()) + ": " + std::string(text, len));
}

Named numbered(const std::vector<Tensor>& params) {
  Named named;
  for (std::size_t i = 0; i < params.size(); ++i) named.emplace_back("parameter " + std::to_string(i), params[i]);
  return named;
}

// ---- every rank holds the same parameters ----

namespace {

// One line per parameter, "name<TAB>shape<TAB>dtype": what every rank must agree on.
std::string describe(const Named& params) {
  std::string text;
  for (const auto& [name, p] : params) text += name + "\t" + shape_str(p.sizes()) + "\t" + dtype_name(p.dtype()) + "\n";
  return text;
}

std::vector<std::vector<std::string>> split_lines(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::istringstream f(line);
    for (std::string field; std::getline(f, field, '\t');) fields.push_back(field);
    lines.push_back(fields);
  }
  return lines;
}

std::string quoted(const std::vector<std::string>& p) { return "'" + p[0] + "' " + p[1] + " " + p[2]; }

// Called on every rank once the hashes disagree: gathers every rank's description and
// throws, on every rank, the same message naming the first difference from `root`.
[[noreturn]] void report_mismatch(const std::string& mine, int root, const char* fn) {
  const int n = num_ranks();
  int len = static_cast<int>(mine.size());
  std::vector<int> lens(n), displs(n);
  check(MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, MPI_COMM_WORLD), fn, "MPI_Allgather");
  for (int r = 1; r < n; ++r) displs[r] = displs[r - 1] + lens[r - 1];
  std::string all(static_cast<std::size_t>(displs[n - 1] + lens[n - 1]), '\0');
  check(MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, MPI_COMM_WORLD),
        fn, "MPI_Allgatherv");
  auto lines_of = [&](int r) { return split_lines(all.substr(displs[r], lens[r])); };
  const auto ref = lines_of(root);
  std::string detail = "the hashes of their parameter lists differ";  // only if the texts are equal
  for (int r = 0; r < n; ++r) {
    const auto other = lines_of(r);
    if (r == root || other == ref) continue;
    const std::string on_r = " on rank " + std::to_string(r), on_root = " on rank " + std::to_string(root);
    std::size_t i = 0;
    while (i < ref.size() && i < other.size() && ref[i] == other[i]) ++i;
    if (i < ref.size() && i < other.size()) {
      if (ref[i][0] == other[i][0])
        detail = "parameter '" + ref[i][0] + "' is " + other[i][1] + " " + other[i][2] + on_r + " but " + ref[i][1] +
                 " " + ref[i][2] + on_root;
      else
        detail = "parameter " + std::to_string(i) + " is " + quoted(other[i]) + on_r + " but " + quoted(ref[i]) + on_root;
    } else {
      const auto& longer = i < ref.size() ? ref : other;
      detail = "rank " + std::to_string(r) + " has " + std::to_string(other.size()) + " parameters and rank " +
               std::to_string(root) + " has " + std::to_string(ref.size()) + "; the first one only on " +
               (i < ref.size() ? "rank " + std::to_string(root) : "rank " + std::to_string(r)) + " is " +
               quoted(longer[i]);
    }
    break;
  }
  throw std::invalid_argument(std::string("distributed::") + fn + ": the ranks' models differ: " + detail +
                              ". Every rank must build the same model (same layers, sizes and order).");
}

}  // namespace

// Checks, in one small collective, that every rank describes the same parameters. The
// 64-bit FNV-1a hash of the description, cut to 62 bits, goes with its negation:
// max(h) == -max(-h) holds exactly when every rank has the same h. The message has the same
// size on every rank whatever its parameters (MPI requires it). On a mismatch every rank
// learns it at once, and all of them go on to report_mismatch together.
void check_same_parameters(const Named& params, int root, const char* fn) {
  const std::string mine = describe(params);
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : mine) h = (h ^ c) * 1099511628211ull;
  long long hashes[2] = {static_cast<long long>(h >> 2), -static_cast<long long>(h >> 2)};
  check(MPI_Allreduce(MPI_IN_PLACE, hashes, 2, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD), fn, "MPI_Allreduce");
  if (hashes[0] != -hashes[1]) report_mismatch(mine, root, fn);
}

}  // namespace detail

using namespace detail;

// ---- broadcast ----

namespace {

void broadcast(const Named& params, int root, const char* fn) {
  require_running(fn);
  const int n = num_ranks(), me = my_rank();
  if (root < 0 || root >= n)
    throw std::invalid_argument(std::string("distributed::") + fn + ": root " + std::to_string(root) +
                                " is not a rank; the ranks are 0 to " + std::to_string(n - 1));
  check_same_parameters(params, root, fn);
  NoGradGuard no_grad;  // copy_ into a leaf that requires grad is allowed only here
  for (const auto& named : params) {
    Tensor p = named.second;  // a handle: copy_ writes into the module's tensor
    Tensor buf = me == root ? p : empty(p.sizes(), p.dtype());
    auto* bytes = static_cast<char*>(buf.raw_data());
    std::size_t left = static_cast<std::size_t>(p.numel()) * element_size(p.dtype());
    while (left > 0) {  // MPI counts are ints: a tensor over 2 GiB goes in pieces
      const int chunk = static_cast<int>(std::min<std::size_t>(left, INT_MAX));
      check(MPI_Bcast(bytes, chunk, MPI_BYTE, root, MPI_COMM_WORLD), fn, "MPI_Bcast");
      bytes += chunk;
      left -= static_cast<std::size_t>(chunk);
    }
    if (me != root) p.copy_(buf);
  }
}

}  // namespace

// ---- data ----

Tensor shard(const Tensor& batch, int rank, int world_size) {
  if (world_size <= 0 || rank < 0 || rank >= world_size)
    throw std::invalid_argument("distributed::shard: rank " + std::to_string(rank) + " is not in 0 to world_size - 1 (" +
                                std::to_string(world_size - 1) + ")");
  if (batch.dim() == 0) throw std::invalid_argument("distributed::shard: a batch needs a first dimension, got a scalar");
  const int64_t rows = batch.size(0);
  if (rows % world_size != 0)
    throw std::invalid_argument("distributed::shard: a batch of shape " + shape_str(batch.sizes()) + " has " +
                                std::to_string(rows) + " rows, which do not split evenly among " +
                                std::to_string(world_size) + " ranks; make the global batch a multiple of " +
                                std::to_string(world_size) + " (and drop the last, smaller batch: drop_last)");
  const int64_t share = rows / world_size;
  return batch.narrow(0, rank * share, share);
}

Tensor shard(const Tensor& batch) {
  require_running("shard");
  return shard(batch, my_rank(), num_ranks());
}

// ---- the runtime ----

void init(int& argc, char**& argv) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized) throw std::logic_error("distributed::init: MPI was finalized; it cannot be started again");
  if (initialized) throw std::logic_error("distributed::init: MPI is already running; call init once per process");
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);  // failure aborts: no handler is set yet
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

void finalize() {
  if (running()) MPI_Finalize();
}

bool is_initialized() { return running(); }

Guard::Guard(int& argc, char**& argv) : exceptions_at_start_(std::uncaught_exceptions()) { init(argc, argv); }

Guard::~Guard() {
  if (std::uncaught_exceptions() > exceptions_at_start_ && running()) {
    std::fprintf(stderr, "distributed::Guard: rank %d is unwinding from an exception; aborting the job so that "
                         "the other ranks do not wait for it\n", my_rank());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  finalize();
}

int rank() {
  require_running("rank");
  return my_rank();
}

int world_size() {
  require_running("world_size");
  return num_ranks();
}

void broadcast_parameters(nn::Module& module, int root) { broadcast(module.named_parameters(), root, "broadcast_parameters"); }

void broadcast_parameters(const std::vector<Tensor>& params, int root) {
  broadcast(numbered(params), root, "broadcast_parameters");
}

}  // namespace minigrad::distributed

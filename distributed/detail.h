// What distributed.cpp and reduce.cpp share: the MPI error check, the "is MPI running" check
// and the check that every rank holds the same parameters (all in distributed.cpp).
// Internal: it includes MPI's own header, so only distributed/*.cpp include it, never a program.
#pragma once

#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace minigrad::distributed::detail {

using Named = std::vector<std::pair<std::string, Tensor>>;

bool running();                        // between MPI_Init and MPI_Finalize
void require_running(const char* fn);  // else std::logic_error naming distributed::fn
int my_rank();
int num_ranks();
// Turns an MPI return code into a std::runtime_error naming distributed::fn and the call.
void check(int rc, const char* fn, const char* call);
// "parameter 0", "parameter 1", ...: names for a bare list of parameters.
Named numbered(const std::vector<Tensor>& params);
// One small collective: every rank must pass the same names, shapes and dtypes, or every
// rank throws the same std::invalid_argument naming the first difference from `root`.
void check_same_parameters(const Named& params, int root, const char* fn);

}  // namespace minigrad::distributed::detail

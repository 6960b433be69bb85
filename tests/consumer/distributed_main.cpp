// The outsider's view of minigrad::distributed (tests/consumer/CMakeLists.txt builds it when
// the target exists; .ci/run runs it with mpirun -np 2): it compiles with no MPI flags of its
// own, links, and averages one known gradient both ways. Exits non-zero if that fails.
#include <cstdio>

#include "core/core.h"
#include "distributed/distributed.h"
#include "nn/nn.h"

using namespace minigrad;

int main(int argc, char** argv) {
  distributed::Guard guard(argc, argv);
  const int r = distributed::rank(), n = distributed::world_size();
  manual_seed(static_cast<uint64_t>(r));
  nn::Linear model(2, 1);
  distributed::broadcast_parameters(model);
  distributed::Reducer reducer(model);
  // loss = sum(w) * (r + 1) + b (r + 1): every gradient is r + 1, whose mean is (n + 1) / 2.
  (model.weight.sum() + model.bias.sum()).mul(static_cast<double>(r + 1)).backward();
  reducer.wait();
  const float expected = static_cast<float>(n + 1) / 2.0f;
  bool ok = model.weight.grad().data_ptr<float>()[0] == expected && model.bias.grad().item<float>() == expected;
  if (r == 0) std::printf("minigrad::distributed on %d ranks: mean gradient %s\n", n, ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}

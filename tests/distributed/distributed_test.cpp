// distributed/distributed.cpp under mpirun (tests/CMakeLists.txt runs this program on 2 and
// on 3 ranks; tests/distributed/mpi_main.cpp starts MPI). Every rank runs every test, so
// each collective below is reached by all ranks. Values are hand-derived, or a 1-process
// run of the same training on the whole batch, computed on rank 0 in this program.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "distributed/distributed.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

namespace dist = distributed;
namespace F = nn::functional;

// Every rank's bytes of `t`, in rank order.
std::vector<std::string> gather_bytes(const Tensor& t) {
  const int n = dist::world_size();
  const int len = static_cast<int>(t.numel() * static_cast<int64_t>(element_size(t.dtype())));
  std::string all(static_cast<std::size_t>(len) * n, '\0');
  MPI_Allgather(t.raw_data(), len, MPI_BYTE, all.data(), len, MPI_BYTE, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int r = 0; r < n; ++r) out.push_back(all.substr(static_cast<std::size_t>(r) * len, len));
  return out;
}

// True when every rank holds the same bits in `t`.
bool same_bits_on_every_rank(const Tensor& t) {
  std::vector<std::string> all = gather_bytes(t);
  for (const std::string& b : all)
    if (b != all[0]) return false;
  return true;
}

std::vector<float> floats(const Tensor& t) { return {t.data_ptr<float>(), t.data_ptr<float>() + t.numel()}; }

// The message of the std::invalid_argument `call` throws.
std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(DistributedRuntime, RankAndWorldSize) {
  int r = -1, n = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  EXPECT_EQ(dist::rank(), r);
  EXPECT_EQ(dist::world_size(), n);
  EXPECT_TRUE(dist::is_initialized());
  EXPECT_GE(n, 2) << "run this program with mpirun -np 2 or more";
}

// ---- (a) the average of known per-rank values ----

TEST(DistributedAllReduce, AveragesKnownValuesInBucketsAndDtypes) {
  const int n = dist::world_size(), r = dist::rank();
  // a: float32, 5 numbers (no slice count divides 5); rank r sends r + 1 + k/2, so the
  //    average is (1 + 2 + ... + N)/N + k/2 = (N + 1)/2 + k/2, exact in binary.
  // b: float64 (2, 3): rank r sends 10 r + k, average 10 (N - 1)/2 + k.
  // c: only rank 0 has a gradient, [N, 2N]: the others count as zeros, average [1, 2].
  // d: no rank has a gradient: it stays undefined.
  for (std::size_t bucket_bytes : {dist::kDefaultBucketBytes, std::size_t{8}}) {
    Tensor a = zeros({5}).requires_grad_(), b = zeros({2, 3}, DType::Float64).requires_grad_();
    Tensor c = zeros({2}).requires_grad_(), d = zeros({3}).requires_grad_();
    a.set_grad(tensor({1.0f, 1.5f, 2.0f, 2.5f, 3.0f}) + static_cast<double>(r));
    b.set_grad(tensor({0.0, 1.0, 2.0, 3.0, 4.0, 5.0}, {2, 3}) + 10.0 * r);
    if (r == 0) c.set_grad(tensor({1.0f, 2.0f}) * static_cast<double>(n));
    dist::all_reduce_gradients({a, b, c, d}, bucket_bytes);

    const float ha = (n + 1) / 2.0f;
    EXPECT_EQ(floats(a.grad()), (std::vector<float>{ha, ha + 0.5f, ha + 1.0f, ha + 1.5f, ha + 2.0f}));
    const double hb = 10.0 * (n - 1) / 2.0;
    for (int k = 0; k < 6; ++k) EXPECT_EQ(b.grad().data_ptr<double>()[k], hb + k) << "k " << k;
    ASSERT_TRUE(c.grad().defined());
    EXPECT_EQ(floats(c.grad()), (std::vector<float>{1.0f, 2.0f}));
    EXPECT_FALSE(d.grad().defined());
    for (const Tensor& p : {a, b, c}) EXPECT_TRUE(same_bits_on_every_rank(p.grad()));
  }
}

// The sum runs in rank order whatever N is. Rank 0 sends 1 and every other rank 2^-24 (half
// an ulp of 1): 1 + 2^-24 is a tie, rounded to even, i.e. to 1, so left to right the sum stays
// 1 and the average is 1/N. Summed in another tree (the small ones first, as MPI's may) it
// would be 1 + (N - 1) 2^-24 >= 1 + 2^-23 for N >= 3, whose average is another float.
TEST(DistributedAllReduce, SumsInRankOrderThenDivides) {
  const int n = dist::world_size();
  Tensor w = zeros({1}).requires_grad_();
  w.set_grad(tensor({dist::rank() == 0 ? 1.0f : std::ldexp(1.0f, -24)}));
  dist::all_reduce_gradients({w});
  const float expected = 1.0f / static_cast<float>(n);
  EXPECT_EQ(w.grad().item<float>(), expected);
  if (n >= 3) {
    EXPECT_NE(w.grad().item<float>(), (1.0f + std::ldexp(1.0f, -23)) / static_cast<float>(n));
  }
  EXPECT_TRUE(same_bits_on_every_rank(w.grad()));
}

// ---- (b) training on N ranks against 1 process ----

struct Mlp : nn::Module {
  std::shared_ptr<nn::Linear> fc1, fc2;
  explicit Mlp(int64_t hidden = 8) {
    fc1 = register_module("fc1", std::make_shared<nn::Linear>(4, hidden));
    fc2 = register_module("fc2", std::make_shared<nn::Linear>(hidden, 3));
  }
  Tensor forward(const Tensor& x) override { return fc2->forward(F::relu(fc1->forward(x))); }  // (B, 4) -> (B, 3)
};

constexpr int64_t kGlobalBatch = 12;  // divides among 1, 2, 3, 4 or 6 ranks

// The global batch: x (12, 4), y (12) classes in 0..2, the same on every rank (one seed).
std::pair<Tensor, Tensor> global_batch() {
  manual_seed(7);
  Tensor x = randn({kGlobalBatch, 4});
  Tensor y = randint(3, {kGlobalBatch});
  return {x, y};
}

// How the gradients are averaged: not at all (one process), all_reduce_gradients after the
// backward, or a Reducer (with `bucket_bytes`) during it (overlap) or after it.
enum class Ddp { None, AllReduce, Overlap, NoOverlap };

// Five steps of SGD with momentum; with DDP on this rank's share of the global batch,
// the gradients averaged over the ranks before each step, else on the whole batch.
// Returns the parameters.
std::vector<Tensor> train(Mlp& model, Ddp ddp, std::size_t bucket_bytes = dist::kDefaultBucketBytes) {
  auto [x, y] = global_batch();
  const bool sharded = ddp != Ddp::None;
  Tensor xs = sharded ? dist::shard(x) : x, ys = sharded ? dist::shard(y) : y;
  optim::SGD opt(model.parameters(), optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
  std::optional<dist::Reducer> reducer;
  if (ddp == Ddp::Overlap || ddp == Ddp::NoOverlap)
    reducer.emplace(model, dist::ReducerOptions{.bucket_bytes = bucket_bytes, .overlap = ddp == Ddp::Overlap});
  for (int step = 0; step < 5; ++step) {
    Tensor loss = F::cross_entropy(model(xs), ys);  // the mean over this rank's rows
    opt.zero_grad();
    loss.backward();
    if (ddp == Ddp::AllReduce) dist::all_reduce_gradients(model);  // the mean of the ranks' means = the global batch's mean
    if (reducer) reducer->wait();
    opt.step();
  }
  return model.parameters();
}

// Each rank starts from a different seed; broadcast_parameters makes them all rank 0's.
std::vector<Tensor> train_on_all_ranks(Ddp ddp = Ddp::AllReduce, std::size_t bucket_bytes = dist::kDefaultBucketBytes) {
  manual_seed(100 + dist::rank());
  Mlp model;
  dist::broadcast_parameters(model);
  return train(model, ddp, bucket_bytes);
}

TEST(DistributedTraining, MatchesOneProcessOnTheGlobalBatchAndRepeatsItsBits) {
  const int n = dist::world_size();
  if (kGlobalBatch % n != 0) GTEST_SKIP() << kGlobalBatch << " rows do not divide among " << n << " ranks";
  std::vector<Tensor> first = train_on_all_ranks();
  std::vector<Tensor> second = train_on_all_ranks();
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(same_bits_on_every_rank(first[i])) << "parameter " << i;
    EXPECT_EQ(floats(first[i]), floats(second[i])) << "parameter " << i << ": two runs gave different bits";
  }
  if (dist::rank() != 0) return;
  manual_seed(100);  // rank 0's seed, which the broadcast gave every rank
  Mlp alone;
  std::vector<Tensor> reference = train(alone, Ddp::None);
  double max_diff = 0, max_abs = 0;
  for (std::size_t i = 0; i < first.size(); ++i)
    for (int64_t k = 0; k < first[i].numel(); ++k) {
      const float a = first[i].data_ptr<float>()[k], b = reference[i].data_ptr<float>()[k];
      max_diff = std::max(max_diff, static_cast<double>(std::fabs(a - b)));
      max_abs = std::max(max_abs, static_cast<double>(std::fabs(b)));
    }
  std::cout << "[ measured ] " << n << " ranks vs 1 process after 5 steps: max |w_N - w_1| = " << max_diff
            << " (largest |w| " << max_abs << ")\n";
  // Each rank's mean over its rows and the 1-process mean over all rows round differently
  // (a few float32 ulps of each gradient), and five steps of lr 0.1 with momentum carry
  // that into the weights. Measured: 2.98e-8 on 2 and on 3 ranks, half an ulp of the
  // largest weight (0.53). 1e-6 is some 17 ulps of room; skipping the all-reduce (each
  // rank trains on its half alone) gives 0.22.
  EXPECT_LT(max_diff, 1e-6);
}

// ---- the Reducer: the same bits, overlapped with the backward ----

// Overlapped or not, in one bucket or in one per parameter (the buckets then start one by
// one during the backward, fc2.bias first), the Reducer gives all_reduce_gradients' bits.
TEST(DistributedReducer, GivesTheBitsOfAllReduceGradients) {
  const std::vector<Tensor> expected = train_on_all_ranks(Ddp::AllReduce);
  for (std::size_t bucket_bytes : {dist::kDefaultBucketBytes, std::size_t{40}, std::size_t{1}})
    for (Ddp ddp : {Ddp::Overlap, Ddp::NoOverlap}) {
      const std::vector<Tensor> got = train_on_all_ranks(ddp, bucket_bytes);
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(floats(got[i]), floats(expected[i]))
            << "parameter " << i << ", bucket_bytes " << bucket_bytes << (ddp == Ddp::Overlap ? ", overlap" : "");
    }
}

// Gradients the backward does not reach, mixed dtypes, and buckets that start during the
// backward while later ones wait: parameters d (no rank's backward reaches it), c (only
// rank 0's), a (float64) and b; reversed, as the Reducer buckets them: b, a, c, d. The
// reference: the same backward, then all_reduce_gradients.
TEST(DistributedReducer, UnreachedGradientsAndDtypesAsAllReduceGradients) {
  const int r = dist::rank();
  auto leaves = [] {
    return std::vector<Tensor>{zeros({2}).requires_grad_(), zeros({2}).requires_grad_(),
                               zeros({3}, DType::Float64).requires_grad_(), zeros({4}).requires_grad_()};
  };
  auto backward = [r](const std::vector<Tensor>& p) {  // d c a b
    Tensor k = tensor({1.0f, 0.5f, 0.25f, 0.125f}) * static_cast<double>(r + 1);
    Tensor loss = (p[3] * k).sum() + (p[2] * (r + 0.5)).sum().to(DType::Float32);
    if (r == 0) loss = loss + (p[1] * 3.0).sum();
    loss.backward();
  };
  for (bool overlap : {true, false})
    for (std::size_t bucket_bytes : {dist::kDefaultBucketBytes, std::size_t{8}}) {
      std::vector<Tensor> mine = leaves(), reference = leaves();
      dist::Reducer reducer(mine, {.bucket_bytes = bucket_bytes, .overlap = overlap});
      for (int round = 0; round < 2; ++round) {
        zero_grad(mine);
        zero_grad(reference);
        backward(mine);
        reducer.wait();
        backward(reference);
        dist::all_reduce_gradients(reference);
        EXPECT_FALSE(mine[0].grad().defined());
        for (std::size_t i = 1; i < 4; ++i) {
          ASSERT_TRUE(mine[i].grad().defined()) << i;
          EXPECT_TRUE(testing::bitwise_equal(mine[i].grad(), reference[i].grad())) << "parameter " << i;
        }
        const float c = 3.0f / static_cast<float>(dist::world_size());
        EXPECT_EQ(floats(mine[1].grad()), (std::vector<float>{c, c}));
        EXPECT_EQ(mine[2].grad().data_ptr<double>()[0], dist::world_size() / 2.0);  // mean of r + 0.5
      }
    }
}

TEST(DistributedReducer, AGradientFinishedTwiceBeforeWaitThrows) {
  Mlp model;
  dist::broadcast_parameters(model);
  dist::Reducer reducer(model);
  Tensor x = ones({2, 4});
  model(x).sum().backward();
  try {
    model(x).sum().backward();
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "distributed::Reducer: the gradient of 'fc2.weight' was finished twice before wait(); call wait() after "
              "every backward (to accumulate gradients over several backwards, use ReducerOptions::overlap = false)");
  }
  reducer.wait();  // the first backward's reduction, which every rank started
  model.zero_grad();
  model(x).sum().backward();
  reducer.wait();
  EXPECT_TRUE(same_bits_on_every_rank(model.fc1->weight.grad()));
}

TEST(DistributedReducer, BadOptionsAndDifferentModelsAreNamed) {
  Mlp model(dist::rank() == dist::world_size() - 1 ? 5 : 8);
  EXPECT_EQ(error_of([&] { dist::Reducer reducer(model, {.bucket_bytes = 0}); }),
            "distributed::Reducer: bucket_bytes must be > 0");
  EXPECT_EQ(error_of([&] { dist::Reducer reducer(model); }),
            "distributed::Reducer: the ranks' models differ: parameter 'fc1.weight' is [5, 4] torch.float32 on rank " +
                std::to_string(dist::world_size() - 1) +
                " but [8, 4] torch.float32 on rank 0. Every rank must build the same model (same layers, sizes and "
                "order).");
}

// ---- sharding a global batch ----

TEST(DistributedShard, EachRankTakesItsRowsInRankOrder) {
  Tensor batch = arange(12).view({6, 2});  // rows (0 1) (2 3) ... (10 11)
  EXPECT_EQ(dist::shard(batch, 0, 3).sizes(), (Shape{2, 2}));
  EXPECT_EQ(dist::shard(batch, 1, 3).data_ptr<int64_t>()[0], 4);  // rows 2 and 3: 4 5 6 7
  EXPECT_EQ(dist::shard(batch, 1, 3).data_ptr<int64_t>()[3], 7);
  EXPECT_EQ(dist::shard(batch, 2, 3).data_ptr<int64_t>()[3], 11);
  EXPECT_EQ(dist::shard(batch, 0, 1).sizes(), (Shape{6, 2}));
  Tensor mine = dist::shard(arange(2 * dist::world_size()));
  EXPECT_EQ(mine.sizes(), (Shape{2}));
  EXPECT_EQ(mine.data_ptr<int64_t>()[0], 2 * dist::rank());
}

TEST(DistributedShard, UnevenSharesAndBadRanksThrow) {
  EXPECT_EQ(error_of([] { dist::shard(zeros({5, 3}), 0, 2); }),
            "distributed::shard: a batch of shape [5, 3] has 5 rows, which do not split evenly among 2 ranks; "
            "make the global batch a multiple of 2 (and drop the last, smaller batch: drop_last)");
  EXPECT_EQ(error_of([] { dist::shard(zeros({4}), 2, 2); }),
            "distributed::shard: rank 2 is not in 0 to world_size - 1 (1)");
  EXPECT_EQ(error_of([] { dist::shard(zeros({}), 0, 1); }),
            "distributed::shard: a batch needs a first dimension, got a scalar");
}

// ---- (c) broadcast ----

TEST(DistributedBroadcast, MakesEveryRankEqualToTheRootBitForBit) {
  const int n = dist::world_size(), r = dist::rank();
  for (int root : {0, n - 1}) {
    manual_seed(200 + r);
    Mlp model;
    EXPECT_FALSE(same_bits_on_every_rank(model.fc1->weight)) << "the ranks should start apart";
    const std::vector<float> roots_own = floats(model.fc2->bias);
    dist::broadcast_parameters(model, root);
    for (const Tensor& p : model.parameters()) EXPECT_TRUE(same_bits_on_every_rank(p));
    if (r == root) {
      EXPECT_EQ(floats(model.fc2->bias), roots_own);
    }
  }
}

TEST(DistributedBroadcast, ARootThatIsNotARankThrows) {
  Mlp model;
  try {
    dist::broadcast_parameters(model, dist::world_size());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "distributed::broadcast_parameters: root " + std::to_string(dist::world_size()) +
                                         " is not a rank; the ranks are 0 to " + std::to_string(dist::world_size() - 1));
  }
}

// ---- (d) different models on different ranks ----

TEST(DistributedMismatch, ADifferentShapeIsNamedWithBothShapesOnEveryRank) {
  const int last = dist::world_size() - 1;
  Mlp model(dist::rank() == last ? 5 : 8);
  const std::string expected = "distributed::broadcast_parameters: the ranks' models differ: parameter 'fc1.weight' is "
                               "[5, 4] torch.float32 on rank " + std::to_string(last) +
                               " but [8, 4] torch.float32 on rank 0. Every rank must build the same model (same "
                               "layers, sizes and order).";
  EXPECT_EQ(error_of([&] { dist::broadcast_parameters(model); }), expected);
}

TEST(DistributedMismatch, AMissingParameterAndADifferentDtypeAreNamed) {
  const int last = dist::world_size() - 1;
  const bool odd_one = dist::rank() == last;
  std::vector<Tensor> params = {zeros({2}), zeros({3})};
  if (odd_one) params.pop_back();
  EXPECT_EQ(error_of([&] { dist::all_reduce_gradients(params); }),
            "distributed::all_reduce_gradients: the ranks' models differ: rank " + std::to_string(last) +
                " has 1 parameters and rank 0 has 2; the first one only on rank 0 is 'parameter 1' [3] "
                "torch.float32. Every rank must build the same model (same layers, sizes and order).");
  Tensor w = zeros({2}, odd_one ? DType::Float64 : DType::Float32);
  EXPECT_EQ(error_of([&] { dist::broadcast_parameters({w}); }),
            "distributed::broadcast_parameters: the ranks' models differ: parameter 'parameter 0' is [2] "
            "torch.float64 on rank " + std::to_string(last) + " but [2] torch.float32 on rank 0. Every rank must "
            "build the same model (same layers, sizes and order).");
}

// ---- before init (this program, run without mpirun with MINIGRAD_TEST_WITHOUT_MPI=1) ----

TEST(DistributedUninitialised, EveryFunctionSaysMpiIsNotRunning) {
  if (dist::is_initialized()) GTEST_SKIP() << "MPI is running; tests/CMakeLists.txt runs this test alone without it";
  Tensor w = zeros({1});
  const std::string hint = ": MPI is not running; call distributed::init(argc, argv) first (or create a "
                           "distributed::Guard at the top of main), and launch the program with mpirun";
  auto message = [](const std::function<void()>& call) {
    try {
      call();
    } catch (const std::logic_error& e) {
      return std::string(e.what());
    }
    return std::string("(no exception)");
  };
  EXPECT_EQ(message([] { dist::rank(); }), "distributed::rank" + hint);
  EXPECT_EQ(message([] { dist::world_size(); }), "distributed::world_size" + hint);
  EXPECT_EQ(message([&] { dist::broadcast_parameters({w}); }), "distributed::broadcast_parameters" + hint);
  EXPECT_EQ(message([&] { dist::all_reduce_gradients({w}); }), "distributed::all_reduce_gradients" + hint);
  EXPECT_EQ(message([&] { dist::shard(w); }), "distributed::shard" + hint);
  EXPECT_EQ(message([&] { dist::Reducer reducer({w}); }), "distributed::Reducer" + hint);
}

}  // namespace
}  // namespace minigrad

// Checks nn/loss.h: nn::MSELoss is functional::mse_loss with its reduction, and prints as torch's.
#include <gtest/gtest.h>

#include "core/core.h"
#include "nn/nn.h"
#include "tests/fixture.h"
#include "tests/testing.h"

namespace minigrad {
namespace {

TEST(NnLoss, MseLossModuleMatchesTorch) {
  const testing::Fixture& ref = testing::Fixture::get("nn_layers.txt");
  nn::MSELoss mean;
  nn::MSELoss sum(Reduction::Sum);
  EXPECT_TRUE(testing::all_close(mean(ref["mse_input"], ref["mse_target"]), ref["mse_mean"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_TRUE(testing::all_close(sum(ref["mse_input"], ref["mse_target"]), ref["mse_sum"], {.atol = 1e-7, .rtol = 1e-6}));
  EXPECT_EQ(mean.extra_repr(), "");  // torch prints MSELoss() whatever the reduction
}

}  // namespace
}  // namespace minigrad

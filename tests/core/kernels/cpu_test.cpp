// Checks core/kernels/cpu.cpp: the level in use is one this CPU runs (the best unless
// MINIGRAD_CPU says otherwise), levels can be switched, and an unknown level is an error
// naming it and the available ones. MINIGRAD_CPU naming a bad level stops the program at
// start-up: that is checked in a process of its own (tests/CMakeLists.txt: cpu_level_*_at_startup).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/core.h"
#include "tests/core/kernels/levels.h"

namespace minigrad::kernels {
namespace {

TEST(KernelsTestCpu, LevelInUseIsAvailableAndTheBestByDefault) {
  const auto levels = available_cpu_capabilities();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), "portable");
  const std::string now = cpu_capability();
  EXPECT_NE(std::find(levels.begin(), levels.end(), now), levels.end()) << now;
  const char* env = std::getenv("MINIGRAD_CPU");
  EXPECT_EQ(now, env && *env ? std::string(env) : levels.back());
}

TEST(KernelsTestCpu, SwitchesLevels) {
  for (const std::string& level : available_cpu_capabilities()) {
    testing_levels::Scoped at(level);
    EXPECT_EQ(cpu_capability(), level);
    EXPECT_EQ(std::string(cpu().name), level);
  }
}

TEST(KernelsTestCpu, UnknownLevelNamesItAndTheAvailableOnes) {
  const std::string before = cpu_capability();
  try {
    set_cpu_capability("sse9");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'sse9'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unknown"), std::string::npos) << msg;
    EXPECT_NE(msg.find("available here: portable"), std::string::npos) << msg;
  }
  EXPECT_EQ(cpu_capability(), before);  // unchanged
}

TEST(KernelsTestCpu, LevelsThisCpuLacksAreRefused) {
  const auto levels = available_cpu_capabilities();
  const std::string before = cpu_capability();
  for (const char* level : {"avx2", "avx512"}) {
    if (std::find(levels.begin(), levels.end(), level) != levels.end()) continue;
    try {
      set_cpu_capability(level);
      ADD_FAILURE() << "expected std::runtime_error for " << level;
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(std::string("'") + level + "'"), std::string::npos) << msg;
      EXPECT_NE(msg.find("not supported by this CPU"), std::string::npos) << msg;
      EXPECT_NE(msg.find("available here: portable"), std::string::npos) << msg;
    }
    EXPECT_EQ(cpu_capability(), before);
  }
}

}  // namespace
}  // namespace minigrad::kernels

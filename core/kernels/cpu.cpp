// Chooses the kernel level (core/kernels/cpu.h): asks the CPU what it runs (CPUID,
// through the compiler's __builtin_cpu_supports) and honours MINIGRAD_CPU.
// Not here: the kernels themselves (core/kernels/level_kernels.h).
#include "core/kernels/cpu.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace minigrad::kernels {
namespace {

// Lowest first; a level is listed only when this build compiled it (MINIGRAD_X86_LEVELS,
// set by CMakeLists.txt on x86-64 with GCC or Clang) and the CPU and OS run it.
std::vector<const CpuKernels*> available_levels() {
  std::vector<const CpuKernels*> levels = {&portable::table};
#if defined(MINIGRAD_X86_LEVELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    levels.push_back(&avx2::table);
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
      levels.push_back(&avx512::table);
  }
#endif
  return levels;
}

const CpuKernels& find_level(const std::string& name) {
  std::string names;
  for (const CpuKernels* k : available_levels()) {
    if (name == k->name) return *k;
    names += names.empty() ? k->name : std::string(", ") + k->name;
  }
  throw std::runtime_error("minigrad: CPU level '" + name + "' (MINIGRAD_CPU or set_cpu_capability) is " +
                           (name == "portable" || name == "avx2" || name == "avx512" ? "not supported by this CPU"
                                                                                     : "unknown") +
                           "; available here: " + names + ". Unset MINIGRAD_CPU to get the best one.");
}

const CpuKernels* from_environment() {
  const char* env = std::getenv("MINIGRAD_CPU");
  if (env && *env) return &find_level(env);
  return available_levels().back();
}

std::atomic<const CpuKernels*> chosen{nullptr};

// MINIGRAD_CPU is checked when the program starts (this initialiser runs before main): a
// bad value stops it there, saying why and what is available, instead of at the first
// kernel, which may run on an OpenMP thread where the exception could not be caught.
[[maybe_unused]] const bool environment_checked = [] {
  try {
    const CpuKernels* none = nullptr;  // unless set_cpu_capability ran first (another initialiser)
    chosen.compare_exchange_strong(none, from_environment(), std::memory_order_acq_rel);
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::exit(EXIT_FAILURE);
  }
  return true;
}();

}  // namespace

const CpuKernels& cpu() {
  const CpuKernels* k = chosen.load(std::memory_order_acquire);
  if (k) return *k;
  static const CpuKernels* const first = from_environment();  // throws again on every call if bad
  chosen.store(first, std::memory_order_release);
  return *first;
}

}  // namespace minigrad::kernels

namespace minigrad {

std::string cpu_capability() { return kernels::cpu().name; }

std::vector<std::string> available_cpu_capabilities() {
  std::vector<std::string> names;
  for (const kernels::CpuKernels* k : kernels::available_levels()) names.emplace_back(k->name);
  return names;
}

void set_cpu_capability(const std::string& level) {
  kernels::chosen.store(&kernels::find_level(level), std::memory_order_release);
}

}  // namespace minigrad

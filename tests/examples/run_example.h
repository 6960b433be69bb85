// Runs a built example program (build/examples/NAME) through the shell and captures what it
// prints, for the tests in tests/examples/. Not a process library: popen and its exit status.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include "tests/paths.h"

namespace minigrad::testing {

struct ProgramResult {
  int status = -1;  // the exit status; -1 if it could not run or did not exit normally
  std::string out;  // what it wrote to stdout
};

inline std::string example_path(const std::string& name) { return std::string(MINIGRAD_EXAMPLES_DIR) + "/" + name; }

// Runs `command` with /bin/sh, capturing its stdout.
inline ProgramResult run_command(const std::string& command) {
  ProgramResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) r.out.append(buf, n);
  int st = pclose(pipe);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Runs example `name` with `args`; `env` goes before the command ("NAME=value ..."), and
// `redirect` after it (by default stderr is discarded; " 2>&1 >/dev/null" captures it alone).
inline ProgramResult run_example(const std::string& name, const std::string& args, const std::string& env = "",
                                 const std::string& redirect = " 2>/dev/null") {
  std::string command = env;  // appended piece by piece: GCC 12 warns (-Wrestrict) on "\"" + string
  command += " \"";
  command += example_path(name);
  command += "\" ";
  command += args;
  command += redirect;
  return run_command(command);
}

}  // namespace minigrad::testing

// The one test object built with the paths (tests/CMakeLists.txt); see tests/paths.h.
#include "tests/paths.h"

namespace minigrad::testing::paths {
const char* const fixture_dir = MINIGRAD_PATH_FIXTURES;
const char* const source_dir = MINIGRAD_PATH_SOURCE;
const char* const examples_dir = MINIGRAD_PATH_EXAMPLES;
#ifdef MINIGRAD_PATH_GPT2_VOCAB
const char* const gpt2_vocab_dir = MINIGRAD_PATH_GPT2_VOCAB;
#else
const char* const gpt2_vocab_dir = "";
#endif
}  // namespace minigrad::testing::paths

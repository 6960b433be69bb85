// Where the tests find the checkout, its fixtures, the built examples and GPT-2's vocabulary.
// The paths are compiled into tests/paths.cpp alone: no other test object depends on where the
// checkout or the build lives, so ccache shares them between checkouts (git worktrees).
#pragma once

namespace minigrad::testing::paths {
extern const char* const fixture_dir;     // tests/fixtures
extern const char* const source_dir;      // the checkout
extern const char* const examples_dir;    // <build>/examples
extern const char* const gpt2_vocab_dir;  // <build>/gpt2_vocab (empty in binaries that do not read it)
}  // namespace minigrad::testing::paths

#define MINIGRAD_FIXTURE_DIR (::minigrad::testing::paths::fixture_dir)
#define MINIGRAD_SOURCE_DIR (::minigrad::testing::paths::source_dir)
#define MINIGRAD_EXAMPLES_DIR (::minigrad::testing::paths::examples_dir)
#define MINIGRAD_GPT2_VOCAB_DIR (::minigrad::testing::paths::gpt2_vocab_dir)

// The avx512 level: core/kernels/level_kernels.h compiled with this level's flags
// (set for this file in CMakeLists.txt). Nothing else belongs here.
#define MINIGRAD_LEVEL avx512
#define MINIGRAD_LEVEL_ID 2
// GCC 12's _mm512_undefined_ps (behind _mm512_min_ps, _mm512_roundscale_ps, ...) trips a
// false -Wmaybe-uninitialized (GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "core/kernels/level_kernels.h"

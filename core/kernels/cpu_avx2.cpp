// The avx2 level: core/kernels/level_kernels.h compiled with this level's flags
// (set for this file in CMakeLists.txt). Nothing else belongs here.
#define MINIGRAD_LEVEL avx2
#define MINIGRAD_LEVEL_ID 1
#include "core/kernels/level_kernels.h"

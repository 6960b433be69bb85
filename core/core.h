// Everything in minigrad's core: Tensor, the autograd engine, random streams, debugging aids,
// safetensors checkpoints.
#pragma once

#include "core/autograd.h"
#include "core/debug.h"
#include "core/dtype.h"
#include "core/graph.h"
#include "core/kernels/cpu.h"       // cpu_capability
#include "core/kernels/parallel.h"  // set_num_threads, get_num_threads
#include "core/random.h"
#include "core/safetensors.h"
#include "core/tensor.h"

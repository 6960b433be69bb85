// Everything in minigrad's nn layer: Module, init, Embedding, Linear, functional, clip_grad_norm_.
// Not here: optimizers (optim/optim.h) or the Tensor itself (core/core.h).
#pragma once

#include "nn/clip_grad.h"
#include "nn/embedding.h"
#include "nn/functional.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/module.h"

// Everything in minigrad's nn layer: Module, init, the layers (Embedding, Linear, Dropout,
// GELU, ReLU, LayerNorm), the containers (Sequential, ModuleList), MSELoss, functional,
// clip_grad_norm_.
// Not here: optimizers (optim/optim.h) or the Tensor itself (core/core.h).
#pragma once

#include "nn/activation.h"
#include "nn/clip_grad.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/functional.h"
#include "nn/init.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/module.h"
#include "nn/module_list.h"
#include "nn/repr.h"
#include "nn/sequential.h"

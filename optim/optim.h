// Everything in minigrad's optim layer: the Optimizer base and SGD.
// Not here: models (nn/nn.h) or the Tensor itself (core/core.h).
#pragma once

#include "optim/optimizer.h"
#include "optim/sgd.h"

// Everything in minigrad's optim layer: the Optimizer base (with parameter groups), SGD,
// Adam, AdamW and the warm-up + cosine learning-rate schedule.
// Not here: models (nn/nn.h) or the Tensor itself (core/core.h).
#pragma once

#include "optim/adam.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "optim/sgd.h"

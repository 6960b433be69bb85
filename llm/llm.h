// The llm layer in one include: GPT-2's tokenizer (encode/decode, OpenAI's vocabulary
// files) and train_bpe. Built on core, nn and optim; nothing in them includes llm.
#pragma once

#include "llm/bpe_train.h"
#include "llm/data.h"
#include "llm/pretokenize.h"
#include "llm/tokenizer.h"

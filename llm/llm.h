// The llm layer in one include: GPT-2's tokenizer (encode/decode, OpenAI's vocabulary
// files), train_bpe, the data loader, the book's chapter 4 GPT (GPTConfig, MultiHeadAttention,
// TransformerBlock, GPTModel, generate_text_simple) and chapter 5's generate (temperature,
// top-k, eos) and training checkpoints. Built on core, nn and optim; nothing in them includes llm.
#pragma once

#include "llm/attention.h"
#include "llm/bpe_train.h"
#include "llm/checkpoint.h"
#include "llm/data.h"
#include "llm/generate.h"
#include "llm/gpt.h"
#include "llm/gpt_config.h"
#include "llm/pretokenize.h"
#include "llm/tokenizer.h"
#include "llm/transformer_block.h"

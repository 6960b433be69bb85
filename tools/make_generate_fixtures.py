"""The book's chapter 5 generate (tools/gpt_book.py) -> tests/fixtures/generate.txt, read by
tests/llm/generate_test.cpp (llm/generate.h).

    /usr/bin/python3 tools/make_generate_fixtures.py

One small GPT, built right after torch.manual_seed(MODEL_SEED), in eval mode. For each case
of CASES (tests/llm/generate_test.cpp holds the same list): torch.manual_seed(seed), then
generate(...) on the case's prompt; the records are
  tag.prompt      the prompt ids (B, T)
  tag.out         what generate returned
  tag.rand_after  torch.rand(3) right after, which shows how many draws generate consumed
For the eos cases the eos id is picked from a run without it (the id sampled at step
EOS_STEP), so the stop is exercised; it is recorded as tag.eos_id.
"""
import os

import torch

import gpt_book as book
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")

MODEL_SEED = 7
CONFIG = dict(vocab_size=50, context_length=8, emb_dim=16, n_heads=2, n_layers=2, drop_rate=0.1, qkv_bias=False)
EOS_STEP = 3

# tag: (batch, max_new_tokens, context_size, temperature, top_k, eos ("pick": an id the run
# samples, "absent": one it never samples, None: no eos_id), seed)
CASES = {
    "greedy": (1, 10, 8, 0.0, None, None, 1),
    "greedy_top3": (1, 10, 8, 0.0, 3, None, 1),
    "greedy_ctx5": (1, 9, 5, 0.0, None, None, 1),
    "t1_top5_s123": (1, 12, 8, 1.0, 5, None, 123),
    "t1.4_top25_s0": (1, 12, 8, 1.4, 25, None, 0),
    "t0.7_s42": (1, 12, 8, 0.7, None, None, 42),
    "t2_topvocab_s9": (1, 12, 8, 2.0, 50, None, 9),
    "t1_top1_s3": (1, 6, 8, 1.0, 1, None, 3),
    "t0.3_top10_s77": (1, 12, 6, 0.3, 10, None, 77),
    "batch3_t1.1_top10_s5": (3, 8, 8, 1.1, 10, None, 5),
    "eos_t1_top5_s123": (1, 12, 8, 1.0, 5, "pick", 123),
    "eos_greedy": (1, 10, 8, 0.0, None, "pick", 1),
    "eos_absent_t1_s11": (1, 8, 8, 1.0, None, "absent", 11),
}


def main():
    torch.manual_seed(MODEL_SEED)
    model = book.GPTModel(CONFIG)
    model.eval()
    prompts = torch.randint(0, CONFIG["vocab_size"], (3, 3), generator=torch.Generator().manual_seed(2024))
    records = [("prompts", prompts)]
    for tag, (batch, new, ctx, temp, top_k, eos, seed) in CASES.items():
        prompt = prompts[:batch]
        eos_id = None
        if eos is not None:
            torch.manual_seed(seed)
            free = book.generate(model, prompt, new, ctx, temp, top_k)
            sampled = free[0, prompt.shape[1]:].tolist()
            eos_id = sampled[EOS_STEP] if eos == "pick" else min(set(range(CONFIG["vocab_size"])) - set(sampled))
            records.append((f"{tag}.eos_id", torch.tensor([eos_id])))
        torch.manual_seed(seed)
        out = book.generate(model, prompt, new, ctx, temp, top_k, eos_id)
        records += [(f"{tag}.prompt", prompt), (f"{tag}.out", out), (f"{tag}.rand_after", torch.rand(3))]
    write(os.path.join(FIXTURES, "generate.txt"), records,
          f"The book's chapter 5 generate (tools/gpt_book.py) on GPTModel({CONFIG}) built after "
          f"manual_seed({MODEL_SEED}), eval mode; tools/make_generate_fixtures.py")


if __name__ == "__main__":
    main()

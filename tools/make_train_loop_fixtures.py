"""The book's chapter 5 training loop, draw for draw -> tests/fixtures/train_loop.txt, read by
tests/llm/train_loop_test.cpp.

    /usr/bin/python3 tools/make_train_loop_fixtures.py

A reduced GPT (CONFIG: dropout on), torch.manual_seed(123), then the book's
train_model_simple without its evaluations, plus clipping (appendix D):
    model = GPTModel(CONFIG)                                    # the weights' draws
    optimizer = AdamW(model.parameters(), lr=0.0004, weight_decay=0.1)
    loader = DataLoader(GPTDatasetV1(ids, 16, 16), batch_size=4, shuffle=True, drop_last=True)
    per step: zero_grad; loss = calc_loss_batch; backward; clip_grad_norm_(params, 1.0); step
STEPS steps over as many passes as needed (each pass draws the loader's seeds; each forward
draws the dropout masks). Then model.eval(), torch.manual_seed(GEN_SEED) and generate with a
temperature and top-k. Records:
  ids          the token ids trained on (a deterministic sequence with some structure)
  losses       (STEPS,) float32: each step's loss, before its update
  grad_norms   (STEPS,) float32: each step's total gradient norm, before clipping
  rand_after   torch.rand(3) right after the last step: the draws the loop consumed
  prompt, generated   the continuation's ids
  final.NAME   two parameters after the last step (FINAL: the first and the last layer's)
"""
import os

import torch

import gpt_book as book
from fixturelib import write
from make_data_fixtures import GPTDatasetV1

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")

CONFIG = dict(vocab_size=96, context_length=16, emb_dim=32, n_heads=2, n_layers=2, drop_rate=0.1, qkv_bias=False)
SEED = 123
NUM_IDS = 400  # 24 windows of 16 + 1 tokens, 6 batches of 4 a pass
BATCH_SIZE = 4
STEPS = 20  # three passes and two batches of a fourth
GEN_SEED = 7
PROMPT = [5, 17, 42, 8]
FINAL = ["tok_emb.weight", "out_head.weight"]


def token_ids():
    """A sequence with some structure to learn: words of 2 to 5 tokens, in a random order."""
    gen = torch.Generator().manual_seed(99)
    words = [torch.randint(0, CONFIG["vocab_size"], (int(n),), generator=gen).tolist()
             for n in torch.randint(2, 6, (12,), generator=gen)]
    ids = []
    while len(ids) < NUM_IDS:
        ids += words[int(torch.randint(0, len(words), (1,), generator=gen))]
    return ids[:NUM_IDS]


def main():
    ids = token_ids()
    torch.manual_seed(SEED)
    model = book.GPTModel(CONFIG)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.0004, weight_decay=0.1)
    dataset = GPTDatasetV1(ids, CONFIG["context_length"], CONFIG["context_length"])
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True, drop_last=True, num_workers=0)
    losses, norms = [], []
    while len(losses) < STEPS:
        model.train()
        for input_batch, target_batch in loader:
            optimizer.zero_grad()
            loss = book.calc_loss_batch(input_batch, target_batch, model)
            loss.backward()
            norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).item())
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == STEPS:
                break
    rand_after = torch.rand(3)
    model.eval()
    torch.manual_seed(GEN_SEED)
    prompt = torch.tensor([PROMPT])
    generated = book.generate(model, prompt, max_new_tokens=12, context_size=CONFIG["context_length"],
                              temperature=1.4, top_k=25)
    records = [("ids", torch.tensor(ids)), ("losses", torch.tensor(losses)), ("grad_norms", torch.tensor(norms)),
               ("rand_after", rand_after), ("prompt", prompt), ("generated", generated)]
    params = dict(model.named_parameters())
    records += [(f"final.{name}", params[name]) for name in FINAL]
    write(os.path.join(FIXTURES, "train_loop.txt"), records,
          f"The book's chapter 5 loop ({STEPS} steps, AdamW, clipping, dropout, shuffle) on GPTModel({CONFIG}) "
          f"after manual_seed({SEED}), then generate; tools/make_train_loop_fixtures.py", compact=True)
    print("losses", losses)
    print("generated", generated.tolist())


if __name__ == "__main__":
    main()

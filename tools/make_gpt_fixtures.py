"""The book's chapter 4 GPT in PyTorch -> fixtures for tests/llm/ (llm/gpt.h, llm/attention.h).

    /usr/bin/python3 tools/make_gpt_fixtures.py

Writes, under tests/fixtures/:
  gpt.txt                 per reduced configuration (tag.*): the ids, the logits, the loss
                          (cross-entropy of the logits against the ids shifted by one) and
                          the gradient of every parameter after one backward; one greedy
                          generate_text_simple run
  gpt_state_dict.txt      the state_dict keys of one model, in PyTorch's order, with dtype and shape
  gpt_module_tree.txt     print(GPTModel(GPT_CONFIG_SMALL)): PyTorch's text for the module tree
  gpt_ch04_small.txt      what tools/gpt_book.py --config small prints (examples/gpt_ch04.cpp
  gpt_ch04_124M.txt       --config small must print the same; the 124M text is the book's)
The models are tools/gpt_book.py's, i.e. the book's classes.
"""
import contextlib
import io
import os

import torch
import torch.nn.functional as F

import gpt_book as book
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")


def cfg(vocab, ctx, emb, heads, layers, drop, bias):
    return dict(vocab_size=vocab, context_length=ctx, emb_dim=emb, n_heads=heads, n_layers=layers,
                drop_rate=drop, qkv_bias=bias)


# tag, config, seed, batch, tokens, training mode. The model is built right after
# manual_seed(seed), and its forward is the next user of the default stream (the ids come
# from a generator of their own), so training-mode dropout draws are reproducible in C++.
CASES = [
    ("eval_nobias", cfg(50, 8, 12, 3, 2, 0.0, False), 1, 2, 8, False),
    ("train_drop_bias", cfg(37, 6, 8, 2, 1, 0.1, True), 2, 2, 5, True),
    ("train_drop", cfg(64, 10, 16, 4, 3, 0.25, False), 3, 3, 7, True),
    ("eval_drop", cfg(64, 10, 16, 4, 3, 0.25, False), 4, 3, 7, False),
    ("train_nodrop_1head", cfg(23, 5, 6, 1, 2, 0.0, True), 5, 1, 5, True),
]


def gpt_records():
    records = []
    for tag, c, seed, b, t, training in CASES:
        torch.manual_seed(seed)
        model = book.GPTModel(c)
        model.train(training)
        ids = torch.randint(0, c["vocab_size"], (b, t + 1), generator=torch.Generator().manual_seed(1000 + seed))
        inputs, targets = ids[:, :-1], ids[:, 1:]
        logits = model(inputs)
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        loss.backward()
        records += [(f"{tag}.ids", ids), (f"{tag}.logits", logits), (f"{tag}.loss", loss)]
        records += [(f"{tag}.grad.{name}", p.grad) for name, p in model.named_parameters()]
        if tag == "eval_nobias":
            # Greedy continuation of the first three ids, with a context crop of 4 tokens.
            model.eval()
            out = book.generate_text_simple(model, ids[:, :3], max_new_tokens=5, context_size=4)
            records.append((f"{tag}.generate", out))
    return records


def state_dict_lines():
    torch.manual_seed(0)
    model = book.GPTModel(CASES[1][1])  # qkv_bias on, so the bias keys are listed too
    return [f"{k} {str(v.dtype).replace('torch.', '')} {list(v.shape)}".replace(" [", " [", 1)
            for k, v in model.state_dict().items()]


def ch04_text(config):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        book.ch04(config)
    return buf.getvalue()


def main():
    header = ("The book's chapter 4 GPTModel (tools/gpt_book.py) on reduced configurations,\n"
              "written by tools/make_gpt_fixtures.py. Per case: ids (B, T + 1), logits of ids[:, :-1],\n"
              "the mean cross-entropy against ids[:, 1:], and every parameter's gradient after one backward.\n"
              + "\n".join(f"{tag}: {c} seed {s} batch {b} tokens {t} {'train' if tr else 'eval'}"
                          for tag, c, s, b, t, tr in CASES))
    write(os.path.join(FIXTURES, "gpt.txt"), gpt_records(), header, compact=True)
    with open(os.path.join(FIXTURES, "gpt_state_dict.txt"), "w") as f:
        f.write(f"# GPTModel({CASES[1][1]}).state_dict(): key dtype shape, in PyTorch's order\n")
        f.write("\n".join(state_dict_lines()) + "\n")
    with open(os.path.join(FIXTURES, "gpt_module_tree.txt"), "w") as f:
        f.write(str(book.GPTModel(book.GPT_CONFIG_SMALL)) + "\n")
    for name, config in [("small", book.GPT_CONFIG_SMALL), ("124M", book.GPT_CONFIG_124M)]:
        with open(os.path.join(FIXTURES, f"gpt_ch04_{name}.txt"), "w") as f:
            f.write(ch04_text(config))


if __name__ == "__main__":
    main()

"""Fixtures for tests/llm/interchange_test.cpp: GPT weights carried between PyTorch and minigrad
in safetensors files, with equal logits both ways. The models are the book's GPTModel
(tools/gpt_book.py); the files go through tools/torch_safetensors.py (torch + the standard library).

  PyTorch -> minigrad: writes tests/fixtures/gpt_torch.safetensors, the state_dict of a GPTModel
    on TORCH_CFG built after manual_seed(11), every parameter then moved off its initial value
    by randn / 16 (so LayerNorm's ones and zeros cannot hide a tensor loaded under the wrong key).
  minigrad -> PyTorch: reads tests/fixtures/gpt_minigrad.safetensors, which the C++ test writes
    (and checks that minigrad still writes byte for byte), into a GPTModel on MINIGRAD_CFG built
    after another seed, strict load.
  tests/fixtures/interchange.txt: IDS and the eval-mode logits of both models on IDS.

Order (the second step needs the file the first writes):
  MINIGRAD_UPDATE_FIXTURES=1 build/tests/minigrad_tests --gtest_filter='GPTInterchange.*'
  /usr/bin/python3 tools/make_interchange_fixtures.py
"""
import hashlib
import os

import torch

import gpt_book as book
import torch_safetensors
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")

# Both with 2 heads and 2 blocks; qkv_bias on one side only, so both key sets are crossed.
TORCH_CFG = dict(vocab_size=40, context_length=6, emb_dim=8, n_heads=2, n_layers=2, drop_rate=0.1, qkv_bias=True)
MINIGRAD_CFG = dict(TORCH_CFG, qkv_bias=False)
IDS = torch.randint(0, 40, (2, 6), generator=torch.Generator().manual_seed(2026))


def torch_written():
    torch.manual_seed(11)
    model = book.GPTModel(TORCH_CFG)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape) / 16)
    model.eval()
    path = os.path.join(FIXTURES, "gpt_torch.safetensors")
    torch_safetensors.save(path, model.state_dict(), {"source": "tools/make_interchange_fixtures.py"})
    # The file holds exactly the state_dict.
    back = torch_safetensors.load(path)
    assert list(back) == list(model.state_dict())
    assert all(torch.equal(back[k], v) for k, v in model.state_dict().items())
    with torch.no_grad():
        return model(IDS)


def minigrad_written():
    path = os.path.join(FIXTURES, "gpt_minigrad.safetensors")
    torch.manual_seed(99)
    model = book.GPTModel(MINIGRAD_CFG)
    model.eval()
    with torch.no_grad():
        before = model(IDS)
    model.load_state_dict(torch_safetensors.load(path))  # strict: the same keys, the same shapes
    with torch.no_grad():
        logits = model(IDS)
    assert (logits - before).abs().max() > 0.1, "the load changed nothing"
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return logits, digest


def main():
    torch_logits = torch_written()
    minigrad_logits, digest = minigrad_written()
    header = ("GPT weights between PyTorch and minigrad; tools/make_interchange_fixtures.py.\n"
              f"torch_written.logits: the book's GPTModel({TORCH_CFG}) of gpt_torch.safetensors on ids, eval mode.\n"
              f"minigrad_written.logits: the book's GPTModel({MINIGRAD_CFG}) loaded from\n"
              f"gpt_minigrad.safetensors (sha256 {digest}), on ids, eval mode.")
    write(os.path.join(FIXTURES, "interchange.txt"),
          [("ids", IDS), ("torch_written.logits", torch_logits), ("minigrad_written.logits", minigrad_logits)], header)


if __name__ == "__main__":
    main()

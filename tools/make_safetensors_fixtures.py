"""Writes tests/fixtures/torch_written.safetensors (PyTorch tensors saved by the standard-library
writer tools/safetensors_io.py) and tests/fixtures/safetensors.txt (the same tensors in the text
fixture format), read by tests/core/safetensors_test.cpp. Also checks that the reader gives back
what the writer wrote.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_safetensors_fixtures.py
"""
import os

import torch

import fixturelib
import safetensors_io

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")
CODES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}
# Sorted keys: minigrad's metadata is a std::map, written in key order.
METADATA = {"format": "pt", "source": "tools/make_safetensors_fixtures.py", "step": "42"}


def tensors():
    g = torch.Generator().manual_seed(8)
    return [
        ("wte.weight", torch.randn(5, 4, generator=g)),
        ("blocks.0.ln.bias", torch.randn(4, generator=g)),
        ("counts", torch.tensor([-3, 0, 2**40 + 7, -(2**62)], dtype=torch.int64)),
        ("mask", torch.tensor([[True, False, True], [False, False, True]])),
        ("scale", torch.tensor(2.5, dtype=torch.float64) / 3),  # shape []: a scalar
        ("empty", torch.zeros(0, 3)),
        ("dropout_rng", torch.randn(2, 1, 3, generator=g, dtype=torch.float64)),
    ]


if __name__ == "__main__":
    named = tensors()
    path = os.path.join(OUT, "torch_written.safetensors")
    safetensors_io.write(path, [(n, CODES[t.dtype], t.shape, t.contiguous().numpy().tobytes()) for n, t in named],
                         METADATA)
    back, metadata = safetensors_io.read(path)
    assert metadata == METADATA
    for name, t in named:
        dtype, shape, data = back[name]
        assert dtype == CODES[t.dtype] and shape == list(t.shape) and data == t.numpy().tobytes(), name
    fixturelib.write(os.path.join(OUT, "safetensors.txt"), named,
                     "the tensors in torch_written.safetensors; tools/make_safetensors_fixtures.py")

"""Writes tests/fixtures/nn_clip_grad.txt: torch.nn.utils.clip_grad_norm_ results (the total
norm and the scaled gradients) for several norms and max_norms, read by tests/nn/clip_grad_test.cpp.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_clip_grad_fixtures.py
"""
import math
import os

import torch

import fixturelib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")
SHAPES = [(4, 5), (7,), (2, 3, 2)]

# name: (max_norm, norm_type, dtype)
CASES = {
    "l2_clipped": (1.0, 2.0, torch.float32),
    "l2_unclipped": (100.0, 2.0, torch.float32),
    "inf_clipped": (0.5, math.inf, torch.float32),
    "l1_clipped": (2.0, 1.0, torch.float32),
    "l3_clipped": (1.0, 3.0, torch.float32),
    "l2_f64": (0.25, 2.0, torch.float64),
}


def records():
    g = torch.Generator().manual_seed(31)
    for name, (max_norm, norm_type, dtype) in CASES.items():
        params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in SHAPES]
        for i, p in enumerate(params):
            p.grad = torch.randn(p.shape, generator=g, dtype=dtype) * (i + 1)
            yield f"{name}_grad{i}", p.grad.clone()
        # A parameter without a gradient rides along and is skipped.
        skipped = torch.zeros(3, dtype=dtype, requires_grad=True)
        total = torch.nn.utils.clip_grad_norm_(params + [skipped], max_norm, norm_type)
        yield f"{name}_total", total
        for i, p in enumerate(params):
            yield f"{name}_clipped{i}", p.grad


if __name__ == "__main__":
    fixturelib.write(os.path.join(OUT, "nn_clip_grad.txt"), records(),
                     "torch.nn.utils.clip_grad_norm_; tools/make_clip_grad_fixtures.py")

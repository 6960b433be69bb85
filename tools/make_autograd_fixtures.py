"""Writes tests/fixtures/autograd.txt: PyTorch's numbers for the engine, the in-place
ops and arange, read by tests/core/{autograd,tensor,factory}_test.cpp.

engine_*  : float32 graphs where a tensor feeds several consumers, so the order in
            which the engine sums their gradients shows in the last bits.
inplace_* : add_/sub_ with alpha (one fused multiply-add in torch), scalar add_/sub_/mul_
            (float32 arithmetic with the scalar rounded first), over 37 elements.
arange_*  : float ranges longer than one pair of AVX2 vectors, plus a tail, and
            Int64 ranges whose float bounds torch truncates first.
Run with PyTorch 1.13:  python3 tools/make_autograd_fixtures.py
"""
import os

import torch

import fixturelib


def engine():
    # x feeds y, z, w, created in that order, but summed as (w + y) + z: torch runs
    # the newest ready node first, so x.grad = (c + b) + a, which for these values
    # differs from every other order in float32.
    x = torch.tensor([0.5, -1.25, 2.0, 3.0], requires_grad=True)
    a = torch.tensor([1.0, 3.0, 1e-3, 7.0])
    b = torch.tensor([1e8, 1e8, 4096.0, 0.1])
    c = torch.tensor([-1e8, -1e8, -4096.0, 0.2])
    y, z, w = x * a, x * b, x * c
    loss = (w.sum() + y.sum()) + z.sum()
    loss.backward()
    yield "engine_order_a", a
    yield "engine_order_b", b
    yield "engine_order_c", c
    yield "engine_order_x", x
    yield "engine_order_dx", x.grad

    # A non-leaf h used by four edges of three nodes, random float32 values (only
    # mul and add, whose float32 results minigrad reproduces exactly).
    g = torch.Generator().manual_seed(7)
    x = torch.randn(6, generator=g).requires_grad_()
    p = torch.randn(6, generator=g)
    q = torch.randn(6, generator=g)
    h = x * 2.5
    loss = ((h * p).sum() + (h * h * q).sum()) + ((h * q) * p).sum()
    loss.backward()
    yield "engine_mixed_x", x
    yield "engine_mixed_p", p
    yield "engine_mixed_q", q
    yield "engine_mixed_dx", x.grad


def inplace():
    g = torch.Generator().manual_seed(3)
    for dtype, code in [(torch.float32, "f32"), (torch.float64, "f64")]:
        a = torch.randn(37, generator=g, dtype=dtype)
        b = torch.randn(37, generator=g, dtype=dtype)
        yield f"inplace_{code}_a", a
        yield f"inplace_{code}_b", b
        yield f"inplace_{code}_add_alpha", a.clone().add_(b, alpha=0.1)
        yield f"inplace_{code}_sub_alpha", a.clone().sub_(b, alpha=0.37)
        yield f"inplace_{code}_add_scalar", a.clone().add_(0.1)
        yield f"inplace_{code}_sub_scalar", a.clone().sub_(7.3)
        yield f"inplace_{code}_mul_scalar", a.clone().mul_(1 / 3)
        yield f"inplace_{code}_mul", a.clone().mul_(b)


ARANGES = {
    "a": (0, 3, 0.1),
    "b": (-1.3, 7.9, 0.37),
    "c": (5, -2, -0.3),
    "d": (0, 100, 0.7),
    "e": (1e6, 1e6 + 1, 1 / 64),
    "f": (-3.7, 250.3, 0.173),
    "g": (0.1, 1, 0.01),
    "h": (2, 2.5, 0.1),
}
INT_ARANGES = {
    "a": (0.5, 5, 1.5),
    "b": (-2.5, 2, 1),
    "c": (2.7, -1.2, -1),
    "d": (-7, 20, 4),
    "e": (9, -10, -3),
}


def aranges():
    for name, (s, e, st) in ARANGES.items():
        yield f"arange_f32_{name}", torch.arange(s, e, st, dtype=torch.float32)
        yield f"arange_f64_{name}", torch.arange(s, e, st, dtype=torch.float64)
    for name, (s, e, st) in INT_ARANGES.items():
        yield f"arange_i64_{name}", torch.arange(s, e, st, dtype=torch.int64)


def records():
    yield from engine()
    yield from inplace()
    yield from aranges()


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "tests", "fixtures", "autograd.txt")
    fixturelib.write(out, records(), "PyTorch numbers for the engine, the in-place ops and arange.\n"
                    "Written by tools/make_autograd_fixtures.py; do not edit.")
    print("wrote", os.path.normpath(out))

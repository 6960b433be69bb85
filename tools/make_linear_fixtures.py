"""Writes tests/fixtures/linear.txt: PyTorch's F.linear forward and backward.

For each case, in float32 and float64: x, w, b (when the case has a bias), the output y,
a random upstream gradient g and dx, dw, db after y.backward(g). Records are named
<case>_<f32|f64>_<field>. Shapes are awkward on purpose (7, 33: not multiples of any
GEMM block). Read by tests/core/ops/linear_test.cpp.
Run with PyTorch 1.13:  python3 tools/make_linear_fixtures.py
"""
import os

import torch
import torch.nn.functional as F

import fixturelib

DTYPES = [(torch.float32, "f32"), (torch.float64, "f64")]

# name, shape of x, (out, in) of w, bias?
CASES = [
    ("mm2d", (4, 3), (5, 3), False),
    ("addmm2d", (7, 33), (9, 33), True),
    ("addmm3d", (2, 3, 17), (6, 17), True),
    ("mm3d", (2, 5, 8), (3, 8), False),
    ("vec1d", (4,), (2, 4), True),
]


def main():
    torch.manual_seed(20261129)
    records = []
    for name, xs, ws, with_bias in CASES:
        for dtype, code in DTYPES:
            x = torch.randn(xs, dtype=dtype, requires_grad=True)
            w = torch.randn(ws, dtype=dtype, requires_grad=True)
            b = torch.randn(ws[0], dtype=dtype, requires_grad=True) if with_bias else None
            y = F.linear(x, w, b)
            g = torch.randn(y.shape, dtype=dtype)
            y.backward(g)
            p = f"{name}_{code}_"
            records += [(p + "x", x), (p + "w", w), (p + "y", y), (p + "g", g),
                        (p + "dx", x.grad), (p + "dw", w.grad)]
            if with_bias:
                records += [(p + "b", b), (p + "db", b.grad)]
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "linear.txt")
    fixturelib.write(out, records, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()

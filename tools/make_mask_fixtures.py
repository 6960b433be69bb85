"""Writes tests/fixtures/mask_ops.txt: PyTorch's comparisons, bool conversions, where,
masked_fill / masked_fill_, triu / tril, and the book's causal attention mask.

Records (read by tests/core/ops/compare_test.cpp, triangle_test.cpp and tests/core/tensor_test.cpp):
  cmp_<i>_x, cmp_<i>_y, cmp_<i>_{eq,ne,lt,le,gt,ge}    tensor-tensor comparisons (y may be another dtype)
  cmps_<i>_x, cmps_<i>_s (0-dim f64), cmps_<i>_{eq,...}  tensor-scalar comparisons
  tobool_<i>_x, tobool_<i>_out, tobool_<i>_back (to(x.dtype) of out)
  where_<i>_<f32|f64>_{c,x,y,out,g,dx,dy}              c the condition, x/y the values
  mfill_<i>_<f32|f64>_{x,m,v,out,g,dx}                 v the fill value (0-dim f64)
  triu_<i>_<f32|f64>_{x,k,out,g,dx}, tril_... the same  k the diagonal (0-dim i64)
  causal_<f32|f64>_{q,k,g,w,dq,dk}: w = softmax(masked_fill_(q @ k^T, triu(ones(T, T), 1).bool(),
      -inf) / sqrt(d), -1) with the in-place masked_fill_ on the non-leaf scores, and its gradients.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_mask_fixtures.py
"""
import math
import os

import torch

import fixturelib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DTYPES = [(torch.float32, "f32"), (torch.float64, "f64")]
CMP_OPS = ["eq", "ne", "lt", "le", "gt", "ge"]
nan, inf = math.nan, math.inf


def small_ints(shape, seed, dtype=torch.float32):
    """Values in {-2, ..., 2}: comparisons then meet many ties."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-2, 3, shape, generator=g).to(dtype)


# (x, y): broadcasting, ties, NaN, mixed dtypes (torch promotes), bool, empty
def cmp_cases():
    return [
        (small_ints((3, 4), 1), small_ints((3, 4), 2)),
        (small_ints((2, 3, 1), 3), small_ints((4,), 4)),                      # -> (2, 3, 4)
        (torch.tensor([1.0, nan, -inf, 0.0, -0.0]), torch.tensor([1.0, nan, -inf, -0.0, nan])),
        (small_ints((2, 3), 5, torch.float64), small_ints((3,), 6, torch.float64)),
        (small_ints((2, 3), 7, torch.int64), small_ints((2, 1), 8, torch.int64)),
        (small_ints((4,), 9, torch.int64), small_ints((4,), 10) + 0.5),       # int64 vs float32
        (small_ints((3,), 11), small_ints((3,), 12, torch.float64)),          # float32 vs float64
        (torch.tensor([True, False, True, False]), torch.tensor([True, True, False, False])),
        (torch.zeros(0, 3), torch.zeros(3)),
        (small_ints((), 13), small_ints((2, 2), 14)),                         # 0-dim vs matrix
    ]


# (x, s): libtorch's tensor-vs-number rules
def cmp_scalar_cases():
    return [
        (small_ints((3, 4), 20), 0.0),
        (torch.tensor([0.1, 0.2, 0.30000001192092896]), 0.1),       # s rounded to float32 first
        (torch.tensor([0.1, 0.2], dtype=torch.float64), 0.1),
        (torch.tensor([-1, 0, 1, 2], dtype=torch.int64), 1.0),
        (torch.tensor([-1, 0, 1, 2], dtype=torch.int64), 0.5),      # int64 vs fractional: float32
        (torch.tensor([True, False]), 1.0),
        (torch.tensor([nan, 1.0, inf]), inf),
    ]


def tobool_cases():
    return [
        torch.tensor([0.0, -0.0, 2.5, -1e-30, nan, inf]),
        torch.tensor([[0.0, 1.0], [nan, -3.0]], dtype=torch.float64),
        torch.tensor([0, 5, -7], dtype=torch.int64),
        torch.zeros(2, 0),
    ]


def randn(shape, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=dtype)


def mask(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) > 0.5


# (condition shape, a shape, b shape)
WHERE_CASES = [
    ((3, 4), (3, 4), (3, 4)),
    ((3, 1), (1, 4), (3, 4)),        # all three broadcast
    ((2, 3, 4), (4,), ()),           # b a scalar
    ((4,), (2, 3, 4), (3, 1)),       # condition the smallest
    ((0, 3), (3,), (0, 3)),          # empty
]

# (x shape, mask shape, value)
MFILL_CASES = [
    ((3, 4), (3, 4), -inf),
    ((2, 3, 4), (3, 1), 0.5),        # mask broadcast to x
    ((4,), (), -2.0),                # 0-dim mask
    ((2, 5), (5,), inf),
    ((0, 3), (3,), 1.0),             # empty
]

# (shape, diagonal)
TRI_CASES = [
    ((4, 5), 0),
    ((4, 5), 1),
    ((5, 4), -1),
    ((4, 4), -2),
    ((3, 4), 7),                     # beyond the matrix: triu zero, tril whole
    ((3, 4), -9),
    ((2, 3, 4), 1),                  # batched
    ((2, 2, 3, 3), -1),              # two batch dims
    ((0, 3), 0),                     # empty
    ((2, 3, 0), 1),
]


def records():
    for i, (x, y) in enumerate(cmp_cases()):
        p = f"cmp_{i}"
        yield p + "_x", x
        yield p + "_y", y
        for op in CMP_OPS:
            yield f"{p}_{op}", getattr(torch, op)(x, y)
    for i, (x, s) in enumerate(cmp_scalar_cases()):
        p = f"cmps_{i}"
        yield p + "_x", x
        yield p + "_s", torch.tensor(s, dtype=torch.float64)
        for op in CMP_OPS:
            yield f"{p}_{op}", getattr(torch, op)(x, s)
    for i, x in enumerate(tobool_cases()):
        p = f"tobool_{i}"
        yield p + "_x", x
        yield p + "_out", x.bool()
        yield p + "_back", x.bool().to(x.dtype)

    for i, (sc, sa, sb) in enumerate(WHERE_CASES):
        for dtype, code in DTYPES:
            p = f"where_{i}_{code}"
            c = mask(sc, 100 + i)
            a = randn(sa, dtype, 200 + i).requires_grad_()
            b = randn(sb, dtype, 300 + i).requires_grad_()
            out = torch.where(c, a, b)
            assert out.grad_fn.name() == "WhereBackward0"
            g = randn(out.shape, dtype, 400 + i)
            out.backward(g)
            yield from [(p + "_c", c), (p + "_x", a), (p + "_y", b), (p + "_out", out), (p + "_g", g),
                        (p + "_dx", a.grad), (p + "_dy", b.grad)]

    for i, (sx, sm, v) in enumerate(MFILL_CASES):
        for dtype, code in DTYPES:
            p = f"mfill_{i}_{code}"
            x = randn(sx, dtype, 500 + i).requires_grad_()
            m = mask(sm, 600 + i)
            out = x.masked_fill(m, v)
            assert out.grad_fn.name() == "MaskedFillBackward0"
            g = randn(out.shape, dtype, 700 + i)
            out.backward(g)
            yield from [(p + "_x", x), (p + "_m", m), (p + "_v", torch.tensor(v, dtype=torch.float64)),
                        (p + "_out", out), (p + "_g", g), (p + "_dx", x.grad)]

    for name, fn in [("triu", torch.triu), ("tril", torch.tril)]:
        for i, (shape, k) in enumerate(TRI_CASES):
            for dtype, code in DTYPES:
                p = f"{name}_{i}_{code}"
                x = randn(shape, dtype, 800 + i).requires_grad_()
                out = fn(x, k)
                g = randn(out.shape, dtype, 900 + i)
                out.backward(g)
                yield from [(p + "_x", x), (p + "_k", torch.tensor(k)), (p + "_out", out), (p + "_g", g),
                            (p + "_dx", x.grad)]

    # The book's causal mask (chapter 3), batched, with the in-place masked_fill_ on the
    # non-leaf attention scores, then the scaled softmax.
    B, T, d = 2, 6, 4
    for dtype, code in DTYPES:
        p = f"causal_{code}"
        q = randn((B, T, d), dtype, 1000).requires_grad_()
        k = randn((B, T, d), dtype, 1001).requires_grad_()
        scores = q @ k.transpose(1, 2)
        causal = torch.triu(torch.ones(T, T), diagonal=1)
        scores.masked_fill_(causal.bool(), -torch.inf)
        assert scores.grad_fn.name() == "MaskedFillBackward0"
        w = torch.softmax(scores / d**0.5, dim=-1)
        g = randn(w.shape, dtype, 1002)
        w.backward(g)
        yield from [(p + "_q", q), (p + "_k", k), (p + "_g", g), (p + "_w", w), (p + "_dq", q.grad),
                    (p + "_dk", k.grad)]


def main():
    fixturelib.write(os.path.join(ROOT, "tests", "fixtures", "mask_ops.txt"), records(),
                     "Comparisons, bool conversion, where, masked_fill, triu/tril and the causal mask;\n"
                     "written by tools/make_mask_fixtures.py")


if __name__ == "__main__":
    main()

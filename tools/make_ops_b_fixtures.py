"""Writes tests/fixtures/ops_b.txt: PyTorch's matmul, softmax, cross_entropy, embedding, index_select, one_hot.

For each case, in float32 and float64: the inputs, the forward output, a random upstream
gradient g and the input gradients after out.backward(g). Records are named
<case>_<f32|f64>_<field>; fields are a/b (or x, w, logits), g, out, da/db (or dx, dw).
Read by tests/core/ops/{matmul,softmax,loss,embedding}_test.cpp.
Run with PyTorch 1.13:  python3 tools/make_ops_b_fixtures.py
"""
import os

import torch
import torch.nn.functional as F

import fixturelib

DTYPES = [(torch.float32, "f32"), (torch.float64, "f64")]

# name, shape of a, shape of b: every rank pairing torch.matmul distinguishes.
MATMUL_CASES = [
    ("dot", (5,), (5,)),                    # 1-D @ 1-D -> 0-dim
    ("vm", (4,), (4, 3)),                   # 1-D @ 2-D -> (3)
    ("mv", (3, 4), (4,)),                   # 2-D @ 1-D -> (3)
    ("mm", (3, 4), (4, 5)),                 # 2-D @ 2-D
    ("b3m2", (2, 3, 4), (4, 5)),            # 3-D @ 2-D: b broadcast over the batch
    ("m2b3", (3, 4), (2, 4, 5)),            # 2-D @ 3-D: a broadcast over the batch
    ("bmm", (2, 3, 4), (2, 4, 5)),          # 3-D @ 3-D
    ("bcast", (2, 1, 3, 4), (5, 4, 2)),     # batch dims (2,1) and (5) broadcast to (2,5)
    ("attn", (2, 3, 4, 5), (2, 3, 5, 4)),   # q @ k^T shaped
    ("v3", (4,), (2, 4, 3)),                # 1-D @ 3-D -> (2, 3)
    ("b3v", (2, 3, 4), (4,)),               # 3-D @ 1-D -> (2, 3)
]


def grads(out, inputs):
    """A random upstream gradient g, and each input's gradient after out.backward(g)."""
    g = torch.randn(out.shape, dtype=out.dtype)
    out.backward(g)
    return g, [x.grad for x in inputs]


def matmul_records():
    for name, sa, sb in MATMUL_CASES:
        for dtype, code in DTYPES:
            torch.manual_seed(1)
            a = torch.randn(sa, dtype=dtype, requires_grad=True)
            b = torch.randn(sb, dtype=dtype, requires_grad=True)
            out = torch.matmul(a, b)
            g, (da, db) = grads(out, [a, b])
            p = f"matmul_{name}_{code}"
            yield from [(p + "_a", a), (p + "_b", b), (p + "_out", out), (p + "_g", g),
                        (p + "_da", da), (p + "_db", db)]


def softmax_records():
    # "large" adds 1e3 to every logit: exp would overflow without the max shift.
    # "spread" multiplies by 1e3: rows are nearly one-hot, most exps underflow to 0.
    for dtype, code in DTYPES:
        for scale_name in ["unit", "large", "spread"]:
            for dim in [0, 1, -1]:
                for fn_name, fn in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
                    torch.manual_seed(2)
                    x = torch.randn(2, 3, 4, dtype=dtype)
                    if scale_name == "large":
                        x = x + 1e3
                    elif scale_name == "spread":
                        x = x * 1e3
                    x.requires_grad_()
                    out = fn(x, dim)
                    g, (dx,) = grads(out, [x])
                    d = f"m{-dim}" if dim < 0 else str(dim)
                    p = f"{fn_name}_{scale_name}_d{d}_{code}"
                    yield from [(p + "_x", x), (p + "_out", out), (p + "_g", g), (p + "_dx", dx)]


# name, targets, ignore_index (None: torch's default -100), logit scale
CE_CASES = [
    ("plain", [1, 0, 3, 3, 2], None, 1.0),
    ("ignore_default", [1, -100, 3, -100, 2], None, 1.0),
    ("ignore_custom", [1, 2, 3, 2, 0], 2, 1.0),        # 2 is a real class, ignored anyway
    ("ignore_negative", [1, -1, 0, 3, -1], -1, 1.0),
    ("all_ignored", [-100, -100, -100, -100, -100], None, 1.0),
    ("large", [1, 0, 3, 3, 2], None, 1e3),
]


def cross_entropy_records():
    for name, targets, ignore, scale in CE_CASES:
        for dtype, code in DTYPES:
            for reduction in ["mean", "sum", "none"]:
                torch.manual_seed(3)
                logits = (torch.randn(5, 4, dtype=dtype) * scale).requires_grad_()
                t = torch.tensor(targets)
                kw = {} if ignore is None else {"ignore_index": ignore}
                out = F.cross_entropy(logits, t, reduction=reduction, **kw)
                g, (dx,) = grads(out, [logits])
                p = f"ce_{name}_{reduction}_{code}"
                yield from [(p + "_logits", logits), (p + "_t", t), (p + "_out", out),
                            (p + "_g", g), (p + "_dx", dx)]


# name, ids, padding_idx (None: none). The table is (6, 3).
EMBEDDING_CASES = [
    ("ids4", [1, 3, 1, 5], None),                        # row 1 twice: its gradient is a sum
    ("ids2x3", [[0, 2, 2], [5, 1, 2]], None),
    ("ids0d", 4, None),
    ("pad", [[2, 0, 2], [4, 2, 0]], 2),                  # the padding row gets no gradient
]


def embedding_records():
    for name, ids, pad in EMBEDDING_CASES:
        for dtype, code in DTYPES:
            torch.manual_seed(4)
            w = torch.randn(6, 3, dtype=dtype, requires_grad=True)
            i = torch.tensor(ids)
            out = F.embedding(i, w, padding_idx=pad)
            g, (dw,) = grads(out, [w])
            p = f"emb_{name}_{code}"
            yield from [(p + "_w", w), (p + "_ids", i), (p + "_out", out), (p + "_g", g),
                        (p + "_dw", dw)]


# name, dim, index. The source is (3, 4, 5).
INDEX_SELECT_CASES = [
    ("d0", 0, [2, 0, 2]),
    ("d1", 1, [3, 1]),
    ("dm1", -1, [4, 0, 4, 1]),
    ("d1_scalar", 1, 2),           # a 0-dim index keeps the dim, with size 1
]


def index_select_records():
    for name, dim, index in INDEX_SELECT_CASES:
        for dtype, code in DTYPES:
            torch.manual_seed(5)
            x = torch.randn(3, 4, 5, dtype=dtype, requires_grad=True)
            ix = torch.tensor(index)
            out = x.index_select(dim, ix)
            g, (dx,) = grads(out, [x])
            p = f"isel_{name}_{code}"
            yield from [(p + "_x", x), (p + "_ix", ix), (p + "_out", out), (p + "_g", g),
                        (p + "_dx", dx)]


def one_hot_records():
    ids = torch.tensor([0, 2, 1, 2])
    yield "onehot_ids", ids
    yield "onehot_inferred", F.one_hot(ids)
    yield "onehot_5", F.one_hot(ids, 5)
    ids2 = torch.tensor([[3, 0], [1, 1], [0, 2]])
    yield "onehot2d_ids", ids2
    yield "onehot2d_inferred", F.one_hot(ids2)
    yield "onehot0d_4", F.one_hot(torch.tensor(1), 4)


def records():
    yield from matmul_records()
    yield from softmax_records()
    yield from cross_entropy_records()
    yield from embedding_records()
    yield from index_select_records()
    yield from one_hot_records()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "tests", "fixtures", "ops_b.txt")
    fixturelib.write(out, records(), __doc__.strip().splitlines()[0])


if __name__ == "__main__":
    main()

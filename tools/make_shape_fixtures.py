"""Writes tests/fixtures/shape_ops.txt: PyTorch's narrow, slicing, select, cat, stack, split, chunk, var and std.

For each case, in float32 and float64: the inputs, the forward output(s), a random upstream
gradient g per output and the input gradients of sum(out_i * g_i). Records are named
<case>_<f32|f64>_<field>; one-input, one-output ops use x, out, g, dx (as tests/core/ops/fixture_case.h
reads them); cat and stack have inputs x0, x1, ... and gradients dx0, dx1, ...; split and chunk
have outputs out0, out1, ... with gradients g0, g1, .... Read by tests/core/ops/{slice,join,moments}_test.cpp.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_shape_fixtures.py
"""
import os

import torch

import fixturelib

DTYPES = [(torch.float32, "f32"), (torch.float64, "f64")]


def leaf(shape, dtype, seed, offset=0.0, scale=1.0):
    torch.manual_seed(seed)
    return (torch.randn(shape, dtype=dtype) * scale + offset).requires_grad_()


def backward(outs, inputs):
    """Random upstream gradients, one per output, and each input's gradient of sum(out_i * g_i)."""
    gs = [torch.randn(o.shape, dtype=o.dtype) for o in outs]
    torch.autograd.backward(outs, gs)
    return gs, [x.grad if x.grad is not None else torch.zeros_like(x) for x in inputs]


def one_to_one(prefix, cases, seed):
    """Cases (name, input shape, fn): one input x, one output."""
    for name, shape, fn in cases:
        for dtype, code in DTYPES:
            x = leaf(shape, dtype, seed)
            out = fn(x)
            (g,), (dx,) = backward([out], [x])
            p = f"{prefix}_{name}_{code}"
            yield from [(p + "_x", x), (p + "_out", out), (p + "_g", g), (p + "_dx", dx)]


# Slicing: C++ calls are in tests/core/ops/slice_test.cpp under the same names.
SLICE_CASES = [
    ("narrow_d1", (3, 4, 5), lambda x: x.narrow(1, 1, 2)),
    ("narrow_neg", (3, 4, 5), lambda x: x.narrow(-1, -3, 2)),
    ("narrow_end", (3, 4, 5), lambda x: x.narrow(0, 3, 0)),             # start == size, length 0
    ("slice_tail", (3, 4, 5), lambda x: x[:, -2:]),                      # idx[:, -ctx:]
    ("slice_tail_long", (3, 4, 5), lambda x: x[:, -10:]),                # ctx > size: everything
    ("slice_step", (3, 4, 5), lambda x: x[..., 1:5:2]),
    ("slice_step3", (7, 2), lambda x: x[::3]),
    ("slice_clamp", (3, 4, 5), lambda x: x[:, -10:10]),
    ("slice_backwards", (3, 4, 5), lambda x: x[:, 3:1]),                 # end before start: empty
    ("slice_head", (3, 4, 5), lambda x: x[:, :-1]),
    ("slice_of_empty", (0, 4), lambda x: x[:, 1:3]),
    ("select_mid", (3, 4, 5), lambda x: x.select(1, 2)),
    ("select_neg", (3, 4, 5), lambda x: x.select(-1, -1)),
    ("select_last_row", (2, 3, 4), lambda x: x[:, -1, :]),               # logits[:, -1, :]
    ("select_1d", (6,), lambda x: x.select(0, -2)),                      # to 0-dim
    ("select_empty", (2, 0, 3), lambda x: x.select(0, 1)),
]

# Moments: (name, shape, fn, offset). An offset of 1e3 tests the two-pass mean's rounding.
MOMENT_CASES = [
    ("var_d0", (3, 4, 5), lambda x: x.var(0), 0.0),
    ("var_d1", (3, 4, 5), lambda x: x.var(1), 0.0),
    ("var_dm1_biased_keep", (3, 4, 5), lambda x: x.var(-1, unbiased=False, keepdim=True), 0.0),
    ("var_d1_biased", (3, 4, 5), lambda x: x.var(1, unbiased=False), 0.0),
    ("var_all", (3, 4, 5), lambda x: x.var(), 0.0),
    ("var_all_biased", (3, 4, 5), lambda x: x.var(unbiased=False), 0.0),
    ("var_1d_dim", (7,), lambda x: x.var(0), 0.0),                        # one result: two-pass
    ("var_row_dim", (1, 9), lambda x: x.var(1, keepdim=True), 0.0),       # one result: two-pass
    ("var_offset_dim", (4, 6), lambda x: x.var(1), 1e3),
    ("var_offset_all", (4, 6), lambda x: x.var(), 1e3),
    ("var_long", (1000,), lambda x: x.var(), 0.0),
    ("var_long_rows", (2, 500), lambda x: x.var(-1, unbiased=False), 3.0),
    ("var_single", (3, 1), lambda x: x.var(1), 0.0),                      # N - 1 = 0: nan
    ("var_single_biased", (3, 1), lambda x: x.var(1, unbiased=False), 0.0),
    ("var_empty", (2, 0, 3), lambda x: x.var(1), 0.0),                    # nothing to average: nan
    ("var_0d", (), lambda x: x.var(0, unbiased=False), 0.0),
    ("std_d0", (3, 4, 5), lambda x: x.std(0), 0.0),
    ("std_dm1_keep", (3, 4, 5), lambda x: x.std(-1, keepdim=True), 0.0),
    ("std_d1_biased", (3, 4, 5), lambda x: x.std(1, unbiased=False), 0.0),
    ("std_all", (3, 4, 5), lambda x: x.std(), 0.0),
    ("std_all_biased", (3, 4, 5), lambda x: x.std(unbiased=False), 0.0),
    ("std_offset_dim", (4, 6), lambda x: x.std(0), 1e3),
    ("std_single", (3, 1), lambda x: x.std(1), 0.0),
]


def moment_records():
    for name, shape, fn, offset in MOMENT_CASES:
        for dtype, code in DTYPES:
            x = leaf(shape, dtype, 11, offset)
            out = fn(x)
            (g,), (dx,) = backward([out], [x])
            p = f"mom_{name}_{code}"
            yield from [(p + "_x", x), (p + "_out", out), (p + "_g", g), (p + "_dx", dx)]
    # std of constant rows: the gradient is 0 there (not g / 0).
    for dtype, code in DTYPES:
        torch.manual_seed(12)
        x = torch.randn(3, 4, dtype=dtype)
        x[1] = 2.5
        x.requires_grad_()
        out = x.std(1)
        (g,), (dx,) = backward([out], [x])
        p = f"mom_std_constant_row_{code}"
        yield from [(p + "_x", x), (p + "_out", out), (p + "_g", g), (p + "_dx", dx)]


# Joining: (name, input shapes, dim).
CAT_CASES = [
    ("d0", [(2, 3), (1, 3), (4, 3)], 0),
    ("d1", [(2, 1, 4), (2, 3, 4)], 1),
    ("dm1", [(2, 3, 1), (2, 3, 2), (2, 3, 3)], -1),
    ("with_empty", [(2, 0, 4), (2, 2, 4)], 1),
    ("legacy_empty", [(0,), (2, 3), (0,)], 1),      # torch skips 1-D empty tensors
    ("one", [(3, 2)], 0),
]
STACK_CASES = [
    ("d0", [(2, 3)] * 3, 0),
    ("d1", [(2, 3)] * 2, 1),
    ("dm1", [(2, 3)] * 4, -1),
    ("d2_end", [(2, 3)] * 2, 2),
    ("scalars", [()] * 3, 0),
    ("empty", [(0, 2)] * 2, 1),
]


def join_records():
    for prefix, cases, fn in [("cat", CAT_CASES, torch.cat), ("stack", STACK_CASES, torch.stack)]:
        for name, shapes, dim in cases:
            for dtype, code in DTYPES:
                xs = [leaf(s, dtype, 20 + i) for i, s in enumerate(shapes)]
                out = fn(xs, dim)
                (g,), dxs = backward([out], xs)
                p = f"{prefix}_{name}_{code}"
                for i, (x, dx) in enumerate(zip(xs, dxs)):
                    yield from [(f"{p}_x{i}", x), (f"{p}_dx{i}", dx)]
                yield from [(p + "_out", out), (p + "_g", g)]


# Cutting: (name, input shape, fn returning a tuple of pieces).
SPLIT_CASES = [
    ("split_2_d0", (5, 4), lambda x: x.split(2, 0)),
    ("split_3_d1", (2, 6, 3), lambda x: x.split(3, 1)),
    ("split_big", (5, 4), lambda x: x.split(10)),
    ("split_dm1", (3, 5), lambda x: x.split(2, -1)),
    ("split_empty_dim", (0, 3), lambda x: x.split(2)),
    ("split_zero_of_empty", (0, 3), lambda x: x.split(0)),
    ("chunk_3_d0", (5, 4), lambda x: x.chunk(3, 0)),
    ("chunk_4_of_5", (5,), lambda x: x.chunk(4)),                      # 2 + 2 + 1: three pieces
    ("chunk_dm1", (3, 6), lambda x: x.chunk(2, -1)),
    ("chunk_more_than_rows", (2, 3), lambda x: x.chunk(5)),
    ("chunk_of_empty", (0, 3), lambda x: x.chunk(3)),
]


def split_records():
    for name, shape, fn in SPLIT_CASES:
        for dtype, code in DTYPES:
            x = leaf(shape, dtype, 30)
            outs = list(fn(x))
            gs, (dx,) = backward(outs, [x])
            p = f"{name}_{code}"
            yield from [(p + "_x", x), (p + "_dx", dx)]
            for i, (o, g) in enumerate(zip(outs, gs)):
                yield from [(f"{p}_out{i}", o), (f"{p}_g{i}", g)]


# One chain through several ops, each input of the next made by slicing:
# var over dim 1 of cat([x[:, 1:3], x[:, 0].unsqueeze(1), x[:, ::2]], 1), x (3, 5).
def chain_records():
    for dtype, code in DTYPES:
        x = leaf((3, 5), dtype, 40)
        out = torch.cat([x[:, 1:3], x[:, 0].unsqueeze(1), x[:, ::2]], 1).std(1)
        (g,), (dx,) = backward([out], [x])
        p = f"chain_{code}"
        yield from [(p + "_x", x), (p + "_out", out), (p + "_g", g), (p + "_dx", dx)]


def records():
    yield from one_to_one("sl", SLICE_CASES, 10)
    yield from moment_records()
    yield from join_records()
    yield from split_records()
    yield from chain_records()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "tests", "fixtures", "shape_ops.txt")
    fixturelib.write(out, records(), __doc__.strip().splitlines()[0])


if __name__ == "__main__":
    main()

"""Fixtures for the elementwise, view and reduce ops: PyTorch's forward values and gradients.

Writes tests/fixtures/elementwise.txt, view.txt and reduce.txt, read by
tests/core/ops/{elementwise,view,reduce}_test.cpp. Every case is computed in float32 and
float64 (code f32 / f64) and stored as records named <case>_<code>_<role>:
    x, y    the inputs (y only for binary ops)
    out     the forward result (for max(dim): the values; idx the indices)
    g       the upstream gradient passed to out.backward(g), random like the inputs
    dx, dy  the gradients torch accumulates into x and y
The C++ tests rebuild each case from the same name: they know the op, the fixture holds
the shapes and numbers. Each case asserts torch's grad_fn name, which the tests repeat.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_ops_a_fixtures.py
"""
import os

import torch

import fixturelib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DTYPES = [(torch.float32, "f32"), (torch.float64, "f64")]

# ---------------------------------------------------------------- elementwise

# (name, shape of x, shape of y): the broadcasting patterns the tests cover.
BINARY_SHAPES = [
    ("same", (2, 3), (2, 3)),
    ("bc1", (3, 1), (4,)),           # -> (3, 4): both sides expand
    ("bc2", (2, 1, 3), (4, 1)),      # -> (2, 4, 3): y gains a leading dim
    ("scal", (2, 3), (1,)),          # scalar-like right operand
    ("lscal", (1,), (2, 3)),         # scalar-like left operand
    ("zerod", (2, 3), ()),           # a 0-dim operand
]
BINARY_OPS = {
    "add": (lambda a, b: a + b, "AddBackward0"),
    "sub": (lambda a, b: a - b, "SubBackward0"),
    "mul": (lambda a, b: a * b, "MulBackward0"),
    "div": (lambda a, b: a / b, "DivBackward0"),
}

# Scalars with inexact binary forms, so the tests see torch's exact rounding.
SCALAR_OPS = {
    "adds": (lambda x: x + 0.1, "AddBackward0"),
    "subs": (lambda x: x - 0.1, "SubBackward0"),
    "rsub": (lambda x: 0.7 - x, "RsubBackward1"),
    "muls": (lambda x: x * -1.3, "MulBackward0"),
    "divs": (lambda x: x / 0.3, "DivBackward0"),
    "rdiv": (lambda x: 0.7 / x, "MulBackward0"),  # torch: x.reciprocal() * 0.7
}

# (name, op, grad_fn, domain): "any" inputs are randn, "pos" are |randn| + 0.1.
UNARY_OPS = [
    ("neg", lambda x: -x, "NegBackward0", "any"),
    ("exp", torch.exp, "ExpBackward0", "any"),
    ("log", torch.log, "LogBackward0", "pos"),
    ("sqrt", torch.sqrt, "SqrtBackward0", "pos"),
    ("tanh", torch.tanh, "TanhBackward0", "any"),
    ("relu", torch.relu, "ReluBackward0", "relu"),
    ("sigmoid", torch.sigmoid, "SigmoidBackward0", "any"),
    ("pow_p2", lambda x: x.pow(2.0), "PowBackward0", "any"),
    ("pow_p3", lambda x: x.pow(3.0), "PowBackward0", "any"),
    ("pow_p0", lambda x: x.pow(0.0), "PowBackward0", "any"),
    ("pow_m1", lambda x: x.pow(-1.0), "PowBackward0", "pos"),
    ("pow_m2", lambda x: x.pow(-2.0), "PowBackward0", "pos"),
    ("pow_p0_5", lambda x: x.pow(0.5), "PowBackward0", "pos"),
    ("pow_m0_5", lambda x: x.pow(-0.5), "PowBackward0", "pos"),
    ("pow_p2_5", lambda x: x.pow(2.5), "PowBackward0", "pos"),
    ("pow_p1_7", lambda x: x.pow(1.7), "PowBackward0", "pos"),
    ("clone", lambda x: x.clone(), "CloneBackward0", "any"),
]


def make_input(shape, dtype, domain):
    x = torch.randn(shape, dtype=torch.float64)
    if domain == "pos":
        x = x.abs() + 0.1
    elif domain == "relu":
        x.view(-1)[::3] = 0.0  # relu'(0) = 0 in torch: exact zeros pin that down
    return x.to(dtype)


def case(name, fn, expected_grad_fn, inputs, code):
    """Runs fn on leaf copies of `inputs`, backward with a random g; yields the records."""
    leaves = [t.clone().requires_grad_() for t in inputs]
    out = fn(*leaves)
    got = type(out.grad_fn).__name__
    assert got == expected_grad_fn, f"{name}: grad_fn {got}, expected {expected_grad_fn}"
    g = torch.randn(out.shape, dtype=torch.float64).to(out.dtype)
    out.backward(g)
    for role, t in zip(["x", "y"], inputs):
        yield f"{name}_{code}_{role}", t
    yield f"{name}_{code}_out", out
    yield f"{name}_{code}_g", g
    for role, t in zip(["dx", "dy"], leaves):
        yield f"{name}_{code}_{role}", t.grad


def elementwise_records():
    for dtype, code in DTYPES:
        torch.manual_seed(1)
        for op, (fn, grad_fn) in BINARY_OPS.items():
            for shape_name, sx, sy in BINARY_SHAPES:
                x = make_input(sx, dtype, "any")
                y = make_input(sy, dtype, "pos" if op == "div" else "any")
                yield from case(f"{op}_{shape_name}", fn, grad_fn, [x, y], code)
        torch.manual_seed(2)
        for op, (fn, grad_fn) in SCALAR_OPS.items():
            x = make_input((2, 3), dtype, "pos" if op == "rdiv" else "any")
            yield from case(op, fn, grad_fn, [x], code)
        torch.manual_seed(3)
        for op, fn, grad_fn, domain in UNARY_OPS:
            yield from case(op, fn, grad_fn, [make_input((2, 3), dtype, domain)], code)
        # Conversions: to the other floating type; the gradient comes back converted.
        torch.manual_seed(4)
        other = torch.float64 if dtype == torch.float32 else torch.float32
        x = make_input((2, 3), dtype, "any")
        yield from case("to", lambda t: t.to(other), "ToCopyBackward0", [x], code)
    # Values a conversion to int64 must handle (truncation toward zero; no grad).
    x = torch.tensor([2.7, -2.7, 0.5, -0.5, 1e10, -3.0], dtype=torch.float64)
    yield "to_i64_x", x
    yield "to_i64_out", x.to(torch.int64)
    yield "relu_nan_x", torch.tensor([float("nan"), -1.0, 2.0])
    yield "relu_nan_out", torch.relu(torch.tensor([float("nan"), -1.0, 2.0]))
    yield from inplace_records()


def inplace_records():
    """In-place ops (core/tensor.cpp): how torch rounds a scalar and alpha, and Int64 wrapping.
    Records inplace_<code>_<op> hold p after p.<op>; the tests compare them bit for bit."""
    torch.manual_seed(8)
    for dtype, code in DTYPES:
        p, g = make_input((2, 3), dtype, "any"), make_input((2, 3), dtype, "any")
        b = make_input((3,), dtype, "any")
        yield f"inplace_{code}_p", p
        yield f"inplace_{code}_g", g
        yield f"inplace_{code}_b", b
        yield f"inplace_{code}_add_alpha", p.clone().add_(g, alpha=-0.1)  # an SGD step
        yield f"inplace_{code}_sub_alpha", p.clone().sub_(g, alpha=0.3)
        yield f"inplace_{code}_add_bc", p.clone().add_(b)
        yield f"inplace_{code}_mul", p.clone().mul_(g)
        yield f"inplace_{code}_adds", p.clone().add_(0.1)
        yield f"inplace_{code}_subs", p.clone().sub_(0.1)
        yield f"inplace_{code}_muls", p.clone().mul_(0.3)
    # Exact beyond 2^53, and wrapping at 2^63 (torch's int64 arithmetic is two's complement).
    x = torch.tensor([2**60 + 1, -7, 2**63 - 1, 5])
    y = torch.tensor([3, 2, 1, -4])
    yield "inplace_i64_p", x
    yield "inplace_i64_g", y
    yield "inplace_i64_add", x.clone().add_(y)
    yield "inplace_i64_sub_alpha", x.clone().sub_(y, alpha=3)
    yield "inplace_i64_mul", x.clone().mul_(y)
    yield "inplace_i64_adds", x.clone().add_(2)
    yield "inplace_i64_muls", x.clone().mul_(3)
    yield "inplace_i64_fill", x.clone().fill_(-2.5)  # truncates toward zero


# ---------------------------------------------------------------- view

VIEW_OPS = [
    ("view", (2, 3, 4), lambda x: x.view(6, 4), "ViewBackward0"),
    ("view_infer", (2, 3, 4), lambda x: x.view(-1, 2), "ViewBackward0"),
    ("reshape", (2, 3, 4), lambda x: x.reshape(4, 6), "ReshapeAliasBackward0"),
    ("reshape_infer", (2, 3, 4), lambda x: x.reshape(3, -1), "ReshapeAliasBackward0"),
    ("flatten", (2, 3, 4), lambda x: x.flatten(), "ReshapeAliasBackward0"),
    ("flatten_1", (2, 3, 4), lambda x: x.flatten(1), "ReshapeAliasBackward0"),
    ("flatten_0_1", (2, 3, 4), lambda x: x.flatten(0, 1), "ReshapeAliasBackward0"),
    ("flatten_neg", (2, 3, 4, 2), lambda x: x.flatten(-3, -2), "ReshapeAliasBackward0"),
    ("squeeze", (2, 1, 3, 1), lambda x: x.squeeze(), "SqueezeBackward0"),
    ("squeeze_1", (2, 1, 3, 1), lambda x: x.squeeze(1), "SqueezeBackward1"),
    ("squeeze_neg", (2, 1, 3, 1), lambda x: x.squeeze(-1), "SqueezeBackward1"),
    ("squeeze_noop", (2, 1, 3, 1), lambda x: x.squeeze(0), "SqueezeBackward1"),
    ("unsqueeze_0", (2, 3), lambda x: x.unsqueeze(0), "UnsqueezeBackward0"),
    ("unsqueeze_1", (2, 3), lambda x: x.unsqueeze(1), "UnsqueezeBackward0"),
    ("unsqueeze_neg", (2, 3), lambda x: x.unsqueeze(-1), "UnsqueezeBackward0"),
    ("transpose", (2, 3, 4), lambda x: x.transpose(0, 2), "TransposeBackward0"),
    ("transpose_mid", (2, 3, 4, 2), lambda x: x.transpose(1, 2), "TransposeBackward0"),
    ("transpose_neg", (2, 3, 4), lambda x: x.transpose(-1, -2), "TransposeBackward0"),
    ("t", (3, 4), lambda x: x.t(), "TBackward0"),
    ("t_1d", (4,), lambda x: x.t(), "TBackward0"),
]


def view_records():
    for dtype, code in DTYPES:
        torch.manual_seed(5)
        for name, shape, fn, grad_fn in VIEW_OPS:
            yield from case(name, fn, grad_fn, [make_input(shape, dtype, "any")], code)


# ---------------------------------------------------------------- reduce

REDUCE_OPS = [
    ("sum", lambda x: x.sum(), "SumBackward0"),
    ("sum_0", lambda x: x.sum(0), "SumBackward1"),
    ("sum_1_keep", lambda x: x.sum(1, keepdim=True), "SumBackward1"),
    ("sum_neg", lambda x: x.sum(-1), "SumBackward1"),
    ("sum_neg_keep", lambda x: x.sum(-2, keepdim=True), "SumBackward1"),
    ("mean", lambda x: x.mean(), "MeanBackward0"),
    ("mean_0", lambda x: x.mean(0), "MeanBackward1"),
    ("mean_1_keep", lambda x: x.mean(1, keepdim=True), "MeanBackward1"),
    ("mean_neg", lambda x: x.mean(-1), "MeanBackward1"),
    ("mean_neg_keep", lambda x: x.mean(-3, keepdim=True), "MeanBackward1"),
]
# max(dim) cases: (name, dim, keepdim). Inputs are small integers, so ties are common.
MAX_DIM = [("max_0", 0, False), ("max_1", 1, False), ("max_neg_keep", -1, True),
           ("max_1_keep", 1, True)]


def max_dim_case(name, dim, keepdim, x, code):
    leaf = x.clone().requires_grad_()
    values, indices = leaf.max(dim, keepdim=keepdim)
    assert type(values.grad_fn).__name__ == "MaxBackward0"
    g = torch.randn(values.shape, dtype=torch.float64).to(values.dtype)
    values.backward(g)
    yield f"{name}_{code}_x", x
    yield f"{name}_{code}_out", values
    yield f"{name}_{code}_idx", indices
    yield f"{name}_{code}_g", g
    yield f"{name}_{code}_dx", leaf.grad
    yield f"argmax_{name[4:]}_{code}_idx", x.argmax(dim, keepdim=keepdim)


def reduce_records():
    for dtype, code in DTYPES:
        torch.manual_seed(6)
        for name, fn, grad_fn in REDUCE_OPS:
            yield from case(name, fn, grad_fn, [make_input((2, 3, 4), dtype, "any")], code)
        torch.manual_seed(7)
        ties = torch.randint(0, 3, (3, 4, 2)).to(dtype)
        for name, dim, keepdim in MAX_DIM:
            yield from max_dim_case(name, dim, keepdim, ties, code)
        # max() over everything: ties share the gradient evenly, a unique max takes it all.
        yield from case("max_all_ties", lambda x: x.max(), "MaxBackward1", [ties], code)
        yield from case("max_all", lambda x: x.max(), "MaxBackward1",
                        [make_input((3, 4), dtype, "any")], code)
        yield f"argmax_all_{code}_idx", ties.argmax()
    # Int64 reductions carry no gradient; sum stays Int64, max returns Int64 values.
    xi = torch.tensor([[3, -1, 7], [7, 2, -5]])
    yield "int_x", xi
    yield "int_sum", xi.sum()
    yield "int_sum_0", xi.sum(0)
    yield "int_max_1_values", xi.max(1).values
    yield "int_max_1_idx", xi.max(1).indices
    yield "int_argmax", xi.argmax()
    # NaN wins a max, and the first NaN's index is returned.
    xn = torch.tensor([[1.0, float("nan"), 3.0, float("nan")], [2.0, 5.0, 1.0, 0.0]])
    yield "nan_x", xn
    yield "nan_max_1_values", xn.max(1).values
    yield "nan_max_1_idx", xn.max(1).indices
    yield "nan_max_all", xn.max()


def main():
    fixtures = os.path.join(ROOT, "tests", "fixtures")
    title = __doc__.strip().splitlines()[0]
    fixturelib.write(os.path.join(fixtures, "elementwise.txt"), elementwise_records(), title)
    fixturelib.write(os.path.join(fixtures, "view.txt"), view_records(), title)
    fixturelib.write(os.path.join(fixtures, "reduce.txt"), reduce_records(), title)


if __name__ == "__main__":
    main()

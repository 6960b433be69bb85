"""Fixtures for tests/core/print_test.cpp: tensors and the exact str(t) PyTorch prints.

Writes tests/fixtures/print_inputs.txt (the tensors, via fixturelib) and
tests/fixtures/print_expected.txt, one record per case:
    === name
    <str(t), any number of lines, blank lines included>
A record runs to the next "=== " line; the final newline of each record is not part of str(t).

Plain cases: the input record has the case's name. fixture.h cannot parse "nan"/"inf",
so a case holding nonfinite values is written with those set to 0, plus a record
`name__nonfinite` (i64, same shape: 0 finite, 1 nan, 2 inf, 3 -inf) that the test patches in.
Cases named grad_*: the test rebuilds them from inputs grad_*_a (and grad_*_b) exactly as
the build() lambdas below do (requires_grad_ on the inputs, then the op).
Run: /usr/bin/python3 tools/make_print_fixtures.py
"""
import math
import os

import torch

import fixturelib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
f32, f64, i64, b8 = torch.float32, torch.float64, torch.int64, torch.bool
nan, inf = math.nan, math.inf


def t(values, dtype=f32):
    return torch.tensor(values, dtype=dtype)


def randn(*shape, seed, dtype=f32):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=dtype)


def plain_cases():
    return [
        # int mode for int64: width = longest decimal spelling
        ("int_1d", t([1, 2, 3], i64)),
        ("int_2d_neg", t([[-10, 5], [300, 0]], i64)),
        ("int_big", t([123456789012, -5, 7], i64)),
        ("int_0d", t(7, i64)),
        ("int_0d_neg", t(-42, i64)),
        # fixed point, 4 decimals
        ("float_small", t([0.5, 1.25, -3.125])),
        # exact binary ties round to even, as Python's format does
        ("float_round_half_even", t([1.03125, 1.09375, 2.00005, 1000.0 / 3])),
        ("float_2d_widths", t([[1.5, -100.25], [3.0, 4.0]])),
        ("float_neg_zero", t([-0.0, 1.5, 0.0])),
        ("float_randn_2d", randn(4, 5, seed=1)),
        # integer-valued floats: "1." mode
        ("intval_1d", t([1.0, 2.0, -3.0])),
        ("intval_2d", t([[0.0, 10.0], [-250.0, 7.0]])),
        ("intval_neg_zero", t([-0.0, 2.0])),
        ("zeros", torch.zeros(2, 3)),
        ("intval_sci_ratio", t([1.0, 2000.0])),
        ("intval_sci_big", t([1.0e9, 3.0])),
        ("intval_at_1e8", t([1.0e8, 1.0e7])),
        # scientific notation triggers
        ("sci_ratio", t([1.0e-3, 5.0])),
        ("sci_big", t([1.0e9, 2.5])),
        ("sci_small", t([1.0e-5, 0.3])),
        ("sci_neg", t([[-1.0e-5, 2.0e3], [0.0, -7.25]])),
        ("sci_huge", t([1.0e38, -3.4e38, 1.5])),
        ("sci_f64_tiny", t([1.0e-300, 2.5e-310, 1.0], f64)),
        ("not_sci_ratio_1000", t([0.001, 1.0])),
        ("not_sci_min_1e4", t([1.0e-4, 0.05], f64)),
        # nonfinite values: never counted in the width
        ("nonfinite_mix", t([1.5, nan, inf, -inf])),
        ("nonfinite_only", t([nan, inf, -inf])),
        ("nonfinite_intval", t([[1.0, inf], [nan, -20.0]])),
        ("nonfinite_sci", t([1.0e-5, nan, 3.0, -inf])),
        ("nonfinite_zero_nan", t([0.0, nan])),
        # 0-dim
        ("scalar_intval", t(3.0)),
        ("scalar_frac", t(0.123456)),
        ("scalar_sci", t(1.0e-5)),
        ("scalar_zero", t(0.0)),
        ("scalar_nan", t(nan)),
        ("scalar_f64", t(2.5, f64)),
        # empty
        ("empty_1d", torch.zeros(0)),
        ("empty_2d", torch.zeros(0, 3)),
        ("empty_i64", torch.zeros(0, dtype=i64)),
        ("empty_3d_f64", torch.zeros(2, 0, 4, dtype=f64)),
        # rows that wrap at 80 columns
        ("wrap_float", torch.arange(30, dtype=f32) * 1.5),
        ("wrap_int", torch.arange(50, dtype=i64) * 37 - 900),
        ("wrap_randn", randn(25, seed=2)),
        ("wrap_2d", randn(3, 15, seed=3)),
        ("wrap_wide_fixed", randn(20, seed=4) * 1.0e5),
        ("wrap_sci", randn(20, seed=14) * 1.0e9),
        ("wrap_wide_int", t([10**17 + k for k in range(12)], i64)),
        # 3-D and 4-D: blank lines between sub-matrices
        ("nd_3d_int", torch.arange(24, dtype=i64).reshape(2, 3, 4)),
        ("nd_3d_float", randn(2, 3, 4, seed=5)),
        ("nd_4d", randn(2, 2, 2, 3, seed=6)),
        ("nd_5d", torch.arange(32, dtype=f32).reshape(2, 2, 2, 2, 2) / 4),
        ("nd_3d_wrap", randn(2, 2, 14, seed=7)),
        ("nd_unit_dims", t([[[1.5]]])),
        # more than 1000 elements: summarized with "..."
        ("sum_1d_int", torch.arange(2000, dtype=i64)),
        ("sum_1d_float", randn(1001, seed=8)),
        ("sum_2d", randn(40, 40, seed=9)),
        ("sum_2d_short_rows", randn(600, 2, seed=10)),
        ("sum_2d_short_cols", randn(2, 600, seed=11)),
        ("sum_3d", randn(8, 10, 20, seed=12, dtype=f64)),
        ("sum_4d", randn(2, 3, 10, 20, seed=13)),
        ("sum_width_from_shown", torch.cat([t([1.0e6]), torch.ones(1000), t([2.5])])),
        ("sum_not_at_1000", torch.arange(1000, dtype=f32).reshape(10, 100)),
        # dtype suffix
        ("f64_1d", t([1.5, 2.0], f64)),
        ("f64_intval", t([[1.0, 2.0], [3.0, 4.0]], f64)),
        ("f64_wrap_suffix", torch.arange(17, dtype=f64) / 7),
        # bool: "True"/"False" right-aligned to the widest, no dtype suffix unless empty
        ("bool_1d", t([True, False], b8)),
        ("bool_all_true", t([True, True, True], b8)),
        ("bool_2d", t([[True, False], [False, True]], b8)),
        ("bool_0d_true", t(True, b8)),
        ("bool_0d_false", t(False, b8)),
        ("bool_empty", torch.zeros(0, dtype=b8)),
        ("bool_empty_2d", torch.zeros(2, 0, dtype=b8)),
        ("bool_wrap", torch.arange(30) % 3 == 0),
        ("bool_causal", torch.triu(torch.ones(6, 6), diagonal=1).bool()),
        ("bool_3d", torch.arange(12).reshape(2, 2, 3) % 2 == 1),
        ("bool_summarized", torch.arange(1500) % 2 == 0),
    ]


# (name, inputs, build): inputs are (suffix, tensor, requires_grad); build makes the
# printed tensor from the prepared inputs. The C++ test repeats each build.
def grad_cases():
    return [
        ("grad_leaf", [("a", randn(3, seed=20), True)], lambda a: a),
        ("grad_leaf_f64", [("a", t([1.0, 2.5], f64), True)], lambda a: a),
        ("grad_leaf_wrap", [("a", torch.arange(13, dtype=f32) / 3, True)], lambda a: a),
        ("grad_leaf_f64_wrap", [("a", torch.arange(14, dtype=f64) / 3, True)], lambda a: a),
        ("grad_leaf_oneline_wrap", [("a", torch.arange(9, dtype=f32) / 3, True)], lambda a: a),
        ("grad_leaf_scalar", [("a", t(2.0), True)], lambda a: a),
        ("grad_add", [("a", t([1.5, -2.0, 0.25]), True), ("b", t([0.5, 1.0, 4.0]), False)],
         lambda a, b: a + b),
        ("grad_mul", [("a", t([[1.5, -2.0], [3.0, 0.125]]), True), ("b", t([[2.0, 2.0], [-1.0, 8.0]]), True)],
         lambda a, b: a * b),
        ("grad_exp_f64", [("a", t([0.0, 1.0, -1.0], f64), True)], lambda a: a.exp()),
        ("grad_sum", [("a", t([[1.5, 2.25], [-0.5, 4.0]]), True)], lambda a: a.sum()),
        ("grad_add_wrap", [("a", torch.arange(14, dtype=f32) / 4, True), ("b", torch.ones(14), False)],
         lambda a, b: a + b),
        ("grad_mul_2d_wrap", [("a", torch.arange(30, dtype=f32).reshape(2, 15) / 8, True),
                              ("b", torch.full((2, 15), 3.0), False)],
         lambda a, b: a * b),
    ]


def main():
    inputs, expected = [], []
    for name, x in plain_cases():
        bad = ~torch.isfinite(x)
        if bad.any():
            codes = torch.zeros(x.shape, dtype=i64)
            codes[torch.isnan(x)] = 1
            codes[x == inf] = 2
            codes[x == -inf] = 3
            inputs.append((name, torch.where(bad, torch.zeros_like(x), x)))
            inputs.append((name + "__nonfinite", codes))
        else:
            inputs.append((name, x))
        expected.append((name, str(x)))
    for name, ins, build in grad_cases():
        args = []
        for suffix, x, rg in ins:
            inputs.append((f"{name}_{suffix}", x))
            args.append(x.clone().requires_grad_(rg))
        expected.append((name, str(build(*args))))

    fixdir = os.path.join(ROOT, "tests", "fixtures")
    fixturelib.write(os.path.join(fixdir, "print_inputs.txt"), inputs,
                     "Inputs for tests/core/print_test.cpp; written by tools/make_print_fixtures.py")
    with open(os.path.join(fixdir, "print_expected.txt"), "w") as f:
        for name, text in expected:
            assert not any(line.startswith("=== ") for line in text.split("\n"))
            f.write(f"=== {name}\n{text}\n")


if __name__ == "__main__":
    main()

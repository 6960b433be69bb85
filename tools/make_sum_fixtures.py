"""torch's float sums, bit for bit -> tests/fixtures/sum_order.txt.

torch 1.13 sums float32 in float32 and float64 in float64 in ATen's cascade order
(aten/src/ATen/native/cpu/SumKernel.cpp); core/kernels/reduce.h reproduces it, and
tests/core/ops/reduce_test.cpp (SumsAreTorchsBitForBit) checks sum / mean, over everything or one dim, against
these results at 1 and 2 threads. The inputs are not stored: value(seed, i) below is
exact in float32 / float64 and the test computes it the same way. Magnitudes span 2^14
(float32) and 2^30 (float64), so the order of the adds shows in the last bits; the script
asserts that a correctly rounded sum differs from torch's in many cases. Run with Debian's
torch (single-threaded, as the test's order is torch's one-thread order):
    /usr/bin/python3 tools/make_sum_fixtures.py
"""
import math
import os

import numpy as np
import torch
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "sum_order.txt")
torch.set_num_threads(1)


def hash32(i):
    """lowbias32 of uint32 i (numpy array): the test's hash32."""
    x = i.astype(np.uint32)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def values(seed, n, f64):
    """Element i of input `seed`: a 24-bit (float32) or 53-bit (float64) signed integer
    times a power of two, so exact in its dtype."""
    i = np.arange(n, dtype=np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B9)
    if not f64:
        x = hash32(i)
        m = (x >> np.uint32(8)).astype(np.float64) - 2.0**23
        return torch.from_numpy(np.ldexp(m, (x & np.uint32(7)).astype(np.int32) * 2 - 20).astype(np.float32))
    hi, lo = hash32(2 * i), hash32(2 * i + np.uint64(1))
    m = (hi >> np.uint32(5)).astype(np.float64) * 2.0**26 + (lo >> np.uint32(6)).astype(np.float64) - 2.0**52
    return torch.from_numpy(np.ldexp(m, (lo & np.uint32(15)).astype(np.int32) * 2 - 60))


# (shape, dim or None for everything). Full sums coalesce to one row: below 8 (4 for
# float64) lanes torch's scalar row_sum, else vectorized_inner_sum; the cascade's levels
# flush every 16, 256 and 4096 steps (a step is 4 vectors, 32 floats), and its step grows
# to 32 past 2^19 steps (2^24 floats, 2^23 doubles). dim = last: one such row per output.
# Other dims: columns of `inner` values; inner < 8 lanes is scalar_outer_sum (groups of 4
# columns), else vectorized_outer_sum (groups of 32 floats / 16 doubles, then 8 / 4, then 1).
FULL = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 63, 64, 100, 127, 129, 511, 512,
        513, 1000, 4095, 8193, 10**5, 131072 + 77, 10**6 + 3]
CASES = [((n,), None) for n in FULL] + [
    ((2**24 + 1000,), None), ((2**23 + 1000,), None), ((30, 40), None), ((3, 5, 7), None),
    ((4, 1, 5), 1), ((1000, 1), 0),
] + [((3, n), 1) for n in [1, 3, 4, 7, 8, 9, 16, 17, 100, 1000, 5000]] + [
    ((2, n, inner), 1) for n, inner in [(5, 3), (17, 4), (100, 5), (33, 7), (1000, 8), (7, 9), (100, 12),
                                        (300, 32), (50, 45), (1000, 100), (4100, 33), (3, 1000), (20, 16)]
] + [((n, inner), 0) for n, inner in [(2, 3), (3, 8), (17, 9), (100, 1000), (1000, 1000), (5000, 37),
                                      (70000, 3), (300, 4), (2**19 + 100, 8)]]

records, spec = [], []
exact_differs = 0
for c, (shape, dim) in enumerate(CASES):
    for f64 in (False, True):
        if shape == (2**24 + 1000,) and f64 or shape == (2**23 + 1000,) and not f64:
            continue  # 2^24 + 1000 floats only; 2^23 + 1000 doubles only
        seed = 2 * c + int(f64)
        x = values(seed, math.prod(shape), f64).reshape(shape)
        for mean in (False, True):
            if mean and c % 3:
                continue  # mean on every third case
            keepdim = dim is not None and c % 2 == 1
            op = torch.mean if mean else torch.sum
            y = op(x) if dim is None else op(x, dim, keepdim=keepdim)
            k = len(spec)
            spec.append([seed, int(f64), int(mean), -1 if dim is None else dim, int(keepdim)] +
                        list(shape) + [0] * (3 - len(shape)))
            records.append((f"out{k}", y))
            if not mean:  # the correctly rounded sums, for the check below
                cols = x.double().numpy().reshape(1, -1) if dim is None else \
                    np.moveaxis(x.double().numpy(), dim, -1).reshape(-1, shape[dim])
                exact = torch.tensor([math.fsum(r) for r in cols], dtype=x.dtype)
                exact_differs += int(not torch.equal(exact, y.reshape(-1)))
assert exact_differs >= 20, f"only {exact_differs} sums differ from the correctly rounded ones"

write(OUT, [("spec", torch.tensor(spec))] + records,
      "torch's sums and means in its one-thread cascade order (tools/make_sum_fixtures.py).\n"
      "spec row k: seed, float64, mean, dim (-1: everything), keepdim, shape (zero-padded to 3);\n"
      f"out<k>: the result. {exact_differs} of the sums differ from the correctly rounded sum.")
print(f"{len(spec)} cases, {exact_differs} sums differ from the correctly rounded ones -> {OUT}")

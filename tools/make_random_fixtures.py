"""Writes tests/fixtures/random.txt: PyTorch's CPU random streams, for tests/core/random_test.cpp.

Covers both normal paths (fewer / at least 16 elements, with and without a 16-element tail),
float32 and float64, seeds past 2^31 and 2^32, a stream of mixed-size randn calls (the cached
scalar normal carries across calls), in-place uniform_/normal_, and a local torch.Generator.
Run with PyTorch 1.13:  python3 tools/make_random_fixtures.py
"""
import os

import torch

import fixturelib

SEEDS = [0, 123, 3000000000, 2**40 + 7]
SIZES = list(range(1, 41)) + [1000]
F64_SIZES = [1, 2, 5, 15, 16, 17, 31, 33, 100]
MIXED = [3, 17, 5, 16, 1, 33]


def records():
    for seed in SEEDS:
        for n in SIZES:
            torch.manual_seed(seed)
            yield f"rand_f32_s{seed}_n{n}", torch.rand(n)
            torch.manual_seed(seed)
            yield f"randn_f32_s{seed}_n{n}", torch.randn(n)
        for n in F64_SIZES:
            torch.manual_seed(seed)
            yield f"rand_f64_s{seed}_n{n}", torch.rand(n, dtype=torch.float64)
            torch.manual_seed(seed)
            yield f"randn_f64_s{seed}_n{n}", torch.randn(n, dtype=torch.float64)

    # One stream, several calls: the second normal of a small call is cached and
    # consumed by the next small call; a large call neither uses nor clears it.
    for dtype, code in [(torch.float32, "f32"), (torch.float64, "f64")]:
        torch.manual_seed(123)
        for i, n in enumerate(MIXED):
            yield f"mixed_randn_{code}_{i}_n{n}", torch.randn(n, dtype=dtype)
    torch.manual_seed(123)
    for i, n in enumerate(MIXED):
        maker = torch.rand if i % 2 else torch.randn
        yield f"mixed_alt_{i}_n{n}", maker(n)

    # In-place fills; std 0.7 and the range 5 round differently with and without a fused
    # multiply-add, so these pin down torch's exact arithmetic.
    for dtype, code in [(torch.float32, "f32"), (torch.float64, "f64")]:
        for n in [10, 50]:
            torch.manual_seed(123)
            yield f"uniform_{code}_n{n}", torch.empty(n, dtype=dtype).uniform_(-2, 3)
            for mean, std, tag in [(1.5, 0.5, "a"), (1.5, 0.7, "b")]:
                torch.manual_seed(123)
                yield f"normal_{tag}_{code}_n{n}", torch.empty(n, dtype=dtype).normal_(mean, std)

    # The book's Embedding(6, 3) weight at seed 123.
    torch.manual_seed(123)
    yield "book_randn_6x3", torch.randn(6, 3)

    # A local generator is independent of the global one.
    torch.manual_seed(123)
    g = torch.Generator().manual_seed(42)
    yield "gen42_randn_5", torch.randn(5, generator=g)
    yield "global123_randn_20", torch.randn(20)
    yield "gen42_rand_7", torch.rand(7, generator=g)
    yield "gen42_randn_3", torch.randn(3, generator=g)
    yield "gen_default_rand_4", torch.rand(4, generator=torch.Generator())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "tests", "fixtures", "random.txt")
    fixturelib.write(out, records(), __doc__.strip().splitlines()[0])


if __name__ == "__main__":
    main()

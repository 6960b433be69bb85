"""Writes tests/fixtures/sampling.txt: PyTorch 1.13's CPU dropout masks, randperm, randint,
multinomial and topk, for tests/core/ops/{dropout,topk}_test.cpp and tests/core/sampling_test.cpp.

Every stream case is run right after torch.manual_seed(seed) and followed by a record
<case>_next = torch.rand(3): the values the stream gives next, which prove that minigrad
consumed exactly as many draws as torch. Outputs of 10^5 elements are stored as a hash
(see hash_of) plus their first elements, to keep the file small. Inputs that would be large
are not stored either: the tests rebuild them (torch.randn after a seed, which minigrad
reproduces bit for bit, or an integer formula).
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_sampling_fixtures.py
"""
import os

import torch

import fixturelib

SEEDS = [0, 123, 3000000000]
DTYPES = [(torch.float32, "f32"), (torch.float64, "f64")]
# p = 0.021: float32(1 / (1 - p)) and 1.0f / float32(1 - p) differ there; torch uses the second.
PS = [(0.1, "p01"), (0.5, "p05"), (0.9, "p09"), (0.021, "p0021")]
BIG = 100000


def i64(values):
    return torch.tensor(values, dtype=torch.int64)


def hash_of(t):
    """sum_i v_i * w_i over the flattened integer values v, with w_i = (i * 2654435761) mod 2^20:
    a position-sensitive checksum that fits an int64 for 10^5 values below 10^5 (or 0/1)."""
    vals = t.reshape(-1).tolist()
    return sum(int(v) * ((i * 2654435761) % (1 << 20)) for i, v in enumerate(vals))


def weights_probs(n, dtype):
    """Unnormalised probabilities the tests rebuild: w_i = (i * 7919) mod 1000, with the values
    below 100 set to 0 (about a tenth of the categories can never be drawn)."""
    w = (torch.arange(n, dtype=torch.int64) * 7919) % 1000
    w = torch.where(w < 100, torch.zeros_like(w), w)
    return w.to(dtype)


def dropout_records():
    for dtype, code in DTYPES:
        for p, ptag in PS:
            for seed in SEEDS:
                # Small cases store the output; the input is torch.randn(shape) after seed 999.
                for shape in [(7,), (10, 10), (3, 40)]:
                    stag = "x".join(str(d) for d in shape)
                    name = f"drop_{code}_{ptag}_s{seed}_{stag}"
                    torch.manual_seed(999)
                    x = torch.randn(*shape, dtype=dtype)
                    torch.manual_seed(seed)
                    y = torch.nn.functional.dropout(x, p, training=True)
                    yield name + "_y", y
                    yield name + "_next", torch.rand(3)
                # 10^5 ones: the mask's kept count and hash, the first 40 outputs.
                name = f"drop_{code}_{ptag}_s{seed}_big"
                torch.manual_seed(seed)
                y = torch.nn.functional.dropout(torch.ones(BIG, dtype=dtype), p, training=True)
                kept = (y != 0).to(torch.int64)
                yield name + "_hash", i64([int(kept.sum()), hash_of(kept)])
                yield name + "_head", y[:40]
                yield name + "_next", torch.rand(3)
        # The gradient: dx = g * mask / (1 - p).
        torch.manual_seed(5)
        x = torch.randn(4, 5, dtype=dtype, requires_grad=True)
        g = torch.randn(4, 5, dtype=dtype)
        torch.manual_seed(123)
        y = torch.nn.functional.dropout(x, 0.3, training=True)
        assert y.grad_fn.name() == "MulBackward0"
        y.backward(g)
        yield f"dropgrad_{code}_x", x
        yield f"dropgrad_{code}_g", g
        yield f"dropgrad_{code}_y", y
        yield f"dropgrad_{code}_dx", x.grad


def randperm_records():
    for seed in SEEDS:
        for n in [1, 2, 10, 1000]:
            torch.manual_seed(seed)
            yield f"perm_s{seed}_n{n}", torch.randperm(n)
            yield f"perm_s{seed}_n{n}_next", torch.rand(3)
        torch.manual_seed(seed)
        r = torch.randperm(BIG)
        yield f"perm_s{seed}_big_hash", i64([hash_of(r)])
        yield f"perm_s{seed}_big_head", r[:50]
        yield f"perm_s{seed}_big_next", torch.rand(3)


# (tag, low, high, shape): ranges below 2^32 take one 32-bit draw per value, from 2^32 up two.
RANDINT_CASES = [
    ("d10", 0, 10, (1000,)),
    ("neg", -5, 5, (3, 4)),
    ("one", 7, 8, (5,)),
    ("r32", -2**31, 2**31 - 1, (20,)),      # range 2^32 - 1: still one draw
    ("r33", 0, 2**32, (20,)),               # range 2^32: two draws
    ("wide", -2**40, 2**40, (2, 10)),
    ("vocab", 0, 50257, (BIG,)),
]


def randint_records():
    for seed in SEEDS:
        for tag, low, high, shape in RANDINT_CASES:
            name = f"randint_{tag}_s{seed}"
            torch.manual_seed(seed)
            r = torch.randint(low, high, shape)
            assert r.dtype == torch.int64
            if r.numel() > 1000:
                yield name + "_hash", i64([hash_of(r)])
                yield name + "_head", r.reshape(-1)[:50]
            else:
                yield name, r
            yield name + "_next", torch.rand(3)


# (tag, probs maker, num_samples, replacement). "soft": softmax of randn logits after seed 7,
# stored once per shape as multi_soft<shape>_probs; "w": weights_probs(n), rebuilt by the tests.
MULTINOMIAL_CASES = [
    ("soft10_1", ("soft", (10,)), 1, False),
    ("soft10_5", ("soft", (10,)), 5, False),
    ("soft10_10", ("soft", (10,)), 10, False),
    ("soft10_r1", ("soft", (10,)), 1, True),
    ("soft10_r20", ("soft", (10,)), 20, True),
    ("soft4x1000_1", ("soft", (4, 1000)), 1, False),
    ("soft4x1000_3", ("soft", (4, 1000)), 3, False),
    ("soft4x1000_r50", ("soft", (4, 1000)), 50, True),
    ("w50257_1", ("w", (50257,)), 1, False),
    ("w50257_100", ("w", (50257,)), 100, False),
    ("w50257_r1000", ("w", (50257,)), 1000, True),
    ("w3x2000_40", ("w", (3, 2000)), 40, False),
    # 30 weights of which 3 are zero (i = 0, 12, 24): drawing all 30 without replacement
    # reaches the zero-probability categories, whose order is topk's tie order.
    ("w30_30", ("w", (30,)), 30, False),
    ("w2x30_r30", ("w", (2, 30)), 30, True),
]


def make_probs(kind, shape, dtype):
    if kind == "soft":  # made in float32; the float64 cases take the same numbers
        torch.manual_seed(7)
        return torch.softmax(torch.randn(*shape), dim=-1).to(dtype)
    n = 1
    for d in shape:
        n *= d
    return weights_probs(shape[-1], dtype).repeat(n // shape[-1]).reshape(shape) if len(shape) > 1 \
        else weights_probs(n, dtype)


def multinomial_records():
    stored = set()
    for dtype, code in DTYPES:
        for tag, (kind, shape), num, repl in MULTINOMIAL_CASES:
            probs = make_probs(kind, shape, dtype)
            stag = "x".join(str(d) for d in shape)
            if kind == "soft" and code == "f32" and stag not in stored:
                stored.add(stag)
                yield f"multi_soft{stag}_probs", probs
            for seed in SEEDS:
                name = f"multi_{tag}_{code}_s{seed}"
                torch.manual_seed(seed)
                yield name, torch.multinomial(probs, num, replacement=repl)
                yield name + "_next", torch.rand(3)


# (tag, logits shape, transform, k, dim, largest, sorted). Logits are torch.randn(shape) after
# the seed; "round" makes many ties (round(2 x)), "nan" puts NaN at every flat i = 5 mod 97.
TOPK_CASES = [
    ("v1000_k5", (1000,), "none", 5, -1, True, True),
    ("b4_k50", (4, 1000), "none", 50, -1, True, True),       # 50 * 64 > 1000: nth_element + sort
    ("b2_k50", (2, 50257), "none", 50, -1, True, True),      # 50 * 64 <= 50257: partial_sort
    ("b2_k10_small", (2, 50257), "none", 10, -1, False, True),
    ("r_k20", (3, 200), "round", 20, -1, True, True),
    ("r_k2", (3, 200), "round", 2, -1, True, True),
    ("r_k20_uns", (3, 200), "round", 20, -1, True, False),
    ("r_k20_small", (3, 200), "round", 20, -1, False, True),
    ("r_dim0", (200, 3), "round", 7, 0, True, True),
    ("r_mid", (3, 200, 2), "round", 9, 1, False, False),
    ("nan_k30", (2, 500), "nan", 30, -1, True, True),
    ("nan_k30_small", (2, 500), "nan", 30, -1, False, True),
    ("nan_k4_small", (2, 500), "nan", 4, -1, False, True),
    ("all", (2, 9), "round", 9, -1, True, True),
    ("zero", (2, 9), "none", 0, 1, True, True),
]


def make_logits(shape, transform, dtype, seed):
    torch.manual_seed(seed)
    x = torch.randn(*shape, dtype=dtype)
    if transform == "round":
        x = torch.round(x * 2)
    elif transform == "nan":
        flat = x.reshape(-1)
        flat[5::97] = float("nan")
    return x


def topk_records():
    for dtype, code in DTYPES:
        for tag, shape, transform, k, dim, largest, srt in TOPK_CASES:
            for seed in SEEDS:
                x = make_logits(shape, transform, dtype, seed)
                v, i = torch.topk(x, k, dim=dim, largest=largest, sorted=srt)
                name = f"topk_{tag}_{code}_s{seed}"
                yield name + "_values", v
                yield name + "_indices", i
    # The book's sampling step: topk of the last position's logits, then multinomial of the
    # softmax of the kept logits (top-k sampling), all on one stream.
    torch.manual_seed(123)
    logits = torch.randn(2, 50257)
    top, _ = torch.topk(logits, 3)
    masked = torch.where(logits < top[:, -1:], torch.tensor(float("-inf")), logits)
    probs = torch.softmax(masked / 1.4, dim=-1)
    yield "book_sample", torch.multinomial(probs, 1)
    yield "book_sample_next", torch.rand(3)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "tests", "fixtures", "sampling.txt")

    def records():
        yield from dropout_records()
        yield from randperm_records()
        yield from randint_records()
        yield from multinomial_records()
        yield from topk_records()

    fixturelib.write(out, records(), __doc__.strip().splitlines()[0])


if __name__ == "__main__":
    main()

"""Writes tensors to minigrad's fixture format, read back by tests/fixture.h.

One record a line:  name dtype ndim d0 .. d{ndim-1} v0 v1 ...
dtype is f32, f64, i64 or bool (written 0 / 1). Floats are written with repr() of their exact
float64 value, so a float32 round-trips bit for bit; with compact=True a float32 is written
with the fewest digits that still read back to the same float (strtod, then a cast to float,
as tests/fixture.h reads it). Lines starting with # are comments.
"""
import numpy as np
import torch

_CODES = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64", torch.bool: "bool"}


def _short_f32(v):
    """The shortest decimal that reads back (as a double, then cast to float32) to v."""
    s = str(np.float32(v))
    return s if np.float32(float(s)) == np.float32(v) else "%.9g" % v


def record(name, t, compact=False):
    t = t.detach().contiguous().cpu()
    if t.dtype not in _CODES:
        raise ValueError(f"{name}: unsupported dtype {t.dtype}")
    if " " in name:
        raise ValueError(f"fixture name {name!r} contains a space")
    code = _CODES[t.dtype]
    flat = t.reshape(-1).tolist()
    if code in ("i64", "bool"):
        vals = " ".join(str(int(v)) for v in flat)
    elif code == "f32" and compact:
        vals = " ".join(_short_f32(v) for v in flat)
    else:
        vals = " ".join(repr(float(v)) for v in flat)
    dims = " ".join(str(d) for d in t.shape)
    return f"{name} {code} {t.dim()} {dims} {vals}".replace("  ", " ").rstrip() + "\n"


def write(path, records, header, compact=False):
    """records: iterable of (name, tensor). header: text for the leading comment.
    compact: write float32 values with their shortest round-tripping digits."""
    with open(path, "w") as f:
        for line in header.strip().splitlines():
            f.write(f"# {line}\n")
        f.write(f"# torch {torch.__version__}\n")
        for name, t in records:
            f.write(record(name, t, compact))

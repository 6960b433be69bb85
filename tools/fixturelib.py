"""Writes tensors to minigrad's fixture format, read back by tests/fixture.h.

One record a line:  name dtype ndim d0 .. d{ndim-1} v0 v1 ...
dtype is f32, f64, i64 or bool (written 0 / 1). Floats are written with repr() of their exact
float64 value, so a float32 round-trips bit for bit. Lines starting with # are comments.
"""
import torch

_CODES = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64", torch.bool: "bool"}


def record(name, t):
    t = t.detach().contiguous().cpu()
    if t.dtype not in _CODES:
        raise ValueError(f"{name}: unsupported dtype {t.dtype}")
    if " " in name:
        raise ValueError(f"fixture name {name!r} contains a space")
    code = _CODES[t.dtype]
    flat = t.reshape(-1).tolist()
    vals = " ".join(str(int(v)) if code in ("i64", "bool") else repr(float(v)) for v in flat)
    dims = " ".join(str(d) for d in t.shape)
    return f"{name} {code} {t.dim()} {dims} {vals}".replace("  ", " ").rstrip() + "\n"


def write(path, records, header):
    """records: iterable of (name, tensor). header: text for the leading comment."""
    with open(path, "w") as f:
        for line in header.strip().splitlines():
            f.write(f"# {line}\n")
        f.write(f"# torch {torch.__version__}\n")
        for name, t in records:
            f.write(record(name, t))

"""LayerNorm reference values from PyTorch -> tests/fixtures/layer_norm.txt.

For the composite LayerNorm of docs/architecture.md, tested in
tests/docs/composite_layer_norm_test.cpp, and for the fused op layer_norm, tested in
tests/core/ops/layer_norm_test.cpp. Run with Debian's torch:
    /usr/bin/python3 tools/make_layer_norm_fixtures.py
"""
import os
import torch
import torch.nn.functional as F
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "layer_norm.txt")

torch.manual_seed(0)
# (B, T, C) = (2, 3, 5); one row is nearly constant, so eps matters there.
x64 = torch.randn(2, 3, 5, dtype=torch.float64) * 2 + 0.5
x64[1, 2] = 0.25 + 1e-3 * torch.randn(5, dtype=torch.float64)
w64 = torch.randn(5, dtype=torch.float64)
b64 = torch.randn(5, dtype=torch.float64)
g64 = torch.randn(2, 3, 5, dtype=torch.float64)

records = []
for dtype, tag in [(torch.float32, "f32"), (torch.float64, "f64")]:
    x, w, b = (t.to(dtype).clone().requires_grad_() for t in (x64, w64, b64))
    g = g64.to(dtype)
    y = F.layer_norm(x, (5,), w, b, eps=1e-5)
    y.backward(g)
    records += [(f"{tag}.x", x), (f"{tag}.weight", w), (f"{tag}.bias", b), (f"{tag}.g", g),
                (f"{tag}.y", y), (f"{tag}.dx", x.grad), (f"{tag}.dweight", w.grad), (f"{tag}.dbias", b.grad)]

# The fused op's cases (tests/core/ops/layer_norm_test.cpp), after the draws above so those
# records keep their values. Each case: x, g, and optional weight / bias; y and the grads.
#   name          x shape         normalized_shape  weight bias  eps    made how
CASES = [
    ("rows",      (4, 7),          (7,),            True,  True,  1e-5, "plain"),
    ("two_dims",  (2, 3, 4, 5),    (4, 5),          True,  True,  1e-5, "plain"),
    ("no_affine", (3, 6),          (6,),            False, False, 1e-5, "plain"),
    ("weight",    (3, 6),          (6,),            True,  False, 1e-3, "plain"),
    ("bias",      (3, 6),          (6,),            False, True,  0.0,  "plain"),
    ("transposed", (5, 3, 4),      (4,),            True,  True,  1e-5, "transpose"),  # x = base.transpose(1, 2)
    ("vector",    (9,),            (9,),            True,  True,  1e-5, "plain"),
]
for name, shape, ns, has_w, has_b, eps, how in CASES:
    base = torch.randn(*shape, dtype=torch.float64) * 3 - 1
    if how == "transpose":  # a non-contiguous input: the test builds it the same way
        base = torch.randn(shape[0], shape[2], shape[1], dtype=torch.float64) * 3 - 1
    w64 = torch.randn(*ns, dtype=torch.float64) if has_w else None
    b64 = torch.randn(*ns, dtype=torch.float64) if has_b else None
    g64 = torch.randn(*shape, dtype=torch.float64)
    for dtype, tag in [(torch.float32, "f32"), (torch.float64, "f64")]:
        key = f"case.{name}.{tag}"
        xb = base.to(dtype).clone().requires_grad_()
        x = xb.transpose(1, 2) if how == "transpose" else xb
        w = w64.to(dtype).clone().requires_grad_() if has_w else None
        b = b64.to(dtype).clone().requires_grad_() if has_b else None
        g = g64.to(dtype)
        y = F.layer_norm(x, ns, w, b, eps=eps)
        y.backward(g)
        records += [(f"{key}.base", xb), (f"{key}.g", g), (f"{key}.y", y), (f"{key}.dbase", xb.grad)]
        if has_w:
            records += [(f"{key}.weight", w), (f"{key}.dweight", w.grad)]
        if has_b:
            records += [(f"{key}.bias", b), (f"{key}.dbias", b.grad)]

write(OUT, records, "F.layer_norm over the last dim (C = 5, eps = 1e-5): forward and backward\n"
                    "(upstream gradient g), float32 and float64; then the cases case.<name>.<dtype>\n"
                    "of tools/make_layer_norm_fixtures.py (CASES): base is the input as made (the\n"
                    "'transposed' case feeds base.transpose(1, 2)), dbase its gradient.")
